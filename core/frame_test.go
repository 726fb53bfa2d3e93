package core

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
)

// The byte-exact examples of RFC 6455 §5.7.
var rfcExamples = []struct {
	name   string
	wire   []byte
	header FrameHeader
	text   string // the payload, unmasked
}{
	{"single-frame unmasked text", []byte{0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f},
		FrameHeader{Fin: true, Opcode: OpText, Length: 5}, "Hello"},
	{"single-frame masked text", []byte{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58},
		FrameHeader{Fin: true, Opcode: OpText, Masked: true, Length: 5, Key: [4]byte{0x37, 0xfa, 0x21, 0x3d}}, "Hello"},
	{"fragmented unmasked text, first", []byte{0x01, 0x03, 0x48, 0x65, 0x6c},
		FrameHeader{Opcode: OpText, Length: 3}, "Hel"},
	{"fragmented unmasked text, last", []byte{0x80, 0x02, 0x6c, 0x6f},
		FrameHeader{Fin: true, Opcode: OpContinuation, Length: 2}, "lo"},
	{"unmasked ping", []byte{0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f},
		FrameHeader{Fin: true, Opcode: OpPing, Length: 5}, "Hello"},
	{"masked pong", []byte{0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58},
		FrameHeader{Fin: true, Opcode: OpPong, Masked: true, Length: 5, Key: [4]byte{0x37, 0xfa, 0x21, 0x3d}}, "Hello"},
	{"256 bytes binary", append([]byte{0x82, 0x7E, 0x01, 0x00}, make([]byte, 256)...),
		FrameHeader{Fin: true, Opcode: OpBinary, Length: 256}, string(make([]byte, 256))},
	{"64 KiB binary", append([]byte{0x82, 0x7F, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00}, make([]byte, 65536)...),
		FrameHeader{Fin: true, Opcode: OpBinary, Length: 65536}, string(make([]byte, 65536))},
}

func TestFrameHeaderRFCExamples(t *testing.T) {
	for _, ex := range rfcExamples {
		t.Run(ex.name, func(t *testing.T) {
			h, n, err := ParseFrameHeader(ex.wire)
			if err != nil {
				t.Fatal(err)
			}
			if h != ex.header {
				t.Errorf("decoded %+v, want %+v", h, ex.header)
			}
			if n+int(h.Length) != len(ex.wire) {
				t.Errorf("header %d bytes + payload %d != frame %d bytes", n, h.Length, len(ex.wire))
			}
			if enc := AppendFrameHeader(nil, ex.header); !bytes.Equal(enc, ex.wire[:n]) {
				t.Errorf("encoded % x, want % x", enc, ex.wire[:n])
			}
			if ex.header.Size() != n {
				t.Errorf("Size() = %d, want %d", ex.header.Size(), n)
			}
			payload := append([]byte(nil), ex.wire[n:]...)
			if h.Masked {
				Mask(h.Key, 0, payload)
			}
			if string(payload) != ex.text {
				t.Errorf("payload %q, want %q", payload, ex.text)
			}
		})
	}
}

// TestAppendFrame checks that AppendFrame writes the frames of §5.7 byte
// for byte, appends after what dst holds, never changes the caller's
// payload, and writes the header as given when its length is not the
// payload's (the frame lab builds such frames on purpose).
func TestAppendFrame(t *testing.T) {
	for _, ex := range rfcExamples {
		t.Run(ex.name, func(t *testing.T) {
			payload := []byte(ex.text)
			got := AppendFrame([]byte("prefix"), ex.header, payload)
			if want := append([]byte("prefix"), ex.wire...); !bytes.Equal(got, want) {
				t.Errorf("AppendFrame = % x, want % x", got[:min(len(got), 24)], want[:min(len(want), 24)])
			}
			if string(payload) != ex.text {
				t.Errorf("AppendFrame changed the payload to %q", payload)
			}
		})
	}
	t.Run("length not the payload's", func(t *testing.T) {
		h := FrameHeader{Fin: true, Opcode: OpBinary, Length: 300}
		got := AppendFrame(nil, h, []byte{1, 2, 3})
		if want := []byte{0x82, 0x7e, 0x01, 0x2c, 1, 2, 3}; !bytes.Equal(got, want) {
			t.Errorf("AppendFrame = % x, want % x", got, want)
		}
	})
	t.Run("no allocation with room", func(t *testing.T) {
		buf := make([]byte, 0, 64)
		h := FrameHeader{Fin: true, Opcode: OpText, Length: 5, Masked: true, Key: [4]byte{1, 2, 3, 4}}
		if n := testing.AllocsPerRun(100, func() { buf = AppendFrame(buf[:0], h, []byte("Hello")) }); n != 0 {
			t.Errorf("AppendFrame allocated %v times into a buffer with room", n)
		}
	})
}

