//go:build !js

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"wsplay/check"
)

// The class board in a real browser: a student opts in from "Check my
// server" with a nickname and the class code, and the teacher's /class,
// opened from the link the server prints, shows the row live, in English
// and Chinese, with nicknames as text; a wrong teacher code gets the form.
func TestClassBoardBrowser(t *testing.T) {
	ts := startServer(t, nil)
	browser := startChromium(t, chromedp.WindowSize(1280, 900))
	base := "http://" + ts.addr
	const w = `[data-mount=check] `

	// The teacher opens the board from the printed link.
	board := newTab(t, browser)
	do(t, board, chromedp.Navigate(base+"/class#teacher="+ts.class.teacher))
	waitFor(t, board, `document.querySelector("#status.good")`)
	if h := eval[string](t, board, `location.href`); strings.Contains(h, ts.class.teacher) {
		t.Errorf("the teacher code stays in the address bar: %s", h)
	}
	if code := text(t, board, "#code"); code != ts.class.code {
		t.Errorf("the board shows the class code %q, want %q", code, ts.class.code)
	}
	if heads := eval[int](t, board, `document.querySelectorAll("#board-head th[data-stage]").length`); heads != len(check.Stages) {
		t.Errorf("%d stage columns, want %d", heads, len(check.Stages))
	}

	// A student opts in: nickname and code, typed once.
	student := newTab(t, browser)
	do(t, student, chromedp.Navigate(base+"/#check?url=ws://"+ts.addr+"/ws/echo"))
	waitFor(t, student, `document.querySelector('`+w+`[data-role=board-nick]')`)
	setField(t, student, w+"[data-role=board-nick]", "Ada")
	setField(t, student, w+"[data-role=board-code]", strings.ToLower(ts.class.code))
	click(t, student, w+"[data-role=run]")
	waitFor(t, student, `document.querySelector('`+w+`[data-role=board-status]:not([hidden])')`)
	if got := text(t, student, w+"[data-role=board-status]"); !strings.Contains(got, "on the class board as Ada") {
		t.Fatalf("the student's panel says %q", got)
	}
	// Live: the row appears without a reload, every stage passed.
	waitFor(t, board, `document.querySelector('tr[data-nick="Ada"]')`)
	if n := eval[int](t, board, `document.querySelectorAll('tr[data-nick="Ada"] .board-cell[data-status=pass]').length`); n != len(check.Stages) {
		t.Errorf("Ada passes %d stages on the board, want %d", n, len(check.Stages))
	}
	// Remembered: a reload keeps the nickname and the code.
	do(t, student, chromedp.Reload())
	waitFor(t, student, `document.querySelector('`+w+`[data-role=board-nick]')?.value === "Ada"`)

	// A self-reported row, whose nickname is markup: shown as text, marked.
	body, _ := json.Marshal(classReport{Nick: "<img src=x onerror=f()>", Code: ts.class.code,
		Stages: []stageCount{{Stage: "handshake", Pass: 4, Fail: 1}}})
	if status, answer := postReport(t, "127.0.0.2", ts.addr, "application/json", body); status != 200 {
		t.Fatalf("report: %d %s", status, answer)
	}
	waitFor(t, board, `document.querySelectorAll("#board-rows tr").length === 2`)
	if n := eval[int](t, board, `document.querySelectorAll("#board-rows img").length`); n != 0 {
		t.Error("a nickname was inserted as HTML")
	}
	if got := text(t, board, `#board-rows tr:nth-child(1) th`); got != "<img src=x onerror=f()>" {
		t.Errorf("the first row's nickname shows as %q", got)
	}
	if got := eval[string](t, board, `document.querySelector('#board-rows tr:nth-child(1) [data-self="1"]')?.dataset.status ?? ""`); got != "fail" {
		t.Errorf("the self-reported handshake cell is %q, want a marked fail", got)
	}

	shots := &browserSuite{shots: filepath.Join(os.TempDir(), "wsplay-screens")}
	os.MkdirAll(shots.shots, 0o755)
	shots.shot(t, board, "class-board")

	// Every word of the board and of the opt-in has its Chinese.
	missing, err := chromedp.Run(board, chromedp.Evaluate[[]string](`fetch("/static/words.json").then((r) => r.json()).then((c) => Object.keys(c.words)
		.filter((k) => (k.startsWith("class.") || k.startsWith("check.board") || k === "check.onBoard") && !c.words[k].zh))`, chromedp.EvalAwaitPromise))
	if err != nil || len(missing) > 0 {
		t.Errorf("no Chinese for %v (%v)", missing, err)
	}

	// 中文.
	eval[chromedp.Void](t, board, `(() => { const s = document.getElementById("lang"); s.value = "zh"; s.dispatchEvent(new Event("change")); })()`)
	waitFor(t, board, `document.querySelector("h1").textContent === "班级看板"`)
	if got := text(t, board, `#board-head th[data-stage=handshake]`); got != "握手" {
		t.Errorf("the handshake column in Chinese is %q", got)
	}
	eval[chromedp.Void](t, board, `(() => { const s = document.getElementById("lang"); s.value = "en"; s.dispatchEvent(new Event("change")); })()`)

	// The teacher removes a row with its button.
	click(t, board, `tr[data-nick="Ada"] button.remove`)
	waitFor(t, board, `!document.querySelector('tr[data-nick="Ada"]')`)

	// A wrong teacher code: the server's reason and the form.
	other := newTab(t, browser)
	do(t, other, chromedp.Navigate(base+"/class#teacher="+ts.class.code))
	waitFor(t, other, `document.querySelector("#status.bad") && !document.getElementById("login").hidden`)
	if got := text(t, other, "#status"); !strings.Contains(got, "not the teacher code") {
		t.Errorf("a wrong code shows %q", got)
	}
	if n := eval[int](t, other, `document.querySelectorAll("#board-rows tr").length`); n != 0 {
		t.Errorf("a wrong code shows %d rows", n)
	}
	// ... and typing the right one opens the board.
	setField(t, other, "#teacher", ts.class.teacher)
	eval[chromedp.Void](t, other, `document.getElementById("login").requestSubmit()`)
	waitFor(t, other, fmt.Sprintf(`document.querySelector("#status.good") && document.querySelectorAll("#board-rows tr").length === %d`, 1))
}
