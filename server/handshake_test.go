//go:build !js

package main

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"wsplay/core"
)

// Bad opening handshakes, written by hand over a real TCP socket: each gets
// its status and a body that names the rule, and the server keeps serving.
func TestHandshakeBadInputs(t *testing.T) {
	ts := startServer(t, nil)
	a := ts.addr
	key := "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	cases := []struct {
		name   string
		req    string
		status int
		body   string // a substring of the body
		header [2]string
	}{
		{"missing key", "GET /ws/echo HTTP/1.1\r\nHost: " + a + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n",
			400, "exactly one Sec-WebSocket-Key", [2]string{}},
		{"bad key length", "GET /ws/echo HTTP/1.1\r\nHost: " + a + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dG9vc2hvcnQ=\r\nSec-WebSocket-Version: 13\r\n\r\n",
			400, "decodes to 8 bytes", [2]string{}},
		{"key not base64", "GET /ws/echo HTTP/1.1\r\nHost: " + a + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: not base64!!\r\nSec-WebSocket-Version: 13\r\n\r\n",
			400, "is not base64", [2]string{}},
		{"version 8", "GET /ws/echo HTTP/1.1\r\nHost: " + a + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" + key + "Sec-WebSocket-Version: 8\r\n\r\n",
			426, "Sec-WebSocket-Version must be 13", [2]string{"Sec-WebSocket-Version", "13"}},
		{"POST", "POST /ws/echo HTTP/1.1\r\nHost: " + a + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" + key + "Sec-WebSocket-Version: 13\r\nContent-Length: 0\r\n\r\n",
			405, "must be an HTTP GET request", [2]string{"Allow", "GET"}},
		{"missing Upgrade", "GET /ws/echo HTTP/1.1\r\nHost: " + a + "\r\nConnection: Upgrade\r\n" + key + "Sec-WebSocket-Version: 13\r\n\r\n",
			400, `Upgrade header that contains the token "websocket"`, [2]string{}},
		{"missing Connection", "GET /ws/echo HTTP/1.1\r\nHost: " + a + "\r\nUpgrade: websocket\r\n" + key + "Sec-WebSocket-Version: 13\r\n\r\n",
			400, `Connection header that contains the token "Upgrade"`, [2]string{}},
		{"HTTP/1.0", "GET /ws/echo HTTP/1.0\r\nHost: " + a + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" + key + "Sec-WebSocket-Version: 13\r\n\r\n",
			400, "HTTP/1.1 or later", [2]string{}},
		{"cross-site origin", handshakeHead(a, "/ws/echo", "Origin: http://evil.example\r\n"),
			403, "-origin http://evil.example", [2]string{}},
		{"oversize headers", "GET /ws/echo HTTP/1.1\r\nHost: " + a + "\r\nX-Big: " + strings.Repeat("a", 20<<10) + "\r\n\r\n",
			431, "Request Header Fields Too Large", [2]string{}},
		{"garbage", "\x16\x03\x01\x02\x00hello\r\n\r\n", 400, "Bad Request", [2]string{}},
		{"garbage request line", "HELLO\r\n\r\n", 400, "Bad Request", [2]string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := rawResponse(t, a, tc.req)
			if resp.StatusCode != tc.status || !strings.Contains(body, tc.body) {
				t.Fatalf("got %d %q, want %d with %q", resp.StatusCode, body, tc.status, tc.body)
			}
			if tc.header[0] != "" && resp.Header.Get(tc.header[0]) != tc.header[1] {
				t.Fatalf("%s: %q, want %q", tc.header[0], resp.Header.Get(tc.header[0]), tc.header[1])
			}
			if ct := resp.Header.Get("Content-Type"); tc.status != 400 || !strings.HasPrefix(tc.name, "garbage") {
				if !strings.HasPrefix(ct, "text/plain") {
					t.Fatalf("Content-Type %q, want a readable text/plain body", ct)
				}
			}
		})
	}
	// Still serving.
	c := coreDial(t, a, "/ws/echo", core.Config{})
	c.WriteMessage(core.OpText, []byte("still here"))
	if _, msg, err := c.ReadMessage(nil); err != nil || string(msg) != "still here" {
		t.Fatalf("after the bad handshakes: %q, %v", msg, err)
	}
}

// upgradeRaw sends a raw head and checks that the server switches
// protocols with the right Accept value, then echoes a message.
func upgradeRaw(t *testing.T, nc net.Conn, write func(string)) {
	t.Helper()
	br := bufio.NewReader(nc)
	resp, err := core.ReadResponse(br, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := resp.Verify(&core.ClientRequest{Key: "dGhlIHNhbXBsZSBub25jZQ=="}); err != nil {
		t.Fatal(err)
	}
	if got := resp.Header.Get("Sec-WebSocket-Accept"); got != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Fatalf("Accept %q", got) // the example of RFC 6455 §1.3
	}
	c := core.NewConn(nc, br, core.Client, core.Config{})
	c.WriteMessage(core.OpText, []byte("hi"))
	if _, msg, err := c.ReadMessage(nil); err != nil || string(msg) != "hi" {
		t.Fatalf("echo: %q, %v", msg, err)
	}
	c.Close(core.StatusNormalClosure, "")
}

func TestHandshakeOddHeaderCase(t *testing.T) {
	ts := startServer(t, nil)
	nc := dialTCP(t, ts.addr)
	io.WriteString(nc, "GET /ws/echo HTTP/1.1\r\nhOST: "+ts.addr+"\r\nuPgRaDe: WebSocket\r\nconnection: keep-alive, UPGRADE\r\n"+
		"sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nSEC-WEBSOCKET-VERSION: 13\r\n\r\n")
	upgradeRaw(t, nc, nil)
}

func TestHandshakeDribbled(t *testing.T) {
	ts := startServer(t, nil)
	nc := dialTCP(t, ts.addr)
	req := handshakeHead(ts.addr, "/ws/echo")
	for i := range len(req) {
		if _, err := nc.Write([]byte{req[i]}); err != nil {
			t.Fatal(err)
		}
		// A pause makes each byte its own TCP segment: this is the
		// behaviour under test, not a wait for a condition.
		time.Sleep(200 * time.Microsecond)
	}
	upgradeRaw(t, nc, nil)
}

// A client that sends its head too slowly (slowloris) is cut off after the
// handshake timeout.
func TestHandshakeTimeout(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.HandshakeTimeout = 200 * time.Millisecond })
	nc := dialTCP(t, ts.addr)
	io.WriteString(nc, "GET /ws/echo HTTP/1.1\r\nHost: x\r\n")
	start := time.Now()
	nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err := io.Copy(io.Discard, nc)
	if err != nil {
		t.Fatalf("expected the server to close the connection, got %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("closed after %v", d)
	}
}

// The connection limit answers 503 with a reason, and frees its slot when
// a connection ends.
func TestConnectionLimit(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.MaxConns = 2 })
	c1 := coreDial(t, ts.addr, "/ws/echo", core.Config{})
	coreDial(t, ts.addr, "/ws/chat", core.Config{})
	resp, body := rawResponse(t, ts.addr, handshakeHead(ts.addr, "/ws/echo"))
	if resp.StatusCode != 503 || !strings.Contains(body, "-max-conns") || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("over the limit: %d %q", resp.StatusCode, body)
	}
	c1.Close(core.StatusNormalClosure, "")
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, _ := rawResponse(t, ts.addr, handshakeHead(ts.addr, "/ws/echo"))
		if resp.StatusCode == 101 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the slot was not freed: %d", resp.StatusCode)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
