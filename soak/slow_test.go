//go:build !js

package soak

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"wsplay/core"
)

// The timeouts the slow-clients server runs with: short, so the scenario
// takes seconds, and different, so each bad client's end shows which
// defence cut it.
const (
	slowQueue            = 16
	slowIdleTimeout      = 4 * time.Second
	slowWriteTimeout     = 2 * time.Second
	slowHandshakeTimeout = 2 * time.Second
	// floodRate is how many 4 KiB lines a second the flooding member
	// sends: fast enough to fill a stuck client's buffers in a second,
	// slow enough that a healthy client keeps up.
	floodRate = 500
)

// listener is a healthy chat member that reads everything, answers pings,
// and records the delay of the probe lines it receives.
type listener struct {
	*client
	mu    sync.Mutex
	probe map[int]time.Duration // delay of each probe line, by number
	last  int
	err   error
	done  chan struct{}
}

func newListener(t *testing.T, addr, nick string) *listener {
	l := &listener{client: mustDial(t, addr, "/ws/chat?nick="+nick), probe: map[int]time.Duration{}, done: make(chan struct{})}
	go func() {
		defer close(l.done)
		var buf []byte
		for {
			_, msg, err := l.ReadMessage(buf[:0])
			if err != nil {
				l.mu.Lock()
				l.err = err
				l.mu.Unlock()
				return
			}
			buf = msg
			if bytes.Contains(msg, []byte(`"text":"flood `)) {
				continue // the flood's lines: not worth decoding
			}
			var ev chatEvent
			if json.Unmarshal(msg, &ev) != nil || ev.Type != "message" || ev.Nick != "probe" {
				continue
			}
			n, at, ok := parseLine(ev.Text)
			l.mu.Lock()
			if ok {
				// A line said while this member's join was still being
				// handled comes in the history that opens its stream:
				// it counts for the order, not for the delay.
				if n != l.last+1 {
					l.err = fmt.Errorf("probe line %d after %d", n, l.last)
				}
				l.last = n
				if !ev.History {
					l.probe[n] = time.Since(at)
				}
			}
			l.mu.Unlock()
		}
	}()
	return l
}

// delays returns the delays of probe lines from..to.
func (l *listener) delays(from, to int) latencies {
	l.mu.Lock()
	defer l.mu.Unlock()
	var d latencies
	for n := from; n <= to; n++ {
		if v, ok := l.probe[n]; ok {
			d = append(d, v)
		}
	}
	return d
}

// badClient is a client that misbehaves, with what it saw of its end.
type badClient struct {
	name   string
	nc     net.Conn
	br     *bufio.Reader // what the handshake read ahead
	remote string        // its address as the server logs it
	mu     sync.Mutex
	ended  time.Time // when the server ended the connection, as the client saw it
	got    string    // what the client received at the end
	start  time.Time // when it began to misbehave
	drain  bool      // under mu: drainBad reads now
	// readerDone, when not nil, is closed when the client's own slow
	// reader has stopped, so that drainBad never reads alongside it.
	readerDone chan struct{}
}

func (b *badClient) end(got string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ended.IsZero() {
		b.ended, b.got = time.Now(), got
	}
}

func (b *badClient) result() (time.Time, string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.ended, b.got
}

