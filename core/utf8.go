package core

import (
	"unicode/utf8"
)

// validUTF8 is utf8.Valid with a faster start for the text chat and echo
// messages mostly carry: ASCII is checked eight bytes per step, and the
// standard library takes over from the first word that holds another byte.
// (utf8.Valid goes a byte at a time through short tails, which is most of
// a short message.)
func validUTF8(p []byte) bool {
	for len(p) >= 8 {
		if littleEndian.Uint64(p)&0x8080808080808080 != 0 {
			return utf8.Valid(p)
		}
		p = p[8:]
	}
	for i, c := range p {
		if c >= utf8.RuneSelf {
			return utf8.Valid(p[i:])
		}
	}
	return true
}

// utf8Validator checks UTF-8 that arrives in pieces: a code point may be
// split between two reads or two fragments of a message. It fails as soon
// as a byte cannot continue any valid sequence, which is what "fail fast"
// means in §8.1: a receiver must not wait for the end of a long message to
// reject it. The zero value is ready and expects a new code point.
type utf8Validator struct {
	need   int  // continuation bytes still expected for the current code point
	lo, hi byte // the range the next continuation byte must be in
}

// feed checks the next piece of text and reports whether it can still be the
// start of valid UTF-8.
func (v *utf8Validator) feed(p []byte) bool {
	for len(p) > 0 {
		if v.need == 0 {
			// Between code points: let the standard library check the
			// longest prefix that ends on a code point boundary, which is
			// fast for ASCII, and handle the cut-off tail below.
			cut := len(p) - incompleteTail(p)
			if !validUTF8(p[:cut]) {
				return false
			}
			p = p[cut:]
			if len(p) == 0 {
				return true
			}
			if !v.start(p[0]) {
				return false
			}
			p = p[1:]
			continue
		}
		c := p[0]
		if c < v.lo || c > v.hi {
			return false
		}
		v.need--
		v.lo, v.hi = 0x80, 0xBF
		p = p[1:]
	}
	return true
}

// start begins a multi-byte code point with lead byte c. The ranges of the
// second byte exclude overlong forms, UTF-16 surrogates (U+D800-U+DFFF) and
// code points above U+10FFFF (RFC 3629 §4).
func (v *utf8Validator) start(c byte) bool {
	v.lo, v.hi = 0x80, 0xBF
	switch {
	case c >= 0xC2 && c <= 0xDF:
		v.need = 1
	case c == 0xE0:
		v.need, v.lo = 2, 0xA0
	case c == 0xED:
		v.need, v.hi = 2, 0x9F
	case c >= 0xE1 && c <= 0xEF:
		v.need = 2
	case c == 0xF0:
		v.need, v.lo = 3, 0x90
	case c == 0xF4:
		v.need, v.hi = 3, 0x8F
	case c >= 0xF1 && c <= 0xF3:
		v.need = 3
	default:
		return false
	}
	return true
}

// complete reports whether the text so far ends on a code point boundary.
func (v *utf8Validator) complete() bool { return v.need == 0 }

// incompleteTail returns how many bytes at the end of p belong to a code
// point that p cuts off: a lead byte followed by fewer continuation bytes
// than it announces. It returns 0 when p ends on a boundary or when the tail
// is invalid anyway (then utf8.Valid on the whole of p reports it).
func incompleteTail(p []byte) int {
	for i := 1; i <= 3 && i <= len(p); i++ {
		c := p[len(p)-i]
		if c < 0x80 {
			return 0 // ASCII: a boundary
		}
		if c >= 0xC0 { // a lead byte
			var size int
			switch {
			case c >= 0xF0:
				size = 4
			case c >= 0xE0:
				size = 3
			default:
				size = 2
			}
			if size > i {
				return i
			}
			return 0
		}
	}
	return 0
}
