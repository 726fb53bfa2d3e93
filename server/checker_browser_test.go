//go:build !js

package main

// The "Check my server" panel with stages, driven in Chromium as a learner
// would use it against a server that is only half written: one that
// answers the opening handshake and nothing after it.

import (
	"bufio"
	"io"
	"net"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"wsplay/check"
	"wsplay/core"
)

// startHandshakeOnly serves what a learner has after lessons 2-3: a
// correct opening handshake (refusals included), then it reads and never
// answers.
func startHandshakeOnly(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer nc.Close()
				br := bufio.NewReader(nc)
				req, err := core.ReadRequest(br, 0)
				if err != nil {
					return
				}
				if err := req.Validate(); err != nil {
					if he, ok := err.(*core.HandshakeError); ok {
						nc.Write(he.AppendErrorResponse(nil))
					}
					return
				}
				nc.Write(req.NewResponse(core.ResponseOptions{}).AppendResponse(nil))
				io.Copy(io.Discard, br)
			}()
		}
	}()
	return ln.Addr().String()
}

// The stage list of the page is check.Stages.
func TestCheckerStagesMatchGo(t *testing.T) {
	js, err := os.ReadFile("../site/static/widgets/checker.js")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`export const STAGES = \[([^\]]*)\]`).FindSubmatch(js)
	if m == nil {
		t.Fatal("checker.js has no STAGES list")
	}
	var ids []string
	for _, s := range check.Stages {
		ids = append(ids, `"`+s.ID+`"`)
	}
	if got := strings.Split(strings.ReplaceAll(string(m[1]), " ", ""), ","); !slices.Equal(got, ids) {
		t.Fatalf("checker.js STAGES %v, check.Stages %v", got, ids)
	}
}

