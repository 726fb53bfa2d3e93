package core

import (
	"encoding/base64"
	"strconv"
)

// This file holds the explainers: functions that return the intermediate
// steps of the protocol as plain data, for the page, the lessons and wsplay
// check. Each step is computed by the functions the server runs (Accept,
// ParseFrameHeader, CheckFrameHeader, Mask), never by a copy of them.

// AcceptExplanation is every intermediate value of the Accept computation,
// §4.2.2 item 5.4 (worked example in §1.3).
type AcceptExplanation struct {
	// Key is the Sec-WebSocket-Key as the client sent it.
	Key string
	// KeyBytes is the key decoded from base64: 16 random bytes in a valid
	// key. The server does not hash these; it hashes the key's text.
	KeyBytes []byte
	// KeyProblem is not nil when the key is not valid base64 of 16 bytes.
	// The steps below are computed anyway: a server that skips the check
	// would compute exactly these.
	KeyProblem *HandshakeError
	// GUID is the constant of §1.3.
	GUID string
	// Concatenated is Key followed by GUID: the text that is hashed.
	Concatenated string
	// SHA1 is the 20-byte SHA-1 digest of Concatenated, and SHA1Hex the
	// same in hexadecimal.
	SHA1    []byte
	SHA1Hex string
	// Accept is base64 of SHA1: the Sec-WebSocket-Accept value.
	Accept string
}

// AcceptStep is one step of the Accept computation as a learner reads it:
// what the step is, in a language, and its value.
type AcceptStep struct {
	ID    string // the words' id, e.g. "accept.step.sha1"
	Name  string // e.g. "SHA-1 of that text: 20 bytes, shown in hex"
	Value string // e.g. "b37a4f2cc0624f1690f64606cf385945b2bec4ea"
}

// Steps lists the steps from key to Accept value, named in a language
// (words.go): the key, the check of its 16 bytes (which are not hashed),
// the GUID, the text hashed, its SHA-1 and the base64 of that.
func (e AcceptExplanation) Steps(lang string) []AcceptStep {
	step := func(id, value string) AcceptStep { return AcceptStep{ID: id, Name: Say(id, lang), Value: value} }
	return []AcceptStep{
		step("accept.step.key", e.Key),
		step("accept.step.check", hexString(e.KeyBytes)),
		step("accept.step.guid", e.GUID),
		step("accept.step.concatenated", e.Concatenated),
		step("accept.step.sha1", e.SHA1Hex),
		step("accept.step.accept", e.Accept),
	}
}

// AcceptSteps returns every step from key to Accept value.
func AcceptSteps(key string) AcceptExplanation {
	e := AcceptExplanation{Key: key, GUID: GUID, Concatenated: key + GUID, Accept: Accept(key)}
	e.KeyBytes, _ = base64.StdEncoding.DecodeString(key)
	if err := CheckKey(key); err != nil {
		e.KeyProblem = err.(*HandshakeError)
	}
	sum := acceptDigest(key)
	e.SHA1 = sum[:]
	e.SHA1Hex = hexString(sum[:])
	return e
}

// Field is one field of a frame on the wire, as ExplainFrame describes it.
type Field struct {
	// Name is the field's name as the RFC's diagram writes it, e.g. "FIN",
	// "opcode", "Payload len", "Extended payload length", "Masking-key",
	// "Payload Data".
	Name string
	// Offset and Size locate the field's bytes in the frame (a field of a
	// few bits lies in one byte: Size is 1).
	Offset, Size int
	// BitOffset and Bits locate the field's bits from the frame's first
	// bit, bit 0 being the most significant bit of byte 0, as in the RFC's
	// diagram. For Payload Data, Bits is 8 times its size.
	BitOffset, Bits int
	// Raw is the field's bits as 0s and 1s for fields of up to 64 bits,
	// and its bytes in hexadecimal for longer ones.
	Raw string
	// Value is the decoded value as text, e.g. "1", "0x1", "300".
	Value string
	// Meaning is one line for a learner, e.g. "opcode 0x1: text frame".
	Meaning string
}

// FrameExplanation describes the frame at the start of some bytes.
type FrameExplanation struct {
	// Fields lists the fields in wire order; a frame cut short lists the
	// fields it has.
	Fields []Field
	// Header is the decoded header, valid when HeaderSize > 0.
	Header     FrameHeader
	HeaderSize int
	// Complete reports whether the bytes hold the whole frame; Missing
	// says how many more bytes it needs when not.
	Complete bool
	Missing  uint64
	// Payload holds the payload bytes present, as on the wire (masked when
	// the frame is masked), and Unmasked the same after unmasking.
	Payload, Unmasked []byte
	// Text is Unmasked as a string when the frame is a text frame (or a
	// continuation) whose bytes are valid UTF-8 so far.
	Text string
	// Rest is the number of bytes after this frame: the next frame.
	Rest int
	// Problems lists every rule the frame breaks, for a receiver of the
	// given role, and Code the close code a receiver would fail with.
	Problems []Rule
	Code     StatusCode
}

