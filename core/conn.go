package core

import (
	"bufio"
	"errors"
	"io"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// DefaultMaxMessageSize is the largest message a Conn accepts when the
// caller sets no limit: 32 MiB, above the 16 MiB the Autobahn|Testsuite
// sends in its large-message cases.
const DefaultMaxMessageSize = 32 << 20

// DefaultCloseTimeout bounds the wait for the peer's answer to a close frame.
const DefaultCloseTimeout = 5 * time.Second

// Direction says which way a frame travelled, seen from this end.
type Direction byte

const (
	// Received frames came from the peer.
	Received Direction = iota
	// Sent frames were written by this end.
	Sent
)

// String returns "received" or "sent".
func (d Direction) String() string {
	if d == Sent {
		return "sent"
	}
	return "received"
}

// Config tunes a Conn. The zero value is ready to use.
type Config struct {
	// MaxMessageSize is the largest message, after reassembly of its
	// fragments, that ReadMessage accepts; a larger one fails the
	// connection with 1009 before its payload is read. 0 means
	// DefaultMaxMessageSize.
	MaxMessageSize int64
	// ReadBufferSize is the size of the read buffer, when NewConn creates
	// it. 0 means DefaultBufferSize.
	ReadBufferSize int
	// CloseTimeout bounds the wait for the peer's close frame after this
	// end sent one. 0 means DefaultCloseTimeout.
	CloseTimeout time.Duration
	// RSV holds the RSV bits that negotiated extensions define (0x4 for
	// RSV1, ...). wsplay implements none, so leave it 0.
	RSV byte

	// Budget, when not nil, bounds the memory of messages being read
	// across the connections that share it: see Budget. nil means each
	// connection is bounded by MaxMessageSize alone.
	Budget *Budget
	// OnFrame, when set, is called with the exact wire bytes of every frame
	// read or written, masking key and masked payload included. A received
	// frame that breaks a rule is reported as far as it was read (its
	// header, and for invalid UTF-8 the payload up to the bad bytes) before
	// the close frame that fails the connection. The slice is only valid
	// during the call. /ws/inspect uses it; it costs a copy
	// per frame, so leave it nil when nobody watches.
	OnFrame func(dir Direction, wire []byte)
	// IdleTimeout, when > 0 and the stream has SetReadDeadline (a
	// net.Conn has), ends a connection from which nothing arrives for
	// this long: the read fails with the stream's timeout error. Each
	// byte that arrives restarts it; to save timer updates it may run up
	// to an eighth longer. 0 means no idle timeout.
	IdleTimeout time.Duration
	// OnPong, when set, is called with the payload of every pong received.
	OnPong func(payload []byte)
}

// Conn is a WebSocket connection at the level of messages (RFC 6455 §5-§7)
// over any byte stream, for either role. It reassembles fragments, answers
// pings, validates UTF-8 as it arrives, enforces the size limit, and runs
// the closing handshake. When the peer breaks a rule, the Conn fails the
// connection (§7.1.7): it sends a close frame with the code the rule calls
// for (1002, 1007 or 1009), closes the stream and reports the
// *ProtocolError.
//
// ReadMessage must be called from one goroutine; the write methods may be
// called from any number of goroutines.
type Conn struct {
	rw     io.ReadWriter
	role   Role
	cfg    Config
	fr     *FrameReader
	closer sync.Once
	// closed is set when this end closed the stream, so that a read the
	// closing cut short reports ErrClosed rather than the transport's
	// "use of closed connection" error.
	closed atomic.Bool

	readMu  sync.Mutex // held by ReadMessage, and by Close when nobody reads
	readErr error      // sticky: once reading failed, it keeps failing
	ctrl    [MaxControlPayload]byte
	utf8    utf8Validator
	taken   int64  // bytes of cfg.Budget the message being read holds
	wireIn  []byte // frame being assembled for OnFrame

	writeMu  sync.Mutex
	small    [MaxHeaderSize + smallPayload]byte // under writeMu: small frames are built here
	writeErr error
	rng      *rand.ChaCha8 // masking keys, client role only

	closeReceived chan struct{} // closed when the peer's close frame (or the end of the stream) was read
	gotClose      atomic.Bool
	looping       atomic.Bool  // ReadLoop is running
	lingering     atomic.Bool  // the Conn failed the connection and ends the stream itself
	rawState      atomic.Int32 // rawOutside, rawInside or rawClosePending (closeStream)
	closeSent     atomic.Bool  // this end's close frame went out (set under writeMu)
}

// NewConn returns a connection for role over rw. br, when not nil, is the
// reader the handshake used: bytes the peer sent right after the handshake
// are in it and must not be lost. When rw is an io.Closer, the Conn closes
// it when the connection ends, and to cut short a closing handshake that
// takes longer than CloseTimeout.
func NewConn(rw io.ReadWriter, br *bufio.Reader, role Role, cfg Config) *Conn {
	if cfg.MaxMessageSize <= 0 {
		cfg.MaxMessageSize = DefaultMaxMessageSize
	}
	if cfg.ReadBufferSize <= 0 {
		cfg.ReadBufferSize = DefaultBufferSize
	}
	if cfg.CloseTimeout <= 0 {
		cfg.CloseTimeout = DefaultCloseTimeout
	}
	// The bytes the handshake's reader holds come first; after them the
	// Conn reads rw itself, through a buffer it can release when idle.
	var pending []byte
	if br != nil {
		pending, _ = br.Peek(br.Buffered())
	}
	c := &Conn{
		rw:            rw,
		role:          role,
		cfg:           cfg,
		fr:            &FrameReader{br: newReadBuffer(rw, cfg.ReadBufferSize, pending), receiver: role, rsvAllowed: cfg.RSV},
		closeReceived: make(chan struct{}),
	}
	c.fr.br.idle = newIdleDeadline(rw, cfg.IdleTimeout)
	c.fr.br.idle.arrived()
	if role == Client {
		// §5.3: masking keys must be unpredictable. ChaCha8 seeded from
		// crypto/rand (fillRandom) is a cryptographic generator that
		// costs no system call and no allocation per frame.
		var seed [32]byte
		fillRandom(seed[:])
		c.rng = rand.NewChaCha8(seed)
	}
	return c
}

// Role returns which end of the connection c is.
func (c *Conn) Role() Role { return c.role }

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
	if c.taken > 0 {
		c.cfg.Budget.give(c.taken)
		c.taken = 0
	}
	c.fr.br.idle.messageDone()
	return op, dst, err
}

