package core

import (
	"io"
)

// DefaultBufferSize is the size of a connection's read buffer and of the
// buffers frames are written from, when the caller gives none. A small echo
// message and the next frame's header fit in one read.
const DefaultBufferSize = 4096

// FrameReader reads frames from a byte stream. It is correct whatever the
// chunking of the stream: a frame split over many reads, one byte per read,
// or several frames in one read all decode the same. That is where the
// classic "recv(4096) and parse it as one frame" recipe breaks: TCP is a
// stream of bytes, not of messages, and a read returns whatever has arrived.
//
// NextFrame returns each header; Read then returns the payload, unmasked.
// The reader checks the header rules of §5.2 and the order of fragments of
// §5.4, and fails with a *ProtocolError that lists every rule broken.
type FrameReader struct {
	br         *readBuffer
	receiver   Role
	rsvAllowed byte
	deflate    bool // permessage-deflate was negotiated: RSV1 marks a compressed message's first frame

	hdr       FrameHeader
	hdrBytes  [MaxHeaderSize]byte
	hdrLen    int
	remaining uint64 // payload bytes of the current frame not yet read
	keyPos    int    // key position of the next payload byte

	inMessage bool // a data frame with FIN 0 was read and its message has not ended
}

// NewFrameReader returns a reader of the frames that receiver gets from its
// peer. r may be the *bufio.Reader a handshake read with: the frames are
// read through it, so no byte it already buffered is lost. rsvAllowed holds
// the RSV bits that negotiated extensions define; 0 when none were.
func NewFrameReader(r io.Reader, receiver Role, rsvAllowed byte) *FrameReader {
	return &FrameReader{br: newReadBuffer(r, DefaultBufferSize, nil), receiver: receiver, rsvAllowed: rsvAllowed}
}

// NextFrame skips what is left of the current frame's payload and reads the
// next header. It returns io.EOF when the stream ends between frames and
// io.ErrUnexpectedEOF when it ends inside one.
func (fr *FrameReader) NextFrame() (FrameHeader, error) {
	if fr.remaining > 0 {
		if err := fr.skip(); err != nil {
			return FrameHeader{}, err
		}
	}
	b, err := fr.br.Peek(2)
	if err != nil {
		if err == io.EOF && len(b) > 0 {
			err = io.ErrUnexpectedEOF
		}
		return FrameHeader{}, err
	}
	n := headerSizeFromFirstBytes(b[0], b[1])
	if fr.br.Buffered() < n {
		// The rest of the header has not arrived. Most rules are
		// decided by the first two bytes: a peer that broke one hears
		// so now, not after it sends bytes it may never send.
		if err := fr.checkFirstBytes(b[0], b[1]); err != nil {
			return FrameHeader{}, err
		}
	}
	if b, err = fr.br.Peek(n); err != nil {
		return FrameHeader{}, unexpected(err)
	}
	h, _, _ := ParseFrameHeader(b)
	fr.hdrLen = copy(fr.hdrBytes[:], b)
	fr.br.Discard(n)
	if err := fr.check(h, b); err != nil {
		return h, err
	}
	fr.hdr, fr.remaining, fr.keyPos = h, h.Length, 0
	return h, nil
}

// wholeMessage is the fast path for the commonest case: a complete message
// of one frame (FIN set, no RSV bit, text or binary, masked as the
// receiver's role requires, no larger than limit) already in the buffer,
// its text valid UTF-8. It appends the unmasked payload to dst and consumes
// the frame. For anything else it consumes nothing and returns ok false, so
// that NextFrame and Read handle it, and report any broken rule, as usual.
// The fast path changes nothing but speed: it skips the per-piece calls of
// the general path, which are what a small message mostly costs.
func (fr *FrameReader) wholeMessage(dst []byte, limit int64) (Opcode, []byte, bool) {
	op, p, ok := fr.wholeMessageInPlace(limit)
	if !ok {
		return 0, dst, false
	}
	return op, append(dst, p...), true
}

// wholeMessageInPlace is wholeMessage without the copy: the payload is
// unmasked where it lies in the read buffer, and the returned slice is
// valid until the next read (ReadLoop hands it to its handler as it is).
// Text that is not valid UTF-8 is masked back, so the general path reads
// the frame as it came.
func (fr *FrameReader) wholeMessageInPlace(limit int64) (Opcode, []byte, bool) {
	op, n, length, key, masked, ok := fr.peekStart(limit)
	if !ok || length > fr.br.Buffered()-n {
		return 0, nil, false
	}
	p := fr.br.unread()[n : n+length]
	if masked {
		Mask(key, 0, p)
	}
	if op == OpText && !validUTF8(p) {
		if masked {
			Mask(key, 0, p)
		}
		return 0, nil, false
	}
	fr.br.Discard(n + length)
	return op, p, true
}

