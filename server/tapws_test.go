//go:build !js

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"wsplay/core"
	"wsplay/tap"
)

// startCoderEcho serves an echo server built on github.com/coder/websocket
// on addr ("127.0.0.1:0" or a student's address) and returns its ws:// URL.
func startCoderEcho(t *testing.T, addr string) string {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
		if err != nil {
			return
		}
		defer c.CloseNow()
		for {
			typ, msg, err := c.Read(r.Context())
			if err != nil {
				return
			}
			if c.Write(r.Context(), typ, msg) != nil {
				return
			}
		}
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "ws://" + ln.Addr().String() + "/echo"
}

// watch is an open /ws/tap/watch.
type watch struct {
	t  *testing.T
	c  *core.Conn
	id string
	ch chan tap.Event
}

// openWatch opens /ws/tap/watch from the address from (nil: the default)
// and reads its id.
func openWatch(t *testing.T, addr string, from net.IP) *watch {
	t.Helper()
	d := net.Dialer{Timeout: testDeadline}
	if from != nil {
		d.LocalAddr = &net.TCPAddr{IP: from}
	}
	nc, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	nc.SetDeadline(time.Now().Add(testDeadline))
	_, br, err := core.Handshake(nc, &core.ClientRequest{Host: addr, Target: "/ws/tap/watch", Origin: "http://" + addr})
	if err != nil {
		t.Fatal(err)
	}
	c := core.NewConn(nc, br, core.Client, core.Config{MaxMessageSize: 1 << 20})
	t.Cleanup(func() { c.CloseNow() })
	_, msg, err := c.ReadMessage(nil)
	if err != nil {
		t.Fatal(err)
	}
	var hello watchHello
	if err := json.Unmarshal(msg, &hello); err != nil || hello.Type != "watch" || len(hello.ID) != 32 {
		t.Fatalf("first message %s", msg)
	}
	w := &watch{t: t, c: c, id: hello.ID, ch: make(chan tap.Event, 1000)}
	go func() {
		defer close(w.ch)
		for {
			_, msg, err := c.ReadMessage(nil)
			if err != nil {
				return
			}
			var e tap.Event
			if err := json.Unmarshal(msg, &e); err != nil {
				t.Errorf("watch message %s: %v", msg, err)
				return
			}
			w.ch <- e
		}
	}()
	return w
}

// next returns the next event of a type, skipping others.
func (w *watch) next(typ string) tap.Event {
	w.t.Helper()
	timeout := time.After(testDeadline)
	for {
		select {
		case e, ok := <-w.ch:
			if !ok {
				w.t.Fatalf("the watch closed before a %s event", typ)
			}
			if e.Type == typ {
				return e
			}
		case <-timeout:
			w.t.Fatalf("no %s event", typ)
		}
	}
}

// dialTap opens the page's WebSocket to /ws/tap from the address from,
// with the browser's Origin.
func dialTap(t *testing.T, addr string, from net.IP, target, session string) (*core.Conn, error) {
	t.Helper()
	d := net.Dialer{Timeout: testDeadline}
	if from != nil {
		d.LocalAddr = &net.TCPAddr{IP: from}
	}
	nc, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	nc.SetDeadline(time.Now().Add(testDeadline))
	t.Cleanup(func() { nc.Close() })
	path := "/ws/tap?target=" + target + "&session=" + session
	_, br, err := core.Handshake(nc, &core.ClientRequest{Host: addr, Target: path, Origin: "http://" + addr})
	if err != nil {
		return nil, err
	}
	return core.NewConn(nc, br, core.Client, core.Config{MaxMessageSize: 1 << 20}), nil
}

// The page's tap: the browser's WebSocket reaches a coder/websocket echo
// through wsplay, and the watch gets the handshake and every frame.
func TestTapEndpointRelays(t *testing.T) {
	ts := startServer(t, nil)
	echo := startCoderEcho(t, "127.0.0.1:0")
	w := openWatch(t, ts.addr, nil)
	c, err := dialTap(t, ts.addr, nil, echo, w.id)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WriteMessage(core.OpText, []byte("Hello")); err != nil {
		t.Fatal(err)
	}
	if op, p, err := c.ReadMessage(nil); err != nil || op != core.OpText || string(p) != "Hello" {
		t.Fatalf("echo %v %q %v", op, p, err)
	}
	req := w.next("request")
	if !strings.Contains(req.Head.Raw, "GET /ws/tap?target=") || !strings.HasPrefix(req.Head.Forwarded, "GET /echo HTTP/1.1\r\n") {
		t.Errorf("request head %q forwarded as %q", req.Head.Raw, req.Head.Forwarded)
	}
	if resp := w.next("response"); resp.Head.Status != 101 || !resp.Head.Accept.Match {
		t.Errorf("response %+v", resp.Head)
	}
	cf := w.next("frame")
	sf := w.next("frame")
	if cf.From != "client" || cf.Frame.Text != "Hello" || !cf.Frame.Masked || sf.From != "server" || sf.Frame.Wire != "810548656c6c6f" {
		t.Errorf("frames %+v %+v", cf.Frame, sf.Frame)
	}
	c.Close(core.StatusNormalClosure, "bye")
	if end := w.next("end"); end.Bytes == nil || end.Bytes.Client == 0 {
		t.Errorf("end %+v", end)
	}
}

