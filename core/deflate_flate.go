//go:build !js

package core

import (
	"compress/flate"
	"io"
)

// The DEFLATE codec of the native build: compress/flate, at its fastest
// level. Level 1 is used because resetting a writer of levels 2–9 clears
// 640 KiB of hash tables, which a fresh stream per message would pay
// every time; level 1's reset costs nothing. The WebAssembly module is
// built without this file (see flateWriter).
func init() {
	flateCodec.newWriter = func(w io.Writer, huffmanOnly bool) flateWriter {
		level := flate.BestSpeed
		if huffmanOnly {
			level = flate.HuffmanOnly
		}
		fw, _ := flate.NewWriter(w, level) // only an invalid level fails
		return fw
	}
	flateCodec.newReader = func(r io.Reader) flateReader {
		return flate.NewReader(r).(flateReader)
	}
}
