//go:build !js

package main

import (
	"encoding/json"
	"strings"
	"testing"

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
		{`{"url": "ws://192.0.2.1:8080/"}`, "public address"},
		{`{"url": "ws://10.1.2.3:9001/"}`, "only servers on this machine"},
		{`{"url": "http://127.0.0.1:9001/"}`, "ws://"},
		{`not json`, `{"url"`},
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
