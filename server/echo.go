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
		// ReadLoop rather than a ReadMessage loop: on a socket it answers
		// each message inside one read system call and holds no buffer
		// while the connection is idle (see core.Conn.ReadLoop).
		return c.conn.ReadLoop(func(op core.Opcode, msg []byte) error {
			// A fragmented message goes back as one frame:
			// fragmentation is not part of a message's meaning (§5.4).
			return c.conn.WriteMessage(op, msg)
		})
	}
}