// A student's broken client, and one who wants to see what breaks: a chat
// member that never reads, one that reads a byte a second, one that stops
// in the middle of a frame, and a handshake sent a byte a second
// (slowloris). While they are connected a flood of 4 KiB lines crosses the
// room; a healthy member measures the delay of the probe lines another
// sends ten times a second, before and while the bad clients are there.
// Every bad client must be cut by its defence, with its code; the room must
// lose nothing and never wait for a bad client's timeout.
//
// The flood needs -chat-rate 0 (no rate limit): the default limit would
// cut its sender off, and the rate limit is not what this scenario is
// about (server/chat_test.go tests it).
func TestSlowClients(t *testing.T) {
	parallel(t)
	srv := startServer(t, serverOpts{flags: []string{
		"-chat-queue", strconv.Itoa(slowQueue),
		"-idle-timeout", slowIdleTimeout.String(),
		"-write-timeout", slowWriteTimeout.String(),
		"-handshake-timeout", slowHandshakeTimeout.String(),
		"-chat-rate", "0",
	}})
	before := srv.mem()
	rss := srv.sampleRSS()

	watcher := newListener(t, srv.addr, "watcher")
	probe := newListener(t, srv.addr, "probe")
	flooder := newListener(t, srv.addr, "flooder")

	// The probe: a numbered, timed line every 100 ms until the end.
	probes := 0
	stopProbe := make(chan struct{})
	probeDone := make(chan error, 1)
	var probeMu sync.Mutex
	go func() {
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for n := 1; ; n++ {
			if err := probe.WriteMessage(core.OpText, []byte(line(n, time.Now()))); err != nil {
				probeDone <- err
				return
			}
			probeMu.Lock()
			probes = n
			probeMu.Unlock()
			select {
			case <-tick.C:
			case <-stopProbe:
				probeDone <- nil
				return
			}
		}
	}()
	probeCount := func() int { probeMu.Lock(); defer probeMu.Unlock(); return probes }
	flood := func(lines int) {
		pad := strings.Repeat("x", 4000)
		tick := time.NewTicker(time.Second / floodRate)
		defer tick.Stop()
		for n := range lines {
			if err := flooder.WriteMessage(core.OpText, []byte("flood "+strconv.Itoa(n)+" "+pad)); err != nil {
				t.Fatalf("flooder: %v", err)
			}
			<-tick.C
		}
	}

	// Phase 1: the room alone under the flood, for comparison.
	p1 := probeCount() + 1
	flood(size.SlowFlood / 2)
	p1end := probeCount()

	// Phase 2: the bad clients arrive, the flood goes on.
	never := connectBad(t, srv.addr, "never-reads", "/ws/chat?nick=never")
	slow := connectBad(t, srv.addr, "reads-1-byte-a-second", "/ws/chat?nick=slow")
	mid := connectBad(t, srv.addr, "stops-mid-frame", "/ws/chat?nick=midframe")
	loris := slowloris(t, srv.addr)
	p2 := probeCount() + 1
	floodStart := time.Now()
	flood(size.SlowFlood)
	// The timeouts must have passed for every bad client by now.
	if rest := time.Until(floodStart.Add(slowIdleTimeout + 2*time.Second)); rest > 0 {
		time.Sleep(rest)
	}
	p2end := probeCount()
	close(stopProbe)
	if err := <-probeDone; err != nil {
		t.Fatalf("probe: %v", err)
	}

	// The room lost nothing: the watcher got every probe line, in order.
	end := time.Now().Add(10 * time.Second)
	for {
		watcher.mu.Lock()
		last, err := watcher.last, watcher.err
		watcher.mu.Unlock()
		if err != nil {
			t.Fatalf("watcher: %v", err)
		}
		if last == probeCount() {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("the watcher received %d of %d probe lines", last, probeCount())
		}
		time.Sleep(50 * time.Millisecond)
	}
	peak := rss.stop()
	d1, d2 := watcher.delays(p1, p1end), watcher.delays(p2, p2end)
	t.Logf("figure: slow: room delay (probe line to watcher), flood only: p50 %v p99 %v max %v (%d lines)", d1.pct(50), d1.pct(99), d1.pct(100), len(d1))
	t.Logf("figure: slow: room delay with the 4 bad clients connected: p50 %v p99 %v max %v (%d lines)", d2.pct(50), d2.pct(99), d2.pct(100), len(d2))
	// Not a speed assertion: a room that waited for a stuck client would
	// show it as a delay of the stuck client's write timeout at least.
	if d2.pct(100) >= slowWriteTimeout {
		t.Errorf("a probe line took %v to cross the room while bad clients were connected: the room waited for one of them", d2.pct(100))
	}
	after := srv.mem()
	t.Logf("figure: slow: server VmRSS before %s, peak %s, after %s", mib(before.RSS), mib(peak), mib(after.RSS))

	// Each bad client: cut by its defence, with its code, in time.
	type want struct {
		b       *badClient
		code    int
		reason  string
		by      string
		within  time.Duration // from when it began to misbehave to its end, as the client saw it
		atLeast time.Duration
	}
	for _, w := range []want{
		{never, 1008, "too slow", "server", 3 * time.Second, 0},
		{slow, 1008, "too slow", "server", 3 * time.Second, 0},
		{mid, 1006, "timeout", "server", slowIdleTimeout + 2*time.Second, slowIdleTimeout - 200*time.Millisecond},
	} {
		rec, ok := srv.closeRecordFor(w.b.remote, 5*time.Second)
		if !ok {
			t.Errorf("%s: no websocket close line for %s in the server's log", w.b.name, w.b.remote)
			continue
		}
		if rec.Code != w.code || !strings.Contains(rec.Reason, w.reason) || rec.By != w.by {
			t.Errorf("%s: the server logged close %d %q by %s; want %d (%s) by %s", w.b.name, rec.Code, rec.Reason, rec.By, w.code, w.reason, w.by)
		}
		if w.b.name != "stops-mid-frame" {
			// These read too little to see their end: read the rest now.
			drainBad(w.b)
		}
		ended, got := w.b.result()
		if ended.IsZero() {
			t.Errorf("%s: the connection is still open", w.b.name)
			continue
		}
		took := ended.Sub(w.b.start)
		if w.b.name == "stops-mid-frame" {
			if took > w.within || took < w.atLeast {
				t.Errorf("%s: cut %v after it stopped; want between %v and %v (-idle-timeout %v)", w.b.name, took, w.atLeast, w.within, slowIdleTimeout)
			}
		} else {
			// The server's own times: from the first flood line to the
			// close, and from its decision to the end of the connection,
			// which a client that reads nothing must not stretch.
			took = rec.Time.Sub(floodStart)
			cut, ok := srv.waitRecord("chat: cutting off a slow client", time.Second, func(r logRecord) bool { return r.ID == rec.ID })
			if !ok {
				t.Errorf("%s: no \"cutting off a slow client\" line for connection %d", w.b.name, rec.ID)
			} else if grace := rec.Time.Sub(cut.Time); grace > 3*time.Second {
				t.Errorf("%s: closed %v after the server decided to cut it off; it gives 0.5s to the close frame and 2s in all", w.b.name, grace)
			} else {
				t.Logf("figure: slow: %s: closed %v after the server decided to cut it off", w.b.name, grace.Round(time.Millisecond))
			}
		}
		t.Logf("figure: slow: %s: server closed with %d (%s) %q, %v after it began; the client saw %s", w.b.name, rec.Code, rec.Status, rec.Reason, took.Round(time.Millisecond), got)
	}
	ended, got := loris.result()
	if ended.IsZero() {
		t.Errorf("slowloris: the connection is still open")
	} else {
		took := ended.Sub(loris.start)
		if took > slowHandshakeTimeout+2*time.Second {
			t.Errorf("slowloris: cut %v after its first byte; -handshake-timeout is %v", took, slowHandshakeTimeout)
		}
		t.Logf("figure: slow: slowloris (a byte a second): connection closed %v after its first byte (-handshake-timeout %v); the client saw %s", took.Round(time.Millisecond), slowHandshakeTimeout, got)
	}
	for _, cut := range srv.records("chat: cutting off a slow client") {
		if cut.Nick != "never" && cut.Nick != "slow" {
			t.Errorf("the healthy member %s was cut off as too slow", cut.Nick)
		}
	}
}

