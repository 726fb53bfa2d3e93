package core

// Writing messages, RFC 6455 §5.1–§5.4: each message goes out whole, as
// one frame or as fragments nobody else's frames can come between, masked
// by a client (§5.3), never after this end's close frame (§5.5.1).

import (
	"sync"
)

// WriteMessage sends p as one message in a single frame (FIN set). op is
// OpText or OpBinary; for OpText, p should be valid UTF-8, which is the
// caller's promise and is not checked here. With permessage-deflate
// (Config.Deflate) p is sent compressed, unless that would not make it
// smaller.
func (c *Conn) WriteMessage(op Opcode, p []byte) error {
	if c.deflate != nil {
		return c.writeCompressed(op, p, 0)
	}
	return c.writeFrame(true, op, p, false)
}

// WriteFragmented sends p as one message split into frames of at most size
// payload bytes: the first frame has opcode op, the others are continuation
// frames, and only the last has FIN set (§5.4). It holds the write lock for
// the whole message, so no other message can interleave; control frames
// written meanwhile by the reader (pongs) wait too. size <= 0 sends a single
// frame. An empty p still sends one empty frame.
func (c *Conn) WriteFragmented(op Opcode, p []byte, size int) error {
	if c.deflate != nil {
		return c.writeCompressed(op, p, size)
	}
	if size <= 0 || size >= len(p) {
		return c.WriteMessage(op, p)
	}
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	for first := true; first || len(p) > 0; first = false {
		n := min(size, len(p))
		frameOp := OpContinuation
		if first {
			frameOp = op
		}
		if err := c.writeFrameLocked(n == len(p), frameOp, p[:n], false); err != nil {
			return err
		}
		p = p[n:]
	}
	return nil
}

// WriteFrame sends a single frame as given, FIN bit and opcode included,
// without checking that the frames form a valid sequence. It exists to teach
// and to test peers: use WriteMessage or WriteFragmented otherwise.
func (c *Conn) WriteFrame(fin bool, op Opcode, p []byte) error {
	return c.writeFrame(fin, op, p, false)
}

// writeFrame sends one frame under the write lock. After the close frame
// went out, nothing more may be sent (§5.5.1) and it returns ErrClosed.
func (c *Conn) writeFrame(fin bool, op Opcode, p []byte, isClose bool) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	err := c.writeFrameLocked(fin, op, p, isClose)
	return err
}

// smallPayload is the largest payload written from the Conn's own buffer:
// it holds every control frame (at most 125 bytes, §5.5) and the short
// messages chat and echo mostly carry, and costs an idle Conn 139 bytes.
const smallPayload = 125

// writeBuffers and largeWriteBuffers hold the buffers frames are
// assembled in: a frame of up to 4 KiB of payload, and one of up to 64 KiB.
// Sharing them between connections keeps an idle connection small; taking
// one from a pool allocates nothing in the steady state.
var (
	writeBuffers = sync.Pool{New: func() any {
		b := make([]byte, 0, DefaultBufferSize+MaxHeaderSize)
		return &b
	}}
	largeWriteBuffers = sync.Pool{New: func() any {
		b := make([]byte, 0, maxOneWrite)
		return &b
	}}
)

// maxOneWrite is the largest frame sent in one write: the header and a
// payload of up to 64 KiB, assembled in a pooled buffer. Copying 64 KiB
// costs about a microsecond; a second write costs a system call and,
// on TCP, a segment of its own, several times that. A larger frame is
// sent in pieces, so that a huge message needs no buffer of its size.
const maxOneWrite = keepMessageBuffer + MaxHeaderSize

