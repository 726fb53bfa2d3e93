//go:build !js

package examples_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/coder/websocket"
)

func dialRoom(ctx context.Context, t *testing.T, addr string) *websocket.Conn {
	t.Helper()
	c, _, err := websocket.Dial(ctx, "ws://"+addr+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadLimit(1 << 20)
	t.Cleanup(func() { c.CloseNow() })
	// "welcome" says the room has this client: what is sent after it
	// reaches it.
	if _, msg, err := c.Read(ctx); err != nil || string(msg) != "welcome" {
		t.Fatalf("first message %q, %v; want \"welcome\"", msg, err)
	}
	return c
}

// TestWritepump checks what lesson 17 says of its room: every reader gets
// every message whole and in order, and a client that stops reading is cut
// off while the others go on receiving everything.
func TestWritepump(t *testing.T) {
	addr := start(t, writepumpBin, "127.0.0.1:0")

	t.Run("every reader gets every message in order", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		const n = 200
		sender := dialRoom(ctx, t, addr)
		readers := []*websocket.Conn{dialRoom(ctx, t, addr), dialRoom(ctx, t, addr)}
		errs := make(chan error, len(readers))
		for i, c := range readers {
			go func() {
				for want := range n {
					_, msg, err := c.Read(ctx)
					if err != nil {
						errs <- fmt.Errorf("reader %d, message %d: %v", i, want, err)
						return
					}
					if got := string(msg); got != fmt.Sprintf("message %d", want) {
						errs <- fmt.Errorf("reader %d got %q, want %q", i, got, fmt.Sprintf("message %d", want))
						return
					}
				}
				errs <- nil
			}()
		}
		// The sender speaks like a person in a chat: it waits for its own
		// message to come back before it sends the next one.
		for i := range n {
			want := fmt.Sprintf("message %d", i)
			if err := sender.Write(ctx, websocket.MessageText, []byte(want)); err != nil {
				t.Fatal(err)
			}
			if _, msg, err := sender.Read(ctx); err != nil || string(msg) != want {
				t.Fatalf("the sender got back %q, %v; want %q", msg, err, want)
			}
		}
		for range readers {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
	})

	t.Run("a client that does not read is cut off, the others are not", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		sender := dialRoom(ctx, t, addr)
		asleep := dialRoom(ctx, t, addr) // never reads until the end
		// Enough bytes to fill the sleeper's TCP buffers on both sides and
		// then its queue of 64: 64 MiB in 64 KiB messages.
		const n, size = 1024, 64 << 10
		for i := range n {
			msg := bytes.Repeat([]byte{'x'}, size)
			copy(msg, fmt.Sprintf("%04d", i))
			if err := sender.Write(ctx, websocket.MessageText, msg); err != nil {
				t.Fatalf("write %d: %v", i, err)
			}
			_, back, err := sender.Read(ctx)
			if err != nil {
				t.Fatalf("the sender's own message %d: %v", i, err)
			}
			if len(back) != size || string(back[:4]) != fmt.Sprintf("%04d", i) {
				t.Fatalf("the sender's message %d came back wrong (%d bytes, starting %q)", i, len(back), back[:min(4, len(back))])
			}
		}
		// Now the sleeper wakes up: it finds what its buffers held, then
		// the end of the connection, long before message n.
		received := 0
		for {
			_, _, err := asleep.Read(ctx)
			if err != nil {
				if ctx.Err() != nil {
					t.Fatalf("the client that did not read was not cut off: %d messages and still open", received)
				}
				break
			}
			received++
		}
		if received >= n {
			t.Fatalf("the client that did not read received all %d messages: it was never cut off", n)
		}
		t.Logf("the sleeping client got %d of %d messages before the cut", received, n)
	})
}
