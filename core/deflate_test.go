package core

// permessage-deflate, RFC 7692: the RFC's own examples byte for byte,
// round trips under every negotiated parameter, a peer that takes context
// over, the rules of RSV1, the size limit on the inflated message, and
// the memory an idle connection keeps.

import (
	"bytes"
	"compress/flate"
	"errors"
	"io"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// dfHex decodes "c1 07 f2 ..." as the RFC writes its bytes.
func dfHex(t *testing.T, s string) []byte {
	t.Helper()
	var out []byte
	for _, f := range strings.Fields(s) {
		var b byte
		for _, c := range f {
			b <<= 4
			switch {
			case '0' <= c && c <= '9':
				b |= byte(c - '0')
			case 'a' <= c && c <= 'f':
				b |= byte(c-'a') + 10
			default:
				t.Fatalf("bad hex %q", f)
			}
		}
		out = append(out, b)
	}
	return out
}

// dfRead makes a Conn in role read the given bytes as its peer's frames,
// with params negotiated (nil: none), and returns the messages it read
// and the bytes it wrote, and the error that ended reading.
func dfRead(t *testing.T, role Role, params *DeflateParams, cfg Config, wire []byte) ([]string, []byte, error) {
	t.Helper()
	var out bytes.Buffer
	cfg.Deflate = params
	c := NewConn(ctRW{bytes.NewReader(wire), &out}, nil, role, cfg)
	var msgs []string
	for {
		_, p, err := c.ReadMessage(nil)
		if err != nil {
			return msgs, out.Bytes(), err
		}
		msgs = append(msgs, string(p))
	}
}

// takeover is what a peer that uses every default of RFC 7692 agrees to:
// context takeover both ways, 32 KiB windows.
var takeover = &DeflateParams{ServerMaxWindowBits: MaxWindowBits, ClientMaxWindowBits: MaxWindowBits}

// The examples of RFC 7692 §7.2.3, frames as a server sends them (not
// masked), read by a client that negotiated permessage-deflate.
func TestDeflateRFC7692Examples(t *testing.T) {
	tests := []struct {
		section string
		wire    string
		want    []string
	}{
		{"7.2.3.1 one frame", "c1 07 f2 48 cd c9 c9 07 00", []string{"Hello"}},
		{"7.2.3.1 two fragments, RSV1 on the first only", "41 03 f2 48 cd  80 04 c9 c9 07 00", []string{"Hello"}},
		{"7.2.3.2 the second message refers to the first", "c1 07 f2 48 cd c9 c9 07 00  c1 05 f2 00 11 00 00", []string{"Hello", "Hello"}},
		{"7.2.3.3 a block with no compression", "c1 0b 00 05 00 fa ff 48 65 6c 6c 6f 00", []string{"Hello"}},
		{"7.2.3.4 two DEFLATE blocks", "c1 0d f2 48 05 00 00 00 ff ff ca c9 c9 07 00", []string{"Hello"}},
		{"7.2.3.5 a block with BFINAL set", "c1 08 f3 48 cd c9 c9 07 00 00", []string{"Hello"}},
		{"7.2.3.6 an empty message", "c1 01 00", []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.section, func(t *testing.T) {
			msgs, _, err := dfRead(t, Client, takeover, Config{}, dfHex(t, tt.wire))
			var ce *CloseError
			if !errors.As(err, &ce) || ce.Code != StatusAbnormalClosure {
				t.Fatalf("reading ended with %v, want the end of the stream", err)
			}
			if strings.Join(msgs, "|") != strings.Join(tt.want, "|") {
				t.Fatalf("messages %q, want %q", msgs, tt.want)
			}
		})
	}
}

// §7.2.3.2's second message refers back to the first: when the server
// agreed to server_no_context_takeover, that is not valid DEFLATE data
// for the client, which fails the connection with 1007.
func TestDeflateNoContextTakeoverRefusesBackReference(t *testing.T) {
	p := *takeover
	p.ServerNoContextTakeover = true
	msgs, out, err := dfRead(t, Client, &p, Config{}, dfHex(t, "c1 07 f2 48 cd c9 c9 07 00  c1 05 f2 00 11 00 00"))
	var pe *ProtocolError
	if !errors.As(err, &pe) || pe.Code != StatusInvalidPayload || pe.Rules[0].ID != RuleInflate.ID {
		t.Fatalf("got %v, want the inflate rule with 1007", err)
	}
	frames := ctDecode(t, out, Server)
	if len(msgs) != 1 || len(frames) != 1 || frames[0].h.Opcode != OpClose || !bytes.HasPrefix(frames[0].payload, []byte{0x03, 0xef}) {
		t.Fatalf("messages %q, frames %v, want one message and a close frame with 1007", msgs, frames)
	}
}

// What wsplay sends for the RFC's examples: a fresh stream per message,
// so "Hello" compresses as compress/flate's fastest level writes short
// data, a stored block — byte for byte §7.2.3.3 — and an empty message is
// §7.2.3.6's single 00.
func TestDeflateCompressesLikeRFC7692(t *testing.T) {
	if got, want := AppendDeflate(nil, []byte("Hello"), MaxWindowBits), dfHex(t, "00 05 00 fa ff 48 65 6c 6c 6f 00"); !bytes.Equal(got, want) {
		t.Errorf("Hello: % x, want % x (§7.2.3.3)", got, want)
	}
	if got, want := AppendDeflate(nil, nil, MaxWindowBits), dfHex(t, "00"); !bytes.Equal(got, want) {
		t.Errorf("empty: % x, want % x (§7.2.3.6)", got, want)
	}
	// Decoded by compress/flate as §7.2.2 says: with 00 00 ff ff back.
	long := bytes.Repeat([]byte("permessage-deflate "), 200)
	z := AppendDeflate([]byte("kept"), long, MaxWindowBits)
	if string(z[:4]) != "kept" {
		t.Fatalf("AppendDeflate did not append to dst")
	}
	got, err := io.ReadAll(flate.NewReader(io.MultiReader(bytes.NewReader(z[4:]), bytes.NewReader([]byte{0, 0, 0xff, 0xff, 1, 0, 0, 0xff, 0xff}))))
	if err != nil || !bytes.Equal(got, long) || len(z)-4 >= len(long)/10 {
		t.Fatalf("inflated %d bytes (%v) from %d, want the %d bytes back from under a tenth", len(got), err, len(z)-4, len(long))
	}
}

// dfMessages are what the round trips send: sizes around the small-frame
// and window limits, repetitive (compressible) and random (not).
func dfMessages(r *rand.Rand) [][]byte {
	var msgs [][]byte
	for _, n := range []int{0, 1, 17, 125, 126, 300, 1 << 12, 5000, 70000} {
		rep := bytes.Repeat([]byte("wsplay "), n/7+1)[:n]
		rnd := make([]byte, n)
		for i := range rnd {
			rnd[i] = byte(r.Uint32())
		}
		msgs = append(msgs, rep, rnd)
	}
	return msgs
}

// Every combination of parameters, both directions, whole and fragmented:
// what one end sends, the other reads back unchanged, a compressible
// message travels compressed (RSV1 on its first frame only), and frames
// are checked by a FrameReader that knows the agreement.
func TestDeflateRoundTripEveryParameter(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7692))
	msgs := dfMessages(r)
	for _, noCtx := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
		for _, bits := range [][2]int{{15, 15}, {8, 15}, {15, 9}, {12, 12}} {
			p := DeflateParams{ServerNoContextTakeover: noCtx[0], ClientNoContextTakeover: noCtx[1], ServerMaxWindowBits: bits[0], ClientMaxWindowBits: bits[1]}
			for _, sender := range []Role{Server, Client} {
				for _, frag := range []int{0, 1000} {
					var wire bytes.Buffer
					w := NewConn(ctRW{strings.NewReader(""), &wire}, nil, sender, Config{Deflate: &p})
					for i, m := range msgs {
						op := OpBinary
						if i%2 == 0 {
							op = OpText // the repetitive ones are ASCII
						}
						if err := w.WriteFragmented(op, m, frag); err != nil {
							t.Fatal(err)
						}
					}
					// RSV1 only on first frames, and on every
					// compressible message of some size.
					fr := NewFrameReader(bytes.NewReader(wire.Bytes()), ctOther(sender), rsvCompressed)
					fr.deflate = true
					compressed, first := 0, true
					for {
						h, err := fr.NextFrame()
						if err == io.EOF {
							break
						}
						if err != nil {
							t.Fatalf("%+v: %v", p, err)
						}
						if h.Rsv != 0 {
							if !first {
								t.Fatalf("RSV1 on a frame that is not a message's first")
							}
							compressed++
						}
						if h.Opcode.IsData() {
							first = h.Fin
						}
					}
					if compressed < 6 {
						t.Errorf("%+v sender %v frag %d: %d compressed messages, want every repetitive one of 125 bytes or more", p, sender, frag, compressed)
					}
					got, _, err := dfRead(t, ctOther(sender), &p, Config{}, wire.Bytes())
					if len(got) != len(msgs) {
						t.Fatalf("%+v sender %v frag %d: read %d of %d messages: %v", p, sender, frag, len(got), len(msgs), err)
					}
					for i := range msgs {
						if got[i] != string(msgs[i]) {
							t.Fatalf("%+v sender %v frag %d: message %d (%d bytes) came back as %d bytes", p, sender, frag, i, len(msgs[i]), len(got[i]))
						}
					}
				}
			}
		}
	}
}

