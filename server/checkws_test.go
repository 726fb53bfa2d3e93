//go:build !js

package main

import (
	"context"
	"encoding/json"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"wsplay/check"
	"wsplay/core"
)

// readCheckEvent reads one event of /ws/check.
func readCheckEvent(t *testing.T, c *core.Conn) checkEvent {
	t.Helper()
	op, msg, err := c.ReadMessage(nil)
	if err != nil {
		t.Fatal(err)
	}
	var e checkEvent
	if op != core.OpText || json.Unmarshal(msg, &e) != nil {
		t.Fatalf("event %v %s", op, msg)
	}
	return e
}

// The page's checker streams a result per case, then the report: checking
// the server's own /ws/echo passes every case.
func TestCheckEndpointStreamsResults(t *testing.T) {
	ts := startServer(t, nil)
	c := coreDial(t, ts.addr, "/ws/check", core.Config{})
	defer c.CloseNow()
	req, _ := json.Marshal(checkRequest{URL: "ws://" + ts.addr + "/ws/echo"})
	if err := c.WriteMessage(core.OpText, req); err != nil {
		t.Fatal(err)
	}
	start := readCheckEvent(t, c)
	if start.Type != "start" || start.Cases != len(check.Cases(check.Options{})) {
		t.Fatalf("first event %+v, want start with %d cases", start, len(check.Cases(check.Options{})))
	}
	var results []check.Result
	for {
		e := readCheckEvent(t, c)
		if e.Type == "done" {
			if e.Report == nil || e.Report.Pass != len(results) || e.Report.Fail != 0 {
				t.Fatalf("report %+v after %d streamed results", e.Report, len(results))
			}
			break
		}
		if e.Type != "result" || e.Result == nil {
			t.Fatalf("event %+v", e)
		}
		if e.Result.Status != check.Pass {
			t.Errorf("%s: %v: %s", e.Result.ID, e.Result.Status, e.Result.Got)
		}
		if !strings.HasPrefix(e.Result.Lesson, "http://"+ts.addr+"/lessons/") {
			t.Errorf("%s: lesson link %q does not point at this server", e.Result.ID, e.Result.Lesson)
		}
		results = append(results, *e.Result)
	}
	if len(results) != start.Cases {
		t.Fatalf("%d results for %d cases", len(results), start.Cases)
	}
}

// From the page only loopback servers are checked; anything else is refused
// with a reason before any connection is made (the addresses below are
// never dialed: a public one is refused by the command's rule, a private
// one by the page's narrower rule).
func TestCheckEndpointRefuses(t *testing.T) {
	ts := startServer(t, nil)
	c := coreDial(t, ts.addr, "/ws/check", core.Config{})
	defer c.CloseNow()
	tests := []struct {
		send, want string
	}{
		{`{"url": "ws://192.0.2.1:8080/"}`, "192.0.2.1 is not an address this server may connect to for you"},
		{`{"url": "ws://10.1.2.3:9001/"}`, "only to servers on this machine"},
		{`{"url": "http://127.0.0.1:9001/"}`, "ws://"},
		{`not json`, `{"url"`},
		{`{"url": "ws://127.0.0.1:9001/", "lang": "fr"}`, "the languages are en, zh"},
	}
	for _, tc := range tests {
		if err := c.WriteMessage(core.OpText, []byte(tc.send)); err != nil {
			t.Fatal(err)
		}
		e := readCheckEvent(t, c)
		if e.Type != "refused" || !strings.Contains(e.Reason, tc.want) {
			t.Errorf("%s: got %+v, want refused with %q", tc.send, e, tc.want)
		}
	}
}

