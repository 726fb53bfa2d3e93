package core

// A conformance suite in the spirit of the Autobahn|Testsuite fuzzing
// client: a server-role Conn runs an echo loop, the test plays the client
// with raw, hand-built frames, and every case checks strictly what comes
// back: the echoed messages, the exact close code, that nothing follows the
// frame that broke a rule, and that the server then ends the stream.
//
// The transport is net.Pipe, so the suite also runs under GOOS=js
// GOARCH=wasm. net.Pipe is synchronous: a write blocks until the other end
// reads. The harness therefore decodes the server's frames in a goroutine of
// its own, and every wait has a deadline, so a server that hangs fails the
// test instead of hanging it.
//
// Case numbers ("5.9", "7.3.2") refer to the Autobahn|Testsuite cases each
// test mirrors; the code here is written from the RFC, not copied.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"
)

// abTimeout bounds every wait of the harness. It is not a sleep: a correct
// server answers in microseconds; the bound only turns a hang into a
// failure, and is generous for the race detector and WebAssembly.
const abTimeout = 10 * time.Second

// abFrame is one frame the server sent, as the test decoded it.
type abFrame struct {
	h       FrameHeader
	payload []byte
	err     error // the read error that ended the stream (io.EOF when the server closed it)
}

// abPeer is the test's end of a connection to a server-role Conn.
type abPeer struct {
	t      *testing.T
	conn   net.Conn
	frames chan abFrame
	quit   chan struct{}

	srvExited chan struct{}
	srvErr    error // what the server's handler returned; valid once srvExited is closed
	gone      bool  // a write failed because the server closed the stream
}

// abEcho is the server of the suite: one of the echo loops below.
// conformance_tcp_test.go runs the suite with each.
var abEcho = abEchoMessages

// abEchoMessages echoes every message with the same opcode and payload
// until ReadMessage or WriteMessage fails.
func abEchoMessages(c *Conn) error {
	var buf []byte
	for {
		op, msg, err := c.ReadMessage(buf[:0])
		if err != nil {
			return err
		}
		if err := c.WriteMessage(op, msg); err != nil {
			return err
		}
		buf = msg
	}
}

// abTransport returns the two ends of a connection: the test's and the
// server's. net.Pipe by default; conformance_tcp_test.go runs the suite
// again over TCP.
var abTransport = abPipe

func abPipe(*testing.T) (client, server net.Conn) { return net.Pipe() }

// newABPeer starts handler on a server-role Conn over the server's end of
// an abTransport connection and returns the test's end.
func newABPeer(t *testing.T, cfg Config, handler func(*Conn) error) *abPeer {
	t.Helper()
	cl, sv := abTransport(t)
	p := &abPeer{
		t:         t,
		conn:      cl,
		frames:    make(chan abFrame, 64),
		quit:      make(chan struct{}),
		srvExited: make(chan struct{}),
	}
	c := NewConn(sv, nil, Server, cfg)
	go func() {
		defer close(p.srvExited)
		p.srvErr = handler(c)
	}()
	go p.readLoop()
	t.Cleanup(func() {
		close(p.quit)
		cl.Close()
		sv.Close()
		select {
		case <-p.srvExited:
		case <-time.After(abTimeout):
			t.Errorf("the server goroutine did not return")
		}
	})
	return p
}

// readLoop decodes the server's frames as a client does (FrameReader in the
// Client role, so a masked server frame is an error) and hands them over.
func (p *abPeer) readLoop() {
	fr := NewFrameReader(p.conn, Client, 0)
	for {
		h, err := fr.NextFrame()
		var payload []byte
		if err == nil {
			if h.Length > 64<<20 {
				err = fmt.Errorf("server announced a %d-byte frame", h.Length)
			} else {
				payload = make([]byte, h.Length)
				_, err = io.ReadFull(fr, payload)
			}
		}
		select {
		case p.frames <- abFrame{h, payload, err}:
		case <-p.quit:
			return
		}
		if err != nil {
			return
		}
	}
}

// write sends b in pieces of chunk bytes (all at once when chunk <= 0). Once
// the server has closed the stream the rest is dropped: whether the server
// behaved is judged by what it sent back, not by how far the test got.
func (p *abPeer) write(b []byte, chunk int) {
	p.t.Helper()
	if chunk <= 0 {
		chunk = len(b)
	}
	for len(b) > 0 && !p.gone {
		n := min(chunk, len(b))
		p.conn.SetWriteDeadline(time.Now().Add(abTimeout))
		if _, err := p.conn.Write(b[:n]); err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				p.t.Fatalf("writing to the server: %v (it stopped reading)", err)
			}
			// io.ErrClosedPipe on a pipe; EPIPE or ECONNRESET on TCP.
			p.gone = true
			return
		}
		b = b[n:]
	}
}

func (p *abPeer) send(frames ...[]byte) {
	p.t.Helper()
	for _, f := range frames {
		p.write(f, 0)
	}
}

// next returns the next frame the server sent, or fails the test after
// abTimeout.
func (p *abPeer) next(what string) abFrame {
	p.t.Helper()
	select {
	case f := <-p.frames:
		return f
	case <-time.After(abTimeout):
		p.t.Fatalf("no answer from the server within %v, waiting for %s", abTimeout, what)
		return abFrame{}
	}
}

// expectFrame reads one frame and checks it is a final, unmasked frame
// without RSV bits, with opcode op and exactly payload.
func (p *abPeer) expectFrame(op Opcode, payload []byte) {
	p.t.Helper()
	f := p.next(op.String() + " frame")
	if f.err != nil {
		p.t.Fatalf("want a %s frame (%d bytes), got error %v", op, len(payload), f.err)
	}
	p.checkFrame(f, true, op, payload)
}

