//go:build !js

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"wsplay/check"
	"wsplay/core"
)

// pageCheck runs a check the way the page's panel does, from the student's
// address ip, and returns the "board" event (zero if none came) and the
// report. With a refusal expected it returns as soon as the board event
// comes (closing the connection cancels the run).
func pageCheck(t *testing.T, ip, server string, req checkRequest, refusal bool) (checkEvent, *check.Report) {
	t.Helper()
	c, status, body := wsFrom(t, ip, server, "/ws/check")
	if c == nil {
		t.Fatalf("/ws/check from %s: %d %s", ip, status, body)
	}
	defer c.CloseNow()
	msg, _ := json.Marshal(req)
	if err := c.WriteMessage(core.OpText, msg); err != nil {
		t.Fatal(err)
	}
	var board checkEvent
	for {
		e := readCheckEvent(t, c)
		switch e.Type {
		case "board":
			board = e
			if refusal {
				return board, nil
			}
		case "done":
			return board, e.Report
		case "refused", "busy":
			t.Fatalf("%s checking %s: %+v", ip, req.URL, e)
		}
	}
}

// boardWatch is the teacher's board page: it reads every view the server
// sends (answering pings meanwhile) into views.
type boardWatch struct {
	c     *core.Conn
	views chan boardView
}

// watchBoard opens the board's WebSocket as the teacher's page does.
func watchBoard(t *testing.T, server, teacher string) *boardWatch {
	t.Helper()
	c := boardConn(t, server, teacher)
	w := &boardWatch{c: c, views: make(chan boardView, 100)}
	go func() {
		defer close(w.views)
		for {
			_, msg, err := c.ReadMessage(nil)
			if err != nil {
				return
			}
			var v boardView
			if json.Unmarshal(msg, &v) == nil && v.Type == "board" {
				w.views <- v
			}
		}
	}()
	return w
}

// boardConn opens /ws/class and sends the teacher code.
func boardConn(t *testing.T, server, teacher string) *core.Conn {
	t.Helper()
	c, status, body := wsFrom(t, "127.0.0.1", server, "/ws/class")
	if c == nil {
		t.Fatalf("/ws/class: %d %s", status, body)
	}
	msg, _ := json.Marshal(boardRequest{Teacher: teacher})
	c.WriteMessage(core.OpText, msg)
	return c
}

// until returns the first view that satisfies ok.
func (w *boardWatch) until(t *testing.T, ok func(boardView) bool) boardView {
	t.Helper()
	timeout := time.After(testDeadline)
	for {
		select {
		case v, open := <-w.views:
			if !open {
				t.Fatal("the board's connection ended")
			}
			if ok(v) {
				return v
			}
		case <-timeout:
			t.Fatal("the board did not show the change")
		}
	}
}

func (w *boardWatch) send(t *testing.T, req boardRequest) {
	msg, _ := json.Marshal(req)
	if err := w.c.WriteMessage(core.OpText, msg); err != nil {
		t.Fatal(err)
	}
}

func anyView(boardView) bool { return true }

func row(v boardView, nick string) *student {
	for _, s := range v.Students {
		if s.Nick == nick {
			return s
		}
	}
	return nil
}

