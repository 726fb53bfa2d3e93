//go:build !js

package autobahn

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"wsplay/core"
)

// wsplay's own echo (core.Upgrade + ReadLoop, as /ws/echo) gets every case
// of sections 1-7 and 10 OK or INFORMATIONAL, plus two timed 9.x cases, in
// well under 30 s. Sections 12 and 13, timed cases of 1000 compressed
// messages each like 9.x, take minutes: compression_test.go runs a sample.
func TestWsplayEchoPassesEveryCase(t *testing.T) {
	start := time.Now()
	rep, byID := run(t, startCoreEcho(t), "wsplay", nil, []string{"9.*", "12.*", "13.*"})
	elapsed := time.Since(start)
	t.Logf("%d cases without 9.x, 12.x, 13.x in %s: %v", len(rep.Results), elapsed, rep.Count())
	if elapsed > 30*time.Second {
		t.Errorf("the suite without 9.x, 12.x, 13.x took %s, over 30 s", elapsed)
	}
	if len(rep.Results) != 247 {
		t.Errorf("%d cases ran, want Autobahn's 247 of sections 1-7 and 10", len(rep.Results))
	}
	for _, r := range rep.Results {
		want := OK
		switch {
		case r.ID == "7.1.6" || strings.HasPrefix(r.ID, "7.13."):
			want = Informational
		}
		if r.Outcome != want {
			t.Errorf("%s: %s, want %s (%s | %s | %s)", r.ID, r.Summary(), want, r.Result, r.ResultClose, r.Broke)
		}
	}
	for _, tc := range []struct {
		id          string
		remoteCodes []int
		received    string
	}{
		{"1.1.1", []int{1000}, `[["message","",false]]`},
		{"5.1", []int{1002}, `[]`},
		{"6.4.1", []int{1007}, `[["timeout","A"]]`}, // failed at the 2nd frame: fail fast
		{"7.5.1", []int{1002, 1007}, `[]`},
		{"7.9.1", []int{1002}, `[]`},
	} {
		r := byID[tc.id]
		got, _ := json.Marshal(r.Received)
		if r.RemoteCloseCode == nil || !slices.Contains(tc.remoteCodes, *r.RemoteCloseCode) || string(got) != tc.received {
			t.Errorf("%s: close code %v, received %s; want one of %v and %s", tc.id, r.RemoteCloseCode, got, tc.remoteCodes, tc.received)
		}
	}
	// Received [timeout A] alone already shows the failure came at the
	// 2nd frame; the duration shows the first wait was kept.
	if d := byID["6.4.1"].Duration; d < 1000 {
		t.Errorf("6.4.1 took %d ms; it waits 1 s after the first frame", d)
	}
	// Two timed performance cases, with their sizes.
	_, perf := run(t, startCoreEcho(t), "wsplay", []string{"9.1.1", "9.7.1"}, nil)
	for _, id := range []string{"9.1.1", "9.7.1"} {
		if r := perf[id]; r.Outcome != OK || !r.ReportTime || r.Result == "" {
			t.Errorf("%s: %s: %s", id, r.Summary(), r.Result)
		}
	}
}

// An echo server built on github.com/coder/websocket: the framing, pings
// and fragments pass; it does not check UTF-8 (its own Autobahn run
// excludes 6.* and 7.5.1 for that reason, see docs/check.md), so the
// invalid-UTF-8 cases fail with the explanation of the rule.
func TestCoderWebsocketEcho(t *testing.T) {
	_, byID := run(t, startCoderEcho(t), "coder/websocket", []string{"1.*", "2.*", "5.*", "6.2.*", "6.3.1", "7.1.1", "7.5.1", "10.*"}, nil)
	for id, r := range byID {
		failing := id == "6.3.1" || id == "7.5.1"
		if !failing && r.Outcome != OK {
			t.Errorf("%s: %s (%s | %s)", id, r.Summary(), r.Result, r.ResultClose)
		}
	}
	r := byID["6.3.1"]
	if r.Outcome != Failed || r.BehaviorClose != Failed || r.Rule == nil || r.Rule.ID != core.RuleInvalidUTF8.ID ||
		r.Lesson != "http://127.0.0.1:8080/lessons/utf8" || r.Explanation == "" {
		t.Errorf("6.3.1: %s, rule %v, lesson %q: want FAILED by the wrong endpoint, with rule invalid-utf8 and the utf8 lesson", r.Summary(), r.Rule, r.Lesson)
	}
	// coder/websocket answers a close frame whose reason is not UTF-8 by
	// echoing that reason: the suite sees the rule broken.
	if r := byID["7.5.1"]; r.Outcome == OK || r.Rule == nil || r.Rule.ID != core.RuleCloseReasonUTF8.ID || r.Lesson != "http://127.0.0.1:8080/lessons/closing" {
		t.Errorf("7.5.1: %s, rule %v, lesson %q; want not OK, rule close-reason-utf8, the closing lesson", r.Summary(), r.Rule, r.Lesson)
	}
}