// A peer that takes context over (as browsers do, unless told not to)
// refers back into its earlier messages: the receiver keeps that window
// between messages and inflates every one, whatever their sizes.
func TestDeflatePeerTakesContextOver(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var wire, z bytes.Buffer
	fw, _ := flate.NewWriter(&z, flate.BestCompression)
	var want []string
	for i := range 60 {
		// Messages that repeat pieces of earlier ones, up to 40 KiB
		// back, so some matches reach the whole 32 KiB window.
		n := []int{10, 200, 3000, 20000}[i%4]
		m := make([]byte, n)
		for j := range m {
			m[j] = "abcdefgh"[r.IntN(8)]
		}
		if len(want) > 0 {
			prev := want[r.IntN(len(want))]
			copy(m, prev)
		}
		want = append(want, string(m))
		z.Reset()
		fw.Write(m)
		fw.Flush()
		payload := bytes.TrimSuffix(z.Bytes(), deflateTail[:])
		h := FrameHeader{Fin: true, Rsv: rsvCompressed, Opcode: OpBinary, Length: uint64(len(payload)), Masked: true, Key: [4]byte{1, 2, 3, 4}}
		wire.Write(AppendFrame(nil, h, payload))
	}
	got, _, err := dfRead(t, Server, takeover, Config{}, wire.Bytes())
	if len(got) != len(want) {
		t.Fatalf("read %d of %d messages: %v", len(got), len(want), err)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("message %d differs", i)
		}
	}
}

