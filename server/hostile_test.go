//go:build !js

package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"wsplay/core"
)

// hostilePlan is the size of a run.
type hostilePlan struct {
	workers  int           // hostile connections open at once
	conns    int           // hostile connections in all
	controls int           // well-behaved echo clients alongside
	budget   time.Duration // stop starting connections after this long
	// idle is the server's idle timeout: connections that go quiet are
	// closed after it, so it bounds how long they take. Longer in the
	// soak, where 200 busy connections under the race detector can starve
	// a client of CPU for a second or two.
	idle time.Duration
}

func hostilePlanFromEnv() hostilePlan {
	if os.Getenv("WSPLAY_SOAK") == "1" {
		return hostilePlan{workers: 200, conns: 20000, controls: 8, budget: 60 * time.Second, idle: 5 * time.Second}
	}
	return hostilePlan{workers: 32, conns: 640, controls: 3, budget: 6 * time.Second, idle: 2 * time.Second}
}

// hostileEndpoint is where hostile connections go, with what the oracle
// needs to know of it. /ws/echo is checked fully; for the others, whose
// answers are reports or broadcasts, only the way the connection ends.
type hostileEndpoint struct {
	target string
	share  int // out of 10
	ep     oracleEndpoint
}

func hostileEndpoints(cfg Config) []hostileEndpoint {
	return []hostileEndpoint{
		{"/ws/echo", 7, oracleEndpoint{maxMessage: cfg.MaxMessage}},
		{"/ws/inspect", 2, oracleEndpoint{maxMessage: cfg.MaxMessage}},
		{"/ws/chat", 1, oracleEndpoint{maxMessage: cfg.ChatMaxSize, binaryRefused: true}},
	}
}

// pickEndpoint maps a number below 10 to an endpoint by the shares.
func pickEndpoint(n int, eps []hostileEndpoint) hostileEndpoint {
	for _, e := range eps {
		if n < e.share {
			return e
		}
		n -= e.share
	}
	return eps[0]
}

// TestHostileFrames is a classroom where some students send the server
// whatever they like: many connections at once, each writing a random mix
// of valid and broken frames in random pieces, while a few well-behaved
// clients keep using /ws/echo. For every hostile connection, the oracle
// predicts from the bytes alone what RFC 6455 requires (the echoes and
// pongs, then the close code, or the end of the stream), and the test
// compares that with what came back on the wire. A panic in any server
// goroutine kills the test binary, which is a failure too.
//
// Short by default; WSPLAY_SOAK=1 runs it longer with more connections.
// The seed is logged; WSPLAY_HOSTILE_SEED=N replays a run, and
// WSPLAY_HOSTILE_CONN=I replays connection I of it alone.
func TestHostileFrames(t *testing.T) {
	seed := rand.Uint64()
	if s := os.Getenv("WSPLAY_HOSTILE_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("WSPLAY_HOSTILE_SEED=%q: want a whole number", s)
		}
	}
	t.Logf("seed %d (replay with WSPLAY_HOSTILE_SEED=%d)", seed, seed)
	plan := hostilePlanFromEnv()
	only := -1
	if s := os.Getenv("WSPLAY_HOSTILE_CONN"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			t.Fatalf("WSPLAY_HOSTILE_CONN=%q: want a connection number", s)
		}
		only, plan.workers, plan.conns = n, 1, 1
	}

	var cfg Config
	ts := startServer(t, func(c *Config) {
		c.MaxMessage = 128 << 10
		c.IdleTimeout = plan.idle
		c.MaxConns = plan.workers + plan.controls + 16
		c.ChatRate = 0 // the rate limit depends on timing; the oracle does not
		cfg = *c
	})
	endpoints := hostileEndpoints(cfg)

	stop := make(chan struct{})
	var controlWG sync.WaitGroup
	var echoes atomic.Int64
	for i := range plan.controls {
		controlWG.Add(1)
		go func() {
			defer controlWG.Done()
			runControlClient(t, ts.addr, seed, i, stop, &echoes)
		}()
	}

	var (
		stats   hostileStats
		next    atomic.Int64
		started = time.Now()
		wg      sync.WaitGroup
	)
	for range plan.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= plan.conns || time.Since(started) > plan.budget || t.Failed() {
					return
				}
				if only >= 0 {
					i = only
				}
				r := rand.New(rand.NewPCG(seed, uint64(i)^0x5eed))
				e := pickEndpoint(r.IntN(10), endpoints)
				script := newHostileScript(seed, i, e.ep.maxMessage)
				want := e.ep.predict(script.stream, script.eof)
				got := runHostileConn(ts.addr, e.target, script, r)
				stats.add(script, want, got, plan.idle)
				if msg := judgeHostile(e.target, want, got, plan.idle); msg != "" {
					t.Errorf("connection %d to %s from %s (seed %d; replay alone with WSPLAY_HOSTILE_SEED=%d WSPLAY_HOSTILE_CONN=%d): %s\n  steps: %s\n  oracle: %s (%s)\n  sent %d bytes: %s",
						i, e.target, got.local, seed, seed, i, msg, strings.Join(script.kinds, ", "), want.end, want.rule,
						len(script.stream), hexHead(script.stream, 96))
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	controlWG.Wait()
	elapsed := time.Since(started)
	if only < 0 && !t.Failed() {
		hostileShutdown(t, ts, seed, &stats)
	}
	stats.log(t, elapsed, echoes.Load(), plan)
	if stats.conns.Load() == 0 {
		t.Fatal("no hostile connection ran")
	}
}