// ExplainFrame explains the frame at the start of b, as receiver would read
// it, in English. Invalid frames are explained too: every field is
// described and the rules they break are listed, not just refused.
func ExplainFrame(b []byte, receiver Role) FrameExplanation {
	return ExplainFrameIn(b, receiver, LangEN)
}

// ExplainFrameIn is ExplainFrame with each Field.Meaning in a language
// (LangEN or LangZH; words.go holds the texts).
func ExplainFrameIn(b []byte, receiver Role, lang string) FrameExplanation {
	return ExplainFrameWith(b, ExplainOptions{Receiver: receiver, Lang: lang})
}

// ExplainOptions says what a receiver knows about its connection beyond
// its role, for ExplainFrameWith.
type ExplainOptions struct {
	// Receiver is the role of the endpoint that reads the frame.
	Receiver Role
	// Lang is the language of each Field.Meaning: LangEN (also when empty)
	// or LangZH.
	Lang string
	// Deflate is true when permessage-deflate was negotiated (RFC 7692):
	// RSV1 is then the Per-Message Compressed bit, valid on the first
	// frame of a data message (§6.1) and a broken rule on any other frame.
	// When false, a set RSV1 breaks RFC 6455 §5.2, as without any
	// extension.
	Deflate bool
}

// ExplainFrameWith is ExplainFrameIn for a receiver on a connection that
// may have negotiated permessage-deflate. It explains the wire bytes only:
// a compressed payload is shown as it travels, not inflated.
func ExplainFrameWith(b []byte, o ExplainOptions) FrameExplanation {
	receiver, lang := o.Receiver, o.Lang
	var e FrameExplanation
	h, n, err := ParseFrameHeader(b)
	e.Fields = explainFirstBytes(b, lang, o.Deflate)
	if err != nil {
		e.Missing = uint64(n - len(b))
		if len(b) >= 2 {
			e.Header = h
		}
		return e
	}
	e.Header, e.HeaderSize = h, n
	if size := extendedLengthSize(b[1]); size > 0 {
		e.Fields = append(e.Fields, Field{
			Name: "Extended payload length", Offset: 2, Size: size, BitOffset: 16, Bits: 8 * size,
			Raw: bitString(b[2:2+size], 8*size), Value: strconv.FormatUint(h.Length, 10),
			Meaning: Say("field.ext-length", lang, countBytes(lang, h.Length, false), strconv.Itoa(8*size)),
		})
	}
	if h.Masked {
		e.Fields = append(e.Fields, Field{
			Name: "Masking-key", Offset: n - 4, Size: 4, BitOffset: 8 * (n - 4), Bits: 32,
			Raw: bitString(h.Key[:], 32), Value: "0x" + hexString(h.Key[:]),
			Meaning: Say("field.masking-key", lang),
		})
	}
	fr := FrameReader{receiver: receiver}
	if o.Deflate {
		fr.rsvAllowed, fr.deflate = rsvCompressed, true
	}
	if err := fr.check(h, b[:n]); err != nil {
		pe := err.(*ProtocolError)
		e.Problems, e.Code = pe.Rules, pe.Code
	}
	// The reader state is fresh: a continuation frame alone is fine here,
	// since the frame before it is not known.
	e.Problems = dropRule(e.Problems, RuleContinuationLone)
	if len(e.Problems) == 0 {
		e.Code = 0
	}

	rest := b[n:]
	have := uint64(len(rest))
	if have >= h.Length {
		e.Complete = true
		e.Rest = int(have - h.Length)
		have = h.Length
	} else {
		e.Missing = h.Length - have
	}
	e.Payload = rest[:have]
	e.Unmasked = append([]byte(nil), e.Payload...)
	if h.Masked {
		Mask(h.Key, 0, e.Unmasked)
	}
	// A compressed payload is DEFLATE data, not text: its UTF-8 is
	// checked after inflating (RFC 7692 §6.2), which the explainer leaves
	// to the reader of the message.
	compressed := o.Deflate && h.Rsv&rsvCompressed != 0
	if (h.Opcode == OpText || h.Opcode == OpContinuation) && !compressed {
		var v utf8Validator
		if v.feed(e.Unmasked) {
			e.Text = string(e.Unmasked)
			if e.Complete && h.Fin && h.Opcode == OpText && !v.complete() {
				e.Problems = append(e.Problems, RuleInvalidUTF8)
				e.Code = StatusInvalidPayload
			}
		} else if h.Opcode == OpText {
			e.Problems = append(e.Problems, RuleInvalidUTF8)
			if e.Code == 0 {
				e.Code = StatusInvalidPayload
			}
		}
	}
	if h.Opcode == OpClose && e.Complete && h.Length <= MaxControlPayload {
		if _, _, err := ParseClosePayload(e.Unmasked); err != nil {
			pe := err.(*ProtocolError)
			e.Problems = append(e.Problems, pe.Rules...)
			if e.Code == 0 {
				e.Code = pe.Code
			}
		}
	}
	e.Fields = append(e.Fields, Field{
		Name: "Payload Data", Offset: n, Size: int(have), BitOffset: 8 * n, Bits: 8 * int(have),
		Raw: hexString(e.Payload), Value: payloadValue(h, e),
		Meaning: payloadMeaning(h, e, lang, compressed),
	})
	return e
}

