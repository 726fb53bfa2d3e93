//go:build !js

package main

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"testing"
	"unicode/utf8"
)

// The hostile test needs to know, for any bytes a client sends, what a
// strict server must answer. oracleEndpoint.predict works that out alone, from
// RFC 6455 directly and without calling core, so that it checks core's
// reading of the same bytes rather than repeating it: a rule both got wrong
// the same way would go unnoticed, but a rule only one of them got wrong is
// a failure with the bytes to replay.

// endKind says how a connection must end.
type endKind int

const (
	endClose endKind = iota // the server sends a close frame (code 0: an empty body)
	endEOF                  // the client ended its stream inside or between frames: TCP closes, no close frame
	endIdle                 // the client stopped sending: after the idle timeout TCP closes, no close frame
)

func (k endKind) String() string {
	switch k {
	case endClose:
		return "close frame"
	case endEOF:
		return "end of stream"
	}
	return "idle timeout"
}

// wireReply is a frame the server must send back: an echo or a pong.
type wireReply struct {
	op      byte
	payload string
}

// oracleEndpoint is what the oracle knows of the endpoint's own rules.
type oracleEndpoint struct {
	maxMessage    int64
	binaryRefused bool // /ws/chat: a binary message closes with 1003
}

// wireVerdict is the oracle's prediction for one connection.
type wireVerdict struct {
	replies []wireReply // in order; for /ws/echo every echo and pong
	end     endKind
	code    uint16 // with endClose: the code, 0 for an empty close frame
	rule    string // why, for the log
	hint    string // with a code the server chose: a word its close reason must hold, naming the rule
	echoed  bool   // the code is the client's own, echoed (§5.5.1)
	frames  int    // frames whose header the server reads
}

// predict reads stream as the server must. eof says whether the client ends
// its stream after these bytes (true) or goes quiet (false).
func (ep oracleEndpoint) predict(stream []byte, eof bool) wireVerdict {
	var v wireVerdict
	incomplete := func(why string) wireVerdict {
		v.end, v.rule = endIdle, why
		if eof {
			v.end = endEOF
		}
		return v
	}
	fail := func(code uint16, why, hint string) wireVerdict {
		v.end, v.code, v.rule, v.hint = endClose, code, why, hint
		return v
	}
	var (
		inMessage bool
		msgOp     byte
		msg       []byte
	)
	p := stream
	for {
		if len(p) < 2 {
			if len(p) == 0 {
				return incomplete("between frames")
			}
			return incomplete("inside a header")
		}
		b0, b1 := p[0], p[1]
		fin, rsv, op := b0&0x80 != 0, b0&0x70, b0&0x0F
		masked, len7 := b1&0x80 != 0, uint64(b1&0x7F)
		hlen := 2
		switch len7 {
		case 126:
			hlen += 2
		case 127:
			hlen += 8
		}
		if masked {
			hlen += 4
		}
		if len(p) < hlen {
			// The rest of the header never comes. The rules its first
			// two bytes decide are known already, and the server fails
			// a peer that broke one now rather than wait for bytes it
			// may never send (docs/core.md): §7.1.7 lets an endpoint
			// fail the connection as soon as it sees the violation.
			if code, why, hint := firstBytesRule(b0, b1, inMessage); code != 0 {
				return fail(code, why, hint)
			}
			return incomplete("inside a header")
		}
		length := len7
		switch len7 {
		case 126:
			length = uint64(binary.BigEndian.Uint16(p[2:4]))
		case 127:
			length = binary.BigEndian.Uint64(p[2:10])
		}
		var key [4]byte
		if masked {
			copy(key[:], p[hlen-4:hlen])
		}
		p = p[hlen:]
		v.frames++

		control := op >= 8
		known := op <= 2 || (op >= 8 && op <= 10)
		switch {
		case rsv != 0:
			return fail(1002, "RSV bits", "RSV")
		case !known:
			return fail(1002, "reserved opcode", "opcode")
		case control && !fin:
			return fail(1002, "fragmented control frame", "fragmented")
		case control && length > 125:
			return fail(1002, "control frame over 125 bytes", "125")
		case length>>63 != 0:
			return fail(1002, "64-bit length with its top bit set", "significant bit")
		case !masked:
			return fail(1002, "unmasked client frame", "mask")
		case len7 == 126 && length <= 125, len7 == 127 && length <= 0xFFFF:
			return fail(1002, "length not in the fewest bytes", "minimal")
		case op == 0 && !inMessage:
			return fail(1002, "continuation without a start", "continuation")
		case (op == 1 || op == 2) && inMessage:
			return fail(1002, "new message inside a fragmented one", "in progress")
		}
		if !control && int64(len(msg))+int64(min(length, 1<<62)) > ep.maxMessage {
			return fail(1009, "message over the limit", "larger")
		}
		n := min(uint64(len(p)), length)
		payload := make([]byte, n)
		for i := range payload {
			payload[i] = p[i] ^ key[i%4]
		}
		p = p[n:]
		if control {
			if n < length {
				return incomplete("inside a control frame")
			}
			switch op {
			case 9:
				v.replies = append(v.replies, wireReply{op: 10, payload: string(payload)})
			case 8:
				return closeVerdict(v, payload)
			}
			continue
		}
		if op != 0 {
			msgOp, inMessage = op, true
		}
		msg = append(msg, payload...)
		if msgOp == 1 {
			if valid, _ := utf8Prefix(msg); !valid {
				return fail(1007, "invalid UTF-8 in a text message", "UTF-8")
			}
		}
		if n < length {
			return incomplete("inside a data frame")
		}
		if !fin {
			continue
		}
		if msgOp == 1 {
			if _, complete := utf8Prefix(msg); !complete {
				return fail(1007, "text message ends inside a UTF-8 sequence", "UTF-8")
			}
		}
		if msgOp == 2 && ep.binaryRefused {
			return fail(1003, "binary message to a text-only endpoint", "text")
		}
		v.replies = append(v.replies, wireReply{op: msgOp, payload: string(msg)})
		inMessage, msg = false, nil
	}
}

