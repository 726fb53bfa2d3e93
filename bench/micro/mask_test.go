package micro

import (
	"strconv"
	"testing"

	"github.com/gobwas/ws"

	"wsplay/core"
)

// maskSizes span a tiny chat message to a large binary one.
var maskSizes = []int{16, 1 << 10, 64 << 10, 1 << 20}

func sizeName(n int) string {
	switch {
	case n >= 1<<20:
		return strconv.Itoa(n>>20) + "MiB"
	case n >= 1<<10:
		return strconv.Itoa(n>>10) + "KiB"
	}
	return strconv.Itoa(n) + "B"
}

// BenchmarkMask masks in place with wsplay's core.Mask, gobwas/ws's
// ws.Cipher, and copies the same number of bytes with copy(): the yardstick
// for "as fast as memory". All three report bandwidth (b.SetBytes).
func BenchmarkMask(b *testing.B) {
	key := [4]byte{0x37, 0xfa, 0x21, 0x3d}
	impls := []struct {
		name string
		run  func(dst, src []byte)
	}{
		{"wsplay", func(dst, _ []byte) { core.Mask(key, 1, dst) }},
		{"gobwas", func(dst, _ []byte) { ws.Cipher(dst, key, 1) }},
		{"copy", func(dst, src []byte) { copy(dst, src) }},
	}
	for _, n := range maskSizes {
		for _, impl := range impls {
			src, dst := make([]byte, n), make([]byte, n)
			b.Run(sizeName(n)+"/"+impl.name, func(b *testing.B) {
				b.SetBytes(int64(n))
				b.ReportAllocs()
				for b.Loop() {
					impl.run(dst, src)
				}
			})
		}
	}
}

// TestMaskAgree guards the benchmark: both maskers must compute the same
// bytes (an implementation that skipped work would look fast).
func TestMaskAgree(t *testing.T) {
	key := [4]byte{0x37, 0xfa, 0x21, 0x3d}
	for _, n := range []int{0, 1, 3, 7, 8, 15, 16, 17, 31, 32, 33, 1000, 1 << 16} {
		for pos := range 4 {
			a, g := make([]byte, n), make([]byte, n)
			for i := range a {
				a[i] = byte(i * 7)
				g[i] = byte(i * 7)
			}
			core.Mask(key, pos, a)
			ws.Cipher(g, key, pos)
			if string(a) != string(g) {
				t.Fatalf("len %d pos %d: core.Mask and ws.Cipher disagree", n, pos)
			}
		}
	}
}
