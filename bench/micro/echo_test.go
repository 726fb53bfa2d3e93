package micro

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"testing"
	"unicode/utf8"

	"github.com/gobwas/ws"

	"wsplay/core"
)

// replayReader serves the same bytes forever: a client that keeps sending
// the same masked frame, with no socket in the way.
type replayReader struct {
	data []byte
	off  int
}

func (r *replayReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c := copy(p[n:], r.data[r.off:])
		n += c
		r.off = (r.off + c) % len(r.data)
	}
	return n, nil
}

type readWriter struct {
	io.Reader
	io.Writer
}

// clientFrame is one masked frame as a client sends it (RFC 6455 §5.3).
func clientFrame(op core.Opcode, payload []byte) []byte {
	key := [4]byte{0xa1, 0x07, 0x5c, 0xe3}
	wire := core.AppendFrameHeader(nil, core.FrameHeader{Fin: true, Opcode: op, Masked: true, Length: uint64(len(payload)), Key: key})
	start := len(wire)
	wire = append(wire, payload...)
	core.Mask(key, 0, wire[start:])
	return wire
}

// echoer answers one message; the three implementations below do the same
// work: read the header, read the payload, unmask it, check UTF-8 for text,
// write the unmasked reply frame.
type echoer interface{ echoOne() error }

// wsplayEcho is the loop of wsplay's /ws/echo on a server-role core.Conn.
type wsplayEcho struct {
	c   *core.Conn
	buf []byte
}

func newWsplayEcho(in io.Reader, out io.Writer) *wsplayEcho {
	return &wsplayEcho{c: core.NewConn(readWriter{in, out}, nil, core.Server, core.Config{})}
}

func (e *wsplayEcho) echoOne() error {
	op, msg, err := e.c.ReadMessage(e.buf[:0])
	if err != nil {
		return err
	}
	e.buf = msg
	return e.c.WriteMessage(op, msg)
}

// gobwasEcho is gobwas/ws's low-level API as its README shows it
// (ws.ReadHeader, io.ReadFull, ws.Cipher, ws.WriteHeader + Write), with the
// payload buffer reused and a bufio.Reader of wsplay's default size, so that
// both sides read from a buffer of the same size.
type gobwasEcho struct {
	br *bufio.Reader
	w  io.Writer
	// buffers uses ReadHeaderBuffer/WriteHeaderBuffer with caller-owned
	// header buffers, gobwas's allocation-free variant.
	buffers bool
	hbuf    [ws.MaxHeaderSize]byte
	buf     []byte
}

func newGobwasEcho(in io.Reader, out io.Writer, buffers bool) *gobwasEcho {
	return &gobwasEcho{br: bufio.NewReaderSize(in, core.DefaultBufferSize), w: out, buffers: buffers}
}

var errBadUTF8 = errors.New("text payload is not valid UTF-8 (RFC 6455 §8.1)")

func (e *gobwasEcho) echoOne() error {
	var h ws.Header
	var err error
	if e.buffers {
		h, err = ws.ReadHeaderBuffer(e.br, e.hbuf[:0:ws.MaxHeaderSize-2])
	} else {
		h, err = ws.ReadHeader(e.br)
	}
	if err != nil {
		return err
	}
	if int64(cap(e.buf)) < h.Length {
		e.buf = make([]byte, h.Length)
	}
	p := e.buf[:h.Length]
	if _, err := io.ReadFull(e.br, p); err != nil {
		return err
	}
	if h.Masked {
		ws.Cipher(p, h.Mask, 0)
	}
	if h.OpCode == ws.OpText && !utf8.Valid(p) {
		return errBadUTF8
	}
	h.Masked = false
	if e.buffers {
		err = ws.WriteHeaderBuffer(e.w, h, e.hbuf[:])
	} else {
		err = ws.WriteHeader(e.w, h)
	}
	if err != nil {
		return err
	}
	_, err = e.w.Write(p)
	return err
}

