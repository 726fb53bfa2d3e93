//go:build !js

package main

import (
	"bytes"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/coder/websocket"

	"wsplay/core"
)

// echoSizes are the payload sizes on the length boundaries of §5.2 (7-bit,
// 16-bit and 64-bit lengths), plus a large message.
var echoSizes = []int{0, 1, 125, 126, 127, 65535, 65536, 4 << 20}

// payload returns n bytes: valid UTF-8 with multi-byte characters for text,
// random bytes for binary.
func payload(op core.Opcode, n int) []byte {
	if op == core.OpText {
		s := strings.Repeat("é€a", n/6+1)
		b := []byte(s[:0])
		for _, r := range s {
			w := len(string(r))
			if len(b)+w > n {
				break
			}
			b = append(b, string(r)...)
		}
		for len(b) < n {
			b = append(b, 'a')
		}
		return b
	}
	b := make([]byte, n)
	rng := rand.New(rand.NewPCG(uint64(n), 7))
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

func TestEchoCoreClient(t *testing.T) {
	ts := startServer(t, nil)
	c := coreDial(t, ts.addr, "/ws/echo", core.Config{})
	for _, op := range []core.Opcode{core.OpText, core.OpBinary} {
		for _, n := range echoSizes {
			want := payload(op, n)
			if err := c.WriteMessage(op, want); err != nil {
				t.Fatal(err)
			}
			gotOp, got, err := c.ReadMessage(nil)
			if err != nil {
				t.Fatalf("%v %d bytes: %v", op, n, err)
			}
			if gotOp != op || !bytes.Equal(got, want) {
				t.Fatalf("%v %d bytes: echoed %v with %d bytes", op, n, gotOp, len(got))
			}
		}
	}
	// Fragmented messages, one of them split inside UTF-8 characters.
	for _, tc := range []struct {
		op   core.Opcode
		n    int
		frag int
	}{{core.OpText, 20, 1}, {core.OpBinary, 70000, 1000}, {core.OpText, 65536, 4096}, {core.OpBinary, 0, 1}} {
		want := payload(tc.op, tc.n)
		if err := c.WriteFragmented(tc.op, want, tc.frag); err != nil {
			t.Fatal(err)
		}
		gotOp, got, err := c.ReadMessage(nil)
		if err != nil || gotOp != tc.op || !bytes.Equal(got, want) {
			t.Fatalf("fragmented %v %d/%d: got %v %d bytes, %v", tc.op, tc.n, tc.frag, gotOp, len(got), err)
		}
	}
	if err := c.Close(core.StatusNormalClosure, "bye"); err != nil {
		t.Fatal(err)
	}
}

func TestEchoPingPongAndCloseCodes(t *testing.T) {
	ts := startServer(t, nil)
	pongs := make(chan string, 1)
	c := coreDial(t, ts.addr, "/ws/echo", core.Config{OnPong: func(p []byte) { pongs <- string(p) }})
	if err := c.Ping([]byte("are you there")); err != nil {
		t.Fatal(err)
	}
	c.WriteMessage(core.OpText, []byte("after the ping"))
	if _, msg, err := c.ReadMessage(nil); err != nil || string(msg) != "after the ping" {
		t.Fatalf("echo after ping: %q, %v", msg, err)
	}
	select {
	case p := <-pongs:
		if p != "are you there" {
			t.Fatalf("pong carried %q", p)
		}
	default:
		t.Fatal("no pong before the echo that followed the ping")
	}

	// The server echoes the client's close code (§5.5.1).
	for _, code := range []core.StatusCode{1000, 1001, 3000, 4999} {
		c := coreDial(t, ts.addr, "/ws/echo", core.Config{})
		c.WriteFrame(true, core.OpClose, core.AppendClosePayload(nil, code, "reason "+strconv.Itoa(int(code))))
		_, _, err := c.ReadMessage(nil)
		if closeCode(err) != code {
			t.Fatalf("close %d: got %v", code, err)
		}
	}

	// A broken rule fails the connection with the code the rule calls for.
	c2 := coreDial(t, ts.addr, "/ws/echo", core.Config{})
	c2.WriteFrame(true, core.Opcode(0x3), []byte("reserved"))
	if _, _, err := c2.ReadMessage(nil); closeCode(err) != core.StatusProtocolError {
		t.Fatalf("reserved opcode: got %v, want close 1002", err)
	}
	c3 := coreDial(t, ts.addr, "/ws/echo", core.Config{})
	c3.WriteMessage(core.OpText, []byte{0xff, 0xfe})
	if _, _, err := c3.ReadMessage(nil); closeCode(err) != core.StatusInvalidPayload {
		t.Fatalf("invalid UTF-8: got %v, want close 1007", err)
	}
}

func TestEchoMessageLimit(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.MaxMessage = 1000 })
	c := coreDial(t, ts.addr, "/ws/echo", core.Config{})
	c.WriteMessage(core.OpBinary, make([]byte, 1000))
	if _, msg, err := c.ReadMessage(nil); err != nil || len(msg) != 1000 {
		t.Fatalf("message at the limit: %d bytes, %v", len(msg), err)
	}
	c.WriteFragmented(core.OpBinary, make([]byte, 1001), 600)
	_, _, err := c.ReadMessage(nil)
	if closeCode(err) != core.StatusMessageTooBig || !strings.Contains(closeReason(err), "1000 bytes") {
		t.Fatalf("message over the limit: got %v, want close 1009 naming the limit", err)
	}
}

func TestEchoCoderClient(t *testing.T) {
	ts := startServer(t, nil)
	ctx := testCtx(t)
	c := coderDial(t, ts.addr, "/ws/echo")
	for _, typ := range []websocket.MessageType{websocket.MessageText, websocket.MessageBinary} {
		op := core.OpText
		if typ == websocket.MessageBinary {
			op = core.OpBinary
		}
		for _, n := range echoSizes {
			want := payload(op, n)
			if err := c.Write(ctx, typ, want); err != nil {
				t.Fatal(err)
			}
			gotTyp, got, err := c.Read(ctx)
			if err != nil || gotTyp != typ || !bytes.Equal(got, want) {
				t.Fatalf("%v %d bytes: got %v %d bytes, %v", typ, n, gotTyp, len(got), err)
			}
		}
		// coder/websocket sends each Write of a Writer as one frame.
		w, err := c.Writer(ctx, typ)
		if err != nil {
			t.Fatal(err)
		}
		want := payload(op, 3000)
		for p := want; len(p) > 0; p = p[min(len(p), 700):] {
			w.Write(p[:min(len(p), 700)])
		}
		w.Close()
		gotTyp, r, err := c.Reader(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(r)
		if gotTyp != typ || !bytes.Equal(got, want) {
			t.Fatalf("fragmented %v: got %v %d bytes", typ, gotTyp, len(got))
		}
	}
	// Ping needs a reader running to receive the pong.
	readErr := make(chan error, 1)
	go func() { _, _, err := c.Read(ctx); readErr <- err }()
	if err := c.Ping(ctx); err != nil {
		t.Fatalf("ping: %v", err)
	}
	c.Write(ctx, websocket.MessageText, []byte("x"))
	if err := <-readErr; err != nil {
		t.Fatal(err)
	}
	if err := c.Close(websocket.StatusCode(4001), "done"); err != nil {
		t.Fatalf("close: %v", err)
	}
}
