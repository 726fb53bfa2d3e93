//go:build js

package core

import "math/rand/v2"

// fillRandom fills b with random bytes. In the browser build it takes them
// from the Go runtime's generator (ChaCha8, seeded at start-up from the
// browser's crypto.getRandomValues) rather than from crypto/rand, which
// would bring the crypto packages' start-up code, a tenth of the module,
// for a few bytes. The browser itself masks what a page sends (a page
// cannot choose masking keys), so these bytes serve the teaching widgets
// and tests run under Node, not real traffic.
func fillRandom(b []byte) {
	for i := range b {
		b[i] = byte(rand.Uint32())
	}
}