func (p *abPeer) checkFrame(f abFrame, fin bool, op Opcode, payload []byte) {
	p.t.Helper()
	if f.h.Opcode != op || f.h.Fin != fin || f.h.Rsv != 0 || f.h.Masked {
		p.t.Fatalf("got frame fin=%v rsv=%d op=%s masked=%v (%d bytes %s), want fin=%v rsv=0 op=%s unmasked",
			f.h.Fin, f.h.Rsv, f.h.Opcode, f.h.Masked, len(f.payload), abShow(f.payload), fin, op)
	}
	if !bytes.Equal(f.payload, payload) {
		p.t.Fatalf("%s frame payload: got %d bytes %s, want %d bytes %s",
			op, len(f.payload), abShow(f.payload), len(payload), abShow(payload))
	}
}

// expectClose reads the server's close frame, checks its code (an empty
// body for StatusNoStatusReceived) and that its body is valid, then checks
// that nothing follows and the server closed the stream.
func (p *abPeer) expectClose(code StatusCode) {
	p.t.Helper()
	f := p.next("close frame")
	if f.err != nil {
		p.t.Fatalf("want a close frame with %v, got error %v", code, f.err)
	}
	if f.h.Opcode != OpClose || !f.h.Fin || f.h.Rsv != 0 || f.h.Masked {
		p.t.Fatalf("want a close frame with %v, got fin=%v op=%s (%d bytes %s)",
			code, f.h.Fin, f.h.Opcode, len(f.payload), abShow(f.payload))
	}
	got, _, err := ParseClosePayload(f.payload)
	if err != nil {
		p.t.Fatalf("the server's close frame is invalid (%v): %q", err, f.payload)
	}
	if got != code {
		p.t.Fatalf("close code: got %v, want %v (body %q)", got, code, f.payload)
	}
	p.expectEOF()
}

// expectEOF checks that the server sends nothing more and ends the stream.
func (p *abPeer) expectEOF() {
	p.t.Helper()
	f := p.next("the end of the stream")
	if f.err == nil {
		p.t.Fatalf("want the end of the stream, got another frame: op=%s fin=%v %d bytes %s",
			f.h.Opcode, f.h.Fin, len(f.payload), abShow(f.payload))
	}
	if f.err != io.EOF {
		p.t.Fatalf("want io.EOF, got %v", f.err)
	}
}

// serverErr waits for the server's handler to return and returns its error.
func (p *abPeer) serverErr() error {
	p.t.Helper()
	select {
	case <-p.srvExited:
		return p.srvErr
	case <-time.After(abTimeout):
		p.t.Fatalf("the server did not return within %v", abTimeout)
		return nil
	}
}

// expectFailed checks the end of a failed connection: close frame with code,
// end of stream, and a *ProtocolError with that code from ReadMessage.
func (p *abPeer) expectFailed(code StatusCode) {
	p.t.Helper()
	p.expectClose(code)
	var pe *ProtocolError
	if err := p.serverErr(); !errors.As(err, &pe) || pe.Code != code {
		p.t.Fatalf("server error: got %v (%T), want a *ProtocolError with %v", err, err, code)
	}
}

// expectPeerClosed checks the server's error after the test's close frame.
func (p *abPeer) expectPeerClosed(code StatusCode, reason string) {
	p.t.Helper()
	var ce *CloseError
	if err := p.serverErr(); !errors.As(err, &ce) || ce.Code != code || ce.Reason != reason {
		p.t.Fatalf("server error: got %v (%T), want a *CloseError with %v %q", err, err, code, reason)
	}
}

// closeNormally runs the closing handshake from the test's side: it also
// proves that the server sent nothing more than the case expected.
func (p *abPeer) closeNormally() {
	p.t.Helper()
	p.send(abClose(StatusNormalClosure, ""))
	p.expectClose(StatusNormalClosure)
	p.expectPeerClosed(StatusNormalClosure, "")
}

func abShow(b []byte) string {
	if len(b) > 40 {
		return fmt.Sprintf("%q...", b[:40])
	}
	return fmt.Sprintf("%q", b)
}

// abKeys varies the masking key from frame to frame, deterministically.
var abKeys atomic.Uint32

// abRaw builds a masked client frame with any header bits, reserved ones
// included.
func abRaw(fin bool, rsv byte, op Opcode, payload []byte) []byte {
	k := abKeys.Add(0x9E3779B9)
	h := FrameHeader{Fin: fin, Rsv: rsv, Opcode: op, Masked: true, Length: uint64(len(payload)),
		Key: [4]byte{byte(k), byte(k >> 8), byte(k >> 16), byte(k>>24) | 1}}
	return AppendFrame(make([]byte, 0, h.Size()+len(payload)), h, payload)
}

// abF builds a masked client frame.
func abF(fin bool, op Opcode, payload string) []byte { return abRaw(fin, 0, op, []byte(payload)) }

func abText(s string) []byte        { return abF(true, OpText, s) }
func abBinary(b []byte) []byte      { return abRaw(true, 0, OpBinary, b) }
func abPing(s string) []byte        { return abF(true, OpPing, s) }
func abPong(s string) []byte        { return abF(true, OpPong, s) }
func abCat(frames ...[]byte) []byte { return bytes.Join(frames, nil) }
func abRepeat(c byte, n int) []byte { return bytes.Repeat([]byte{c}, n) }
func abCloseBody(b []byte) []byte   { return abRaw(true, 0, OpClose, b) }
func abClose(code StatusCode, reason string) []byte {
	return abCloseBody(AppendClosePayload(nil, code, reason))
}

// abHeader builds only the header of a masked client frame that announces
// length bytes, with the key it announces.
func abHeader(fin bool, op Opcode, length uint64) ([]byte, [4]byte) {
	key := [4]byte{0x12, 0x34, 0x56, 0x78}
	return AppendFrameHeader(nil, FrameHeader{Fin: fin, Opcode: op, Masked: true, Length: length, Key: key}), key
}

// abMasked returns a masked copy of p, starting at key position pos.
func abMasked(key [4]byte, pos int, p []byte) []byte {
	b := bytes.Clone(p)
	Mask(key, pos, b)
	return b
}

// abWant is a frame the server must send back.
type abWant struct {
	op      Opcode
	payload []byte
}

func abEchoOf(op Opcode, payload string) abWant { return abWant{op, []byte(payload)} }