// Students check their own servers from the page with a nickname and the
// class code: the teacher's board shows each one's stages as they finish,
// live; a wrong code keeps a student off it and says why; a nickname
// stays with the machine that first used it.
func TestClassBoardFromPage(t *testing.T) {
	ts := startServer(t, nil)
	ada := startServer(t, func(c *Config) { c.Addr = "127.0.0.2:0" }) // a student's server
	bob := startServer(t, func(c *Config) { c.Addr = "127.0.0.3:0" })
	board := watchBoard(t, ts.addr, ts.class.teacher)
	if v := board.until(t, anyView); len(v.Students) != 0 || v.Code != ts.class.code || len(v.Stages) != len(check.Stages) {
		t.Fatalf("first board: %+v", v)
	}

	e, rep := pageCheck(t, "127.0.0.2", ts.addr, checkRequest{URL: "ws://" + ada.addr + "/ws/echo", Nick: " Ada ", Code: strings.ToLower(ts.class.code)}, false)
	if e.Type != "board" || e.Nick != "Ada" || e.Reason != "" || rep.Fail != 0 {
		t.Fatalf("Ada's board event %+v, report fail %d", e, rep.Fail)
	}
	v := board.until(t, func(v boardView) bool { return row(v, "Ada") != nil })
	for _, sc := range countStages(rep) {
		if m := row(v, "Ada").Stages[sc.Stage]; m.Status != "pass" || m.Self || m.Pass != sc.Pass {
			t.Errorf("Ada's %s: %+v, report %+v", sc.Stage, m, sc)
		}
	}
	if len(row(v, "Ada").Stages) != len(check.Stages) {
		t.Errorf("Ada's row has %d stages, want %d", len(row(v, "Ada").Stages), len(check.Stages))
	}
	e, _ = pageCheck(t, "127.0.0.3", ts.addr, checkRequest{URL: "ws://" + bob.addr + "/ws/echo", Nick: "Bob", Code: ts.class.code}, false)
	if e.Nick != "Bob" {
		t.Fatalf("Bob's board event %+v", e)
	}
	v = board.until(t, func(v boardView) bool { return row(v, "Bob") != nil })
	if len(v.Students) != 2 || v.Students[0].Nick != "Ada" {
		t.Errorf("board rows %+v, want Ada then Bob", v.Students)
	}

	// Refusals come before the run, and the run goes on without the board.
	for _, tc := range []struct {
		name, ip string
		req      checkRequest
		want     string
	}{
		{"wrong code", "127.0.0.2", checkRequest{Nick: "Eve", Code: "AAA-AAA"}, "class's code"},
		{"no code", "127.0.0.2", checkRequest{Nick: "Eve"}, "class's code"},
		{"another machine's nickname", "127.0.0.3", checkRequest{Nick: "ada", Code: ts.class.code}, "another machine"},
		{"invisible character", "127.0.0.2", checkRequest{Nick: "Ad\u200ba", Code: ts.class.code}, "U+200B"},
	} {
		tc.req.URL = "ws://" + ada.addr + "/ws/echo"
		if tc.ip == "127.0.0.3" {
			tc.req.URL = "ws://" + bob.addr + "/ws/echo"
		}
		e, _ := pageCheck(t, tc.ip, ts.addr, tc.req, true)
		if e.Type != "board" || e.Nick != "" || !strings.Contains(e.Reason, tc.want) {
			t.Errorf("%s: board event %+v, want a refusal naming %q", tc.name, e, tc.want)
		}
	}

	// The teacher removes a row, then clears the board.
	board.send(t, boardRequest{Remove: "bob"})
	board.until(t, func(v boardView) bool { return row(v, "Bob") == nil && row(v, "Ada") != nil })
	board.send(t, boardRequest{Clear: true})
	board.until(t, func(v boardView) bool { return len(v.Students) == 0 })
}

// The board itself needs the teacher code: the class code is not enough.
func TestClassBoardNeedsTeacherCode(t *testing.T) {
	ts := startServer(t, nil)
	for _, code := range []string{"", ts.class.code, "not-it"} {
		c := boardConn(t, ts.addr, code)
		e := readCheckEvent(t, c)
		if e.Type != "refused" || !strings.Contains(e.Reason, "teacher code") {
			t.Errorf("code %q: %+v", code, e)
		}
		wantClose(t, c, core.StatusPolicyViolation, "teacher code")
	}
}