// The dictionary is the last window's worth of what the peer sent, never
// more, whatever the sizes of the messages that filled it.
func TestDeflateRememberKeepsLastWindow(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, window := range []int{256, 4096, 32768} {
		d := &deflateState{peerTakeover: true, peerWindow: window}
		var all []byte
		for range 200 {
			m := make([]byte, r.IntN(3*window/2))
			for i := range m {
				m[i] = byte(r.Uint32())
			}
			all = append(all, m...)
			d.remember(m)
			want := all[max(0, len(all)-window):]
			if !bytes.Equal(d.dict, want) || cap(d.dict) > window {
				t.Fatalf("window %d: dictionary of %d bytes (cap %d), want the last %d", window, len(d.dict), cap(d.dict), len(want))
			}
		}
	}
}

// dfFrame is a compressed frame as a client sends it.
func dfFrame(fin bool, rsv byte, op Opcode, payload []byte) []byte {
	return AppendFrame(nil, FrameHeader{Fin: fin, Rsv: rsv, Opcode: op, Length: uint64(len(payload)), Masked: true, Key: [4]byte{9, 8, 7, 6}}, payload)
}

// The rules of RSV1 and of compressed data, as a server reads them.
func TestDeflateReadRules(t *testing.T) {
	hello := dfHex(t, "f2 48 cd c9 c9 07 00")
	bomb := AppendDeflate(nil, make([]byte, 4<<20), MaxWindowBits) // 4 MiB of zeros in a few KiB
	tests := []struct {
		name   string
		params *DeflateParams
		cfg    Config
		wire   []byte
		code   StatusCode
		rule   string
	}{
		{"RSV1 without the extension", nil, Config{}, dfFrame(true, rsvCompressed, OpText, hello), StatusProtocolError, RuleReservedBits.ID},
		{"RSV1 on a continuation frame", takeover, Config{}, cat(dfFrame(false, rsvCompressed, OpText, hello[:3]), dfFrame(true, rsvCompressed, OpContinuation, hello[3:])), StatusProtocolError, RuleCompressedBit.ID},
		{"RSV1 on a ping", takeover, Config{}, dfFrame(true, rsvCompressed, OpPing, nil), StatusProtocolError, RuleCompressedBit.ID},
		{"RSV2 with the extension", takeover, Config{}, dfFrame(true, 0x2, OpText, hello), StatusProtocolError, RuleReservedBits.ID},
		{"not DEFLATE data", takeover, Config{}, dfFrame(true, rsvCompressed, OpBinary, []byte{0xff, 0xff, 0xff}), StatusInvalidPayload, RuleInflate.ID},
		{"text that inflates to bad UTF-8", takeover, Config{}, dfFrame(true, rsvCompressed, OpText, AppendDeflate(nil, []byte("ok \xff"), MaxWindowBits)), StatusInvalidPayload, RuleInvalidUTF8.ID},
		{"a bomb: 4 MiB inflated over a 1 MiB limit", takeover, Config{MaxMessageSize: 1 << 20}, dfFrame(true, rsvCompressed, OpBinary, bomb), StatusMessageTooBig, RuleMessageTooBig.ID},
		{"the limit is on the inflated size, by one byte", takeover, Config{MaxMessageSize: 1000}, dfFrame(true, rsvCompressed, OpBinary, AppendDeflate(nil, make([]byte, 1001), MaxWindowBits)), StatusMessageTooBig, RuleMessageTooBig.ID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, out, err := dfRead(t, Server, tt.params, tt.cfg, tt.wire)
			runtime.ReadMemStats(&after)
			var pe *ProtocolError
			if !errors.As(err, &pe) || pe.Code != tt.code {
				t.Fatalf("got %v, want a %v", err, tt.code)
			}
			found := false
			for _, r := range pe.Rules {
				found = found || r.ID == tt.rule
			}
			if !found {
				t.Fatalf("rules %v, want %s", pe.Rules, tt.rule)
			}
			if code := [2]byte{byte(tt.code >> 8), byte(tt.code)}; !bytes.Contains(out, code[:]) {
				t.Fatalf("no close frame with %v in % x", tt.code, out)
			}
			if tt.cfg.MaxMessageSize > 0 {
				// Inflating stopped at the limit: what was allocated
				// is bounded by it, not by the bomb's 4 MiB.
				if grew := after.TotalAlloc - before.TotalAlloc; grew > 4*uint64(tt.cfg.MaxMessageSize)+1<<20 {
					t.Fatalf("allocated %d bytes for a %d-byte limit", grew, tt.cfg.MaxMessageSize)
				}
			}
		})
	}
	// The limit holds exactly: a message of exactly the limit passes.
	msgs, _, err := dfRead(t, Server, takeover, Config{MaxMessageSize: 1000}, dfFrame(true, rsvCompressed, OpBinary, AppendDeflate(nil, make([]byte, 1000), MaxWindowBits)))
	if len(msgs) != 1 || len(msgs[0]) != 1000 {
		t.Fatalf("a message of exactly the limit: %d messages, %v", len(msgs), err)
	}
}

