//go:build !js

package soak

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"wsplay/core"
)

// The limits server: every limit case runs against one process, since a
// race-enabled wsplay takes seconds to start (it renders the lessons).
const (
	limitConns        = 20
	limitWriteTimeout = 2 * time.Second
)

// TestLimits runs the resource-limit cases in order against one server
// started with -max-conns 20, -max-message 1MiB and -write-timeout 2s, and
// reports the server's memory before, at the peak during, and after each.
func TestLimits(t *testing.T) {
	parallel(t)
	srv := startServer(t, serverOpts{flags: []string{
		"-max-conns", strconv.Itoa(limitConns),
		"-max-message", "1MiB",
		"-write-timeout", limitWriteTimeout.String(),
	}})
	for _, c := range []struct {
		name string
		fn   func(t *testing.T, srv *server)
	}{
		{"max-conns", testMaxConns},
		{"huge lengths", testHugeLengths},
		{"big message", testBigMessage},
		{"many fragments", testManyFragments},
		{"ping flood", testPingFlood},
	} {
		t.Run(c.name, func(t *testing.T) { c.fn(t, srv) })
	}
}

// measure runs fn and logs the server's memory before, at the peak during,
// and after it; it returns how much the peak exceeded the start.
func measure(t *testing.T, srv *server, name string, fn func()) (growth int64) {
	t.Helper()
	before := srv.mem()
	rss := srv.sampleRSS()
	fn()
	peak := rss.stop()
	time.Sleep(300 * time.Millisecond)
	after := srv.mem()
	peak = max(peak, after.RSS)
	t.Logf("figure: limits: %s: server VmRSS before %s, peak %s, after %s", name, mib(before.RSS), mib(peak), mib(after.RSS))
	return peak - before.RSS
}

// -max-conns N: the N+1-th upgrade gets 503 with a reason, the N others
// keep echoing, and a freed place can be taken again.
func testMaxConns(t *testing.T, srv *server) {
	const n = limitConns
	measure(t, srv, "max-conns", func() {
		conns := make([]*client, n)
		for i := range conns {
			conns[i] = mustDial(t, srv.addr, "/ws/echo")
		}
		for range 3 {
			resp, body := upgradeStatus(t, srv.addr, "/ws/echo")
			if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "-max-conns") || resp.Header.Get("Retry-After") == "" {
				t.Fatalf("upgrade %d of %d: %s, Retry-After %q, body %q; want 503 with Retry-After and a body naming -max-conns",
					n+1, n, resp.Status, resp.Header.Get("Retry-After"), body)
			}
		}
		t.Logf("figure: limits: upgrades %d to %d with -max-conns %d: 503 and %q", n+1, n+3, n, upgradeBody)
		for i, c := range conns {
			if err := c.echo(core.OpText, []byte("still here "+strconv.Itoa(i))); err != nil {
				t.Fatalf("connection %d after the refusals: %v", i, err)
			}
		}
		conns[0].Close(core.StatusNormalClosure, "")
		// The place is freed once the server's handler has returned.
		end := time.Now().Add(5 * time.Second)
		for {
			c, err := dial(srv.addr, "/ws/echo")
			if err == nil {
				defer c.CloseNow()
				if err := c.echo(core.OpBinary, []byte{1, 2, 3}); err != nil {
					t.Fatal(err)
				}
				break
			}
			if time.Now().After(end) {
				t.Fatalf("5s after a connection closed, a new one is still refused: %v", err)
			}
			time.Sleep(50 * time.Millisecond)
		}
		for _, c := range conns {
			c.Close(core.StatusNormalClosure, "")
		}
	})
}

// upgradeBody is the last 503 body seen, for the report.
var upgradeBody string

// upgradeStatus sends an upgrade request and reads the answer.
func upgradeStatus(t *testing.T, addr, target string) (*http.Response, string) {
	nc, err := net.DialTimeout("tcp", addr, deadline)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(deadline))
	req := &core.ClientRequest{Host: addr, Target: target}
	if _, err := nc.Write(req.AppendRequest(nil)); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(nc), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	upgradeBody = strings.TrimSpace(string(body))
	return resp, string(body)
}

