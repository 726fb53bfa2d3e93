package core_test

import (
	"bufio"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"wsplay/core"
)

func TestNewKey(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		k := core.NewKey()
		b, err := base64.StdEncoding.DecodeString(k)
		if err != nil || len(b) != 16 {
			t.Fatalf("NewKey() = %q: %d bytes, %v", k, len(b), err)
		}
		if err := core.CheckKey(k); err != nil {
			t.Fatalf("CheckKey(NewKey()) = %v", err)
		}
		if seen[k] {
			t.Fatalf("NewKey() returned %q twice", k)
		}
		seen[k] = true
	}
}

func TestAppendRequest(t *testing.T) {
	type P = core.HeaderField
	tests := []struct {
		name       string
		req        core.ClientRequest
		target     string
		want       core.Headers // fields beyond the required five, in order
		protocols  []string
		extensions []core.Extension
	}{
		{"minimal", core.ClientRequest{Host: "example.com", Key: rfcKey}, "/", nil, nil, nil},
		{"RFC §1.3", core.ClientRequest{Host: "server.example.com", Target: "/chat", Key: rfcKey,
			Origin: "http://example.com", Protocols: []string{"chat", "superchat"}}, "/chat",
			core.Headers{{"Origin", "http://example.com"}, {"Sec-WebSocket-Protocol", "chat, superchat"}},
			[]string{"chat", "superchat"}, nil},
		{"extensions and extra headers", core.ClientRequest{Host: "127.0.0.1:8080", Target: "/ws/echo?x=1", Key: rfcKey,
			Extensions: []core.Extension{
				{Name: "permessage-deflate", Params: []P{{"client_max_window_bits", ""}}},
				{Name: "foo", Params: []P{{"bar", "1"}}},
			},
			Header: core.Headers{{"Cookie", "a=b"}, {"User-Agent", "wsplay-test"}}}, "/ws/echo?x=1",
			core.Headers{
				{"Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits"},
				{"Sec-WebSocket-Extensions", "foo; bar=1"},
				{"Cookie", "a=b"}, {"User-Agent", "wsplay-test"},
			}, nil, []core.Extension{
				{Name: "permessage-deflate", Params: []P{{"client_max_window_bits", ""}}},
				{Name: "foo", Params: []P{{"bar", "1"}}},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := tt.req.AppendRequest([]byte("x"))
			if raw[0] != 'x' {
				t.Fatalf("AppendRequest did not append")
			}
			raw = raw[1:]
			if !strings.HasSuffix(string(raw), "\r\n\r\n") || strings.Count(string(raw), "\n") != strings.Count(string(raw), "\r\n") {
				t.Errorf("lines must end with CRLF and the head with an empty line: %q", raw)
			}
			r, err := core.ParseRequest(raw)
			if err != nil {
				t.Fatalf("ParseRequest: %v", err)
			}
			if err := r.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
			if r.Method != "GET" || r.Target != tt.target || r.Proto != "HTTP/1.1" {
				t.Errorf("request line = %s %s %s", r.Method, r.Target, r.Proto)
			}
			if got := r.Header.Get("Host"); got != tt.req.Host {
				t.Errorf("Host = %q, want %q", got, tt.req.Host)
			}
			if got := r.Key(); got != rfcKey {
				t.Errorf("Key = %q", got)
			}
			if len(r.Header) < 5 {
				t.Fatalf("header = %q", r.Header)
			}
			if got := r.Header[5:]; !reflect.DeepEqual(got, tt.want) && !(len(got) == 0 && tt.want == nil) {
				t.Errorf("further fields = %q, want %q", got, tt.want)
			}
			if got := r.Protocols(); !reflect.DeepEqual(got, tt.protocols) {
				t.Errorf("Protocols() = %q, want %q", got, tt.protocols)
			}
			if got := r.Extensions(); !reflect.DeepEqual(got, tt.extensions) {
				t.Errorf("Extensions() = %+v, want %+v", got, tt.extensions)
			}
		})
	}
}

func TestAppendRequestFillsKey(t *testing.T) {
	req := &core.ClientRequest{Host: "h"}
	raw := req.AppendRequest(nil)
	if err := core.CheckKey(req.Key); err != nil {
		t.Fatalf("the filled-in key: %v", err)
	}
	r, err := core.ParseRequest(raw)
	if err != nil {
		t.Fatal(err)
	}
	if r.Key() != req.Key {
		t.Errorf("sent key %q, req.Key %q", r.Key(), req.Key)
	}
	// A second request keeps the key it has.
	key := req.Key
	req.AppendRequest(nil)
	if req.Key != key {
		t.Errorf("the key changed from %q to %q", key, req.Key)
	}
	other := &core.ClientRequest{Host: "h"}
	other.AppendRequest(nil)
	if other.Key == key {
		t.Errorf("two requests got the same key %q", key)
	}
}

