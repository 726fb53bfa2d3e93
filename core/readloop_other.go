//go:build !unix

package core

import "syscall"

// rawConn returns nil: the raw read loop is for Unix sockets.
func rawConn(any) syscall.RawConn { return nil }

func (c *Conn) readLoopRaw(_ syscall.RawConn, handle func(Opcode, []byte) error) error {
	return c.readLoopPlain(handle)
}
