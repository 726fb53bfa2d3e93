package core

// FrameHeader is the header of one frame, RFC 6455 §5.2:
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-------+-+-------------+-------------------------------+
//	|F|R|R|R| opcode|M| Payload len |    Extended payload length    |
//	|I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
//	|N|V|V|V|       |S|             |   (if payload len==126/127)   |
//	| |1|2|3|       |K|             |                               |
//	+-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
//	|     Extended payload length continued, if payload len == 127  |
//	+ - - - - - - - - - - - - - - - +-------------------------------+
//	|                               |Masking-key, if MASK set to 1  |
//	+-------------------------------+-------------------------------+
//	| Masking-key (continued)       |          Payload Data         |
//	+-------------------------------- - - - - - - - - - - - - - - - +
type FrameHeader struct {
	Fin    bool   // the last frame of a message
	Rsv    byte   // RSV1, RSV2, RSV3 as bits 0x4, 0x2, 0x1; 0 unless an extension says otherwise
	Opcode Opcode // what the payload is
	Masked bool   // the payload is masked with Key (client to server frames)
	Length uint64 // payload length in bytes
	Key    [4]byte
}

// The fields of the first two header bytes (§5.2), by mask, and the two
// values of the 7-bit length that announce an extended length. Every piece
// of code that reads or writes a header uses these names, never the bare
// numbers.
const (
	bitFin    = 0x80 // byte 0: FIN, the last frame of a message
	bitsRsv   = 0x70 // byte 0: RSV1, RSV2, RSV3
	rsvShift  = 4    // bitsRsv>>rsvShift gives FrameHeader.Rsv
	bitsOp    = 0x0F // byte 0: the opcode
	bitMask   = 0x80 // byte 1: MASK, a masking key follows the length
	bitsLen7  = 0x7F // byte 1: the 7-bit payload length
	len16Flag = 126  // the 7-bit length that says "the length is in the next 2 bytes"
	len64Flag = 127  // the 7-bit length that says "the length is in the next 8 bytes"

	maxLen7  = 125    // the largest length the 7-bit field holds itself
	maxLen16 = 0xFFFF // the largest length the 16-bit form holds
	keySize  = 4      // the masking key's size in bytes (§5.3)
)

// MaxHeaderSize is the largest frame header: 2 bytes, an 8-byte length and a
// 4-byte masking key.
const MaxHeaderSize = 14

// MaxControlPayload is the largest payload a control frame may carry (§5.5).
const MaxControlPayload = 125

// Size returns the number of bytes AppendFrameHeader writes for h: the
// minimal length encoding that §5.2 requires.
func (h FrameHeader) Size() int {
	n := 2
	switch {
	case h.Length > maxLen16:
		n += 8
	case h.Length > maxLen7:
		n += 2
	}
	if h.Masked {
		n += keySize
	}
	return n
}

// AppendFrameHeader appends h in wire format to dst, using the minimal
// length encoding. It writes whatever h holds, reserved bits and opcodes
// included, so that the frame lab can build broken frames on purpose; use
// CheckFrameHeader to know whether a header is valid.
func AppendFrameHeader(dst []byte, h FrameHeader) []byte {
	switch {
	case h.Length <= maxLen7:
		dst = appendFirstBytes(dst, h.Fin, h.Rsv, h.Opcode, h.Masked, byte(h.Length))
	case h.Length <= maxLen16:
		dst = appendFirstBytes(dst, h.Fin, h.Rsv, h.Opcode, h.Masked, len16Flag)
		dst = bigEndian.AppendUint16(dst, uint16(h.Length))
	default:
		dst = appendFirstBytes(dst, h.Fin, h.Rsv, h.Opcode, h.Masked, len64Flag)
		dst = bigEndian.AppendUint64(dst, h.Length)
	}
	if h.Masked {
		dst = append(dst, h.Key[:]...)
	}
	return dst
}

// appendFirstBytes appends the first two bytes of a header: every field but
// the extended length and the key. len7 is the 7-bit length field.
func appendFirstBytes(dst []byte, fin bool, rsv byte, op Opcode, masked bool, len7 byte) []byte {
	b0 := byte(op)&bitsOp | (rsv<<rsvShift)&bitsRsv
	if fin {
		b0 |= bitFin
	}
	b1 := len7 & bitsLen7
	if masked {
		b1 |= bitMask
	}
	return append(dst, b0, b1)
}

// AppendFrame appends a whole frame to dst: h in wire format, as
// AppendFrameHeader writes it, then payload, masked with h.Key when h.Masked
// is set. It copies payload and leaves it untouched. It writes h.Length as
// given, even when it is not len(payload), so that the frame lab can build
// a frame that announces more or fewer bytes than it carries; set
// h.Length = uint64(len(payload)) for a well-formed frame.
func AppendFrame(dst []byte, h FrameHeader, payload []byte) []byte {
	dst = AppendFrameHeader(dst, h)
	n := len(dst)
	dst = append(dst, payload...)
	if h.Masked {
		Mask(h.Key, 0, dst[n:])
	}
	return dst
}

