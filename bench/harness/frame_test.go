package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
	"testing/iotest"

	"wsplay/core"
)

// serverFrame builds an unmasked frame as a server sends it, with the
// core's encoder as an independent author of the bytes.
func serverFrame(fin bool, op core.Opcode, p []byte) []byte {
	b := core.AppendFrameHeader(nil, core.FrameHeader{Fin: fin, Opcode: op, Length: uint64(len(p))})
	return append(b, p...)
}

func pattern(n int) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(i*13 + 7)
	}
	return p
}

func TestReadMessage(t *testing.T) {
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	tests := []struct {
		name   string
		wire   []byte
		wantOp byte
		want   []byte
	}{
		{"7-bit length", serverFrame(true, core.OpBinary, pattern(125)), opBinary, pattern(125)},
		{"16-bit length", serverFrame(true, core.OpText, pattern(126)), opText, pattern(126)},
		{"16-bit length, largest", serverFrame(true, core.OpBinary, pattern(65535)), opBinary, pattern(65535)},
		{"64-bit length", serverFrame(true, core.OpBinary, pattern(65536)), opBinary, pattern(65536)},
		{"empty", serverFrame(true, core.OpText, nil), opText, nil},
		{"fragments with a ping between", cat(
			serverFrame(false, core.OpBinary, pattern(300)[:100]),
			serverFrame(true, core.OpPing, []byte("hi")),
			serverFrame(false, core.OpContinuation, pattern(300)[100:200]),
			serverFrame(true, core.OpContinuation, pattern(300)[200:]),
		), opBinary, pattern(300)},
		{"pong before the message", cat(serverFrame(true, core.OpPong, nil), serverFrame(true, core.OpText, []byte("ok"))), opText, []byte("ok")},
	}
	readers := []struct {
		name string
		wrap func([]byte) *bufio.Reader
	}{
		{"whole", func(b []byte) *bufio.Reader { return bufio.NewReader(bytes.NewReader(b)) }},
		// One byte per Read and the smallest bufio buffer: every field
		// of the header arrives split from the next.
		{"byte by byte", func(b []byte) *bufio.Reader {
			return bufio.NewReaderSize(iotest.OneByteReader(bytes.NewReader(b)), 16)
		}},
		{"half reads", func(b []byte) *bufio.Reader {
			return bufio.NewReaderSize(iotest.HalfReader(bytes.NewReader(b)), 16)
		}},
	}
	for _, tt := range tests {
		for _, rd := range readers {
			t.Run(tt.name+"/"+rd.name, func(t *testing.T) {
				op, got, err := readMessage(rd.wrap(tt.wire), make([]byte, 0, len(tt.want)), max(len(tt.want), 1))
				if err != nil {
					t.Fatal(err)
				}
				if op != tt.wantOp || !bytes.Equal(got, tt.want) {
					t.Fatalf("got opcode %#x and %d bytes, want %#x and %d bytes (equal: %v)", op, len(got), tt.wantOp, len(tt.want), bytes.Equal(got, tt.want))
				}
			})
		}
	}
}

func TestReadMessageErrors(t *testing.T) {
	masked := core.AppendFrameHeader(nil, core.FrameHeader{Fin: true, Opcode: core.OpBinary, Masked: true, Length: 2})
	masked = append(masked, 1, 2)
	huge := []byte{0x82, 127}
	huge = binary.BigEndian.AppendUint64(huge, 1<<63)
	tests := []struct {
		name, wire, want string
	}{
		{"masked", string(masked), "must not mask"},
		{"RSV1", "\xc2\x01x", "RSV bits"},
		{"top bit of 64-bit length", string(huge), "top bit"},
		{"longer than sent", string(serverFrame(true, core.OpBinary, pattern(20))), "longer than the 10 bytes sent"},
		{"close frame", string(serverFrame(true, core.OpClose, []byte{0x03, 0xf1, 'b', 'y', 'e'})), "1009"},
		{"continuation first", string(serverFrame(true, core.OpContinuation, []byte("x"))), "no message to continue"},
		{"new message inside another", string(serverFrame(false, core.OpText, []byte("a"))) + string(serverFrame(true, core.OpText, []byte("b"))), "before the previous one's last fragment"},
		{"reserved opcode", "\x83\x00", "reserved opcode"},
		{"long ping", "\x89\x7e\x00\x80", "125 bytes"},
		{"truncated payload", "\x82\x05abc", "unexpected EOF"},
		{"truncated length", "\x82\x7e\x01", "unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := readMessage(bufio.NewReader(strings.NewReader(tt.wire)), make([]byte, 10), 10)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestClientFrame decodes the load generator's frames with the core, as a
// server would, for each length encoding.
func TestClientFrame(t *testing.T) {
	key := [4]byte{9, 8, 7, 6}
	for _, n := range []int{0, 16, 125, 126, 1024, 65535, 65536, 70000} {
		p := pattern(n)
		wire, off := clientFrame(nil, opBinary, key, p)
		h, hn, err := core.ParseFrameHeader(wire)
		if err != nil {
			t.Fatalf("%d bytes: %v", n, err)
		}
		if err := core.CheckFrameHeader(h, core.Server, 0); err != nil {
			t.Fatalf("%d bytes: a server would refuse the frame: %v", n, err)
		}
		if hn != off || h.Length != uint64(n) || h.Key != key || !h.Masked {
			t.Fatalf("%d bytes: header %+v of %d bytes, payload at %d", n, h, hn, off)
		}
		got := bytes.Clone(wire[off:])
		core.Mask(h.Key, 0, got)
		if !bytes.Equal(got, p) {
			t.Fatalf("%d bytes: payload does not unmask to what was given", n)
		}
	}
}
