//go:build !js

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"wsplay/core"
	"wsplay/tap"
)

// lockedBuffer is a bytes.Buffer safe for the tap's goroutines and the
// test's reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// runTapCmd runs `wsplay tap ARGS -listen 127.0.0.1:0` until the test
// ends, and returns the address it listens on and its standard output.
func runTapCmd(t *testing.T, args ...string) (string, *lockedBuffer) {
	t.Helper()
	var out, errOut lockedBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- tapRun(ctx, append([]string{"-listen", "127.0.0.1:0"}, args...), &out, &errOut) }()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("wsplay tap exited %d: %s", code, errOut.String())
			}
		case <-time.After(testDeadline):
			t.Errorf("wsplay tap did not stop")
		}
	})
	deadline := time.Now().Add(testDeadline)
	for time.Now().Before(deadline) {
		s := out.String()
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			first := s[:i]
			if strings.HasPrefix(first, "{") {
				var e tap.Event
				if err := json.Unmarshal([]byte(first), &e); err != nil || e.Type != "listen" {
					t.Fatalf("first line %q", first)
				}
				return e.Listen, &out
			}
			// Text: "tap listening on ADDR, relaying ..."
			f := strings.Fields(first)
			return strings.TrimSuffix(f[3], ","), &out
		}
		select {
		case code := <-done:
			t.Fatalf("wsplay tap exited %d: %s", code, errOut.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatal("wsplay tap did not start")
	return "", nil
}

// jsonEvents parses -json output, waiting until ok holds.
func jsonEvents(t *testing.T, out *lockedBuffer, ok func([]tap.Event) bool) []tap.Event {
	t.Helper()
	deadline := time.Now().Add(testDeadline)
	for {
		var evs []tap.Event
		sc := bufio.NewScanner(strings.NewReader(out.String()))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var e tap.Event
			if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
				t.Fatalf("not one JSON object per line: %q: %v", sc.Text(), err)
			}
			evs = append(evs, e)
		}
		if ok(evs) {
			return evs
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out; output:\n%s", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func countType(evs []tap.Event, typ, from string) []tap.Event {
	var out []tap.Event
	for _, e := range evs {
		if e.Type == typ && (from == "" || e.From == from) {
			out = append(out, e)
		}
	}
	return out
}

// `wsplay tap -json` relaying wsplay's own /ws/echo and an echo server
// built on coder/websocket: every frame is reported with the exact bytes
// the client wrote and the server wrote.
func TestTapCmdRelaysEchoJSON(t *testing.T) {
	ts := startServer(t, nil)
	for _, tc := range []struct{ name, target, path string }{
		{"wsplay", "ws://" + ts.addr + "/ws/echo", "/ws/echo"},
		{"coder", startCoderEcho(t, "127.0.0.1:0"), "/echo"},
	} {
		t.Run(tc.name, func(t *testing.T) { testTapCmdRelays(t, tc.target, tc.path) })
	}
}

func testTapCmdRelays(t *testing.T, target, path string) {
	addr, out := runTapCmd(t, "-target", target, "-json")
	var mu sync.Mutex
	var sent, got [][]byte
	c := coreDial(t, addr, "/", core.Config{OnFrame: func(dir core.Direction, wire []byte) {
		mu.Lock()
		defer mu.Unlock()
		if dir == core.Sent {
			sent = append(sent, append([]byte(nil), wire...))
		} else {
			got = append(got, append([]byte(nil), wire...))
		}
	}})
	for _, m := range []struct {
		op core.Opcode
		p  []byte
	}{{core.OpText, []byte("Hello")}, {core.OpBinary, bytes.Repeat([]byte{1, 2, 3}, 60)}} {
		if err := c.WriteMessage(m.op, m.p); err != nil {
			t.Fatal(err)
		}
		op, p, err := c.ReadMessage(nil)
		if err != nil || op != m.op || !bytes.Equal(p, m.p) {
			t.Fatalf("echo: %v %v %v", op, len(p), err)
		}
	}
	c.Close(core.StatusNormalClosure, "bye")
	evs := jsonEvents(t, out, func(evs []tap.Event) bool { return len(countType(evs, "end", "")) == 1 })
	mu.Lock()
	defer mu.Unlock()
	for _, side := range []struct {
		from  string
		wires [][]byte
	}{{"client", sent}, {"server", got}} {
		fs := countType(evs, "frame", side.from)
		if len(fs) != len(side.wires) {
			t.Fatalf("%d %s frames reported, %d on the wire", len(fs), side.from, len(side.wires))
		}
		for i, e := range fs {
			w, _ := hex.DecodeString(e.Frame.Wire)
			if !bytes.Equal(w, side.wires[i]) || len(e.Problems) != 0 {
				t.Errorf("%s frame %d: reported % x (problems %v), wire % x", side.from, i, w, e.Problems, side.wires[i])
			}
		}
	}
	resp := countType(evs, "response", "server")[0]
	if resp.Head.Status != 101 || !resp.Head.Accept.Match {
		t.Errorf("response %+v", resp.Head)
	}
	req := countType(evs, "request", "client")[0]
	host := strings.TrimPrefix(strings.TrimSuffix(target, path), "ws://")
	if !strings.HasPrefix(req.Head.Forwarded, "GET "+path+" HTTP/1.1\r\nHost: "+host+"\r\n") {
		t.Errorf("forwarded %q", req.Head.Forwarded)
	}
}

// The text output: the heads, the Accept steps, each frame; no colour
// when standard output is not a terminal.
func TestTapCmdText(t *testing.T) {
	ts := startServer(t, nil)
	addr, out := runTapCmd(t, "-target", "ws://"+ts.addr+"/ws/echo")
	c := coreDial(t, addr, "/", core.Config{})
	c.WriteMessage(core.OpText, []byte("Hello"))
	c.ReadMessage(nil)
	c.Close(core.StatusNormalClosure, "bye")
	deadline := time.Now().Add(testDeadline)
	for !strings.Contains(out.String(), "#1 ended") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	s := out.String()
	for _, want := range []string{
		"#1 → client request head", "GET / HTTP/1.1␍␊", `rewritten: request-target "/" → "/ws/echo"`,
		"#1 ← server response head", "key + GUID", "✓ equal",
		`→ client frame 1 @0, 11 bytes in 1 piece: text, FIN 1, masked with key`, `payload 5 bytes "Hello"`,
		`← server frame 1 @0, 7 bytes in 1 piece: text, FIN 1, not masked, payload 5 bytes "Hello"`,
		"81 05 48 65 6c 6c 6f", `close, FIN 1, masked with key`, `1000 (normal closure) "bye"`, "#1 ended",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "\x1b") {
		t.Errorf("colour in output that is not a terminal")
	}
}

// Usage errors exit 2 with a message naming the flag; -help lists the
// limits.
func TestTapCmdUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "-target is required"},
		{[]string{"-target", "ws://8.8.8.8/"}, 2, "pass -allow-remote"},
		{[]string{"-target", "http://127.0.0.1/"}, 2, "a WebSocket URL starts with ws://"},
		{[]string{"-target", "ws://127.0.0.1:1/", "-keep", "10"}, 2, "-keep at least 125"},
		{[]string{"-target", "ws://127.0.0.1:1/", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"-help"}, 0, "-max-sessions"},
	} {
		var out, errOut lockedBuffer
		code := tapRun(context.Background(), tc.args, &out, &errOut)
		if code != tc.code || !strings.Contains(errOut.String(), tc.want) {
			t.Errorf("wsplay tap %v: exit %d, stderr %q; want %d and %q", tc.args, code, errOut.String(), tc.code, tc.want)
		}
	}
	var out, errOut lockedBuffer
	run([]string{"-help"}, &out, &errOut)
	if !strings.Contains(errOut.String(), "wsplay tap -target URL") {
		t.Errorf("wsplay -help does not mention tap:\n%s", errOut.String())
	}
}