// Control frames are never compressed, and a message that compression
// would not shrink goes out as it is, without RSV1.
func TestDeflateWriteControlAndIncompressible(t *testing.T) {
	var wire bytes.Buffer
	c := NewConn(ctRW{strings.NewReader(""), &wire}, nil, Server, Config{Deflate: takeover})
	c.Ping([]byte("ping ping ping ping ping ping ping ping"))
	c.WriteMessage(OpText, []byte("hi"))
	c.WriteMessage(OpText, bytes.Repeat([]byte("compress me "), 20))
	c.Close(StatusNormalClosure, strings.Repeat("bye ", 20))
	frames := ctDecodeDeflate(t, wire.Bytes(), Client)
	want := []struct {
		op  Opcode
		rsv byte
	}{{OpPing, 0}, {OpText, 0}, {OpText, rsvCompressed}, {OpClose, 0}}
	if len(frames) != len(want) {
		t.Fatalf("%d frames, want %d", len(frames), len(want))
	}
	for i, w := range want {
		if frames[i].h.Opcode != w.op || frames[i].h.Rsv != w.rsv {
			t.Errorf("frame %d: %v RSV %x, want %v RSV %x", i, frames[i].h.Opcode, frames[i].h.Rsv, w.op, w.rsv)
		}
	}
}