// hostileShutdown stops the server while hostile connections are in the
// middle of things (inside a fragmented message, after a ping): each must
// get a close frame with 1001 (going away) and, once it answers, the end
// of the stream; and the shutdown must finish in time.
func hostileShutdown(t *testing.T, ts *testServer, seed uint64, stats *hostileStats) {
	type open struct {
		nc  net.Conn
		br  *bufio.Reader
		res hostileResult
	}
	var conns []*open
	targets := []string{"/ws/echo", "/ws/inspect", "/ws/chat"}
	for i := range 9 {
		nc := dialTCP(t, ts.addr)
		_, br, err := core.Handshake(nc, &core.ClientRequest{Host: ts.addr, Target: targets[i%3]})
		if err != nil {
			t.Fatal(err)
		}
		g := &hostileGen{r: rand.New(rand.NewPCG(seed, 1<<50+uint64(i)))}
		g.add(hostileFrame{fin: false, op: 1, announced: -1, payload: g.text(1 + g.r.IntN(50))})
		g.add(hostileFrame{fin: true, op: 9, announced: -1, payload: []byte("are you there?")})
		if _, err := nc.Write(g.s.stream); err != nil {
			t.Fatal(err)
		}
		stats.frames.Add(int64(g.s.frames))
		stats.bytes.Add(int64(len(g.s.stream)))
		// The pong says the server has read both frames.
		o := &open{nc: nc, br: br}
		for !slices.Contains(o.res.replies, wireReply{op: 10, payload: "are you there?"}) {
			n := len(o.res.replies)
			readOneFrame(br, &o.res)
			if len(o.res.replies) == n && o.res.endErr != nil {
				t.Fatalf("%s: no pong before the shutdown: %v", targets[i%3], o.res.endErr)
			}
		}
		conns = append(conns, o)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- ts.Shutdown(ctx) }()
	for i, o := range conns {
		for !o.res.gotClose && o.res.endErr == nil {
			readOneFrame(o.br, &o.res)
		}
		if o.res.gotClose && len(o.res.closeBody) >= 2 {
			// A client answers the close frame with its own (§5.5.1).
			g := &hostileGen{r: rand.New(rand.NewPCG(seed, uint64(i)))}
			o.nc.Write(g.wire(nil, hostileFrame{fin: true, op: 8, announced: -1, payload: o.res.closeBody[:2]}))
		}
		for o.res.endErr == nil {
			readOneFrame(o.br, &o.res)
		}
		want := wireVerdict{end: endClose, code: 1001, rule: "server shutting down"}
		o.res.replies = nil
		if bad := judgeHostile(targets[i%3], want, o.res, time.Hour); bad != "" {
			t.Errorf("shutdown, %s: %s", targets[i%3], bad)
		}
		stats.conns.Add(1)
		stats.count("shutdown: " + endingKey(want, o.res))
	}
	if err := <-done; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	t.Logf("shutdown: %d connections caught mid-message got 1001 and ended in %v", len(conns), time.Since(start).Round(time.Millisecond))
}

// hostileResult is what one hostile connection saw.
type hostileResult struct {
	local     string // this end's address, as the server's log shows it (remote=)
	dialErr   error
	replies   []wireReply // data frames and pongs, in order
	gotClose  bool
	closeBody []byte
	afterEnd  []string      // frames after the close frame, and other oddities
	endErr    error         // how reading ended: io.EOF, a reset, a timeout
	quiet     time.Duration // from the last byte written to the end of the stream
	maxGap    time.Duration // the longest this client went without writing, before its last byte
	writeErr  error
}

