//go:build !js

package examples_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"wsplay/check"
)

// prediction is what a lesson tells the learner they will see when they
// grade their server of the previous milestone with the lesson's stage:
// the case, its verdict, the rule it cites and a fragment of what
// `wsplay check` says the server did.
type prediction struct {
	id     string
	status check.Status
	rule   string
	got    string
}

// verdict is how a program does in the stage after its own, as the next
// lesson predicts: the stage's state in the report (check.StagePassed,
// StageFailing or StageNotYet), the diagnosis the report opens with ("" for
// none) and the cases it shows.
type verdict struct {
	stage string
	diag  string
	words string // what the lesson quotes of the diagnosis
	cases []prediction
}

// track is the build-your-own-server track of lessons/examples/track/, in
// order: the starter, then one milestone per stage. next is how the program
// fails the following stage, as the following lesson says.
var track = []struct {
	name  string // track/python/NAME.py and track/go/NAME/
	stage string // the stage it passes ("" for the starter)
	next  verdict
}{
	{"00-start", "", verdict{check.StageFailing, "", "", []prediction{
		{"handshake.status", check.Fail, "status-101", "nothing came within the time limit"},
	}}},
	{"01-handshake", "handshake", verdict{check.StageNotYet, check.DiagHandshakeOnly, "your server answers the handshake, but nothing comes back after it: it does not read frames yet", []prediction{
		{"frame.text-125", check.Fail, "length-7", "nothing came within the time limit"},
	}}},
	{"02-frames", "frames", verdict{check.StageNotYet, check.DiagEchoedMasked, "your server sends the payload back still masked", []prediction{
		{"masking.text", check.Fail, "unmask-payload", "exactly the masked bytes the check sent"},
	}}},
	{"03-masking", "masking", verdict{check.StageFailing, "", "", []prediction{
		{"fragments.text", check.Fail, "fragments-joined", "cut short after 7 bytes"},
		{"fragments.nested", check.Fail, "fragments-nested", "echoed it back"},
	}}},
	{"04-fragments", "fragments", verdict{check.StageFailing, "", "", []prediction{
		{"control.ping-between-fragments", check.Fail, "control-between-fragments", "closed the TCP connection while the check waited for the pong"},
		{"control.ping-126", check.Fail, "control-length", "control frames must have a payload length of 125 bytes or less"},
	}}},
	{"05-control", "control", verdict{check.StageNotYet, "", "", []prediction{
		{"close.normal", check.Fail, "close-reply", "closed the TCP connection while the check waited for a close frame"},
	}}},
	{"06-close", "close", verdict{check.StagePassed, "", "", []prediction{
		{"utf8.invalid", check.Warn, "invalid-utf8", "echoed the invalid UTF-8 back"},
	}}},
	{"07-utf8", "utf8", verdict{}},
}

// startTrack starts a program of the track in lang ("python" or "go") on a
// port of the system's choice, and returns its address.
func startTrack(t *testing.T, lang, name string) string {
	if lang == "python" {
		return start(t, python(t), filepath.Join("track", "python", name+".py"), "0")
	}
	return start(t, filepath.Join(trackBin, name), "0")
}

func stageIndex(id string) int {
	return slices.IndexFunc(check.Stages, func(s check.Stage) bool { return s.ID == id })
}

// testLargeSizes is the size of the check's large-message case here: large
// enough to arrive in many reads, small enough for a quick run.
var testLargeSizes = []int{128 << 10}

