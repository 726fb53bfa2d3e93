//go:build !js

package tap

import (
	"bufio"
	"io"
	"net"
	"testing"

	"wsplay/core"
)

// BenchmarkRelay measures the tap's throughput: a client sends 64 KiB
// binary frames through the tap to a server that reads them, with every
// frame decoded and reported (to a no-op). b.SetBytes makes the result
// MB/s of frames relayed.
func BenchmarkRelay(b *testing.B) {
	for _, size := range []int{125, 64 << 10} {
		b.Run(byteCount(size), func(b *testing.B) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			defer ln.Close()
			got := make(chan int64, 1)
			go func() {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				defer c.Close()
				br := bufio.NewReader(c)
				req, err := core.ReadRequest(br, 0)
				if err != nil {
					return
				}
				c.Write(req.NewResponse(core.ResponseOptions{}).AppendResponse(nil))
				n, _ := io.Copy(io.Discard, br)
				got <- n
			}()
			addr := startTapEmit(b, "ws://"+ln.Addr().String()+"/", Limits{}, 0, func(Event) {})
			c := rawDial(b, addr, "/")
			c.response()
			f := frame(true, core.OpBinary, true, make([]byte, size))
			burst := make([]byte, 0, 1<<20)
			for len(burst)+len(f) <= cap(burst) {
				burst = append(burst, f...)
			}
			per := len(burst) / len(f)
			b.SetBytes(int64(len(f)))
			b.ReportAllocs()
			b.ResetTimer()
			for left := b.N; left > 0; left -= per {
				if _, err := c.conn.Write(burst[:min(left, per)*len(f)]); err != nil {
					b.Fatal(err)
				}
			}
			// The time counts until the server has read every frame.
			c.conn.(*net.TCPConn).CloseWrite()
			if n := <-got; n != int64(b.N*len(f)) {
				b.Fatalf("the server read %d bytes, want %d", n, b.N*len(f))
			}
		})
	}
}

func byteCount(n int) string {
	if n >= 1<<10 {
		return itoa(n>>10) + "KiB"
	}
	return itoa(n) + "B"
}

func itoa(n int) string {
	b := []byte{}
	for {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
		if n == 0 {
			return string(b)
		}
	}
}