// abCase is one exchange: the test sends send (in pieces of chunk bytes),
// the server must answer with want, in order, then either fail the
// connection with fail, or, when fail is 0, complete a closing handshake
// that the test starts.
type abCase struct {
	id    string
	name  string
	cfg   Config
	send  []byte
	chunk int
	want  []abWant
	fail  StatusCode
}

func runABCases(t *testing.T, cases []abCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.id+" "+c.name, func(t *testing.T) {
			p := newABPeer(t, c.cfg, abEcho)
			p.write(c.send, c.chunk)
			for _, w := range c.want {
				p.expectFrame(w.op, w.payload)
			}
			if c.fail != 0 {
				p.expectFailed(c.fail)
			} else {
				p.closeNormally()
			}
		})
	}
}

// Category 1: framing. Text and binary messages of the lengths around the
// 7-bit, 16-bit and 64-bit length encodings, sent in one write and one byte
// per write: the server must decode the same frames whatever the chunking.
func TestAutobahn1Framing(t *testing.T) {
	sizes := []int{0, 125, 126, 127, 128, 65535, 65536}
	var cases []abCase
	for i, op := range []Opcode{OpText, OpBinary} {
		for j, n := range sizes {
			payload := make([]byte, n)
			for k := range payload {
				if op == OpText {
					payload[k] = '*'
				} else {
					payload[k] = byte(k) // 0xFE and 0xFF too: binary is not UTF-8
				}
			}
			for _, chunk := range []int{0, 1} {
				if chunk == 1 && n >= 65535 && abRace && (n == 65535 || op == OpBinary) {
					continue // text 65536 covers the 64-bit length a byte at a time
				}
				how := "one write"
				if chunk == 1 {
					how = "1 byte per write"
				}
				cases = append(cases, abCase{
					id:    fmt.Sprintf("1.%d.%d", i+1, j+1),
					name:  fmt.Sprintf("%s %d bytes, %s", op, n, how),
					send:  abRaw(true, 0, op, payload),
					chunk: chunk,
					want:  []abWant{{op, payload}},
				})
			}
		}
	}
	runABCases(t, cases)
}

// Category 2: pings and pongs (§5.5.2, §5.5.3).
func TestAutobahn2PingPong(t *testing.T) {
	bin := []byte{0x00, 0xFF, 0xFE, 0xFD, 0xFC, 0xFB, 0x00, 0xFF}
	var tenPings [][]byte
	var tenPongs []abWant
	for i := range 10 {
		s := fmt.Sprintf("payload-%d", i)
		tenPings = append(tenPings, abPing(s))
		tenPongs = append(tenPongs, abEchoOf(OpPong, s))
	}
	runABCases(t, []abCase{
		{id: "2.1", name: "ping without payload", send: abPing(""), want: []abWant{abEchoOf(OpPong, "")}},
		{id: "2.2", name: "ping with text payload", send: abPing("Hello, world!"), want: []abWant{abEchoOf(OpPong, "Hello, world!")}},
		{id: "2.3", name: "ping with binary payload", send: abRaw(true, 0, OpPing, bin), want: []abWant{{OpPong, bin}}},
		{id: "2.4", name: "ping with 125-byte payload", send: abRaw(true, 0, OpPing, abRepeat(0xFE, 125)), want: []abWant{{OpPong, abRepeat(0xFE, 125)}}},
		{id: "2.5", name: "ping with 126-byte payload", send: abCat(abRaw(true, 0, OpPing, abRepeat(0xFE, 126)), abPing("after")), fail: StatusProtocolError},
		{id: "2.6", name: "ping with 125-byte payload, 1 byte per write", send: abRaw(true, 0, OpPing, abRepeat(0xFE, 125)), chunk: 1, want: []abWant{{OpPong, abRepeat(0xFE, 125)}}},
		{id: "2.7", name: "unsolicited pong without payload is ignored", send: abPong("")},
		{id: "2.8", name: "unsolicited pong with payload is ignored", send: abPong("unsolicited pong payload")},
		{id: "2.9", name: "unsolicited pong, then ping", send: abCat(abPong("unsolicited pong payload"), abPing("ping payload")), want: []abWant{abEchoOf(OpPong, "ping payload")}},
		{id: "2.10", name: "10 pings answered in order", send: abCat(tenPings...), want: tenPongs},
		{id: "2.11", name: "10 pings, 1 byte per write", send: abCat(tenPings...), chunk: 1, want: tenPongs},
		{id: "5.1", name: "fragmented ping", send: abCat(abF(false, OpPing, "fragment1"), abF(true, OpContinuation, "fragment2")), fail: StatusProtocolError},
		{id: "5.2", name: "fragmented pong", send: abCat(abF(false, OpPong, "fragment1"), abF(true, OpContinuation, "fragment2")), fail: StatusProtocolError},
	})
}

// Category 3: reserved bits (§5.2). A valid message before the bad frame is
// echoed; the bad frame and the ping after it get no answer but 1002.
func TestAutobahn3ReservedBits(t *testing.T) {
	var cases []abCase
	bad := []struct {
		id  string
		rsv byte
		op  Opcode
		p   []byte
	}{
		{"3.1", 0x4, OpText, []byte("Hello, world!")},
		{"3.2", 0x2, OpText, []byte("Hello, world!")},
		{"3.3", 0x6, OpText, []byte("Hello, world!")},
		{"3.4", 0x1, OpText, []byte("Hello, world!")},
		{"3.5", 0x5, OpBinary, []byte{0xFF, 0xFE, 0x00}},
		{"3.6", 0x3, OpPing, []byte("Hello, world!")},
		{"3.7", 0x7, OpClose, AppendClosePayload(nil, StatusNormalClosure, "")},
	}
	for _, b := range bad {
		for _, chunk := range []int{0, 1} {
			cases = append(cases, abCase{
				id:    b.id,
				name:  fmt.Sprintf("%s with RSV %03b after a valid message, chunk %d", b.op, b.rsv, chunk),
				send:  abCat(abText("before"), abRaw(true, b.rsv, b.op, b.p), abPing("after")),
				chunk: chunk,
				want:  []abWant{abEchoOf(OpText, "before")},
				fail:  StatusProtocolError,
			})
		}
	}
	cases = append(cases, abCase{id: "3.1", name: "RSV1 text as the first frame",
		send: abRaw(true, 0x4, OpText, []byte("Hello")), fail: StatusProtocolError})
	runABCases(t, cases)
}