func (c *Conn) writeFrameLocked(fin bool, op Opcode, p []byte, isClose bool) error {
	if c.writeErr != nil {
		return c.writeErr
	}
	if c.closing.sent.Load() {
		return ErrClosed
	}
	if isClose {
		c.closing.sent.Store(true)
	}
	masked := c.role == Client
	if len(p) <= smallPayload {
		// The commonest frame, a short message or a control frame:
		// built in the Conn's own buffer and sent in one write, without
		// the pool's cost. This is AppendFrame specialised for a length
		// that fits the 7-bit field: the fields go to appendFirstBytes
		// as they are, not in a FrameHeader, which Go passes in memory
		// (it holds an array), and that doubled the cost of a small
		// write (BenchmarkWriteMessage/server/16B: 20 ns this way, 43 ns
		// through AppendFrame).
		buf := appendFirstBytes(c.small[:0], fin, c.sendRSV, op, masked, byte(len(p)))
		var key [4]byte
		if masked {
			key = c.newMaskKey()
			buf = append(buf, key[:]...)
		}
		n := len(buf)
		buf = append(buf, p...)
		if masked {
			Mask(key, 0, buf[n:])
		}
		switch {
		case c.cfg.OnFrame == nil:
		case c.observeEnds(len(p)):
			// Rare (ObserveEnds under 63): the ends go in a copy of
			// the header, since buf holds the frame to write.
			ends := c.appendEnds(append([]byte(nil), buf[:n]...), FrameHeader{Masked: masked, Key: key}, p)
			c.cfg.OnFrame(Sent, ends)
		default:
			c.cfg.OnFrame(Sent, buf)
		}
		_, err := c.rw.Write(buf)
		return c.wrote(err)
	}
	h := FrameHeader{Fin: fin, Rsv: c.sendRSV, Opcode: op, Length: uint64(len(p)), Masked: masked}
	if masked {
		h.Key = c.newMaskKey()
	}
	if !masked && c.cfg.OnFrame == nil && len(p) > DefaultBufferSize {
		// A large unmasked frame (a server's): header and payload in
		// one writev where the stream allows it, without a copy.
		if ok, err := c.writeVectored(AppendFrameHeader(c.small[:0], h), p); ok {
			return c.wrote(err)
		}
	}
	pool := &writeBuffers
	if h.Size()+len(p) > DefaultBufferSize+MaxHeaderSize {
		pool = &largeWriteBuffers
	}
	bp := pool.Get().(*[]byte)
	defer pool.Put(bp)
	observeWhole := c.cfg.OnFrame != nil
	if observeWhole && c.observeEnds(len(p)) {
		// The observer gets the frame's header and ends
		// (ObserveEnds); the frame is written below like any other.
		c.cfg.OnFrame(Sent, c.appendEnds(AppendFrameHeader((*bp)[:0], h), h, p))
		observeWhole = false
	}
	if observeWhole {
		// A large frame's copy for the observer counts toward the
		// budget while it is written.
		defer c.unchargeCopy(c.chargeCopy(len(p)))
	}
	if h.Size()+len(p) <= maxOneWrite || observeWhole {
		// The whole frame in one buffer, one write: the peer gets it in
		// one piece, and an observer sees it whole.
		buf := AppendFrame((*bp)[:0], h, p)
		if observeWhole {
			c.cfg.OnFrame(Sent, buf)
		}
		_, err := c.rw.Write(buf)
		if cap(buf) <= maxOneWrite {
			*bp = buf[:0]
		}
		return c.wrote(err)
	}
	// Fill the buffer with the header and as much payload as fits, so a
	// small message costs one write; a large one continues from p (masked
	// through the buffer for a client, which must not touch p).
	buf := AppendFrameHeader((*bp)[:0], h)
	keyPos := 0
	for {
		n := min(cap(buf)-len(buf), len(p))
		start := len(buf)
		buf = append(buf, p[:n]...)
		if h.Masked {
			keyPos = Mask(h.Key, keyPos, buf[start:])
		}
		p = p[n:]
		if _, err := c.rw.Write(buf); err != nil {
			return c.wrote(err)
		}
		buf = buf[:0]
		if len(p) == 0 {
			return nil
		}
		if !h.Masked {
			_, err := c.rw.Write(p)
			return c.wrote(err)
		}
	}
}

// newMaskKey returns the masking key of the next frame a client sends.
func (c *Conn) newMaskKey() [4]byte {
	k := c.rng.Uint64()
	return [4]byte{byte(k), byte(k >> 8), byte(k >> 16), byte(k >> 24)}
}

// wrote records a write error: after one, the stream is unusable and every
// later write reports the same error.
func (c *Conn) wrote(err error) error {
	if err != nil {
		c.writeErr = err
		c.closeStream()
	}
	return err
}
