//go:build !js

package core

import "net"

// buffersWriter is a stream that writes a net.Buffers in one system call
// (writev) itself. A *net.TCPConn or *net.UnixConn does so through
// net.Buffers.WriteTo; a wrapper around one (the server's, which keeps
// its own write deadline) offers this method so that large frames keep
// the single writev through it.
type buffersWriter interface {
	WriteBuffers(v *net.Buffers) (int64, error)
}

// vectored is what writeVectored needs between writes, allocated at a
// Conn's first large unmasked frame so that an idle Conn does not carry
// it: a net.Buffers passed to WriteTo escapes, and built afresh it would
// cost an allocation per frame.
type vectored struct {
	arr  [2][]byte
	bufs net.Buffers
}

// writeVectored writes a frame's header and payload with one writev,
// without copying the payload into a buffer first: for a 64 KiB reply
// that copy was 30 % of the instructions an echo server spent on it in
// user space (callgrind; see docs/performance.md).
// It reports false, having written nothing, when the stream cannot take
// both in one system call; separate writes would cost a system call, and
// on TCP a segment, more than the copy saves.
func (c *Conn) writeVectored(hdr, p []byte) (bool, error) {
	switch c.rw.(type) {
	case *net.TCPConn, *net.UnixConn, buffersWriter:
	default:
		return false, nil
	}
	if c.vec == nil {
		c.vec = new(vectored)
	}
	v := c.vec
	v.arr = [2][]byte{hdr, p}
	v.bufs = v.arr[:]
	var err error
	if bw, ok := c.rw.(buffersWriter); ok {
		_, err = bw.WriteBuffers(&v.bufs)
	} else {
		_, err = v.bufs.WriteTo(c.rw)
	}
	v.arr = [2][]byte{} // the payload is the caller's: do not hold on to it
	return true, err
}