// Category 4: reserved opcodes (§5.2), data 0x3-0x7 and control 0xB-0xF.
func TestAutobahn4Opcodes(t *testing.T) {
	var cases []abCase
	for _, op := range []Opcode{3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF} {
		id := fmt.Sprintf("4.1.%d", op-2)
		if op.IsControl() {
			id = fmt.Sprintf("4.2.%d", op-0xA)
		}
		cases = append(cases,
			abCase{id: id, name: fmt.Sprintf("opcode 0x%X alone", byte(op)),
				send: abRaw(true, 0, op, nil), fail: StatusProtocolError},
			abCase{id: id, name: fmt.Sprintf("opcode 0x%X with payload between a text and a ping", byte(op)),
				send: abCat(abText("Hello"), abRaw(true, 0, op, []byte("reserved payload")), abPing("")),
				want: []abWant{abEchoOf(OpText, "Hello")}, fail: StatusProtocolError},
		)
	}
	runABCases(t, cases)
}

// Category 5: fragmentation (§5.4).
func TestAutobahn5Fragmentation(t *testing.T) {
	twoFragments := abCat(abF(false, OpText, "fragment1"), abF(true, OpContinuation, "fragment2"))
	withPing := abCat(abF(false, OpText, "fragment1"), abPing("pongme!"), abF(true, OpContinuation, "fragment2"))
	fiveWithPings := abCat(
		abF(false, OpText, "fragment1"), abF(false, OpContinuation, "fragment2"), abPing("pongme 1!"),
		abF(false, OpContinuation, "fragment3"), abF(false, OpContinuation, "fragment4"), abPing("pongme 2!"),
		abF(true, OpContinuation, "fragment5"))
	lone := abCat(abF(true, OpContinuation, "non-continuation payload"), abText("Hello, world!"))
	loneOpen := abCat(abF(false, OpContinuation, "non-continuation payload"), abText("Hello, world!"))
	runABCases(t, []abCase{
		{id: "5.3", name: "text in 2 fragments", send: twoFragments, want: []abWant{abEchoOf(OpText, "fragment1fragment2")}},
		{id: "5.4", name: "text in 2 fragments, 1 byte per write", send: twoFragments, chunk: 1, want: []abWant{abEchoOf(OpText, "fragment1fragment2")}},
		{id: "5.6", name: "ping between fragments is answered first", send: withPing,
			want: []abWant{abEchoOf(OpPong, "pongme!"), abEchoOf(OpText, "fragment1fragment2")}},
		{id: "5.7", name: "ping between fragments, 1 byte per write", send: withPing, chunk: 1,
			want: []abWant{abEchoOf(OpPong, "pongme!"), abEchoOf(OpText, "fragment1fragment2")}},
		{id: "5.8", name: "binary in 3 fragments", send: abCat(abRaw(false, 0, OpBinary, []byte{0xFF}), abRaw(false, 0, OpContinuation, []byte{0xFE, 0}), abRaw(true, 0, OpContinuation, []byte{1})),
			want: []abWant{{OpBinary, []byte{0xFF, 0xFE, 0, 1}}}},
		{id: "5.9", name: "continuation (FIN 1) without a start", send: lone, fail: StatusProtocolError},
		{id: "5.10", name: "continuation (FIN 1) without a start, 1 byte per write", send: lone, chunk: 1, fail: StatusProtocolError},
		{id: "5.12", name: "continuation (FIN 0) without a start", send: loneOpen, fail: StatusProtocolError},
		{id: "5.15", name: "a message, then a continuation without a start",
			send: abCat(abF(false, OpText, "fragment1"), abF(true, OpContinuation, "fragment2"), abF(false, OpContinuation, "fragment3"), abF(true, OpText, "fragment4")),
			want: []abWant{abEchoOf(OpText, "fragment1fragment2")}, fail: StatusProtocolError},
		{id: "5.16", name: "continuation, text, continuation",
			send: abCat(abF(false, OpContinuation, "fragment1"), abF(false, OpText, "fragment2"), abF(true, OpContinuation, "fragment3")),
			fail: StatusProtocolError},
		{id: "5.18", name: "new text frame while a fragmented message is in progress",
			send: abCat(abF(false, OpText, "fragment1"), abF(true, OpText, "fragment2")), fail: StatusProtocolError},
		{id: "5.18", name: "new binary frame while a fragmented text is in progress",
			send: abCat(abF(false, OpText, "fragment1"), abF(true, OpBinary, "fragment2")), fail: StatusProtocolError},
		{id: "5.19", name: "5 fragments with 2 pings between them", send: fiveWithPings,
			want: []abWant{abEchoOf(OpPong, "pongme 1!"), abEchoOf(OpPong, "pongme 2!"), abEchoOf(OpText, "fragment1fragment2fragment3fragment4fragment5")}},
		{id: "5.20", name: "5 fragments with 2 pings, 1 byte per write", send: fiveWithPings, chunk: 1,
			want: []abWant{abEchoOf(OpPong, "pongme 1!"), abEchoOf(OpPong, "pongme 2!"), abEchoOf(OpText, "fragment1fragment2fragment3fragment4fragment5")}},
		{id: "5.x", name: "fragmented ping between data fragments",
			send: abCat(abF(false, OpText, "fragment1"), abF(false, OpPing, "ping"), abF(true, OpContinuation, "fragment2")), fail: StatusProtocolError},
		{id: "6.1.2", name: "text of 3 empty fragments",
			send: abCat(abF(false, OpText, ""), abF(false, OpContinuation, ""), abF(true, OpContinuation, "")), want: []abWant{abEchoOf(OpText, "")}},
		{id: "6.1.3", name: "text of empty, non-empty and empty fragments",
			send: abCat(abF(false, OpText, ""), abF(false, OpContinuation, "middle frame payload"), abF(true, OpContinuation, "")),
			want: []abWant{abEchoOf(OpText, "middle frame payload")}},
		{id: "6.1.x", name: "binary of 2 empty fragments",
			send: abCat(abF(false, OpBinary, ""), abF(true, OpContinuation, "")), want: []abWant{abEchoOf(OpBinary, "")}},
		{id: "5.x", name: "two fragmented messages in a row",
			send: abCat(twoFragments, abF(false, OpBinary, "a"), abF(true, OpContinuation, "b")),
			want: []abWant{abEchoOf(OpText, "fragment1fragment2"), abEchoOf(OpBinary, "ab")}},
	})
}

