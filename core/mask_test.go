package core

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// naiveMask is the formula of RFC 6455 §5.3, one byte at a time: the oracle
// the word-at-a-time Mask is checked against.
func naiveMask(key [4]byte, pos int, b []byte) {
	for i := range b {
		b[i] ^= key[(pos+i)%4]
	}
}

func TestMaskRFCExample(t *testing.T) {
	// RFC 6455 §5.7: "Hello" masked with 37 fa 21 3d.
	key := [4]byte{0x37, 0xfa, 0x21, 0x3d}
	b := []byte("Hello")
	if next := Mask(key, 0, b); next != 1 {
		t.Errorf("next key position = %d, want 1 (5 mod 4)", next)
	}
	if want := []byte{0x7f, 0x9f, 0x4d, 0x51, 0x58}; !bytes.Equal(b, want) {
		t.Errorf("masked = % x, want % x", b, want)
	}
	Mask(key, 0, b)
	if string(b) != "Hello" {
		t.Errorf("masking twice gave %q, want the original", b)
	}
}

// TestMaskMatchesNaive checks every length up to 300 (and some large ones),
// every alignment of the slice in memory and every starting key position.
func TestMaskMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	key := [4]byte{0xa1, 0xb2, 0xc3, 0xd4}
	lengths := []int{1000, 4096, 4099, 65537}
	for n := 0; n <= 300; n++ {
		lengths = append(lengths, n)
	}
	for _, n := range lengths {
		backing := make([]byte, n+8)
		for i := range backing {
			backing[i] = byte(rng.Uint32())
		}
		for align := 0; align < 8; align++ {
			for pos := 0; pos < 4; pos++ {
				got := append([]byte(nil), backing[align:align+n]...)
				// Copy into the unaligned position to test alignment.
				buf := make([]byte, n+8)
				copy(buf[align:], got)
				got = buf[align : align+n]
				want := append([]byte(nil), got...)
				next := Mask(key, pos, got)
				naiveMask(key, pos, want)
				if !bytes.Equal(got, want) {
					t.Fatalf("len %d align %d pos %d: Mask differs from the byte-by-byte formula", n, align, pos)
				}
				if next != (pos+n)%4 {
					t.Fatalf("len %d pos %d: next position %d, want %d", n, pos, next, (pos+n)%4)
				}
			}
		}
	}
}

// TestMaskResumes masks a payload in random pieces, each starting at the
// position the previous piece returned, as a reader does with a frame that
// arrives in several reads.
func TestMaskResumes(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	key := [4]byte{1, 2, 3, 4}
	for trial := 0; trial < 500; trial++ {
		n := rng.IntN(2000)
		whole := make([]byte, n)
		for i := range whole {
			whole[i] = byte(rng.Uint32())
		}
		pieces := append([]byte(nil), whole...)
		naiveMask(key, 0, whole)
		pos := 0
		for rest := pieces; len(rest) > 0; {
			k := 1 + rng.IntN(len(rest))
			pos = Mask(key, pos, rest[:k])
			rest = rest[k:]
		}
		if !bytes.Equal(pieces, whole) {
			t.Fatalf("trial %d (len %d): masking in pieces differs from masking whole", trial, n)
		}
	}
}

// blockMaskers are the implementations of maskBlocks to check against the
// oracle: the portable one everywhere, the assembly ones where they exist
// (mask_amd64_test.go adds them), so the path a machine does not take is
// tested too.
var blockMaskers = map[string]func(b []byte, k uint32){"go": maskBlocksGo}

// TestMaskBlocksMatchNaive checks each block implementation on every
// multiple of 64 up to 1280 bytes and a large one, at every alignment and
// key position: the word k holds the key's bytes starting at pos, which is
// what the formula XORs b[0], b[1], ... with.
func TestMaskBlocksMatchNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	key := [4]byte{0x11, 0x9e, 0x5c, 0xf3}
	lengths := []int{65536}
	for n := 0; n <= 1280; n += 64 {
		lengths = append(lengths, n)
	}
	for name, maskBlocks := range blockMaskers {
		for _, n := range lengths {
			for align := 0; align < 8; align++ {
				for pos := 0; pos < 4; pos++ {
					buf := make([]byte, n+align)
					for i := range buf {
						buf[i] = byte(rng.Uint32())
					}
					got := buf[align:]
					want := append([]byte(nil), got...)
					naiveMask(key, pos, want)
					k := uint32(key[pos]) | uint32(key[(pos+1)%4])<<8 | uint32(key[(pos+2)%4])<<16 | uint32(key[(pos+3)%4])<<24
					maskBlocks(got, k)
					if !bytes.Equal(got, want) {
						t.Fatalf("%s: len %d align %d pos %d: differs from the byte-by-byte formula", name, n, align, pos)
					}
				}
			}
		}
	}
}