// TestFrameHeaderLengthBoundaries checks each length form at its edges
// against the encoding §5.2 prescribes, written out by hand here.
func TestFrameHeaderLengthBoundaries(t *testing.T) {
	tests := []struct {
		length uint64
		want   []byte // the bytes after the first byte, unmasked
	}{
		{0, []byte{0}},
		{1, []byte{1}},
		{124, []byte{124}},
		{125, []byte{125}},
		{126, []byte{126, 0x00, 0x7E}},
		{127, []byte{126, 0x00, 0x7F}},
		{65534, []byte{126, 0xFF, 0xFE}},
		{65535, []byte{126, 0xFF, 0xFF}},
		{65536, []byte{127, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00}},
		{65537, []byte{127, 0, 0, 0, 0, 0, 0x01, 0x00, 0x01}},
		{1<<32 + 1, []byte{127, 0, 0, 0, 0x01, 0, 0, 0, 0x01}},
		{1<<63 - 1, []byte{127, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}},
	}
	for _, tc := range tests {
		for _, masked := range []bool{false, true} {
			h := FrameHeader{Fin: true, Opcode: OpBinary, Length: tc.length, Masked: masked}
			want := append([]byte{0x82}, tc.want...)
			if masked {
				h.Key = [4]byte{9, 8, 7, 6}
				want[1] |= 0x80
				want = append(want, 9, 8, 7, 6)
			}
			got := AppendFrameHeader(nil, h)
			if !bytes.Equal(got, want) {
				t.Errorf("length %d masked %v: encoded % x, want % x", tc.length, masked, got, want)
			}
			back, n, err := ParseFrameHeader(got)
			if err != nil || back != h || n != len(want) {
				t.Errorf("length %d masked %v: decoded %+v, %d, %v", tc.length, masked, back, n, err)
			}
			if err := CheckFrameHeader(h, roleReceiving(masked), 0); err != nil {
				t.Errorf("length %d: %v", tc.length, err)
			}
		}
	}
}

// roleReceiving returns the role that expects frames masked or not.
func roleReceiving(masked bool) Role {
	if masked {
		return Server
	}
	return Client
}

// TestFrameHeaderRandomRoundTrip encodes and decodes thousands of random
// headers, lengths drawn around the boundaries and from the whole range.
func TestFrameHeaderRandomRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	edges := []uint64{0, 125, 126, 127, 65535, 65536, 1<<63 - 1}
	for i := range 20000 {
		h := FrameHeader{
			Fin:    rng.IntN(2) == 0,
			Rsv:    byte(rng.IntN(8)),
			Opcode: Opcode(rng.IntN(16)),
			Masked: rng.IntN(2) == 0,
		}
		if h.Masked {
			k := rng.Uint32()
			h.Key = [4]byte{byte(k), byte(k >> 8), byte(k >> 16), byte(k >> 24)}
		}
		switch i % 3 {
		case 0:
			e := edges[rng.IntN(len(edges))]
			h.Length = e + uint64(rng.IntN(3)) - 1
			if e == 0 || e == 1<<63-1 {
				h.Length = e
			}
		case 1:
			h.Length = rng.Uint64N(1 << 17)
		default:
			h.Length = rng.Uint64() >> 1
		}
		b := AppendFrameHeader(nil, h)
		if len(b) != h.Size() {
			t.Fatalf("%+v: %d bytes, Size() says %d", h, len(b), h.Size())
		}
		back, n, err := ParseFrameHeader(append(b, 0xEE)) // a following byte must not be taken
		if err != nil || back != h || n != len(b) {
			t.Fatalf("%+v: decoded %+v, %d, %v", h, back, n, err)
		}
		if !checkMinimalLength(b, h.Length) {
			t.Fatalf("%+v: the encoder did not use the minimal length form", h)
		}
	}
}

