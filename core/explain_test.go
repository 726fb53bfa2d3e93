package core

import (
	"bytes"
	"encoding/hex"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

func TestAcceptStepsRFCExample(t *testing.T) {
	// RFC 6455 §1.3 works this key through every step.
	e := AcceptSteps("dGhlIHNhbXBsZSBub25jZQ==")
	if string(e.KeyBytes) != "the sample nonce" {
		t.Errorf("key bytes %q, want the 16 bytes of \"the sample nonce\"", e.KeyBytes)
	}
	if e.KeyProblem != nil {
		t.Errorf("unexpected key problem: %v", e.KeyProblem)
	}
	if e.Concatenated != "dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11" {
		t.Errorf("concatenation %q", e.Concatenated)
	}
	// §1.3: "0xb3 0x7a 0x4f 0x2c 0xc0 0x62 0x4f 0x16 0x90 0xf6 0x46 0x06
	// 0xcf 0x38 0x59 0x45 0xb2 0xbe 0xc4 0xea"
	if e.SHA1Hex != "b37a4f2cc0624f1690f64606cf385945b2bec4ea" || hex.EncodeToString(e.SHA1) != e.SHA1Hex {
		t.Errorf("SHA-1 %s", e.SHA1Hex)
	}
	if e.Accept != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Errorf("accept %s", e.Accept)
	}
}

func TestAcceptStepsBadKey(t *testing.T) {
	for _, key := range []string{"", "abc", "dGhlIHNhbXBsZSBub25jZQ", "dGhlIHNhbXBsZSBub25jZSE="} {
		e := AcceptSteps(key)
		if e.KeyProblem == nil || e.KeyProblem.Rule != RuleKeyLength {
			t.Errorf("%q: problem %v, want %v", key, e.KeyProblem, RuleKeyLength)
		}
		// The steps still show what a server that skips the check would
		// compute, so a learner sees the result either way.
		if e.Accept != Accept(key) || len(e.SHA1) != 20 {
			t.Errorf("%q: steps not computed", key)
		}
	}
}

// fieldByName finds a field of an explanation.
func fieldByName(t *testing.T, e FrameExplanation, name string) Field {
	t.Helper()
	for _, f := range e.Fields {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("no field %q in %v", name, e.Fields)
	return Field{}
}

func TestExplainFrameMaskedHello(t *testing.T) {
	wire := rfcExamples[1].wire // RFC §5.7 masked "Hello"
	e := ExplainFrame(wire, Server)
	if !e.Complete || e.Missing != 0 || e.Rest != 0 || len(e.Problems) != 0 {
		t.Fatalf("complete %v missing %d rest %d problems %v", e.Complete, e.Missing, e.Rest, e.Problems)
	}
	if e.Text != "Hello" || !bytes.Equal(e.Payload, wire[6:]) {
		t.Errorf("text %q payload % x", e.Text, e.Payload)
	}
	checks := []struct {
		name              string
		offset, size      int
		bitOffset, bits   int
		raw, value, words string
	}{
		{"FIN", 0, 1, 0, 1, "1", "1", "final frame"},
		{"RSV1", 0, 1, 1, 1, "0", "0", "reserved"},
		{"RSV3", 0, 1, 3, 1, "0", "0", "reserved"},
		{"opcode", 0, 1, 4, 4, "0001", "0x1", "opcode 0x1: text frame"},
		{"MASK", 1, 1, 8, 1, "1", "1", "masking key follows"},
		{"Payload len", 1, 1, 9, 7, "0000101", "5", "5 bytes"},
		{"Masking-key", 2, 4, 16, 32, "00110111111110100010000100111101", "0x37fa213d", "XOR"},
		{"Payload Data", 6, 5, 48, 40, "7f9f4d5158", `"Hello"`, "unmasked"},
	}
	for _, c := range checks {
		f := fieldByName(t, e, c.name)
		if f.Offset != c.offset || f.Size != c.size || f.BitOffset != c.bitOffset || f.Bits != c.bits ||
			f.Raw != c.raw || f.Value != c.value || !strings.Contains(f.Meaning, c.words) {
			t.Errorf("%s: got %+v", c.name, f)
		}
	}
}

func TestExplainFrameLengthForms(t *testing.T) {
	for _, n := range []uint64{126, 65536, 1<<63 - 1} {
		wire := AppendFrameHeader(nil, FrameHeader{Fin: true, Opcode: OpBinary, Length: n})
		e := ExplainFrame(wire, Client)
		f := fieldByName(t, e, "Extended payload length")
		if f.Value != strconv.FormatUint(n, 10) || !strings.Contains(f.Meaning, f.Value+" bytes") {
			t.Errorf("length %d: value %s, meaning %q", n, f.Value, f.Meaning)
		}
		if e.Complete || e.Missing != n {
			t.Errorf("length %d: header only, yet complete=%v missing=%d", n, e.Complete, e.Missing)
		}
		if plen := fieldByName(t, e, "Payload len"); !strings.Contains(plen.Meaning, "next") {
			t.Errorf("length %d: Payload len meaning %q should point at the next bytes", n, plen.Meaning)
		}
	}
}

func TestExplainFrameProblems(t *testing.T) {
	tests := []struct {
		name     string
		wire     []byte
		receiver Role
		want     []Rule
		code     StatusCode
	}{
		{"fragmented ping with RSV1, unmasked to a server", []byte{0x49, 0x00}, Server,
			[]Rule{RuleReservedBits, RuleControlFinal, RuleClientMasks}, StatusProtocolError},
		{"reserved opcode", []byte{0x83, 0x00}, Client, []Rule{RuleReservedOpcode}, StatusProtocolError},
		{"non-minimal length", []byte{0x82, 0x7E, 0x00, 0x01, 0xAA}, Client, []Rule{RuleMinimalLength}, StatusProtocolError},
		{"invalid UTF-8 text", []byte{0x81, 0x02, 0xC0, 0xAF}, Client, []Rule{RuleInvalidUTF8}, StatusInvalidPayload},
		{"close with 1005", []byte{0x88, 0x02, 0x03, 0xED}, Client, []Rule{RuleCloseCode}, StatusProtocolError},
		{"close with a 1-byte body", []byte{0x88, 0x01, 0x03}, Client, []Rule{RuleCloseLength}, StatusProtocolError},
		{"valid close", []byte{0x88, 0x04, 0x03, 0xE8, 'o', 'k'}, Client, nil, 0},
		{"continuation alone is fine out of context", []byte{0x80, 0x01, 'x'}, Client, nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := ExplainFrame(tc.wire, tc.receiver)
			if !slices.Equal(e.Problems, tc.want) || e.Code != tc.code {
				t.Errorf("problems %v code %d, want %v code %d", e.Problems, e.Code, tc.want, tc.code)
			}
			if len(e.Fields) == 0 {
				t.Error("an invalid frame must still be explained field by field")
			}
		})
	}
}

