//go:build !js

package main

// Browser tests of the page as learners and teachers found it (issue 14):
// the language switch, the frame lab's receiver, cut-short frames, a phone
// and a projector, the rough edges, and the whole-session transcript. Each
// drives the real page in Chromium against the real server, as a user
// would, and reads what is on the screen.

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

func TestPageAsFound(t *testing.T) {
	s := newBrowserSuite(t)
	t.Run("Language", s.testPageLanguage)
	t.Run("Receiver", s.testReceiver)
	t.Run("CutShort", s.testCutShort)
	t.Run("PhoneAndProjector", s.testPhoneAndProjector)
	t.Run("RoughEdges", s.testRoughEdges)
	t.Run("Chat", s.testChatReconnect)
	t.Run("Transcript", s.testTranscript)
	t.Run("EveryPanelShows", s.testEveryPanelShows)
	t.Run("Screenshots", s.testScreenshots)
}

// Every tab opens a panel a learner can see: its section is a child of
// <main> (not nested in another panel, which would stay hidden with it)
// and takes room on the screen, its title and its widget included.
func (s *browserSuite) testEveryPanelShows(t *testing.T) {
	ctx := s.longTab(t, "")
	panels := eval[[]string](t, ctx, `[...document.querySelectorAll("nav.tabs a[data-panel]")].map(a => a.dataset.panel)`)
	if len(panels) < 8 {
		t.Fatalf("tabs %v", panels)
	}
	for _, p := range panels {
		do(t, ctx, chromedp.Navigate(s.base+"#"+p))
		waitFor(t, ctx, `!document.getElementById("panel-`+p+`").hidden`)
		got := eval[map[string]any](t, ctx, `(() => {
			const sec = document.getElementById("panel-`+p+`");
			const card = sec.querySelector("[data-mount]");
			return { parent: sec.parentElement.tagName,
				title: sec.querySelector("h2").getBoundingClientRect().height,
				card: card ? card.getBoundingClientRect().height : 0 };
		})()`)
		if got["parent"] != "MAIN" || got["title"].(float64) <= 0 || got["card"].(float64) <= 0 {
			t.Errorf("#%s: panel inside %v, title %vpx high, widget %vpx high; want a child of <main> that shows", p, got["parent"], got["title"], got["card"])
		}
	}
}

// longTab is tab (the page at fragment, the core loaded) for a subtest
// that does much in one tab: on a machine shared with other jobs, the 25 s
// of a plain tab are not always enough.
func (s *browserSuite) longTab(t *testing.T, fragment string) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(s.browser)
	t.Cleanup(cancel)
	ctx, cancelT := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(cancelT)
	do(t, ctx, chromedp.Navigate(s.base+fragment))
	waitFor(t, ctx, `document.querySelector("#core-status.good")`)
	return ctx
}

