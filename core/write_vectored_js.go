//go:build js

package core

// vectored is empty in the browser: there, a Conn's stream is never a
// socket of this process, so there is no writev to use.
type vectored struct{}

// writeVectored reports false: see above. The Conn's vec field is shared
// with the native build, which uses it.
func (c *Conn) writeVectored(hdr, p []byte) (bool, error) {
	_ = c.vec
	return false, nil
}
