package core

// sha1Sum is SHA-1 (FIPS 180-4 §6.1), which the opening handshake uses to
// turn Sec-WebSocket-Key into Sec-WebSocket-Accept (§4.2.2). The core has
// its own rather than crypto/sha1: in the WebAssembly module any crypto
// package brings the whole FIPS 140 start-up machinery, about a tenth of
// the module. SHA-1 is not used here for security (the Accept value only
// proves that the server read the key), and TestSHA1MatchesCrypto checks
// this one against crypto/sha1.
func sha1Sum(data []byte) [20]byte {
	h := [5]uint32{0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0}
	// Padding (§5.1.1): a 1 bit, zeros, then the length in bits, so that
	// the message fills whole 64-byte blocks.
	var tail [128]byte
	rest := len(data) % 64
	copy(tail[:], data[len(data)-rest:])
	tail[rest] = 0x80
	tailLen := 64
	if rest >= 56 {
		tailLen = 128
	}
	bigEndian.PutUint64(tail[tailLen-8:], uint64(len(data))*8)
	for b := data[:len(data)-rest]; len(b) > 0; b = b[64:] {
		sha1Block(&h, b[:64])
	}
	for b := tail[:tailLen]; len(b) > 0; b = b[64:] {
		sha1Block(&h, b[:64])
	}
	var sum [20]byte
	for i, v := range h {
		bigEndian.PutUint32(sum[4*i:], v)
	}
	return sum
}

// sha1Block runs the 80 rounds of §6.1.2 on one 64-byte block.
func sha1Block(h *[5]uint32, block []byte) {
	var w [80]uint32
	for t := range 16 {
		w[t] = bigEndian.Uint32(block[4*t:])
	}
	for t := 16; t < 80; t++ {
		x := w[t-3] ^ w[t-8] ^ w[t-14] ^ w[t-16]
		w[t] = x<<1 | x>>31
	}
	a, b, c, d, e := h[0], h[1], h[2], h[3], h[4]
	for t := range 80 {
		var f, k uint32
		switch {
		case t < 20:
			f, k = b&c|^b&d, 0x5A827999
		case t < 40:
			f, k = b^c^d, 0x6ED9EBA1
		case t < 60:
			f, k = b&c|b&d|c&d, 0x8F1BBCDC
		default:
			f, k = b^c^d, 0xCA62C1D6
		}
		a, b, c, d, e = (a<<5|a>>27)+f+e+k+w[t], a, b<<30|b>>2, c, d
	}
	h[0] += a
	h[1] += b
	h[2] += c
	h[3] += d
	h[4] += e
}
