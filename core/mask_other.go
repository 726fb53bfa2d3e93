//go:build !amd64

package core

// maskBlocks masks b, whose length is a multiple of 64, with the rotated
// key k. Without an assembly version for this architecture (WebAssembly
// among them), it is the portable Go loop.
func maskBlocks(b []byte, k uint32) { maskBlocksGo(b, k) }
