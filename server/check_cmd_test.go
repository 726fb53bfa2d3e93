//go:build !js

package main

import (
	"bytes"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wsplay/check"
	"wsplay/check/testdata/naive"
	"wsplay/core"
)

// runCheck runs `wsplay check args...` and returns the exit code and output.
func runCheck(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(append([]string{"check"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

// The real /ws/echo, served by the real server, passes every case,
// including the default large sizes (1 MiB and 4 MiB).
func TestCheckCommandPassesAgainstEcho(t *testing.T) {
	ts := startServer(t, nil)
	code, out, errs := runCheck(t, "ws://"+ts.addr+"/ws/echo")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	for _, want := range []string{"wsplay check ws://" + ts.addr + "/ws/echo", "PASS handshake.accept", "PASS large.4MiB",
		"PASS chunks.frame", "Summary", "every case passed", " 0 failed"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("colour escapes in output that is not a terminal")
	}
}

func startNaive(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go naive.Serve(ln)
	return ln.Addr().String()
}

// Against the classic recipe the command exits 1, and -json and -html
// describe the same run; everything the HTML shows is escaped.
func TestCheckCommandFailsAgainstNaiveServer(t *testing.T) {
	addr := startNaive(t)
	htmlFile := filepath.Join(t.TempDir(), "report.html")
	url := "ws://" + addr + "/chat?<b>class</b>"
	code, out, errs := runCheck(t, "-json", "-html", htmlFile, "-timeout", "1s", "-large", "64KiB", url)
	if code != 1 {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	var rep check.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("-json output does not parse: %v\n%s", err, out)
	}
	if rep.Target != url || rep.Fail == 0 || rep.Pass == 0 || len(rep.Results) != len(check.Cases(check.Options{LargeSizes: []int{64 << 10}})) {
		t.Fatalf("report: target %q, %d passed, %d failed, %d results", rep.Target, rep.Pass, rep.Fail, len(rep.Results))
	}
	for _, r := range rep.Results {
		if r.ID == "frame.binary-125" && (r.Status != check.Fail || !strings.Contains(r.Lesson, "/lessons/frame-anatomy")) {
			t.Errorf("frame.binary-125: %+v", r)
		}
	}
	html, err := os.ReadFile(htmlFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<!doctype html>", "&lt;b&gt;class&lt;/b&gt;", "frame.binary-125", "FAIL", "/lessons/fragmentation"} {
		if !strings.Contains(string(html), want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if strings.Contains(string(html), "<b>class</b>") {
		t.Error("the target URL is not escaped in the HTML report")
	}
}

func TestCheckCommandUsage(t *testing.T) {
	code, _, errs := runCheck(t, "-help")
	if code != 0 {
		t.Fatalf("-help: exit %d", code)
	}
	for _, want := range []string{"-timeout", "-large", "-lessons", "-stage", "handshake, frames, masking, fragments, control, close, utf8, compression, all", "-run", "-json", "-html", "-allow-remote", "-strict", "-lang", "zh (Simplified Chinese)",
		"127.0.0.0/8", "192.168.0.0/16", "fc00::/7", "Exit status", "NO_COLOR"} {
		if !strings.Contains(errs, want) {
			t.Errorf("check -help lacks %q", want)
		}
	}
	for _, args := range [][]string{
		{},                                     // no URL
		{"ws://127.0.0.1:1/", "extra"},         // two URLs
		{"-timeout", "0", "ws://127.0.0.1:1/"}, // bad flag value
		{"-large", "12XB", "ws://127.0.0.1:1/"},
		{"-bogus"},
		{"http://127.0.0.1:1/"}, // not ws://
		{"-run", "no-such-case", "ws://" + startNaive(t) + "/"},
		{"-stage", "compress", "ws://127.0.0.1:1/"}, // not a stage
		{"-lang", "fr", "ws://127.0.0.1:1/"},        // not a language
	} {
		if code, out, errs := runCheck(t, args...); code != 2 || errs == "" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", args, code, out, errs)
		}
	}
	// The main help names the subcommand.
	var out, errb bytes.Buffer
	run([]string{"-help"}, &out, &errb)
	if !strings.Contains(errb.String(), "wsplay check") {
		t.Error("wsplay -help does not mention wsplay check")
	}
}

// A public address is refused before any connection is made: 192.0.2.1 is
// TEST-NET-1 (RFC 5737), and nothing is dialed.
func TestCheckCommandRefusesPublicAddress(t *testing.T) {
	code, out, errs := runCheck(t, "-timeout", "50ms", "ws://192.0.2.1:8080/")
	if code != 2 || !strings.Contains(errs, "192.0.2.1 is a public address") || !strings.Contains(errs, "-allow-remote") ||
		out != "" {
		t.Fatalf("exit %d\nstdout %q\nstderr %q", code, out, errs)
	}
}

// A WARN does not fail the run, unless -strict.
func TestCheckCommandStrict(t *testing.T) {
	url := "ws://" + startNaive(t) + "/"
	if code, out, _ := runCheck(t, "-run", "utf8.invalid", url); code != 0 || !strings.Contains(out, "WARN utf8.invalid") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if code, _, _ := runCheck(t, url, "-strict", "-run", "utf8.invalid"); code != 1 {
		t.Fatalf("-strict: exit %d", code)
	}
}

// -stage runs a stage and the ones before it and says what it did not try;
// a classic mistake is named once, at the top, before the case details.
func TestCheckCommandStages(t *testing.T) {
	ts := startServer(t, nil)
	code, out, errs := runCheck(t, "-stage", "handshake", "ws://"+ts.addr+"/ws/echo")
	if code != 0 || !strings.Contains(out, "Stage 1 of 8: Opening handshake") || strings.Contains(out, "Stage 2") ||
		!strings.Contains(out, "Not tried: frames, masking, fragments, control, close, utf8, compression") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}

	code, out, errs = runCheck(t, "-stage", "frames", "-large", "64KiB", "-timeout", "1s", "ws://"+startNaive(t)+"/")
	first, stage1 := strings.Index(out, "First, this: [cut-at-recv]"), strings.Index(out, "Stage 1 of 8")
	if code != 1 || first < 0 || stage1 < first || strings.Count(out, "First, this") != 1 ||
		!strings.Contains(out, "[byte-stream]") || !strings.Contains(out, "Not tried: masking,") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}

	code, _, errs = runCheck(t, "-stage", "compress", "ws://127.0.0.1:1/")
	if code != 2 || !strings.Contains(errs, `unknown -stage "compress"; the stages are handshake, frames, masking, fragments, control, close, utf8, compression, all`) {
		t.Fatalf("exit %d: %s", code, errs)
	}
}

// -lang zh: against the classic recipe, the report is in Chinese — titles,
// verdicts, explanations and rules, each rule with its id — in the text
// report and in -json, and the ids are those of -lang en.
func TestCheckCommandLanguage(t *testing.T) {
	addr := startNaive(t)
	reports := map[string]check.Report{}
	for _, lang := range []string{"en", "zh"} {
		code, out, errs := runCheck(t, "-json", "-lang", lang, "-timeout", "1s", "-large", "none", "-stage", "frames", "ws://"+addr+"/")
		if code != 1 {
			t.Fatalf("-lang %s: exit %d\n%s", lang, code, errs)
		}
		var rep check.Report
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("-lang %s: %v", lang, err)
		}
		if rep.Lang != lang {
			t.Errorf("report lang %q, want %q", rep.Lang, lang)
		}
		reports[lang] = rep
	}
	en, zh := reports["en"], reports["zh"]
	if len(en.Results) != len(zh.Results) || zh.Fail == 0 {
		t.Fatalf("%d results in English, %d in Chinese, %d failed", len(en.Results), len(zh.Results), zh.Fail)
	}
	for i, r := range zh.Results {
		e := en.Results[i]
		rule, ok := core.RuleByID(r.Rule.ID)
		if r.ID != e.ID || r.Rule.ID != e.Rule.ID || !ok {
			t.Errorf("%s: rule id %q in Chinese, %q in English", r.ID, r.Rule.ID, e.Rule.ID)
			continue
		}
		if r.Rule.Text != rule.ZH || e.Rule.Text != rule.Text || !hasHan(r.Title) {
			t.Errorf("%s: rule %q / %q, title %q", r.ID, r.Rule.Text, e.Rule.Text, r.Title)
		}
		if r.Status != check.Pass && (!hasHan(r.Got) || !hasHan(r.Explanation) || r.Got == e.Got) {
			t.Errorf("%s: got %q, explanation %q", r.ID, r.Got, r.Explanation)
		}
	}
	// The text report: the writer's own words and the rules in Chinese,
	// with their ids.
	_, out, _ := runCheck(t, "-lang", "zh", "-timeout", "1s", "-large", "none", "-stage", "frames", "ws://"+addr+"/")
	for _, r := range zh.Results {
		if r.Status == check.Fail {
			// The report wraps long lines: compare without the spaces.
			squash := func(s string) string { return strings.Join(strings.Fields(s), "") }
			if want := r.Rule.Text + " (" + r.Rule.Source + ") [" + r.Rule.ID + "]"; !strings.Contains(squash(out), squash(want)) {
				t.Errorf("the text report lacks %q:\n%s", want, out)
			}
			break
		}
	}
	for _, want := range []string{"小结", "规则:", "原因:"} {
		if !strings.Contains(out, want) {
			t.Errorf("the text report lacks %q:\n%s", want, out)
		}
	}
}

// -stage compression against wsplay's own /ws/echo, which compresses:
// every compression case passes on its merits; against the same server
// with -compress=false, they pass as "not offered", never failed.
func TestCheckCommandCompressionStage(t *testing.T) {
	for _, tc := range []struct {
		name     string
		compress bool
	}{{"compressing", true}, {"-compress=false", false}} {
		t.Run(tc.name, func(t *testing.T) {
			ts := startServer(t, func(c *Config) { c.Compress = tc.compress })
			code, out, errs := runCheck(t, "-stage", "compression", "-json", "ws://"+ts.addr+"/ws/echo")
			var rep check.Report
			if err := json.Unmarshal([]byte(out), &rep); code != 0 || err != nil {
				t.Fatalf("exit %d, %v\n%s\n%s", code, err, out, errs)
			}
			n := 0
			for _, r := range rep.Results {
				if r.Stage != "compression" {
					continue
				}
				n++
				notOffered := strings.Contains(r.Got, "not offered")
				declined := strings.Contains(r.Got, "declined")
				if r.Status != check.Pass || tc.compress && notOffered || !tc.compress && !notOffered && !declined {
					t.Errorf("%s: %s: %s", r.ID, r.Status, r.Got)
				}
			}
			if n != 16 {
				t.Errorf("%d compression cases ran", n)
			}
		})
	}
}
