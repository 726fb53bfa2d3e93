//go:build !js

package soak

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"wsplay/core"
)

// chatEvent is the part of the room's JSON events the load checks.
type chatEvent struct {
	Type    string `json:"type"`
	Seq     uint64 `json:"seq"`
	Nick    string `json:"nick"`
	Text    string `json:"text"`
	History bool   `json:"history"`
	Reason  string `json:"reason"`
}

// member is one chat client of the load: it sends numbered lines and
// checks what it receives.
type member struct {
	*client
	nick    string
	welcome chan struct{}
	done    chan struct{} // closed when its reader ends
	sent    atomic.Int64  // lines sent

	mu       sync.Mutex
	last     map[string]int // highest line number received from each sender
	lastSeq  uint64
	received int
	lat      latencies
	err      error // the first broken promise: a gap, a reordering
	readErr  error // what ended the reader
}

// read receives events until the connection ends, checking that the
// room's sequence numbers have no gap and that every sender's lines come
// in order, one after the other.
func (m *member) read() {
	defer close(m.done)
	var buf []byte
	for {
		_, msg, err := m.ReadMessage(buf[:0])
		if err != nil {
			m.mu.Lock()
			m.readErr = err
			m.mu.Unlock()
			return
		}
		buf = msg
		now := time.Now()
		ev, ok := quickEvent(msg)
		if !ok {
			if err := json.Unmarshal(msg, &ev); err != nil {
				m.fail(fmt.Errorf("%s: not JSON: %q", m.nick, msg))
				continue
			}
		}
		switch {
		case ev.Type == "welcome":
			close(m.welcome)
		case ev.Type == "message" && !ev.History:
			m.message(ev, now)
		}
	}
}

func (m *member) message(ev chatEvent, now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.lastSeq != 0 && ev.Seq != m.lastSeq+1 {
		m.failLocked(fmt.Errorf("%s: room message %d after %d: messages were lost or reordered", m.nick, ev.Seq, m.lastSeq))
	}
	m.lastSeq = ev.Seq
	n, sentAt, ok := parseLine(ev.Text)
	if !ok {
		m.failLocked(fmt.Errorf("%s: a line %q from %s that was not sent like that", m.nick, ev.Text, ev.Nick))
		return
	}
	if prev := m.last[ev.Nick]; n != prev+1 {
		m.failLocked(fmt.Errorf("%s: line %d from %s after line %d: a sender's lines must arrive in order, none missing", m.nick, n, ev.Nick, prev))
	}
	m.last[ev.Nick] = n
	m.received++
	m.lat = append(m.lat, now.Sub(sentAt))
}

func (m *member) fail(err error) {
	m.mu.Lock()
	m.failLocked(err)
	m.mu.Unlock()
}

func (m *member) failLocked(err error) {
	if m.err == nil {
		m.err = err
	}
}

// quickEvent reads a live message event without encoding/json, which
// under the race detector costs the test client more than the server
// spends sending the event: with two hundred members the client, not the
// server, would fall behind. It handles exactly what the room sends for
// the lines of this test (fields in the server's order, no escapes) and
// reports false for anything else, which then goes to encoding/json.
func quickEvent(msg []byte) (chatEvent, bool) {
	var ev chatEvent
	rest, ok := bytes.CutPrefix(msg, []byte(`{"type":"message","seq":`))
	if !ok {
		return ev, false
	}
	i := bytes.IndexByte(rest, ',')
	seq, err := strconv.ParseUint(string(rest[:max(i, 0)]), 10, 64)
	if i < 0 || err != nil {
		return ev, false
	}
	field := func(name string) (string, bool) {
		_, v, ok := bytes.Cut(rest, []byte(`"`+name+`":"`))
		if !ok {
			return "", false
		}
		end := bytes.IndexByte(v, '"')
		if end < 0 || bytes.IndexByte(v[:end], '\\') >= 0 {
			return "", false
		}
		return string(v[:end]), true
	}
	nick, ok1 := field("nick")
	text, ok2 := field("text")
	if !ok1 || !ok2 {
		return ev, false
	}
	ev = chatEvent{Type: "message", Seq: seq, Nick: nick, Text: text, History: bytes.Contains(rest, []byte(`"history":true`))}
	return ev, true
}

