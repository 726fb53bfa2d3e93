package core

import (
	"io"
	"sync"
)

// readBuffer is the buffered reader under a FrameReader: the few methods of
// bufio.Reader that frame reading needs, plus one that bufio cannot offer:
// release, which gives the buffer back to a shared pool while it holds no
// unread byte. An idle connection then keeps no read buffer at all, which
// is most of what it would cost (see Conn.ReadLoop); the next read takes a
// buffer from the pool again, without allocating in the steady state.
type readBuffer struct {
	src  io.Reader
	size int
	bp   *[]byte // the buffer while held, from the pool when size is the default
	buf  []byte  // *bp, or nil while released
	r, w int     // unread bytes are buf[r:w]
	err  error   // the error of the last read from src, returned once
	idle idleDeadline
}

// minReadBufferSize is the smallest read buffer: a whole frame header fits.
const minReadBufferSize = 16

// readBuffers are the shared read buffers of the default size.
var readBuffers = sync.Pool{New: func() any {
	b := make([]byte, DefaultBufferSize)
	return &b
}}

// newReadBuffer returns a buffer of size bytes over src. pending holds bytes
// already read from the stream (by the handshake) that come first.
func newReadBuffer(src io.Reader, size int, pending []byte) *readBuffer {
	// Room for the largest frame header at least, as Peek needs.
	size = max(size, minReadBufferSize)
	b := &readBuffer{src: src, size: size}
	if len(pending) > 0 {
		b.acquire()
		if len(pending) > len(b.buf) {
			b.bp, b.buf = nil, make([]byte, len(pending))
		}
		b.w = copy(b.buf, pending)
	}
	return b
}

func (b *readBuffer) acquire() {
	if b.buf != nil {
		return
	}
	if b.size == DefaultBufferSize {
		b.bp = readBuffers.Get().(*[]byte)
		b.buf = *b.bp
	} else {
		b.buf = make([]byte, b.size)
	}
}

// release gives the buffer back if it holds no unread byte.
func (b *readBuffer) release() {
	if b.buf == nil || b.r != b.w || b.bp == nil {
		return
	}
	readBuffers.Put(b.bp)
	b.bp, b.buf, b.r, b.w = nil, nil, 0, 0
}

// Buffered returns how many unread bytes the buffer holds.
func (b *readBuffer) Buffered() int { return b.w - b.r }

// unread returns the unread bytes, without reading.
func (b *readBuffer) unread() []byte { return b.buf[b.r:b.w] }

// space makes room after the unread bytes and returns it.
func (b *readBuffer) space() []byte {
	b.acquire()
	if b.r > 0 {
		b.w = copy(b.buf, b.buf[b.r:b.w])
		b.r = 0
	}
	return b.buf[b.w:]
}

// fill reads from src once into the free space, as bufio does: a reader
// that keeps returning nothing and no error is given up on.
func (b *readBuffer) fill() {
	free := b.space()
	for range 100 {
		n, err := b.src.Read(free)
		if n < 0 || n > len(free) {
			b.err = io.ErrShortBuffer // a broken io.Reader
			return
		}
		b.w += n
		if n > 0 {
			b.idle.arrived()
		}
		if err != nil {
			b.err = err
			return
		}
		if n > 0 {
			return
		}
	}
	b.err = io.ErrNoProgress
}

func (b *readBuffer) readErr() error {
	err := b.err
	b.err = nil
	return err
}

// Peek returns the next n bytes without consuming them, reading as needed;
// n must not exceed the buffer's size. With fewer bytes, it returns them
// and the error that stopped the reading.
func (b *readBuffer) Peek(n int) ([]byte, error) {
	for b.w-b.r < n && b.err == nil {
		b.fill()
	}
	if b.w-b.r < n {
		return b.buf[b.r:b.w], b.readErr()
	}
	return b.buf[b.r : b.r+n], nil
}

// Discard skips the next n bytes, reading as needed.
func (b *readBuffer) Discard(n int) (int, error) {
	done := 0
	for {
		k := min(b.w-b.r, n-done)
		b.r += k
		done += k
		if done == n {
			return n, nil
		}
		if b.err != nil {
			return done, b.readErr()
		}
		b.fill()
	}
}

// Read reads into p: buffered bytes first; when there are none, a large p
// is read into directly and a small one through the buffer.
func (b *readBuffer) Read(p []byte) (int, error) {
	if len(p) == 0 {
		if b.Buffered() > 0 {
			return 0, nil
		}
		return 0, b.readErr()
	}
	if b.r == b.w {
		if b.err != nil {
			return 0, b.readErr()
		}
		if len(p) >= b.size {
			n, err := b.src.Read(p)
			if n < 0 || n > len(p) {
				return 0, io.ErrShortBuffer
			}
			return n, err
		}
		b.fill()
		if b.r == b.w {
			return 0, b.readErr()
		}
	}
	n := copy(p, b.buf[b.r:b.w])
	b.r += n
	return n, nil
}