// Category 6: UTF-8 (§8.1). Each vector is sent as one frame, as one frame
// written a byte at a time, and as one fragment per byte, so code points
// split between reads and between fragments are covered.
func TestAutobahn6UTF8(t *testing.T) {
	vectors := []struct {
		id    string
		name  string
		text  string
		valid bool
	}{
		{"6.2.1", "Latin-1 letters", "Hello-µ@ßöäüàá-UTF-8!!", true},
		{"6.5.1", "Greek kosme", "κόσμε", true},
		{"6.5.x", "CJK and emoji", "日本語 🎉 𝄞", true},
		{"6.7.1", "U+0000", "\x00", true},
		{"6.7.2", "U+0080", "\xc2\x80", true},
		{"6.7.3", "U+0800", "\xe0\xa0\x80", true},
		{"6.7.4", "U+10000", "\xf0\x90\x80\x80", true},
		{"6.9.1", "U+007F", "\x7f", true},
		{"6.9.2", "U+07FF", "\xdf\xbf", true},
		{"6.9.3", "U+FFFF", "\xef\xbf\xbf", true},
		{"6.9.4", "U+10FFFF", "\xf4\x8f\xbf\xbf", true},
		{"6.11.1", "U+D7FF", "\xed\x9f\xbf", true},
		{"6.11.2", "U+E000", "\xee\x80\x80", true},
		{"6.11.3", "U+FFFD", "\xef\xbf\xbd", true},
		{"6.22.1", "noncharacter U+FFFE", "\xef\xbf\xbe", true},
		{"6.22.x", "noncharacter U+1FFFF", "\xf0\x9f\xbf\xbf", true},

		{"6.3.1", "kosme with a surrogate inside", "κόσμε\xed\xa0\x80edited", false},
		{"6.8.1", "5-byte sequence", "\xf8\x88\x80\x80\x80", false},
		{"6.8.2", "6-byte sequence", "\xfc\x84\x80\x80\x80\x80", false},
		{"6.10.1", "U+110000, above U+10FFFF", "\xf4\x90\x80\x80", false},
		{"6.10.2", "U+1FFFFF", "\xf7\xbf\xbf\xbf", false},
		{"6.12.1", "lone continuation 0x80", "\x80", false},
		{"6.12.2", "lone continuation 0xBF", "\xbf", false},
		{"6.12.3", "two continuation bytes", "a\x80\xbf", false},
		{"6.13.1", "lonely 2-byte start", "\xc0 ", false},
		{"6.13.2", "lonely 3-byte start", "\xe1 ", false},
		{"6.13.3", "lonely 4-byte start", "\xf1 ", false},
		{"6.14.1", "2-byte sequence truncated at the end", "ab\xdf", false},
		{"6.14.2", "3-byte sequence truncated at the end", "ab\xe1\x80", false},
		{"6.14.3", "4-byte sequence truncated at the end", "ab\xf1\x80\x80", false},
		{"6.16.1", "byte 0xFE", "\xfe", false},
		{"6.16.2", "byte 0xFF", "\xff", false},
		{"6.16.3", "bytes FE FE FF FF", "\xfe\xfe\xff\xff", false},
		{"6.17.1", "overlong '/' in 2 bytes", "\xc0\xaf", false},
		{"6.17.2", "overlong '/' in 3 bytes", "\xe0\x80\xaf", false},
		{"6.17.3", "overlong '/' in 4 bytes", "\xf0\x80\x80\xaf", false},
		{"6.17.4", "maximum overlong 2 bytes", "\xc1\xbf", false},
		{"6.17.5", "maximum overlong 3 bytes", "\xe0\x9f\xbf", false},
		{"6.17.6", "maximum overlong 4 bytes", "\xf0\x8f\xbf\xbf", false},
		{"6.17.7", "overlong NUL", "\xc0\x80", false},
		{"6.18.1", "surrogate U+D800", "\xed\xa0\x80", false},
		{"6.18.2", "surrogate U+DB7F", "\xed\xad\xbf", false},
		{"6.18.3", "surrogate U+DB80", "\xed\xae\x80", false},
		{"6.18.4", "surrogate U+DFFF", "\xed\xbf\xbf", false},
		{"6.19.1", "surrogate pair U+D800 U+DC00", "\xed\xa0\x80\xed\xb0\x80", false},
	}
	var cases []abCase
	for _, v := range vectors {
		if utf8.ValidString(v.text) != v.valid {
			t.Fatalf("vector %s %q: the table says valid=%v, the standard library disagrees", v.id, v.text, v.valid)
		}
		perByte := [][]byte{}
		for i := range len(v.text) {
			op := OpContinuation
			if i == 0 {
				op = OpText
			}
			perByte = append(perByte, abF(i == len(v.text)-1, op, v.text[i:i+1]))
		}
		modes := []struct {
			how   string
			send  []byte
			chunk int
		}{
			{"one frame", abText(v.text), 0},
			{"one frame, 1 byte per write", abText(v.text), 1},
			{"one fragment per byte", abCat(perByte...), 0},
		}
		for _, m := range modes {
			c := abCase{id: v.id, name: v.name + ", " + m.how, send: m.send, chunk: m.chunk}
			if v.valid {
				c.want = []abWant{abEchoOf(OpText, v.text)}
			} else {
				c.fail = StatusInvalidPayload
			}
			cases = append(cases, c)
		}
	}
	// 6.2.2: fragments cut at code point boundaries; 6.2.4 cuts inside them.
	s := "Hello-µ@ßöäüàá-UTF-8!!"
	cases = append(cases,
		abCase{id: "6.2.2", name: "fragments cut at code point boundaries",
			send: abCat(abF(false, OpText, s[:8]), abF(true, OpContinuation, s[8:])), want: []abWant{abEchoOf(OpText, s)}},
		abCase{id: "6.2.x", name: "a code point split across two fragments",
			send: abCat(abF(false, OpText, "κ\xcf"), abF(true, OpContinuation, "\x8c")), want: []abWant{abEchoOf(OpText, "κό")}},
		abCase{id: "6.2.x", name: "a 4-byte code point split across three fragments",
			send: abCat(abF(false, OpText, "\xf0"), abF(false, OpContinuation, "\x9f\x8e"), abF(true, OpContinuation, "\x89")), want: []abWant{abEchoOf(OpText, "🎉")}},
		abCase{id: "6.3.x", name: "valid text message, then an invalid one",
			send: abCat(abText("ok"), abText("\xff"), abText("not echoed")), want: []abWant{abEchoOf(OpText, "ok")}, fail: StatusInvalidPayload},
		abCase{id: "6.x", name: "binary is not checked for UTF-8",
			send: abBinary([]byte("\xff\xfe\xed\xa0\x80")), want: []abWant{abEchoOf(OpBinary, "\xff\xfe\xed\xa0\x80")}},
	)
	runABCases(t, cases)
}

