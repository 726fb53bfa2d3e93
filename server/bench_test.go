//go:build !js

package main

import (
	"fmt"
	"testing"

	"wsplay/core"
)

// BenchmarkEchoRoundTrip measures one message to /ws/echo and back over
// loopback TCP with core's client: the cost a conformance suite or a load
// test sees, handshake excluded.
func BenchmarkEchoRoundTrip(b *testing.B) {
	ts := startServer(b, nil)
	for _, n := range []int{16, 1 << 10, 64 << 10, 1 << 20} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			c := coreDial(b, ts.addr, "/ws/echo", core.Config{})
			msg := payload(core.OpBinary, n)
			buf := make([]byte, 0, n)
			b.SetBytes(int64(2 * n))
			b.ReportAllocs()
			for b.Loop() {
				if err := c.WriteMessage(core.OpBinary, msg); err != nil {
					b.Fatal(err)
				}
				var err error
				if _, buf, err = c.ReadMessage(buf[:0]); err != nil || len(buf) != n {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkChatBroadcast measures one chat message delivered to 10
// members.
func BenchmarkChatBroadcast(b *testing.B) {
	ts := startServer(b, func(c *Config) { c.ChatRate = 0 })
	const members = 10
	conns := make([]*core.Conn, members)
	for i := range conns {
		conns[i] = coreDial(b, ts.addr, fmt.Sprintf("/ws/chat?nick=m%d", i), core.Config{})
	}
	// Drain the welcomes, histories and joins: member i sees members-i joins.
	for i, c := range conns {
		for range 1 + members - i {
			if _, _, err := c.ReadMessage(nil); err != nil {
				b.Fatal(err)
			}
		}
	}
	text := []byte("hello, room")
	b.ReportAllocs()
	for b.Loop() {
		conns[0].WriteMessage(core.OpText, text)
		for _, c := range conns {
			if _, _, err := c.ReadMessage(nil); err != nil {
				b.Fatal(err)
			}
		}
	}
}
