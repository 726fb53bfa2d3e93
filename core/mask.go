package core

// Mask XORs b in place with the masking key, as §5.3 defines:
//
//	transformed[i] = original[i] XOR key[(pos + i) mod 4]
//
// pos is the position in the key of b's first byte, so a payload can be
// masked in pieces: pass 0 for the first piece and the returned position for
// the next. Masking is its own inverse: masking twice with the same key and
// position gives the original bytes back.
//
// Long payloads go 64 bytes at a time through maskBlocks (SSE2 on amd64,
// plain Go elsewhere), the rest eight bytes at a time, then byte by byte.
// TestMaskMatchesNaive checks every path against the byte-at-a-time formula
// above for every length, alignment and key position.
func Mask(key [4]byte, pos int, b []byte) int {
	pos &= 3
	// Rotate the key so that its byte for b[0] comes first: from there on
	// every 4-byte step starts at key position 0 again, and the same
	// 32-bit word masks the whole payload.
	k := littleEndian.Uint32(key[:])
	k = k>>(8*pos) | k<<(32-8*pos)
	end := (pos + len(b)) & 3
	if len(b) >= 64 {
		n := len(b) &^ 63
		maskBlocks(b[:n], k)
		b = b[n:]
	}
	if len(b) >= 8 {
		k64 := uint64(k) | uint64(k)<<32
		for len(b) >= 8 {
			littleEndian.PutUint64(b, littleEndian.Uint64(b)^k64)
			b = b[8:]
		}
	}
	// Whole words keep the key position (8 is a multiple of 4); the rest
	// goes a byte at a time.
	for i := range b {
		b[i] ^= byte(k)
		k = k>>8 | k<<24
	}
	return end
}

// maskBlocksGo masks b, whose length is a multiple of 64, with the rotated
// key k: the portable path, and the oracle-tested twin of the assembly one.
// Eight independent 64-bit XORs per block keep the loop free of bounds
// checks and let the CPU overlap the loads and stores.
func maskBlocksGo(b []byte, k uint32) {
	k64 := uint64(k) | uint64(k)<<32
	for len(b) >= 64 {
		blk := b[:64:64]
		littleEndian.PutUint64(blk[0:], littleEndian.Uint64(blk[0:])^k64)
		littleEndian.PutUint64(blk[8:], littleEndian.Uint64(blk[8:])^k64)
		littleEndian.PutUint64(blk[16:], littleEndian.Uint64(blk[16:])^k64)
		littleEndian.PutUint64(blk[24:], littleEndian.Uint64(blk[24:])^k64)
		littleEndian.PutUint64(blk[32:], littleEndian.Uint64(blk[32:])^k64)
		littleEndian.PutUint64(blk[40:], littleEndian.Uint64(blk[40:])^k64)
		littleEndian.PutUint64(blk[48:], littleEndian.Uint64(blk[48:])^k64)
		littleEndian.PutUint64(blk[56:], littleEndian.Uint64(blk[56:])^k64)
		b = b[64:]
	}
}