// Category 6.4: fail fast on invalid UTF-8 (§8.1). The test sends the
// message only up to the invalid bytes and never sends the rest: the close
// frame with 1007 must arrive anyway, within the harness deadline.
func TestAutobahn6FailFast(t *testing.T) {
	const kosme = "κόσμε"
	t.Run("6.4.1 invalid code point in the second of three fragments", func(t *testing.T) {
		p := newABPeer(t, Config{}, abEcho)
		p.send(abF(false, OpText, kosme), abF(false, OpContinuation, "\xf4\x90\x80\x80"))
		p.expectFailed(StatusInvalidPayload) // the third fragment is never sent
	})
	t.Run("6.4.2 invalid second byte at the end of a fragment", func(t *testing.T) {
		p := newABPeer(t, Config{}, abEcho)
		p.send(abF(false, OpText, kosme+"\xf4"), abF(false, OpContinuation, "\x90"))
		p.expectFailed(StatusInvalidPayload)
	})
	t.Run("6.4.3 invalid code point inside a frame whose end is never sent", func(t *testing.T) {
		p := newABPeer(t, Config{}, abEcho)
		full := []byte(kosme + "\xf4\x90\x80\x80" + "edited")
		hdr, key := abHeader(true, OpText, uint64(len(full)))
		p.send(hdr, abMasked(key, 0, full[:len(kosme)]))
		p.send(abMasked(key, len(kosme), full[len(kosme):len(kosme)+4]))
		p.expectFailed(StatusInvalidPayload)
	})
	t.Run("6.4.4 the first two bytes of an invalid code point", func(t *testing.T) {
		p := newABPeer(t, Config{}, abEcho)
		full := []byte(kosme + "\xf4\x90\x80\x80" + "edited")
		hdr, key := abHeader(true, OpText, uint64(len(full)))
		p.send(hdr, abMasked(key, 0, full[:len(kosme)+2]))
		p.expectFailed(StatusInvalidPayload)
	})
	t.Run("6.4.x invalid first byte of a 1 MiB frame", func(t *testing.T) {
		p := newABPeer(t, Config{}, abEcho)
		hdr, key := abHeader(true, OpText, 1<<20)
		p.send(hdr, abMasked(key, 0, []byte("\xff")))
		p.expectFailed(StatusInvalidPayload)
	})
	t.Run("6.4.x valid start of a frame is not rejected early", func(t *testing.T) {
		// The other side of fail-fast: a valid prefix that ends inside a
		// code point must wait for the rest, not be rejected.
		p := newABPeer(t, Config{}, abEcho)
		full := []byte(kosme + "🎉")
		hdr, key := abHeader(true, OpText, uint64(len(full)))
		p.send(hdr, abMasked(key, 0, full[:len(full)-2]))
		p.send(abMasked(key, len(full)-2, full[len(full)-2:]))
		p.expectFrame(OpText, full)
		p.closeNormally()
	})
}

