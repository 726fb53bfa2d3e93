//go:build !js

package tap

import (
	"bufio"
	"context"
	"encoding/hex"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"wsplay/core"
	"wsplay/reach"
)

// testDeadline bounds every wait: a test that would hang fails instead.
const testDeadline = 10 * time.Second

// recorder collects a tap's events.
type recorder struct {
	mu     sync.Mutex
	events []Event
	wake   chan struct{}
}

func newRecorder() *recorder { return &recorder{wake: make(chan struct{}, 1)} }

func (r *recorder) Emit(e Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// wait waits until ok holds for the events so far, and returns them.
func (r *recorder) wait(t *testing.T, what string, ok func([]Event) bool) []Event {
	t.Helper()
	deadline := time.After(testDeadline)
	for {
		r.mu.Lock()
		evs := append([]Event(nil), r.events...)
		r.mu.Unlock()
		if ok(evs) {
			return evs
		}
		select {
		case <-r.wake:
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			t.Fatalf("timed out waiting for %s; events: %s", what, dump(evs))
		}
	}
}

// waitType waits for the n-th event of a type from a side ("" for any).
func (r *recorder) waitType(t *testing.T, typ, from string, n int) []Event {
	t.Helper()
	return r.wait(t, typ+" from "+from, func(evs []Event) bool { return len(pick(evs, typ, from)) >= n })
}

func pick(evs []Event, typ, from string) []Event {
	var out []Event
	for _, e := range evs {
		if e.Type == typ && (from == "" || e.From == from) {
			out = append(out, e)
		}
	}
	return out
}

func dump(evs []Event) string {
	var b strings.Builder
	for _, e := range evs {
		b.Write(MarshalJSON(e))
		b.WriteByte('\n')
	}
	return b.String()
}

// startTap runs a tap to targetURL on 127.0.0.1 and returns its address.
func startTap(t *testing.T, targetURL string, lim Limits, max int) (string, *recorder) {
	t.Helper()
	rec := newRecorder()
	return startTapEmit(t, targetURL, lim, max, rec.Emit), rec
}

// startTapEmit runs a tap to targetURL whose reports go to emit.
func startTapEmit(t testing.TB, targetURL string, lim Limits, max int, emit func(Event)) string {
	t.Helper()
	return startTapWith(t, targetURL, lim, max, emit, false)
}

// startTapWith runs a tap to targetURL, inflating when compress is set.
func startTapWith(t testing.TB, targetURL string, lim Limits, max int, emit func(Event), compress bool) string {
	t.Helper()
	tgt, err := reach.Resolve(context.Background(), targetURL, reach.CommandLine(false), func(context.Context, string) ([]net.IP, error) {
		return []net.IP{net.IPv4(127, 0, 0, 1)}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tp := &Tap{Target: tgt, Limits: lim, MaxSessions: max, Emit: emit, Compress: compress}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- tp.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(testDeadline):
			t.Errorf("Serve did not return after its context ended")
		}
	})
	return ln.Addr().String()
}

// rawClient is a WebSocket client written by hand, so that a test knows
// every byte it sent and every byte it got.
type rawClient struct {
	t    testing.TB
	conn net.Conn
	br   *bufio.Reader
	key  string
	sent []byte // every byte written after the head
}

// rawDial connects to addr and sends a browser-like request head for path.
func rawDial(t testing.TB, addr, path string) *rawClient {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, testDeadline)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(testDeadline))
	t.Cleanup(func() { c.Close() })
	rc := &rawClient{t: t, conn: c, br: bufio.NewReader(c), key: core.NewKey()}
	head := "GET " + path + " HTTP/1.1\r\nHost: " + addr + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: " + rc.key + "\r\nSec-WebSocket-Version: 13\r\nOrigin: http://" + addr + "\r\n" +
		"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n"
	if _, err := c.Write([]byte(head)); err != nil {
		t.Fatal(err)
	}
	return rc
}

// response reads the response head.
func (rc *rawClient) response() *core.ServerResponse {
	rc.t.Helper()
	resp, err := core.ReadResponse(rc.br, 0)
	if err != nil {
		rc.t.Fatalf("reading the response: %v", err)
	}
	return resp
}

// frame builds a frame; masked with a fixed key when mask is set.
func frame(fin bool, op core.Opcode, mask bool, payload []byte) []byte {
	h := core.FrameHeader{Fin: fin, Opcode: op, Masked: mask, Length: uint64(len(payload)), Key: [4]byte{0x37, 0xfa, 0x21, 0x3d}}
	b := core.AppendFrameHeader(nil, h)
	p := append([]byte(nil), payload...)
	if mask {
		core.Mask(h.Key, 0, p)
	}
	return append(b, p...)
}

// send writes bytes as one write.
func (rc *rawClient) send(b []byte) {
	rc.t.Helper()
	rc.sent = append(rc.sent, b...)
	if _, err := rc.conn.Write(b); err != nil {
		rc.t.Fatalf("write: %v", err)
	}
}

// readN reads exactly n bytes.
func (rc *rawClient) readN(n int) []byte {
	rc.t.Helper()
	b := make([]byte, n)
	if _, err := io.ReadFull(rc.br, b); err != nil {
		rc.t.Fatalf("reading %d bytes: %v", n, err)
	}
	return b
}

// readFrame reads one whole frame's bytes.
func (rc *rawClient) readFrame() []byte {
	rc.t.Helper()
	b := rc.readN(2)
	h, n, _ := core.ParseFrameHeader(b)
	if n > 2 {
		b = append(b, rc.readN(n-2)...)
		h, _, _ = core.ParseFrameHeader(b)
	}
	return append(b, rc.readN(int(h.Length))...)
}

// wire returns the bytes a frame report shows.
func wire(t *testing.T, f *Frame) []byte {
	t.Helper()
	b, err := hex.DecodeString(f.Wire)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ruleIDs lists the ids of problems.
func ruleIDs(ps []Problem) string {
	var ids []string
	for _, p := range ps {
		ids = append(ids, p.ID)
	}
	return strings.Join(ids, ",")
}