// firstBytesRule is the first rule, in predict's order, that the first two
// bytes of a client's header break, with the close code and a word the
// reason must hold; code 0 when they break none. The length rules (a
// control frame over 125 bytes, the fewest bytes, the top bit) need the
// extended length, which has not arrived: a control frame with length code
// 126 may still turn out to be a non-minimal 5.
func firstBytesRule(b0, b1 byte, inMessage bool) (code uint16, why, hint string) {
	fin, rsv, op, masked := b0&0x80 != 0, b0&0x70, b0&0x0F, b1&0x80 != 0
	control := op >= 8
	known := op <= 2 || (op >= 8 && op <= 10)
	switch {
	case rsv != 0:
		return 1002, "RSV bits", "RSV"
	case !known:
		return 1002, "reserved opcode", "opcode"
	case control && !fin:
		return 1002, "fragmented control frame", "fragmented"
	case !masked:
		return 1002, "unmasked client frame", "mask"
	case op == 0 && !inMessage:
		return 1002, "continuation without a start", "continuation"
	case (op == 1 || op == 2) && inMessage:
		return 1002, "new message inside a fragmented one", "in progress"
	}
	return 0, "", ""
}

// closeVerdict is the answer to a well-framed close frame from the client.
func closeVerdict(v wireVerdict, payload []byte) wireVerdict {
	v.end = endClose
	switch {
	case len(payload) == 0:
		v.code, v.rule = 0, "empty close frame, answered with an empty one"
	case len(payload) == 1:
		v.code, v.rule, v.hint = 1002, "close body of one byte", "2-byte"
	case !codeSendable(binary.BigEndian.Uint16(payload)):
		v.code, v.rule, v.hint = 1002, "close code that may not be sent", "status code"
	case !utf8.Valid(payload[2:]):
		v.code, v.rule, v.hint = 1007, "close reason not UTF-8", "UTF-8"
	default:
		v.code, v.rule, v.echoed = binary.BigEndian.Uint16(payload), "valid close frame, code echoed", true
	}
	return v
}

// codeSendable reports whether a close code may be put in a close frame
// (RFC 6455 §7.4.1 and §7.4.2, with 1012-1014 from the IANA registry).
func codeSendable(c uint16) bool {
	return (c >= 1000 && c <= 1003) || (c >= 1007 && c <= 1014) || (c >= 3000 && c <= 4999)
}

// serverCode reports whether a server may choose code itself when it
// closes: 1000-1003 and 1007-1011. Never 1005, 1006 or 1015, which only
// report what happened locally.
func serverCode(c uint16) bool {
	return (c >= 1000 && c <= 1003) || (c >= 1007 && c <= 1011)
}

// utf8Prefix reports whether b can still become valid UTF-8 (no byte so far
// rules it out) and whether it is valid as it stands.
func utf8Prefix(b []byte) (valid, complete bool) {
	for len(b) > 0 {
		if !utf8.FullRune(b) {
			// The standard library calls a sequence short only when its
			// bytes so far are allowed: more bytes could complete it.
			return true, false
		}
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size == 1 {
			return false, false
		}
		b = b[size:]
	}
	return true, true
}

