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