func TestBrowserCheckerStages(t *testing.T) {
	s := newBrowserSuite(t)
	const w = `[data-mount=check] `
	addr := startHandshakeOnly(t)
	ctx := s.tab(t, "#check?url="+url.QueryEscape("ws://"+addr+"/"))
	defer eval[chromedp.Void](t, ctx, `localStorage.removeItem("wsplay.check.best"); localStorage.removeItem("wsplay.check.stage"); localStorage.removeItem("wsplay.lang")`)
	state := func(stage string) string {
		return eval[string](t, ctx, `document.querySelector('`+w+`[data-role=stages] [data-stage=`+stage+`]').dataset.state`)
	}
	runStage := func(stage string) {
		t.Helper()
		setField(t, ctx, w+"[data-role=stage]", stage)
		click(t, ctx, w+"[data-role=run]")
		waitFor(t, ctx, `!document.querySelector('`+w+`[data-role=summary]').hidden`)
	}
	fails := func() int {
		return eval[int](t, ctx, `document.querySelectorAll('`+w+`[data-role=results] li.fail').length`)
	}

	// Graded on the stage it has reached, the server passes cleanly.
	runStage("handshake")
	if st := state("handshake"); st != "passed" || state("frames") != "not-tried" || fails() != 0 ||
		!eval[bool](t, ctx, `document.querySelector('`+w+`[data-role=diagnosis]').hidden`) {
		t.Fatalf("stage handshake: %s, frames %s, %d failures", st, state("frames"), fails())
	}
	if nt := text(t, ctx, w+"[data-role=not-tried]"); !strings.Contains(nt, "frames, masking, fragments, control, close, utf8") {
		t.Errorf("not tried: %q", nt)
	}

	// Every stage: a kind "not yet" for frames, one failure, the later
	// stages not tried, and the diagnosis once at the top with its lesson.
	runStage("all")
	if state("handshake") != "passed" || state("frames") != "not-yet" || state("masking") != "not-tried" || fails() != 1 {
		t.Fatalf("all: handshake %s, frames %s, masking %s, %d failures", state("handshake"), state("frames"), state("masking"), fails())
	}
	diag := w + "[data-role=diagnosis]"
	if id := eval[string](t, ctx, `document.querySelector('`+diag+`').dataset.id`); id != check.DiagHandshakeOnly {
		t.Fatalf("diagnosis %q", id)
	}
	if d := text(t, ctx, diag); !strings.HasPrefix(d, "First, this: your server answers the handshake, but nothing comes back after it") {
		t.Errorf("diagnosis text %q", d)
	}
	if href := eval[string](t, ctx, `document.querySelector('`+diag+` a').href`); !strings.HasSuffix(href, "/lessons/frame-anatomy") {
		t.Errorf("diagnosis lesson %q", href)
	}
	row := w + `[data-role=results] li.fail`
	if st, href := text(t, ctx, row+" [data-role=status]"), eval[string](t, ctx, `document.querySelector('`+row+` details a').href`); st != "FAIL" || !strings.Contains(href, "/lessons/") {
		t.Errorf("the failure: %q, lesson %q", st, href)
	}
	if href := eval[string](t, ctx, `document.querySelector('`+w+`[data-role=scores] tr[data-stage=frames] a').href`); !strings.HasSuffix(href, "/lessons/frame-anatomy") {
		t.Errorf("the not-yet stage links %q", href)
	}
	if sum := text(t, ctx, w+"[data-role=summary]"); !strings.Contains(sum, "Everything your server does so far passes") ||
		!eval[bool](t, ctx, `document.querySelector('`+w+`[data-role=summary]').classList.contains("warn")`) {
		t.Errorf("a not-yet stage is not a wall of red: summary %q", sum)
	}
	s.shot(t, ctx, "6-check-stages-not-yet")

	// The English run's rule is the core's English text, with its id.
	if r := text(t, ctx, row+" [data-role=rule]"); !strings.HasPrefix(r, core.RuleLength7.Text) || !strings.HasSuffix(r, "[length-7]") {
		t.Errorf("the rule in English: %q", r)
	}

	// In Chinese: the row and the picker follow at once; the page sends
	// its language with the next run, and the server's words (title,
	// verdict, rule, explanation, diagnosis) come back in Chinese.
	eval[chromedp.Void](t, ctx, `(() => { const l = document.getElementById("lang"); l.value = "zh"; l.dispatchEvent(new Event("change")); })()`)
	if r := text(t, ctx, w+"[data-role=stages] [data-stage=frames]"); r != "2 帧与载荷长度 · 尚未实现" {
		t.Errorf("the row in Chinese: %q", r)
	}
	runStage("all")
	waitFor(t, ctx, `document.querySelector('`+diag+`').textContent.startsWith("先看这里：")`)
	if d := text(t, ctx, diag); !strings.Contains(d, "你的服务器回应了握手") {
		t.Errorf("diagnosis in Chinese %q", d)
	}
	if r := text(t, ctx, row+" [data-role=rule]"); !strings.HasPrefix(r, core.RuleLength7.ZH) || !strings.HasSuffix(r, "(RFC 6455 §5.2) [length-7]") {
		t.Errorf("the rule in Chinese: %q", r)
	}
	if title, why := text(t, ctx, row+" summary"), text(t, ctx, row+" details"); !hasHan(title) || !strings.Contains(why, "尚未实现") {
		t.Errorf("the failure in Chinese: title %q, details %q", title, why)
	}
	s.shot(t, ctx, "6-check-stages-zh")
	eval[chromedp.Void](t, ctx, `(() => { const l = document.getElementById("lang"); l.value = "en"; l.dispatchEvent(new Event("change")); })()`)

	// The best result per stage is remembered across a reload, and the
	// picker keeps the stage.
	do(t, ctx, chromedp.Reload())
	waitFor(t, ctx, `document.querySelector("#core-status.good") && document.querySelector('`+w+`[data-role=stages] [data-stage=handshake]')`)
	if best := eval[string](t, ctx, `document.querySelector('`+w+`[data-role=stages] [data-stage=handshake]').dataset.best`); best != "passed" {
		t.Errorf("best of handshake after a reload: %q", best)
	}
	if best := eval[string](t, ctx, `document.querySelector('`+w+`[data-role=stages] [data-stage=frames]').dataset.best`); best != "not-yet" {
		t.Errorf("best of frames after a reload: %q", best)
	}

	// Nothing listening: one clear message, not a failure per case.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	gone := ln.Addr().String()
	ln.Close()
	setField(t, ctx, w+"[data-role=url]", "ws://"+gone+"/")
	runStage("all")
	if d := text(t, ctx, diag); !strings.Contains(d, "nothing listens on "+gone+" — is your server started?") || fails() != 1 {
		t.Errorf("not listening: %q, %d failures", d, fails())
	}
}

// hasHan reports whether s has a Chinese character.
func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}
