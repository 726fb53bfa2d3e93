//go:build unix

package core

import (
	"errors"
	"io"
	"net"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// checkRawLoop runs data through ReadLoop's raw-socket path: the bytes are
// written n at a time into one end of a Unix socket pair and the Conn reads
// the other end, so the reads it sees are whatever the kernel delivers.
// Whatever they are, the outcome must be the whole stream's (want), up to
// an earlier form of the same error.
func checkRawLoop(t *testing.T, data []byte, n int, role Role, cfg Config, want diffOutcome) {
	t.Helper()
	conn, peer := socketPair(t)
	done := make(chan []byte)
	go func() {
		// The peer sends the stream, ends its side, and collects what
		// the Conn sends until the Conn ends the stream.
		go func() {
			for b := data; len(b) > 0; {
				k := min(n, len(b))
				if _, err := peer.Write(b[:k]); err != nil {
					break // the Conn failed the connection and closed
				}
				b = b[k:]
			}
			peer.CloseWrite()
		}()
		sent, _ := io.ReadAll(peer)
		done <- sent
	}()
	c := NewConn(conn, nil, role, cfg)
	var got diffOutcome
	got.err = c.ReadLoop(func(op Opcode, msg []byte) error {
		got.msgs = append(got.msgs, describeMessage(op, msg))
		return nil
	})
	c.CloseNow()
	got.sent = describeSent(<-done)
	peer.Close()
	if d := sameOutcome(want, got, true); d != "" {
		t.Fatalf("%v, raw socket loop, writes of %d bytes, buffer %d: %s", role, n, cfg.ReadBufferSize, d)
	}
}

// socketPair returns the two ends of a connected Unix stream socket pair:
// streams with a raw descriptor, as ReadLoop's raw path needs, and with
// CloseWrite, without a listener or a port.
func socketPair(t *testing.T) (*net.UnixConn, *net.UnixConn) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	var ends [2]*net.UnixConn
	for i, fd := range fds {
		f := os.NewFile(uintptr(fd), "socketpair")
		c, err := net.FileConn(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		ends[i] = c.(*net.UnixConn)
	}
	return ends[0], ends[1]
}

// TestReadLoopSeesEndAfterLastMessage: a peer that sends a message and
// ends its side at once (both already in the socket when the loop starts
// reading) gets its message handled and the connection ended with 1006,
// not a loop that waits for data that will never come. The raw loop once
// took the first short read for an empty socket and missed the end of
// the stream that had come with the data.
func TestReadLoopSeesEndAfterLastMessage(t *testing.T) {
	for _, role := range []Role{Server, Client} {
		t.Run(role.String(), func(t *testing.T) {
			conn, peer := socketPair(t)
			defer peer.Close()
			h := FrameHeader{Fin: true, Opcode: OpText, Length: 2, Masked: role == Server, Key: [4]byte{1, 2, 3, 4}}
			if _, err := peer.Write(AppendFrame(nil, h, []byte("ok"))); err != nil {
				t.Fatal(err)
			}
			peer.CloseWrite()
			time.Sleep(20 * time.Millisecond) // both are in the socket before the loop reads
			c := NewConn(conn, nil, role, Config{CloseTimeout: time.Second})
			defer c.CloseNow()
			var got []string
			done := make(chan error, 1)
			go func() {
				done <- c.ReadLoop(func(op Opcode, msg []byte) error {
					got = append(got, string(msg))
					return nil
				})
			}()
			select {
			case err := <-done:
				var ce *CloseError
				if !errors.As(err, &ce) || ce.Code != StatusAbnormalClosure {
					t.Errorf("ReadLoop returned %v, want a *CloseError with 1006", err)
				}
				if !slices.Equal(got, []string{"ok"}) {
					t.Errorf("handled %q, want [ok]", got)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("ReadLoop still waits 5 s after the peer ended the stream")
			}
		})
	}
}

// TestReadLoopPartialFrame: a frame that arrives in part, its rest late, is
// waited for by the raw loop as the general path would wait, and what the
// general path would already report is reported without waiting: invalid
// UTF-8 in the part of a text payload that came (§8.1), and a header whose
// first bytes break a rule. The peer never sends the rest; a loop that
// waited for it would still be waiting after 5 s.
func TestReadLoopPartialFrame(t *testing.T) {
	key := [4]byte{9, 8, 7, 6}
	frame := func(op Opcode, p string) []byte {
		return AppendFrame(nil, FrameHeader{Fin: true, Opcode: op, Length: 100, Masked: true, Key: key}, []byte(p+strings.Repeat("x", 100-len(p))))
	}
	tests := []struct {
		name string
		sent []byte // all the peer sends
		want StatusCode
	}{
		{"invalid UTF-8 in the first part of a text payload", frame(OpText, "ok \xff")[:2+4+10], StatusInvalidPayload},
		// A continuation with no message to continue, its 64-bit length
		// not yet there.
		{"first bytes of a header break a rule", []byte{0x80, 0xFF, 0, 0}, StatusProtocolError},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conn, peer := socketPair(t)
			defer peer.Close()
			c := NewConn(conn, nil, Server, Config{CloseTimeout: 100 * time.Millisecond})
			defer c.CloseNow()
			done := make(chan error, 1)
			go func() {
				done <- c.ReadLoop(func(Opcode, []byte) error { return nil })
			}()
			time.Sleep(20 * time.Millisecond) // the loop waits in its raw read
			if _, err := peer.Write(tc.sent); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-done:
				var pe *ProtocolError
				if !errors.As(err, &pe) || pe.Code != tc.want {
					t.Errorf("ReadLoop returned %v, want a *ProtocolError with %d", err, tc.want)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("ReadLoop still waits for the rest of the frame after 5 s")
			}
		})
	}
}
