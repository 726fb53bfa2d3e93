//go:build !js

package tap

import (
	"encoding/json"
	"testing"

	"wsplay/core"
)

// FuzzDecodeCompressed feeds a server's stream, with permessage-deflate
// agreed, to the decoder whole and in small pieces: it must never panic,
// must report the same frames, inflated the same, whatever the chunking,
// and must keep every inflated report within the limits.
func FuzzDecodeCompressed(f *testing.F) {
	hello := []byte{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}
	again := []byte{0xf2, 0x00, 0x11, 0x00, 0x00}
	f.Add(append(compressedFrame(true, core.OpText, false, hello, 4), compressedFrame(true, core.OpText, false, again, 4)...), uint8(1), true)
	f.Add(append(compressedFrame(false, core.OpText, false, hello[:3], 4), frame(true, core.OpContinuation, false, hello[3:])...), uint8(2), false)
	f.Add(compressedFrame(true, core.OpPing, false, []byte("x"), 4), uint8(3), true)
	f.Add(compressedFrame(true, core.OpBinary, false, core.AppendDeflate(nil, make([]byte, 10000), 15), 4), uint8(5), false)
	f.Add(compressedFrame(true, core.OpText, false, []byte("never compressed"), 4), uint8(0), true)
	f.Fuzz(func(t *testing.T, stream []byte, piece uint8, takeover bool) {
		lim := Limits{Keep: 125, Tail: 16, Inflate: 4096}
		run := func(size int) []string {
			p := core.DeflateParams{ServerNoContextTakeover: !takeover, ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}
			d := newDecoder("server", lim, &p)
			var out []string
			emit := func(e Event) {
				if f := e.Frame; f != nil {
					f.Pieces = 0
					if in := f.Inflated; in != nil {
						if in.Cut && in.Length != uint64(lim.Inflate)+1 || !in.Cut && in.Length > uint64(lim.Inflate) ||
							len(in.Data) > 2*lim.Keep || len(in.Tail) > 2*lim.Tail {
							t.Fatalf("inflated report past the limits: %+v", *in)
						}
					}
				}
				b, _ := json.Marshal(e)
				out = append(out, string(b))
			}
			for i := 0; i < len(stream); i += size {
				d.feed(stream[i:min(i+size, len(stream))], emit)
			}
			d.end(emit)
			return out
		}
		whole, pieces := run(max(len(stream), 1)), run(int(piece)%7+1)
		if len(whole) != len(pieces) {
			t.Fatalf("%d events whole, %d in pieces", len(whole), len(pieces))
		}
		for i := range whole {
			if whole[i] != pieces[i] {
				t.Fatalf("event %d differs:\n%s\n%s", i, whole[i], pieces[i])
			}
		}
	})
}