// DNS rebinding: a name that answers 127.0.0.1 when it is first asked and
// a private address afterwards. The server asks once and every case dials
// the address it allowed, so the check runs against the loopback server
// and the name is never asked again.
func TestCheckEndpointRebinding(t *testing.T) {
	var asked atomic.Int32
	ts := startServer(t, func(c *Config) {
		c.Hosts = []string{"rebind.test"} // the target's Host header; see host.go
		c.lookup = func(context.Context, string) ([]net.IP, error) {
			if asked.Add(1) == 1 {
				return []net.IP{net.ParseIP("127.0.0.1")}, nil
			}
			return []net.IP{net.ParseIP("10.0.0.5")}, nil
		}
	})
	_, port, _ := net.SplitHostPort(ts.addr)
	c := coreDial(t, ts.addr, "/ws/check", core.Config{})
	defer c.CloseNow()
	req, _ := json.Marshal(checkRequest{URL: "ws://rebind.test:" + port + "/ws/echo"})
	if err := c.WriteMessage(core.OpText, req); err != nil {
		t.Fatal(err)
	}
	for {
		e := readCheckEvent(t, c)
		if e.Type == "refused" || e.Type == "busy" {
			t.Fatalf("event %+v", e)
		}
		if e.Type == "result" && e.Result.Status == check.Fail {
			t.Errorf("%s failed: %s", e.Result.ID, e.Result.Got)
		}
		if e.Type == "done" {
			if e.Report.Address != "127.0.0.1:"+port {
				t.Errorf("checked %s, want 127.0.0.1:%s", e.Report.Address, port)
			}
			break
		}
	}
	if n := asked.Load(); n != 1 {
		t.Errorf("the name was looked up %d times, want once", n)
	}
}

// A student on another machine (127.0.0.2 standing in for one) may have
// the teacher's server check a server on its own address, and nothing
// else: not the teacher's loopback, not another student's address.
func TestCheckEndpointStudentReachesOnlyItself(t *testing.T) {
	ts := startServer(t, nil)
	own := startServer(t, func(c *Config) { c.Addr = "127.0.0.2:0" })
	other := startServer(t, func(c *Config) { c.Addr = "127.0.0.3:0" })
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}, Timeout: testDeadline}
	nc, err := d.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	nc.SetDeadline(time.Now().Add(testDeadline))
	_, br, err := core.Handshake(nc, &core.ClientRequest{Host: ts.addr, Target: "/ws/check"})
	if err != nil {
		t.Fatal(err)
	}
	c := core.NewConn(nc, br, core.Client, core.Config{MaxMessageSize: 64 << 20})
	defer c.CloseNow()
	for _, tc := range []struct {
		url  string
		want string // first event
	}{
		{"ws://" + ts.addr + "/ws/echo", "refused"},
		{"ws://" + other.addr + "/ws/echo", "refused"},
		{"ws://" + own.addr + "/ws/echo", "start"},
	} {
		req, _ := json.Marshal(checkRequest{URL: tc.url})
		if err := c.WriteMessage(core.OpText, req); err != nil {
			t.Fatal(err)
		}
		e := readCheckEvent(t, c)
		if e.Type != tc.want {
			t.Fatalf("%s: first event %+v, want %s", tc.url, e, tc.want)
		}
		if e.Type == "refused" && !strings.Contains(e.Reason, "127.0.0.2") {
			t.Errorf("%s: refusal %q does not say which address the student may use", tc.url, e.Reason)
		}
		for e.Type == "start" || e.Type == "result" {
			e = readCheckEvent(t, c)
		}
		if tc.want == "start" && (e.Type != "done" || e.Report.Fail != 0) {
			t.Errorf("%s: last event %+v", tc.url, e)
		}
	}
}

