package core

import (
	"crypto/sha1"
	"math/rand/v2"
	"testing"
)

// TestSHA1MatchesCrypto compares the core's SHA-1 with crypto/sha1 on every
// length up to 300 bytes (each padding case: the length field in the last
// block or in an extra one) and on random longer inputs.
func TestSHA1MatchesCrypto(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	lengths := []int{1000, 4096, 65537}
	for n := 0; n <= 300; n++ {
		lengths = append(lengths, n)
	}
	for _, n := range lengths {
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		if got, want := sha1Sum(data), sha1.Sum(data); got != want {
			t.Fatalf("len %d: sha1Sum = %x, crypto/sha1 = %x", n, got, want)
		}
	}
}
