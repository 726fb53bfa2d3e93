//go:build !js

package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"wsplay/autobahn"
)

// clientFrom returns DialOptions whose connections come from the loopback
// address ip, standing in for a student's machine.
func clientFrom(ip string) *websocket.DialOptions {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: testDeadline}
	return &websocket.DialOptions{HTTPClient: &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}}
}

// readOne connects to url and returns the one text message it sends.
func readOne(ctx context.Context, t *testing.T, url string, opts *websocket.DialOptions) string {
	t.Helper()
	c, _, err := websocket.Dial(ctx, url, opts)
	if err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	defer c.CloseNow()
	c.SetReadLimit(1 << 20)
	_, b, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	return string(b)
}

// The playground grades a client like `wsplay check -client`: a
// coder/websocket client on 127.0.0.2 runs every case the playground
// offers, one connection per case as fast as they end — past the burst of
// -handshake-rate, which the client suite does not take from — and reads
// its report. Another machine (127.0.0.3) does not see that report.
func TestClientSuiteEndpoint(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.Addr = "127.0.0.1:0"; c.HandshakeRate = 1 })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := "ws://" + ts.addr + "/ws/client"
	student := clientFrom("127.0.0.2")

	// Every case but 9.x, and of 12.x and 13.x the first of each group
	// of 18 (16-byte messages).
	want := 0
	for _, c := range autobahn.Cases() {
		parts := strings.Split(c.ID, ".")
		minor, _ := strconv.Atoi(parts[len(parts)-1])
		switch parts[0] {
		case "9":
		case "12", "13":
			if minor == 1 {
				want++
			}
		default:
			want++
		}
	}
	n, err := strconv.Atoi(readOne(ctx, t, base+"/getCaseCount", student))
	if err != nil || n != want {
		t.Fatalf("getCaseCount: %d (%v), want every case but 9.x and the compression cases but 12.x.1 and 13.x.1: %d", n, err, want)
	}
	if n <= 100 {
		t.Fatalf("only %d cases: the test must run more than -handshake-rate's burst of 100", n)
	}
	for i := 1; i <= n; i++ {
		c, resp, err := websocket.Dial(ctx, fmt.Sprintf("%s/runCase?case=%d&agent=coder", base, i), student)
		if err != nil {
			status := 0
			if resp != nil {
				status = resp.StatusCode
			}
			t.Fatalf("runCase %d: %v (status %d)", i, err, status)
		}
		c.SetReadLimit(1 << 20)
		for {
			typ, b, err := c.Read(ctx)
			if err != nil || c.Write(ctx, typ, b) != nil {
				break
			}
		}
		c.CloseNow()
	}
	c, _, err := websocket.Dial(ctx, base+"/updateReports?agent=coder", student)
	if err != nil {
		t.Fatal(err)
	}
	c.Read(ctx)
	c.CloseNow()

	report := readOne(ctx, t, base+"/getReport?agent=coder", student)
	for _, s := range []string{`client under test "coder"`, fmt.Sprintf(": %d cases in", n), "Total: OK "} {
		if !strings.Contains(report, s) {
			t.Errorf("the report lacks %q:\n%s", s, report)
		}
	}
	// Framing (1.x) and pings (2.x) are what coder/websocket gets right.
	if i := strings.Index(report, "\n  1 "); i < 0 || strings.Contains(strings.SplitN(report[i+1:], "\n", 2)[0], "FAILED") {
		t.Errorf("section 1 missing or failed:\n%s", report)
	}

	other := readOne(ctx, t, base+"/getReport?agent=coder", clientFrom("127.0.0.3"))
	if !strings.Contains(other, "no case has run") || strings.Contains(other, "Total:") {
		t.Errorf("127.0.0.3 read 127.0.0.2's report:\n%s", other)
	}
}

// Each address keeps at most clientSuiteAgents agents: the next is refused
// with a reason, and an unknown path under /ws/client says how to use it.
func TestClientSuiteLimits(t *testing.T) {
	ts := startServer(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), testDeadline)
	defer cancel()
	base := "ws://" + ts.addr + "/ws/client"
	student := clientFrom("127.0.0.2")
	// Case 1.1.1 is a short text message to echo.
	for i := 0; i <= clientSuiteAgents; i++ {
		c, resp, err := websocket.Dial(ctx, fmt.Sprintf("%s/runCase?case=1&agent=a%d", base, i), student)
		if i == clientSuiteAgents {
			if err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
				t.Fatalf("agent %d of %d: %v, %+v; want 503", i+1, clientSuiteAgents, err, resp)
			}
			break
		}
		if err != nil {
			t.Fatalf("agent %d: %v", i, err)
		}
		for {
			typ, b, err := c.Read(ctx)
			if err != nil || c.Write(ctx, typ, b) != nil {
				break
			}
		}
		c.CloseNow()
	}

	resp, err := http.Get("http://" + ts.addr + "/ws/client/nothing")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("/ws/client/nothing: %d, want 404", resp.StatusCode)
	}
}
