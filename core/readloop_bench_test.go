//go:build !js

package core

import (
	"errors"
	"testing"
)

// BenchmarkReadLoopTCP is a client and a ReadLoop echo server on the two
// ends of a loopback TCP connection: the whole round trip with the kernel
// in the way, the raw-socket path included. allocs/op is the steady state
// of both ends (0 is the goal).
func BenchmarkReadLoopTCP(b *testing.B) {
	for _, n := range benchSizes[:3] {
		b.Run(sizeName(n), func(b *testing.B) {
			cl, sv := tcpPair(b)
			defer cl.Close()
			server := NewConn(sv, nil, Server, Config{})
			go server.ReadLoop(func(op Opcode, msg []byte) error { return server.WriteMessage(op, msg) })
			client := NewConn(cl, nil, Client, Config{})
			msg := make([]byte, n)
			buf := make([]byte, 0, n)
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				if err := client.WriteMessage(OpBinary, msg); err != nil {
					b.Fatal(err)
				}
				_, p, err := client.ReadMessage(buf[:0])
				if err != nil || len(p) != n {
					b.Fatal(errors.Join(err, errors.New("short echo")))
				}
			}
		})
	}
}

// BenchmarkReadLoopTCPPieces is BenchmarkReadLoopTCP with each client frame
// written in four pieces, as a message arrives from a busy network: the
// server may see the frame over several reads. The echo is read as a Conn
// would; the benchmark says what a frame that does not arrive whole costs
// the server's loop. The 1 KiB frame fits in the read buffer: such a
// frame, arriving in part, used to leave the raw path for the general one,
// which copies; now it stays.
func BenchmarkReadLoopTCPPieces(b *testing.B) {
	for _, tc := range []struct{ n, piece int }{{1 << 10, 256}, {64 << 10, 16 << 10}} {
		n, piece := tc.n, tc.piece
		b.Run(sizeName(n), func(b *testing.B) {
			cl, sv := tcpPair(b)
			defer cl.Close()
			server := NewConn(sv, nil, Server, Config{})
			go server.ReadLoop(func(op Opcode, msg []byte) error { return server.WriteMessage(op, msg) })
			client := NewConn(cl, nil, Client, Config{})
			frame := AppendFrame(nil, FrameHeader{Fin: true, Opcode: OpBinary, Length: uint64(n), Masked: true, Key: [4]byte{1, 2, 3, 4}}, make([]byte, n))
			buf := make([]byte, 0, n)
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				for f := frame; len(f) > 0; {
					k := min(piece, len(f))
					if _, err := cl.Write(f[:k]); err != nil {
						b.Fatal(err)
					}
					f = f[k:]
				}
				_, p, err := client.ReadMessage(buf[:0])
				if err != nil || len(p) != n {
					b.Fatal(errors.Join(err, errors.New("short echo")))
				}
			}
		})
	}
}
