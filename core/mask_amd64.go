package core

// maskBlocks masks b, whose length is a multiple of 64, with the rotated
// key k: 32 bytes per instruction with AVX2 when the CPU has it, else 16
// with SSE2, which every amd64 CPU has. In-place masking touches one
// buffer where copy touches two, so it can beat copy's bandwidth; the
// plain Go loop (maskBlocksGo) cannot, being limited to eight bytes per
// store.
func maskBlocks(b []byte, k uint32) {
	if hasAVX2 {
		maskBlocksAVX2(b, k)
		return
	}
	maskBlocksSSE2(b, k)
}

// hasAVX2 is read once: CPUID is slow, and the answer never changes.
var hasAVX2 = cpuHasAVX2()

//go:noescape
func maskBlocksSSE2(b []byte, k uint32)

//go:noescape
func maskBlocksAVX2(b []byte, k uint32)

func cpuHasAVX2() bool
