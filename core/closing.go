package core

import (
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// The closing handshake, RFC 6455 §7. Each end sends one close frame and
// reads one; after its own, an end sends nothing more (§5.5.1). A
// connection leaves "open" one of three ways, and each ends "closed":
//
//	open --Close: our close frame--> closeSent --the peer's close frame, or CloseTimeout--> closed
//	open --the peer's close frame--> closeReceived --our answer; the server's EOF--------> closed
//	open --the peer broke a rule---> failed --the peer's EOF, or CloseTimeout------------> closed
//
//	state          we have sent          we have read          what may follow
//	closeSent      our close frame       -                     we read (and drop) messages until
//	                                                           the peer's close frame (§7.1.2)
//	closeReceived  our answer: a close   the peer's close      a server closes the stream at once; a
//	               frame, the same code  frame                 client waits up to CloseTimeout for
//	               (unless ours went                           the server to close it (§7.1.1)
//	               first)
//	failed         a close frame with    the frame that        our side is half-closed; what the peer
//	               the rule's code       broke the rule        still sends is dropped (lingerClose)
//
// The end of the stream without a close frame also leads to closed, and
// the read reports 1006 (§7.1.5). closingState records where a connection
// is.

// closingState is where a connection is in its closing handshake. Each
// field is set once and never cleared, so the state only moves down the
// diagram above; they are atomics (and a channel) because the reader, the
// writers and Close's timer look at them from different goroutines.
type closingState struct {
	// sent: our close frame went out (set under writeMu). Nothing may
	// follow it (§5.5.1): every later write returns ErrClosed.
	sent atomic.Bool
	// received is closed, and gotClose set, when reading is over: the
	// peer's close frame came, the stream ended, or we failed the
	// connection. Close waits on it when someone else is reading.
	received chan struct{}
	gotClose atomic.Bool
	// lingering: we failed the connection, and a goroutine drains what
	// the peer still sends before closing (see lingerClose).
	lingering atomic.Bool
	// closed: this end closed the stream, so that a read the closing cut
	// short reports ErrClosed rather than the transport's "use of closed
	// connection" error.
	closed atomic.Bool
	once   sync.Once // closes the stream once
	// raw says whether ReadLoop is inside a raw socket read, where the
	// stream cannot be closed: rawOutside, rawInside or rawClosePending
	// (see closeStream).
	raw atomic.Int32
}

// fail fails the connection (§7.1.7): a close frame with the code and the
// first rule as reason, then the end of the stream.
func (c *Conn) fail(pe *ProtocolError) error {
	reason := ""
	if len(pe.Rules) > 0 {
		reason = pe.Rules[0].Text
	}
	var buf [MaxControlPayload]byte
	c.writeFrame(true, OpClose, AppendClosePayload(buf[:0], pe.Code, truncateUTF8(reason, MaxControlPayload-2)), true)
	c.markCloseReceived()
	c.lingerClose()
	return pe
}

// lingerClose ends the stream after this end failed the connection. The
// peer may still be sending: the rest of the bad frame, frames after it.
// Closing a TCP socket with unread bytes in its receive buffer, or that
// receives bytes afterwards, makes the kernel answer with a reset, and the
// peer then reads "connection reset" instead of the close frame and an
// orderly end of stream (some systems even drop the close frame it had not
// read yet). So when the stream can half-close (a *net.TCPConn can), it
// sends FIN right after the close frame and discards what the peer still
// sends, until the peer closes its side or CloseTimeout passes, and only
// then closes. That runs in the background: for ReadMessage the connection
// is over, and nothing else reads once it has failed.
func (c *Conn) lingerClose() {
	cw, ok := c.rw.(interface{ CloseWrite() error })
	if !ok || cw.CloseWrite() != nil {
		c.closeStream()
		return
	}
	c.closing.lingering.Store(true)
	go func() {
		c.drain()
		c.closeStream()
	}()
}

// truncateUTF8 shortens s to at most n bytes without cutting a code point.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func (c *Conn) markCloseReceived() {
	if c.closing.gotClose.CompareAndSwap(false, true) {
		close(c.closing.received)
	}
}

// awaitEOF waits, up to CloseTimeout, for the server to end the stream: the
// server closes the TCP connection first, so that the client is not the one
// left in TIME_WAIT (§7.1.1).
func (c *Conn) awaitEOF() {
	if _, ok := c.rw.(io.Closer); !ok {
		return // nothing could end a wait in vain
	}
	c.drain()
}

