package core

// Control frames, RFC 6455 §5.5: a ping is answered with a pong carrying
// the same payload (§5.5.2), a pong is handed to Config.OnPong (§5.5.3),
// and a close frame starts or answers the closing handshake (§5.5.1, see
// closing.go). Control frames may come between the fragments of a message
// and are at most 125 bytes, never fragmented (CheckFrameHeader).

import (
	"errors"
	"io"
)

// handleControl reads a control frame's payload and acts on it (§5.5).
func (c *Conn) handleControl(h FrameHeader) error {
	p := c.ctrl[:h.Length] // CheckFrameHeader guarantees <= 125
	if _, err := io.ReadFull(c.fr, p); err != nil {
		return c.readFailed(err)
	}
	if c.cfg.OnFrame != nil {
		c.observeIn(h, p)
	}
	switch h.Opcode {
	case OpPing:
		// §5.5.2: answer with a pong carrying the same payload, unless
		// our close frame is already out.
		err := c.writeFrame(true, OpPong, p, false)
		if err != nil && !errors.Is(err, ErrClosed) {
			// The pong could not go out (a peer that does not read
			// meets the write deadline): that error is why the
			// connection ends, not the closed stream a later read
			// would report.
			c.markCloseReceived()
			c.closeStream()
			return err
		}
	case OpPong:
		if c.cfg.OnPong != nil {
			c.cfg.OnPong(p)
		}
	case OpClose:
		code, reason, err := ParseClosePayload(p)
		if err != nil {
			return c.fail(err.(*ProtocolError))
		}
		c.markCloseReceived()
		// §5.5.1: answer with a close frame, echoing the code, unless we
		// sent ours first; then the server closes the TCP connection
		// (§7.1.1). A client waits a little for the server to do so.
		c.writeFrame(true, OpClose, AppendClosePayload(c.ctrl[:0], code, ""), true)
		if c.role == Client {
			c.awaitEOF()
		}
		c.closeStream()
		return &CloseError{Code: code, Reason: reason}
	}
	return nil
}

// Ping sends a ping with payload p (at most 125 bytes, §5.5); the peer
// answers with a pong that goes to Config.OnPong.
func (c *Conn) Ping(p []byte) error {
	if len(p) > MaxControlPayload {
		return newProtocolError(StatusProtocolError, RuleControlLength)
	}
	return c.writeFrame(true, OpPing, p, false)
}
