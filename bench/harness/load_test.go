package main

import (
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws"
)

// fault says how the test echo server misbehaves, from its n-th message on.
type fault struct {
	after   int
	corrupt bool // flip the payload's last bit
	swapOp  bool // answer text with binary and binary with text
	drop    bool // skip one echo
}

// startEcho serves /ws/echo on loopback with gobwas's low-level API,
// misbehaving as f says; it returns the address.
func startEcho(t *testing.T, f fault) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, _, err := ws.UpgradeHTTP(r, w)
		if err != nil {
			return
		}
		go func() {
			defer conn.Close()
			for n := 1; ; n++ {
				h, err := ws.ReadHeader(conn)
				if err != nil {
					return
				}
				p := make([]byte, h.Length)
				if _, err := io.ReadFull(conn, p); err != nil {
					return
				}
				ws.Cipher(p, h.Mask, 0)
				h.Masked = false
				if f.after > 0 && n >= f.after {
					switch {
					case f.corrupt && len(p) > 0:
						p[len(p)-1] ^= 1
					case f.swapOp:
						h.OpCode ^= ws.OpText | ws.OpBinary
					case f.drop && n == f.after:
						continue
					}
				}
				if ws.WriteHeader(conn, h) != nil {
					return
				}
				if _, err := conn.Write(p); err != nil {
					return
				}
			}
		}()
	})}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return l.Addr().String()
}

// TestLoadChecksEchoes runs the load generator against a server over
// loopback, in both modes, and against servers that break the echo in
// different ways: every break must fail the run.
func TestLoadChecksEchoes(t *testing.T) {
	tests := []struct {
		name string
		f    fault
		want string // "" for success
	}{
		{"correct", fault{}, ""},
		{"corrupts a byte", fault{after: 3, corrupt: true}, "differs from what was sent"},
		{"changes the opcode", fault{after: 3, swapOp: true}, "opcode"},
		// Pipelined, the next echo shows the gap; in the closed loop the
		// client waits for an echo that never comes.
		{"drops a message", fault{after: 3, drop: true}, "wrong sequence number|did not come within"},
	}
	defer func(old time.Duration) { stallTimeout = old }(stallTimeout)
	for _, tt := range tests {
		// A correct server gets the full wait, however busy the machine;
		// a faulty one is given up on quickly.
		stallTimeout = 10 * time.Second
		if tt.want != "" {
			stallTimeout = 500 * time.Millisecond
		}
		for _, c := range []cell{{conns: 3, size: 1024, depth: 1}, {conns: 3, size: 16, depth: 8}, {conns: 2, size: 70000, depth: 4},
			{conns: 2, size: 70000, depth: 1, pieces: 3, gap: 100 * time.Microsecond}, {conns: 1, size: 1024, depth: 4, pieces: 4, gap: 100 * time.Microsecond}} {
			t.Run(tt.name+"/"+c.String(), func(t *testing.T) {
				addr := startEcho(t, tt.f)
				m, err := load(addr, os.Getpid(), c, 10*time.Millisecond, 50*time.Millisecond)
				if tt.want == "" {
					if err != nil {
						t.Fatal(err)
					}
					f := figures(m)
					t.Logf("%s: %.0f msgs/s, p50 %.0f µs, p99 %.0f µs", c, f["msgs"], f["p50"], f["p99"])
					if m.msgs == 0 || f["p50"] <= 0 || f["p99"] < f["p50"] {
						t.Errorf("implausible figures: %d messages, %v", m.msgs, f)
					}
					return
				}
				if err == nil || !containsAny(err.Error(), strings.Split(tt.want, "|")) {
					t.Fatalf("error %v, want one containing %q", err, tt.want)
				}
			})
		}
	}
}

// countingReader counts the reads that returned data.
type countingReader struct {
	r     io.Reader
	reads int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n > 0 {
		c.reads++
	}
	return n, err
}

// TestPiecesArriveApart checks that a frame sent in pieces reaches the
// server in as many reads at least: what the cells of frames arriving in
// pieces are for. A server that read them whole would measure nothing new.
func TestPiecesArriveApart(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	const pieces, size = 4, 64 << 10
	got := make(chan int, 1)
	go func() {
		defer close(got)
		conn, err := l.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		if _, err := ws.Upgrade(conn); err != nil {
			return
		}
		cr := &countingReader{r: conn}
		h, err := ws.ReadHeader(cr)
		if err != nil {
			return
		}
		if _, err := io.ReadFull(cr, make([]byte, h.Length)); err != nil {
			return
		}
		got <- cr.reads
	}()
	cl, err := dial(l.Addr().String(), echoPath)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.nc.Close()
	cl.prepare(opBinary, size)
	// A gap far above the time a wake-up takes, however busy the machine.
	cl.pieces, cl.gap = pieces, 20*time.Millisecond
	if err := cl.send(); err != nil {
		t.Fatal(err)
	}
	if n, ok := <-got; !ok || n < pieces {
		t.Errorf("the server read a frame sent in %d pieces in %d reads (ok %v), want at least %d", pieces, n, ok, pieces)
	}
}

// TestProbe checks that the start-up probe rejects a server that answers
// text with binary, and accepts a correct one.
func TestProbe(t *testing.T) {
	if err := probe(startEcho(t, fault{})); err != nil {
		t.Errorf("a correct echo server failed the probe: %v", err)
	}
	err := probe(startEcho(t, fault{after: 1, swapOp: true}))
	if err == nil || !strings.Contains(err.Error(), "text must come back as text") {
		t.Errorf("a server that swaps opcodes passed the probe: %v", err)
	}
}

// TestIdleMemory opens idle connections to an in-process server; the test
// process's own VmRSS is read, so only the plumbing is checked here.
func TestIdleMemory(t *testing.T) {
	before, after, err := idleMemory(startEcho(t, fault{}), os.Getpid(), 50, 10*time.Millisecond, false)
	if err != nil {
		t.Fatal(err)
	}
	if before <= 0 || after <= 0 {
		t.Errorf("VmRSS before %d, after %d", before, after)
	}
	t.Logf("VmRSS %d → %d", before, after)
}

// TestDialRefusesBadHandshake: a plain HTTP server is not a WebSocket one.
func TestDialRefusesBadHandshake(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.NotFoundHandler()}
	go srv.Serve(l)
	defer srv.Close()
	if _, err := dial(l.Addr().String(), echoPath); err == nil || !strings.Contains(err.Error(), "101") {
		t.Errorf("dial to a 404 server: %v, want an error naming 101", err)
	}
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