func TestParseFrameHeaderShort(t *testing.T) {
	full := AppendFrameHeader(nil, FrameHeader{Fin: true, Opcode: OpBinary, Masked: true, Length: 70000, Key: [4]byte{1, 2, 3, 4}})
	for cut := 0; cut < len(full); cut++ {
		_, need, err := ParseFrameHeader(full[:cut])
		if !errors.Is(err, ErrShortHeader) {
			t.Fatalf("%d bytes: err = %v, want ErrShortHeader", cut, err)
		}
		wantNeed := 2
		if cut >= 2 {
			wantNeed = len(full)
		}
		if need != wantNeed {
			t.Errorf("%d bytes: need %d, want %d", cut, need, wantNeed)
		}
	}
}

func TestCheckFrameHeader(t *testing.T) {
	tests := []struct {
		name     string
		h        FrameHeader
		receiver Role
		rsv      byte
		want     []Rule
	}{
		{"valid masked text to server", FrameHeader{Fin: true, Opcode: OpText, Masked: true, Length: 5}, Server, 0, nil},
		{"valid unmasked text to client", FrameHeader{Fin: true, Opcode: OpText, Length: 5}, Client, 0, nil},
		{"control with 125 bytes", FrameHeader{Fin: true, Opcode: OpPing, Masked: true, Length: 125}, Server, 0, nil},
		{"RSV1 allowed by an extension", FrameHeader{Fin: true, Rsv: 4, Opcode: OpText, Masked: true}, Server, 4, nil},
		{"unmasked to server", FrameHeader{Fin: true, Opcode: OpText, Length: 5}, Server, 0, []Rule{RuleClientMasks}},
		{"masked to client", FrameHeader{Fin: true, Opcode: OpText, Masked: true}, Client, 0, []Rule{RuleServerNoMask}},
		{"RSV2", FrameHeader{Fin: true, Rsv: 2, Opcode: OpText, Masked: true}, Server, 0, []Rule{RuleReservedBits}},
		{"RSV2 when only RSV1 is negotiated", FrameHeader{Fin: true, Rsv: 2, Opcode: OpText, Masked: true}, Server, 4, []Rule{RuleReservedBits}},
		{"opcode 3", FrameHeader{Fin: true, Opcode: 3, Masked: true}, Server, 0, []Rule{RuleReservedOpcode}},
		{"opcode 0xB", FrameHeader{Fin: true, Opcode: 0xB, Masked: true}, Server, 0, []Rule{RuleReservedOpcode}},
		{"fragmented ping", FrameHeader{Opcode: OpPing, Masked: true}, Server, 0, []Rule{RuleControlFinal}},
		{"close of 126 bytes", FrameHeader{Fin: true, Opcode: OpClose, Masked: true, Length: 126}, Server, 0, []Rule{RuleControlLength}},
		{"length top bit", FrameHeader{Fin: true, Opcode: OpBinary, Masked: true, Length: 1 << 63}, Server, 0, []Rule{RuleLengthTopBit}},
		{"everything at once", FrameHeader{Rsv: 7, Opcode: 0xF, Length: 1<<63 + 5}, Server, 0,
			[]Rule{RuleReservedBits, RuleReservedOpcode, RuleControlFinal, RuleControlLength, RuleLengthTopBit, RuleClientMasks}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckFrameHeader(tc.h, tc.receiver, tc.rsv)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("want no error, got %v", err)
				}
				return
			}
			var pe *ProtocolError
			if !errors.As(err, &pe) {
				t.Fatalf("want a *ProtocolError, got %v", err)
			}
			if pe.Code != StatusProtocolError {
				t.Errorf("code %v, want 1002", pe.Code)
			}
			if !slices.Equal(pe.Rules, tc.want) {
				t.Errorf("rules %v, want %v", pe.Rules, tc.want)
			}
		})
	}
}

func TestCheckFrameHeaderValidAllocatesNothing(t *testing.T) {
	h := FrameHeader{Fin: true, Opcode: OpBinary, Masked: true, Length: 1000}
	if n := testing.AllocsPerRun(100, func() { CheckFrameHeader(h, Server, 0) }); n != 0 {
		t.Errorf("%v allocations per valid header, want 0", n)
	}
}