// drain discards what the peer still sends until it ends the stream, or
// until CloseTimeout passes and the stream is closed under it.
func (c *Conn) drain() {
	t := time.AfterFunc(c.cfg.CloseTimeout, c.closeStream)
	defer t.Stop()
	io.Copy(io.Discard, c.fr.br)
}

// closeStream closes the underlying stream once, if it can be closed.
//
// While ReadLoop handles messages inside a raw socket read, closing must
// wait until that read returns: closing a socket waits for the reads in
// progress, so the loop closing its own socket from inside one would wait
// for itself. The close is then recorded, and the loop does it on leaving
// the read (see closingState.raw).
func (c *Conn) closeStream() {
	for {
		switch c.closing.raw.Load() {
		case rawInside:
			if c.closing.raw.CompareAndSwap(rawInside, rawClosePending) {
				return
			}
		case rawClosePending:
			return
		default:
			c.closeStreamNow()
			return
		}
	}
}

// Where ReadLoop is, for closeStream: the values of closingState.raw.
const (
	rawOutside      = iota // not inside a raw read's callback
	rawInside              // handling messages inside one
	rawClosePending        // inside one, and the stream is to be closed on leaving it
)

func (c *Conn) closeStreamNow() {
	c.closing.once.Do(func() {
		if cl, ok := c.rw.(io.Closer); ok {
			c.closing.closed.Store(true)
			cl.Close()
		}
	})
}

// Close starts the closing handshake (§7.1.2): it sends a close frame with
// code and reason, waits up to CloseTimeout for the peer's close frame, and
// closes the stream. A goroutine blocked in ReadMessage receives the peer's
// answer and returns; when nobody is reading, Close reads (and drops) what
// arrives until the answer. While ReadLoop runs, from its handler or from
// any goroutine, Close returns once the close frame is sent: the loop reads
// the answer, closes the stream and returns. Use StatusNoStatusReceived to
// send a close frame without a code. The reason must be valid UTF-8 and at
// most 123 bytes.
func (c *Conn) Close(code StatusCode, reason string) error {
	if code != StatusNoStatusReceived && !code.ValidOnWire() {
		return newProtocolError(StatusProtocolError, RuleCloseCode)
	}
	if len(reason) > MaxControlPayload-2 {
		return newProtocolError(StatusProtocolError, RuleControlLength)
	}
	if !utf8.ValidString(reason) {
		return newProtocolError(StatusInvalidPayload, RuleCloseReasonUTF8)
	}
	var buf [MaxControlPayload]byte
	err := c.writeFrame(true, OpClose, AppendClosePayload(buf[:0], code, reason), true)
	if err != nil && !errors.Is(err, ErrClosed) {
		c.closeStream()
		return err
	}
	if c.looping.Load() {
		// ReadLoop is reading (maybe this is its handler calling): it
		// reads the peer's answer and ends the connection. The timer
		// ends a wait in vain.
		time.AfterFunc(c.cfg.CloseTimeout, c.closeStream)
		return nil
	}
	if c.readMu.TryLock() {
		c.awaitClose()
		c.readMu.Unlock()
	} else {
		t := time.NewTimer(c.cfg.CloseTimeout)
		select {
		case <-c.closing.received:
		case <-t.C:
		}
		t.Stop()
	}
	c.closeStream()
	return nil
}

// awaitClose reads, under readMu, until the peer's close frame or the end
// of the stream. Closing the stream at the deadline ends a read that waits
// in vain.
func (c *Conn) awaitClose() {
	t := time.AfterFunc(c.cfg.CloseTimeout, c.closeStream)
	defer t.Stop()
	var drop []byte
	for c.readErr == nil {
		_, drop, c.readErr = c.readMessage(drop[:0])
		c.releaseBudget()
	}
}

// CloseNow closes the stream without the closing handshake. After the Conn
// failed the connection it is already ending the stream itself, lingering
// for the peer's end of stream (see lingerClose), and CloseNow leaves that
// to finish: cutting it short would turn the peer's next bytes into a reset
// that can destroy the close frame telling it why.
func (c *Conn) CloseNow() error {
	if c.closing.lingering.Load() {
		return nil
	}
	c.closeStream()
	return nil
}