// A frame header is all it takes to announce an absurd length. §5.2
// forbids a 64-bit length with its most significant bit set (1002); the
// largest legal one, 2^63 − 1, is over any limit (1009). Both must be
// refused from the header alone: no payload byte is sent here, so a
// server that waited for the payload, or allocated it, would show.
func testHugeLengths(t *testing.T, srv *server) {
	for _, tc := range []struct {
		name   string
		length uint64
		code   core.StatusCode
		reason string
	}{
		{"length 2^63 (top bit set)", 1 << 63, core.StatusProtocolError, "most significant bit"},
		{"length 2^63-1", 1<<63 - 1, core.StatusMessageTooBig, "larger than this endpoint accepts"},
		{"length 2^64-1", 1<<64 - 1, core.StatusProtocolError, "most significant bit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			measure(t, srv, tc.name, func() {
				nc, br, err := dialRaw(srv.addr, "/ws/echo", dialOpts{})
				if err != nil {
					t.Fatal(err)
				}
				defer nc.Close()
				start := time.Now()
				if _, err := nc.Write(frameLen(nil, true, core.OpBinary, tc.length, nil)); err != nil {
					t.Fatal(err)
				}
				nc.SetReadDeadline(time.Now().Add(deadline))
				code, reason, _, err := newFrameReader(br).untilClose()
				if err != nil {
					t.Fatalf("no close frame: %v", err)
				}
				if code != tc.code || !strings.Contains(reason, tc.reason) {
					t.Fatalf("close %d %q; want %d with a reason saying %q", code, reason, tc.code, tc.reason)
				}
				t.Logf("figure: limits: %s: close %d %q after %v, from the header alone", tc.name, code, reason, time.Since(start).Round(time.Microsecond))
			})
		})
	}
}

// A 100 MB message to a server that accepts 1 MiB, as one frame and as
// 64 KiB fragments: the client streams it as fast as it can and must get
// 1009 long before it is through; the server must neither read nor keep
// the rest. A further case stops at the limit exactly: nothing happens
// until one more fragment crosses it.
func testBigMessage(t *testing.T, srv *server) {
	const limit = 1 << 20
	for _, tc := range []struct {
		name     string
		fragment int // 0: one frame
	}{
		{"one frame", 0},
		{"64 KiB fragments", 64 << 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			growth := measure(t, srv, "100 MB message, "+tc.name, func() {
				nc, br, err := dialRaw(srv.addr, "/ws/echo", dialOpts{})
				if err != nil {
					t.Fatal(err)
				}
				defer nc.Close()
				var sent atomic.Int64
				stop := make(chan struct{})
				written := make(chan error, 1)
				go func() { written <- streamMessage(nc, size.BigMessage, tc.fragment, &sent, stop) }()
				start := time.Now()
				nc.SetReadDeadline(time.Now().Add(deadline))
				code, reason, _, err := newFrameReader(br).untilClose()
				at, took := sent.Load(), time.Since(start)
				close(stop)
				werr := <-written
				if err != nil {
					t.Fatalf("no close frame: %v (the writer: %v)", err, werr)
				}
				if code != core.StatusMessageTooBig {
					t.Fatalf("close %d %q; want 1009", code, reason)
				}
				if at >= size.BigMessage {
					t.Fatalf("the whole %d bytes were sent before the close frame arrived", size.BigMessage)
				}
				t.Logf("figure: limits: %d-byte message, %s, -max-message 1MiB: close %d %q after %v, when the client had sent %d bytes of it",
					size.BigMessage, tc.name, code, reason, took.Round(time.Millisecond), at)
			})
			// A server that kept what it was sent, or allocated the
			// announced length, would grow by the message's size.
			if growth > size.BigMessage/4 {
				t.Errorf("the server's memory grew by %s while a %s message it refused was streamed at it", mib(growth), mib(size.BigMessage))
			}
		})
	}
	t.Run("fragments up to the limit, then one byte over", func(t *testing.T) {
		measure(t, srv, "fragments to the limit", func() {
			nc, br, err := dialRaw(srv.addr, "/ws/echo", dialOpts{})
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			chunk := make([]byte, 64<<10)
			var wire []byte
			for i := range limit / len(chunk) {
				op := core.OpContinuation
				if i == 0 {
					op = core.OpBinary
				}
				wire = frame(wire, false, op, chunk)
			}
			crossLimit(t, nc, br, wire, frame(nil, false, core.OpContinuation, []byte{0}), "1 MiB in 16 fragments")
		})
	})
}

// crossLimit sends upTo, which brings a message exactly to the limit, and
// a ping: the pong proves that the server has read every fragment and
// still accepts the message. Then it sends over, which crosses the limit,
// and 1009 must come at once.
func crossLimit(t *testing.T, nc net.Conn, br *bufio.Reader, upTo, over []byte, what string) {
	t.Helper()
	nc.SetDeadline(time.Now().Add(deadline))
	if _, err := nc.Write(frame(upTo, true, core.OpPing, []byte("at the limit"))); err != nil {
		t.Fatal(err)
	}
	fr := newFrameReader(br)
	if h, p, err := fr.next(); err != nil || h.Opcode != core.OpPong || string(p) != "at the limit" {
		t.Fatalf("after %s, within the limit, and a ping: %v %q, %v; want the pong", what, h.Opcode, p, err)
	}
	start := time.Now()
	if _, err := nc.Write(over); err != nil {
		t.Fatal(err)
	}
	code, reason, _, err := fr.untilClose()
	if err != nil || code != core.StatusMessageTooBig {
		t.Fatalf("after %s and a frame over the limit: close %d %q, %v; want 1009", what, code, reason, err)
	}
	t.Logf("figure: limits: %s, within -max-message: accepted (a ping between fragments is answered); one frame more: close %d after %v", what, code, time.Since(start).Round(time.Microsecond))
}

