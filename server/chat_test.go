//go:build !js

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"wsplay/core"
)

// chatReader reads chat events from either client library. read returns
// errors, for goroutines; next fails the test.
type chatReader interface {
	read() (chatEvent, error)
}

// next reads one event or fails the test; call it from the test's goroutine.
func next(t *testing.T, r chatReader) chatEvent {
	t.Helper()
	ev, err := r.read()
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

type coreChat struct{ c *core.Conn }

func (r coreChat) read() (chatEvent, error) {
	op, msg, err := r.c.ReadMessage(nil)
	if err != nil {
		return chatEvent{}, fmt.Errorf("chat read: %w", err)
	}
	return decodeEvent(op == core.OpText, msg)
}

type coderChat struct{ c *websocket.Conn }

func (r coderChat) read() (chatEvent, error) {
	ctx, cancel := context.WithTimeout(context.Background(), testDeadline)
	defer cancel()
	typ, msg, err := r.c.Read(ctx)
	if err != nil {
		return chatEvent{}, fmt.Errorf("chat read: %w", err)
	}
	return decodeEvent(typ == websocket.MessageText, msg)
}

// decodeEvent decodes a chat event, which must come as a text message.
func decodeEvent(text bool, msg []byte) (chatEvent, error) {
	var ev chatEvent
	if !text {
		return ev, fmt.Errorf("chat event in a binary message: %q", msg)
	}
	if err := json.Unmarshal(msg, &ev); err != nil {
		return ev, fmt.Errorf("%v: %s", err, msg)
	}
	return ev, nil
}

// until reads events until one of type typ arrives.
func until(t *testing.T, r chatReader, typ string) chatEvent {
	t.Helper()
	for range 1000 {
		if ev := next(t, r); ev.Type == typ {
			return ev
		}
	}
	t.Fatalf("no %s event", typ)
	return chatEvent{}
}

func TestChatHistoryJoinAndText(t *testing.T) {
	ts := startServer(t, nil)
	ada := coreDial(t, ts.addr, "/ws/chat?nick=Ada", core.Config{})
	adaR := coreChat{ada}
	if ev := next(t, adaR); ev.Type != "welcome" || ev.Nick != "Ada" || ev.Online != 1 {
		t.Fatalf("welcome: %+v", ev)
	}
	if ev := next(t, adaR); ev.Type != "join" || ev.Nick != "Ada" {
		t.Fatalf("own join: %+v", ev)
	}
	for i := range 3 {
		ada.WriteMessage(core.OpText, []byte(fmt.Sprint("before ", i)))
		if ev := next(t, adaR); ev.Type != "message" || ev.Text != fmt.Sprint("before ", i) {
			t.Fatalf("own message: %+v", ev)
		}
	}

	// A newcomer with another client library gets the history, then
	// its join.
	bob := coderDial(t, ts.addr, "/ws/chat?nick=Bob")
	bobR := coderChat{bob}
	if ev := next(t, bobR); ev.Type != "welcome" || ev.Nick != "Bob" || ev.Online != 2 || len(ev.Members) != 2 {
		t.Fatalf("welcome: %+v", ev)
	}
	for i := range 3 {
		ev := next(t, bobR)
		if ev.Type != "message" || !ev.History || ev.Nick != "Ada" || ev.Text != fmt.Sprint("before ", i) {
			t.Fatalf("history %d: %+v", i, ev)
		}
	}
	if ev := next(t, bobR); ev.Type != "join" || ev.Nick != "Bob" {
		t.Fatalf("join: %+v", ev)
	}
	if ev := next(t, adaR); ev.Type != "join" || ev.Nick != "Bob" || ev.Online != 2 {
		t.Fatalf("Ada sees: %+v", ev)
	}

	// HTML is text: forwarded untouched, and not escaped in the JSON.
	html := `<img src=x onerror="alert(1)"> & <b>bold</b>`
	bob.Write(testCtx(t), websocket.MessageText, []byte(html))
	_, raw, err := ada.ReadMessage(nil)
	if err != nil || !strings.Contains(string(raw), `<img src=x onerror=\"alert(1)\"> & <b>bold</b>`) {
		t.Fatalf("raw event %s, %v", raw, err)
	}
	var ev chatEvent
	json.Unmarshal(raw, &ev)
	if ev.Text != html || ev.Nick != "Bob" {
		t.Fatalf("text %q", ev.Text)
	}

	// A second Bob gets a suffix; a guest gets a name.
	bob2 := coreChat{coreDial(t, ts.addr, "/ws/chat?nick=Bob", core.Config{})}
	if ev := next(t, bob2); ev.Nick != "Bob#2" {
		t.Fatalf("second Bob: %+v", ev)
	}
	guest := coreChat{coreDial(t, ts.addr, "/ws/chat", core.Config{})}
	if ev := next(t, guest); !strings.HasPrefix(ev.Nick, "guest-") {
		t.Fatalf("guest: %+v", ev)
	}

	// Leaving is announced.
	bob.Close(websocket.StatusNormalClosure, "")
	if ev := until(t, adaR, "leave"); ev.Nick != "Bob" {
		t.Fatalf("leave: %+v", ev)
	}
}

func TestChatHistoryKeepsLast100(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.ChatRate = 0 })
	a := coreDial(t, ts.addr, "/ws/chat?nick=a", core.Config{})
	for i := range 130 {
		a.WriteMessage(core.OpText, []byte(fmt.Sprint(i)))
	}
	ar := coreChat{a}
	for until(t, ar, "message").Text != "129" {
	}
	b := coreChat{coreDial(t, ts.addr, "/ws/chat?nick=b", core.Config{})}
	next(t, b) // welcome
	for i := 30; i < 130; i++ {
		if ev := next(t, b); !ev.History || ev.Text != fmt.Sprint(i) {
			t.Fatalf("history: got %+v, want message %d", ev, i)
		}
	}
	if ev := next(t, b); ev.Type != "join" {
		t.Fatalf("after history: %+v", ev)
	}
}