// connectBad opens a chat connection that misbehaves as name says.
func connectBad(t *testing.T, addr, name, target string) *badClient {
	var o dialOpts
	if name != "stops-mid-frame" {
		// A small receive buffer, so a client that does not read
		// fills up after kilobytes rather than megabytes.
		o.rcvbuf = 4096
	}
	nc, br, err := dialRaw(addr, target, o)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	t.Cleanup(func() { nc.Close() })
	b := &badClient{name: name, nc: nc, br: br, remote: nc.LocalAddr().String(), start: time.Now()}
	switch name {
	case "never-reads", "reads-1-byte-a-second":
		// A student's client with a send loop and no read loop (or a
		// very slow one): it types a line every half second, so the
		// idle timeout never fires, and only its queue can show that
		// it does not keep up.
		go func() {
			for n := 1; ; n++ {
				if _, err := nc.Write(frame(nil, true, core.OpText, []byte("typing "+strconv.Itoa(n)))); err != nil {
					return
				}
				time.Sleep(500 * time.Millisecond)
			}
		}()
	}
	switch name {
	case "reads-1-byte-a-second":
		b.readerDone = make(chan struct{})
		go func() {
			defer close(b.readerDone)
			var one [1]byte
			for !b.draining() {
				if br.Buffered() > 0 {
					br.ReadByte()
				} else if _, err := nc.Read(one[:]); err != nil {
					b.end(describeEnd(err))
					return
				}
				time.Sleep(time.Second)
			}
		}()
	case "stops-mid-frame":
		// A text frame announcing 100 bytes, of which 10 are sent.
		if _, err := nc.Write(frameLen(nil, true, core.OpText, 100, []byte("0123456789"))); err != nil {
			t.Fatal(err)
		}
		b.start = time.Now()
		// It reads everything the room sends, so only the frame it
		// never finishes can be held against it; it answers no ping,
		// since it is in the middle of a frame.
		go func() {
			fr := newFrameReader(br)
			code, reason, _, err := fr.untilClose()
			if err != nil {
				b.end(describeEnd(err))
			} else {
				b.end(fmt.Sprintf("close frame %d %q", code, reason))
			}
		}()
	}
	return b
}

