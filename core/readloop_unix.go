//go:build unix

package core

import (
	"io"
	"os"
	"syscall"
)

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
	for {
		herr, closing := rl.run(rc)
		if closing {
			return c.finishClose(herr)
		}
		if herr != nil {
			return herr
		}
		if err := rl.largeFailed(); err != nil {
			return err
		}
		// What is buffered now needs the general path.
		if err := c.generalMessage(handle, &rl.buf); err != nil {
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

	herr    error // what the handler returned
	closing bool  // a close frame was sent: finish the handshake outside

	buf []byte // the loop's message buffer, shared with the general path

	// partial: the frame at the start of the read buffer arrived in part,
	// and its message deadline runs (see keepPartial).
	partial bool

	// A large message being read straight into buf (see startLarge).
	large    bool
	hdr      FrameHeader // its header
	keyPos   int         // the key position of its next byte
	text     utf8Validator
	failed   *ProtocolError // its text is not UTF-8: fail the connection outside
	largeErr error          // the stream failed or ended inside it
}

// startLarge takes a message that the fast path would take but that is
// larger than the read buffer (up to 64 KiB, the buffer a loop keeps): its
// header and the start of its payload are in the buffer. The payload is
// then read straight into the loop's message buffer, unmasked and checked
// as it arrives, without leaving the raw read. The general path would read
// it as well, but through the net.Conn, copying what the read buffer holds
// and trying a read that finds nothing before each wait. It returns false,
// having changed nothing, for any other frame.
func (rl *rawLoop) startLarge() bool {
	c, b := rl.c, rl.c.fr.br
	op, n, length, key, masked, ok := c.fr.peekStart(min(c.cfg.MaxMessageSize, keepMessageBuffer))
	if !ok || length <= b.size-n {
		return false
	}
	h := FrameHeader{Fin: true, Opcode: op, Masked: masked, Key: key, Length: uint64(length)}
	if uint64(cap(rl.buf)) < h.Length {
		rl.buf = make([]byte, 0, h.Length)
	}
	rl.large, rl.hdr, rl.keyPos, rl.text = true, h, 0, utf8Validator{}
	// The frame is larger than the buffer: all that is buffered after
	// the header belongs to it.
	rl.buf = append(rl.buf[:0], b.unread()[n:]...)
	b.Discard(b.Buffered())
	b.idle.messageStarted() // it must arrive whole in time, as on the general path
	rl.arrived(rl.buf)
	return true
}

// arrived unmasks and checks payload bytes of the large message as they
// arrive: invalid text fails the connection at once (§8.1), as on the
// general path.
func (rl *rawLoop) arrived(p []byte) {
	if rl.hdr.Masked {
		rl.keyPos = Mask(rl.hdr.Key, rl.keyPos, p)
	}
	if rl.hdr.Opcode == OpText && !rl.text.feed(p) {
		rl.failed = newProtocolError(StatusInvalidPayload, RuleInvalidUTF8)
	}
}

// finishLarge hands the large message, now whole, to the handler, and
// reports whether the loop must leave the raw read: its text is not UTF-8,
// or as for handled.
func (rl *rawLoop) finishLarge() bool {
	rl.large = false
	if rl.hdr.Opcode == OpText && !rl.text.complete() {
		rl.failed = newProtocolError(StatusInvalidPayload, RuleInvalidUTF8)
		return true
	}
	rl.c.fr.br.idle.messageDone()
	return rl.handled(rl.hdr.Opcode, rl.buf)
}

// handled hands a message to the handler and reports whether the loop
// must leave the raw read: the handler failed, or a close frame was sent
// (the closing handshake goes on outside).
func (rl *rawLoop) handled(op Opcode, msg []byte) bool {
	rl.herr = rl.handle(op, msg)
	rl.closing = rl.c.closing.sent.Load()
	return rl.closing || rl.herr != nil
}

// largeFailed ends the connection, outside the raw read, when a large
// message broke a rule or the stream failed inside it, with the error the
// general path would have returned; it returns nil otherwise. A large
// message cut short by a close of the stream is dropped, and the general
// path reports the closed stream.
func (rl *rawLoop) largeFailed() error {
	c := rl.c
	rl.large = false
	switch {
	case rl.failed != nil:
		c.readErr = c.fail(rl.failed)
	case rl.largeErr != nil:
		c.readErr = c.readFailed(rl.largeErr)
	}
	return c.readErr
}

// run handles whole one-frame messages as they arrive, inside one
// RawConn.Read call, until the buffer holds something for the general path
// or the socket fails or ends (the general path then reads again and
// reports it). It returns the handler's error, and whether a close frame
// was sent, so that the caller finishes the closing handshake: that needs
// ordinary reads, which cannot happen inside this one.
//
// A call forgets a readiness the poller saw before it, so each call reads
// first; within the call, anything arriving after a read that found the
// socket empty (EAGAIN) wakes the wait.
func (rl *rawLoop) run(rc syscall.RawConn) (herr error, closing bool) {
	if rl.c.readErr != nil {
		return rl.c.readErr, false
	}
	rl.herr, rl.closing = nil, false
	// A failed wait (the idle deadline, a closed socket) is reported by
	// the general path's own read.
	rc.Read(rl.callback)
	if rl.c.closing.raw.Swap(rawOutside) == rawClosePending {
		// closeStream was asked for inside the read: done now, outside.
		rl.c.closeStreamNow()
	}
	return rl.herr, rl.closing
}

// leave is how the callback returns: wait (false) or leave the read
// (true), unless a close of the stream was asked for meanwhile (see
// closeStream), which always leaves, to be done outside: the state stays
// rawClosePending until run, out of the read, closes the stream.
func (rl *rawLoop) leave(done bool) bool {
	if !rl.c.closing.raw.CompareAndSwap(rawInside, rawOutside) {
		return true // rawClosePending
	}
	return done
}

// read is the RawConn.Read callback: called first, and again after each
// wait.
func (rl *rawLoop) read(fd uintptr) bool {
	c, b := rl.c, rl.c.fr.br
	c.closing.raw.Store(rawInside)
	for {
		if !rl.large {
			for {
				op, msg, ok := c.fr.wholeMessageInPlace(c.cfg.MaxMessageSize)
				if !ok {
					break
				}
				if rl.partial {
					rl.partial = false
					b.idle.messageDone()
				}
				if rl.handled(op, msg) {
					return rl.leave(true)
				}
			}
			if b.Buffered() > 0 && !frameIncomplete(b.unread(), b.size) {
				if !rl.startLarge() {
					return rl.leave(true) // a whole frame the fast path does not take
				}
				if rl.failed != nil {
					return rl.leave(true)
				}
			}
		}
		var free []byte
		if rl.large {
			free = rl.buf[len(rl.buf):rl.hdr.Length]
		} else if free = b.space(); len(free) == 0 {
			return rl.leave(true) // a frame larger than the buffer
		}
		// The loop waits only after a read that found nothing (EAGAIN).
		// A read that returns less than asked for has emptied the
		// socket of data, but it does not say whether the end of the
		// stream came with that data, and no wake-up would tell of an
		// end that did: only the next read does.
		n, err := syscall.Read(int(fd), free)
		if err == syscall.EINTR {
			continue
		}
		if err == syscall.EAGAIN {
			if rl.large {
				return rl.leave(false) // wait for the rest of the message
			}
			if b.Buffered() > 0 {
				// Part of a frame, and the rest is late, as over
				// any real network (or bytes that came in the
				// handshake's segment).
				return rl.leave(!rl.keepPartial())
			}
			b.release()
			return rl.leave(false) // wait for the next message
		}
		if err != nil || n <= 0 {
			if rl.large {
				rl.largeErr = io.ErrUnexpectedEOF
				if err != nil {
					rl.largeErr = os.NewSyscallError("read", err)
				}
			}
			return rl.leave(true)
		}
		b.idle.arrived()
		if !rl.large {
			b.w += n
			continue
		}
		rl.buf = rl.buf[:len(rl.buf)+n]
		if rl.arrived(free[:n]); rl.failed != nil {
			return rl.leave(true)
		}
		if uint64(len(rl.buf)) == rl.hdr.Length && rl.finishLarge() {
			return rl.leave(true)
		}
	}
}

// keepPartial is called when the socket is empty and the read buffer holds
// the start of a frame that would fit in it, not all of it, as over any
// real network: it reports whether the loop waits for the rest itself,
// the part staying where it is, so that the whole frame is then handled
// in place like any other. The general path, which the loop would leave
// for otherwise, copies the frame out of the buffer and reads the rest
// through the net.Conn. What the general path would do meanwhile, the
// loop does too:
//
//   - the rest of a header is waited for, unless its first bytes already
//     break a rule: the general path reports that now, as NextFrame does,
//     not after bytes the peer may never send;
//   - the part of a text payload that came is checked: invalid UTF-8 fails
//     the connection as soon as it arrived (§8.1), on the general path;
//   - the frame must then arrive whole in time (the idle timeout's
//     message deadline, which the general path starts at a header).
//
// A frame the fast path does not take (a control frame, a fragment, …)
// leaves for the general path.
func (rl *rawLoop) keepPartial() bool {
	c := rl.c
	b := c.fr.br.unread()
	if len(b) < 2 {
		return true
	}
	if len(b) < headerSizeFromFirstBytes(b[0], b[1]) {
		return c.fr.checkFirstBytes(b[0], b[1]) == nil
	}
	op, n, _, key, masked, ok := c.fr.peekStart(min(c.cfg.MaxMessageSize, keepMessageBuffer))
	if !ok {
		return false
	}
	if op == OpText {
		// Unmasked to be checked, and masked back: the frame is unmasked
		// in place once whole, or read by the general path as it came.
		p := b[n:]
		if masked {
			Mask(key, 0, p)
		}
		var v utf8Validator
		valid := v.feed(p)
		if masked {
			Mask(key, 0, p)
		}
		if !valid {
			return false
		}
	}
	rl.partial = true
	c.fr.br.idle.messageStarted()
	return true
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