// readMessageGeneral is readMessage for everything the fast path does not
// take: frame by frame, with control frames in between.
func (c *Conn) readMessageGeneral(dst []byte) (Opcode, []byte, error) {
	var op Opcode
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
			// A message must arrive whole within the idle timeout:
			// bytes trickling in one at a time would otherwise keep
			// a half-read message, and its memory, for ever.
			c.fr.br.idle.messageStarted()
		}
		if uint64(len(dst)-start)+h.Length > uint64(c.cfg.MaxMessageSize) {
			if c.cfg.OnFrame != nil {
				c.cfg.OnFrame(Received, c.wireIn)
			}
			return 0, dst, c.fail(&ProtocolError{Code: StatusMessageTooBig, Rules: []Rule{{ID: RuleMessageTooBig.ID,
				Text: RuleMessageTooBig.Text + " (" + strconv.FormatInt(c.cfg.MaxMessageSize, 10) + " bytes)", Section: RuleMessageTooBig.Section}}})
		}
		payloadStart := len(dst)
		if dst, err = c.readPayload(dst, op == OpText); err != nil {
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
		if c.cfg.OnFrame != nil {
			c.observeIn(h, dst[len(dst)-int(h.Length):])
		}
		if h.Fin {
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
			if b := c.cfg.Budget; b != nil && cap(dst)+grow > FreeMessageBytes {
				// Reserve the room asked for, then account for
				// what append really gave (it rounds up).
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
				continue
			}
			dst = append(dst[:cap(dst)], make([]byte, grow)...)[:len(dst)]
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

// observeIn reports a received frame's wire bytes. The payload was unmasked
// in place; masking it again into the copy restores the bytes as they were
// on the wire, key and all.
func (c *Conn) observeIn(h FrameHeader, payload []byte) {
	n := len(c.wireIn)
	c.wireIn = append(c.wireIn, payload...)
	if h.Masked {
		Mask(h.Key, 0, c.wireIn[n:])
	}
	c.cfg.OnFrame(Received, c.wireIn)
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
	closedHere := c.closed.Load()
	c.markCloseReceived()
	c.closeStream()
	if closedHere {
		// Close timed out, or CloseNow or a failed write closed the
		// stream under a blocked read: the read failed because of this
		// end, and ErrClosed says so.
		return ErrClosed
	}
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		if c.closeSent.Load() {
			return ErrClosed
		}
		return &CloseError{Code: StatusAbnormalClosure, Reason: "the connection ended without a close frame"}
	}
	return err
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
	c.lingering.Store(true)
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
	if c.gotClose.CompareAndSwap(false, true) {
		close(c.closeReceived)
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
// the read (see rawState).
func (c *Conn) closeStream() {
	for {
		switch c.rawState.Load() {
		case rawInside:
			if c.rawState.CompareAndSwap(rawInside, rawClosePending) {
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

// Where ReadLoop is, for closeStream: rawState's values.
const (
	rawOutside      = iota // not inside a raw read's callback
	rawInside              // handling messages inside one
	rawClosePending        // inside one, and the stream is to be closed on leaving it
)

func (c *Conn) closeStreamNow() {
	c.closer.Do(func() {
		if cl, ok := c.rw.(io.Closer); ok {
			c.closed.Store(true)
			cl.Close()
		}
	})
}

// WriteMessage sends p as one message in a single frame (FIN set). op is
// OpText or OpBinary; for OpText, p should be valid UTF-8, which is the
// caller's promise and is not checked here.
func (c *Conn) WriteMessage(op Opcode, p []byte) error {
	return c.writeFrame(true, op, p, false)
}

// WriteFragmented sends p as one message split into frames of at most size
// payload bytes: the first frame has opcode op, the others are continuation
// frames, and only the last has FIN set (§5.4). It holds the write lock for
// the whole message, so no other message can interleave; control frames
// written meanwhile by the reader (pongs) wait too. size <= 0 sends a single
// frame. An empty p still sends one empty frame.
func (c *Conn) WriteFragmented(op Opcode, p []byte, size int) error {
	if size <= 0 || size >= len(p) {
		return c.WriteMessage(op, p)
	}
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	for first := true; first || len(p) > 0; first = false {
		n := min(size, len(p))
		frameOp := OpContinuation
		if first {
			frameOp = op
		}
		if err := c.writeFrameLocked(n == len(p), frameOp, p[:n], false); err != nil {
			return err
		}
		p = p[n:]
	}
	return nil
}

// WriteFrame sends a single frame as given, FIN bit and opcode included,
// without checking that the frames form a valid sequence. It exists to teach
// and to test peers: use WriteMessage or WriteFragmented otherwise.
func (c *Conn) WriteFrame(fin bool, op Opcode, p []byte) error {
	return c.writeFrame(fin, op, p, false)
}

// Ping sends a ping with payload p (at most 125 bytes, §5.5); the peer
// answers with a pong that goes to Config.OnPong.
func (c *Conn) Ping(p []byte) error {
	if len(p) > MaxControlPayload {
		return newProtocolError(StatusProtocolError, RuleControlLength)
	}
	return c.writeFrame(true, OpPing, p, false)
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
		case <-c.closeReceived:
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
	}
}

// CloseNow closes the stream without the closing handshake. After the Conn
// failed the connection it is already ending the stream itself, lingering
// for the peer's end of stream (see lingerClose), and CloseNow leaves that
// to finish: cutting it short would turn the peer's next bytes into a reset
// that can destroy the close frame telling it why.
func (c *Conn) CloseNow() error {
	if c.lingering.Load() {
		return nil
	}
	c.closeStream()
	return nil
}

// writeFrame sends one frame under the write lock. After the close frame
// went out, nothing more may be sent (§5.5.1) and it returns ErrClosed.
func (c *Conn) writeFrame(fin bool, op Opcode, p []byte, isClose bool) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	err := c.writeFrameLocked(fin, op, p, isClose)
	return err
}

// smallPayload is the largest payload written from the Conn's own buffer:
// it holds every control frame (at most 125 bytes, §5.5) and the short
// messages chat and echo mostly carry, and costs an idle Conn 139 bytes.
const smallPayload = 125

// writeBuffers holds the buffers frames are assembled in. Sharing them
// between connections keeps an idle connection small; taking one from the
// pool allocates nothing in the steady state.
var writeBuffers = sync.Pool{New: func() any {
	b := make([]byte, 0, DefaultBufferSize+MaxHeaderSize)
	return &b
}}

func (c *Conn) writeFrameLocked(fin bool, op Opcode, p []byte, isClose bool) error {
	if c.writeErr != nil {
		return c.writeErr
	}
	if c.closeSent.Load() {
		return ErrClosed
	}
	if isClose {
		c.closeSent.Store(true)
	}
	h := FrameHeader{Fin: fin, Opcode: op, Length: uint64(len(p))}
	if c.role == Client {
		h.Masked, h.Key = true, c.newMaskKey()
	}
	if len(p) <= smallPayload {
		// The commonest frame, a short message or a control frame:
		// built in the Conn's own buffer and sent in one write, without
		// the pool's cost.
		buf := AppendFrame(c.small[:0], h, p)
		if c.cfg.OnFrame != nil {
			c.cfg.OnFrame(Sent, buf)
		}
		_, err := c.rw.Write(buf)
		return c.wrote(err)
	}
	bp := writeBuffers.Get().(*[]byte)
	defer writeBuffers.Put(bp)
	if c.cfg.OnFrame != nil {
		// The observer wants the frame whole: assemble it, then write it
		// in one call.
		buf := AppendFrame((*bp)[:0], h, p)
		c.cfg.OnFrame(Sent, buf)
		_, err := c.rw.Write(buf)
		*bp = buf[:0]
		return c.wrote(err)
	}
	// Fill the buffer with the header and as much payload as fits, so a
	// small message costs one write; a large one continues from p (masked
	// through the buffer for a client, which must not touch p).
	buf := AppendFrameHeader((*bp)[:0], h)
	keyPos := 0
	for {
		n := min(cap(buf)-len(buf), len(p))
		start := len(buf)
		buf = append(buf, p[:n]...)
		if h.Masked {
			keyPos = Mask(h.Key, keyPos, buf[start:])
		}
		p = p[n:]
		if _, err := c.rw.Write(buf); err != nil {
			return c.wrote(err)
		}
		buf = buf[:0]
		if len(p) == 0 {
			return nil
		}
		if !h.Masked {
			_, err := c.rw.Write(p)
			return c.wrote(err)
		}
	}
}

// newMaskKey returns the masking key of the next frame a client sends.
func (c *Conn) newMaskKey() [4]byte {
	k := c.rng.Uint64()
	return [4]byte{byte(k), byte(k >> 8), byte(k >> 16), byte(k >> 24)}
}

// wrote records a write error: after one, the stream is unusable and every
// later write reports the same error.
func (c *Conn) wrote(err error) error {
	if err != nil {
		c.writeErr = err
		c.closeStream()
	}
	return err
}