// ctDecodeDeflate is ctDecode with permessage-deflate negotiated.
func ctDecodeDeflate(t *testing.T, b []byte, receiver Role) []ctFrame {
	t.Helper()
	fr := NewFrameReader(bytes.NewReader(b), receiver, rsvCompressed)
	fr.deflate = true
	var out []ctFrame
	for {
		h, err := fr.NextFrame()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("frame %d: %v", len(out), err)
		}
		p, _ := io.ReadAll(fr)
		out = append(out, ctFrame{h, p})
	}
}

// OnCompressed reports each compressed message inflated, just before
// OnFrame reports its last, compressed, frame, in both directions.
func TestDeflateOnCompressed(t *testing.T) {
	var events []string
	cfg := Config{
		OnFrame:      func(d Direction, wire []byte) { events = append(events, d.String()+" frame") },
		OnCompressed: func(d Direction, p []byte) { events = append(events, d.String()+" "+string(p)) },
	}
	var out bytes.Buffer
	cfg.Deflate = takeover
	c := NewConn(ctRW{bytes.NewReader(dfFrame(true, rsvCompressed, OpText, dfHex(t, "f2 48 cd c9 c9 07 00"))), &out}, nil, Server, cfg)
	if _, p, err := c.ReadMessage(nil); err != nil || string(p) != "Hello" {
		t.Fatalf("read %q, %v", p, err)
	}
	long := strings.Repeat("a", 200)
	c.WriteMessage(OpText, []byte(long))
	if got, want := strings.Join(events, ", "), "received Hello, received frame, sent "+long+", sent frame"; got != want {
		t.Fatalf("events %q, want %q", got, want)
	}
}