// -compress forwards the client's permessage-deflate offer to wsplay's
// /ws/echo, which compresses, and prints each compressed message inflated.
func TestTapCmdCompress(t *testing.T) {
	ts := startServer(t, nil)
	addr, out := runTapCmd(t, "-target", "ws://"+ts.addr+"/ws/echo", "-compress")
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(testDeadline))
	req := &core.ClientRequest{Host: addr, Target: "/", Extensions: []core.Extension{core.DeflateOffer()}}
	resp, br, err := core.Handshake(nc, req)
	if err != nil {
		t.Fatal(err)
	}
	params, err := resp.Deflate(req)
	if err != nil || params == nil {
		t.Fatalf("no compression through the tap: %v %v", params, err)
	}
	c := core.NewConn(nc, br, core.Client, core.Config{Deflate: params})
	msg := strings.Repeat("compressed through the tap; ", 50)
	if err := c.WriteMessage(core.OpText, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	if _, got, err := c.ReadMessage(nil); err != nil || string(got) != msg {
		t.Fatalf("echo: %d bytes, %v", len(got), err)
	}
	want := fmt.Sprintf("inflated: %d bytes from", len(msg))
	deadline := time.Now().Add(testDeadline)
	for strings.Count(out.String(), want) < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if s := out.String(); strings.Count(s, want) != 2 || !strings.Contains(s, "compressed, masked") || !strings.Contains(s, `"compressed through the tap;`) {
		t.Errorf("output lacks the inflated message both ways:\n%s", s)
	}
}
