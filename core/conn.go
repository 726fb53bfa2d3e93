package core

import (
	"bufio"
	"io"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
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
	// RSV1, ...), for an extension the caller implements itself; leave it
	// 0 otherwise. Deflate sets RSV1 on its own.
	RSV byte
	// Deflate, when not nil, is the permessage-deflate agreement the
	// opening handshake reached (NegotiateDeflate on a server,
	// ServerResponse.Deflate on a client): the Conn then inflates every
	// message whose first frame has RSV1 and compresses what it sends
	// (RFC 7692). It is ignored in a build without a DEFLATE codec (the
	// WebAssembly module), whose handshakes never agree to it.
	Deflate *DeflateParams
	// OnCompressed, when set, is called with the payload of every message
	// that travels compressed, in either direction, inflated (or not yet
	// compressed), just before OnFrame reports the message's last frame,
	// whose wire bytes are the compressed ones: an observer can show the
	// two together. The slice is only valid during the call.
	OnCompressed func(dir Direction, payload []byte)

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
	// ObserveEnds, when > 0, shortens what OnFrame gets of a frame whose
	// payload is longer than twice it: the header, the first ObserveEnds
	// and the last ObserveEnds payload bytes, as they were on the wire
	// (masked with the frame's key at their own positions). The observer
	// tells such a frame from a whole one by its header's length. Without
	// it, a 16 MiB frame costs the observer a 16 MiB copy each way.
	ObserveEnds int
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
	rw      io.ReadWriter
	role    Role
	cfg     Config
	fr      *FrameReader
	readMu  sync.Mutex // held by ReadMessage, and by Close when nobody reads
	readErr error      // sticky: once reading failed, it keeps failing
	ctrl    [MaxControlPayload]byte
	utf8    utf8Validator
	taken   int64         // bytes of cfg.Budget the message being read holds
	wireIn  []byte        // frame being assembled for OnFrame
	deflate *deflateState // permessage-deflate, nil when not negotiated

	writeMu  sync.Mutex
	small    [MaxHeaderSize + smallPayload]byte // under writeMu: small frames are built here
	writeErr error
	rng      *rand.ChaCha8 // masking keys, client role only
	vec      *vectored     // under writeMu: see writeVectored
	sendRSV  byte          // under writeMu: RSV bits of the next frame written (RSV1 starts a compressed message)

	looping atomic.Bool // ReadLoop is running
	closing closingState
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
		rw:      rw,
		role:    role,
		cfg:     cfg,
		fr:      &FrameReader{br: newReadBuffer(rw, cfg.ReadBufferSize, pending), receiver: role, rsvAllowed: cfg.RSV},
		closing: closingState{received: make(chan struct{})},
	}
	if cfg.Deflate != nil && deflateAvailable() {
		c.deflate = newDeflateState(role, *cfg.Deflate)
		c.fr.rsvAllowed |= rsvCompressed
		c.fr.deflate = true
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

// Deflate returns the permessage-deflate agreement c applies (RFC 7692),
// or nil when it sends and receives every message uncompressed.
func (c *Conn) Deflate() *DeflateParams {
	if c.deflate == nil {
		return nil
	}
	p := c.deflate.params
	return &p
}

// Role returns which end of the connection c is.
func (c *Conn) Role() Role { return c.role }

// observeEnds reports whether OnFrame gets only the ends of a frame with
// an n-byte payload (Config.ObserveEnds).
func (c *Conn) observeEnds(n int) bool {
	e := c.cfg.ObserveEnds
	return e > 0 && n > 2*e
}

// chargeCopy counts a copy of n bytes made for the observer toward the
// budget, like the message itself, when it is larger than FreeMessageBytes,
// and returns what unchargeCopy gives back once the observer is done with
// it. The reader and the writer charge their copies the same way; the copy
// is not part of the message's own count (Conn.taken), which readPayload
// grows.
func (c *Conn) chargeCopy(n int) int64 {
	if c.cfg.Budget == nil || n <= FreeMessageBytes {
		return 0
	}
	c.cfg.Budget.force(int64(n))
	return int64(n)
}

// unchargeCopy gives back what chargeCopy took.
func (c *Conn) unchargeCopy(charged int64) {
	if charged > 0 {
		c.cfg.Budget.give(charged)
	}
}

// appendEnds appends to dst, which holds a frame's header, the first and
// the last ObserveEnds bytes of its payload p (unmasked) as they were on
// the wire: each end masked with the frame's key at its own position. The
// reader and the writer both report a long frame this way.
func (c *Conn) appendEnds(dst []byte, h FrameHeader, p []byte) []byte {
	e := c.cfg.ObserveEnds
	n := len(dst)
	dst = append(dst, p[:e]...)
	dst = append(dst, p[len(p)-e:]...)
	if h.Masked {
		Mask(h.Key, 0, dst[n:n+e])
		Mask(h.Key, len(p)-e, dst[n+e:]) // Mask takes the position mod 4
	}
	return dst
}
