package core

// Reading messages, RFC 6455 §5.4–§5.6 and §8.1: frames are read one by
// one through the FrameReader, control frames in between are handled
// (control.go), the payloads of a fragmented message are joined, text is
// checked as it arrives, and a peer that breaks a rule fails the
// connection (closing.go). ReadLoop (readloop.go) is the faster loop the
// server runs; it falls back on this general path for anything unusual.

import (
	"errors"
	"io"
	"strconv"
)

// ReadMessage reads the next data message and appends its payload to dst,
// returning the opcode (OpText or OpBinary) and the extended slice; pass
// buf[:0] to reuse a buffer, which makes the steady state allocation-free.
// Control frames that arrive meanwhile, between fragments too, are handled:
// a ping is answered with a pong, a pong goes to Config.OnPong, a close
// frame is answered and ends the connection.
//
// After the peer's close frame it returns a *CloseError; after a broken rule
// a *ProtocolError (the connection has then been failed with its code); if
// the stream ends without a close frame, a *CloseError with 1006.
func (c *Conn) ReadMessage(dst []byte) (Opcode, []byte, error) {
	c.readMu.Lock()
	defer c.readMu.Unlock()
	op, dst, err := c.nextMessage(dst)
	c.releaseBudget() // the message is the caller's now
	return op, dst, err
}

// nextMessage is ReadMessage for a caller that holds readMu (ReadLoop):
// once reading failed it keeps failing. A message read on the general
// path keeps what it took of cfg.Budget until the caller releases it.
func (c *Conn) nextMessage(dst []byte) (Opcode, []byte, error) {
	if c.readErr != nil {
		return 0, dst, c.readErr
	}
	op, dst, err := c.readMessage(dst)
	if err != nil {
		c.readErr = err
	}
	return op, dst, err
}

func (c *Conn) readMessage(dst []byte) (Opcode, []byte, error) {
	if c.cfg.OnFrame == nil {
		if op, out, ok := c.fr.wholeMessage(dst, c.cfg.MaxMessageSize); ok {
			return op, out, nil
		}
	}
	op, dst, err := c.readMessageGeneral(dst)
	if err != nil {
		c.releaseBudget()
	}
	c.fr.br.idle.messageDone()
	return op, dst, err
}

// releaseBudget gives back what the last message took from cfg.Budget.
// ReadMessage does it when it returns: the message is then the caller's.
// ReadLoop does it after the handler returns, so a message being echoed
// still counts.
func (c *Conn) releaseBudget() {
	if c.taken > 0 {
		c.cfg.Budget.give(c.taken)
		c.taken = 0
	}
}

// readMessageGeneral is readMessage for everything the fast path does not
// take: frame by frame, with control frames in between.
func (c *Conn) readMessageGeneral(dst []byte) (Opcode, []byte, error) {
	var op Opcode
	compressed := false // RSV1 on the first frame (RFC 7692 §6)
	limit := c.cfg.MaxMessageSize
	start := len(dst)
	c.utf8 = utf8Validator{}
	for {
		h, err := c.fr.NextFrame()
		if err != nil {
			if c.cfg.OnFrame != nil && isProtocolError(err) {
				// A learner most wants to see the frame that broke
				// the rule: report its header before the close frame.
				c.cfg.OnFrame(Received, c.fr.HeaderBytes())
			}
			return 0, dst, c.readFailed(err)
		}
		if c.cfg.OnFrame != nil {
			c.wireIn = append(c.wireIn[:0], c.fr.HeaderBytes()...)
		}
		if h.Opcode.IsControl() {
			if err := c.handleControl(h); err != nil {
				return 0, dst, err
			}
			continue
		}
		if h.Opcode != OpContinuation {
			op = h.Opcode
			if compressed = h.Rsv&rsvCompressed != 0 && c.deflate != nil; compressed {
				// The limit is on the inflated message, checked while
				// inflating; the compressed bytes only must not exceed
				// what such a message can take.
				limit = compressedWireLimit(c.cfg.MaxMessageSize)
			}
			// A message must arrive whole within the idle timeout:
			// bytes trickling in one at a time would otherwise keep
			// a half-read message, and its memory, for ever.
			c.fr.br.idle.messageStarted()
		}
		if uint64(len(dst)-start)+h.Length > uint64(limit) {
			if c.cfg.OnFrame != nil {
				c.cfg.OnFrame(Received, c.wireIn)
			}
			return 0, dst, c.fail(&ProtocolError{Code: StatusMessageTooBig, Rules: []Rule{{ID: RuleMessageTooBig.ID,
				Text: RuleMessageTooBig.Text + " (" + strconv.FormatInt(c.cfg.MaxMessageSize, 10) + " bytes)", Section: RuleMessageTooBig.Section}}})
		}
		payloadStart := len(dst)
		if dst, err = c.readPayload(dst, op == OpText && !compressed); err != nil {
			if pe, ok := err.(*ProtocolError); ok {
				// Invalid UTF-8: report the frame as far as it was
				// read, then fail the connection.
				if c.cfg.OnFrame != nil {
					c.observeIn(h, dst[payloadStart:])
				}
				return 0, dst, c.fail(pe)
			}
			return 0, dst, err
		}
		if c.cfg.OnFrame != nil && !(h.Fin && compressed) {
			c.observeIn(h, dst[len(dst)-int(h.Length):])
		}
		if h.Fin {
			if compressed {
				// The last frame is reported after OnCompressed, so
				// that an observer can show the message inflated with
				// it; or, when it does not inflate, before the close
				// frame that fails the connection.
				var charged int64
				if c.cfg.OnFrame != nil {
					charged = c.assembleIn(h, dst[len(dst)-int(h.Length):])
				}
				if dst, err = c.inflateMessage(dst, start, op == OpText); err != nil {
					if c.cfg.OnFrame != nil {
						c.reportIn(charged)
					}
					return 0, dst, c.fail(err.(*ProtocolError))
				}
				if c.cfg.OnCompressed != nil {
					c.cfg.OnCompressed(Received, dst[start:])
				}
				if c.cfg.OnFrame != nil {
					c.reportIn(charged)
				}
			}
			if op == OpText && !c.utf8.complete() {
				return 0, dst, c.fail(newProtocolError(StatusInvalidPayload, RuleInvalidUTF8))
			}
			return op, dst, nil
		}
	}
}