// runHostileConn sends script to target and reads everything the server
// sends until the server ends the TCP connection.
func runHostileConn(addr, target string, script hostileScript, r *rand.Rand) hostileResult {
	var res hostileResult
	nc, err := net.DialTimeout("tcp", addr, testDeadline)
	if err != nil {
		res.dialErr = err
		return res
	}
	defer nc.Close()
	res.local = nc.LocalAddr().String()
	nc.SetDeadline(time.Now().Add(testDeadline))
	_, br, err := core.Handshake(nc, &core.ClientRequest{Host: addr, Target: target})
	if err != nil {
		res.dialErr = err
		return res
	}
	// Writing a large script in small pieces can take long on a busy
	// machine: the wait for the server's answer starts when it is written.
	nc.SetReadDeadline(time.Time{})

	readDone := make(chan struct{})
	var lastWrite atomic.Int64
	go func() {
		defer close(readDone)
		readServerFrames(br, &res)
		res.quiet = time.Since(time.Unix(0, lastWrite.Load()))
	}()

	lastWrite.Store(time.Now().UnixNano())
	res.maxGap, res.writeErr = writeChunked(nc, script.stream, r, &lastWrite)
	nc.SetReadDeadline(time.Now().Add(testDeadline))
	if script.eof {
		nc.(*net.TCPConn).CloseWrite()
	}
	<-readDone
	return res
}

// writeChunked writes b in random pieces, from single bytes to all of it,
// with short random pauses: TCP delivers a stream, not frames, and the
// server must read the same frames whatever the pieces. It returns the
// longest time between two writes (from the time in last on): a client
// starved of CPU that long is, for the server, a silent client.
func writeChunked(w net.Conn, b []byte, r *rand.Rand, last *atomic.Int64) (time.Duration, error) {
	var maxGap time.Duration
	mode := r.IntN(4)
	if mode == 0 && len(b) > 2048 {
		mode = 1
	}
	for len(b) > 0 {
		n := len(b)
		switch mode {
		case 0:
			n = 1
		case 1:
			n = 1 + r.IntN(64)
			if len(b) > 16<<10 {
				n = 1 + r.IntN(4096)
			}
		case 2:
			n = 1 + r.IntN(len(b))
		}
		n = min(n, len(b))
		maxGap = max(maxGap, time.Since(time.Unix(0, last.Load())))
		w.SetWriteDeadline(time.Now().Add(testDeadline))
		if _, err := w.Write(b[:n]); err != nil {
			return maxGap, err
		}
		last.Store(time.Now().UnixNano())
		b = b[n:]
		if mode != 3 && r.IntN(8) == 0 {
			time.Sleep(time.Duration(r.IntN(2000)) * time.Microsecond)
		}
	}
	return maxGap, nil
}

// readServerFrames reads the server's frames, independently of core, until
// the stream ends.
func readServerFrames(br *bufio.Reader, res *hostileResult) {
	for res.endErr == nil {
		readOneFrame(br, res)
	}
}

// readOneFrame reads one frame of the server's into res, or how the stream
// ended into res.endErr.
func readOneFrame(br *bufio.Reader, res *hostileResult) {
	var h [2]byte
	if _, err := io.ReadFull(br, h[:]); err != nil {
		res.endErr = err
		return
	}
	if h[0]&0x70 != 0 || h[1]&0x80 != 0 || h[0]&0x80 == 0 {
		res.afterEnd = append(res.afterEnd, fmt.Sprintf("server frame header %x: RSV set, masked or not final", h))
	}
	n := uint64(h[1] & 0x7F)
	switch n {
	case 126:
		var ext [2]byte
		if _, err := io.ReadFull(br, ext[:]); err != nil {
			res.endErr = err
			return
		}
		n = uint64(binary.BigEndian.Uint16(ext[:]))
	case 127:
		var ext [8]byte
		if _, err := io.ReadFull(br, ext[:]); err != nil {
			res.endErr = err
			return
		}
		n = binary.BigEndian.Uint64(ext[:])
	}
	if n > 16<<20 {
		res.afterEnd = append(res.afterEnd, fmt.Sprintf("server frame of %d bytes", n))
		res.endErr = errors.New("frame too large to read")
		return
	}
	p := make([]byte, n)
	if _, err := io.ReadFull(br, p); err != nil {
		res.endErr = err
		return
	}
	op := h[0] & 0x0F
	if res.gotClose {
		res.afterEnd = append(res.afterEnd, fmt.Sprintf("a frame (opcode %d) after the close frame", op))
		return
	}
	switch op {
	case 8:
		res.gotClose, res.closeBody = true, p
	case 9: // the server's keep-alive ping; this client does not answer
	default:
		res.replies = append(res.replies, wireReply{op: op, payload: string(p)})
	}
}