// draining reports whether drainBad took over the reading.
func (b *badClient) draining() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.drain
}

// drainBad reads, as fast as it can, what a client that read too little
// left unread, until the end of the connection. The slow reader may have
// stopped inside a frame, so this counts bytes rather than frames.
func drainBad(b *badClient) {
	b.mu.Lock()
	b.drain = true
	b.mu.Unlock()
	if b.readerDone != nil {
		<-b.readerDone // within a second: the byte reader sees drain and stops
	}
	b.nc.SetReadDeadline(time.Now().Add(deadline))
	n, err := io.Copy(io.Discard, b.br)
	b.end(fmt.Sprintf("%d more bytes, then %s", n, describeEnd(err)))
}

// slowloris sends a valid handshake one byte a second, in the background.
func slowloris(t *testing.T, addr string) *badClient {
	nc, err := net.DialTimeout("tcp", addr, deadline)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	b := &badClient{name: "slowloris", nc: nc, start: time.Now()}
	head := "GET /ws/chat?nick=loris HTTP/1.1\r\nHost: " + addr + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
	go func() {
		// The server answers by closing: a reader sees it at once.
		got, err := io.ReadAll(nc)
		if len(got) > 0 {
			b.end(fmt.Sprintf("%q then %s", got, describeEnd(err)))
		} else {
			b.end(describeEnd(err))
		}
	}()
	go func() {
		for i := range len(head) {
			if _, err := nc.Write([]byte{head[i]}); err != nil {
				return
			}
			time.Sleep(time.Second)
		}
	}()
	return b
}

// describeEnd says how a connection ended, as a client sees it.
func describeEnd(err error) string {
	switch {
	case err == nil || errors.Is(err, io.EOF):
		return "the end of the TCP stream (1006 for a WebSocket client)"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the end of the TCP stream inside a frame (1006)"
	default:
		return "error " + err.Error()
	}
}
