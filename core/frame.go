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

// Bits of the first two header bytes.
const (
	bitFin    = 0x80
	bitsRsv   = 0x70
	bitsOp    = 0x0F
	bitMask   = 0x80
	bitsLen7  = 0x7F
	len16Flag = 126 // the 7-bit length that says "the length is in the next 2 bytes"
	len64Flag = 127 // the 7-bit length that says "the length is in the next 8 bytes"
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
	case h.Length > 0xFFFF:
		n += 8
	case h.Length > 125:
		n += 2
	}
	if h.Masked {
		n += 4
	}
	return n
}

// AppendFrameHeader appends h in wire format to dst, using the minimal
// length encoding. It writes whatever h holds, reserved bits and opcodes
// included, so that the frame lab can build broken frames on purpose; use
// CheckFrameHeader to know whether a header is valid.
func AppendFrameHeader(dst []byte, h FrameHeader) []byte {
	b0 := byte(h.Opcode)&bitsOp | (h.Rsv&0x7)<<4
	if h.Fin {
		b0 |= bitFin
	}
	var b1 byte
	if h.Masked {
		b1 = bitMask
	}
	switch {
	case h.Length <= 125:
		dst = append(dst, b0, b1|byte(h.Length))
	case h.Length <= 0xFFFF:
		dst = append(dst, b0, b1|len16Flag)
		dst = bigEndian.AppendUint16(dst, uint16(h.Length))
	default:
		dst = append(dst, b0, b1|len64Flag)
		dst = bigEndian.AppendUint64(dst, h.Length)
	}
	if h.Masked {
		dst = append(dst, h.Key[:]...)
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
	n = headerSizeFromFirstBytes(b[0], b[1])
	if len(b) < n {
		return h, n, ErrShortHeader
	}
	h.Fin = b[0]&bitFin != 0
	h.Rsv = (b[0] & bitsRsv) >> 4
	h.Opcode = Opcode(b[0] & bitsOp)
	h.Masked = b[1]&bitMask != 0
	switch l := b[1] & bitsLen7; l {
	case len16Flag:
		h.Length = uint64(bigEndian.Uint16(b[2:4]))
	case len64Flag:
		h.Length = bigEndian.Uint64(b[2:10])
	default:
		h.Length = uint64(l)
	}
	if h.Masked {
		copy(h.Key[:], b[n-4:n])
	}
	return h, n, nil
}

// headerSizeFromFirstBytes returns the size of a header from its first two
// bytes, which say whether an extended length and a key follow.
func headerSizeFromFirstBytes(b0, b1 byte) int {
	n := 2
	switch b1 & bitsLen7 {
	case len16Flag:
		n += 2
	case len64Flag:
		n += 8
	}
	if b1&bitMask != 0 {
		n += 4
	}
	return n
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
		return length > 125
	case len64Flag:
		return length > 0xFFFF
	}
	return true
}
