//go:build !js

package main

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"wsplay/core"
)

// The -max-conns default follows the open-file limit, within its bounds.
func TestMaxConnsFor(t *testing.T) {
	for _, tc := range []struct {
		files uint64
		want  int
	}{
		{0, maxConnsCeiling},          // unknown
		{^uint64(0), maxConnsCeiling}, // unlimited
		{64, 128},                     // tiny: the floor
		{256, 128},
		{1024, 672},
		{4096, 2976},
		{524288, maxConnsCeiling},
	} {
		if got := maxConnsFor(tc.files); got != tc.want {
			t.Errorf("maxConnsFor(%d) = %d, want %d", tc.files, got, tc.want)
		}
	}
	// 200 students with three tabs of the page (three WebSockets each)
	// fit in the default of a raised limit, with room for lessons.
	if maxConnsFor(1<<19) < 200*3*3 {
		t.Errorf("the default does not hold a class of 200")
	}
}

// dialFrom opens a TCP connection to addr from the local address ip (a
// loopback address standing in for a student's machine).
func dialFrom(t testing.TB, ip, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: testDeadline}
	nc, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	nc.SetDeadline(time.Now().Add(testDeadline))
	t.Cleanup(func() { nc.Close() })
	return nc
}

// wsFrom opens a WebSocket from ip; on a refusal it returns the status
// and the body instead.
func wsFrom(t testing.TB, ip, addr, target string) (*core.Conn, int, string) {
	t.Helper()
	nc := dialFrom(t, ip, addr)
	key := core.NewKey()
	io.WriteString(nc, "GET "+target+" HTTP/1.1\r\nHost: "+addr+"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "+key+"\r\n\r\n")
	br := bufio.NewReader(nc)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		body, _ := io.ReadAll(resp.Body)
		nc.Close()
		return nil, resp.StatusCode, string(body)
	}
	c := core.NewConn(nc, br, core.Client, core.Config{MaxMessageSize: 1 << 20})
	t.Cleanup(func() { c.CloseNow() })
	return c, resp.StatusCode, ""
}

// One student's address may hold -max-conns-per-addr WebSockets; the next
// gets 429 naming the flag, while other students and the teacher's own
// machine are not held back, and a closed connection frees its place.
func TestPerAddressCap(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.MaxConnsPerAddr = 3 })
	var mine []*core.Conn
	for i := 0; i < 3; i++ {
		c, status, body := wsFrom(t, "127.0.0.2", ts.addr, "/ws/echo")
		if c == nil {
			t.Fatalf("connection %d from 127.0.0.2: %d %s", i+1, status, body)
		}
		mine = append(mine, c)
	}
	if c, status, body := wsFrom(t, "127.0.0.2", ts.addr, "/ws/echo"); c != nil || status != http.StatusTooManyRequests ||
		!strings.Contains(body, "-max-conns-per-addr") || !strings.Contains(body, "127.0.0.2") {
		t.Fatalf("a fourth from 127.0.0.2: %d %q, want 429 naming -max-conns-per-addr and the address", status, body)
	}
	if c, status, body := wsFrom(t, "127.0.0.3", ts.addr, "/ws/echo"); c == nil {
		t.Fatalf("another student refused: %d %s", status, body)
	}
	for i := 0; i < 6; i++ { // the teacher: 127.0.0.1 to the server on 127.0.0.1
		if c, status, body := wsFrom(t, "127.0.0.1", ts.addr, "/ws/echo"); c == nil {
			t.Fatalf("the teacher's machine refused: %d %s", status, body)
		}
	}
	// Closing one frees a place, once the server has seen it go.
	mine[0].Close(core.StatusNormalClosure, "")
	deadline := time.Now().Add(testDeadline)
	for {
		c, status, body := wsFrom(t, "127.0.0.2", ts.addr, "/ws/echo")
		if c != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the place of a closed connection was not freed: %d %s", status, body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Handshakes from one address beyond the burst are refused with 429
// naming -handshake-rate, however few stay open.
func TestHandshakeRate(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.HandshakeRate = 0.01 })
	for i := 0; i < handshakeBurst; i++ {
		c, status, body := wsFrom(t, "127.0.0.2", ts.addr, "/ws/echo")
		if c == nil {
			t.Fatalf("handshake %d: %d %s", i+1, status, body)
		}
		c.CloseNow()
	}
	if c, status, body := wsFrom(t, "127.0.0.2", ts.addr, "/ws/echo"); c != nil || status != http.StatusTooManyRequests ||
		!strings.Contains(body, "-handshake-rate") {
		t.Fatalf("handshake %d: %d %q, want 429 naming -handshake-rate", handshakeBurst+1, status, body)
	}
	if c, status, body := wsFrom(t, "127.0.0.3", ts.addr, "/ws/echo"); c == nil {
		t.Fatalf("another student refused: %d %s", status, body)
	}
}

// The chat's rate limit holds per address: a student who reconnects, or
// opens a second tab, does not get a fresh allowance. Joins are limited per
// address too.
func TestChatLimitsPerAddress(t *testing.T) {
	t.Run("messages", func(t *testing.T) {
		// With the per-address cap of sockets off (a class behind
		// one NAT address), the chat's per-address rate still holds.
		ts := startServer(t, func(c *Config) { c.ChatRate, c.ChatBurst, c.MaxConnsPerAddr = 0.01, 3, 0 })
		a, _, _ := wsFrom(t, "127.0.0.2", ts.addr, "/ws/chat?nick=A")
		until(t, coreChat{a}, "join")
		for i := 0; i < 3; i++ {
			if err := a.WriteMessage(core.OpText, []byte("hi")); err != nil {
				t.Fatal(err)
			}
			until(t, coreChat{a}, "message")
		}
		a.Close(core.StatusNormalClosure, "")
		b, _, _ := wsFrom(t, "127.0.0.2", ts.addr, "/ws/chat?nick=B")
		until(t, coreChat{b}, "join")
		b.WriteMessage(core.OpText, []byte("one more"))
		wantClose(t, b, core.StatusPolicyViolation, "per address")
		// Another student still talks.
		c, _, _ := wsFrom(t, "127.0.0.3", ts.addr, "/ws/chat?nick=C")
		until(t, coreChat{c}, "join")
		c.WriteMessage(core.OpText, []byte("hello"))
		if ev := until(t, coreChat{c}, "message"); ev.Text != "hello" {
			t.Fatalf("C: %+v", ev)
		}
	})
	t.Run("joins", func(t *testing.T) {
		ts := startServer(t, func(c *Config) { c.ChatJoins = 3 })
		for i := 0; i < 3; i++ {
			c, _, _ := wsFrom(t, "127.0.0.2", ts.addr, "/ws/chat")
			until(t, coreChat{c}, "welcome")
			c.Close(core.StatusNormalClosure, "")
		}
		c, _, _ := wsFrom(t, "127.0.0.2", ts.addr, "/ws/chat")
		wantClose(t, c, core.StatusPolicyViolation, "-chat-joins")
	})
}

// wantClose reads until the connection ends and checks its close code and
// that the reason contains word.
func wantClose(t *testing.T, c *core.Conn, code core.StatusCode, word string) {
	t.Helper()
	for {
		_, _, err := c.ReadMessage(nil)
		if err == nil {
			continue
		}
		var ce *core.CloseError
		if !errors.As(err, &ce) || ce.Code != code || !strings.Contains(ce.Reason, word) {
			t.Fatalf("got %v, want close %d with %q", err, code, word)
		}
		return
	}
}
