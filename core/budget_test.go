package core

import (
	"bytes"
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// budgetPeer writes frames to a server-role Conn through a pipe.
func budgetPeer(t *testing.T, cfg Config) (*Conn, net.Conn) {
	t.Helper()
	a, b := net.Pipe()
	t.Cleanup(func() { a.Close(); b.Close() })
	go io.Copy(io.Discard, b) // the server's close frames
	return NewConn(a, nil, Server, cfg), b
}

// maskedFrame is one client frame with a fixed key.
func maskedFrame(fin bool, op Opcode, payload []byte) []byte {
	return AppendFrame(nil, FrameHeader{Fin: fin, Opcode: op, Masked: true, Key: [4]byte{1, 2, 3, 4}, Length: uint64(len(payload))}, payload)
}

// Two connections share a budget: while one holds a half-read large
// message, the other's large message is refused with 1013 and the rule;
// small messages never ask; the budget is whole again once reads end.
func TestBudgetBoundsMessagesInFlight(t *testing.T) {
	budget := NewBudget(3 << 20)
	cfg := Config{MaxMessageSize: 8 << 20, Budget: budget}
	first, firstPeer := budgetPeer(t, cfg)
	second, secondPeer := budgetPeer(t, cfg)

	// The first sends 1,900 KiB of a 2 MiB binary frame and stops: its
	// buffer holds about 2 MiB of the 3 MiB budget. The second's 2 MiB
	// message alone would fit in the budget, but not beside it.
	big := bytes.Repeat([]byte{7}, 2<<20)
	frame := maskedFrame(true, OpBinary, big)
	go firstPeer.Write(frame[:1900<<10])
	firstDone := make(chan error, 1)
	go func() { _, _, err := first.ReadMessage(nil); firstDone <- err }()
	// Wait until the first has read what was sent: its budget has
	// started and stops growing (a slow runtime, WebAssembly under
	// Node, may not have started reading at the first look).
	deadline := time.Now().Add(5 * time.Second)
	for last := int64(-1); (budget.InUse() == 0 || budget.InUse() != last) && time.Now().Before(deadline); {
		last = budget.InUse()
		time.Sleep(200 * time.Millisecond)
	}
	// A 2 MiB message takes at least 2 MiB - FreeMessageBytes: with more
	// than 1 MiB + FreeMessageBytes in use, the rest of the 3 MiB budget
	// is too small for it.
	if n := budget.InUse(); n <= 1<<20+FreeMessageBytes {
		t.Fatalf("budget in use %d while a 2 MiB message is 1,900 KiB read", n)
	}

	// A small message on the second connection does not need the budget.
	go secondPeer.Write(maskedFrame(true, OpText, []byte("hello")))
	if op, msg, err := second.ReadMessage(nil); err != nil || op != OpText || string(msg) != "hello" {
		t.Fatalf("small message: %v %q %v", op, msg, err)
	}
	// A large one is refused: the budget is spent.
	go secondPeer.Write(frame)
	_, _, err := second.ReadMessage(nil)
	var pe *ProtocolError
	if !errors.As(err, &pe) || pe.Code != StatusTryAgainLater || pe.Rules[0].ID != RuleServerBusy.ID {
		t.Fatalf("second large message: %v, want 1013 with %s", err, RuleServerBusy.ID)
	}

	// The first message completes; everything is given back.
	go firstPeer.Write(frame[1900<<10:])
	if err := <-firstDone; err != nil {
		t.Fatalf("first message: %v", err)
	}
	if n := budget.InUse(); n != 0 {
		t.Errorf("budget in use after every read ended: %d", n)
	}
}

// A message whose bytes trickle in (each within the idle timeout) must
// still arrive whole within the idle timeout of its first frame.
func TestMessageMustArriveWithinIdleTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		frame := maskedFrame(true, OpBinary, make([]byte, 100))
		for i := 0; i < len(frame); i++ { // one byte every 50 ms
			if _, err := c.Write(frame[i : i+1]); err != nil {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	nc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	c := NewConn(nc, nil, Server, Config{IdleTimeout: 400 * time.Millisecond})
	start := time.Now()
	_, _, err = c.ReadMessage(nil)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("trickled message: %v, want a timeout", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("cut after %v; the message had 0.45 s", d)
	}
}

// With ObserveEnds an observer gets a large frame's header and its two
// ends, exactly as they were on the wire, in both directions; a small
// frame whole.
func TestObserveEnds(t *testing.T) {
	for _, tc := range []struct{ ends, n int }{
		{1000, 10}, {1000, 2000}, {1000, 2001}, {1000, 70001},
		// A frame short enough for the small-frame writer (≤ 125
		// bytes) is shortened too.
		{10, 100},
	} {
		ends, n := tc.ends, tc.n
		payload := make([]byte, n)
		for i := range payload {
			payload[i] = byte(i * 7)
		}
		a, b := net.Pipe()
		var seen [][]byte
		observe := func(_ Direction, wire []byte) { seen = append(seen, append([]byte(nil), wire...)) }
		client := NewConn(a, nil, Client, Config{OnFrame: observe, ObserveEnds: ends})
		server := NewConn(b, nil, Server, Config{OnFrame: observe, ObserveEnds: ends})
		var wire bytes.Buffer
		done := make(chan error, 1)
		go func() { done <- client.WriteMessage(OpBinary, payload) }()
		_, msg, err := server.ReadMessage(nil)
		if err != nil || !bytes.Equal(msg, payload) || <-done != nil {
			t.Fatalf("%d bytes: %v", n, err)
		}
		a.Close()
		b.Close()
		if len(seen) != 2 {
			t.Fatalf("%d bytes: %d observations, want 2 (sent, received)", n, len(seen))
		}
		// Rebuild what went on the wire from the sent observation's
		// header: the masking key is in it.
		h, hl, err := ParseFrameHeader(seen[0])
		if err != nil {
			t.Fatal(err)
		}
		masked := append([]byte(nil), payload...)
		Mask(h.Key, 0, masked)
		wire.Write(seen[0][:hl])
		if n > 2*ends {
			wire.Write(masked[:ends])
			wire.Write(masked[n-ends:])
		} else {
			wire.Write(masked)
		}
		for i, obs := range seen {
			if !bytes.Equal(obs, wire.Bytes()) {
				t.Errorf("%d bytes: observation %d (%d bytes) is not the frame's header and ends as on the wire (%d bytes)", n, i, len(obs), wire.Len())
			}
		}
	}
}