// explainFirstBytes describes the fields of the first two bytes, those of
// them that b has; deflate says RSV1 is the Per-Message Compressed bit.
func explainFirstBytes(b []byte, lang string, deflate bool) []Field {
	if len(b) == 0 {
		return nil
	}
	// The fields come from the codec's own decoder; a missing second
	// byte decodes as 0 and its fields are not shown.
	var b1 byte
	if len(b) > 1 {
		b1 = b[1]
	}
	h, _ := parseFirstBytes(b[0], b1)
	fields := []Field{
		{Name: "FIN", Size: 1, BitOffset: 0, Bits: 1, Raw: bit(h.Fin), Value: bit(h.Fin), Meaning: finMeaning(h.Fin, h.Opcode, lang)},
	}
	for i, name := range []string{"RSV1", "RSV2", "RSV3"} {
		set := h.Rsv&(0x4>>i) != 0
		meaning := Say("field.rsv.clear", lang)
		if set {
			meaning = Say("field.rsv.set", lang)
		}
		if i == 0 && deflate {
			meaning = rsv1Meaning(set, h.Opcode, lang)
		}
		fields = append(fields, Field{Name: name, Size: 1, BitOffset: 1 + i, Bits: 1, Raw: bit(set), Value: bit(set), Meaning: meaning})
	}
	fields = append(fields, Field{
		Name: "opcode", Size: 1, BitOffset: 4, Bits: 4, Raw: bitString([]byte{byte(h.Opcode) << 4}, 4),
		Value: "0x" + strconv.FormatUint(uint64(h.Opcode), 16), Meaning: opcodeMeaning(h.Opcode, lang),
	})
	if len(b) < 2 {
		return fields
	}
	masked := h.Masked
	maskMeaning := Say("field.mask.clear", lang)
	if masked {
		maskMeaning = Say("field.mask.set", lang)
	}
	fields = append(fields, Field{Name: "MASK", Offset: 1, Size: 1, BitOffset: 8, Bits: 1, Raw: bit(masked), Value: bit(masked), Meaning: maskMeaning})
	l := h.Length // the 7-bit field
	var lenMeaning string
	switch l {
	case len16Flag:
		lenMeaning = Say("field.len.16", lang)
	case len64Flag:
		lenMeaning = Say("field.len.64", lang)
	default:
		lenMeaning = Say("field.len.7", lang, strconv.Itoa(int(l)), countBytes(lang, l, false))
	}
	fields = append(fields, Field{
		Name: "Payload len", Offset: 1, Size: 1, BitOffset: 9, Bits: 7, Raw: bitString([]byte{b1 << 1}, 7),
		Value: strconv.Itoa(int(l)), Meaning: lenMeaning,
	})
	return fields
}

// rsv1Meaning is RSV1's meaning under permessage-deflate (RFC 7692 §6.1).
func rsv1Meaning(set bool, op Opcode, lang string) string {
	switch {
	case !set:
		return Say("field.rsv1.clear", lang)
	case op.IsControl() || op == OpContinuation:
		return Say("field.rsv1.misplaced", lang)
	}
	return Say("field.rsv1.compressed", lang)
}

func finMeaning(fin bool, op Opcode, lang string) string {
	if fin {
		return Say("field.fin.final", lang)
	}
	if op.IsControl() {
		return Say("field.fin.control", lang)
	}
	return Say("field.fin.more", lang)
}