func TestExplainFramePartialAndRest(t *testing.T) {
	two := append(append([]byte(nil), rfcExamples[0].wire...), rfcExamples[4].wire...)
	e := ExplainFrame(two, Client)
	if !e.Complete || e.Rest != len(rfcExamples[4].wire) || e.Text != "Hello" {
		t.Errorf("complete %v rest %d text %q", e.Complete, e.Rest, e.Text)
	}
	e = ExplainFrame(two[:4], Client)
	if e.Complete || e.Missing != 3 || e.Text != "He" {
		t.Errorf("cut frame: complete %v missing %d text %q", e.Complete, e.Missing, e.Text)
	}
	e = ExplainFrame([]byte{0x81}, Client)
	if e.HeaderSize != 0 || e.Missing != 1 || len(e.Fields) != 5 {
		t.Errorf("one byte: header size %d missing %d fields %d", e.HeaderSize, e.Missing, len(e.Fields))
	}
}

// TestExplainFrameFieldsTileTheHeader: for random headers, the fields'
// bit ranges cover the header exactly, in order, without gap or overlap,
// and each field's bytes hold its bits.
func TestExplainFrameFieldsTileTheHeader(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for range 2000 {
		h := FrameHeader{Fin: rng.IntN(2) == 0, Rsv: byte(rng.IntN(8)), Opcode: Opcode(rng.IntN(16)), Masked: rng.IntN(2) == 0}
		h.Length = []uint64{rng.Uint64N(126), 126 + rng.Uint64N(65536-126), rng.Uint64() >> 1}[rng.IntN(3)]
		wire := AppendFrameHeader(nil, h)
		e := ExplainFrame(wire, Server)
		fields := slices.Clone(e.Fields)
		sort.SliceStable(fields, func(i, j int) bool { return fields[i].BitOffset < fields[j].BitOffset })
		next := 0
		for _, f := range fields {
			if f.BitOffset != next {
				t.Fatalf("%+v: field %s starts at bit %d, want %d", h, f.Name, f.BitOffset, next)
			}
			if f.Offset != f.BitOffset/8 || (f.BitOffset+f.Bits+7)/8-f.Offset != max(f.Size, 0) && f.Bits > 0 {
				t.Fatalf("%+v: field %s bytes [%d,+%d) do not hold bits [%d,+%d)", h, f.Name, f.Offset, f.Size, f.BitOffset, f.Bits)
			}
			next += f.Bits
		}
		if next != 8*len(wire) {
			t.Fatalf("%+v: fields cover %d bits of a %d-bit header", h, next, 8*len(wire))
		}
	}
}