// The classic recipe (check's Go port and the course's Python file): it
// echoes short text, so its messages come back, but it knows no close
// handshake, no ping and no fragments. Each failure carries a rule, an
// explanation and a lesson link.
func TestClassicRecipe(t *testing.T) {
	cases := []string{"1.1.1", "2.1", "2.2", "5.3", "5.6"}
	for name, start := range map[string]func(testing.TB) string{"naive-go": startNaive, "naive-python": startNaivePython} {
		t.Run(name, func(t *testing.T) {
			_, byID := run(t, start(t), name, cases, nil)
			for _, id := range cases {
				r := byID[id]
				if r.Outcome != Failed || r.Rule == nil || r.Explanation == "" || !strings.HasPrefix(r.Lesson, "http://127.0.0.1:8080/lessons/") {
					t.Errorf("%s: %s, rule %v, lesson %q: want FAILED with a rule, an explanation and a lesson", id, r.Summary(), r.Rule, r.Lesson)
				}
			}
			if r := byID["1.1.1"]; r.Behavior != OK || r.BehaviorClose != Unclean {
				t.Errorf("1.1.1: %s; want the echo OK but the close UNCLEAN (the recipe has no closing handshake)", r.Summary())
			}
			for _, id := range []string{"2.1", "5.3"} {
				if r := byID[id]; r.Behavior != Failed {
					t.Errorf("%s: behavior %s; want FAILED (no pong, no joined fragments)", id, r.Behavior)
				}
			}
		})
	}
}

