package core

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"slices"
	"testing"
	"testing/iotest"
)

// decoded is one frame as a FrameReader returned it.
type decoded struct {
	h       FrameHeader
	payload string
}

// readAllFrames decodes every frame of r until the end or an error.
func readAllFrames(r io.Reader, receiver Role) ([]decoded, error) {
	fr := NewFrameReader(r, receiver, 0)
	var out []decoded
	for {
		h, err := fr.NextFrame()
		if err != nil {
			return out, err
		}
		p, err := io.ReadAll(fr)
		if err != nil {
			return out, err
		}
		out = append(out, decoded{h, string(p)})
	}
}

// chunkReader returns its bytes in pieces of random sizes, as TCP may.
type chunkReader struct {
	b   []byte
	rng *rand.Rand
	max int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.b) == 0 {
		return 0, io.EOF
	}
	n := min(1+c.rng.IntN(c.max), len(p), len(c.b))
	copy(p, c.b[:n])
	c.b = c.b[n:]
	return n, nil
}

// TestFrameReaderChunking decodes the same stream delivered all at once,
// one byte per read and in random pieces: the frames must be the same.
// This is the case the classic recv(4096)-is-one-frame recipe gets wrong.
func TestFrameReaderChunking(t *testing.T) {
	var stream []byte
	var want []decoded
	for _, ex := range rfcExamples {
		if !ex.header.Masked {
			stream = append(stream, ex.wire...)
			want = append(want, decoded{ex.header, ex.text})
		}
	}
	readers := map[string]func() io.Reader{
		"whole":       func() io.Reader { return bytes.NewReader(stream) },
		"one byte":    func() io.Reader { return iotest.OneByteReader(bytes.NewReader(stream)) },
		"random 1-7":  func() io.Reader { return &chunkReader{stream, rand.New(rand.NewPCG(1, 1)), 7} },
		"random 1-5k": func() io.Reader { return &chunkReader{stream, rand.New(rand.NewPCG(2, 2)), 5000} },
		"half reads":  func() io.Reader { return iotest.HalfReader(bytes.NewReader(stream)) },
	}
	for name, r := range readers {
		t.Run(name, func(t *testing.T) {
			got, err := readAllFrames(r(), Client)
			if err != io.EOF {
				t.Fatalf("ended with %v, want io.EOF", err)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("decoded %d frames differently from the stream's %d", len(got), len(want))
			}
		})
	}
}

func TestFrameReaderUnmasks(t *testing.T) {
	wire := rfcExamples[1].wire // masked "Hello"
	got, err := readAllFrames(iotest.OneByteReader(bytes.NewReader(wire)), Server)
	if err != io.EOF || len(got) != 1 || got[0].payload != "Hello" {
		t.Fatalf("got %v, %v; want one frame with Hello", got, err)
	}
}

func TestFrameReaderErrors(t *testing.T) {
	masked := func(h FrameHeader) []byte { h.Masked = true; return AppendFrameHeader(nil, h) }
	tests := []struct {
		name string
		wire []byte
		want error  // for stream errors
		rule []Rule // for protocol errors
	}{
		{"end inside header", []byte{0x81}, io.ErrUnexpectedEOF, nil},
		{"end inside extended length", []byte{0x82, 0xFE, 0x01}, io.ErrUnexpectedEOF, nil},
		{"end inside payload", append(masked(FrameHeader{Fin: true, Opcode: OpBinary, Length: 10}), 1, 2, 3), io.ErrUnexpectedEOF, nil},
		{"non-minimal 16-bit length", []byte{0x82, 0xFE, 0x00, 0x05, 1, 2, 3, 4}, nil, []Rule{RuleMinimalLength}},
		{"non-minimal 64-bit length", []byte{0x82, 0xFF, 0, 0, 0, 0, 0, 0, 0x01, 0x00, 1, 2, 3, 4}, nil, []Rule{RuleMinimalLength}},
		{"length with top bit", []byte{0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}, nil, []Rule{RuleLengthTopBit}},
		{"lone continuation", masked(FrameHeader{Fin: true, Opcode: OpContinuation}), nil, []Rule{RuleContinuationLone}},
		{"text inside a fragmented message", append(masked(FrameHeader{Opcode: OpText}), masked(FrameHeader{Fin: true, Opcode: OpText})...),
			nil, []Rule{RuleFragmentsNested}},
		{"unmasked to server with RSV3", AppendFrameHeader(nil, FrameHeader{Fin: true, Rsv: 1, Opcode: OpText}),
			nil, []Rule{RuleReservedBits, RuleClientMasks}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readAllFrames(bytes.NewReader(tc.wire), Server)
			if tc.want != nil {
				if err != tc.want {
					t.Fatalf("err = %v, want %v", err, tc.want)
				}
				return
			}
			var pe *ProtocolError
			if !errors.As(err, &pe) || !slices.Equal(pe.Rules, tc.rule) {
				t.Fatalf("err = %v, want rules %v", err, tc.rule)
			}
		})
	}
}

// TestFrameReaderFirstBytesNameNoOtherRule: a header refused from its first
// two bytes, before the rest has arrived, names only rules the whole header
// breaks. A ping whose length 5 is written in the 16-bit form says 126 in
// its first bytes, yet its length is not over 125: only the minimal-length
// rule is broken, and whether the header comes whole or a byte at a time.
func TestFrameReaderFirstBytesNameNoOtherRule(t *testing.T) {
	wire := []byte{0x89, 0xFE, 0x00, 0x05, 1, 2, 3, 4, 'h', 'e', 'l', 'l', 'o'}
	for _, chunk := range []int{1, 2, len(wire)} {
		_, err := readAllFrames(&fixedChunks{wire, chunk}, Server)
		var pe *ProtocolError
		if !errors.As(err, &pe) || !slices.Equal(pe.Rules, []Rule{RuleMinimalLength}) {
			t.Errorf("read %d bytes at a time: err = %v, want only %v", chunk, err, RuleMinimalLength)
		}
	}
}

// TestFrameReaderHugeLengthAllocatesNothing: a header that announces 2^63-1
// bytes must cost nothing until the bytes arrive.
func TestFrameReaderHugeLengthAllocatesNothing(t *testing.T) {
	wire := AppendFrameHeader(nil, FrameHeader{Fin: true, Opcode: OpBinary, Masked: true, Length: 1<<63 - 1})
	r := bytes.NewReader(wire)
	fr := NewFrameReader(r, Server, 0)
	allocs := testing.AllocsPerRun(10, func() {
		r.Reset(wire)
		fr.br.r, fr.br.w, fr.br.err = 0, 0, nil
		fr.remaining = 0
		if h, err := fr.NextFrame(); err != nil || h.Length != 1<<63-1 {
			t.Fatal(h, err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations for a huge header, want 0", allocs)
	}
}
