//go:build js

package core

import (
	"compress/flate"
	"io"
)

// The WebAssembly module has no DEFLATE codec (deflate_flate.go is left
// out of it for its size), but the tests of the core under Node test the
// compression too: they register the same codec.
func init() {
	flateCodec.newWriter = func(w io.Writer, huffmanOnly bool) flateWriter {
		level := flate.BestSpeed
		if huffmanOnly {
			level = flate.HuffmanOnly
		}
		fw, _ := flate.NewWriter(w, level)
		return fw
	}
	flateCodec.newReader = func(r io.Reader) flateReader {
		return flate.NewReader(r).(flateReader)
	}
}
