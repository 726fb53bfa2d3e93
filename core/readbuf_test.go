package core

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"
)

// TestReadBufferKeepsTheStream reads a stream through a readBuffer with a
// random mix of Peek, Discard, Read and release, over sources that return
// one byte, half the request or everything per read: what comes out,
// in order, is the stream.
func TestReadBufferKeepsTheStream(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	stream := make([]byte, 50000)
	for i := range stream {
		stream[i] = byte(rng.Uint32())
	}
	sources := map[string]func(io.Reader) io.Reader{
		"whole":    func(r io.Reader) io.Reader { return r },
		"one byte": iotest.OneByteReader,
		"half":     iotest.HalfReader,
	}
	for name, wrap := range sources {
		for _, size := range []int{16, DefaultBufferSize} {
			pending := stream[:10]
			b := newReadBuffer(wrap(bytes.NewReader(stream[10:])), size, pending)
			var got []byte
			for len(got) < len(stream) {
				want := stream[len(got):]
				switch rng.IntN(4) {
				case 0:
					n := 1 + rng.IntN(min(14, size))
					p, err := b.Peek(n)
					if n <= len(want) && (err != nil || !bytes.Equal(p, want[:n])) {
						t.Fatalf("%s/%d: Peek(%d) at %d = % x, %v", name, size, n, len(got), p, err)
					}
				case 1:
					n := min(1+rng.IntN(300), len(want))
					if d, err := b.Discard(n); d != n || err != nil {
						t.Fatalf("%s/%d: Discard(%d) = %d, %v", name, size, n, d, err)
					}
					got = append(got, want[:n]...)
				case 2:
					p := make([]byte, 1+rng.IntN(2*size))
					n, err := b.Read(p)
					if err != nil {
						t.Fatalf("%s/%d: Read: %v", name, size, err)
					}
					got = append(got, p[:n]...)
				case 3:
					held := b.buf != nil
					b.release()
					if b.Buffered() > 0 && b.buf == nil {
						t.Fatalf("%s/%d: release dropped %d unread bytes", name, size, b.Buffered())
					}
					if held && b.Buffered() == 0 && size == DefaultBufferSize && b.buf != nil {
						t.Fatalf("%s/%d: release kept an empty pooled buffer", name, size)
					}
				}
			}
			if !bytes.Equal(got, stream) {
				t.Fatalf("%s/%d: the bytes read differ from the stream", name, size)
			}
			if n, err := b.Read(make([]byte, 10)); n != 0 || err != io.EOF {
				t.Fatalf("%s/%d: Read at the end = %d, %v; want 0, EOF", name, size, n, err)
			}
		}
	}
}

// TestReadBufferErrors: a stream that ends inside a Peek returns what there
// is with the error, once; a broken reader is an error, not a panic.
func TestReadBufferErrors(t *testing.T) {
	b := newReadBuffer(bytes.NewReader([]byte{1}), DefaultBufferSize, nil)
	if p, err := b.Peek(2); len(p) != 1 || err != io.EOF {
		t.Fatalf("Peek(2) of a 1-byte stream = % x, %v; want 01, EOF", p, err)
	}
	if p, err := b.Peek(1); len(p) != 1 || err != nil {
		t.Fatalf("Peek(1) after = % x, %v; want 01, nil", p, err)
	}
	b = newReadBuffer(negativeReader{}, DefaultBufferSize, nil)
	if _, err := b.Peek(1); !errors.Is(err, io.ErrShortBuffer) {
		t.Fatalf("a reader returning -1: err = %v, want io.ErrShortBuffer", err)
	}
}

type negativeReader struct{}

func (negativeReader) Read([]byte) (int, error) { return -1, nil }