// runCheck runs wsplay's check as `wsplay check -stage STAGE` does, with
// short limits so that the whole track stays quick.
func runCheck(t *testing.T, addr string, opts check.Options) *check.Report {
	t.Helper()
	opts.LargeSizes = testLargeSizes
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rep, err := check.Run(ctx, "ws://"+addr+"/", opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestTrack grades every program of the track the way its lesson tells the
// learner to: each milestone passes its own stage and every stage before
// it, with no failure (and, from the close stage on, no warning either:
// the server now says why it fails a connection); and each program fails
// the next stage exactly as the next lesson predicts, case by case.
func TestTrack(t *testing.T) {
	for _, lang := range []string{"python", "go"} {
		for i, m := range track {
			t.Run(lang+"/"+m.name, func(t *testing.T) {
				t.Parallel()
				addr := startTrack(t, lang, m.name)
				if m.stage != "" {
					t.Run("passes -stage "+m.stage, func(t *testing.T) {
						gradeMilestone(t, addr, m.stage)
					})
				}
				if i+1 < len(track) {
					next := track[i+1].stage
					t.Run("fails -stage "+next+" as predicted", func(t *testing.T) {
						failsAsPredicted(t, addr, next, m.next)
					})
				}
			})
		}
	}
}

func gradeMilestone(t *testing.T, addr, stage string) {
	rep := runCheck(t, addr, check.Options{Stage: stage, Timeout: 5 * time.Second})
	last := stageIndex(stage)
	strict := last >= stageIndex("close")
	seen := map[string]bool{}
	var b strings.Builder
	tw := &check.TextWriter{W: &b}
	for _, r := range rep.Results {
		seen[r.Stage] = true
		if i := stageIndex(r.Stage); i < 0 || i > last {
			t.Errorf("%s: stage %q is not -stage %s or one before it", r.ID, r.Stage, stage)
		}
		if r.Status == check.Fail || strict && r.Status == check.Warn {
			tw.Result(r)
		}
	}
	if b.Len() > 0 {
		t.Errorf("-stage %s:\n%s", stage, b.String())
	}
	for _, s := range check.Stages[:last+1] {
		if !seen[s.ID] {
			t.Errorf("-stage %s ran no case of the stage %s", stage, s.ID)
		}
	}
	var later []string
	for _, s := range check.Stages[last+1:] {
		later = append(later, s.ID)
	}
	if !slices.Equal(rep.NotTried, later) {
		t.Errorf("NotTried = %q, want %q", rep.NotTried, later)
	}
}

func failsAsPredicted(t *testing.T, addr, stage string, v verdict) {
	want := v.cases
	if len(want) == 0 {
		t.Fatal("no prediction for the next stage")
	}
	// The stage's first case and the predicted ones (the earlier stages
	// are graded above, and a case that hangs costs its time limit). The
	// first case decides, as in a whole run, whether the stage is "not
	// yet": when it shows the feature missing, the rest are skipped.
	var ids []string
	for _, c := range check.Cases(check.Options{Stage: stage, LargeSizes: testLargeSizes}) {
		if c.Stage == stage {
			ids = append(ids, c.ID)
			break
		}
	}
	for _, p := range want {
		ids = append(ids, p.id)
	}
	rep := runCheck(t, addr, check.Options{Stage: stage, Run: ids, Timeout: time.Second})
	diag := ""
	if rep.Diagnosis != nil {
		diag = rep.Diagnosis.ID
	}
	if diag != v.diag || diag != "" && !strings.Contains(rep.Diagnosis.Text, v.words) {
		t.Errorf("the report opens with the diagnosis %q, the lesson says %q: %q", diag, v.diag, v.words)
	}
	if n := len(rep.Stages); n == 0 || rep.Stages[n-1].Stage != stage || rep.Stages[n-1].Status != v.stage {
		t.Errorf("stage scores %+v; the lesson says %s is %q", rep.Stages, stage, v.stage)
	}
	got := map[string]check.Result{}
	for _, r := range rep.Results {
		got[r.ID] = r
	}
	for _, p := range want {
		r, ok := got[p.id]
		switch {
		case !ok:
			t.Errorf("%s: not run by -stage %s", p.id, stage)
		case r.Stage != stage:
			t.Errorf("%s: in stage %q, the lesson says %q", p.id, r.Stage, stage)
		case r.Status != p.status || r.Rule.ID != p.rule || !strings.Contains(r.Got, p.got):
			t.Errorf("%s: %s, rule %q: %s\nthe lesson says: %s, rule %q: …%s…", p.id, r.Status, r.Rule.ID, r.Got, p.status, p.rule, p.got)
		}
	}
}

// TestClassicRecipeExperiment pins lesson 1's experiment: what
// `wsplay check -stage close` says about the classic recipe
// (python/naive_server.py): the diagnosis it opens with, and the table's
// rows.
func TestClassicRecipeExperiment(t *testing.T) {
	t.Parallel()
	addr := startPython(t, "naive_server.py")
	rows := []prediction{
		{"handshake.version", check.Fail, "version", "accepted the request with 101"},
		{"frame.text-126", check.Pass, "length-16", "came back unchanged"},
		// Cut at the size of one recv (rule byte-stream) or, if the
		// frame came in two reads, cut short (rule length-16).
		{"frame.text-65535", check.Fail, "", "came back"},
		{"frame.binary-125", check.Fail, "echo-opcode", "a text message of 125 bytes came back"},
		{"chunks.frame", check.Fail, "byte-stream", ""}, // the thread dies, or answers garbage
		{"fragments.text", check.Fail, "fragments-joined", "a text message"},
		{"control.ping", check.Fail, "pong-payload", "expected a pong; a text message of 17 bytes came instead"},
		{"close.normal", check.Fail, "close-reply", "expected a close frame in answer; a text message of 5 bytes came instead"},
	}
	rep := runCheck(t, addr, check.Options{Stage: "close", Timeout: time.Second})
	if rep.Diagnosis == nil || rep.Diagnosis.ID != check.DiagCutAtRecv || !strings.Contains(rep.Diagnosis.Text, "your server's replies stop at the size of one recv") {
		t.Errorf("diagnosis %+v; lesson 1 says the report opens with %s", rep.Diagnosis, check.DiagCutAtRecv)
	}
	got := map[string]check.Result{}
	for _, r := range rep.Results {
		got[r.ID] = r
	}
	for _, p := range rows {
		r, ok := got[p.id]
		if !ok || r.Status != p.status || p.rule != "" && r.Rule.ID != p.rule || !strings.Contains(r.Got, p.got) {
			t.Errorf("%s: %s, rule %q: %s\nlesson 1 says: %s, rule %q: …%s…", p.id, r.Status, r.Rule.ID, r.Got, p.status, p.rule, p.got)
		}
	}
}