// streamMessage writes a binary message of total bytes, as one frame
// (fragment 0) or in fragments, until done or stop; sent counts the bytes
// written.
func streamMessage(nc net.Conn, total int64, fragment int, sent *atomic.Int64, stop <-chan struct{}) error {
	// Zero bytes masked with the key are the key repeated: one masked
	// chunk, a multiple of 4 bytes long, serves for the whole payload.
	chunk := frame(nil, true, core.OpBinary, make([]byte, 64<<10))
	chunk = chunk[len(chunk)-64<<10:]
	write := func(b []byte) error {
		select {
		case <-stop:
			return errors.New("stopped")
		default:
		}
		nc.SetWriteDeadline(time.Now().Add(deadline))
		n, err := nc.Write(b)
		sent.Add(int64(n))
		return err
	}
	if fragment == 0 {
		if err := write(frameLen(nil, true, core.OpBinary, uint64(total), nil)); err != nil {
			return err
		}
		for left := total; left > 0; left -= int64(len(chunk)) {
			if err := write(chunk[:min(int64(len(chunk)), left)]); err != nil {
				return err
			}
		}
		return nil
	}
	for off, i := int64(0), 0; off < total; i++ {
		n := min(int64(fragment), total-off)
		op := core.OpContinuation
		if i == 0 {
			op = core.OpBinary
		}
		if err := write(frame(nil, off+n == total, op, make([]byte, n))); err != nil {
			return err
		}
		off += n
	}
	return nil
}

// 100,000 fragments: a message whose total fits the limit comes back
// whole and unchanged, in one frame; one whose total exceeds it is refused
// with 1009 at the fragment that crosses the limit, not before.
func testManyFragments(t *testing.T, srv *server) {
	const limit = 1 << 20
	t.Run("fits", func(t *testing.T) {
		measure(t, srv, fmt.Sprintf("%d fragments, fits", size.Fragments), func() {
			per := limit / size.Fragments // 10 bytes for 100,000
			msg := make([]byte, per*size.Fragments)
			rng := rand.New(rand.NewPCG(1, 2))
			for i := range msg {
				msg[i] = byte(rng.Uint32())
			}
			wire := make([]byte, 0, len(msg)+size.Fragments*6)
			for i := range size.Fragments {
				op := core.OpContinuation
				if i == 0 {
					op = core.OpBinary
				}
				wire = frame(wire, i == size.Fragments-1, op, msg[i*per:(i+1)*per])
			}
			nc, br, err := dialRaw(srv.addr, "/ws/echo", dialOpts{})
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			start := time.Now()
			werr := make(chan error, 1)
			go func() {
				nc.SetWriteDeadline(time.Now().Add(deadline))
				_, err := nc.Write(wire)
				werr <- err
			}()
			nc.SetReadDeadline(time.Now().Add(deadline))
			h, got, err := newFrameReader(br).next()
			if err := <-werr; err != nil {
				t.Fatal(err)
			}
			if err != nil {
				t.Fatalf("no echo: %v", err)
			}
			if h.Opcode != core.OpBinary || !h.Fin || !bytes.Equal(got, msg) {
				t.Fatalf("the echo is a %v frame (fin %v) of %d bytes, equal %v; want the %d bytes back in one binary frame",
					h.Opcode, h.Fin, len(got), bytes.Equal(got, msg), len(msg))
			}
			t.Logf("figure: limits: %d fragments of %d bytes (%d bytes, %d on the wire): echoed whole and unchanged in %v",
				size.Fragments, per, len(msg), len(wire), time.Since(start).Round(time.Millisecond))
		})
	})
	t.Run("exceeds", func(t *testing.T) {
		measure(t, srv, fmt.Sprintf("%d fragments, exceeds", size.Fragments), func() {
			per := limit/size.Fragments + 1 // 11 bytes for 100,000: 1.1 MB in all
			within := limit / per           // the fragments that stay within the limit
			var upTo []byte
			for i := range within {
				op := core.OpContinuation
				if i == 0 {
					op = core.OpBinary
				}
				upTo = frame(upTo, false, op, make([]byte, per))
			}
			nc, br, err := dialRaw(srv.addr, "/ws/echo", dialOpts{})
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			crossLimit(t, nc, br, upTo, frame(nil, false, core.OpContinuation, make([]byte, per)),
				fmt.Sprintf("%d fragments of %d bytes (%d bytes)", within, per, within*per))
		})
	})
}

