//go:build !js

package main

import (
	"bufio"
	"io"
	"strings"
	"testing"
	"time"

	"wsplay/core"
)

// A bad frame that arrives in the same TCP segment as the handshake is
// answered at once: the server does not wait for more bytes before it
// reads what it already holds.
func TestBadFrameInTheHandshakeSegment(t *testing.T) {
	ts := startServer(t, nil)
	for _, path := range []string{"/ws/echo", "/ws/inspect", "/ws/chat?nick=Ada"} {
		nc := dialTCP(t, ts.addr)
		// RSV1 set, no extension negotiated: 1002 (§5.2), decided from
		// the first two bytes, before the key and the payload arrive.
		bad := []byte{0xc1, 0x85} // the first two bytes already break the rule
		if _, err := nc.Write(append([]byte(handshakeHead(ts.addr, path)), bad...)); err != nil {
			t.Fatal(err)
		}
		nc.SetReadDeadline(time.Now().Add(2 * time.Second))
		br := bufio.NewReader(nc)
		resp, _ := readResponse(t, br)
		if resp.StatusCode != 101 {
			t.Fatalf("%s: status %d", path, resp.StatusCode)
		}
		c := core.NewConn(nc, br, core.Client, core.Config{})
		var err error
		for err == nil {
			_, _, err = c.ReadMessage(nil) // the chat's history and join come first
		}
		if code := closeCode(err); code != core.StatusProtocolError {
			t.Errorf("%s: %v, want a close with 1002 within 2s", path, err)
		}
	}
}

// An upgrade request with a body is refused: the bytes of the body would
// otherwise be read as frames (a desync behind a proxy).
func TestUpgradeWithBodyRefused(t *testing.T) {
	ts := startServer(t, nil)
	head := handshakeHead(ts.addr, "/ws/echo")
	head = strings.TrimSuffix(head, "\r\n")
	for _, extra := range []string{"Content-Length: 6\r\n\r\n\x81\x80abcd", "Transfer-Encoding: chunked\r\n\r\n6\r\n\x81\x80abcd\r\n0\r\n\r\n"} {
		resp, body := rawResponse(t, ts.addr, head+extra)
		if resp.StatusCode != 400 || !strings.Contains(body, "body") {
			t.Errorf("%q: %d %q, want 400 naming the body", extra[:20], resp.StatusCode, body)
		}
		io.Copy(io.Discard, resp.Body)
	}
}