// OpcodeMeaning says what a frame with the opcode is, in a language, e.g.
// "opcode 0x1: text frame: the payload is UTF-8 text".
func OpcodeMeaning(op Opcode, lang string) string { return opcodeMeaning(op, lang) }

func opcodeMeaning(op Opcode, lang string) string {
	hex := strconv.FormatUint(uint64(op), 16)
	prefix := Say("opcode.prefix", lang, hex)
	switch op {
	case OpContinuation, OpText, OpBinary, OpClose, OpPing, OpPong:
		return prefix + Say("opcode."+op.String(), lang)
	}
	if op.IsControl() {
		return prefix + Say("opcode.reserved-control", lang, hex)
	}
	return prefix + Say("opcode.reserved-data", lang, hex)
}

func payloadValue(h FrameHeader, e FrameExplanation) string {
	switch {
	case h.Opcode == OpClose && len(e.Unmasked) >= 2:
		code, _, _ := ParseClosePayload(e.Unmasked)
		return strconv.Itoa(int(code)) + " " + strconv.Quote(string(e.Unmasked[2:]))
	case e.Text != "" || (len(e.Unmasked) == 0 && (h.Opcode == OpText || h.Opcode == OpContinuation)):
		return strconv.Quote(e.Text)
	}
	return hexString(e.Unmasked)
}

func payloadMeaning(h FrameHeader, e FrameExplanation, lang string, compressed bool) string {
	var s string
	switch {
	case h.Opcode == OpClose && len(e.Unmasked) >= 2:
		code := StatusCode(uint16(e.Unmasked[0])<<8 | uint16(e.Unmasked[1]))
		s = Say("field.payload.close", lang, code.StringIn(lang))
	case h.Opcode == OpClose && len(e.Unmasked) == 0:
		s = Say("field.payload.no-body", lang)
	case e.Text != "":
		s = Say("field.payload.text", lang)
	case compressed && !h.Opcode.IsControl():
		s = Say("field.payload.compressed", lang, countBytes(lang, uint64(len(e.Unmasked)), false))
	default:
		s = countBytes(lang, uint64(len(e.Unmasked)), false)
	}
	if h.Masked {
		s = Say("field.payload.masked", lang, s)
	}
	if !e.Complete {
		s = Say("field.payload.missing", lang, s, countBytes(lang, e.Missing, true))
	}
	return s
}

// MaskStep is one row of the masking table of §5.3.
type MaskStep struct {
	Index    int  // i, the byte's position in the payload
	KeyIndex int  // j = i mod 4 (plus the starting key position)
	KeyByte  byte // masking-key-octet-j
	In       byte // original-octet-i
	Out      byte // transformed-octet-i = In XOR KeyByte
}

// MaskSteps returns the masking of payload with key, starting at key
// position pos, a row per byte. The transformed bytes come from Mask itself,
// the function connections use, not from a second implementation.
func MaskSteps(key [4]byte, pos int, payload []byte) []MaskStep {
	out := append([]byte(nil), payload...)
	Mask(key, pos, out)
	steps := make([]MaskStep, len(payload))
	for i := range payload {
		j := (pos + i) & 3
		steps[i] = MaskStep{Index: i, KeyIndex: j, KeyByte: key[j], In: payload[i], Out: out[i]}
	}
	return steps
}

// DescribeByte returns how a byte reads as text, for the masking table's
// last column: the character if the byte is printable ASCII, else "·".
func DescribeByte(b byte) string {
	if b >= 0x20 && b < 0x7F {
		return string(rune(b))
	}
	return "·"
}

func bit(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// bitString writes the first n bits of b as 0s and 1s.
func bitString(b []byte, n int) string {
	out := make([]byte, n)
	for i := range n {
		out[i] = '0' + (b[i/8]>>(7-i%8))&1
	}
	return string(out)
}

func plural(n uint64, word string) string {
	s := strconv.FormatUint(n, 10) + " " + word
	if n != 1 {
		s += "s"
	}
	return s
}

func dropRule(rules []Rule, r Rule) []Rule {
	out := rules[:0]
	for _, x := range rules {
		if x != r {
			out = append(out, x)
		}
	}
	return out
}

// hexString is lower-case hexadecimal, two digits per byte, as
// encoding/hex writes it; the core has its own so that the WebAssembly
// module does not import encoding/hex, which brings fmt and os with it.
func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 2*len(b))
	for i, c := range b {
		out[2*i], out[2*i+1] = digits[c>>4], digits[c&15]
	}
	return string(out)
}