// 10,000 pings in a burst. From a client that reads, every pong comes back
// with its ping's payload, in order. From a client that never reads, the
// server's pongs fill the connection and the server drops it after its
// -write-timeout, while another client keeps echoing undisturbed.
func testPingFlood(t *testing.T, srv *server) {
	pings := func(n, size int) []byte {
		var wire []byte
		for i := range n {
			p := []byte(fmt.Sprintf("ping %05d", i))
			p = append(p, bytes.Repeat([]byte{'.'}, max(0, size-len(p)))...)
			wire = frame(wire, true, core.OpPing, p)
		}
		return wire
	}
	t.Run("reader", func(t *testing.T) {
		measure(t, srv, fmt.Sprintf("%d pings, client reads", size.Pings), func() {
			nc, br, err := dialRaw(srv.addr, "/ws/echo", dialOpts{})
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			wire := pings(size.Pings, 0)
			start := time.Now()
			werr := make(chan error, 1)
			go func() {
				nc.SetWriteDeadline(time.Now().Add(deadline))
				_, err := nc.Write(wire)
				werr <- err
			}()
			fr := newFrameReader(br)
			nc.SetReadDeadline(time.Now().Add(deadline))
			for i := range size.Pings {
				h, p, err := fr.next()
				if err != nil {
					t.Fatalf("pong %d: %v", i, err)
				}
				if want := fmt.Sprintf("ping %05d", i); h.Opcode != core.OpPong || string(p) != want {
					t.Fatalf("frame %d: %v %q; want a pong %q", i, h.Opcode, p, want)
				}
			}
			if err := <-werr; err != nil {
				t.Fatal(err)
			}
			took := time.Since(start)
			t.Logf("figure: limits: %d pings in a burst: %d pongs, in order, each with its ping's payload, in %v (%.0f/s)",
				size.Pings, size.Pings, took.Round(time.Millisecond), float64(size.Pings)/took.Seconds())
		})
	})
	t.Run("never reads", func(t *testing.T) {
		measure(t, srv, "ping flood, client never reads", func() {
			other := mustDial(t, srv.addr, "/ws/echo")
			nc, _, err := dialRaw(srv.addr, "/ws/echo", dialOpts{rcvbuf: 4096})
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			remote := nc.LocalAddr().String()
			// Bursts of pings with 125-byte payloads until the server
			// drops the connection: the pongs fill the client's buffer,
			// then the server's (megabytes, on loopback), and only then
			// does a write of the server wait.
			burst := pings(size.Pings, 125)
			var sent atomic.Int64
			start := time.Now()
			stop := make(chan struct{})
			var wg sync.WaitGroup
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					// Once the server stops reading, this write waits
					// too: its deadline ends it.
					nc.SetWriteDeadline(time.Now().Add(limitWriteTimeout + 3*time.Second))
					if _, err := nc.Write(burst); err != nil {
						return
					}
					sent.Add(int64(size.Pings))
				}
			})
			var lat latencies
			var rec logRecord
			dropped := false
			for i := 0; time.Since(start) < deadline; i++ {
				t0 := time.Now()
				if err := other.echo(core.OpText, []byte("unaffected "+strconv.Itoa(i))); err != nil {
					t.Fatalf("the other client, %v into the flood: %v", time.Since(start), err)
				}
				lat = append(lat, time.Since(t0))
				if !dropped {
					rec, dropped = srv.closeRecordFor(remote, 0)
				} else if len(lat) > 10 {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			close(stop)
			nc.Close()
			wg.Wait()
			if !dropped {
				t.Fatalf("the server did not drop the client that never reads within %v (it sent %d pings)", deadline, sent.Load())
			}
			took := rec.Time.Sub(start)
			t.Logf("figure: limits: pings from a client that never reads: dropped %v after the flood began, after about %d pings (-write-timeout %v), logged as %d %q by %s",
				took.Round(time.Millisecond), sent.Load(), limitWriteTimeout, rec.Code, rec.Reason, rec.By)
			t.Logf("figure: limits: meanwhile another client echoed %d messages, latency p50 %v p99 %v max %v",
				len(lat), lat.pct(50), lat.pct(99), lat.pct(100))
			if lat.pct(100) >= limitWriteTimeout {
				t.Errorf("an echo of the other client took %v: it waited for the stuck one", lat.pct(100))
			}
			if !strings.Contains(rec.Reason, "timeout") {
				t.Errorf("the close line of the client that never reads says %d %q by %s: it should name the write timeout that cut it", rec.Code, rec.Reason, rec.By)
			}
		})
	})
}
