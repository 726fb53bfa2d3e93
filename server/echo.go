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
			if cap(msg) <= 64<<10 {
				buf = msg // reuse a small buffer; let a big one go
			}
		}
	}
}
