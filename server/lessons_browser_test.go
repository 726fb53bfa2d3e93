//go:build !js

package main

// Browser tests of the lessons: a lesson's live widget (the playground's
// own module), its exercises checked by the WebAssembly core, the progress
// on /lessons/, the fallback without the core, and the print stylesheet.
// They share the helpers and the Chromium lookup of browser_test.go.

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

func TestLessonsBrowser(t *testing.T) {
	s := newBrowserSuite(t)

	t.Run("AcceptLesson", s.testAcceptLesson)
	t.Run("FrameLesson", s.testFrameLesson)
	t.Run("Progress", s.testLessonProgress)
	t.Run("WithoutCore", s.testLessonWithoutCore)
	t.Run("Print", s.testLessonPrint)
	t.Run("YourServerWidgets", s.testYourServerWidgets)
	t.Run("PhoneTables", s.testLessonTablesOnPhone)
	t.Run("FallbacksMatchWidgets", s.testFallbacksMatchWidgets)
}

// On a phone a lesson's wide table scrolls sideways: the file names and
// commands in it stay on one line ("00-start", "-stage handshake") instead
// of breaking inside a word.
func (s *browserSuite) testLessonTablesOnPhone(t *testing.T) {
	for _, lang := range []string{"en", "zh"} {
		ctx := s.blankTab(t)
		do(t, ctx, chromedp.EmulateViewport(390, 844))
		do(t, ctx, chromedp.Navigate(s.base+"lessons/your-server?lang="+lang))
		waitFor(t, ctx, `document.documentElement.dataset.ready === "true"`)
		broken := eval[[]string](t, ctx, `[...document.querySelectorAll(".lesson td code")]
			.filter(c => c.getClientRects().length > 1 || c.getBoundingClientRect().height > 1.6 * parseFloat(getComputedStyle(c).lineHeight || "20"))
			.map(c => c.textContent)`)
		if n := eval[int](t, ctx, `document.querySelectorAll(".lesson td code").length`); n < 8 {
			t.Fatalf("%s: %d code cells in the milestone table", lang, n)
		}
		if len(broken) > 0 {
			t.Errorf("%s: on a phone these table cells break inside a word: %q", lang, broken)
		}
	}
}

// The capstone embeds the page's own check and tap panels: in a lesson
// they grade and relay a real server (here wsplay's own /ws/echo).
func (s *browserSuite) testYourServerWidgets(t *testing.T) {
	ctx := s.lesson(t, "your-server")
	const c, tp = `.widget[data-widget=checker].widget-mounted `, `.widget[data-widget=tap].widget-mounted `
	waitFor(t, ctx, `document.querySelector('`+c+`[data-role=url]') && document.querySelector('`+tp+`input')`)
	if got := eval[string](t, ctx, `document.querySelector('`+c+`[data-role=url]').value`); got != "ws://127.0.0.1:3368/" {
		t.Errorf("the checker widget's URL is %q, want the lesson's ws://127.0.0.1:3368/", got)
	}
	echo := "ws://" + strings.TrimPrefix(strings.TrimSuffix(s.base, "/"), "http://") + "/ws/echo"
	setField(t, ctx, c+"[data-role=url]", echo)
	eval[chromedp.Void](t, ctx, `(() => { const s = document.querySelector('`+c+`[data-role=stage]'); s.value = "frames"; s.dispatchEvent(new Event("change")); })()`)
	click(t, ctx, c+"[data-role=run]")
	waitFor(t, ctx, `!document.querySelector('`+c+`[data-role=summary]').hidden`)
	if sum := text(t, ctx, c+"[data-role=summary]"); !strings.Contains(sum, "0 FAIL") {
		t.Errorf("the lesson's checker on /ws/echo, stage frames: %q", sum)
	}
	if fails := eval[int](t, ctx, `document.querySelectorAll('`+c+`[data-role=results] li[data-id] .verdict-tag.fail').length`); fails != 0 {
		t.Errorf("%d failed cases against wsplay's own echo", fails)
	}
}

// lesson opens a lesson and waits until lesson.js has set it up.
func (s *browserSuite) lesson(t *testing.T, slug string) context.Context {
	t.Helper()
	ctx := s.blankTab(t)
	do(t, ctx, chromedp.Navigate(s.base+"lessons/"+slug))
	waitFor(t, ctx, `document.documentElement.dataset.ready === "true"`)
	return ctx
}