// response101 is a correct answer to a request with rfcKey, plus extra lines.
func response101(extra ...string) string {
	return crlf(append([]string{
		"HTTP/1.1 101 Switching Protocols",
		"Upgrade: websocket",
		"Connection: Upgrade",
		"Sec-WebSocket-Accept: " + rfcAccept,
	}, extra...)...)
}

func TestVerify(t *testing.T) {
	offer := &core.ClientRequest{Host: "server.example.com", Key: rfcKey,
		Protocols:  []string{"chat", "superchat"},
		Extensions: []core.Extension{{Name: "permessage-deflate"}}}
	ok := []struct {
		name string
		raw  string
	}{
		{"RFC §1.3 answer", response101("Sec-WebSocket-Protocol: chat")},
		{"no protocol", response101()},
		{"the other protocol", response101("Sec-WebSocket-Protocol: superchat")},
		{"odd case", crlf("HTTP/1.1 101 Switching Protocols", "upgrade: WebSocket", "CONNECTION: upgrade",
			"sec-websocket-accept: "+rfcAccept)},
		{"Connection with other tokens", crlf("HTTP/1.1 101 Switching Protocols", "Upgrade: websocket",
			"Connection: keep-alive, Upgrade", "Sec-WebSocket-Accept: "+rfcAccept)},
		{"bare LF, no reason phrase", lf("HTTP/1.1 101", "Upgrade: websocket", "Connection: Upgrade",
			"Sec-WebSocket-Accept: "+rfcAccept)},
		{"an offered extension", response101("Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover")},
	}
	for _, tt := range ok {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := core.ReadResponse(bufio.NewReader(strings.NewReader(tt.raw)), 0)
			if err != nil {
				t.Fatalf("ReadResponse: %v", err)
			}
			if resp.Status != 101 {
				t.Errorf("Status = %d", resp.Status)
			}
			if err := resp.Verify(offer); err != nil {
				t.Errorf("Verify: %v", err)
			}
		})
	}
	bad := []struct {
		name   string
		raw    string
		status int
		rule   core.Rule
	}{
		{"200 OK", crlf("HTTP/1.1 200 OK", "Content-Length: 0"), 200, core.RuleStatus101},
		{"426", crlf("HTTP/1.1 426 Upgrade Required", "Sec-WebSocket-Version: 13"), 426, core.RuleStatus101},
		{"403", crlf("HTTP/1.1 403 Forbidden"), 403, core.RuleStatus101},
		{"missing Upgrade", crlf("HTTP/1.1 101 Switching Protocols", "Connection: Upgrade",
			"Sec-WebSocket-Accept: "+rfcAccept), 101, core.RuleResponseUpgrade},
		{"Upgrade: h2c", crlf("HTTP/1.1 101 Switching Protocols", "Upgrade: h2c", "Connection: Upgrade",
			"Sec-WebSocket-Accept: "+rfcAccept), 101, core.RuleResponseUpgrade},
		{"Upgrade: websocket, h2c", crlf("HTTP/1.1 101 Switching Protocols", "Upgrade: websocket, h2c", "Connection: Upgrade",
			"Sec-WebSocket-Accept: "+rfcAccept), 101, core.RuleResponseUpgrade},
		{"missing Connection", crlf("HTTP/1.1 101 Switching Protocols", "Upgrade: websocket",
			"Sec-WebSocket-Accept: "+rfcAccept), 101, core.RuleResponseConnection},
		{"Connection: keep-alive", crlf("HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: keep-alive",
			"Sec-WebSocket-Accept: "+rfcAccept), 101, core.RuleResponseConnection},
		{"missing Accept", crlf("HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade"),
			101, core.RuleAcceptValue},
		{"wrong Accept", crlf("HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade",
			"Sec-WebSocket-Accept: "+referenceAccept(keyOf(16))), 101, core.RuleAcceptValue},
		{"the key echoed as Accept", crlf("HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade",
			"Sec-WebSocket-Accept: "+rfcKey), 101, core.RuleAcceptValue},
		{"Accept in lower case", crlf("HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade",
			"Sec-WebSocket-Accept: "+strings.ToLower(rfcAccept)), 101, core.RuleAcceptValue},
		{"duplicate Accept", response101("Sec-WebSocket-Accept: " + rfcAccept), 101, core.RuleAcceptValue},
		{"a protocol not offered", response101("Sec-WebSocket-Protocol: mqtt"), 101, core.RuleResponseProtocol},
		{"both protocols", response101("Sec-WebSocket-Protocol: chat, superchat"), 101, core.RuleResponseProtocol},
		{"a second protocol header not offered", response101("Sec-WebSocket-Protocol: chat", "Sec-WebSocket-Protocol: mqtt"),
			101, core.RuleResponseProtocol},
		{"an extension not offered", response101("Sec-WebSocket-Extensions: x-webkit-deflate-frame"), 101, core.RuleResponseExtension},
		{"an offered and an unoffered extension", response101("Sec-WebSocket-Extensions: permessage-deflate, foo"),
			101, core.RuleResponseExtension},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := core.ReadResponse(bufio.NewReader(strings.NewReader(tt.raw)), 0)
			if err != nil {
				t.Fatalf("ReadResponse: %v", err)
			}
			err = resp.Verify(offer)
			var he *core.HandshakeError
			if !errors.As(err, &he) {
				t.Fatalf("Verify = %v, want a *core.HandshakeError", err)
			}
			if he.Status != tt.status || he.Rule != tt.rule {
				t.Errorf("got %d %+v, want %d %+v", he.Status, he.Rule, tt.status, tt.rule)
			}
			if !strings.Contains(err.Error(), tt.rule.Cite()) {
				t.Errorf("Error() = %q, want it to cite %q", err, tt.rule.Cite())
			}
		})
	}
	// A client that offered no protocol refuses any.
	resp, err := core.ReadResponse(bufio.NewReader(strings.NewReader(response101("Sec-WebSocket-Protocol: chat"))), 0)
	if err != nil {
		t.Fatal(err)
	}
	var he *core.HandshakeError
	if err := resp.Verify(&core.ClientRequest{Key: rfcKey}); !errors.As(err, &he) || he.Rule != core.RuleResponseProtocol {
		t.Errorf("a protocol when none was offered: %v", err)
	}
	// The wrong-Accept error says what was expected.
	resp, _ = core.ReadResponse(bufio.NewReader(strings.NewReader(response101())), 0)
	err = resp.Verify(&core.ClientRequest{Key: keyOf(16)})
	if !errors.As(err, &he) || he.Rule != core.RuleAcceptValue || !strings.Contains(he.Detail, referenceAccept(keyOf(16))) {
		t.Errorf("Verify with another key = %v, want RuleAcceptValue naming %q", err, referenceAccept(keyOf(16)))
	}
}

