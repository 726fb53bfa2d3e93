package core

// ReadLoop reads data messages until reading fails and calls handle with
// each; it returns the error ReadMessage would have returned, or the first
// error handle returns. msg is only valid until handle returns: copy what
// you keep. The handler may write, and may call Close: the loop then reads
// the peer's close frame after the handler returns, and returns.
//
// ReadLoop does what a loop around ReadMessage does, at a lower cost per
// message and per idle connection, which is why the server uses it. On a
// Unix socket (a stream with SyscallConn) it reads with the socket's raw
// descriptor:
//
//   - A message is handled straight from the read buffer, unmasked in
//     place, without a copy.
//   - A message larger than the read buffer (up to 64 KiB) is read
//     straight into the loop's message buffer, over as many reads as it
//     arrives in, without leaving the raw read.
//   - While it waits, the connection holds no read buffer: it is back in a
//     pool shared by all connections.
//
// Anything else (a control frame, a fragment, a frame larger than 64 KiB,
// a broken rule) goes through ReadMessage's general path, and
// FuzzReadLoopVsReadMessage checks that behaviour and errors are the same.
func (c *Conn) ReadLoop(handle func(op Opcode, msg []byte) error) error {
	// The loop is the Conn's reader for as long as it runs: it holds the
	// read lock throughout rather than per message.
	c.readMu.Lock()
	defer c.readMu.Unlock()
	c.looping.Store(true)
	defer c.looping.Store(false)
	if c.cfg.OnFrame == nil {
		if rc := rawConn(c.rw); rc != nil {
			return c.readLoopRaw(rc, handle)
		}
	}
	return c.readLoopPlain(handle)
}

func (c *Conn) readLoopPlain(handle func(Opcode, []byte) error) error {
	var buf []byte
	for {
		// A whole one-frame message already buffered is handled where
		// it lies, without a copy.
		if c.readErr == nil && c.cfg.OnFrame == nil {
			if op, msg, ok := c.fr.wholeMessageInPlace(c.cfg.MaxMessageSize); ok {
				if err := c.handleMessage(handle, op, msg); err != nil {
					return err
				}
				continue
			}
		}
		if err := c.generalMessage(handle, &buf); err != nil {
			return err
		}
	}
}

// generalMessage reads the next message through ReadMessage's general path
// into the loop's reused buffer *buf and hands it to handle.
func (c *Conn) generalMessage(handle func(Opcode, []byte) error, buf *[]byte) error {
	op, msg, err := c.nextMessage((*buf)[:0])
	if err != nil {
		return err
	}
	err = c.handleMessage(handle, op, msg)
	c.releaseBudget() // the message counted until its handler was done with it
	if err != nil {
		return err
	}
	switch {
	case c.deflate != nil:
		// A connection that compresses inflates every message into a new
		// buffer instead: kept, the buffer would stay with the connection
		// while it is idle (about 5 KiB each, measured with 5,000 idle
		// connections), and next to inflating, one allocation is noise.
		*buf = nil
	case cap(msg) <= keepMessageBuffer:
		*buf = msg
	}
	return nil
}

// keepMessageBuffer is the largest message buffer a loop keeps between
// messages: reusing it makes the steady state allocation-free, and the
// bound keeps a connection that once received a large message from
// holding it for ever.
const keepMessageBuffer = 64 << 10

// handleMessage calls handle, then finishes the closing handshake if the
// handler (or anyone meanwhile) sent a close frame. The caller holds readMu.
func (c *Conn) handleMessage(handle func(Opcode, []byte) error, op Opcode, msg []byte) error {
	err := handle(op, msg)
	if !c.closing.sent.Load() {
		return err
	}
	return c.finishClose(err)
}

// finishClose reads until the peer's close frame, as Close would have
// done, closes the stream and returns err, or ErrClosed if err is nil. The
// caller holds readMu.
func (c *Conn) finishClose(err error) error {
	if c.readErr == nil {
		c.awaitClose()
	}
	c.closeStream()
	if err == nil {
		err = ErrClosed
	}
	return err
}