// answer types an answer into exercise n of the page and submits it, then
// waits for the verdict and returns it with its class.
func answer(t *testing.T, ctx context.Context, n int, value string) (verdict, class string) {
	t.Helper()
	box := `document.querySelectorAll(".exercise")[` + strconv.Itoa(n) + `]`
	eval[chromedp.Void](t, ctx, `(() => { const b = `+box+`; const r = b.querySelector(".exercise-result");
		r.textContent = ""; r.className = "exercise-result";
		b.querySelector("input[name=answer]").value = `+jsString(value)+`;
		b.querySelector("button[type=submit]").click(); })()`)
	waitFor(t, ctx, box+`.querySelector(".exercise-result.right, .exercise-result.wrong, .exercise-result.unavailable")`)
	return eval[string](t, ctx, box+`.querySelector(".exercise-result").textContent`),
		eval[string](t, ctx, box+`.querySelector(".exercise-result").className`)
}

// acceptSHA1Hex is the SHA-1 step of the Accept computation, in hex: a
// learner's likely wrong answer.
func acceptSHA1Hex(key string) string {
	sum := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	return hex.EncodeToString(sum[:])
}

func (s *browserSuite) testAcceptLesson(t *testing.T) {
	ctx := s.lesson(t, "accept")
	// The widget is the playground's accept.js, mounted over the
	// server-rendered steps, and computes with the core.
	waitFor(t, ctx, `document.querySelector(".widget[data-widget=accept].widget-mounted [data-role=accept]")`)
	if got := text(t, ctx, ".widget-mounted [data-role=accept]"); got != rfcAccept {
		t.Fatalf("the widget shows %q, want %q", got, rfcAccept)
	}
	if eval[bool](t, ctx, `getComputedStyle(document.querySelector(".widget-mounted > .widget-fallback")).display !== "none"`) {
		t.Error("the fallback still shows under the mounted widget")
	}
	// Use it: another key, another Accept value.
	const key = "E4WSEcseoWr4csPLS2QJHA=="
	setField(t, ctx, ".widget-mounted [data-role=key]", key)
	waitFor(t, ctx, `document.querySelector(".widget-mounted [data-role=accept]").textContent === `+jsString(acceptOf(key)))

	// The exercise: a wrong answer says why, the right one is accepted.
	exKey := eval[string](t, ctx, `document.querySelector(".exercise").dataset.key`)
	verdict, class := answer(t, ctx, 0, "abc")
	if !strings.Contains(class, "wrong") || !strings.Contains(verdict, "28 characters") {
		t.Errorf("a wrong answer: %q (%s)", verdict, class)
	}
	sum := acceptSHA1Hex(exKey)
	if verdict, _ := answer(t, ctx, 0, sum); !strings.Contains(verdict, "SHA-1 digest written in hex") {
		t.Errorf("the digest in hex: %q", verdict)
	}
	verdict, class = answer(t, ctx, 0, acceptOf(exKey))
	if !strings.Contains(class, "right") || !strings.HasPrefix(verdict, "✓") {
		t.Fatalf("the right answer: %q (%s)", verdict, class)
	}
	waitFor(t, ctx, `document.querySelector("[data-progress-status].done")`)
	if got := text(t, ctx, "[data-progress-status]"); !strings.Contains(got, "Done") {
		t.Errorf("status: %q", got)
	}
	s.shot(t, ctx, "lesson-accept-solved")
}

func (s *browserSuite) testFrameLesson(t *testing.T) {
	ctx := s.lesson(t, "frame-anatomy")
	waitFor(t, ctx, `document.querySelector(".widget[data-widget=frame].widget-mounted")`)
	if got := text(t, ctx, ".widget-mounted"); !strings.Contains(got, "Hello") {
		t.Errorf("the frame widget does not show the text Hello: %.200q", got)
	}
	s.shot(t, ctx, "lesson-frame-anatomy")
	// Exercise 1: the opcode of a masked empty pong.
	if v, c := answer(t, ctx, 0, "0x9"); !strings.Contains(c, "wrong") {
		t.Errorf("0x9: %q (%s)", v, c)
	}
	if v, c := answer(t, ctx, 0, "pong"); !strings.Contains(c, "right") {
		t.Errorf("pong: %q (%s)", v, c)
	}
	// Exercise 2: build "Hi" unmasked. A length that does not match the
	// payload, then a masked frame, then the right one.
	if v, _ := answer(t, ctx, 1, "81 03 48 69"); !strings.Contains(v, "cut short") {
		t.Errorf("81 03 48 69: %q", v)
	}
	// A masked frame from a server: the core's rule, said once, and no
	// second wording of it.
	if v, _ := answer(t, ctx, 1, "81 82 00 00 00 00 48 69"); strings.Count(v, "§5.1") != 1 || strings.Count(v, "mask") != 1 {
		t.Errorf("masked: %q, want the core's masking rule once", v)
	}
	if v, c := answer(t, ctx, 1, "0x81, 0x02, 0x48, 0x69"); !strings.Contains(c, "right") {
		t.Errorf("81 02 48 69: %q (%s)", v, c)
	}
	waitFor(t, ctx, `document.querySelector("[data-progress-status].done")`)

	// The playground link opens the frame panel on the lesson's frame.
	href := eval[string](t, ctx, `document.querySelector(".playground-link a").getAttribute("href")`)
	if !strings.HasPrefix(href, "/#frame?hex=81%2085%2037") {
		t.Fatalf("playground link %q", href)
	}
	pg := s.tab(t, strings.TrimPrefix(href, "/"))
	waitFor(t, pg, `document.querySelector("[data-mount=frame] [data-role=payload-text]")?.textContent === "Hello"`)
}

