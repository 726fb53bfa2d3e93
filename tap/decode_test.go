//go:build !js

package tap

import (
	"bytes"
	"encoding/hex"
	"testing"

	"wsplay/core"
)

// The decoder reports the same frames whatever the chunking of the stream:
// one read, one byte per read, or reads of any size; only the number of
// pieces changes, and it is exact. A frame larger than keep is reported by
// its first keep and last tail payload bytes.
func TestDecoderChunking(t *testing.T) {
	frames := [][]byte{
		frame(true, core.OpText, false, []byte("Hello")),
		frame(false, core.OpText, false, []byte("frag")),
		frame(true, core.OpContinuation, false, []byte("ment")),
		frame(true, core.OpBinary, false, bytes.Repeat([]byte{7}, 126)),
		frame(true, core.OpPing, false, nil),
		frame(true, core.OpBinary, false, bytes.Repeat([]byte{9}, 70000)),
		{0x88, 0x00},
	}
	stream := bytes.Join(frames, nil)
	for _, size := range []int{len(stream), 1, 2, 3, 7, 125, 4096} {
		d := newDecoder("server", Limits{Keep: 1024, Tail: 64, Inflate: 1 << 20}, nil)
		var got []Event
		emit := func(e Event) { got = append(got, e) }
		for i := 0; i < len(stream); i += size {
			d.feed(stream[i:min(i+size, len(stream))], emit)
		}
		d.end(emit)
		if len(got) != len(frames) {
			t.Fatalf("reads of %d: %d events for %d frames: %s", size, len(got), len(frames), dump(got))
		}
		var off uint64
		for i, e := range got {
			f := e.Frame
			want := frames[i]
			w, _ := hex.DecodeString(f.Wire)
			if f.Offset != off || f.Size != uint64(len(want)) || !bytes.HasPrefix(want, w) || len(e.Problems) != 0 {
				t.Errorf("reads of %d, frame %d: offset %d size %d problems %v", size, i, f.Offset, f.Size, e.Problems)
			}
			if !f.Truncated && !bytes.Equal(w, want) {
				t.Errorf("reads of %d, frame %d: % x, want % x", size, i, w, want)
			}
			first, last := int(off)/size, (int(off)+len(want)-1)/size
			if f.Pieces != last-first+1 {
				t.Errorf("reads of %d, frame %d: %d pieces, want %d", size, i, f.Pieces, last-first+1)
			}
			off += uint64(len(want))
		}
		big := got[5].Frame
		tail, _ := hex.DecodeString(big.WireTail)
		if !big.Truncated || len(big.Wire)/2 != 10+1024 || !bytes.Equal(tail, bytes.Repeat([]byte{9}, 64)) || big.Omitted != 70000-1024-64 {
			t.Errorf("reads of %d: large frame kept %d bytes, tail %d, omitted %d", size, len(big.Wire)/2, len(tail), big.Omitted)
		}
		if c := got[6].Frame.Close; c == nil || !c.NoCode {
			t.Errorf("reads of %d: close without a code reported as %+v", size, c)
		}
	}
}

// Fragments out of order are flagged with the §5.4 rules, which need the
// frames before: the explainer alone cannot see them.
func TestDecoderFragmentOrder(t *testing.T) {
	for _, tc := range []struct {
		name   string
		frames [][]byte
		rules  []string // per frame
	}{
		{"lone continuation", [][]byte{frame(true, core.OpContinuation, false, []byte("x"))}, []string{"continuation-lone"}},
		{"nested message", [][]byte{frame(false, core.OpText, false, []byte("a")), frame(true, core.OpText, false, []byte("b"))},
			[]string{"", "fragments-nested"}},
		{"control between fragments", [][]byte{frame(false, core.OpText, false, []byte("a")), frame(true, core.OpPing, false, nil),
			frame(true, core.OpContinuation, false, []byte("b"))}, []string{"", "", ""}},
		{"fragmented ping", [][]byte{frame(false, core.OpPing, false, nil)}, []string{"control-final"}},
		{"long close", [][]byte{frame(true, core.OpClose, false, bytes.Repeat([]byte{'a'}, 126))}, []string{"control-length"}},
	} {
		d := newDecoder("server", Limits{Keep: 1024, Tail: 64, Inflate: 1 << 20}, nil)
		var got []Event
		d.feed(bytes.Join(tc.frames, nil), func(e Event) { got = append(got, e) })
		for i, want := range tc.rules {
			if i >= len(got) {
				t.Fatalf("%s: %d events", tc.name, len(got))
			}
			if ids := ruleIDs(got[i].Problems); ids != want {
				t.Errorf("%s, frame %d: rules %q, want %q", tc.name, i, ids, want)
			}
		}
	}
}