// -report writes Autobahn's index.json (agent → case → behavior,
// behaviorClose, duration, remoteCloseCode, reportfile), a JSON per case,
// and an HTML page with no script that explains the failures.
func TestReportDirectory(t *testing.T) {
	rep, _ := run(t, startNaive(t), "Naive Recipe/1.0", []string{"1.1.1", "12.1.1"}, nil)
	dir := t.TempDir()
	if err := WriteDir(dir, rep); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	var idx map[string]map[string]map[string]any
	if err := json.Unmarshal(raw, &idx); err != nil {
		t.Fatal(err)
	}
	e := idx["Naive Recipe/1.0"]["1.1.1"]
	for _, k := range []string{"behavior", "behaviorClose", "duration", "remoteCloseCode", "reportfile"} {
		if _, ok := e[k]; !ok {
			t.Errorf("index.json's entry for 1.1.1 lacks %q: %v", k, e)
		}
	}
	if e["reportfile"] != "naive_recipe_1_0_case_1_1_1.json" || e["behaviorClose"] != Unclean {
		t.Errorf("index.json's entry for 1.1.1: %v", e)
	}
	if idx["Naive Recipe/1.0"]["12.1.1"]["behavior"] != Unimplemented {
		t.Errorf("12.1.1 should be listed as UNIMPLEMENTED: %v", idx["Naive Recipe/1.0"]["12.1.1"])
	}
	var one map[string]any
	b, err := os.ReadFile(filepath.Join(dir, "naive_recipe_1_0_case_1_1_1.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &one); err != nil || one["id"] != "1.1.1" || one["wsplayLesson"] == nil {
		t.Errorf("case report: %v %s", err, b)
	}
	page, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	html := string(page)
	if strings.Contains(strings.ToLower(html), "<script") || !strings.Contains(html, "UNCLEAN") || !strings.Contains(html, "/lessons/") {
		t.Errorf("index.html should be script-free and explain the failure; got %d bytes", len(html))
	}
}

// The client suite: a client built on coder/websocket, driven the way
// Autobahn's client drivers do (getCaseCount, runCase for each, then
// updateReports), is graded with the same cases.
func TestClientSuiteWithCoderClient(t *testing.T) {
	cs, err := Select(Cases(), []string{"1.1.*", "2.*", "3.1", "5.*", "6.2.3", "6.3.1", "7.1.1", "7.9.1", "12.1.1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan []*Report, 1)
	fs := &FuzzingServer{Cases: cs, Addr: "test", OnUpdate: func(r []*Report) error { got <- r; return nil }}
	url := serveHTTP(t, fs)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := coderDriver(ctx, url, "coder-client", websocket.CompressionDisabled); err != nil {
		t.Fatal(err)
	}
	reps := <-got
	if len(reps) != 1 || reps[0].Agent != "coder-client" || !reps[0].IsServer || len(reps[0].Results) != len(cs) {
		t.Fatalf("reports: %d, first %+v, want %d results", len(reps), *reps[0], len(cs))
	}
	for _, r := range reps[0].Results {
		want := OK
		switch r.ID {
		case "6.3.1":
			want = Failed // the library does not check UTF-8
		case "12.1.1":
			want = Unimplemented // the client offers no compression
		}
		if r.Outcome != want {
			t.Errorf("%s: %s, want %s (%s | %s | %s)", r.ID, r.Summary(), want, r.Result, r.ResultClose, r.Broke)
		}
	}
}

func TestSelect(t *testing.T) {
	all := Cases()
	for _, tc := range []struct {
		include, exclude []string
		n                int
		first            string
	}{
		{nil, nil, 517, "1.1.1"},
		{[]string{"1.*"}, nil, 16, "1.1.1"},
		{[]string{"6.4.*"}, nil, 4, "6.4.1"},
		{[]string{"2.1"}, nil, 1, "2.1"},
		{nil, []string{"9.*", "12.*", "13.*"}, 247, "1.1.1"},
		{[]string{"5.*", "6.22.*"}, []string{"5.1*"}, 9 + 34, "5.2"},
	} {
		got, err := Select(all, tc.include, tc.exclude)
		if err != nil || len(got) != tc.n || got[0].ID != tc.first {
			t.Errorf("Select(%v, %v): %d cases from %v, %v; want %d from %s", tc.include, tc.exclude, len(got), firstID(got), err, tc.n, tc.first)
		}
	}
	if _, err := Select(all, []string{"[1"}, nil); err == nil {
		t.Error("a malformed pattern should be refused")
	}
	seen := map[string]bool{}
	for _, c := range all {
		if seen[c.ID] {
			t.Errorf("case id %s appears twice", c.ID)
		}
		seen[c.ID] = true
		if c.Description == "" || c.Expectation == "" {
			t.Errorf("%s has no description or expectation", c.ID)
		}
		if _, ok := explainer(c.checkID); !ok {
			t.Errorf("%s: its family %q is not a case of package check, so a failure would not be explained", c.ID, c.checkID)
		}
	}
}

func firstID(cs []Case) string {
	if len(cs) == 0 {
		return ""
	}
	return cs[0].ID
}

// The outcome folds Autobahn's two verdicts into one, for the exit status.
func TestOutcome(t *testing.T) {
	for _, tc := range []struct{ behavior, close, want string }{
		{OK, OK, OK},
		{OK, Failed, Failed},
		{OK, WrongCode, Failed},
		{OK, Unclean, Failed},
		{OK, FailedByClient, NonStrict},
		{NonStrict, OK, NonStrict},
		{Failed, OK, Failed},
		{Informational, Informational, Informational},
		{Unimplemented, Unimplemented, Unimplemented},
	} {
		if got := outcome(tc.behavior, tc.close); got != tc.want {
			t.Errorf("outcome(%s, %s) = %s, want %s", tc.behavior, tc.close, got, tc.want)
		}
	}
}

// Cases come in Autobahn's order: the client suite's case=N is the N-th.
func TestCasesInOrder(t *testing.T) {
	num := func(id string) []int {
		var out []int
		for _, p := range strings.Split(id, ".") {
			n, _ := strconv.Atoi(p)
			out = append(out, n)
		}
		return out
	}
	all := Cases()
	for i := 1; i < len(all); i++ {
		if slices.Compare(num(all[i-1].ID), num(all[i].ID)) >= 0 {
			t.Errorf("%s comes after %s", all[i].ID, all[i-1].ID)
		}
	}
}

// A server's status line reaches the text report escaped: a hostile one
// cannot clear the terminal or paint its own verdict.
func TestServerTextIsEscaped(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer nc.Close()
				core.ReadRequest(bufio.NewReader(nc), 0)
				io.WriteString(nc, "HTTP/1.1 403 No\x1b[2J\x1b[32mOK\u202e\r\n\r\n")
			}()
		}
	}()
	rep, byID := run(t, "ws://"+ln.Addr().String()+"/", "evil", []string{"1.1.1"}, nil)
	var b strings.Builder
	WriteText(&b, rep, true)
	if r := byID["1.1.1"]; r.Outcome != Failed || !strings.Contains(b.String(), `\x1b[2J`) {
		t.Fatalf("%s:\n%s", r.Summary(), b.String())
	}
	for _, bad := range []string{"\x1b", "\u202e"} {
		if strings.Contains(b.String(), bad) {
			t.Errorf("the text report contains %q:\n%s", bad, b.String())
		}
	}
}
