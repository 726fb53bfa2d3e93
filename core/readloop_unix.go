//go:build unix

package core

import "syscall"

// rawConn returns the raw socket under rw, or nil when rw has none.
func rawConn(rw any) syscall.RawConn {
	sc, ok := rw.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}

// readLoopRaw is ReadLoop on a socket: see there for why.
func (c *Conn) readLoopRaw(rc syscall.RawConn, handle func(Opcode, []byte) error) error {
	rl := &rawLoop{c: c, handle: handle}
	rl.callback = rl.read // a method value allocates: once, here
	var buf []byte
	for {
		herr, closing := rl.run(rc)
		if closing {
			return c.finishClose(herr)
		}
		if herr != nil {
			return herr
		}
		// What is buffered now needs the general path.
		if err := c.generalMessage(handle, &buf); err != nil {
			return err
		}
	}
}

// rawLoop is the state of one RawConn.Read call of readLoopRaw, kept in a
// struct so that the callback is made once per connection, not once per
// call (a closure passed to RawConn.Read escapes, and would cost an
// allocation each time).
type rawLoop struct {
	c        *Conn
	handle   func(Opcode, []byte) error
	callback func(fd uintptr) bool

	herr         error // what the handler returned
	closing      bool  // a close frame was sent: finish the handshake outside
	closePending bool  // closeStream was asked for inside: do it outside
	fresh        bool  // no read yet in this RawConn.Read call
}

// run handles whole one-frame messages as they arrive, inside one
// RawConn.Read call, until the buffer holds something for the general path
// or the socket fails or ends (the general path then reads again and
// reports it). It returns the handler's error, and whether a close frame
// was sent, so that the caller finishes the closing handshake: that needs
// ordinary reads, which cannot happen inside this one.
//
// The wait without a read is safe only inside one RawConn.Read call: each
// call forgets a readiness the poller saw before it, so a new call must
// read first. Within the call, data arriving after a read that emptied the
// socket always wakes the wait.
func (rl *rawLoop) run(rc syscall.RawConn) (herr error, closing bool) {
	if rl.c.readErr != nil {
		return rl.c.readErr, false
	}
	rl.herr, rl.closing, rl.closePending, rl.fresh = nil, false, false, true
	// A failed wait (the idle deadline, a closed socket) is reported by
	// the general path's own read.
	rc.Read(rl.callback)
	if rl.closePending {
		rl.c.closeStreamNow()
	}
	return rl.herr, rl.closing
}

// leave is how the callback returns: wait (false) or leave the read
// (true), unless a close of the stream was asked for meanwhile (see
// closeStream), which always leaves, to be done outside.
func (rl *rawLoop) leave(done bool) bool {
	if !rl.c.closing.raw.CompareAndSwap(rawInside, rawOutside) {
		rl.c.closing.raw.Store(rawOutside)
		rl.closePending = true
		return true
	}
	return done
}

// read is the RawConn.Read callback: called first, and again after each
// wait.
func (rl *rawLoop) read(fd uintptr) bool {
	c, b := rl.c, rl.c.fr.br
	c.closing.raw.Store(rawInside)
	// Whether the socket holds data is unknown until a read says so.
	drained := false
	for {
		for {
			op, msg, ok := c.fr.wholeMessageInPlace(c.cfg.MaxMessageSize)
			if !ok {
				break
			}
			rl.herr = rl.handle(op, msg)
			if rl.closing = c.closing.sent.Load(); rl.closing || rl.herr != nil {
				return rl.leave(true)
			}
		}
		if b.Buffered() > 0 && !frameIncomplete(b.unread(), b.size) {
			return rl.leave(true) // a whole frame the fast path does not take
		}
		if drained {
			if b.Buffered() > 0 {
				// Part of a frame, and the rest is late: the general
				// path reads it piece by piece, which checks text as
				// it comes (fail fast, §8.1).
				return rl.leave(true)
			}
			b.release()
			return rl.leave(false) // wait for the next message
		}
		free := b.space()
		if len(free) == 0 {
			return rl.leave(true) // a frame larger than the buffer
		}
		n, err := syscall.Read(int(fd), free)
		if err == syscall.EINTR {
			continue
		}
		if err == syscall.EAGAIN {
			if b.Buffered() > 0 {
				// Part of a frame is here (for example bytes that
				// came in the handshake's segment) and the socket
				// has nothing more: like the drained case above,
				// the general path takes it, and refuses a header
				// whose first bytes already break a rule.
				return rl.leave(true)
			}
			b.release()
			return rl.leave(false)
		}
		if err != nil || n <= 0 {
			return rl.leave(true)
		}
		b.w += n
		b.idle.arrived()
		// A short read empties the socket of data, but not always of
		// news: the end of the stream may have come with the data, and
		// if both came before this RawConn.Read call, the call forgot
		// their readiness and no wake-up would tell of it. So the
		// first read of a call proves nothing, and the next read
		// (which finds the end, or nothing: EAGAIN) decides; later
		// reads come after a readiness the call saw, and do prove it.
		drained = n < len(free) && !rl.fresh
		rl.fresh = false
	}
}

// frameIncomplete reports whether b, the unread bytes, holds the start of a
// frame that is not all there yet but would fit in a buffer of size bytes:
// then reading more is what is needed.
func frameIncomplete(b []byte, size int) bool {
	h, n, err := ParseFrameHeader(b)
	if err != nil {
		return true // a header is at most MaxHeaderSize bytes: it fits
	}
	return h.Length < uint64(size-n) && uint64(len(b)-n) < h.Length
}