// Many clients of both libraries send at once: everyone receives every
// message, and each sender's messages in the order sent.
func TestChatManyClients(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.ChatRate = 0 })
	const clients, perClient = 8, 40
	type member struct {
		send func(string) error
		r    chatReader
	}
	members := make([]member, clients)
	for i := range members {
		target := fmt.Sprintf("/ws/chat?nick=m%d", i)
		if i%2 == 0 {
			c := coreDial(t, ts.addr, target, core.Config{})
			members[i] = member{func(s string) error { return c.WriteMessage(core.OpText, []byte(s)) }, coreChat{c}}
		} else {
			c := coderDial(t, ts.addr, target)
			members[i] = member{func(s string) error { return c.Write(testCtx(t), websocket.MessageText, []byte(s)) }, coderChat{c}}
		}
		until(t, members[i].r, "join") // its own join: it is in the room
	}
	var wg sync.WaitGroup
	errs := make(chan error, clients*2)
	for i, m := range members {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for j := range perClient {
				if err := m.send(fmt.Sprintf("m%d %d", i, j)); err != nil {
					errs <- err
					return
				}
			}
		}()
		go func() {
			defer wg.Done()
			want := map[string]int{}
			got := 0
			for got < clients*perClient {
				ev, err := m.r.read()
				if err != nil {
					errs <- err
					return
				}
				if ev.Type != "message" {
					continue
				}
				var j int
				var nick string
				fmt.Sscanf(ev.Text, "%s %d", &nick, &j)
				if nick != ev.Nick || j != want[nick] {
					errs <- fmt.Errorf("member %d got %q from %s, expected number %d", i, ev.Text, ev.Nick, want[nick])
					return
				}
				want[nick]++
				got++
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// A client that never reads is cut off with 1008 while the others, who
// keep up, get every message without waiting for it.
func TestChatStuckClient(t *testing.T) {
	ts := startServer(t, func(c *Config) {
		c.ChatRate = 0
		c.ChatQueue = 16
		c.writeBuffer = 8 << 10 // the stuck client fills the server's buffer fast
		c.WriteTimeout = 30 * time.Second
	})
	// The stuck client: a raw socket with a small receive buffer that
	// completes the handshake and then reads nothing.
	d := net.Dialer{Timeout: testDeadline, Control: func(_, _ string, rc syscall.RawConn) error {
		rc.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
		return nil
	}}
	stuck, err := d.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer stuck.Close()
	io.WriteString(stuck, handshakeHead(ts.addr, "/ws/chat?nick=stuck"))
	stuckBR := bufio.NewReader(stuck)
	if resp, err := core.ReadResponse(stuckBR, 0); err != nil || resp.Status != 101 {
		t.Fatalf("stuck client handshake: %v", err)
	}

	sender := coreDial(t, ts.addr, "/ws/chat?nick=sender", core.Config{})
	reader := coderDial(t, ts.addr, "/ws/chat?nick=reader")
	senderR, readerR := coreChat{sender}, coderChat{reader}
	until(t, senderR, "welcome")
	until(t, readerR, "welcome")

	// The sender keeps at most window messages ahead of the slower of the
	// two members that read, so they never fall behind by a full queue.
	const total, window = 600, 32
	var readByReader, readBySender atomic.Int64
	text := strings.Repeat("x", 1000)
	start := time.Now()
	done := make(chan error, 2)
	var stuckLeft atomic.Bool
	go func() { // the reader
		for readByReader.Load() < total {
			ev, err := readerR.read()
			if err != nil {
				done <- err
				return
			}
			switch {
			case ev.Type == "leave" && ev.Nick == "stuck":
				if !strings.Contains(ev.Reason, "too slow") {
					done <- fmt.Errorf("leave reason %q", ev.Reason)
					return
				}
				stuckLeft.Store(true)
			case ev.Type == "message" && ev.Nick == "sender":
				if want := fmt.Sprint(readByReader.Load(), " ", text); ev.Text != want {
					done <- fmt.Errorf("message %d lost or out of order: %.20q", readByReader.Load(), ev.Text)
					return
				}
				readByReader.Add(1)
			}
		}
		done <- nil
	}()
	go func() { // the sender reads its own messages too
		for readBySender.Load() < total {
			ev, err := senderR.read()
			if err != nil {
				done <- err
				return
			}
			if ev.Type == "message" {
				readBySender.Add(1)
			}
		}
		done <- nil
	}()
	deadline := time.Now().Add(testDeadline)
	for i := range total {
		for int64(i)-min(readByReader.Load(), readBySender.Load()) >= window {
			if time.Now().After(deadline) {
				t.Fatalf("members that read fell behind at message %d", i)
			}
			time.Sleep(100 * time.Microsecond)
		}
		if err := sender.WriteMessage(core.OpText, []byte(fmt.Sprint(i, " ", text))); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	elapsed := time.Since(start)
	if !stuckLeft.Load() {
		t.Fatal("the stuck client was not cut off")
	}
	// Delivery never waits for the stuck member: had it waited for the
	// stuck member's writes, this would take the 30s write timeout.
	if elapsed > 10*time.Second {
		t.Fatalf("the members that read took %v", elapsed)
	}
	t.Logf("%d messages of %d bytes to 2 members in %v with a stuck member", total, len(text), elapsed)

	// The stuck client's connection is closed: reading it now ends with
	// the end of the stream (after a close frame 1008, if it got out).
	stuck.SetReadDeadline(time.Now().Add(5 * time.Second))
	c := core.NewConn(stuck, stuckBR, core.Client, core.Config{})
	var lastErr error
	for range total + 200 {
		if _, _, lastErr = c.ReadMessage(nil); lastErr != nil {
			break
		}
	}
	if ne, ok := lastErr.(net.Error); ok && ne.Timeout() {
		t.Fatalf("the stuck client's connection is still open: %v", lastErr)
	}
	if code := closeCode(lastErr); code != core.StatusPolicyViolation && code != core.StatusAbnormalClosure {
		t.Fatalf("stuck client ended with %v", lastErr)
	}
}

func TestChatLimits(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.ChatRate, c.ChatBurst, c.ChatMaxSize = 1, 3, 100 })
	expectClose := func(c *core.Conn, code core.StatusCode, reason string) {
		t.Helper()
		for range 100 {
			_, _, err := c.ReadMessage(nil)
			if err == nil {
				continue
			}
			if closeCode(err) != code || !strings.Contains(closeReason(err), reason) {
				t.Fatalf("got %v, want close %d with %q", err, code, reason)
			}
			return
		}
		t.Fatal("no close")
	}

	fast := coreDial(t, ts.addr, "/ws/chat?nick=fast", core.Config{})
	for range 5 {
		fast.WriteMessage(core.OpText, []byte("spam"))
	}
	expectClose(fast, core.StatusPolicyViolation, "messages per second")

	big := coreDial(t, ts.addr, "/ws/chat?nick=big", core.Config{})
	big.WriteMessage(core.OpText, make([]byte, 101))
	expectClose(big, core.StatusMessageTooBig, "100 bytes")

	bin := coreDial(t, ts.addr, "/ws/chat?nick=bin", core.Config{})
	bin.WriteMessage(core.OpBinary, []byte{1})
	expectClose(bin, core.StatusUnsupportedData, "text")

	bad := coreDial(t, ts.addr, "/ws/chat?nick=a%07b", core.Config{})
	expectClose(bad, core.StatusPolicyViolation, "nickname")
	long := coreDial(t, ts.addr, "/ws/chat?nick="+strings.Repeat("n", maxNick+1), core.Config{})
	expectClose(long, core.StatusPolicyViolation, "nickname")
}