// readPayload appends the current frame's payload to dst. It grows dst as
// bytes arrive rather than by the announced length, so a header that
// announces a huge frame costs nothing until the bytes exist, and it checks
// text a piece at a time, so invalid UTF-8 is caught at once: it returns the
// *ProtocolError for the caller to fail the connection with.
func (c *Conn) readPayload(dst []byte, text bool) ([]byte, error) {
	for c.fr.Remaining() > 0 {
		if len(dst) == cap(dst) {
			// A frame of up to 64 KiB gets its room at once: the
			// buffer is then exactly the size a loop keeps for the
			// next message. Beyond, room doubles as bytes arrive.
			grow := max(len(dst), c.cfg.ReadBufferSize)
			if c.fr.Remaining() <= keepMessageBuffer || uint64(grow) > c.fr.Remaining() {
				grow = int(c.fr.Remaining())
			}
			var err error
			if dst, err = c.growMessage(dst, grow); err != nil {
				return dst, err
			}
		}
		free := dst[len(dst):cap(dst)]
		if uint64(len(free)) > c.fr.Remaining() {
			free = free[:c.fr.Remaining()]
		}
		n, err := c.fr.Read(free)
		dst = dst[:len(dst)+n]
		if text && !c.utf8.feed(free[:n]) {
			return dst, newProtocolError(StatusInvalidPayload, RuleInvalidUTF8)
		}
		if err != nil {
			return dst, c.readFailed(err)
		}
	}
	return dst, nil
}

// growMessage gives the message buffer dst room for grow more bytes,
// counting them toward cfg.Budget beyond FreeMessageBytes. It returns the
// *ProtocolError of RuleServerBusy when the budget is spent.
func (c *Conn) growMessage(dst []byte, grow int) ([]byte, error) {
	if b := c.cfg.Budget; b != nil && cap(dst)+grow > FreeMessageBytes {
		// Reserve the room asked for, then account for what append
		// really gave (it rounds up).
		need := int64(cap(dst)+grow-FreeMessageBytes) - c.taken
		if !b.take(need) {
			return dst, newProtocolError(StatusTryAgainLater, RuleServerBusy)
		}
		c.taken += need
		dst = append(dst[:cap(dst)], make([]byte, grow)...)[:len(dst)]
		if extra := int64(cap(dst)-FreeMessageBytes) - c.taken; extra > 0 {
			b.force(extra) // already allocated: counted even past the limit
			c.taken += extra
		}
		return dst, nil
	}
	return append(dst[:cap(dst)], make([]byte, grow)...)[:len(dst)], nil
}

// observeIn reports a received frame's wire bytes. The payload was unmasked
// in place; masking it again into the copy restores the bytes as they were
// on the wire, key and all. With ObserveEnds, a long payload is copied by
// its two ends only.
func (c *Conn) observeIn(h FrameHeader, payload []byte) {
	c.reportIn(c.assembleIn(h, payload))
}

// assembleIn is the first half of observeIn: the frame's wire bytes in
// c.wireIn, ready for reportIn, which must follow. A compressed message's
// last frame is assembled before the payload is inflated over it, and
// reported after OnCompressed.
func (c *Conn) assembleIn(h FrameHeader, payload []byte) (charged int64) {
	if c.observeEnds(len(payload)) {
		c.wireIn = c.appendEnds(c.wireIn, h, payload)
		return 0
	}
	n := len(c.wireIn)
	charged = c.chargeCopy(n + len(payload))
	c.wireIn = append(c.wireIn, payload...)
	if h.Masked {
		Mask(h.Key, 0, c.wireIn[n:])
	}
	return charged
}

// reportIn hands the frame assembleIn assembled to OnFrame.
func (c *Conn) reportIn(charged int64) {
	c.cfg.OnFrame(Received, c.wireIn)
	c.unchargeCopy(charged)
	if cap(c.wireIn) > keepMessageBuffer+MaxHeaderSize {
		// A connection that once received a large frame must not keep
		// its copy for as long as it lives.
		c.wireIn = nil
	}
}

// isProtocolError reports whether err is a *ProtocolError. It is a function
// of its own so that the variable errors.As needs escapes only on this
// rare path, not on every ReadMessage.
func isProtocolError(err error) bool {
	var pe *ProtocolError
	return errors.As(err, &pe)
}

// readFailed turns an error of the stream into the error ReadMessage
// returns. Rule violations fail the connection; the end of the stream
// without a close frame is an abnormal closure (1006, §7.1.5).
func (c *Conn) readFailed(err error) error {
	var pe *ProtocolError
	if errors.As(err, &pe) {
		return c.fail(pe)
	}
	closedHere := c.closing.closed.Load()
	c.markCloseReceived()
	c.closeStream()
	if closedHere {
		// Close timed out, or CloseNow or a failed write closed the
		// stream under a blocked read: the read failed because of this
		// end, and ErrClosed says so.
		return ErrClosed
	}
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		if c.closing.sent.Load() {
			return ErrClosed
		}
		return &CloseError{Code: StatusAbnormalClosure, Reason: "the connection ended without a close frame"}
	}
	return err
}