// A page that closes while its check runs against a server that never
// answers frees its slot at once: the same machine can start a new check
// right away instead of being told one is running.
func TestCheckEndpointCancelsOnDisconnect(t *testing.T) {
	ts := startServer(t, nil)
	// A "server" that accepts connections and never says anything.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	url, _ := json.Marshal(checkRequest{URL: "ws://" + silent.Addr().String() + "/"})
	first := coreDial(t, ts.addr, "/ws/check", core.Config{})
	if err := first.WriteMessage(core.OpText, url); err != nil {
		t.Fatal(err)
	}
	if e := readCheckEvent(t, first); e.Type != "start" {
		t.Fatalf("first event %+v", e)
	}
	// A second check from the same machine while the first runs: busy.
	second := coreDial(t, ts.addr, "/ws/check", core.Config{})
	if err := second.WriteMessage(core.OpText, url); err != nil {
		t.Fatal(err)
	}
	if e := readCheckEvent(t, second); e.Type != "busy" || !strings.Contains(e.Reason, "from your machine") {
		t.Fatalf("second check while the first runs: %+v, want busy", e)
	}
	first.CloseNow()
	// Each case waits 5 s for the silent server; the slot must come back
	// long before the 43 cases could have run.
	deadline := time.Now().Add(3 * time.Second)
	for {
		if err := second.WriteMessage(core.OpText, url); err != nil {
			t.Fatal(err)
		}
		e := readCheckEvent(t, second)
		if e.Type == "start" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the closed page's check still holds its slot: %+v", e)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// The page chooses a stage; an unknown one is refused with the stages named.
// Pointed at a service that is not a WebSocket server, the page's run stops
// at its first answer and shows the status line only: the service's headers
// and body never reach the page (a port scanner with read-back otherwise).
func TestCheckEndpointStagesAndNoReadBack(t *testing.T) {
	ts := startServer(t, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var dials atomic.Int32
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			dials.Add(1)
			go func() {
				defer nc.Close()
				buf := make([]byte, 4096)
				nc.Read(buf)
				nc.Write([]byte("HTTP/1.1 200 OK\r\nSet-Cookie: sid=SECRET-SID\r\nX-Token: SECRET-TOKEN\r\nContent-Length: 6\r\n\r\nSECRET"))
			}()
		}
	}()
	c := coreDial(t, ts.addr, "/ws/check", core.Config{})
	defer c.CloseNow()
	send := func(v any) {
		b, _ := json.Marshal(v)
		if err := c.WriteMessage(core.OpText, b); err != nil {
			t.Fatal(err)
		}
	}
	// until reads events up to the last one of a run.
	until := func() (raw []string, last checkEvent) {
		for {
			op, msg, err := c.ReadMessage(nil)
			if err != nil || op != core.OpText {
				t.Fatal(err)
			}
			raw = append(raw, string(msg))
			json.Unmarshal(msg, &last)
			if last.Type != "start" && last.Type != "result" {
				return raw, last
			}
		}
	}

	send(checkRequest{URL: "ws://" + ts.addr + "/ws/echo", Stage: "bogus"})
	if _, e := until(); e.Type != "refused" || !strings.Contains(e.Reason, "handshake, frames, masking") {
		t.Fatalf("%+v", e)
	}

	send(checkRequest{URL: "ws://" + ts.addr + "/ws/echo", Stage: "handshake"})
	if _, e := until(); e.Type != "done" || e.Report.Fail != 0 || len(e.Report.NotTried) != len(check.Stages)-1 {
		t.Fatalf("%+v", e.Report)
	}

	send(checkRequest{URL: "ws://" + ln.Addr().String() + "/admin?token=1"})
	raw, e := until()
	if e.Type != "done" || len(e.Report.Results) != 1 || dials.Load() != 1 {
		t.Fatalf("%d dials: %s", dials.Load(), raw)
	}
	r := e.Report.Results[0]
	if strings.Contains(strings.Join(raw, "\n"), "SECRET") || len(r.ReceivedFrames) != 1 || r.ReceivedFrames[0] != "HTTP/1.1 200 OK" {
		t.Fatalf("the page read back the service: %s", raw)
	}
}

// The page's language: with "lang": "zh" the results and the report come
// in Chinese, each rule with its id and its Chinese text from core.
func TestCheckEndpointLanguage(t *testing.T) {
	ts := startServer(t, nil)
	addr := startNaive(t)
	c := coreDial(t, ts.addr, "/ws/check", core.Config{})
	defer c.CloseNow()
	req, _ := json.Marshal(checkRequest{URL: "ws://" + addr + "/", Stage: "frames", Lang: "zh"})
	if err := c.WriteMessage(core.OpText, req); err != nil {
		t.Fatal(err)
	}
	for {
		e := readCheckEvent(t, c)
		if e.Type == "result" {
			r := e.Result
			rule, ok := core.RuleByID(r.Rule.ID)
			if !ok || r.Rule.Text != rule.ZH || !hasHan(r.Title) || r.Status != check.Pass && !hasHan(r.Explanation) {
				t.Errorf("%s: rule %+v, title %q, explanation %q", r.ID, r.Rule, r.Title, r.Explanation)
			}
		}
		if e.Type == "done" {
			if e.Report.Lang != "zh" || e.Report.Fail == 0 || !hasHan(e.Report.Stages[0].Title) {
				t.Errorf("report: lang %q, %d failed, stages %+v", e.Report.Lang, e.Report.Fail, e.Report.Stages)
			}
			break
		}
		if e.Type != "start" && e.Type != "result" {
			t.Fatalf("event %+v", e)
		}
	}
}
