package core

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// TestByteOrderMatchesBinary checks the core's integer reads and writes
// against encoding/binary on random values.
func TestByteOrderMatchesBinary(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for range 1000 {
		var b [8]byte
		v := rng.Uint64()
		binary.BigEndian.PutUint64(b[:], v)
		if bigEndian.Uint16(b[:]) != binary.BigEndian.Uint16(b[:]) || bigEndian.Uint32(b[:]) != binary.BigEndian.Uint32(b[:]) ||
			bigEndian.Uint64(b[:]) != v || littleEndian.Uint32(b[:]) != binary.LittleEndian.Uint32(b[:]) ||
			littleEndian.Uint64(b[:]) != binary.LittleEndian.Uint64(b[:]) {
			t.Fatalf("reading % x differs from encoding/binary", b)
		}
		var got, want [8]byte
		bigEndian.PutUint64(got[:], v)
		binary.BigEndian.PutUint64(want[:], v)
		if got != want {
			t.Fatalf("bigEndian.PutUint64(%#x) = % x, want % x", v, got, want)
		}
		littleEndian.PutUint64(got[:], v)
		binary.LittleEndian.PutUint64(want[:], v)
		if got != want {
			t.Fatalf("littleEndian.PutUint64(%#x) = % x, want % x", v, got, want)
		}
		bigEndian.PutUint32(got[:], uint32(v))
		binary.BigEndian.PutUint32(want[:], uint32(v))
		if got != want {
			t.Fatalf("bigEndian.PutUint32(%#x) = % x, want % x", uint32(v), got, want)
		}
		if a, w := bigEndian.AppendUint16(nil, uint16(v)), binary.BigEndian.AppendUint16(nil, uint16(v)); string(a) != string(w) {
			t.Fatalf("AppendUint16(%#x) = % x, want % x", uint16(v), a, w)
		}
		if a, w := bigEndian.AppendUint64(nil, v), binary.BigEndian.AppendUint64(nil, v); string(a) != string(w) {
			t.Fatalf("AppendUint64(%#x) = % x, want % x", v, a, w)
		}
	}
}
