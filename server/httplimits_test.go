//go:build !js

package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// A request whose body never arrives is dropped after -handshake-timeout,
// like a head that never ends.
func TestBodyThatNeverArrives(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.HandshakeTimeout = 300 * time.Millisecond })
	for _, path := range []string{"/", "/ws/echo", "/nowhere"} {
		nc := dialTCP(t, ts.addr)
		io.WriteString(nc, "POST "+path+" HTTP/1.1\r\nHost: "+ts.addr+"\r\nContent-Length: 100000\r\n\r\nonly a little")
		start := time.Now()
		io.Copy(io.Discard, nc) // until the server closes
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("POST %s: connection held %v", path, d)
		}
	}
}

// Plain HTTP connections are bounded per client address and in all: idle
// connections from one machine cannot use up the server's descriptors, and
// the next one is told why (429 for the address's limit, 503 for the
// server's), while another machine is still served.
func TestHTTPConnectionLimits(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.MaxHTTPConns, c.MaxHTTPPerAddr = 6, 3 })
	get := func(nc net.Conn) (*http.Response, string) {
		io.WriteString(nc, "GET / HTTP/1.1\r\nHost: "+ts.addr+"\r\n\r\n")
		return readResponse(t, bufio.NewReader(nc))
	}
	// Three idle connections from 127.0.0.2 (which sent nothing yet).
	for i := 0; i < 3; i++ {
		dialFrom(t, "127.0.0.2", ts.addr)
	}
	time.Sleep(100 * time.Millisecond) // let the server accept them
	resp, body := get(dialFrom(t, "127.0.0.2", ts.addr))
	if resp.StatusCode != 429 || !strings.Contains(body, "-max-http-conns-per-addr") {
		t.Fatalf("fourth connection from one address: %d %q, want 429 naming the flag", resp.StatusCode, body)
	}
	// Another machine is served, until the total is reached.
	keep := dialFrom(t, "127.0.0.3", ts.addr)
	if resp, _ := get(keep); resp.StatusCode != 200 {
		t.Fatalf("another address: %d", resp.StatusCode)
	}
	dialFrom(t, "127.0.0.4", ts.addr)
	dialFrom(t, "127.0.0.5", ts.addr)
	time.Sleep(100 * time.Millisecond)
	resp, body = get(dialFrom(t, "127.0.0.6", ts.addr))
	if resp.StatusCode != 503 || !strings.Contains(body, "-max-http-conns)") {
		t.Fatalf("seventh connection: %d %q", resp.StatusCode, body)
	}
	// An upgraded connection stops counting: a WebSocket from 127.0.0.3
	// frees its HTTP place.
	keep.Close()
	time.Sleep(100 * time.Millisecond)
	if resp, _ := get(dialFrom(t, "127.0.0.7", ts.addr)); resp.StatusCode != 200 {
		t.Fatalf("after a connection closed: %d", resp.StatusCode)
	}
}