// peekStart says whether the fast paths take the frame whose header is at
// the start of the buffer: a one-frame data message that breaks no rule,
// no larger than limit. It returns the frame's opcode, header size, payload
// length and key; the payload may not all be buffered yet (ReadLoop reads
// the rest of a large one straight into its message: see
// rawLoop.startLarge). It is a filter, not a second decoder: anything it
// turns down goes to NextFrame, which reports the rules broken.
//
// It decodes with the codec's own pieces (firstBytes, decodeLength),
// as ParseFrameHeader does, but returns the fields rather than a
// FrameHeader: a FrameHeader holds an array (the key), so Go passes it in
// memory, not in registers, and going through ParseFrameHeader doubled the
// cost of a small message (BenchmarkReadMessage/16B: 32 ns before, 70 ns
// through ParseFrameHeader). It leaves Header and HeaderBytes alone: only
// an observer (Config.OnFrame, which turns the fast paths off) needs them
// for every frame.
func (fr *FrameReader) peekStart(limit int64) (op Opcode, n, length int, key [4]byte, masked, ok bool) {
	b := fr.br.unread()
	if fr.remaining != 0 || fr.inMessage || len(b) < 2 {
		return
	}
	fin, rsv, op, masked, len7 := firstBytes(b[0], b[1])
	n = headerSizeFromFirstBytes(b[0], b[1])
	if !fin || rsv != 0 || (op != OpText && op != OpBinary) ||
		masked != (fr.receiver == Server) || len(b) < n {
		return 0, 0, 0, key, false, false
	}
	l := decodeLength(b, len7)
	if l > uint64(limit) || !checkMinimalLength(b, l) {
		return 0, 0, 0, key, false, false
	}
	if masked {
		key = [keySize]byte(b[n-keySize : n])
	}
	return op, n, int(l), key, masked, true
}

// checkFirstBytes applies the rules that the first two bytes of a header
// decide (RSV bits, opcode, FIN and length of a control frame, the mask
// bit, the order of fragments), in the same words and order as check. It
// changes no state: the whole header is checked again once it is there.
// The rules that need the rest of the header (minimal length, the top bit
// of a 64-bit length) are not known yet, so the error may name fewer rules
// than the whole header would have; never others.
func (fr *FrameReader) checkFirstBytes(b0, b1 byte) error {
	h, _ := parseFirstBytes(b0, b1)
	if h.Length > maxLen7 {
		// An extended length is not known yet, and it is not always
		// more than 125: a length in a longer form than needed (a
		// rule of its own) may be 5. The control-frame length rule
		// waits for the whole header.
		h.Length = 0
	}
	return fr.headerError(h, nil, fr.sequenceRules(h))
}

// check applies the header rules, including the ones that need the wire
// bytes (minimal length) or the state of the message (§5.4), and records
// where in a fragmented message the frame leaves the reader.
func (fr *FrameReader) check(h FrameHeader, wire []byte) error {
	seq := fr.sequenceRules(h)
	if seq == nil {
		fr.follow(h)
	}
	return fr.headerError(h, wire, seq)
}

// headerError is the one place that lists the rules a header breaks, for
// check and checkFirstBytes alike, so that both name them in one order:
// the header's own (CheckFrameHeader), the minimal length when wire, the
// whole header, is known (nil when only the first two bytes are), then
// seq, the rules of §5.4 that sequenceRules found. It returns nil when
// there are none, else a *ProtocolError.
func (fr *FrameReader) headerError(h FrameHeader, wire []byte, seq []Rule) error {
	err := CheckFrameHeader(h, fr.receiver, fr.rsvAllowed)
	short := wire != nil && !checkMinimalLength(wire, h.Length)
	// RFC 7692 §6.1: with permessage-deflate, RSV1 is allowed, but on the
	// first frame of a data message only.
	misplacedRSV1 := fr.deflate && h.Rsv&rsvCompressed != 0 && (h.Opcode.IsControl() || h.Opcode == OpContinuation)
	if err == nil && !short && seq == nil && !misplacedRSV1 {
		return nil
	}
	pe, _ := err.(*ProtocolError)
	if pe == nil {
		pe = &ProtocolError{Code: StatusProtocolError}
	}
	if short {
		pe.Rules = append(pe.Rules, RuleMinimalLength)
	}
	pe.Rules = append(pe.Rules, seq...)
	if misplacedRSV1 {
		pe.Rules = append(pe.Rules, RuleCompressedBit)
	}
	return pe
}

// Header returns the current frame's header.
func (fr *FrameReader) Header() FrameHeader { return fr.hdr }

// HeaderBytes returns the current frame's header exactly as it was on the
// wire. The slice is valid until the next call to NextFrame.
func (fr *FrameReader) HeaderBytes() []byte { return fr.hdrBytes[:fr.hdrLen] }

// Remaining returns how many payload bytes of the current frame are unread.
func (fr *FrameReader) Remaining() uint64 { return fr.remaining }

// Read reads payload bytes of the current frame, unmasked. It returns io.EOF
// at the end of the frame. Like any Read, it may return fewer bytes than
// len(p): whatever has arrived.
func (fr *FrameReader) Read(p []byte) (int, error) {
	if fr.remaining == 0 {
		return 0, io.EOF
	}
	if uint64(len(p)) > fr.remaining {
		p = p[:fr.remaining]
	}
	n, err := fr.br.Read(p)
	fr.remaining -= uint64(n)
	if fr.hdr.Masked {
		fr.keyPos = Mask(fr.hdr.Key, fr.keyPos, p[:n])
	}
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// skip discards the rest of the current payload.
func (fr *FrameReader) skip() error {
	for fr.remaining > 0 {
		n := fr.remaining
		if n > 1<<30 {
			n = 1 << 30
		}
		d, err := fr.br.Discard(int(n))
		fr.remaining -= uint64(d)
		if err != nil {
			return unexpected(err)
		}
	}
	return nil
}

// Buffered returns the bytes read from the stream but not yet returned.
func (fr *FrameReader) Buffered() int { return fr.br.Buffered() }

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
