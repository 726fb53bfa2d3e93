package core

func init() {
	blockMaskers["sse2"] = maskBlocksSSE2
	if hasAVX2 {
		blockMaskers["avx2"] = maskBlocksAVX2
	}
}
