//go:build !js

package core_test

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"wsplay/core"
)

// upgradeResult is what the test server's handler saw.
type upgradeResult struct {
	req *core.Request
	err error
}

// newEchoServer starts an HTTP server whose /echo handler upgrades with
// core.Upgrade and echoes every message. It refuses the origin
// http://evil.example with a plain error and http://teapot.example with a
// *HandshakeError of status 418. Each handler call reports on the channel.
func newEchoServer(t *testing.T) (*httptest.Server, chan upgradeResult) {
	t.Helper()
	results := make(chan upgradeResult, 64)
	mux := http.NewServeMux()
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		conn, req, err := core.Upgrade(w, r, core.UpgradeOptions{
			ResponseOptions: core.ResponseOptions{Protocols: []string{"echo", "chat"}},
			CheckOrigin: func(req *core.Request) error {
				switch req.Header.Get("Origin") {
				case "http://evil.example":
					return errors.New("not from here")
				case "http://teapot.example":
					return &core.HandshakeError{Status: 418, Rule: core.RuleOrigin, Detail: "teapots only"}
				}
				return nil
			},
		})
		results <- upgradeResult{req, err}
		if err != nil {
			return
		}
		var buf []byte
		for {
			op, msg, err := conn.ReadMessage(buf[:0])
			if err != nil {
				return
			}
			if err := conn.WriteMessage(op, msg); err != nil {
				return
			}
			buf = msg
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, results
}

// dialWS opens a TCP connection to srv and runs core's client handshake.
func dialWS(t *testing.T, srv *httptest.Server, req *core.ClientRequest) (*core.Conn, *core.ServerResponse) {
	t.Helper()
	u, _ := url.Parse(srv.URL)
	nc, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	req.Host = u.Host
	resp, br, err := core.Handshake(nc, req)
	if err != nil {
		nc.Close()
		t.Fatalf("Handshake: %v", err)
	}
	return core.NewConn(nc, br, core.Client, core.Config{}), resp
}

func TestUpgradeEcho(t *testing.T) {
	srv, results := newEchoServer(t)
	conn, resp := dialWS(t, srv, &core.ClientRequest{Target: "/echo?x=1", Origin: "http://example.com",
		Protocols: []string{"chat", "echo"}, Header: core.Headers{{"X-Test", "yes"}}})
	if got := resp.Header.Get("Sec-WebSocket-Protocol"); got != "chat" {
		t.Errorf("protocol = %q, want chat (the client's first choice)", got)
	}
	res := <-results
	if res.err != nil {
		t.Fatalf("Upgrade: %v", res.err)
	}
	if res.req.Target != "/echo?x=1" || res.req.Header.Get("X-Test") != "yes" {
		t.Errorf("the handler's request = %+v", res.req)
	}
	msgs := []struct {
		op  core.Opcode
		msg []byte
	}{
		{core.OpText, []byte("Hello")},
		{core.OpBinary, []byte{0, 1, 2, 0xff, 0xfe}},
		{core.OpText, []byte("")},
		{core.OpText, []byte("héllo, wörld ✓")},
		{core.OpBinary, bytes.Repeat([]byte{0xa5, 0x5a, 0x00}, 30000)}, // a 64-bit length
		{core.OpText, bytes.Repeat([]byte("x"), 300)},                  // a 16-bit length
	}
	for _, m := range msgs {
		if err := conn.WriteMessage(m.op, m.msg); err != nil {
			t.Fatal(err)
		}
		op, got, err := conn.ReadMessage(nil)
		if err != nil {
			t.Fatalf("ReadMessage: %v", err)
		}
		if op != m.op || !bytes.Equal(got, m.msg) {
			t.Errorf("echo = %v %d bytes, want %v %d bytes", op, len(got), m.op, len(m.msg))
		}
	}
	if err := conn.Close(core.StatusNormalClosure, "bye"); err != nil {
		t.Errorf("Close: %v", err)
	}
}

// TestUpgradeKeepsEarlyFrames sends the request and a first frame in one
// write: the frame is in net/http's buffer when Upgrade hijacks the
// connection and must reach the Conn.
func TestUpgradeKeepsEarlyFrames(t *testing.T) {
	srv, _ := newEchoServer(t)
	u, _ := url.Parse(srv.URL)
	nc, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	// The masked "Hello" of RFC 6455 §5.7.
	frame := []byte{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}
	creq := &core.ClientRequest{Host: u.Host, Target: "/echo"}
	if _, err := nc.Write(append(creq.AppendRequest(nil), frame...)); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(nc)
	resp, err := core.ReadResponse(br, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := resp.Verify(creq); err != nil {
		t.Fatal(err)
	}
	conn := core.NewConn(nc, br, core.Client, core.Config{})
	op, msg, err := conn.ReadMessage(nil)
	if err != nil || op != core.OpText || string(msg) != "Hello" {
		t.Fatalf("echo of the early frame = %v %q %v", op, msg, err)
	}
	conn.Close(core.StatusNormalClosure, "")
}

func TestFromHTTP(t *testing.T) {
	raw := crlf(
		"GET /chat?room=1 HTTP/1.1",
		"Host: server.example.com",
		"upgrade: websocket",
		"Connection: Upgrade",
		"sec-websocket-key: "+rfcKey,
		"Origin: http://example.com",
		"Sec-WebSocket-Protocol: chat",
		"Sec-WebSocket-Protocol: superchat",
		"Sec-WebSocket-Version: 13",
	)
	hr, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
	if err != nil {
		t.Fatal(err)
	}
	r := core.FromHTTP(hr)
	if r.Method != "GET" || r.Target != "/chat?room=1" || r.Proto != "HTTP/1.1" {
		t.Errorf("request line = %q %q %q", r.Method, r.Target, r.Proto)
	}
	// Host first, then the canonical names in alphabetical order, values
	// of a repeated field in their order.
	want := core.Headers{
		{"Host", "server.example.com"},
		{"Connection", "Upgrade"},
		{"Origin", "http://example.com"},
		{"Sec-Websocket-Key", rfcKey},
		{"Sec-Websocket-Protocol", "chat"},
		{"Sec-Websocket-Protocol", "superchat"},
		{"Sec-Websocket-Version", "13"},
		{"Upgrade", "websocket"},
	}
	if !reflect.DeepEqual(r.Header, want) {
		t.Errorf("Header = %q, want %q", r.Header, want)
	}
	if err := r.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
	if got := r.Protocols(); !reflect.DeepEqual(got, []string{"chat", "superchat"}) {
		t.Errorf("Protocols = %q", got)
	}
	// The same request parsed by core validates the same.
	r2, err := core.ParseRequest([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if r2.Key() != r.Key() || r2.Target != r.Target {
		t.Errorf("core: %+v, net/http: %+v", r2, r)
	}
}

// rawExchange sends raw on a fresh TCP connection to srv and reads one
// response with net/http.
func rawExchange(t *testing.T, srv *httptest.Server, raw string) (*http.Response, string) {
	t.Helper()
	u, _ := url.Parse(srv.URL)
	nc, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(nc, raw); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(nc), nil)
	if err != nil {
		t.Fatalf("reading the response: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the body: %v", err)
	}
	return resp, string(body)
}

// echoRequest is a valid handshake for /echo on host, plus extra lines and
// without the lines that start with one of drop.
func echoRequest(method, proto string, drop []string, extra ...string) string {
	lines := []string{
		method + " /echo " + proto,
		"Host: example.com",
		"Upgrade: websocket",
		"Connection: Upgrade",
		"Sec-WebSocket-Key: " + rfcKey,
		"Sec-WebSocket-Version: 13",
	}
	var out []string
next:
	for _, l := range lines {
		for _, d := range drop {
			if strings.HasPrefix(l, d) {
				continue next
			}
		}
		out = append(out, l)
	}
	return crlf(append(out, extra...)...)
}

func TestUpgradeRefusesOverTCP(t *testing.T) {
	srv, results := newEchoServer(t)
	tests := []struct {
		name   string
		raw    string
		status int
		rule   core.Rule
		header map[string]string
	}{
		{"POST", echoRequest("POST", "HTTP/1.1", nil, "Content-Length: 0"), 405, core.RuleMethodGet,
			map[string]string{"Allow": "GET"}},
		{"HTTP/1.0", echoRequest("GET", "HTTP/1.0", nil), 400, core.RuleHTTPVersion, nil},
		{"missing Upgrade", echoRequest("GET", "HTTP/1.1", []string{"Upgrade"}), 400, core.RuleUpgrade, nil},
		{"missing Connection", echoRequest("GET", "HTTP/1.1", []string{"Connection"}), 400, core.RuleConnection, nil},
		{"missing key", echoRequest("GET", "HTTP/1.1", []string{"Sec-WebSocket-Key"}), 400, core.RuleKeyPresent, nil},
		{"duplicate key", echoRequest("GET", "HTTP/1.1", nil, "Sec-WebSocket-Key: "+keyOf(16)), 400, core.RuleKeyPresent, nil},
		{"key of 15 bytes", echoRequest("GET", "HTTP/1.1", []string{"Sec-WebSocket-Key"}, "Sec-WebSocket-Key: "+keyOf(15)),
			400, core.RuleKeyLength, nil},
		{"version 8", echoRequest("GET", "HTTP/1.1", []string{"Sec-WebSocket-Version"}, "Sec-WebSocket-Version: 8"),
			426, core.RuleVersion, map[string]string{"Sec-WebSocket-Version": "13", "Upgrade": "websocket"}},
		{"missing version", echoRequest("GET", "HTTP/1.1", []string{"Sec-WebSocket-Version"}),
			426, core.RuleVersion, map[string]string{"Sec-WebSocket-Version": "13", "Upgrade": "websocket"}},
		{"origin refused", echoRequest("GET", "HTTP/1.1", nil, "Origin: http://evil.example"), 403, core.RuleOrigin, nil},
		{"origin refused with a HandshakeError", echoRequest("GET", "HTTP/1.1", nil, "Origin: http://teapot.example"),
			418, core.RuleOrigin, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := rawExchange(t, srv, tt.raw)
			if resp.StatusCode != tt.status {
				t.Errorf("status = %s, want %d", resp.Status, tt.status)
			}
			for name, value := range tt.header {
				if got := resp.Header.Values(name); !reflect.DeepEqual(got, []string{value}) {
					t.Errorf("%s = %q, want %q", name, got, value)
				}
			}
			if got := resp.Header.Get("Content-Type"); got != "text/plain; charset=utf-8" {
				t.Errorf("Content-Type = %q", got)
			}
			if !strings.Contains(body, tt.rule.Text) || !strings.Contains(body, tt.rule.Source()) {
				t.Errorf("body = %q, want it to name %q", body, tt.rule.Cite())
			}
			if resp.Header.Get("Sec-WebSocket-Accept") != "" {
				t.Errorf("a refused handshake carries Sec-WebSocket-Accept")
			}
			res := <-results
			var he *core.HandshakeError
			if !errors.As(res.err, &he) || he.Status != tt.status || he.Rule != tt.rule {
				t.Errorf("Upgrade returned %v, want %d %+v", res.err, tt.status, tt.rule)
			}
		})
	}
	// After all that, the server still upgrades a good request.
	conn, _ := dialWS(t, srv, &core.ClientRequest{Target: "/echo", Origin: "http://example.com"})
	<-results
	if err := conn.WriteMessage(core.OpText, []byte("still here")); err != nil {
		t.Fatal(err)
	}
	if _, msg, err := conn.ReadMessage(nil); err != nil || string(msg) != "still here" {
		t.Errorf("echo after refusals = %q, %v", msg, err)
	}
	conn.Close(core.StatusNormalClosure, "")
}

func TestUpgradeGarbageDoesNotStopServer(t *testing.T) {
	srv, _ := newEchoServer(t)
	u, _ := url.Parse(srv.URL)
	for _, raw := range []string{
		"\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", // a frame before any handshake
		"GET /echo HTTP/1.1\r\n X-Folded: x\r\n\r\n",
		"NOT HTTP AT ALL\r\n\r\n",
		"GET /echo HTTP/1.1\r\nHost: a\r\n", // cut short
	} {
		nc, err := net.Dial("tcp", u.Host)
		if err != nil {
			t.Fatal(err)
		}
		nc.SetDeadline(time.Now().Add(10 * time.Second))
		io.WriteString(nc, raw)
		if tc, ok := nc.(*net.TCPConn); ok {
			tc.CloseWrite()
		}
		io.Copy(io.Discard, nc) // whatever net/http answers, until it closes
		nc.Close()
	}
	conn, _ := dialWS(t, srv, &core.ClientRequest{Target: "/echo"})
	if err := conn.WriteMessage(core.OpBinary, []byte{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	if _, msg, err := conn.ReadMessage(nil); err != nil || !bytes.Equal(msg, []byte{1, 2, 3}) {
		t.Errorf("echo after garbage = %v, %v", msg, err)
	}
	conn.Close(core.StatusNormalClosure, "")
}

// TestAppendErrorResponseNetHTTP parses AppendErrorResponse with net/http.
func TestAppendErrorResponseNetHTTP(t *testing.T) {
	for _, raw := range []string{
		strings.Replace(rfcRequest, "GET", "POST", 1),
		without([]string{"Sec-WebSocket-Version"}, "Sec-WebSocket-Version: 8"),
		without([]string{"Sec-WebSocket-Key"}, "Sec-WebSocket-Key: "+keyOf(17)),
		without([]string{"Upgrade"}),
	} {
		err := parseAndValidate(raw)
		var he *core.HandshakeError
		if !errors.As(err, &he) {
			t.Fatalf("no HandshakeError for %q: %v", raw, err)
		}
		out := he.AppendErrorResponse(nil)
		resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(out)), nil)
		if err != nil {
			t.Fatalf("net/http cannot read %q: %v", out, err)
		}
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("body of %q: %v", out, err)
		}
		if resp.StatusCode != he.Status || resp.Status != strconv.Itoa(he.Status)+" "+http.StatusText(he.Status) {
			t.Errorf("status = %q, want %d %s", resp.Status, he.Status, http.StatusText(he.Status))
		}
		for _, f := range he.Header {
			if strings.EqualFold(f.Name, "Connection") {
				// net/http drops every Connection field of a response
				// that says "close"; look at the bytes.
				if !bytes.Contains(out, []byte("\r\n"+f.Name+": "+f.Value+"\r\n")) {
					t.Errorf("no %s: %s line in %q", f.Name, f.Value, out)
				}
				continue
			}
			if !containsString(resp.Header.Values(f.Name), f.Value) {
				t.Errorf("%s = %q, want it to contain %q", f.Name, resp.Header.Values(f.Name), f.Value)
			}
		}
		if resp.ContentLength != int64(len(body)) || resp.Header.Get("Content-Length") != strconv.Itoa(len(body)) {
			t.Errorf("Content-Length = %d, body has %d bytes", resp.ContentLength, len(body))
		}
		if !resp.Close {
			t.Errorf("the response does not close the connection")
		}
		if got := resp.Header.Get("Content-Type"); got != "text/plain; charset=utf-8" {
			t.Errorf("Content-Type = %q", got)
		}
		if !strings.Contains(string(body), he.Rule.Cite()) {
			t.Errorf("body = %q, want it to cite %q", body, he.Rule.Cite())
		}
	}
}

func containsString(vs []string, s string) bool {
	for _, v := range vs {
		if v == s {
			return true
		}
	}
	return false
}
