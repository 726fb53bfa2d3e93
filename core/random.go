//go:build !js

package core

import "crypto/rand"

// fillRandom fills b from the operating system's cryptographic random
// source: the handshake key (§4.1) and the seed of the masking keys (§5.3)
// must be unpredictable.
func fillRandom(b []byte) {
	rand.Read(b) // never fails (Go 1.24+)
}