// A compressed message's last frame that does not inflate is still shown
// to an observer, before the close frame that fails the connection.
func TestDeflateOnFrameSeesBadCompressedFrame(t *testing.T) {
	var frames [][]byte
	cfg := Config{OnFrame: func(d Direction, wire []byte) {
		if d == Received {
			frames = append(frames, append([]byte(nil), wire...))
		}
	}}
	wire := cat(dfFrame(false, rsvCompressed, OpBinary, []byte{0xf2}), dfFrame(true, 0, OpContinuation, []byte{0xff, 0xff}))
	_, _, err := dfRead(t, Server, takeover, cfg, wire)
	var pe *ProtocolError
	if !errors.As(err, &pe) || pe.Code != StatusInvalidPayload {
		t.Fatalf("got %v, want 1007", err)
	}
	if !bytes.Equal(bytes.Join(frames, nil), wire) {
		t.Fatalf("observed % x, want % x", bytes.Join(frames, nil), wire)
	}
}

func cat(b ...[]byte) []byte { return bytes.Join(b, nil) }

// BenchmarkDeflate: a compressible message written compressed, and read
// and inflated, in the steady state (pooled codecs, reused buffers).
func BenchmarkDeflate(b *testing.B) {
	for _, n := range []int{128, 4 << 10, 64 << 10} {
		msg := bytes.Repeat([]byte("a chat message, more or less {\"nick\":\"Ada\"} "), n/44+1)[:n]
		b.Run("write/"+strconv.Itoa(n), func(b *testing.B) {
			c := NewConn(ctRW{strings.NewReader(""), io.Discard}, nil, Server, Config{Deflate: takeover})
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				if err := c.WriteMessage(OpText, msg); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("read/"+strconv.Itoa(n), func(b *testing.B) {
			frame := dfFrame(true, rsvCompressed, OpText, AppendDeflate(nil, msg, MaxWindowBits))
			src := &repeatReader{data: frame} // bench_test.go
			c := NewConn(ctRW{src, io.Discard}, nil, Server, Config{Deflate: takeover})
			b.SetBytes(int64(n))
			b.ReportAllocs()
			var buf []byte
			for b.Loop() {
				_, p, err := c.ReadMessage(buf[:0])
				if err != nil || len(p) != n {
					b.Fatal(err)
				}
				buf = p
			}
		})
	}
}

// One PreparedMessage sent by many connections at once, with different
// agreements: each peer reads it back unchanged, compressed where it
// negotiated compression (Huffman-only where its window is smaller than
// the message), and connections with the same agreement send the same
// bytes, compressed once.
func TestDeflatePreparedMessage(t *testing.T) {
	msg := bytes.Repeat([]byte("one message for the whole room "), 40)
	pm := NewPreparedMessage(OpText, msg)
	small := DeflateParams{ServerNoContextTakeover: true, ServerMaxWindowBits: 8, ClientMaxWindowBits: 15}
	agreements := []*DeflateParams{takeover, takeover, &small, nil}
	outs := make([]bytes.Buffer, len(agreements))
	done := make(chan error, len(agreements))
	for i, p := range agreements {
		c := NewConn(ctRW{strings.NewReader(""), &outs[i]}, nil, Server, Config{Deflate: p})
		go func() { done <- c.WritePreparedMessage(pm) }()
	}
	for range agreements {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(outs[0].Bytes(), outs[1].Bytes()) {
		t.Fatalf("two connections with the same agreement sent different bytes")
	}
	for i, p := range agreements {
		frames := ctDecodeDeflate(t, outs[i].Bytes(), Client)
		if len(frames) != 1 || (frames[0].h.Rsv != 0) != (p != nil) || (p != nil && len(frames[0].payload) >= len(msg)/2) {
			t.Fatalf("agreement %+v: frames %+v", p, frames)
		}
		got, _, err := dfRead(t, Client, p, Config{}, outs[i].Bytes())
		if len(got) != 1 || got[0] != string(msg) {
			t.Fatalf("agreement %+v: read %d messages, %v", p, len(got), err)
		}
	}
	if pm.z[0] == nil || pm.z[1] == nil || string(pm.Data()) != string(msg) {
		t.Fatalf("the prepared message holds %d and %d compressed bytes", len(pm.z[0]), len(pm.z[1]))
	}
}