// line is what member sends as its n-th line: the number and the time it
// was sent, for the latency.
func line(n int, at time.Time) string {
	return strconv.Itoa(n) + " " + strconv.FormatInt(at.UnixNano(), 10)
}

func parseLine(s string) (int, time.Time, bool) {
	a, b, ok := strings.Cut(s, " ")
	n, err1 := strconv.Atoi(a)
	ns, err2 := strconv.ParseInt(b, 10, 64)
	return n, time.Unix(0, ns), ok && err1 == nil && err2 == nil
}

// Thirty laptops at once, and more: size.EchoConns WebSockets held on
// /ws/echo, each echoing random messages that must come back byte for
// byte, while size.ChatClients members chat for size.LoadDuration. Every
// member that keeps up receives every line, each sender's lines in order;
// the server's memory per connection and its goroutines are measured, and
// the goroutines must come back to where they were once everyone left.
//
// The chat stays within the server's default rate limit (-chat-rate 5,
// -chat-burst 10): each member sends size.ChatRate lines a second, a
// classroom's pace, so the limit is tested as it ships.
func TestLoad(t *testing.T) {
	parallel(t)
	srv := startServer(t, serverOpts{goroutines: true, flags: []string{
		"-max-conns", strconv.Itoa(size.EchoConns + size.ChatClients + 100),
		// The default 60s would drop an echo connection that waits its
		// turn during a minute of load; the idle timeout has its own
		// scenario (TestSlowClients).
		"-idle-timeout", "5m",
	}})

	// A warm-up, so that the baseline includes what the runtime starts
	// once (GC workers, the timer and netpoll machinery).
	for i := range 20 {
		c := mustDial(t, srv.addr, "/ws/echo")
		if err := c.echo(core.OpText, []byte("warm-up "+strconv.Itoa(i))); err != nil {
			t.Fatal(err)
		}
		c.Close(core.StatusNormalClosure, "")
	}
	time.Sleep(time.Second)
	baseG, baseReasons := srv.goroutines()
	base := srv.mem()
	t.Logf("figure: load: baseline: %d goroutines, VmRSS %s", baseG, mib(base.RSS))

	// Open the echo connections, 32 at a time.
	start := time.Now()
	echoes := make([]*client, size.EchoConns)
	var wg sync.WaitGroup
	errs := make(chan error, size.EchoConns)
	next := atomic.Int64{}
	for range 32 {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(echoes); i = int(next.Add(1) - 1) {
				c, err := dial(srv.addr, "/ws/echo")
				if err != nil {
					errs <- fmt.Errorf("echo connection %d: %w", i, err)
					return
				}
				echoes[i] = c
			}
		})
	}
	wg.Wait()
	close(errs)
	t.Cleanup(func() {
		for _, c := range echoes {
			if c != nil {
				c.CloseNow()
			}
		}
	})
	for err := range errs {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	withEcho := srv.mem()
	t.Logf("figure: load: %d echo connections opened in %v; VmRSS %s, %.1f KiB per connection",
		size.EchoConns, time.Since(start).Round(time.Millisecond), mib(withEcho.RSS), float64(withEcho.RSS-base.RSS)/1024/float64(size.EchoConns))

	// The chat members join; sending starts once all are in.
	joinStart := time.Now()
	members := make([]*member, size.ChatClients)
	for i := range members {
		nick := fmt.Sprintf("m%03d", i)
		c, err := dial(srv.addr, "/ws/chat?nick="+nick)
		if err != nil {
			t.Fatalf("chat member %s: %v", nick, err)
		}
		m := &member{client: c, nick: nick, welcome: make(chan struct{}), done: make(chan struct{}), last: map[string]int{}}
		t.Cleanup(func() { c.CloseNow() })
		members[i] = m
		go m.read()
	}
	for _, m := range members {
		select {
		case <-m.welcome:
		case <-m.done:
			t.Fatalf("%s left before its welcome: %v", m.nick, m.readErr)
		case <-time.After(deadline):
			t.Fatalf("%s got no welcome within %v", m.nick, deadline)
		}
	}
	t.Logf("figure: load: %d chat members joined in %v", len(members), time.Since(joinStart).Round(time.Millisecond))
	time.Sleep(500 * time.Millisecond)
	connected := srv.mem()
	conns := size.EchoConns + size.ChatClients
	peakG, _ := srv.goroutines()
	t.Logf("figure: load: %d connections (%d echo, %d chat): VmRSS %s, %.1f KiB per connection; %d goroutines",
		conns, size.EchoConns, size.ChatClients, mib(connected.RSS), float64(connected.RSS-base.RSS)/1024/float64(conns), peakG)

	// The load: members chat, echo connections echo, for LoadDuration.
	stop := make(chan struct{})
	var load sync.WaitGroup
	for _, m := range members {
		load.Go(func() {
			every := time.Duration(float64(time.Second) / size.ChatRate)
			// A random phase, so the members do not all speak at once.
			select {
			case <-time.After(rand.N(every)):
			case <-stop:
				return
			}
			tick := time.NewTicker(every)
			defer tick.Stop()
			for n := 1; ; n++ {
				if err := m.WriteMessage(core.OpText, []byte(line(n, time.Now()))); err != nil {
					m.fail(fmt.Errorf("%s: sending line %d: %v", m.nick, n, err))
					return
				}
				m.sent.Store(int64(n))
				select {
				case <-tick.C:
				case <-stop:
					return
				}
			}
		})
	}
	const echoWorkers = 4
	var echoed atomic.Int64
	var echoLat = make([]latencies, echoWorkers)
	echoErrs := make(chan error, echoWorkers)
	for w := range echoWorkers {
		load.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			// Each connection echoes twice a second: enough for the
			// echo to share the machine with the chat, not to starve it.
			tick := time.NewTicker(500 * time.Millisecond)
			defer tick.Stop()
			for {
				for i := w; i < len(echoes); i += echoWorkers {
					op, msg := randomMessage(rng)
					t0 := time.Now()
					if err := echoes[i].echo(op, msg); err != nil {
						echoErrs <- fmt.Errorf("echo connection %d: %w", i, err)
						return
					}
					echoLat[w] = append(echoLat[w], time.Since(t0))
					echoed.Add(1)
				}
				select {
				case <-tick.C:
				case <-stop:
					return
				}
			}
		})
	}
	rss := srv.sampleRSS()
	loadStart := time.Now()
	select {
	case <-time.After(size.LoadDuration):
	case err := <-echoErrs:
		close(stop)
		load.Wait()
		t.Fatal(err)
	}
	midG, _ := srv.goroutines()
	close(stop)
	load.Wait()
	loadTime := time.Since(loadStart)
	select {
	case err := <-echoErrs:
		t.Fatal(err)
	default:
	}

	// Every line must reach every member still in the room.
	var totalSent int64
	sent := map[string]int{}
	for _, m := range members {
		sent[m.nick] = int(m.sent.Load())
		totalSent += m.sent.Load()
	}
	end := time.Now().Add(30 * time.Second)
	for {
		missing := 0
		for _, m := range members {
			m.mu.Lock()
			if m.readErr == nil {
				for nick, n := range sent {
					if m.last[nick] < n {
						missing += n - m.last[nick]
					}
				}
			}
			m.mu.Unlock()
		}
		if missing == 0 {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("30s after the load, %d deliveries are still missing", missing)
		}
		time.Sleep(100 * time.Millisecond)
	}
	drained := time.Since(loadStart)
	peak := rss.stop()

	var all latencies
	delivered, cut := 0, 0
	for _, m := range members {
		m.mu.Lock()
		if m.err != nil {
			t.Error(m.err)
		}
		if m.readErr != nil {
			cut++
			t.Errorf("%s was cut off during the load: %v", m.nick, m.readErr)
		}
		delivered += m.received
		all = append(all, m.lat...)
		m.mu.Unlock()
	}
	var allEcho latencies
	for _, l := range echoLat {
		allEcho = append(allEcho, l...)
	}
	t.Logf("figure: load: chat: %d members sent %d lines in %v (%.0f lines/s in); %d deliveries (%.0f/s out); latency p50 %v p99 %v max %v; %d members cut off",
		len(members), totalSent, loadTime.Round(time.Millisecond), float64(totalSent)/loadTime.Seconds(),
		delivered, float64(delivered)/drained.Seconds(), all.pct(50), all.pct(99), all.pct(100), cut)
	t.Logf("figure: load: echo: %d round trips on %d connections (%.0f/s), every one byte for byte; latency p50 %v p99 %v max %v",
		echoed.Load(), len(echoes), float64(echoed.Load())/loadTime.Seconds(), allEcho.pct(50), allEcho.pct(99), allEcho.pct(100))
	t.Logf("figure: load: server VmRSS peak %s during the load (VmHWM %s); %d goroutines during the load", mib(peak), mib(srv.mem().HWM), midG)

	// Everyone leaves; the goroutines must come back to the baseline.
	var leave sync.WaitGroup
	for i := range 16 {
		leave.Go(func() {
			for j := i; j < len(echoes); j += 16 {
				echoes[j].Close(core.StatusNormalClosure, "")
			}
			for j := i; j < len(members); j += 16 {
				members[j].Close(core.StatusNormalClosure, "")
			}
		})
	}
	leave.Wait()
	// The runtime may keep a couple of its own goroutines that the
	// baseline did not have yet (a second GC worker, the scavenger):
	// a leak of the server's is one per connection, hundreds.
	const slack = 3
	end = time.Now().Add(20 * time.Second)
	for {
		g, reasons := srv.goroutines()
		if g <= baseG+slack {
			t.Logf("figure: load: after everyone left: %d goroutines (baseline %d), VmRSS %s", g, baseG, mib(srv.mem().RSS))
			break
		}
		if time.Now().After(end) {
			t.Fatalf("20s after every client left, the server has %d goroutines, baseline %d: a leak.\nnow: %v\nbaseline: %v", g, baseG, reasons, baseReasons)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if n := len(srv.records("websocket close")); n < conns {
		t.Errorf("the server logged %d websocket close lines for %d connections", n, conns)
	}
}

// randomMessage returns a text message of ASCII letters or a binary one
// of random bytes, 1 byte to 4 KiB.
func randomMessage(rng *rand.Rand) (core.Opcode, []byte) {
	n := 1 + rng.IntN(4096)
	msg := make([]byte, n)
	if rng.IntN(2) == 0 {
		for i := range msg {
			msg[i] = 'a' + byte(rng.IntN(26))
		}
		return core.OpText, msg
	}
	for i := range msg {
		msg[i] = byte(rng.Uint32())
	}
	return core.OpBinary, msg
}

// quickEvent must read what encoding/json reads, or decline.
func TestQuickEvent(t *testing.T) {
	for _, msg := range []string{
		`{"type":"message","seq":7,"time":"2026-01-02T03:04:05.123Z","nick":"m001","text":"3 1700000000000000000","online":5}`,
		`{"type":"message","seq":8,"time":"t","nick":"m002","text":"1 2","history":true,"online":5}`,
		`{"type":"message","seq":9,"time":"t","nick":"a\"b","text":"1 2","online":5}`,
		`{"type":"join","time":"t","nick":"m003","text":"","online":6}`,
	} {
		var want chatEvent
		if err := json.Unmarshal([]byte(msg), &want); err != nil {
			t.Fatal(err)
		}
		got, ok := quickEvent([]byte(msg))
		if ok && got != want {
			t.Errorf("quickEvent(%s) = %+v; encoding/json reads %+v", msg, got, want)
		}
		if !ok && want.Type == "message" && !strings.Contains(msg, `\`) {
			t.Errorf("quickEvent declined %s", msg)
		}
	}
}