// Category 7: the closing handshake (§5.5.1, §7).
func TestAutobahn7Close(t *testing.T) {
	type closeCase struct {
		id, name string
		send     []byte
		want     []abWant
		reply    StatusCode // the close code the server must send
		reason   string     // the reason the server reports in its *CloseError
		fail     bool       // the server fails the connection (reply is the failure code)
	}
	cases := []closeCase{
		{id: "7.1.1", name: "text, then close", send: abCat(abText("Hello World!"), abClose(1000, "")),
			want: []abWant{abEchoOf(OpText, "Hello World!")}, reply: 1000},
		{id: "7.1.2", name: "close twice", send: abCat(abClose(1000, ""), abClose(1000, "")), reply: 1000},
		{id: "7.1.3", name: "ping after close is not answered", send: abCat(abClose(1000, ""), abPing("Hello World!")), reply: 1000},
		{id: "7.1.4", name: "text after close is not echoed", send: abCat(abClose(1000, ""), abText("Hello World!")), reply: 1000},
		{id: "7.1.5", name: "close between fragments",
			send: abCat(abF(false, OpText, "fragment1"), abClose(1000, ""), abF(true, OpContinuation, "fragment2")), reply: 1000},
		{id: "7.1.6", name: "large text, then close",
			send: abCat(abText(strings.Repeat("BAsd7&jh23", 26214)), abClose(1000, "")),
			want: []abWant{abEchoOf(OpText, strings.Repeat("BAsd7&jh23", 26214))}, reply: 1000},
		{id: "7.3.1", name: "empty close body is answered with an empty body", send: abCloseBody(nil), reply: StatusNoStatusReceived},
		{id: "7.3.2", name: "close with a 1-byte body", send: abCloseBody([]byte{0x03}), reply: StatusProtocolError, fail: true},
		{id: "7.3.3", name: "close 1000 without reason", send: abClose(1000, ""), reply: 1000},
		{id: "7.3.4", name: "close 1000 with reason", send: abClose(1000, "Hello World!"), reply: 1000, reason: "Hello World!"},
		{id: "7.3.5", name: "close 1000 with a 123-byte reason", send: abClose(1000, strings.Repeat("*", 123)), reply: 1000, reason: strings.Repeat("*", 123)},
		{id: "7.3.6", name: "close with a 126-byte body", send: abClose(1000, strings.Repeat("*", 124)), reply: StatusProtocolError, fail: true},
		{id: "7.5.1", name: "close reason with invalid UTF-8", send: abClose(1000, "κόσμε\xed\xa0\x80edited"), reply: StatusInvalidPayload, fail: true},
		{id: "7.5.x", name: "close reason with a truncated code point", send: abClose(1000, "κ\xcf"), reply: StatusInvalidPayload, fail: true},
	}
	for i, code := range []StatusCode{1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999} {
		cases = append(cases, closeCase{id: fmt.Sprintf("7.7.%d", i+1), name: fmt.Sprintf("valid code %d is echoed", code),
			send: abClose(code, ""), reply: code})
	}
	// 1012-1014 come from the IANA registry, not from RFC 6455; the core
	// accepts them on purpose (StatusCode.ValidOnWire).
	for _, code := range []StatusCode{1012, 1013, 1014} {
		cases = append(cases, closeCase{id: "7.7.x", name: fmt.Sprintf("registered code %d is echoed", code),
			send: abClose(code, ""), reply: code})
	}
	for i, code := range []int{0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535} {
		cases = append(cases, closeCase{id: fmt.Sprintf("7.9.%d", i+1), name: fmt.Sprintf("invalid code %d", code),
			send: abCat(abCloseBody([]byte{byte(code >> 8), byte(code)}), abText("not echoed")), reply: StatusProtocolError, fail: true})
	}
	for _, c := range cases {
		t.Run(c.id+" "+c.name, func(t *testing.T) {
			p := newABPeer(t, Config{}, abEcho)
			p.send(c.send)
			for _, w := range c.want {
				p.expectFrame(w.op, w.payload)
			}
			if c.fail {
				p.expectFailed(c.reply)
				return
			}
			p.expectClose(c.reply)
			p.expectPeerClosed(c.reply, c.reason)
		})
	}
}

// abLargeText returns valid UTF-8 of about n bytes with multi-byte code
// points, so 64 KiB fragments cut some of them in two.
func abLargeText(n int) []byte {
	const unit = "Hello-µ@ßöäüàá-UTF-8!! κόσμε 🎉 "
	b := bytes.Repeat([]byte(unit), n/len(unit)+1)
	b = b[:n]
	for !utf8.RuneStart(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b[:len(b)-1]
}

// abFragments splits payload into frames of size bytes.
func abFragments(op Opcode, payload []byte, size int) []byte {
	var out []byte
	for first := true; first || len(payload) > 0; first = false {
		n := min(size, len(payload))
		fop := OpContinuation
		if first {
			fop = op
		}
		out = append(out, abRaw(n == len(payload), 0, fop, payload[:n])...)
		payload = payload[n:]
	}
	return out
}

// Category 9: large messages, and the size limit (§7.4.1, 1009).
func TestAutobahn9Large(t *testing.T) {
	sizes := []int{1 << 20, 4 << 20, 16 << 20}
	if testing.Short() {
		sizes = sizes[:1]
	}
	for i, op := range []Opcode{OpText, OpBinary} {
		for j, n := range sizes {
			for k, frag := range []int{0, 64 << 10} {
				how := "one frame"
				if frag > 0 {
					how = "64 KiB fragments"
				}
				t.Run(fmt.Sprintf("9.%d.%d %s %d MiB, %s", i+1+2*k, j+1, op, n>>20, how), func(t *testing.T) {
					if abRace && n > 1<<20 && (frag != 0 || n > 4<<20 || op != OpText) {
						// The race detector makes every byte cost ten
						// times more, and big payloads add nothing to
						// what it looks for: keep a few of them.
						t.Skip("trimmed under the race detector")
					}
					var payload []byte
					if op == OpText {
						payload = abLargeText(n)
					} else {
						var unit [251]byte // a prime length, so the pattern does not align with the mask
						for b := range unit {
							unit[b] = byte(255 - b)
						}
						payload = bytes.Repeat(unit[:], n/len(unit)+1)[:n]
					}
					send := abRaw(true, 0, op, payload)
					if frag > 0 {
						send = abFragments(op, payload, frag)
					}
					p := newABPeer(t, Config{}, abEcho)
					p.send(send)
					p.expectFrame(op, payload)
					p.closeNormally()
				})
			}
		}
	}

	limit := Config{MaxMessageSize: 1024}
	t.Run("9.x message at the limit is accepted", func(t *testing.T) {
		p := newABPeer(t, limit, abEcho)
		p.send(abBinary(abRepeat('x', 1024)))
		p.expectFrame(OpBinary, abRepeat('x', 1024))
		p.closeNormally()
	})
	t.Run("9.x header over the limit fails with 1009 before the payload", func(t *testing.T) {
		p := newABPeer(t, limit, abEcho)
		hdr, _ := abHeader(true, OpText, 1025)
		p.send(hdr) // the payload is never sent
		p.expectFailed(StatusMessageTooBig)
	})
	t.Run("9.x fragments that add up to more than the limit", func(t *testing.T) {
		p := newABPeer(t, limit, abEcho)
		hdr, _ := abHeader(true, OpContinuation, 25)
		p.send(abRaw(false, 0, OpBinary, abRepeat('x', 1000)), hdr)
		p.expectFailed(StatusMessageTooBig)
	})
	t.Run("9.x header announcing 2^63-1 bytes fails with 1009", func(t *testing.T) {
		p := newABPeer(t, Config{}, abEcho)
		hdr, _ := abHeader(true, OpBinary, math.MaxInt64)
		p.send(hdr)
		p.expectFailed(StatusMessageTooBig)
	})
	t.Run("9.x 2^63-1 bytes under a limit that allows them allocates as bytes arrive", func(t *testing.T) {
		// With no limit in the way, the server must still not allocate
		// what the header announces: it grows its buffer as bytes arrive.
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		p := newABPeer(t, Config{MaxMessageSize: math.MaxInt64}, abEcho)
		hdr, key := abHeader(true, OpBinary, math.MaxInt64)
		p.send(hdr, abMasked(key, 0, abRepeat('x', 100)))
		p.conn.Close() // the end of the stream without a close frame
		var ce *CloseError
		if err := p.serverErr(); !errors.As(err, &ce) || ce.Code != StatusAbnormalClosure {
			t.Fatalf("server error: got %v, want a *CloseError with 1006", err)
		}
		runtime.ReadMemStats(&after)
		if d := after.TotalAlloc - before.TotalAlloc; d > 32<<20 {
			t.Fatalf("the server allocated %d bytes for a 100-byte payload", d)
		}
	})
}

// Category 10: the server's own fragmentation. The handler echoes with
// WriteFragmented; the test checks the frames one by one.
func TestAutobahn10AutoFragmentation(t *testing.T) {
	cases := []struct {
		id    string
		n     int
		size  int
		op    Opcode
		sizes []int // payload length of each frame
	}{
		{"10.1.1", 65536, 1300, OpText, nil}, // computed below
		{"10.x", 0, 100, OpText, []int{0}},
		{"10.x", 1, 100, OpBinary, []int{1}},
		{"10.x", 100, 100, OpBinary, []int{100}},
		{"10.x", 101, 100, OpText, []int{100, 1}},
		{"10.x", 300, 100, OpBinary, []int{100, 100, 100}},
		{"10.x", 5, 1, OpText, []int{1, 1, 1, 1, 1}},
		{"10.x", 1000, 0, OpBinary, []int{1000}},
		{"10.x", 1000, -1, OpBinary, []int{1000}},
	}
	for i := 0; i < 65536; i += 1300 {
		cases[0].sizes = append(cases[0].sizes, min(1300, 65536-i))
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s %s %d bytes in frames of %d", c.id, c.op, c.n, c.size), func(t *testing.T) {
			p := newABPeer(t, Config{}, func(conn *Conn) error {
				var buf []byte
				for {
					op, msg, err := conn.ReadMessage(buf[:0])
					if err != nil {
						return err
					}
					if err := conn.WriteFragmented(op, msg, c.size); err != nil {
						return err
					}
					buf = msg
				}
			})
			payload := abRepeat('*', c.n)
			p.send(abRaw(true, 0, c.op, payload))
			var got []byte
			for i, size := range c.sizes {
				f := p.next(fmt.Sprintf("frame %d", i))
				if f.err != nil {
					t.Fatalf("frame %d: %v", i, f.err)
				}
				op := OpContinuation
				if i == 0 {
					op = c.op
				}
				if len(f.payload) != size {
					t.Fatalf("frame %d: %d bytes, want %d", i, len(f.payload), size)
				}
				p.checkFrame(f, i == len(c.sizes)-1, op, f.payload)
				got = append(got, f.payload...)
			}
			if !bytes.Equal(got, payload) {
				t.Fatalf("the fragments do not add up to the message")
			}
			p.closeNormally()
		})
	}
}

