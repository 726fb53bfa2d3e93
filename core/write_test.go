package core

import (
	"bytes"
	"io"
	"testing"
)

// countingWriter records every write, so a test can tell how many pieces a
// frame was sent in.
type countingWriter struct {
	bytes.Buffer
	writes int
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.writes++
	return w.Buffer.Write(p)
}

// TestWriteMessageWrites: a frame of up to 64 KiB of payload goes out in one
// write, in both roles (a peer then gets it in one piece, and a socket pays
// one system call); a larger one in pieces, without a buffer its size. The
// payload is the caller's, unchanged, and the frame decodes to it.
func TestWriteMessageWrites(t *testing.T) {
	tests := []struct {
		size      int
		maxWrites int
	}{
		{0, 1},
		{125, 1},
		{126, 1},
		{DefaultBufferSize, 1},
		{DefaultBufferSize + 1, 1},
		{64 << 10, 1},
		{1 << 20, 17}, // 64 KiB at a time at most, for a client
	}
	for _, role := range []Role{Server, Client} {
		for _, tc := range tests {
			w := &countingWriter{}
			c := NewConn(readWriter{nil, w}, nil, role, Config{})
			p := bytes.Repeat([]byte{0xA5}, tc.size)
			if err := c.WriteMessage(OpBinary, p); err != nil {
				t.Fatal(err)
			}
			if w.writes > tc.maxWrites {
				t.Errorf("%v, %d bytes: %d writes, want at most %d", role, tc.size, w.writes, tc.maxWrites)
			}
			if !bytes.Equal(p, bytes.Repeat([]byte{0xA5}, tc.size)) {
				t.Errorf("%v, %d bytes: WriteMessage changed the caller's payload", role, tc.size)
			}
			peer := Client
			if role == Client {
				peer = Server
			}
			fr := NewFrameReader(&w.Buffer, peer, 0)
			h, err := fr.NextFrame()
			if err != nil {
				t.Fatalf("%v, %d bytes: %v", role, tc.size, err)
			}
			got, err := io.ReadAll(fr)
			if err != nil || !h.Fin || h.Opcode != OpBinary || !bytes.Equal(got, p) {
				t.Errorf("%v, %d bytes: decoded %+v, %d bytes (%v)", role, tc.size, h, len(got), err)
			}
		}
	}
}