// TestWireOracle checks the oracle itself on hand-made streams, one rule
// each, so that a mistake in it shows here and not as a puzzling failure
// of the server.
func TestWireOracle(t *testing.T) {
	g := &hostileGen{r: rand.New(rand.NewPCG(7, 7))}
	// In this table a frame with a payload and no announced length
	// announces its payload's length.
	frame := func(f hostileFrame) []byte {
		if f.announced == 0 && len(f.payload) > 0 {
			f.announced = -1
		}
		return g.wire(nil, f)
	}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	text := func(s string) []byte { return frame(hostileFrame{fin: true, op: 1, announced: -1, payload: []byte(s)}) }
	closeWith := func(p ...byte) []byte { return frame(hostileFrame{fin: true, op: 8, announced: -1, payload: p}) }
	ep := oracleEndpoint{maxMessage: 100}
	cases := []struct {
		name    string
		stream  []byte
		eof     bool
		end     endKind
		code    uint16
		replies int
	}{
		{"echo then quiet", text("hi"), false, endIdle, 0, 1},
		{"echo then EOF", text("hi"), true, endEOF, 0, 1},
		{"empty close", cat(text("a"), closeWith()), false, endClose, 0, 1},
		{"close 1000 echoed", closeWith(0x03, 0xE8, 'o', 'k'), false, endClose, 1000, 0},
		{"close 4999 echoed", closeWith(0x13, 0x87), false, endClose, 4999, 0},
		{"close body of one byte", closeWith(0x03), false, endClose, 1002, 0},
		{"close 1005 may not be sent", closeWith(0x03, 0xED), false, endClose, 1002, 0},
		{"close reason not UTF-8", closeWith(0x03, 0xE8, 0xFF), false, endClose, 1007, 0},
		{"reserved opcode", frame(hostileFrame{fin: true, op: 3, announced: -1}), false, endClose, 1002, 0},
		{"RSV1", frame(hostileFrame{fin: true, rsv: 0x40, op: 1, announced: -1}), false, endClose, 1002, 0},
		{"unmasked", frame(hostileFrame{fin: true, op: 1, unmasked: true, announced: -1}), false, endClose, 1002, 0},
		{"16-bit length for 5 bytes", frame(hostileFrame{fin: true, op: 2, enc: len16, payload: []byte("12345")}), false, endClose, 1002, 0},
		{"64-bit length for 300 bytes", frame(hostileFrame{fin: true, op: 2, enc: len64, payload: make([]byte, 300)}), false, endClose, 1002, 0},
		{"ping of 126 bytes", frame(hostileFrame{fin: true, op: 9, payload: make([]byte, 126)}), false, endClose, 1002, 0},
		{"fragmented ping", frame(hostileFrame{fin: false, op: 9, announced: -1}), false, endClose, 1002, 0},
		{"lone continuation", frame(hostileFrame{fin: true, op: 0, announced: -1}), false, endClose, 1002, 0},
		{"nested message", cat(frame(hostileFrame{op: 1, payload: []byte("a")}), text("b")), false, endClose, 1002, 0},
		{"ping between fragments", cat(frame(hostileFrame{op: 1, payload: []byte("a")}), frame(hostileFrame{fin: true, op: 9, payload: []byte("p")}),
			frame(hostileFrame{fin: true, op: 0, payload: []byte("b")})), false, endIdle, 0, 2},
		{"over the limit", frame(hostileFrame{fin: true, op: 2, announced: 101}), false, endClose, 1009, 0},
		{"fragments over the limit", cat(frame(hostileFrame{op: 2, payload: make([]byte, 60)}), frame(hostileFrame{fin: true, op: 0, payload: make([]byte, 60)})), false, endClose, 1009, 0},
		{"invalid UTF-8", text("a\xffb"), false, endClose, 1007, 0},
		{"code point split over fragments", cat(frame(hostileFrame{op: 1, payload: []byte("\xe4\xb8")}), frame(hostileFrame{fin: true, op: 0, payload: []byte("\xad")})), false, endIdle, 0, 1},
		{"text ends inside a code point", text("\xe4\xb8"), false, endClose, 1007, 0},
		{"invalid UTF-8 in a cut frame", text("ab\xc0\xafcdef")[:9], true, endClose, 1007, 0},
		{"cut header", text("hello")[:3], true, endEOF, 0, 0},
		{"cut header with a reserved opcode", frame(hostileFrame{fin: true, op: 3, payload: []byte("hello")})[:3], true, endClose, 1002, 0},
		{"cut header of an unmasked frame", frame(hostileFrame{fin: true, op: 2, unmasked: true, enc: len16, payload: make([]byte, 200)})[:3], false, endClose, 1002, 0},
		{"cut ping header with length code 126", frame(hostileFrame{fin: true, op: 9, enc: len16, payload: make([]byte, 5)})[:3], true, endEOF, 0, 0},
		{"one byte of a header with a reserved opcode", frame(hostileFrame{fin: true, op: 3, announced: -1})[:1], true, endEOF, 0, 0},
		{"length that lies, then quiet", frame(hostileFrame{fin: true, op: 2, announced: 50, payload: []byte("short")}), false, endIdle, 0, 0},
	}
	for _, tc := range cases {
		v := ep.predict(tc.stream, tc.eof)
		if v.end != tc.end || v.code != tc.code || len(v.replies) != tc.replies {
			t.Errorf("%s: got %v %d with %d replies (%s), want %v %d with %d replies", tc.name, v.end, v.code, len(v.replies), v.rule, tc.end, tc.code, tc.replies)
		}
	}
	if v := (oracleEndpoint{maxMessage: 100, binaryRefused: true}).predict(frame(hostileFrame{fin: true, op: 2, payload: []byte("b")}), false); v.code != 1003 {
		t.Errorf("binary to the chat: got %v %d, want close 1003", v.end, v.code)
	}
}
