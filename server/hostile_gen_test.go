//go:build !js

package main

import (
	"encoding/binary"
	"math/rand/v2"
	"slices"
	"unicode/utf8"
)

// hostileScript is what one hostile connection sends: the bytes, and
// whether it ends its stream after them or goes quiet.
type hostileScript struct {
	stream []byte
	eof    bool
	frames int      // frame headers written, whole or cut
	kinds  []string // what each step was, for the log of a failure
}

// hostileGen writes random frames, valid and not, the way a curious student
// with a raw socket might.
type hostileGen struct {
	r      *rand.Rand
	maxMsg int64
	s      hostileScript
}

// lenEncoding chooses how a frame header writes its payload length.
type lenEncoding int

const (
	lenMinimal lenEncoding = iota
	len16                  // always the 2-byte extended length
	len64                  // always the 8-byte extended length
)

// hostileFrame describes a frame exactly as it goes on the wire, lies included.
type hostileFrame struct {
	fin       bool
	rsv       byte // 0x70 bits
	op        byte
	unmasked  bool
	enc       lenEncoding
	announced int64 // the length in the header; -1 means len(payload)
	payload   []byte
}

// add appends f to the stream; the payload is masked with a random key
// unless the frame is unmasked.
func (g *hostileGen) add(f hostileFrame) {
	g.s.stream = g.wire(g.s.stream, f)
	g.s.frames++
}

func (g *hostileGen) wire(dst []byte, f hostileFrame) []byte {
	n := uint64(len(f.payload))
	if f.announced >= 0 {
		n = uint64(f.announced)
	}
	b0 := f.rsv&0x70 | f.op&0x0F
	if f.fin {
		b0 |= 0x80
	}
	var b1 byte
	if !f.unmasked {
		b1 = 0x80
	}
	enc := f.enc
	if enc == lenMinimal {
		switch {
		case n > 0xFFFF:
			enc = len64
		case n > 125:
			enc = len16
		}
	}
	switch {
	case enc == len64 || n > 0xFFFF:
		dst = append(dst, b0, b1|127)
		dst = binary.BigEndian.AppendUint64(dst, n)
	case enc == len16:
		dst = append(dst, b0, b1|126)
		dst = binary.BigEndian.AppendUint16(dst, uint16(n))
	default:
		dst = append(dst, b0, b1|byte(n))
	}
	if f.unmasked {
		return append(dst, f.payload...)
	}
	key := [4]byte{byte(g.r.Uint32()), byte(g.r.Uint32()), byte(g.r.Uint32()), byte(g.r.Uint32())}
	dst = append(dst, key[:]...)
	for i, c := range f.payload {
		dst = append(dst, c^key[i%4])
	}
	return dst
}

// size picks a payload size that visits every length encoding: mostly
// small, sometimes on the 125/126 and 65535/65536 boundaries, sometimes
// large.
func (g *hostileGen) size() int {
	switch g.r.IntN(10) {
	case 0:
		return 124 + g.r.IntN(4)
	case 1:
		return 126 + g.r.IntN(2000)
	case 2:
		if g.r.IntN(4) == 0 {
			return 65534 + g.r.IntN(4)
		}
		return 65536 + g.r.IntN(5000)
	}
	return g.r.IntN(40)
}

// text returns n bytes or a little more of valid UTF-8 from a few scripts, so
// fragments and chunks often cut code points in two.
func (g *hostileGen) text(n int) []byte {
	pieces := []string{"a", "Z", " ", "é", "ж", "中", "文", "😀", "\u00a0", "€", "<", "\x00"}
	b := make([]byte, 0, n+4)
	for len(b) < n {
		b = append(b, pieces[g.r.IntN(len(pieces))]...)
	}
	return b
}

// badUTF8 returns a byte sequence that is not UTF-8 wherever it appears.
func (g *hostileGen) badUTF8() []byte {
	bad := [][]byte{
		{0xFF}, {0xC0, 0xAF}, {0xED, 0xA0, 0x80}, {0xF4, 0x90, 0x80, 0x80},
		{0x80}, {0xE0, 0x80, 0x80}, {0xF8, 0x88, 0x80, 0x80, 0x80}, {0xC3, 0x28},
	}
	return bad[g.r.IntN(len(bad))]
}

func (g *hostileGen) binary(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(g.r.Uint32())
	}
	return b
}