// judgeHostile compares what the connection saw with the oracle's
// prediction; it returns "" when they agree.
// idle is the server's idle timeout.
func judgeHostile(target string, want wireVerdict, got hostileResult, idle time.Duration) string {
	if got.dialErr != nil {
		return "handshake: " + got.dialErr.Error()
	}
	if len(got.afterEnd) > 0 {
		return strings.Join(got.afterEnd, "; ")
	}
	var ne net.Error
	if errors.As(got.endErr, &ne) && ne.Timeout() {
		return fmt.Sprintf("the server neither closed nor ended the stream within %v (got close frame: %v)", testDeadline, got.gotClose)
	}
	if !errors.Is(got.endErr, io.EOF) && !errors.Is(got.endErr, io.ErrUnexpectedEOF) && !isReset(got.endErr) {
		return "reading ended with " + got.endErr.Error()
	}
	if got.gotClose {
		if len(got.closeBody) == 1 {
			return "the server sent a close body of one byte"
		}
		if len(got.closeBody) >= 2 {
			code := binary.BigEndian.Uint16(got.closeBody)
			reason := got.closeBody[2:]
			if !utf8.Valid(reason) || len(got.closeBody) > 125 {
				return fmt.Sprintf("close reason %q is not UTF-8 or too long", reason)
			}
			echoed := want.end == endClose && code == want.code && want.code != 0
			if !serverCode(code) && !echoed {
				return fmt.Sprintf("the server sent close code %d, which it may not send", code)
			}
			if !echoed && (code == 1002 || code == 1003 || code == 1007 || code == 1009) && len(reason) == 0 {
				return fmt.Sprintf("close %d without a reason naming the rule", code)
			}
		}
	}
	if !got.gotClose && want.end != endEOF && got.maxGap >= idle*9/10 && isPrefix(got.replies, want.replies) {
		// Starved of CPU (many connections under the race detector on
		// a busy machine), this client went quiet for longer than the
		// idle timeout before it had sent everything: the server may
		// drop it then, and did.
		return ""
	}
	switch want.end {
	case endClose:
		if !got.gotClose {
			return fmt.Sprintf("want close frame %s (%s), the stream ended (%v) without one after %d replies", codeText(want.code), want.rule, got.endErr, len(got.replies))
		}
		gotCode := uint16(0)
		if len(got.closeBody) >= 2 {
			gotCode = binary.BigEndian.Uint16(got.closeBody)
		}
		if gotCode != want.code {
			return fmt.Sprintf("want close %s (%s), got %s %q", codeText(want.code), want.rule, codeText(gotCode), closeReasonOf(got.closeBody))
		}
		if reason := closeReasonOf(got.closeBody); want.hint != "" && !strings.Contains(strings.ToLower(reason), strings.ToLower(want.hint)) {
			return fmt.Sprintf("close %d: the reason %q does not name the rule broken (%s: want it to mention %q)", gotCode, reason, want.rule, want.hint)
		}
	case endEOF, endIdle:
		if got.gotClose {
			return fmt.Sprintf("want the stream to end without a close frame (%s), got close %q", want.rule, got.closeBody)
		}
		if want.end == endIdle && got.quiet < idle*9/10 {
			return fmt.Sprintf("the server hung up %v after the client went quiet, before the idle timeout of %v", got.quiet, idle)
		}
	}
	if target == "/ws/echo" && !slices.Equal(got.replies, want.replies) {
		return fmt.Sprintf("replies differ: want %d (%s), got %d (%s)", len(want.replies), repliesText(want.replies), len(got.replies), repliesText(got.replies))
	}
	return ""
}

// isPrefix reports whether got is the start of want.
func isPrefix(got, want []wireReply) bool {
	return len(got) <= len(want) && slices.Equal(got, want[:len(got)])
}

func codeText(c uint16) string {
	if c == 0 {
		return "with an empty body"
	}
	return strconv.Itoa(int(c))
}

func closeReasonOf(b []byte) string {
	if len(b) < 2 {
		return ""
	}
	return string(b[2:])
}

func repliesText(rs []wireReply) string {
	var parts []string
	for i, r := range rs {
		if i == 6 {
			parts = append(parts, "...")
			break
		}
		parts = append(parts, fmt.Sprintf("op %d, %d bytes", r.op, len(r.payload)))
	}
	return strings.Join(parts, "; ")
}