func TestReadResponse(t *testing.T) {
	raw := response101("Sec-WebSocket-Protocol: chat")
	frame := "\x81\x05Hello"
	br := bufio.NewReader(iotest.OneByteReader(strings.NewReader(raw + frame)))
	resp, err := core.ReadResponse(br, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := &core.ServerResponse{Proto: "HTTP/1.1", Status: 101, Reason: "Switching Protocols", Header: core.Headers{
		{"Upgrade", "websocket"}, {"Connection", "Upgrade"}, {"Sec-WebSocket-Accept", rfcAccept}, {"Sec-WebSocket-Protocol", "chat"}}}
	if !reflect.DeepEqual(resp, want) {
		t.Errorf("ReadResponse = %+v, want %+v", resp, want)
	}
	if rest, _ := io.ReadAll(br); string(rest) != frame {
		t.Errorf("bytes after the head = %q, want %q", rest, frame)
	}

	bad := []struct {
		name string
		raw  string
		rule core.Rule
	}{
		{"no status code", crlf("HTTP/1.1", "Upgrade: websocket"), core.RuleStatusLine},
		{"2-digit status", crlf("HTTP/1.1 10 Switching", "Upgrade: websocket"), core.RuleStatusLine},
		{"4-digit status", crlf("HTTP/1.1 1010 Switching", "Upgrade: websocket"), core.RuleStatusLine},
		{"status not a number", crlf("HTTP/1.1 abc Switching", "Upgrade: websocket"), core.RuleStatusLine},
		{"not HTTP", crlf("ICY 200 OK", "Upgrade: websocket"), core.RuleStatusLine},
		{"a request", rfcRequest, core.RuleStatusLine},
		{"folded header", crlf("HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", " more"), core.RuleHeaderFolding},
		{"header without colon", crlf("HTTP/1.1 101 Switching Protocols", "Upgrade websocket"), core.RuleHeaderLine},
	}
	for _, tt := range bad {
		_, err := core.ReadResponse(bufio.NewReader(strings.NewReader(tt.raw)), 0)
		var he *core.HandshakeError
		if !errors.As(err, &he) || he.Rule != tt.rule {
			t.Errorf("%s: error = %v, want %+v", tt.name, err, tt.rule)
		}
	}
	_, err = core.ReadResponse(bufio.NewReader(strings.NewReader(response101("X-Big: "+strings.Repeat("a", 200)))), 100)
	var he *core.HandshakeError
	if !errors.As(err, &he) || he.Status != 431 || he.Rule != core.RuleHeaderTooLarge {
		t.Errorf("oversize response head: %v", err)
	}
	if _, err := core.ReadResponse(bufio.NewReader(strings.NewReader("HTTP/1.1 101 Switching")), 0); err != io.ErrUnexpectedEOF {
		t.Errorf("truncated response: %v, want io.ErrUnexpectedEOF", err)
	}
}

// serveHandshake runs the server side of the handshake on conn with core's
// parts, the way a server without net/http would, then writes after, the
// bytes that follow the 101 in the same write.
func serveHandshake(conn net.Conn, opts core.ResponseOptions, after []byte) (*core.Request, *bufio.Reader, error) {
	br := bufio.NewReader(conn)
	req, err := core.ReadRequest(br, 0)
	if err != nil {
		return nil, nil, err
	}
	if err := req.Validate(); err != nil {
		var he *core.HandshakeError
		if errors.As(err, &he) {
			conn.Write(he.AppendErrorResponse(nil))
		}
		return req, nil, err
	}
	out := req.NewResponse(opts).AppendResponse(nil)
	_, err = conn.Write(append(out, after...))
	return req, br, err
}

func TestHandshakeOverPipe(t *testing.T) {
	c, s := net.Pipe()
	defer c.Close()
	defer s.Close()
	// The server's first frame goes out in the same write as the 101: a
	// text frame "Hello" (RFC 6455 §5.7).
	first := []byte{0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}
	type result struct {
		req *core.Request
		err error
	}
	done := make(chan result, 1)
	go func() {
		req, _, err := serveHandshake(s, core.ResponseOptions{Protocols: []string{"superchat"}}, first)
		done <- result{req, err}
	}()
	creq := &core.ClientRequest{Host: "example.com", Target: "/chat", Origin: "http://example.com",
		Protocols: []string{"chat", "superchat"}}
	resp, br, err := core.Handshake(c, creq)
	if err != nil {
		t.Fatalf("Handshake: %v", err)
	}
	res := <-done
	if res.err != nil {
		t.Fatalf("server: %v", res.err)
	}
	if res.req.Key() != creq.Key || core.CheckKey(creq.Key) != nil {
		t.Errorf("server saw key %q, client filled in %q", res.req.Key(), creq.Key)
	}
	if res.req.Header.Get("Origin") != "http://example.com" {
		t.Errorf("Origin = %q", res.req.Header.Get("Origin"))
	}
	if resp.Status != 101 || resp.Header.Get("Sec-WebSocket-Accept") != referenceAccept(creq.Key) {
		t.Errorf("response = %+v", resp)
	}
	if got := resp.Header.Get("Sec-WebSocket-Protocol"); got != "superchat" {
		t.Errorf("protocol = %q, want superchat", got)
	}
	// The frame that came with the 101 is in br, and NewConn reads it.
	conn := core.NewConn(c, br, core.Client, core.Config{})
	op, msg, err := conn.ReadMessage(nil)
	if err != nil || op != core.OpText || string(msg) != "Hello" {
		t.Errorf("first message = %v %q %v, want text \"Hello\"", op, msg, err)
	}
}

func TestHandshakeRefused(t *testing.T) {
	c, s := net.Pipe()
	defer c.Close()
	done := make(chan error, 1)
	go func() {
		defer s.Close()
		// Answer a valid request with 403, as a server that refuses the
		// origin does.
		br := bufio.NewReader(s)
		if _, err := core.ReadRequest(br, 0); err != nil {
			done <- err
			return
		}
		he := &core.HandshakeError{Status: 403, Rule: core.RuleOrigin}
		_, err := s.Write(he.AppendErrorResponse(nil))
		done <- err
	}()
	resp, br, err := core.Handshake(c, &core.ClientRequest{Host: "h"})
	var he *core.HandshakeError
	if !errors.As(err, &he) || he.Status != 403 || he.Rule != core.RuleStatus101 {
		t.Fatalf("Handshake error = %v, want 403 and RuleStatus101", err)
	}
	if resp == nil || resp.Status != 403 || br != nil {
		t.Errorf("resp = %+v, br = %v", resp, br)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestHandshakeWrongAccept(t *testing.T) {
	c, s := net.Pipe()
	defer c.Close()
	go func() {
		defer s.Close()
		br := bufio.NewReader(s)
		if _, err := core.ReadRequest(br, 0); err != nil {
			return
		}
		// Accept computed for another key.
		s.Write((&core.Response{Accept: rfcAccept}).AppendResponse(nil))
	}()
	_, _, err := core.Handshake(c, &core.ClientRequest{Host: "h"})
	var he *core.HandshakeError
	if !errors.As(err, &he) || he.Rule != core.RuleAcceptValue {
		t.Fatalf("Handshake error = %v, want RuleAcceptValue", err)
	}
}
