package core

import (
	"bytes"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The fast paths (ReadMessage's wholeMessage, ReadLoop's in-place paths)
// must change nothing but speed. These tests prove it by difference: the
// same bytes, cut into reads in any way, go to ReadMessage with the fast
// paths off (an observer in Config.OnFrame turns them off, so every frame
// takes NextFrame and Read) and to ReadLoop, and both must deliver the
// same messages, end with the same error and send the same frames back
// (pongs, and a close frame with the same code).

// diffOutcome is what a connection made of a stream: the messages it
// delivered, the error it ended with, and the frames it sent.
type diffOutcome struct {
	msgs []string // opcode and payload of each message
	err  error
	sent []string // opcode, FIN and payload of each frame sent; the code alone for a close frame
}

// describeSent decodes the frames a connection wrote. A close frame is
// described by its code only: its reason is the first rule broken, and a
// header refused from its first two bytes may name fewer rules than the
// whole header (see sameOrEarlier).
func describeSent(b []byte) []string {
	var out []string
	for len(b) > 0 {
		h, n, err := ParseFrameHeader(b)
		if err != nil || uint64(len(b)-n) < h.Length {
			return append(out, "a cut frame: "+strconv.Itoa(len(b))+" bytes")
		}
		p := append([]byte(nil), b[n:n+int(h.Length)]...)
		b = b[n+int(h.Length):]
		if h.Masked {
			Mask(h.Key, 0, p)
		}
		if h.Opcode == OpClose {
			code, _, _ := ParseClosePayload(p)
			out = append(out, "close "+strconv.Itoa(int(code)))
			continue
		}
		out = append(out, h.Opcode.String()+" fin="+strconv.FormatBool(h.Fin)+" "+strconv.Quote(string(p)))
	}
	return out
}

func describeMessage(op Opcode, p []byte) string {
	return op.String() + " " + strconv.Quote(string(p))
}

// diffConfig is the configuration of both sides: a small limit and buffer,
// so that inputs reach 1009 and frames larger than the buffer.
func diffConfig(bufSize byte) Config {
	return Config{MaxMessageSize: 300, ReadBufferSize: minReadBufferSize + int(bufSize)%200, CloseTimeout: time.Second}
}

// readGeneral reads r with ReadMessage, fast paths off.
func readGeneral(r io.Reader, role Role, cfg Config) diffOutcome {
	cfg.OnFrame = func(Direction, []byte) {}
	rw := &discardWrites{Reader: r}
	c := NewConn(rw, nil, role, cfg)
	var o diffOutcome
	for {
		op, p, err := c.ReadMessage(nil)
		if err != nil {
			o.err = err
			break
		}
		o.msgs = append(o.msgs, describeMessage(op, p))
	}
	o.sent = describeSent(rw.written.Bytes())
	return o
}

// readLoopPlain reads r with ReadLoop on a stream without a socket: the
// in-place path over the Conn's read buffer.
func readLoopPlain(r io.Reader, role Role, cfg Config) diffOutcome {
	rw := &discardWrites{Reader: r}
	c := NewConn(rw, nil, role, cfg)
	var o diffOutcome
	o.err = c.ReadLoop(func(op Opcode, msg []byte) error {
		o.msgs = append(o.msgs, describeMessage(op, msg))
		return nil
	})
	o.sent = describeSent(rw.written.Bytes())
	return o
}

// sameOutcome reports how got differs from want, or "" when it does not.
// With earlier set, got's error may be an earlier form of want's (see
// sameOrEarlier): a header refused from its first two bytes.
func sameOutcome(want, got diffOutcome, earlier bool) string {
	switch {
	case !slices.Equal(want.msgs, got.msgs):
		return "messages differ:\n general: " + strconv.Quote(fmtList(want.msgs)) + "\n loop:    " + strconv.Quote(fmtList(got.msgs))
	case earlier && !sameOrEarlier(want.err, got.err), !earlier && errString(want.err) != errString(got.err):
		return "errors differ:\n general: " + errString(want.err) + "\n loop:    " + errString(got.err)
	case !slices.Equal(want.sent, got.sent):
		return "frames sent differ:\n general: " + fmtList(want.sent) + "\n loop:    " + fmtList(got.sent)
	}
	return ""
}

func fmtList(l []string) string {
	var b bytes.Buffer
	for i, s := range l {
		if i > 0 {
			b.WriteString(" | ")
		}
		b.WriteString(s)
	}
	return b.String()
}

// diffSeeds are streams for both roles: the RFC's examples, fragments with
// control frames between them, and each kind of broken rule.
func diffSeeds() [][]byte {
	var seeds [][]byte
	for _, masked := range []bool{false, true} {
		key := [4]byte{}
		if masked {
			key = [4]byte{0x37, 0xfa, 0x21, 0x3d}
		}
		frame := func(fin bool, op Opcode, p string) []byte {
			return AppendFrame(nil, FrameHeader{Fin: fin, Opcode: op, Masked: masked, Key: key, Length: uint64(len(p))}, []byte(p))
		}
		join := func(frames ...[]byte) []byte { return bytes.Join(frames, nil) }
		seeds = append(seeds,
			join(frame(true, OpText, "Hello"), frame(true, OpBinary, string(make([]byte, 200))), frame(true, OpClose, "\x03\xe8bye")),
			join(frame(false, OpText, "Hel"), frame(true, OpPing, "p"), frame(true, OpContinuation, "lo"), frame(true, OpText, "again")),
			join(frame(true, OpText, "ok"), frame(true, OpText, "\xce\xba\xff")),                         // invalid UTF-8: 1007
			join(frame(true, OpBinary, string(make([]byte, 301)))),                                       // too big: 1009
			join(frame(true, OpText, "ok"), frame(true, OpContinuation, "lone")),                         // 1002
			join(frame(true, OpText, "ok"), []byte{0xf3, 0x7e, 0, 5}),                                    // RSV, reserved opcode, minimal length
			join(frame(true, OpText, "ok"), frame(true, OpText, "not fin")[:4]),                          // cut short: 1006
			join(frame(true, OpPing, "ping"), frame(true, OpPong, "pong"), frame(true, OpClose, "\x03")), // a 1-byte close payload
		)
		// Whole one-frame messages that only their header makes wrong:
		// the ones the fast paths must turn down.
		rsv1 := AppendFrame(nil, FrameHeader{Fin: true, Rsv: 4, Opcode: OpText, Masked: masked, Key: key, Length: 2}, []byte("hi"))
		long := AppendFrame(nil, FrameHeader{Fin: true, Opcode: OpBinary, Masked: masked, Key: key, Length: 5}, []byte("12345"))
		long = slices.Insert(long, 2, 0, 5)   // the length 5 in the 16-bit form
		long[1] = long[1]&bitMask | len16Flag // breaks §5.2's minimal length
		seeds = append(seeds,
			join(frame(true, OpText, "ok"), rsv1),
			join(frame(true, OpText, "ok"), long),
			join(frame(true, OpText, "ok"), frame(true, OpText, "\xed\xa0\x80")), // a surrogate: 1007
			// Messages larger than most of the read buffers tried:
			// ReadLoop reads them straight into its message buffer.
			join(frame(true, OpText, strings.Repeat("é", 120)), frame(true, OpBinary, strings.Repeat("b", 250))),
			join(frame(true, OpText, strings.Repeat("a", 150)+"\xff"+strings.Repeat("b", 100))), // 1007 in the middle
			join(frame(true, OpText, strings.Repeat("é", 100)+"\xc3")),                          // 1007 at the end
			join(frame(true, OpBinary, strings.Repeat("b", 250))[:150]),                         // cut short: 1006
		)
	}
	return seeds
}

// FuzzReadLoopVsReadMessage: the same stream, cut into reads of any size,
// in both roles, gives ReadLoop's in-place path and ReadMessage's general
// path (fast paths off) the same messages, the same error and the same
// frames sent back. On Unix the raw-socket loop is compared too (see
// checkRawLoop).
func FuzzReadLoopVsReadMessage(f *testing.F) {
	for i, s := range diffSeeds() {
		f.Add(s, byte(i*7), byte(i*13), i%2 == 1)
	}
	f.Fuzz(func(t *testing.T, data []byte, chunk, bufSize byte, server bool) {
		role := Client
		if server {
			role = Server
		}
		cfg := diffConfig(bufSize)
		n := int(chunk%32) + 1
		want := readGeneral(&fixedChunks{data, n}, role, cfg)
		got := readLoopPlain(&fixedChunks{data, n}, role, cfg)
		if d := sameOutcome(want, got, false); d != "" {
			t.Fatalf("%v, reads of %d bytes, buffer %d: %s", role, n, cfg.ReadBufferSize, d)
		}
		// Whole, the stream gives the fullest error; any chunking gives it
		// or an earlier form of it.
		whole := readGeneral(bytes.NewReader(data), role, cfg)
		if d := sameOutcome(whole, want, true); d != "" {
			t.Fatalf("%v, whole vs reads of %d bytes, buffer %d: %s", role, n, cfg.ReadBufferSize, d)
		}
		checkRawLoop(t, data, n, role, cfg, whole)
	})
}

// TestReadLoopVsReadMessageSeeds runs the differential comparison on every
// seed with every read size up to 32, so that a plain `go test` covers the
// comparison for each way a seed can be cut.
func TestReadLoopVsReadMessageSeeds(t *testing.T) {
	for i, data := range diffSeeds() {
		for _, role := range []Role{Server, Client} {
			cfg := diffConfig(byte(i * 31))
			whole := readGeneral(bytes.NewReader(data), role, cfg)
			if whole.err == nil {
				t.Fatalf("seed %d: the general path ended without an error", i)
			}
			for n := 1; n <= 32; n++ {
				want := readGeneral(&fixedChunks{data, n}, role, cfg)
				got := readLoopPlain(&fixedChunks{data, n}, role, cfg)
				if d := sameOutcome(want, got, false); d != "" {
					t.Fatalf("seed %d, %v, reads of %d bytes: %s", i, role, n, d)
				}
				if d := sameOutcome(whole, want, true); d != "" {
					t.Fatalf("seed %d, %v, whole vs reads of %d bytes: %s", i, role, n, d)
				}
			}
			checkRawLoop(t, data, 7, role, cfg, whole)
		}
	}
}
