//go:build !js

package main

import (
	"net/http"

	"wsplay/core"
)

// echo is /ws/echo: every message comes back unchanged, text as text and
// binary as binary. The protocol itself (fragments, control frames, UTF-8,
// the closing handshake, failing with 1002/1007/1009) is core.Conn's work,
// which makes this the endpoint to run conformance suites against.
func (s *Server) echo(r *http.Request) (core.Config, wsHandler) {
	return core.Config{MaxMessageSize: s.cfg.MaxMessage}, func(c *wsConn) error {
		var buf []byte
		for {
			op, msg, err := c.conn.ReadMessage(buf[:0])
			if err != nil {
				return err
			}
			// A fragmented message goes back as one frame: fragmentation
			// is not part of a message's meaning (§5.4).
			if err := c.conn.WriteMessage(op, msg); err != nil {
				return err
			}
			if cap(msg) <= keepEchoBuffer {
				buf = msg // reuse the buffer; let a big one go
			}
		}
	}
}

// keepEchoBuffer is the largest read buffer an echo connection keeps
// between messages: reusing it makes the steady state allocation-free,
// and the bound keeps 128 idle connections under 32 MiB after one big
// message each.
const keepEchoBuffer = 256 << 10