// ParseFrameHeader decodes the frame header at the start of b and returns it
// with its size in bytes. When b ends before the header does, it returns
// ErrShortHeader and, as need, the number of bytes the header needs in all
// (2 when even the first two bytes are missing). It decodes any header; call
// CheckFrameHeader for the rules.
func ParseFrameHeader(b []byte) (h FrameHeader, n int, err error) {
	if len(b) < 2 {
		return h, 2, ErrShortHeader
	}
	h, n = parseFirstBytes(b[0], b[1])
	if len(b) < n {
		return h, n, ErrShortHeader
	}
	h.Length = decodeLength(b, h.Length)
	if h.Masked {
		h.Key = [keySize]byte(b[n-keySize : n])
	}
	return h, n, nil
}

// decodeLength returns the payload length of a header whose bytes up to
// the key are in b, from its 7-bit length field len7.
func decodeLength(b []byte, len7 uint64) uint64 {
	switch len7 {
	case len16Flag:
		return uint64(bigEndian.Uint16(b[2:4]))
	case len64Flag:
		return bigEndian.Uint64(b[2:10])
	}
	return len7
}

// parseFirstBytes decodes the first two bytes of a header, which hold every
// field but the extended length and the key, and returns the size of the
// whole header, which they decide. Length is the 7-bit field as it is:
// len16Flag and len64Flag mean that an extended length follows.
func parseFirstBytes(b0, b1 byte) (h FrameHeader, n int) {
	h.Fin, h.Rsv, h.Opcode, h.Masked, h.Length = firstBytes(b0, b1)
	return h, headerSizeFromFirstBytes(b0, b1)
}

// firstBytes is parseFirstBytes field by field, for the fast paths: a
// FrameHeader has too many fields for the compiler to keep in registers.
func firstBytes(b0, b1 byte) (fin bool, rsv byte, op Opcode, masked bool, len7 uint64) {
	return b0&bitFin != 0, (b0 & bitsRsv) >> rsvShift, Opcode(b0 & bitsOp), b1&bitMask != 0, uint64(b1 & bitsLen7)
}

// headerSizeFromFirstBytes returns the size of a header from its first two
// bytes, which say whether an extended length and a key follow.
func headerSizeFromFirstBytes(b0, b1 byte) int {
	n := 2 + extendedLengthSize(b1)
	if b1&bitMask != 0 {
		n += keySize
	}
	return n
}

// extendedLengthSize returns the size of the extended length that the
// second header byte announces: 0, 2 or 8 bytes.
func extendedLengthSize(b1 byte) int {
	switch b1 & bitsLen7 {
	case len16Flag:
		return 2
	case len64Flag:
		return 8
	}
	return 0
}

// Role says which end of a connection a piece of code plays; the masking
// rules of §5.1 depend on it.
type Role byte

const (
	// Server is the end that accepted the connection; its frames are not
	// masked and the frames it receives must be.
	Server Role = iota
	// Client is the end that opened the connection; it masks every frame.
	Client
)

// String returns "server" or "client".
func (r Role) String() string {
	if r == Client {
		return "client"
	}
	return "server"
}

// CheckFrameHeader checks a header that receiver got from its peer and
// returns every rule it breaks at once, because a learner fixing a frame by
// hand wants the whole list, not one error per try. rsvAllowed holds the RSV
// bits that negotiated extensions define (0 for none). Rules that need the
// state of the connection (continuation frames, §5.4) are checked by Conn and
// FrameReader. The header of a valid frame allocates nothing.
func CheckFrameHeader(h FrameHeader, receiver Role, rsvAllowed byte) error {
	if h.Rsv&^rsvAllowed == 0 && !h.Opcode.IsReserved() && h.Length>>63 == 0 &&
		(h.Masked == (receiver == Server)) && (!h.Opcode.IsControl() || (h.Fin && h.Length <= MaxControlPayload)) {
		return nil // the common case, decided without building a list
	}
	var rules []Rule
	if h.Rsv&^rsvAllowed != 0 {
		rules = append(rules, RuleReservedBits)
	}
	if h.Opcode.IsReserved() {
		rules = append(rules, RuleReservedOpcode)
	}
	if h.Opcode.IsControl() && !h.Fin {
		rules = append(rules, RuleControlFinal)
	}
	if h.Opcode.IsControl() && h.Length > MaxControlPayload {
		rules = append(rules, RuleControlLength)
	}
	if h.Length>>63 != 0 {
		rules = append(rules, RuleLengthTopBit)
	}
	if receiver == Server && !h.Masked {
		rules = append(rules, RuleClientMasks)
	}
	if receiver == Client && h.Masked {
		rules = append(rules, RuleServerNoMask)
	}
	return &ProtocolError{Code: StatusProtocolError, Rules: rules}
}

// checkMinimalLength reports whether the extended length in a header's wire
// bytes was needed: §5.2 requires the minimal number of bytes. b holds at
// least the header.
func checkMinimalLength(b []byte, length uint64) bool {
	switch b[1] & bitsLen7 {
	case len16Flag:
		return length > maxLen7
	case len64Flag:
		return length > maxLen16
	}
	return true
}