// isReset reports a connection reset: after its close frame a server may
// close with bytes unread, and the kernel then resets the connection.
func isReset(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "connection reset") || strings.Contains(err.Error(), "broken pipe"))
}

func hexHead(b []byte, n int) string {
	if len(b) <= n {
		return hex.EncodeToString(b)
	}
	return hex.EncodeToString(b[:n]) + "..."
}

// runControlClient is a well-behaved user of /ws/echo during the attack:
// it sends messages of every kind and size and checks every echo.
func runControlClient(t *testing.T, addr string, seed uint64, i int, stop <-chan struct{}, echoes *atomic.Int64) {
	nc, err := net.DialTimeout("tcp", addr, testDeadline)
	if err != nil {
		t.Errorf("control client %d: %v", i, err)
		return
	}
	defer nc.Close()
	_, br, err := core.Handshake(nc, &core.ClientRequest{Host: addr, Target: "/ws/echo"})
	if err != nil {
		t.Errorf("control client %d: %v", i, err)
		return
	}
	c := core.NewConn(nc, br, core.Client, core.Config{})
	r := rand.New(rand.NewPCG(seed, 1<<40+uint64(i)))
	var buf []byte
	for {
		select {
		case <-stop:
			c.Close(core.StatusNormalClosure, "done")
			return
		default:
		}
		n := r.IntN(200)
		if r.IntN(10) == 0 {
			n = r.IntN(100 << 10)
		}
		msg := make([]byte, n)
		op := core.OpBinary
		if r.IntN(2) == 0 {
			op = core.OpText
			for j := range msg {
				msg[j] = 'a' + byte(r.IntN(26))
			}
		} else {
			for j := range msg {
				msg[j] = byte(r.Uint32())
			}
		}
		nc.SetDeadline(time.Now().Add(testDeadline))
		if err := c.WriteFragmented(op, msg, r.IntN(3)*(1+r.IntN(n+1))); err != nil {
			t.Errorf("control client %d: write: %v", i, err)
			return
		}
		gotOp, got, err := c.ReadMessage(buf[:0])
		if err != nil {
			t.Errorf("control client %d: after %d echoes: %v", i, echoes.Load(), err)
			return
		}
		if gotOp != op || string(got) != string(msg) {
			t.Errorf("control client %d: sent %v of %d bytes, echo was %v of %d bytes", i, op, len(msg), gotOp, len(got))
			return
		}
		buf = got
		echoes.Add(1)
	}
}

// hostileStats counts what the run did, for the log and the report.
type hostileStats struct {
	conns, frames, bytes atomic.Int64
	mu                   sync.Mutex
	ends                 map[string]int
}

func (s *hostileStats) add(script hostileScript, want wireVerdict, got hostileResult, idle time.Duration) {
	s.conns.Add(1)
	s.frames.Add(int64(script.frames))
	s.bytes.Add(int64(len(script.stream)))
	key := endingKey(want, got)
	if !got.gotClose && want.end != endIdle && got.maxGap >= idle*9/10 {
		key = "no close frame (idle timeout: this client was starved)"
	}
	s.count(key)
}

// endingKey names how a connection ended, for the counts.
func endingKey(want wireVerdict, got hostileResult) string {
	if !got.gotClose {
		return "no close frame (" + want.end.String() + ")"
	}
	if len(got.closeBody) < 2 {
		return "close " + codeText(0)
	}
	code := binary.BigEndian.Uint16(got.closeBody)
	if want.echoed && code == want.code {
		return "close: the client's own code echoed"
	}
	return "close " + strconv.Itoa(int(code))
}

func (s *hostileStats) count(key string) {
	s.mu.Lock()
	if s.ends == nil {
		s.ends = map[string]int{}
	}
	s.ends[key]++
	s.mu.Unlock()
}

func (s *hostileStats) log(t *testing.T, elapsed time.Duration, echoes int64, plan hostilePlan) {
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := make([]string, 0, len(s.ends))
	for k := range s.ends {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s: %d", k, s.ends[k]))
	}
	t.Logf("%d hostile connections (%d at once), %d frames, %d bytes in %v; %d control echoes checked by %d clients",
		s.conns.Load(), plan.workers, s.frames.Load(), s.bytes.Load(), elapsed.Round(time.Millisecond), echoes, plan.controls)
	t.Logf("endings: %s", strings.Join(parts, ", "))
}
