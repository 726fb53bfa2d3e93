package core

import "encoding/binary"

// Mask XORs b in place with the masking key, as §5.3 defines:
//
//	transformed[i] = original[i] XOR key[(pos + i) mod 4]
//
// pos is the position in the key of b's first byte, so a payload can be
// masked in pieces: pass 0 for the first piece and the returned position for
// the next. Masking is its own inverse: masking twice with the same key and
// position gives the original bytes back.
//
// It works eight bytes at a time; TestMaskMatchesNaive checks it against the
// byte-at-a-time formula above for every length, alignment and key position.
func Mask(key [4]byte, pos int, b []byte) int {
	pos &= 3
	// Rotate the key so that its byte for b[0] comes first, then repeat it
	// to fill a 64-bit word: one XOR then masks eight bytes.
	k := binary.LittleEndian.Uint32(key[:])
	k = k>>(8*pos) | k<<(32-8*pos)
	if len(b) >= 16 {
		k64 := uint64(k) | uint64(k)<<32
		for len(b) >= 32 {
			v0 := binary.LittleEndian.Uint64(b[0:8]) ^ k64
			v1 := binary.LittleEndian.Uint64(b[8:16]) ^ k64
			v2 := binary.LittleEndian.Uint64(b[16:24]) ^ k64
			v3 := binary.LittleEndian.Uint64(b[24:32]) ^ k64
			binary.LittleEndian.PutUint64(b[0:8], v0)
			binary.LittleEndian.PutUint64(b[8:16], v1)
			binary.LittleEndian.PutUint64(b[16:24], v2)
			binary.LittleEndian.PutUint64(b[24:32], v3)
			b = b[32:]
		}
		for len(b) >= 8 {
			binary.LittleEndian.PutUint64(b, binary.LittleEndian.Uint64(b)^k64)
			b = b[8:]
		}
	}
	// Whole words keep the key position (8 is a multiple of 4); the rest
	// goes a byte at a time.
	for i := range b {
		b[i] ^= byte(k)
		k = k>>8 | k<<24
	}
	return (pos + len(b)) & 3
}