func (s *browserSuite) testLessonProgress(t *testing.T) {
	ctx := s.blankTab(t)
	do(t, ctx, chromedp.Navigate(s.base+"lessons/"))
	waitFor(t, ctx, `document.documentElement.dataset.ready === "true"`)
	// The two lessons solved above, in the same browser profile.
	for _, slug := range []string{"accept", "frame-anatomy"} {
		if !eval[bool](t, ctx, `document.querySelector(`+jsString(`.course-item[data-slug="`+slug+`"]`)+`).classList.contains("done")`) {
			t.Errorf("%s is not marked done on /lessons/", slug)
		}
	}
	if eval[bool](t, ctx, `document.querySelector(".course-item[data-slug=handshake]").classList.contains("done")`) {
		t.Error("an unsolved lesson is marked done")
	}
	if got := text(t, ctx, "[data-course-progress]"); !strings.HasPrefix(got, "2 of ") {
		t.Errorf("progress: %q", got)
	}
	s.shot(t, ctx, "lesson-index")
	// On a shared computer, the progress can be forgotten.
	click(t, ctx, "[data-reset-progress]")
	if got := text(t, ctx, "[data-course-progress]"); !strings.HasPrefix(got, "0 of ") {
		t.Errorf("after the reset: %q", got)
	}
	if eval[string](t, ctx, `localStorage.getItem("wsplay.lessons.progress") ?? "gone"`) != "gone" {
		t.Error("the reset left the progress in localStorage")
	}
}

// testLessonWithoutCore: when the WebAssembly module cannot load, the
// widgets keep the server-rendered content and an exercise says it cannot
// be checked — nothing breaks.
func (s *browserSuite) testLessonWithoutCore(t *testing.T) {
	ctx := s.blankTab(t)
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	block := []*network.BlockPattern{{URLPattern: "*://*:*/static/wsplay.wasm", Block: true}}
	if _, err := chromedp.Call(ctx, network.SetBlockedURLs, network.SetBlockedURLsParams{URLPatterns: block}); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, chromedp.Navigate(s.base+"lessons/payload-length"))
	waitFor(t, ctx, `document.documentElement.dataset.ready === "true"`)
	if eval[int](t, ctx, `document.querySelectorAll(".widget-mounted").length`) != 0 {
		t.Error("a widget was mounted without the core")
	}
	if got := text(t, ctx, ".widget[data-widget=frame] .widget-fallback"); !strings.Contains(got, "256 more bytes needed") {
		t.Errorf("the fallback: %.300q", got)
	}
	if v, c := answer(t, ctx, 0, "1234"); !strings.Contains(c, "unavailable") || !strings.Contains(v, "did not load") {
		t.Errorf("without the core: %q (%s)", v, c)
	}
}

// testLessonPrint: printed, a lesson shows the server-rendered tables
// instead of the live widgets, and no navigation.
func (s *browserSuite) testLessonPrint(t *testing.T) {
	ctx := s.lesson(t, "accept")
	// The playground's large-text choice (a projector) applies here too.
	eval[chromedp.Void](t, ctx, `localStorage.setItem("wsplay.large", "1")`)
	do(t, ctx, chromedp.Reload())
	waitFor(t, ctx, `document.documentElement.dataset.ready === "true"`)
	if !eval[bool](t, ctx, `document.documentElement.classList.contains("large")`) {
		t.Error("large text is not applied on a lesson")
	}
	eval[chromedp.Void](t, ctx, `localStorage.removeItem("wsplay.large")`)
	waitFor(t, ctx, `document.querySelector(".widget-mounted")`)
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	checks := map[string]string{
		`getComputedStyle(document.querySelector(".widget-mounted > .widget-fallback")).display !== "none"`: "the fallback is hidden in print",
		`getComputedStyle(document.querySelector(".widget-live")).display === "none"`:                       "the live widget prints",
		`getComputedStyle(document.querySelector(".lesson-bar")).display === "none"`:                        "the navigation prints",
	}
	for expr, msg := range checks {
		if !eval[bool](t, ctx, expr) {
			t.Error(msg)
		}
	}
}