func TestMaskSteps(t *testing.T) {
	key := [4]byte{0x37, 0xfa, 0x21, 0x3d}
	for _, pos := range []int{0, 1, 3} {
		steps := MaskSteps(key, pos, []byte("Hello, masking"))
		for i, s := range steps {
			if s.Index != i || s.KeyIndex != (pos+i)%4 || s.KeyByte != key[(pos+i)%4] || s.In != "Hello, masking"[i] {
				t.Fatalf("pos %d step %d: %+v", pos, i, s)
			}
			if s.Out != s.In^s.KeyByte {
				t.Fatalf("pos %d step %d: out %#x, want in XOR key = %#x", pos, i, s.Out, s.In^s.KeyByte)
			}
		}
		// Masking the output again gives the input back.
		out := make([]byte, len(steps))
		for i, s := range steps {
			out[i] = s.Out
		}
		for i, s := range MaskSteps(key, pos, out) {
			if s.Out != steps[i].In {
				t.Fatalf("pos %d: masking twice did not restore byte %d", pos, i)
			}
		}
	}
	if s := MaskSteps(key, 0, []byte("Hello")); s[0].Out != 0x7f || s[4].Out != 0x58 {
		t.Errorf("RFC §5.7 example: got %#x ... %#x, want 0x7f ... 0x58", s[0].Out, s[4].Out)
	}
}

func TestDescribeByte(t *testing.T) {
	for b := range 256 {
		got := DescribeByte(byte(b))
		printable := b >= 0x20 && b <= 0x7e
		if printable && got != string(rune(b)) || !printable && got != "·" {
			t.Errorf("DescribeByte(%#x) = %q", b, got)
		}
	}
}

func TestHexString(t *testing.T) {
	for _, b := range [][]byte{nil, {0}, {0x0f, 0xf0}, []byte("\x00\x7f\x80\xff wsplay")} {
		if got, want := hexString(b), hex.EncodeToString(b); got != want {
			t.Errorf("hexString(% x) = %q, want %q", b, got, want)
		}
	}
}

// TestExplainFrameDeflate: RSV1 is valid on the first frame of a data
// message when permessage-deflate was negotiated (RFC 7692 §6.1), broken
// on any other frame, and broken everywhere without the extension.
func TestExplainFrameDeflate(t *testing.T) {
	// RFC 7692 §7.2.3.1: "Hello" compressed, in one unmasked frame.
	hello := []byte{0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}
	tests := []struct {
		name    string
		wire    []byte
		deflate bool
		want    []Rule
		rsv1    string // a word the RSV1 meaning must hold
	}{
		{"compressed text, negotiated", hello, true, nil, "Per-Message Compressed"},
		// Without the extension the bytes are also read as text, and are not UTF-8.
		{"compressed text, not negotiated", hello, false, []Rule{RuleReservedBits, RuleInvalidUTF8}, "reserved bit set"},
		{"compressed binary, negotiated", []byte{0xc2, 0x01, 0x00}, true, nil, "Per-Message Compressed"},
		{"RSV1 on a continuation", []byte{0xc0, 0x01, 0x00}, true, []Rule{RuleCompressedBit}, "only the first frame"},
		{"RSV1 on a ping", []byte{0xc9, 0x00}, true, []Rule{RuleCompressedBit}, "only the first frame"},
		{"RSV2 stays reserved", []byte{0xa1, 0x01, 'x'}, true, []Rule{RuleReservedBits}, "clear"},
		{"uncompressed text, negotiated", []byte{0x81, 0x01, 'x'}, true, nil, "clear"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := ExplainFrameWith(tc.wire, ExplainOptions{Receiver: Client, Deflate: tc.deflate})
			if !slices.Equal(e.Problems, tc.want) {
				t.Errorf("problems %v, want %v", e.Problems, tc.want)
			}
			if (e.Code != 0) != (tc.want != nil) {
				t.Errorf("code %d with problems %v", e.Code, e.Problems)
			}
			if m := fieldByName(t, e, "RSV1").Meaning; !strings.Contains(m, tc.rsv1) {
				t.Errorf("RSV1 meaning %q, want it to hold %q", m, tc.rsv1)
			}
		})
	}
	// Compressed bytes are DEFLATE data, not text to validate as UTF-8.
	e := ExplainFrameWith(hello, ExplainOptions{Receiver: Client, Deflate: true})
	if e.Text != "" || !strings.Contains(fieldByName(t, e, "Payload Data").Meaning, "DEFLATE") {
		t.Errorf("compressed payload read as text %q / %q", e.Text, fieldByName(t, e, "Payload Data").Meaning)
	}
	zh := ExplainFrameWith(hello, ExplainOptions{Receiver: Client, Lang: LangZH, Deflate: true})
	if m := fieldByName(t, zh, "RSV1").Meaning; !strings.Contains(m, "消息已压缩") {
		t.Errorf("RSV1 meaning in Chinese %q", m)
	}
}