// message sends payload as one message of op, in one or more fragments,
// with control frames between them now and then.
func (g *hostileGen) message(op byte, payload []byte) {
	parts := 1
	if len(payload) > 1 && g.r.IntN(3) == 0 {
		parts = 2 + g.r.IntN(min(len(payload)-1, 5))
	}
	// Fragments may be empty, and may cut a code point in two: both are
	// allowed (§5.4, §5.6).
	cuts := []int{0}
	for range parts - 1 {
		cuts = append(cuts, g.r.IntN(len(payload)+1))
	}
	slices.Sort(cuts)
	cuts = append(cuts, len(payload))
	for i := range parts {
		fop := byte(0)
		if i == 0 {
			fop = op
		}
		g.add(hostileFrame{fin: i == parts-1, op: fop, announced: -1, payload: payload[cuts[i]:cuts[i+1]]})
		if i < parts-1 && g.r.IntN(3) == 0 {
			g.control()
		}
	}
}

// control sends a ping or a pong.
func (g *hostileGen) control() {
	op := byte(9)
	if g.r.IntN(3) == 0 {
		op = 10
	}
	g.add(hostileFrame{fin: true, op: op, announced: -1, payload: g.binary(g.r.IntN(126))})
}

// step adds one random action, valid or not.
func (g *hostileGen) step() {
	kind := g.r.IntN(32)
	names := []string{}
	name := func(s string) { names = append(names, s) }
	switch {
	case kind < 8:
		name("text")
		g.message(1, g.text(g.size()))
	case kind < 12:
		name("binary")
		g.message(2, g.binary(g.size()))
	case kind < 15:
		name("ping/pong")
		g.control()
	case kind == 15:
		name("reserved opcode")
		ops := []byte{3, 4, 5, 6, 7, 11, 12, 13, 14, 15}
		g.add(hostileFrame{fin: g.r.IntN(2) == 0, op: ops[g.r.IntN(len(ops))], announced: -1, payload: g.binary(g.r.IntN(30))})
	case kind == 16:
		name("RSV bits")
		g.add(hostileFrame{fin: true, rsv: byte(1+g.r.IntN(7)) << 4, op: byte(1 + g.r.IntN(2)), announced: -1, payload: []byte("rsv")})
	case kind == 17:
		name("unmasked")
		g.add(hostileFrame{fin: true, op: 1, unmasked: true, announced: -1, payload: g.text(g.r.IntN(20))})
	case kind == 18:
		name("non-minimal length")
		enc := len16
		if g.r.IntN(2) == 0 {
			enc = len64
		}
		n := g.r.IntN(126)
		if enc == len64 && g.r.IntN(2) == 0 {
			n = 126 + g.r.IntN(1000)
		}
		g.add(hostileFrame{fin: true, op: byte(1 + g.r.IntN(2)), enc: enc, announced: -1, payload: g.text(n)[:n]})
	case kind == 19:
		name("control over 125 bytes")
		g.add(hostileFrame{fin: true, op: byte(8 + g.r.IntN(3)), announced: -1, payload: g.binary(126 + g.r.IntN(200))})
	case kind == 20:
		name("fragmented control")
		g.add(hostileFrame{fin: false, op: byte(8 + g.r.IntN(3)), announced: -1, payload: g.binary(g.r.IntN(10))})
	case kind == 21:
		name("continuation without a start")
		g.add(hostileFrame{fin: g.r.IntN(2) == 0, op: 0, announced: -1, payload: g.text(5)})
	case kind == 22:
		name("new message inside a fragmented one")
		g.add(hostileFrame{fin: false, op: 1, announced: -1, payload: g.text(3)})
		g.add(hostileFrame{fin: true, op: byte(1 + g.r.IntN(2)), announced: -1, payload: g.text(3)})
	case kind == 23:
		name("length that lies")
		p := g.binary(g.r.IntN(50))
		g.add(hostileFrame{fin: true, op: 2, announced: int64(g.r.IntN(200)), payload: p})
	case kind == 24:
		name("length over the limit")
		huge := []int64{g.maxMsg + 1, g.maxMsg + int64(g.r.IntN(1000)), 1 << 32, 1<<63 - 1}
		g.add(hostileFrame{fin: true, op: byte(1 + g.r.IntN(2)), announced: huge[g.r.IntN(len(huge))], payload: g.binary(g.r.IntN(16))})
	case kind == 25:
		name("64-bit length with the top bit")
		g.add(hostileFrame{fin: true, op: 2, enc: len64, announced: int64(g.r.Uint64() | 1<<63), payload: nil})
	case kind == 26:
		name("invalid UTF-8")
		t := g.text(g.r.IntN(60))
		at := g.r.IntN(len(t) + 1)
		t = append(t[:at:at], append(g.badUTF8(), t[at:]...)...)
		g.message(1, t)
	case kind == 27:
		name("text ends inside a code point")
		t := append(g.text(g.r.IntN(20)), "😀"[:1+g.r.IntN(3)]...)
		g.message(1, t)
	case kind == 28:
		name("random bytes")
		g.s.stream = append(g.s.stream, g.binary(1+g.r.IntN(20))...)
	case kind == 29:
		name("fragmented message over the limit")
		n := int(g.maxMsg/2) + 1
		g.add(hostileFrame{fin: false, op: 2, announced: -1, payload: g.binary(n)})
		g.add(hostileFrame{fin: true, op: 0, announced: -1, payload: g.binary(n)})
	default:
		name("text with a code point split over fragments")
		g.message(1, g.text(4+g.r.IntN(30)))
	}
	g.s.kinds = append(g.s.kinds, names...)
}