// evalAwait evaluates a JavaScript expression whose value is a promise.
func evalAwait[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// switchLang changes the language with the page's own select, as a user does.
func switchLang(t *testing.T, ctx context.Context, l string) {
	t.Helper()
	eval[chromedp.Void](t, ctx, fmt.Sprintf(`(() => { const s = document.getElementById("lang"); s.value = %q; s.dispatchEvent(new Event("change")); })()`, l))
}

// The language: the status line follows the switch, /?lang=zh opens the
// playground in Chinese, and a lesson opened with ?lang=zh has Chinese
// widgets in a browser whose language is English.
func (s *browserSuite) testPageLanguage(t *testing.T) {
	ctx := s.longTab(t, "#handshake")
	defer eval[chromedp.Void](t, ctx, `localStorage.removeItem("wsplay.lang")`)
	if got := text(t, ctx, "#core-status"); !strings.HasPrefix(got, "Core loaded") {
		t.Fatalf("status line %q before the switch", got)
	}
	switchLang(t, ctx, "zh")
	waitFor(t, ctx, `document.querySelector(".tabs a[data-panel=handshake]").textContent === "1 握手"`)
	if got := text(t, ctx, "#core-status"); !strings.HasPrefix(got, "核心已加载") {
		t.Errorf("after switching to Chinese the status line reads %q, want the core-ready line in Chinese", got)
	}
	switchLang(t, ctx, "en")
	waitFor(t, ctx, `document.querySelector(".tabs a[data-panel=handshake]").textContent === "1 Handshake"`)
	if got := text(t, ctx, "#core-status"); !strings.HasPrefix(got, "Core loaded") {
		t.Errorf("after switching back the status line reads %q", got)
	}

	// A link that names the language: a fresh browser context (nothing
	// remembered), English browser.
	do(t, ctx, chromedp.Navigate(s.base+"?lang=zh#frame"))
	waitFor(t, ctx, `document.querySelector("#core-status.good")`)
	if got := text(t, ctx, ".tabs a[data-panel=frame]"); got != "2 帧实验室" {
		t.Errorf("/?lang=zh shows the tab %q, want 2 帧实验室", got)
	}
	if got := eval[string](t, ctx, `document.getElementById("lang").value`); got != "zh" {
		t.Errorf("the language select shows %q on /?lang=zh", got)
	}
	// The switch wins over the address, and the address follows it.
	switchLang(t, ctx, "en")
	waitFor(t, ctx, `location.search === "?lang=en"`)

	// A lesson opened with ?lang=zh: its live widgets speak Chinese too.
	eval[chromedp.Void](t, ctx, `localStorage.setItem("wsplay.lang", "en")`)
	do(t, ctx, chromedp.Navigate(s.base+"lessons/accept?lang=zh"))
	waitFor(t, ctx, `document.querySelector(".widget[data-widget=accept].widget-mounted [data-role=accept]")`)
	if got := text(t, ctx, ".widget-mounted"); !strings.Contains(got, "随机值") || strings.Contains(got, "Random key") {
		t.Errorf("the lesson's widget in Chinese reads %.160q", got)
	}
}

// The receiver is an explicit, visible choice, and follows the bytes'
// context until the learner picks one.
func (s *browserSuite) testReceiver(t *testing.T) {
	// RFC 6455 §5.7: a single-frame unmasked text message, from a server.
	ctx := s.longTab(t, "#frame?hex=81%2005%2048%2065%206c%206c%206f")
	const w = `[data-mount=frame] `
	waitFor(t, ctx, `document.querySelector('`+w+`[data-role=payload-text]')?.textContent === "Hello"`)
	if cls := eval[string](t, ctx, `document.querySelector('`+w+`[data-role=verdict]').className`); !strings.Contains(cls, "ok") {
		t.Errorf("§5.7's unmasked Hello from a server: verdict %q (%s), want valid", text(t, ctx, w+"[data-role=verdict]"), cls)
	}
	if got := eval[string](t, ctx, `document.querySelector('`+w+`[data-role=receiver]').value`); got != "client" {
		t.Errorf("the receiver chosen for an unmasked frame is %q, want client", got)
	}
	if got := text(t, ctx, w+"[data-role=receiver-why]"); !strings.Contains(got, "MASK bit is 0") {
		t.Errorf("the receiver's reason reads %q", got)
	}
	// The learner picks the server: the same bytes break §5.1.
	eval[chromedp.Void](t, ctx, `(() => { const r = document.querySelector('`+w+`[data-role=receiver]'); r.value = "server"; r.dispatchEvent(new Event("change")); })()`)
	waitFor(t, ctx, `document.querySelector('`+w+`[data-role=problems]')?.textContent.includes("client must mask")`)
	waitFor(t, ctx, `location.hash.includes("receiver=server")`)

	// The builder: unchecking MASK keeps the sender a client, so the rule
	// shows; the sender is a visible choice.
	const b = `[data-mount=builder] `
	if got := eval[string](t, ctx, `document.querySelector('`+b+`[data-role=sender]').value`); got != "client" {
		t.Errorf("the builder's sender is %q, want client", got)
	}
	click(t, ctx, b+"[data-role=mask]")
	waitFor(t, ctx, `document.querySelector('`+b+`[data-role=built-hex]')?.textContent === "81 05 48 65 6c 6c 6f"`)
	waitFor(t, ctx, `document.querySelector('`+b+`[data-role=problems]')?.textContent.includes("client must mask")`)
	if got := text(t, ctx, b+"[data-role=receiver-text]"); !strings.Contains(got, "a server") {
		t.Errorf("the builder's frame view says it is read by %q", got)
	}
	// A server's frame: MASK goes off by itself, and the frame is valid.
	eval[chromedp.Void](t, ctx, `(() => { const r = document.querySelector('`+b+`[data-role=sender]'); r.value = "server"; r.dispatchEvent(new Event("change")); })()`)
	waitFor(t, ctx, `document.querySelector('`+b+`[data-role=verdict]')?.classList.contains("ok")`)
}

// A frame cut short says exactly what is missing, and is neither valid nor
// invalid; the diagram lights the rows of the length form in use; a key
// without its padding is reported.
func (s *browserSuite) testCutShort(t *testing.T) {
	ctx := s.longTab(t, "#frame?hex=81%2085")
	const w = `[data-mount=frame] `
	waitFor(t, ctx, `document.querySelector('`+w+`[data-role=incomplete]')`)
	if got := eval[string](t, ctx, `document.querySelector('`+w+`[data-role=incomplete]').dataset.missing`); got != "9" {
		t.Errorf("81 85 needs %s more bytes, want 9", got)
	}
	v := text(t, ctx, w+"[data-role=verdict]")
	for _, want := range []string{"9 more bytes", "4 of Masking-key", "5 of Payload Data", "neither valid nor invalid"} {
		if !strings.Contains(v, want) {
			t.Errorf("the verdict on 81 85 lacks %q: %q", want, v)
		}
	}
	if strings.Contains(v, "A valid frame") || strings.Contains(v, "Invalid") {
		t.Errorf("a cut-short frame is called valid or invalid: %q", v)
	}
	// In Chinese, with Chinese punctuation.
	switchLang(t, ctx, "zh")
	waitFor(t, ctx, `document.querySelector('`+w+`[data-role=incomplete]').textContent.includes("还需要 9 个字节")`)
	if got := text(t, ctx, w+"[data-role=incomplete]"); !strings.Contains(got, "Masking-key 4 个，Payload Data 5 个。") {
		t.Errorf("in Chinese the missing bytes read %q", got)
	}
	switchLang(t, ctx, "en")
	eval[chromedp.Void](t, ctx, `localStorage.removeItem("wsplay.lang")`)

	// Typing more bytes counts down, never up.
	for _, c := range []struct{ hex, missing string }{
		{"81 85 37 fa", "7"}, {"81 85 37 fa 21 3d 7f 9f", "3"}, {"81", "at least"},
		{"81 fe 00", "at least"}, {"81 fe 00 7e 37 fa 21 3d", "126"},
	} {
		setField(t, ctx, w+"[data-role=hex]", c.hex)
		waitFor(t, ctx, `document.querySelector('`+w+`[data-role=incomplete]')`)
		got := text(t, ctx, w+"[data-role=incomplete]")
		if !strings.Contains(got, c.missing) {
			t.Errorf("%s: %q lacks %q", c.hex, got, c.missing)
		}
	}

	// A 16-bit length (126): the 16 bits of the first row are the field,
	// the 64-bit continuation rows are not.
	payload := strings.TrimSpace(strings.Repeat("41 ", 126))
	setField(t, ctx, w+"[data-role=hex]", "81 7e 00 7e "+payload)
	waitFor(t, ctx, `document.querySelector('`+w+`[data-role=verdict]')?.classList.contains("ok")`)
	eval[chromedp.Void](t, ctx, `document.querySelector('`+w+`[data-role=bytes] [data-field="Extended payload length"]').dispatchEvent(new PointerEvent("pointerover", {bubbles: true}))`)
	lit := eval[[]string](t, ctx, `[...document.querySelectorAll('`+w+`[data-role=diagram] .hl')].map(c => c.textContent)`)
	if len(lit) != 1 || !strings.Contains(lit[0], "(16/64)") {
		t.Errorf("a 16-bit length lights the diagram cells %q, want only the first row's 16 bits", lit)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('`+w+`[data-role=diagram] .ext64:not(.absent)').length`); n != 0 {
		t.Errorf("%d 64-bit length cells are drawn as present for a 16-bit length", n)
	}
	// A 64-bit length lights all three.
	setField(t, ctx, w+"[data-role=hex]", "82 7f 00 00 00 00 00 01 00 00")
	waitFor(t, ctx, `document.querySelector('`+w+`[data-role=incomplete]')`)
	eval[chromedp.Void](t, ctx, `document.querySelector('`+w+`[data-role=bytes] [data-field="Extended payload length"]').dispatchEvent(new PointerEvent("pointerover", {bubbles: true}))`)
	if n := eval[int](t, ctx, `document.querySelectorAll('`+w+`[data-role=diagram] .hl').length`); n != 3 {
		t.Errorf("a 64-bit length lights %d diagram cells, want 3", n)
	}

	// The RFC key without its "==": reported, and not read as a key.
	do(t, ctx, chromedp.Navigate(s.base+"#handshake?key=dGhlIHNhbXBsZSBub25jZQ"))
	waitFor(t, ctx, `document.querySelector("[data-mount=accept] [data-role=padding]")`)
	if got := text(t, ctx, "[data-mount=accept] [data-role=key-problem]"); !strings.Contains(got, "22 characters") || !strings.Contains(got, "padding") {
		t.Errorf("the unpadded key's problem reads %q", got)
	}
	if got := text(t, ctx, "[data-mount=accept] [data-role=key-bytes-count]"); !strings.Contains(got, "15") || !strings.Contains(got, "16") {
		t.Errorf("step 1 for the unpadded key reads %q, want 15 bytes read and 16 needed", got)
	}
}

// On a desktop, a 390×844 phone and a 1024×768 projector in large text: the active
// tab in view, the diagram's 32 bits on screen, nothing wider than the
// screen, and the header well under a third of it.
func (s *browserSuite) testPhoneAndProjector(t *testing.T) {
	for _, c := range []struct {
		name          string
		width, height int64
		large         bool
	}{
		{"desktop", 1280, 800, false},
		{"phone", 390, 844, false},
		{"projector", 1024, 768, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := s.longTab(t, "#handshake")
			do(t, ctx, chromedp.EmulateViewport(c.width, c.height))
			eval[chromedp.Void](t, ctx, fmt.Sprintf(`localStorage.setItem("wsplay.large", %q)`, map[bool]string{true: "1", false: "0"}[c.large]))
			defer eval[chromedp.Void](t, ctx, `localStorage.removeItem("wsplay.large")`)
			for _, panel := range []string{"handshake", "frame", "mask", "wire", "chat", "check", "transcript"} {
				// A new query makes it a new page load (a new hash alone would not).
				do(t, ctx, chromedp.Navigate(s.base+"?at="+panel+"#"+panel))
				waitFor(t, ctx, `document.querySelector("#core-status.good") && document.querySelector(".tabs a[aria-current]")`)
				r := eval[map[string]float64](t, ctx, `(() => { const a = document.querySelector(".tabs a[aria-current]").getBoundingClientRect();
					const h = document.querySelector("#panel-`+panel+` > h2").getBoundingClientRect();
					return {left: a.left, right: a.right, top: a.top, bottom: a.bottom, h2: h.top + scrollY, width: document.documentElement.scrollWidth}; })()`)
				if r["left"] < 0 || r["right"] > float64(c.width) || r["bottom"] > float64(c.height) {
					t.Errorf("%s: the active tab is at %v–%v px of a %d px screen", panel, r["left"], r["right"], c.width)
				}
				if r["width"] > float64(c.width) {
					t.Errorf("%s: the page is %v px wide on a %d px screen", panel, r["width"], c.width)
				}
				if limit := float64(c.height) / 3; r["h2"] > limit {
					t.Errorf("%s: the panel's title starts at %v px: the header takes more than a third of the %d px screen", panel, r["h2"], c.height)
				}
			}
			do(t, ctx, chromedp.Navigate(s.base+"?at=diagram#frame?hex=81%20fe%2000%207e"))
			waitFor(t, ctx, `document.querySelector("[data-mount=frame] [data-role=diagram]")`)
			d := eval[map[string]float64](t, ctx, `(() => { const g = document.querySelector("[data-mount=frame] [data-role=diagram]");
				const nos = [...g.querySelectorAll(".bitno")]; const last = nos[nos.length - 1].getBoundingClientRect();
				return {right: last.right, scroll: g.scrollWidth, client: g.clientWidth, fig: g.parentElement.scrollWidth - g.parentElement.clientWidth}; })()`)
			if d["right"] > float64(c.width) || d["scroll"] > d["client"]+1 || d["fig"] > 1 {
				t.Errorf("the bit diagram does not fit: bit 31 ends at %v px of %d, scroll %v > %v", d["right"], c.width, d["scroll"], d["client"])
			}
			// Every tab can be reached: none is clipped by the tab bar.
			clipped := eval[[]string](t, ctx, `(() => { const bar = document.querySelector(".tabs"); const b = bar.getBoundingClientRect();
				if (bar.scrollWidth > bar.clientWidth) return []; // a row that scrolls: checked above, tab by tab
				return [...bar.querySelectorAll("a")].filter(a => { const r = a.getBoundingClientRect(); return r.right > b.right + 1 || r.left < b.left - 1; }).map(a => a.textContent); })()`)
			if len(clipped) > 0 {
				t.Errorf("tabs cut off: %q", clipped)
			}
		})
	}
}

// contrast is the WCAG contrast ratio of two "rgb(r, g, b)" colours.
func contrast(t *testing.T, a, b string) float64 {
	t.Helper()
	lum := func(c string) float64 {
		var r, g, bl float64
		if _, err := fmt.Sscanf(strings.ReplaceAll(strings.TrimPrefix(strings.TrimPrefix(c, "rgba("), "rgb("), ",", ""), "%f %f %f", &r, &g, &bl); err != nil {
			t.Fatalf("colour %q: %v", c, err)
		}
		ch := func(v float64) float64 {
			v /= 255
			if v <= 0.03928 {
				return v / 12.92
			}
			return math.Pow((v+0.055)/1.055, 2.4)
		}
		return 0.2126*ch(r) + 0.7152*ch(g) + 0.0722*ch(bl)
	}
	la, lb := lum(a), lum(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// The rough edges a learner and a teacher ran into.
func (s *browserSuite) testRoughEdges(t *testing.T) {
	ctx := s.longTab(t, "#handshake")
	// The lessons' ?lang=zh below is remembered as a choice; forget it.
	defer eval[chromedp.Void](t, ctx, `localStorage.removeItem("wsplay.lang")`)

	// A newcomer finds the way to lesson 1.
	href := eval[string](t, ctx, `document.querySelector("[data-role=start-lesson]").getAttribute("href")`)
	if status := evalAwait[int](t, ctx, `fetch(`+jsString(href)+`).then(r => r.status)`); href != "/lessons/why-websocket" || status != 200 {
		t.Errorf("the newcomer's link goes to %q (%d)", href, status)
	}

	// The live handshake says which head was sent and which received, and
	// draws its line ends without the ␍␊ glyphs.
	click(t, ctx, "[data-mount=handshake] [data-role=live-connect]")
	waitFor(t, ctx, `document.querySelector("[data-mount=handshake] [data-role=live-request]")`)
	if a, b := text(t, ctx, "[data-role=request-dir]"), text(t, ctx, "[data-role=response-dir]"); a != "Sent" || b != "Received" {
		t.Errorf("the heads are labelled %q and %q, want Sent and Received", a, b)
	}
	if got := text(t, ctx, "[data-role=live-request] .crlf"); got != "CRLF" {
		t.Errorf("a line end reads %q, want the letters CR LF drawn in boxes", got)
	}
	if strings.ContainsAny(text(t, ctx, "[data-mount=handshake]"), "␍␊") {
		t.Error("the handshake still uses the ␍␊ glyphs, which need a font")
	}

	// No literal backticks in any text of the page, in either language.
	if bad := evalAwait[[]string](t, ctx, `import("/static/catalog.js").then(m => m.keys().flatMap(k => m.LANGUAGES.filter(l => m.text(l, k).includes("`+"`"+`")).map(l => l + ":" + k)))`); len(bad) > 0 {
		t.Errorf("strings with backticks: %q", bad)
	}

	// Errors say what is wrong, in the learner's terms, without the
	// bridge's internal names.
	do(t, ctx, chromedp.Navigate(s.base+"#mask?key=zz&payload=Hi"))
	waitFor(t, ctx, `!document.querySelector("[data-mount=mask] [data-role=error]").hidden`)
	if got := text(t, ctx, "[data-mount=mask] [data-role=error]"); strings.Contains(got, "wsplay.") || strings.Contains(got, "maskSteps") || !strings.HasPrefix(got, "Masking key") {
		t.Errorf("the masking key's error reads %q", got)
	}
	setField(t, ctx, "[data-mount=builder] [data-role=key]", "12 3")
	waitFor(t, ctx, `!document.querySelector("[data-mount=builder] [data-role=error]").hidden`)
	if got := text(t, ctx, "[data-mount=builder] [data-role=error]"); strings.Contains(got, "wsplay.") || strings.Contains(got, "buildFrame") {
		t.Errorf("the builder's error reads %q", got)
	}

	// A 300-byte frame adds a handful of tab stops, not a hundred.
	do(t, ctx, chromedp.Navigate(s.base+"?at=300#frame?hex=82%207e%2001%202c%20"+strings.Repeat("00%20", 299)+"00&receiver=client"))
	waitFor(t, ctx, `document.querySelector("[data-mount=frame] [data-role=fields]")`)
	if n := eval[int](t, ctx, `[...document.querySelectorAll("[data-mount=frame] .frame-out *")].filter(e => e.tabIndex >= 0 && !e.disabled).length`); n > 20 {
		t.Errorf("a 300-byte frame puts %d tab stops before the builder", n)
	}

	// The focus ring has at least 3:1 contrast against the page.
	do(t, ctx, chromedp.KeyEvent("\t"))
	ring := eval[map[string]string](t, ctx, `(() => { const e = document.activeElement; const s = getComputedStyle(e);
		return {color: s.outlineColor, style: s.outlineStyle, bg: getComputedStyle(document.body).backgroundColor, tag: e.tagName}; })()`)
	if ring["style"] == "none" {
		t.Errorf("no focus ring on %s", ring["tag"])
	} else if c := contrast(t, ring["color"], "rgb(255, 255, 255)"); c < 3 {
		t.Errorf("the focus ring %s has contrast %.2f:1 against white, want ≥ 3", ring["color"], c)
	} else if c := contrast(t, ring["color"], ring["bg"]); c < 3 {
		t.Errorf("the focus ring %s has contrast %.2f:1 against the page %s", ring["color"], c, ring["bg"])
	}

	// The browser's own close frame shows in the live wire.
	do(t, ctx, chromedp.Navigate(s.base+"#wire"))
	click(t, ctx, "[data-mount=echo] [data-role=connect]")
	waitFor(t, ctx, `!document.querySelector("[data-mount=echo] [data-role=send-text]").disabled`)
	click(t, ctx, "[data-mount=echo] [data-role=send-text]")
	waitFor(t, ctx, `document.querySelector("[data-mount=echo] [data-role=frame-row][data-from=server]")`)
	click(t, ctx, "[data-mount=echo] [data-role=close]")
	waitFor(t, ctx, `document.querySelector("[data-mount=echo] [data-role=frame-row][data-from=client][data-opcode=close]")`)
	click(t, ctx, "[data-mount=echo] [data-role=frame-row][data-from=client][data-opcode=close]")
	if got := text(t, ctx, "[data-mount=echo] [data-role=rebuilt-note]"); !strings.Contains(got, "Your browser's close frame") {
		t.Errorf("the browser's close frame is explained as %q", got)
	}
	if got := text(t, ctx, "[data-mount=echo] [data-role=detail] [data-role=payload-text]"); got != "" && !strings.Contains(got, "bye") {
		t.Errorf("the browser's close frame payload reads %q", got)
	}

	// Printing prints the panel on screen, not the six others.
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	shown := eval[[]string](t, ctx, `[...document.querySelectorAll(".panel, .top, .tabs, .newcomer")].filter(e => getComputedStyle(e).display !== "none").map(e => e.id || e.className)`)
	if strings.Join(shown, " ") != "panel-wire" {
		t.Errorf("printing shows %q, want the live wire panel only", shown)
	}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: ""}); err != nil {
		t.Fatal(err)
	}

	// The lessons index numbers its lessons once, 1 to n, in both languages.
	for _, q := range []string{"", "?lang=zh"} {
		do(t, ctx, chromedp.Navigate(s.base+"lessons/"+q))
		waitFor(t, ctx, `document.documentElement.dataset.ready === "true"`)
		got := eval[map[string]int](t, ctx, `(() => { const ol = document.querySelector("ol.course"); const items = [...ol.children];
			return {items: items.length, lessons: items.filter(li => li.matches(".course-item") && getComputedStyle(li).display === "list-item").length,
			  start: ol.start, numbered: items.filter(li => /^\s*\d/.test(li.querySelector(".course-title").textContent)).length}; })()`)
		if got["items"] != got["lessons"] || got["start"] != 1 || got["numbered"] != 0 || got["items"] < 10 {
			t.Errorf("lessons/%s: the course list is %v: want every item a numbered lesson from 1, titles without their own numbers", q, got)
		}
	}
}

// The chat: a reconnect does not show the history twice, and a page that
// left shows no online count.
func (s *browserSuite) testChatReconnect(t *testing.T) {
	ctx := s.longTab(t, "#chat?nick=Rejoin")
	const c = `[data-mount=chat] `
	click(t, ctx, c+"[data-role=join]")
	waitFor(t, ctx, `!document.querySelector('`+c+`[data-role=message]').disabled`)
	setField(t, ctx, c+"[data-role=message]", "only once")
	click(t, ctx, c+"[data-role=send]")
	count := `[...document.querySelectorAll('` + c + `[data-role=chat-text]')].filter(e => e.textContent === "only once").length`
	waitFor(t, ctx, count+` === 1`)
	waitFor(t, ctx, `/^\d+ /.test(document.querySelector('`+c+`[data-role=online]').textContent)`)
	click(t, ctx, c+"[data-role=join]") // leave
	waitFor(t, ctx, `document.querySelector('`+c+`[data-role=message]').disabled`)
	if got := text(t, ctx, c+"[data-role=online]"); got != "" {
		t.Errorf("after leaving the room still shows %q", got)
	}
	click(t, ctx, c+"[data-role=join]") // join again: the history replays
	waitFor(t, ctx, `!document.querySelector('`+c+`[data-role=message]').disabled && document.querySelector('`+c+`[data-role=online]').textContent !== ""`)
	waitFor(t, ctx, count+` >= 1`)
	if n := eval[int](t, ctx, count); n != 1 {
		t.Errorf("after a reconnect the message shows %d times", n)
	}
}

// transcriptJSON is the session as the page saves it.
type transcriptJSON struct {
	Format   string `json:"format"`
	Request  string `json:"request"`
	Response string `json:"response"`
	Records  []struct {
		Direction string `json:"direction"`
		Hex       string `json:"hex"`
		Rebuilt   string `json:"rebuilt"`
	} `json:"records"`
}

// The whole-session transcript: a real session recorded, every byte of
// every frame explained exactly once, deep links, Chinese, the files.
func (s *browserSuite) testTranscript(t *testing.T) {
	ctx := s.longTab(t, "#transcript")
	defer eval[chromedp.Void](t, ctx, `localStorage.removeItem("wsplay.transcript"); localStorage.removeItem("wsplay.lang")`)
	const w = `[data-mount=transcript] `
	click(t, ctx, w+"[data-role=record]")
	waitFor(t, ctx, `document.querySelector('`+w+`[data-role=transcript-body]') && document.querySelector('`+w+`[data-role=download-json]').href.startsWith("blob:")`)
	raw := evalAwait[string](t, ctx, `fetch(document.querySelector('`+w+`[data-role=download-json]').href).then(r => r.text())`)
	var session transcriptJSON
	if err := json.Unmarshal([]byte(raw), &session); err != nil {
		t.Fatalf("the JSON file: %v\n%s", err, raw)
	}
	if session.Format != "wsplay-transcript/1" || !strings.HasPrefix(session.Request, "GET /ws/inspect HTTP/1.1\r\n") || !strings.HasPrefix(session.Response, "HTTP/1.1 101 ") {
		t.Errorf("the session's heads: %q / %.40q / %.40q", session.Format, session.Request, session.Response)
	}
	// What the script does, in order of the frames' opcodes and senders.
	var got []string
	for _, r := range session.Records {
		b, err := hexBytes(r.Hex)
		if err != nil || len(b) < 2 {
			t.Fatalf("record %+v: %v", r, err)
		}
		got = append(got, fmt.Sprintf("%s:%x", r.Direction, b[0]&0x0f))
	}
	if want := "client:1 server:1 client:2 server:2 client:1 server:9 client:a client:8 server:8"; strings.Join(got, " ") != want {
		t.Errorf("the session's frames are %q, want %q", strings.Join(got, " "), want)
	}

	// Every byte of every frame is in the transcript exactly once, with its
	// value and a meaning, in a row of its frame.
	for i, r := range session.Records {
		n := i + 1
		want, _ := hexBytes(r.Hex)
		cells := eval[[]map[string]string](t, ctx, fmt.Sprintf(`[...document.querySelectorAll('[data-byte][data-frame="%d"]')].map(b => ({
			i: b.dataset.byte, hex: b.textContent, id: b.id,
			inFrame: String(b.closest("details.t-frame")?.id === "transcript/f%d"),
			meaning: b.closest("tr")?.querySelector(".t-meaning")?.textContent ?? "" }))`, n, n))
		if len(cells) != len(want) {
			t.Errorf("frame %d: %d bytes in the transcript, the frame has %d", n, len(cells), len(want))
			continue
		}
		for j, c := range cells {
			if c["i"] != strconv.Itoa(j) || c["hex"] != fmt.Sprintf("%02x", want[j]) || c["inFrame"] != "true" || c["id"] != fmt.Sprintf("transcript/f%d/b%d", n, j) {
				t.Errorf("frame %d byte %d is shown as %v, want %02x", n, j, c, want[j])
				break
			}
			if strings.TrimSpace(c["meaning"]) == "" {
				t.Errorf("frame %d byte %d has no meaning", n, j)
				break
			}
		}
	}
	if v := text(t, ctx, w+"[data-role=transcript-accept-verdict]"); !strings.HasPrefix(v, "=") {
		t.Errorf("the inline Accept derivation says %q", v)
	}
	if got := text(t, ctx, w+"[data-role=transcript-accept]"); got != acceptOf(headerValue(session.Request, "Sec-WebSocket-Key")) {
		t.Errorf("the derived Accept is %q", got)
	}
	s.shot(t, ctx, "transcript")
	for _, place := range []string{"request", "f1", "f8"} {
		eval[chromedp.Void](t, ctx, `document.getElementById("transcript/`+place+`").scrollIntoView()`)
		s.shotScreen(t, ctx, "transcript-"+place)
	}

	// A click on a byte puts its place in the address, for a slide.
	click(t, ctx, `[id="transcript/f1/b7"]`)
	waitFor(t, ctx, `location.hash === "#transcript/f1/b7" && document.getElementById("transcript/f1/b7").classList.contains("target")`)

	// A deep link to one byte, after a reload (the session is kept): its
	// frame opens and the byte is marked.
	click(t, ctx, w+"[data-role=close-all]")
	do(t, ctx, chromedp.Navigate(s.base+"?at=link#transcript/f2/b3"))
	waitFor(t, ctx, `document.getElementById("transcript/f2/b3")?.classList.contains("target")`)
	if !eval[bool](t, ctx, `document.getElementById("transcript/f2").open`) {
		t.Error("the deep-linked byte's frame is closed")
	}

	// The self-contained HTML file: styles inside, nothing to fetch, every
	// byte's anchor.
	waitFor(t, ctx, `document.querySelector('`+w+`[data-role=download-html]').href.startsWith("blob:")`)
	html := evalAwait[string](t, ctx, `fetch(document.querySelector('`+w+`[data-role=download-html]').href).then(r => r.text())`)
	for _, want := range []string{"<style>", `id="transcript/f1/b0"`, "Sec-WebSocket-Accept"} {
		if !strings.Contains(html, want) {
			t.Errorf("the HTML file lacks %q", want)
		}
	}
	if err := os.WriteFile(filepath.Join(s.shots, "transcript.html"), []byte(html), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<script", `src="`, `rel="stylesheet"`, "<button"} {
		if strings.Contains(html, bad) {
			t.Errorf("the HTML file is not self-contained: it has %q", bad)
		}
	}

	// Any session renders: the RFC's handshake (§1.3) and frames (§5.7),
	// with a 16-bit length, as the tap will hand them over.
	tap := evalAwait[map[string]any](t, ctx, `(async () => {
		const { renderTranscript } = await import("/static/widgets/transcript.js");
		const w = await (await import("/static/core.js")).loadCore();
		const bytes = (h) => new Uint8Array(h.trim().split(/\s+/).map((x) => parseInt(x, 16)));
		const node = renderTranscript(w, {
			request: "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
			response: "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
			records: [{ direction: "client", bytes: bytes("81 85 37 fa 21 3d 7f 9f 4d 51 58") },
				{ direction: "server", bytes: bytes("81 05 48 65 6c 6c 6f") },
				{ direction: "server", bytes: bytes("82 7e 01 00 " + "00 ".repeat(256)) }] });
		const ids = [...node.querySelectorAll("[data-byte]")].map((b) => b.id);
		return { bytes: ids.length, unique: new Set(ids).size, valid: node.querySelectorAll(".t-verdict.ok-line").length,
			accept: node.querySelector("[data-role=transcript-accept]").textContent,
			verdict: node.querySelector("[data-role=transcript-accept-verdict]").textContent };
	})()`)
	if tap["bytes"] != float64(11+7+260) || tap["unique"] != tap["bytes"] || tap["valid"] != float64(3) ||
		tap["accept"] != rfcAccept || !strings.HasPrefix(tap["verdict"].(string), "=") {
		t.Errorf("a given session renders as %v: want 278 bytes each once, 3 valid frames, the RFC's Accept", tap)
	}

	// In Chinese.
	switchLang(t, ctx, "zh")
	waitFor(t, ctx, `document.querySelector("[data-frame-block='1'] .t-n")?.textContent === "第 1 帧"`)
	s.shot(t, ctx, "transcript-zh")
	switchLang(t, ctx, "en")

	// Printed: the panel only, every frame open.
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	if shown := eval[[]string](t, ctx, `[...document.querySelectorAll(".panel, .transcript-tools, .transcript-controls")].filter(e => getComputedStyle(e).display !== "none").map(e => e.id || e.className)`); strings.Join(shown, " ") != "panel-transcript" {
		t.Errorf("a printed transcript shows %q", shown)
	}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: ""}); err != nil {
		t.Fatal(err)
	}
}

func hexBytes(s string) ([]byte, error) {
	var out []byte
	for _, f := range strings.Fields(s) {
		v, err := strconv.ParseUint(f, 16, 8)
		if err != nil {
			return nil, err
		}
		out = append(out, byte(v))
	}
	return out, nil
}

func headerValue(head, name string) string {
	for _, line := range strings.Split(head, "\r\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(k, name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// Screenshots at desktop, phone and projector sizes in both languages, to
// look at: $TMPDIR/wsplay-page-screens (printed with -v).
func (s *browserSuite) testScreenshots(t *testing.T) {
	dir := filepath.Join(os.TempDir(), "wsplay-page-screens")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots: %s", dir)
	old := s.shots
	s.shots = dir
	defer func() { s.shots = old }()
	for _, size := range []struct {
		name          string
		width, height int64
		large         bool
	}{{"desktop", 1280, 800, false}, {"phone", 390, 844, false}, {"projector", 1024, 768, true}} {
		for _, l := range []string{"en", "zh"} {
			ctx := s.longTab(t, "?lang="+l+"#handshake")
			do(t, ctx, chromedp.EmulateViewport(size.width, size.height))
			eval[chromedp.Void](t, ctx, fmt.Sprintf(`localStorage.setItem("wsplay.large", %q)`, map[bool]string{true: "1", false: "0"}[size.large]))
			for _, p := range []string{"handshake", "frame?hex=81%2085", "wire", "transcript"} {
				do(t, ctx, chromedp.Navigate(s.base+"?lang="+l+"&at="+size.name+"-"+strings.SplitN(p, "?", 2)[0]+"#"+p))
				waitFor(t, ctx, `document.querySelector("#core-status.good")`)
				name := strings.SplitN(p, "?", 2)[0]
				s.shotScreen(t, ctx, fmt.Sprintf("%s-%s-%s", size.name, l, name))
			}
			eval[chromedp.Void](t, ctx, `localStorage.removeItem("wsplay.large"); localStorage.removeItem("wsplay.lang")`)
		}
	}
}
