//go:build !js

package core

import (
	"bytes"
	"io"
	"net"
	"testing"
)

// buffersConn is a net.Conn wrapper that offers WriteBuffers, as the
// server's does, and counts how each frame reached it.
type buffersConn struct {
	net.Conn
	writes, buffers int
}

func (c *buffersConn) Write(p []byte) (int, error) {
	c.writes++
	return c.Conn.Write(p)
}

func (c *buffersConn) WriteBuffers(v *net.Buffers) (int64, error) {
	c.buffers++
	return v.WriteTo(c.Conn)
}

// TestWriteVectored: a server's frame larger than the buffer goes out as
// header and payload in one writev, on a socket and through a wrapper that
// offers WriteBuffers, and the peer gets exactly the frame AppendFrame
// builds; smaller ones, and a client's (masked through a copy), are written
// as before. The payload is the caller's, unchanged.
func TestWriteVectored(t *testing.T) {
	tests := []struct {
		role       Role
		size       int
		vectored   bool
		wantWrites int
	}{
		{Server, 125, false, 1},
		{Server, DefaultBufferSize, false, 1},
		{Server, DefaultBufferSize + 1, true, 0},
		{Server, 64 << 10, true, 0},
		{Server, 1 << 20, true, 0},
		{Client, 64 << 10, false, 1},
	}
	for _, tc := range tests {
		for _, wrapped := range []bool{false, true} {
			cl, sv := tcpPair(t)
			local, peer := sv, cl
			if tc.role == Client {
				local, peer = cl, sv
			}
			bc := &buffersConn{Conn: local}
			var rw io.ReadWriter = local
			if wrapped {
				rw = bc
			}
			c := NewConn(rw, nil, tc.role, Config{})
			p := bytes.Repeat([]byte("wsplay!"), tc.size/7+1)[:tc.size]
			orig := bytes.Clone(p)
			got := make(chan []byte)
			go func() {
				b, _ := io.ReadAll(peer)
				got <- b
			}()
			if err := c.WriteMessage(OpBinary, p); err != nil {
				t.Fatal(err)
			}
			local.Close()
			wire := <-got
			peer.Close()
			if !bytes.Equal(p, orig) {
				t.Errorf("%v, %d bytes: WriteMessage changed the caller's payload", tc.role, tc.size)
			}
			if tc.role == Server {
				if want := AppendFrame(nil, FrameHeader{Fin: true, Opcode: OpBinary, Length: uint64(tc.size)}, p); !bytes.Equal(wire, want) {
					t.Errorf("server, %d bytes, wrapped %v: the peer got %d bytes, not the frame's %d", tc.size, wrapped, len(wire), len(want))
				}
			} else if len(wire) != tc.size+MaxHeaderSize {
				t.Errorf("client, %d bytes: the peer got %d bytes, want %d", tc.size, len(wire), tc.size+MaxHeaderSize)
			}
			if wrapped {
				wantBuffers := 0
				if tc.vectored {
					wantBuffers = 1
				}
				if bc.buffers != wantBuffers || bc.writes != tc.wantWrites {
					t.Errorf("%v, %d bytes: %d WriteBuffers and %d Write calls, want %d and %d", tc.role, tc.size, bc.buffers, bc.writes, wantBuffers, tc.wantWrites)
				}
			}
		}
	}
}

// TestWriteVectoredAllocs: the vectored write allocates nothing once a
// Conn has written its first large frame.
func TestWriteVectoredAllocs(t *testing.T) {
	cl, sv := tcpPair(t)
	defer cl.Close()
	defer sv.Close()
	go io.Copy(io.Discard, cl)
	c := NewConn(sv, nil, Server, Config{})
	p := make([]byte, 64<<10)
	if err := c.WriteMessage(OpBinary, p); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() {
		if err := c.WriteMessage(OpBinary, p); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("%v allocations per 64 KiB frame, want 0", n)
	}
}