// closeFrame adds a close frame, valid or not.
func (g *hostileGen) closeFrame() {
	var p []byte
	switch g.r.IntN(8) {
	case 0:
		g.s.kinds = append(g.s.kinds, "close: empty")
	case 1:
		g.s.kinds = append(g.s.kinds, "close: one byte")
		p = []byte{byte(g.r.Uint32())}
	case 2:
		g.s.kinds = append(g.s.kinds, "close: code that may not be sent")
		bad := []uint16{0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535}
		p = binary.BigEndian.AppendUint16(nil, bad[g.r.IntN(len(bad))])
	case 3:
		g.s.kinds = append(g.s.kinds, "close: reason not UTF-8")
		p = binary.BigEndian.AppendUint16(nil, 1000)
		p = append(append(p, g.text(g.r.IntN(10))...), g.badUTF8()...)
	case 4:
		g.s.kinds = append(g.s.kinds, "close: random code")
		p = binary.BigEndian.AppendUint16(nil, uint16(g.r.IntN(5100)))
	default:
		g.s.kinds = append(g.s.kinds, "close: valid")
		good := []uint16{1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999}
		p = binary.BigEndian.AppendUint16(nil, good[g.r.IntN(len(good))])
		reason := g.text(g.r.IntN(100))
		for len(reason) > 123 || !utf8.Valid(reason) {
			reason = reason[:len(reason)-1]
		}
		p = append(p, reason...)
	}
	g.add(hostileFrame{fin: true, op: 8, announced: -1, payload: p})
}

// newHostileScript builds connection i's script from the seed.
func newHostileScript(seed uint64, i int, maxMsg int64) hostileScript {
	g := &hostileGen{r: rand.New(rand.NewPCG(seed, uint64(i))), maxMsg: maxMsg}
	steps := 1 + g.r.IntN(8)
	for range steps {
		g.step()
	}
	switch e := g.r.IntN(20); {
	case e < 8:
		g.closeFrame()
	case e < 12:
		// A frame cut short, then the end of the stream.
		g.s.kinds = append(g.s.kinds, "cut frame, then EOF")
		g.cutFrame()
		g.s.eof = true
	case e < 13:
		g.s.kinds = append(g.s.kinds, "cut frame, then silence")
		g.cutFrame()
	case e < 14:
		g.s.kinds = append(g.s.kinds, "silence")
	case e < 16:
		g.s.kinds = append(g.s.kinds, "EOF between frames")
		g.s.eof = true
	default:
		// Garbage after a broken rule: the server must still end the
		// connection cleanly while the client goes on writing.
		g.s.kinds = append(g.s.kinds, "more steps, then EOF")
		for range 1 + g.r.IntN(4) {
			g.step()
		}
		g.s.eof = true
	}
	return g.s
}

// cutFrame adds the start of a frame, cut anywhere from inside its header
// to just before its last byte.
func (g *hostileGen) cutFrame() {
	var p []byte
	op := byte(1 + g.r.IntN(2))
	if op == 1 {
		p = g.text(1 + g.size())
	} else {
		p = g.binary(1 + g.size())
	}
	if g.r.IntN(4) == 0 {
		op, p = 9, g.binary(1+g.r.IntN(125))
	}
	w := g.wire(nil, hostileFrame{fin: true, op: op, announced: -1, payload: p})
	g.s.stream = append(g.s.stream, w[:1+g.r.IntN(len(w)-1)]...)
	g.s.frames++
}
