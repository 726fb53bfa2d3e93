//go:build !js

package main

import (
	"bufio"
	"io"
	"testing"

	"wsplay/core"
)

// rawFrame builds a frame by hand, masked with a fixed key when masked.
func rawFrame(b0 byte, masked bool, payload []byte) []byte {
	h := core.FrameHeader{Fin: b0&0x80 != 0, Rsv: (b0 >> 4) & 7, Opcode: core.Opcode(b0 & 0xF), Masked: masked, Length: uint64(len(payload)), Key: [4]byte{1, 2, 3, 4}}
	out := core.AppendFrameHeader(nil, h)
	start := len(out)
	out = append(out, payload...)
	if masked {
		core.Mask(h.Key, 0, out[start:])
	}
	return out
}

// /ws/echo follows RFC 6455 strictly: each broken rule fails the
// connection with the code the RFC gives, and legal oddities work.
func TestEchoProtocolRules(t *testing.T) {
	ts := startServer(t, nil)
	open := func() (io.Writer, *core.Conn) {
		nc := dialTCP(t, ts.addr)
		io.WriteString(nc, handshakeHead(ts.addr, "/ws/echo"))
		br := bufio.NewReader(nc)
		if resp, err := core.ReadResponse(br, 0); err != nil || resp.Status != 101 {
			t.Fatalf("handshake: %v", err)
		}
		return nc, core.NewConn(nc, br, core.Client, core.Config{})
	}
	fails := []struct {
		name   string
		frames [][]byte
		code   core.StatusCode
	}{
		{"unmasked client frame", [][]byte{rawFrame(0x81, false, []byte("hi"))}, 1002},
		{"RSV1 without extension", [][]byte{rawFrame(0xC1, true, []byte("hi"))}, 1002},
		{"reserved opcode 0xB", [][]byte{rawFrame(0x8B, true, nil)}, 1002},
		{"fragmented ping", [][]byte{rawFrame(0x09, true, nil)}, 1002},
		{"ping of 126 bytes", [][]byte{rawFrame(0x89, true, make([]byte, 126))}, 1002},
		{"lone continuation", [][]byte{rawFrame(0x80, true, []byte("x"))}, 1002},
		{"nested message", [][]byte{rawFrame(0x01, true, []byte("a")), rawFrame(0x81, true, []byte("b"))}, 1002},
		{"close with 1 byte", [][]byte{rawFrame(0x88, true, []byte{3})}, 1002},
		{"close code 999", [][]byte{rawFrame(0x88, true, []byte{0x03, 0xE7})}, 1002},
		{"close code 1005", [][]byte{rawFrame(0x88, true, []byte{0x03, 0xED})}, 1002},
		{"close reason not UTF-8", [][]byte{rawFrame(0x88, true, []byte{0x03, 0xE8, 0xff})}, 1007},
		{"UTF-8 broken across fragments", [][]byte{rawFrame(0x01, true, []byte{'a', 0xE2, 0x82}), rawFrame(0x80, true, []byte{'b'})}, 1007},
		{"UTF-8 cut at the end", [][]byte{rawFrame(0x01, true, []byte{'a', 0xE2}), rawFrame(0x80, true, []byte{0x82})}, 1007},
	}
	for _, tc := range fails {
		t.Run(tc.name, func(t *testing.T) {
			w, c := open()
			for _, f := range tc.frames {
				w.Write(f)
			}
			_, _, err := c.ReadMessage(nil)
			if closeCode(err) != tc.code {
				t.Fatalf("got %v, want close %d", err, tc.code)
			}
		})
	}

	// A ping between fragments is answered at once, and the message
	// still arrives whole.
	pong := make(chan string, 1)
	nc := dialTCP(t, ts.addr)
	io.WriteString(nc, handshakeHead(ts.addr, "/ws/echo"))
	br := bufio.NewReader(nc)
	if _, err := core.ReadResponse(br, 0); err != nil {
		t.Fatal(err)
	}
	c := core.NewConn(nc, br, core.Client, core.Config{OnPong: func(p []byte) { pong <- string(p) }})
	nc.Write(rawFrame(0x01, true, []byte("ab")))
	nc.Write(rawFrame(0x89, true, []byte("mid")))
	nc.Write(rawFrame(0x80, true, []byte("cd")))
	if _, msg, err := c.ReadMessage(nil); err != nil || string(msg) != "abcd" {
		t.Fatalf("fragments around a ping: %q, %v", msg, err)
	}
	if p := <-pong; p != "mid" {
		t.Fatalf("pong %q", p)
	}
	// A close without a code is answered with an empty close (§5.5.1).
	nc.Write(rawFrame(0x88, true, nil))
	if _, _, err := c.ReadMessage(nil); closeCode(err) != core.StatusNoStatusReceived {
		t.Fatalf("empty close: %v", err)
	}
}