// Header rules the Autobahn client never breaks, since it always frames
// correctly, but a hand-built frame can (§5.1, §5.2).
func TestConformanceHeaderRules(t *testing.T) {
	key := []byte{0x01, 0x02, 0x03, 0x04}
	unmasked := AppendFrameHeader(nil, FrameHeader{Fin: true, Opcode: OpText, Length: 5})
	unmasked = append(unmasked, "hello"...)
	// "hello" with its length in 16 bits although it fits in 7.
	long16 := append([]byte{0x81, 0x80 | 126, 0x00, 0x05}, key...)
	long16 = append(long16, abMasked([4]byte(key), 0, []byte("hello"))...)
	// A 0x10000-byte length in 64 bits is minimal; 5 in 64 bits is not.
	long64 := append([]byte{0x82, 0x80 | 127, 0, 0, 0, 0, 0, 0, 0, 5}, key...)
	long64 = append(long64, abMasked([4]byte(key), 0, []byte("hello"))...)
	topBit := append([]byte{0x82, 0x80 | 127, 0x80, 0, 0, 0, 0, 0, 0, 1}, key...)
	runABCases(t, []abCase{
		{id: "RFC 5.1", name: "unmasked client frame", send: abCat(abText("before"), unmasked), want: []abWant{abEchoOf(OpText, "before")}, fail: StatusProtocolError},
		{id: "RFC 5.2", name: "length in 16 bits that fits in 7", send: long16, fail: StatusProtocolError},
		{id: "RFC 5.2", name: "length in 64 bits that fits in 7", send: long64, fail: StatusProtocolError},
		{id: "RFC 5.2", name: "64-bit length with the top bit set", send: topBit, fail: StatusProtocolError},
		{id: "RFC 5.2", name: "16-bit length 126 is minimal", send: abBinary(abRepeat(1, 126)), want: []abWant{{OpBinary, abRepeat(1, 126)}}},
	})
}

// The smallest read buffer bufio allows (16 bytes) holds a 14-byte header
// but not much more: frames and code points straddle every refill.
func TestConformanceSmallReadBuffer(t *testing.T) {
	cfg := Config{ReadBufferSize: 1}
	text := strings.Repeat("κόσμε 🎉 ", 300)
	runABCases(t, []abCase{
		{id: "1.x", name: "64-bit length", cfg: cfg, send: abBinary(abRepeat(0xAB, 70000)), want: []abWant{{OpBinary, abRepeat(0xAB, 70000)}}},
		{id: "5.19", name: "fragments and pings", cfg: cfg,
			send: abCat(abF(false, OpText, text[:1001]), abPing("p"), abF(true, OpContinuation, text[1001:])),
			want: []abWant{abEchoOf(OpPong, "p"), abEchoOf(OpText, text)}},
		{id: "6.3.x", name: "invalid UTF-8 after a refill", cfg: cfg, send: abText(text + "\xed\xa0\x80"), fail: StatusInvalidPayload},
	})
}