var echoImpls = []struct {
	name string
	new  func(in io.Reader, out io.Writer) echoer
}{
	{"wsplay", func(in io.Reader, out io.Writer) echoer { return newWsplayEcho(in, out) }},
	{"gobwas", func(in io.Reader, out io.Writer) echoer { return newGobwasEcho(in, out, false) }},
	{"gobwas-buffers", func(in io.Reader, out io.Writer) echoer { return newGobwasEcho(in, out, true) }},
}

var echoKinds = []struct {
	name string
	op   core.Opcode
}{{"text", core.OpText}, {"binary", core.OpBinary}}

// echoPayload is 16 bytes of ASCII, valid as text.
var echoPayload = []byte("wsplay echo 16B!")

// BenchmarkEcho16B is a server answering a 16-byte masked client message,
// in memory: the per-message cost of the protocol code alone.
func BenchmarkEcho16B(b *testing.B) {
	for _, kind := range echoKinds {
		wire := clientFrame(kind.op, echoPayload)
		for _, impl := range echoImpls {
			b.Run(kind.name+"/"+impl.name, func(b *testing.B) {
				e := impl.new(&replayReader{data: wire}, io.Discard)
				b.SetBytes(int64(len(echoPayload)))
				b.ReportAllocs()
				for b.Loop() {
					if err := e.echoOne(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// errEnough stops a ReadLoop once the benchmark has its b.N messages.
var errEnough = errors.New("enough messages")

// BenchmarkEchoLoop16B is the same work as BenchmarkEcho16B/*/wsplay,
// written as wsplay's /ws/echo is: a core.Conn.ReadLoop whose handler
// writes the reply. The loop holds the read side for its whole life, so a
// message costs no read lock (in memory it takes ReadLoop's plain path; on
// a socket the raw one, which the load benchmark measures).
func BenchmarkEchoLoop16B(b *testing.B) {
	for _, kind := range echoKinds {
		wire := clientFrame(kind.op, echoPayload)
		b.Run(kind.name+"/wsplay-loop", func(b *testing.B) {
			c := core.NewConn(readWriter{&replayReader{data: wire}, io.Discard}, nil, core.Server, core.Config{})
			b.SetBytes(int64(len(echoPayload)))
			b.ReportAllocs()
			b.ResetTimer()
			n := 0
			err := c.ReadLoop(func(op core.Opcode, msg []byte) error {
				if err := c.WriteMessage(op, msg); err != nil {
					return err
				}
				if n++; n >= b.N {
					return errEnough
				}
				return nil
			})
			if err != errEnough {
				b.Fatal(err)
			}
		})
	}
}

// TestEchoSameBytes checks that every implementation the benchmark compares
// writes the exact reply frame, several times in a row.
func TestEchoSameBytes(t *testing.T) {
	for _, kind := range echoKinds {
		want := core.AppendFrameHeader(nil, core.FrameHeader{Fin: true, Opcode: kind.op, Length: uint64(len(echoPayload))})
		want = append(want, echoPayload...)
		wire := clientFrame(kind.op, echoPayload)
		for _, impl := range echoImpls {
			var out bytes.Buffer
			e := impl.new(&replayReader{data: wire}, &out)
			for i := range 3 {
				out.Reset()
				if err := e.echoOne(); err != nil {
					t.Fatalf("%s/%s: message %d: %v", kind.name, impl.name, i, err)
				}
				if !bytes.Equal(out.Bytes(), want) {
					t.Fatalf("%s/%s: message %d: wrote % x, want % x", kind.name, impl.name, i, out.Bytes(), want)
				}
			}
		}
	}
}

// TestEchoRejectsBadText checks that the gobwas loop validates UTF-8 as
// wsplay does, so the text benchmark compares the same work.
func TestEchoRejectsBadText(t *testing.T) {
	wire := clientFrame(core.OpText, []byte{'a', 0xff, 'b'})
	for _, impl := range echoImpls {
		e := impl.new(bytes.NewReader(wire), io.Discard)
		if err := e.echoOne(); err == nil {
			t.Errorf("%s: echoed a text message with invalid UTF-8", impl.name)
		}
	}
}