// postReport posts a board report from ip, as `wsplay check -report`
// does, and returns the status and body.
func postReport(t *testing.T, ip, server, ctype string, body []byte) (int, string) {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	client := &http.Client{Timeout: testDeadline, Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return d.DialContext(ctx, network, addr)
		},
	}}
	resp, err := client.Post("http://"+server+"/class/report", ctype, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// `wsplay check -report` puts its stages on the board, marked
// self-reported; bad reports are refused with a status and a reason.
func TestClassReportFromCommandLine(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.ClassSize = 2; c.ClassCode = "abc-234" })
	board := watchBoard(t, ts.addr, ts.class.teacher)
	board.until(t, anyView)
	echo := "ws://" + ts.addr + "/ws/echo"

	code, _, errs := runCheck(t, "-large", "none", "-report", "http://"+ts.addr, "-nick", "Cli", "-code", "ABC234", echo)
	if code != 0 || !strings.Contains(errs, "on the class board as Cli (self-reported)") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	v := board.until(t, func(v boardView) bool { return row(v, "Cli") != nil })
	for _, st := range check.Stages {
		if m := row(v, "Cli").Stages[st.ID]; m.Status != "pass" || !m.Self {
			t.Errorf("Cli's %s: %+v, want pass, self-reported", st.ID, m)
		}
	}

	// The command refuses before running when the flags do not add up.
	for _, args := range [][]string{
		{"-report", "http://" + ts.addr, "-nick", "X", echo},
		{"-report", "http://" + ts.addr, "-code", "ABC234", echo},
		{"-nick", "X", "-code", "ABC234", echo},
		{"-report", "https://" + ts.addr, "-nick", "X", "-code", "ABC234", echo},
	} {
		if code, _, errs := runCheck(t, args...); code != 2 || !strings.Contains(errs, "-report") {
			t.Errorf("%q: exit %d, stderr %q", args, code, errs)
		}
	}
	// A wrong code: exit 1, the board's reason on stderr.
	if code, _, errs := runCheck(t, "-large", "none", "-run", "handshake.", "-report", "http://"+ts.addr, "-nick", "X", "-code", "XYZ789", echo); code != 1 ||
		!strings.Contains(errs, "403") || !strings.Contains(errs, "class's code") {
		t.Errorf("wrong code: exit %d, stderr %q", code, errs)
	}

	report := func(nick, code string, stages ...stageCount) []byte {
		b, _ := json.Marshal(classReport{Nick: nick, Code: code, Stages: stages})
		return b
	}
	ok := stageCount{Stage: "handshake", Pass: 5}
	for _, tc := range []struct {
		name, ip, ctype string
		body            []byte
		status          int
		want            string
	}{
		{"not JSON", "127.0.0.2", "text/plain", report("Dan", "ABC234", ok), 415, "application/json"},
		{"garbage", "127.0.0.2", "application/json", []byte("{"), 400, "wsplay check -report"},
		{"unknown field", "127.0.0.2", "application/json", []byte(`{"nick":"Dan","code":"ABC234","addr":"x"}`), 400, "wsplay check -report"},
		{"unknown stage", "127.0.0.2", "application/json", report("Dan", "ABC234", stageCount{Stage: "magic", Pass: 1}), 400, "unknown stage"},
		{"impossible counts", "127.0.0.2", "application/json", report("Dan", "ABC234", stageCount{Stage: "frames", Pass: -1, Fail: 3}), 400, "not possible"},
		{"too long", "127.0.0.2", "application/json", report(strings.Repeat("d", 40), "ABC234", ok), 400, "1 to 24"},
		{"someone else's name", "127.0.0.2", "application/json", report("CLI", "ABC234", ok), 409, "another machine"},
		{"accepted", "127.0.0.2", "application/json", report("Dan", "ABC234", ok), 200, `"nick":"Dan"`},
		{"board full", "127.0.0.3", "application/json", report("Eve", "ABC234", ok), 409, "-class-size"},
	} {
		status, body := postReport(t, tc.ip, ts.addr, tc.ctype, tc.body)
		if status != tc.status || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d %q, want %d with %q", tc.name, status, body, tc.status, tc.want)
		}
	}
	v = board.until(t, func(v boardView) bool { return row(v, "Dan") != nil })
	if m := row(v, "Dan").Stages["handshake"]; !m.Self || m.Pass != 5 || len(row(v, "Dan").Stages) != 1 {
		t.Errorf("Dan: %+v", row(v, "Dan"))
	}
	// A later run that reaches the next stage, not there yet, adds its
	// cell and keeps the first.
	if status, body := postReport(t, "127.0.0.2", ts.addr, "application/json",
		report("Dan", "ABC234", ok, stageCount{Stage: "frames", Fail: 1, NotYet: true})); status != 200 {
		t.Fatalf("Dan's second report: %d %s", status, body)
	}
	v = board.until(t, func(v boardView) bool { return row(v, "Dan") != nil && len(row(v, "Dan").Stages) == 2 })
	if m := row(v, "Dan").Stages["frames"]; m.Status != "not-yet" || m.Fail != 1 {
		t.Errorf("Dan's frames: %+v, want not-yet", m)
	}
}

// Reports and board logins are rate-limited per address: guessing the
// code is refused with 429 long before it could succeed.
func TestClassReportRate(t *testing.T) {
	ts := startServer(t, nil)
	body, _ := json.Marshal(classReport{Nick: "Mallory", Code: "WRONG1", Stages: []stageCount{{Stage: "handshake", Pass: 1}}})
	var last int
	for i := 0; i < classReportBurst+1; i++ {
		last, _ = postReport(t, "127.0.0.4", ts.addr, "application/json", body)
	}
	if last != http.StatusTooManyRequests {
		t.Fatalf("try %d: %d, want 429", classReportBurst+1, last)
	}
	// Another address is not held back.
	if status, _ := postReport(t, "127.0.0.5", ts.addr, "application/json", body); status != http.StatusForbidden {
		t.Fatalf("another address: %d, want 403", status)
	}
}
