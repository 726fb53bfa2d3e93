//go:build !js

package check

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

func sampleReport() *Report {
	rep := &Report{Target: "ws://127.0.0.1:1/<script>alert(1)</script>", Address: "127.0.0.1:1", Started: time.Unix(0, 0)}
	rep.Results = []Result{
		{ID: "frame.text-0", Category: "frames", Stage: "frames", Title: "t", Status: Pass, Rule: RuleRef{Text: "r", Source: "RFC 6455 §5.2"}, Lesson: "http://127.0.0.1:8080/lessons/payload-length"},
		{ID: "close.normal", Category: "close", Stage: "close", Title: "close", Status: Fail, Got: `the server closed with 1000 (reason "<b>bye</b>")`,
			Sent: "88 80", SentFrames: []string{"close frame"}, Rule: RuleRef{Text: "rule & more", Source: "RFC 6455 §5.5.1"},
			Explanation: "paragraph", Lesson: "http://127.0.0.1:8080/lessons/closing"},
		{ID: "utf8.invalid", Category: "utf8", Stage: "utf8", Title: "u", Status: Warn, Got: "echoed", Rule: RuleRef{Text: "r", Source: "RFC 6455 §8.1"}, Lesson: "x"},
	}
	rep.tally()
	rep.scoreStages(nil, "")
	return rep
}

func TestTally(t *testing.T) {
	rep := sampleReport()
	if rep.Pass != 1 || rep.Warn != 1 || rep.Fail != 1 || !rep.Failed() || len(rep.Scores) != 3 || rep.Scores[0].Category != "frames" {
		t.Fatalf("%+v", rep)
	}
}

func TestHTMLEscapesEverything(t *testing.T) {
	var b bytes.Buffer
	if err := WriteHTML(&b, sampleReport()); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	for _, bad := range []string{"<script>", "<b>bye</b>"} {
		if strings.Contains(html, bad) {
			t.Errorf("unescaped %q", bad)
		}
	}
	for _, want := range []string{"&lt;script&gt;", "&lt;b&gt;bye&lt;/b&gt;", "rule &amp; more", `href="http://127.0.0.1:8080/lessons/closing"`, "1 passed, 1 warning, 1 failed", "<style>"} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
}

func TestJSONRoundTrip(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSON(&b, sampleReport()); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Fail != 1 || back.Results[1].Status != Fail || back.Results[2].Status != Warn || back.Results[1].Rule.Source != "RFC 6455 §5.5.1" {
		t.Fatalf("%+v", back)
	}
	if !strings.Contains(b.String(), `"status": "FAIL"`) {
		t.Fatalf("status not by name: %s", b.String())
	}
}

func TestTextColourOnlyWhenAsked(t *testing.T) {
	for _, color := range []bool{false, true} {
		var b bytes.Buffer
		tw := &TextWriter{W: &b, Color: color}
		rep := sampleReport()
		tw.Start(rep.Target, time.Second)
		for _, r := range rep.Results {
			tw.Result(r)
		}
		tw.Summary(rep)
		out := b.String()
		if strings.Contains(out, "\x1b[") != color {
			t.Errorf("color %v: escapes %v", color, !color)
		}
		// A stage's line counts its warnings once ("1 warning", not
		// "1 1 warning").
		if strings.Contains(out, "1 1 warning") {
			t.Errorf("color %v: a count written twice in\n%s", color, out)
		}
		for _, want := range []string{"FAIL", "close.normal", "rule & more (RFC 6455 §5.5.1)", "lesson:", "1 passed, 1 warning, 1 failed"} {
			if !strings.Contains(out, want) {
				t.Errorf("color %v: lacks %q in\n%s", color, want, out)
			}
		}
	}
}

// A server that accepts connections and never answers is reported as
// hanging, within the time limit, case after case; one that is gone is
// reported as unreachable.
func TestHangAndGone(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		var held []net.Conn
		for {
			c, err := ln.Accept()
			if err != nil {
				for _, c := range held {
					c.Close()
				}
				return
			}
			held = append(held, c)
		}
	}()
	opts := Options{Timeout: 300 * time.Millisecond, Run: []string{"handshake.status", "frame.text-0", "close.normal"}}
	start := time.Now()
	rep, err := Run(context.Background(), "ws://"+ln.Addr().String()+"/", opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %v", d)
	}
	// The handshake hangs: the later stages, which start with it, are
	// not tried.
	if len(rep.Results) != 1 || rep.Fail != 1 || !strings.Contains(rep.Results[0].Got, "the server hangs") ||
		len(rep.NotTried) != len(Stages)-1 || rep.NotTried[0] != "frames" {
		t.Fatalf("%+v %v", rep.Results, rep.NotTried)
	}

	// Nothing listens: one clear message, not one failure per case.
	addr := ln.Addr().String()
	ln.Close()
	rep, err = Run(context.Background(), "ws://"+addr+"/", opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "nothing listens on " + addr + " — is your server started?"
	if len(rep.Results) != 1 || rep.Fail != 1 || !strings.HasPrefix(rep.Results[0].Got, want) ||
		rep.Results[0].Explanation != "" || !strings.HasSuffix(rep.Results[0].Lesson, "/lessons/your-server") ||
		rep.Diagnosis == nil || rep.Diagnosis.ID != DiagNotListening || !strings.HasPrefix(rep.Diagnosis.Text, want) {
		t.Fatalf("%+v %+v", rep.Results, rep.Diagnosis)
	}
}

// docs/check.md lists every case id, so that -run and the report can be
// looked up there.
func TestDocsListEveryCase(t *testing.T) {
	doc, err := os.ReadFile("../docs/check.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range Cases(Options{}) {
		id := c.ID
		if c.Category == "frames" && strings.HasPrefix(id, "frame.binary-") && id != "frame.binary-0" && id != "frame.binary-65536" {
			continue // listed as frame.binary-0 … frame.binary-65536
		}
		if !strings.Contains(string(doc), "`"+id+"`") {
			t.Errorf("docs/check.md does not list %s", id)
		}
	}
}

// Cancelling a run ends the case under way at once and drops it.
func TestCancelStopsAtOnce(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	rep, err := Run(ctx, "ws://"+ln.Addr().String()+"/", Options{Timeout: 10 * time.Second, Run: []string{"frame.text-0"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second || !rep.Interrupted || len(rep.Results) != 0 {
		t.Fatalf("%v, interrupted %v, %d results", d, rep.Interrupted, len(rep.Results))
	}
}
