package core

import (
	"bytes"
	"io"
	"strconv"
	"testing"
)

var benchSizes = []int{16, 1 << 10, 64 << 10, 1 << 20}

func sizeName(n int) string {
	switch {
	case n >= 1<<20:
		return strconv.Itoa(n>>20) + "MiB"
	case n >= 1<<10:
		return strconv.Itoa(n>>10) + "KiB"
	}
	return strconv.Itoa(n) + "B"
}

// BenchmarkMask masks in place; BenchmarkCopy copies the same number of
// bytes, the yardstick for "as fast as memory".
func BenchmarkMask(b *testing.B) {
	key := [4]byte{1, 2, 3, 4}
	for _, n := range benchSizes {
		buf := make([]byte, n)
		b.Run(sizeName(n), func(b *testing.B) {
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				Mask(key, 1, buf)
			}
		})
	}
}

// BenchmarkMaskGo is the portable block loop alone (what WebAssembly and
// architectures without an assembly version run), at the sizes it handles.
func BenchmarkMaskGo(b *testing.B) {
	for _, n := range benchSizes {
		if n%64 != 0 {
			continue
		}
		buf := make([]byte, n)
		b.Run(sizeName(n), func(b *testing.B) {
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				maskBlocksGo(buf, 0x04030201)
			}
		})
	}
}

func BenchmarkCopy(b *testing.B) {
	for _, n := range benchSizes {
		src, dst := make([]byte, n), make([]byte, n)
		b.Run(sizeName(n), func(b *testing.B) {
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				copy(dst, src)
			}
		})
	}
}

func BenchmarkAppendFrameHeader(b *testing.B) {
	h := FrameHeader{Fin: true, Opcode: OpBinary, Masked: true, Length: 70000, Key: [4]byte{1, 2, 3, 4}}
	buf := make([]byte, 0, MaxHeaderSize)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendFrameHeader(buf[:0], h)
	}
}

func BenchmarkParseFrameHeader(b *testing.B) {
	wire := AppendFrameHeader(nil, FrameHeader{Fin: true, Opcode: OpBinary, Masked: true, Length: 70000, Key: [4]byte{1, 2, 3, 4}})
	b.ReportAllocs()
	for b.Loop() {
		h, _, err := ParseFrameHeader(wire)
		if err != nil || CheckFrameHeader(h, Server, 0) != nil {
			b.Fatal(err)
		}
	}
}

// repeatReader serves the same bytes over and over: a peer that keeps
// sending the same frame, without a socket in the way.
type repeatReader struct {
	data []byte
	off  int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c := copy(p[n:], r.data[r.off:])
		n += c
		r.off = (r.off + c) % len(r.data)
	}
	return n, nil
}

// clientWire is one message as a client Conn sends it: a masked frame.
func clientWire(b *testing.B, op Opcode, payload []byte) []byte {
	var wire bytes.Buffer
	if err := NewConn(readWriter{nil, &wire}, nil, Client, Config{}).WriteMessage(op, payload); err != nil {
		b.Fatal(err)
	}
	return wire.Bytes()
}

type readWriter struct {
	io.Reader
	io.Writer
}

// BenchmarkReadMessage is a server reading masked messages into a reused
// buffer: the steady-state read path.
func BenchmarkReadMessage(b *testing.B) {
	for _, n := range benchSizes[:3] {
		b.Run(sizeName(n), func(b *testing.B) {
			server := NewConn(readWriter{&repeatReader{data: clientWire(b, OpBinary, make([]byte, n))}, io.Discard}, nil, Server, Config{})
			buf := make([]byte, 0, n)
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				_, p, err := server.ReadMessage(buf[:0])
				if err != nil || len(p) != n {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkWriteMessage is the steady-state write path of both roles (the
// client masks into a pooled buffer, the server copies header and payload
// into one write).
func BenchmarkWriteMessage(b *testing.B) {
	for _, role := range []Role{Server, Client} {
		for _, n := range benchSizes[:3] {
			b.Run(role.String()+"/"+sizeName(n), func(b *testing.B) {
				c := NewConn(readWriter{nil, io.Discard}, nil, role, Config{})
				p := make([]byte, n)
				b.SetBytes(int64(n))
				b.ReportAllocs()
				for b.Loop() {
					if err := c.WriteMessage(OpBinary, p); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// pipeBuffer is an in-memory stream: what one end writes, the other reads.
type pipeBuffer struct{ bytes.Buffer }

// BenchmarkRoundTrip sends a message from a client Conn to a server Conn
// and back, over in-memory streams: both write paths and both read paths.
func BenchmarkRoundTrip(b *testing.B) {
	for _, n := range benchSizes[:3] {
		b.Run(sizeName(n), func(b *testing.B) {
			var up, down pipeBuffer
			client := NewConn(readWriter{&down, &up}, nil, Client, Config{})
			server := NewConn(readWriter{&up, &down}, nil, Server, Config{})
			msg := make([]byte, n)
			sbuf, cbuf := make([]byte, 0, n), make([]byte, 0, n)
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				if err := client.WriteMessage(OpBinary, msg); err != nil {
					b.Fatal(err)
				}
				op, p, err := server.ReadMessage(sbuf[:0])
				if err != nil {
					b.Fatal(err)
				}
				if err := server.WriteMessage(op, p); err != nil {
					b.Fatal(err)
				}
				if _, _, err := client.ReadMessage(cbuf[:0]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkAccept(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Accept("dGhlIHNhbXBsZSBub25jZQ==")
	}
}

// BenchmarkEcho is a server's whole work for one echoed text message, with
// no kernel in the way: read the header, read and unmask the payload,
// validate its UTF-8, write the reply frame.
func BenchmarkEcho(b *testing.B) {
	for _, n := range benchSizes[:3] {
		b.Run(sizeName(n), func(b *testing.B) {
			server := NewConn(readWriter{&repeatReader{data: clientWire(b, OpText, bytes.Repeat([]byte("a"), n))}, io.Discard}, nil, Server, Config{})
			buf := make([]byte, 0, n)
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				op, p, err := server.ReadMessage(buf[:0])
				if err != nil {
					b.Fatal(err)
				}
				if err := server.WriteMessage(op, p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