// A student on another machine (127.0.0.2 stands in for one) may tap a
// server on its own address only; refusals reach the watch with the
// reason, and a missing watch or a foreign Origin are refused.
func TestTapEndpointPolicy(t *testing.T) {
	ts := startServer(t, nil)
	student := net.ParseIP("127.0.0.2")
	own := startCoderEcho(t, "127.0.0.2:0")
	teacher := startCoderEcho(t, "127.0.0.1:0")
	w := openWatch(t, ts.addr, student)

	if _, err := dialTap(t, ts.addr, student, teacher, w.id); err == nil {
		t.Fatal("a student tapped the teacher's loopback server")
	}
	if r := w.next("refused"); !strings.Contains(r.Message, "127.0.0.2") || strings.Contains(r.Message, "resolves to 127") {
		t.Errorf("refusal %q", r.Message)
	}
	c, err := dialTap(t, ts.addr, student, own, w.id)
	if err != nil {
		t.Fatalf("the student's own server: %v", err)
	}
	c.WriteMessage(core.OpBinary, []byte{1, 2, 3})
	if _, p, err := c.ReadMessage(nil); err != nil || !bytes.Equal(p, []byte{1, 2, 3}) {
		t.Fatalf("echo %v %v", p, err)
	}
	c.CloseNow()

	// The watch id is the student's: the same id from this machine is
	// refused, and so is a request without one.
	for _, tc := range []struct {
		from    net.IP
		session string
	}{{nil, w.id}, {student, ""}, {student, "0123"}} {
		if _, err := dialTap(t, ts.addr, tc.from, own, tc.session); err == nil {
			t.Errorf("from %v with session %q: not refused", tc.from, tc.session)
		}
	}

	// A page on another site cannot use a local watch.
	lw := openWatch(t, ts.addr, nil)
	resp, body := rawResponse(t, ts.addr, handshakeHead(ts.addr, "/ws/tap?target="+teacher+"&session="+lw.id, "Origin: http://evil.example\r\n"))
	if resp.StatusCode != 403 || !strings.Contains(body, "Origin") {
		t.Errorf("foreign origin: %d %q", resp.StatusCode, body)
	}
	if r := lw.next("refused"); !strings.Contains(r.Message, "RFC 6455 §10.2") {
		t.Errorf("refusal %q", r.Message)
	}
}

// A tap ends with its watch: closing the report channel cuts the relay.
func TestTapEndsWithWatch(t *testing.T) {
	ts := startServer(t, nil)
	echo := startCoderEcho(t, "127.0.0.1:0")
	w := openWatch(t, ts.addr, nil)
	c, err := dialTap(t, ts.addr, nil, echo, w.id)
	if err != nil {
		t.Fatal(err)
	}
	w.c.Close(core.StatusNormalClosure, "page gone")
	ctx, cancel := context.WithTimeout(context.Background(), testDeadline)
	defer cancel()
	done := make(chan error, 1)
	go func() { _, _, err := c.ReadMessage(nil); done <- err }()
	select {
	case err := <-done:
		if err == nil {
			t.Error("read a message after the watch closed")
		}
	case <-ctx.Done():
		t.Fatal("the tap outlived its watch")
	}
}

// A tap counts against -max-conns: with the watch open and a limit of one
// connection, the tap is refused and the watch says why.
func TestTapEndpointMaxConns(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.MaxConns = 1 })
	echo := startCoderEcho(t, "127.0.0.1:0")
	w := openWatch(t, ts.addr, nil)
	if _, err := dialTap(t, ts.addr, nil, echo, w.id); err == nil {
		t.Fatal("a tap over -max-conns was relayed")
	}
	if r := w.next("refused"); !strings.Contains(r.Message, "the limit is 1, see -max-conns") {
		t.Errorf("refusal %q", r.Message)
	}
}

// One machine holds at most maxPageTapsPerAddr relays (a tab each: a
// watch runs one relay at a time), so one student cannot take the class's
// taps; another student still taps, and a relay that ends frees its place.
func TestTapEndpointPerAddress(t *testing.T) {
	ts := startServer(t, nil)
	student, other := net.ParseIP("127.0.0.2"), net.ParseIP("127.0.0.3")
	own := startCoderEcho(t, "127.0.0.2:0")
	var held []*core.Conn
	for i := 0; i < maxPageTapsPerAddr; i++ {
		c, err := dialTap(t, ts.addr, student, own, openWatch(t, ts.addr, student).id)
		if err != nil {
			t.Fatalf("tap %d of %d: %v", i+1, maxPageTapsPerAddr, err)
		}
		held = append(held, c)
	}
	w := openWatch(t, ts.addr, student)
	if _, err := dialTap(t, ts.addr, student, own, w.id); err == nil {
		t.Fatalf("tap %d from one address was relayed", maxPageTapsPerAddr+1)
	}
	if r := w.next("refused"); !strings.Contains(r.Message, "already relaying "+strconv.Itoa(maxPageTapsPerAddr)) {
		t.Errorf("refusal %q", r.Message)
	}

	theirs := startCoderEcho(t, "127.0.0.3:0")
	if _, err := dialTap(t, ts.addr, other, theirs, openWatch(t, ts.addr, other).id); err != nil {
		t.Errorf("another student could not tap: %v", err)
	}

	held[0].Close(core.StatusNormalClosure, "")
	deadline := time.Now().Add(testDeadline)
	for {
		c, err := dialTap(t, ts.addr, student, own, w.id)
		if err == nil {
			c.CloseNow()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a relay that ended did not free its place: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
