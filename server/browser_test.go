//go:build !js

package main

// Browser end-to-end tests: the real page, in Debian's Chromium driven by
// chromedp, against the real server started in the test. They check what a
// learner sees, through the DOM. One browser is shared by all subtests;
// each subtest opens its own tab.
//
// Without Chromium they skip (with the command that installs it), unless
// REQUIRE_BROWSER=1 (CI), when they fail. Screenshots of every panel go to
// $TMPDIR/wsplay-screens (printed with t.Log).

import (
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"wsplay/check"
	"wsplay/check/testdata/naive"
	"wsplay/core"
	"wsplay/site"
)

const rfcKey, rfcAccept = "dGhlIHNhbXBsZSBub25jZQ==", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

// browserPath finds Chromium: CHROME_PATH, then chromium on PATH, then
// /usr/bin/chromium.
func browserPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROME_PATH"); p != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	const msg = "no Chromium for the browser tests: install it with `apt-get install -y --no-install-recommends chromium` (Debian), or set CHROME_PATH"
	if os.Getenv("REQUIRE_BROWSER") == "1" {
		t.Fatal(msg + " (REQUIRE_BROWSER=1, so this fails instead of skipping)")
	}
	t.Skip(msg)
	return ""
}

// browserSuite is what the subtests share.
type browserSuite struct {
	browser context.Context // the browser; each subtest opens a tab in it
	base    string          // http://127.0.0.1:port/
	shots   string          // where screenshots go
}

// newBrowserSuite starts the server and a headless Chromium for one browser
// test, and stops both when the test ends. It skips (or, with
// REQUIRE_BROWSER=1, fails) without a browser, and fails without the
// WebAssembly module.
func newBrowserSuite(t *testing.T) *browserSuite {
	t.Helper()
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	if _, err := fs.Stat(site.Files, "static/wsplay.wasm"); err != nil {
		t.Fatal("site/static/wsplay.wasm is missing: run `make wasm` first (make test builds it before the unit tests), then run the tests again")
	}
	// The server as it runs by default: with permessage-deflate, which
	// Chromium offers, so the page's tests see compressed messages.
	srv := startServer(t, nil)

	shots := filepath.Join(os.TempDir(), "wsplay-screens")
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots: %s", shots)
	browser := startChromium(t, chromedp.WindowSize(1280, 900))
	return &browserSuite{browser: browser, base: "http://" + srv.addr + "/", shots: shots}
}

func TestBrowser(t *testing.T) {
	s := newBrowserSuite(t)
	t.Run("HandshakeSteps", s.testHandshakeSteps)
	t.Run("LiveHandshake", s.testLiveHandshake)
	t.Run("FrameLab", s.testFrameLab)
	t.Run("Masking", s.testMasking)
	t.Run("LiveWire", s.testLiveWire)
	t.Run("LiveWireCompressed", s.testLiveWireCompressed)
	t.Run("FrameLabCompressed", s.testFrameLabCompressed)
	t.Run("Chat", s.testChat)
	t.Run("CheckMyServer", s.testCheckMyServer)
	t.Run("Language", s.testLanguage)
	t.Run("Looks", s.testLooks)
	t.Run("WidgetsStandalone", s.testWidgetsStandalone)
	t.Run("WithoutCore", s.testWithoutCore)
	t.Run("ServerGone", s.testServerGone)
	t.Run("Interactive", s.testInteractive)
}

// tab opens a new tab at the page with the given fragment and waits for
// the WebAssembly core.
func (s *browserSuite) tab(t *testing.T, fragment string) context.Context {
	t.Helper()
	ctx := s.blankTab(t)
	do(t, ctx, chromedp.Navigate(s.base+fragment))
	waitFor(t, ctx, `document.querySelector("#core-status.good")`)
	return ctx
}

// blankTab opens a tab with nothing in it yet.
func (s *browserSuite) blankTab(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(s.browser)
	t.Cleanup(cancel)
	ctx, cancelT := context.WithTimeout(ctx, 25*time.Second)
	t.Cleanup(cancelT)
	do(t, ctx) // opens the tab
	return ctx
}

func do(t *testing.T, ctx context.Context, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

// eval evaluates a JavaScript expression and decodes its value.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// waitFor polls a JavaScript expression until it is truthy.
func waitFor(t *testing.T, ctx context.Context, expr string) {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr,
		chromedp.WithPollingInterval(40*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second)))
	if err != nil {
		t.Fatalf("waiting for %s: %v", expr, err)
	}
}

// text is the textContent of the first element matching a CSS selector
// ("" when there is none).
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return eval[string](t, ctx, fmt.Sprintf(`document.querySelector(%q)?.textContent ?? ""`, sel))
}

func click(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	eval[chromedp.Void](t, ctx, fmt.Sprintf(`document.querySelector(%q).click()`, sel))
}

// setField types a value into a field the way a user's input would,
// firing the input (and change) events the widgets listen to.
func setField(t *testing.T, ctx context.Context, sel, value string) {
	t.Helper()
	js, _ := json.Marshal(value)
	eval[chromedp.Void](t, ctx, fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.value = %s;
		e.dispatchEvent(new Event("input", {bubbles: true})); e.dispatchEvent(new Event("change", {bubbles: true})); })()`, sel, js))
}

// shot saves a screenshot of the whole page.
func (s *browserSuite) shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	s.save(t, ctx, name, chromedp.FullScreenshot(100))
}

// shotScreen saves what fits on the screen, as a phone shows it.
func (s *browserSuite) shotScreen(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	s.save(t, ctx, name, chromedp.CaptureScreenshot())
}

func (s *browserSuite) save(t *testing.T, ctx context.Context, name string, capture chromedp.Action[[]byte]) {
	t.Helper()
	img, err := chromedp.Run(ctx, capture)
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	ext := ".jpg"
	if len(img) > 4 && string(img[1:4]) == "PNG" {
		ext = ".png"
	}
	if err := os.WriteFile(filepath.Join(s.shots, name+ext), img, 0o644); err != nil {
		t.Fatal(err)
	}
}

func acceptOf(key string) string {
	sum := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// The RFC's sample key shows the RFC's Accept and every step on the way.
func (s *browserSuite) testHandshakeSteps(t *testing.T) {
	ctx := s.tab(t, "#handshake?key="+strings.ReplaceAll(rfcKey, "=", "%3D"))
	const w = `[data-mount=accept] `
	waitFor(t, ctx, `document.querySelector('`+w+`[data-role=accept]')?.textContent === "`+rfcAccept+`"`)
	if got := text(t, ctx, w+"[data-role=key-bytes]"); got != hex16("the sample nonce") {
		t.Errorf("key bytes = %q, want the bytes of %q", got, "the sample nonce")
	}
	if got := text(t, ctx, w+"[data-role=concatenated]"); got != rfcKey+"258EAFA5-E914-47DA-95CA-C5AB0DC85B11" {
		t.Errorf("concatenated = %q", got)
	}
	if got := text(t, ctx, w+"[data-role=sha1]"); got != "b37a4f2cc0624f1690f64606cf385945b2bec4ea" {
		t.Errorf("SHA-1 = %q", got)
	}
	s.shot(t, ctx, "1-handshake")

	// Typing another key recomputes, and the address follows it.
	setField(t, ctx, w+"[data-role=key]", "AQIDBAUGBwgJCgsMDQ4PEA==")
	waitFor(t, ctx, `document.querySelector('`+w+`[data-role=accept]')?.textContent === "`+acceptOf("AQIDBAUGBwgJCgsMDQ4PEA==")+`"`)
	waitFor(t, ctx, `location.hash.includes("AQIDBAUGBwgJCgsMDQ4PEA")`)
	// A key that is not 16 bytes is explained, with its section.
	setField(t, ctx, w+"[data-role=key]", "abc")
	waitFor(t, ctx, `!document.querySelector('`+w+`[data-role=key-problem]').hidden`)
	if p := text(t, ctx, w+"[data-role=key-problem]"); !strings.Contains(p, "16 bytes") || !strings.Contains(p, "§4.2.1") {
		t.Errorf("key problem = %q", p)
	}
}

func hex16(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%02x", s[i])
	}
	return b.String()
}

// A live connection shows the browser's real key and an Accept computed in
// the page that matches the one the server sent.
func (s *browserSuite) testLiveHandshake(t *testing.T) {
	ctx := s.tab(t, "#handshake")
	click(t, ctx, "[data-role=live-connect]")
	waitFor(t, ctx, `document.querySelector("[data-role=accept-verdict]")`)
	key := text(t, ctx, "[data-role=live-key]")
	raw, err := base64.StdEncoding.DecodeString(key)
	if err != nil || len(raw) != 16 || key == rfcKey {
		t.Fatalf("the browser's key %q is not a fresh base64 of 16 bytes", key)
	}
	here, there := text(t, ctx, "[data-role=accept-here]"), text(t, ctx, "[data-role=accept-server]")
	if here != acceptOf(key) || there != here {
		t.Errorf("accept computed in the page %q, sent by the server %q, want both %q", here, there, acceptOf(key))
	}
	if v := eval[string](t, ctx, `document.querySelector("[data-role=accept-verdict]").className`); !strings.Contains(v, "good") {
		t.Errorf("verdict class = %q, want good", v)
	}
	req := text(t, ctx, "[data-role=live-request]")
	if !strings.Contains(req, "Sec-WebSocket-Key: "+key) || !strings.HasPrefix(req, "GET /ws/inspect HTTP/1.1") {
		t.Errorf("request shown:\n%s", req)
	}
	if resp := text(t, ctx, "[data-role=live-response]"); !strings.Contains(resp, "Sec-WebSocket-Accept: "+here) {
		t.Errorf("response shown:\n%s", resp)
	}
	if ext := text(t, ctx, "[data-role=extensions]"); !strings.Contains(ext, "permessage-deflate") {
		t.Errorf("extensions offered = %q, want Chromium's permessage-deflate", ext)
	}
	s.checkExtensionsExplained(t, ctx)
	s.shot(t, ctx, "1-handshake-live")
}

// The frame lab decodes a deep-linked frame, explains an invalid one with
// its rules and sections, and builds frames from fields.
func (s *browserSuite) testFrameLab(t *testing.T) {
	ctx := s.tab(t, "#frame?hex=81%2085%2037%20fa%2021%203d%207f%209f%204d%2051%2058")
	const w = `[data-mount=frame] `
	waitFor(t, ctx, `document.querySelector('`+w+`[data-role=payload-text]')?.textContent === "Hello"`)
	if v := text(t, ctx, w+"[data-role=verdict]"); !strings.Contains(v, "valid") {
		t.Errorf("verdict = %q", v)
	}
	fields := eval[[]string](t, ctx, `[...document.querySelectorAll('`+w+`[data-role=fields] tbody tr')].map(r => r.dataset.field)`)
	if want := "FIN RSV1 RSV2 RSV3 opcode MASK Payload len Masking-key Payload Data"; strings.Join(fields, " ") != want {
		t.Errorf("fields = %q, want %q", fields, want)
	}
	// Pointing at the masking key highlights it in the RFC diagram.
	eval[chromedp.Void](t, ctx, `document.querySelector('`+w+`[data-role=bytes] [data-field="Masking-key"]').dispatchEvent(new PointerEvent("pointerover", {bubbles: true}))`)
	if n := eval[int](t, ctx, `document.querySelectorAll('`+w+`[data-role=diagram] .hl[data-field="Masking-key"]').length`); n != 2 {
		t.Errorf("%d diagram cells highlighted for the masking key, want 2", n)
	}
	s.save(t, ctx, "2-frame-highlight", chromedp.Screenshot(chromedp.CSS("[data-mount=frame] .frame-out")))

	// Keyboard focus on a header bit's byte works the same: focus the
	// payload length's row in the table.
	eval[chromedp.Void](t, ctx, `document.querySelector('`+w+`[data-role=fields] tr[data-field="Payload len"]').focus()`)
	if n := eval[int](t, ctx, `document.querySelectorAll('`+w+`[data-role=bytes] .hl[data-field="Payload len"]').length`); n != 7 {
		t.Errorf("%d bits highlighted for the focused payload length, want 7", n)
	}

	// Pasted: a fragmented ping with RSV1 set, unmasked, to a server (the
	// learner picks the server: unmasked bytes alone would read as a
	// server's frame).
	eval[chromedp.Void](t, ctx, `(() => { const r = document.querySelector('`+w+`[data-role=receiver]'); r.value = "server"; r.dispatchEvent(new Event("change")); })()`)
	setField(t, ctx, w+"[data-role=hex]", "49 00")
	waitFor(t, ctx, `document.querySelector('`+w+`[data-role=problems]')`)
	problems := text(t, ctx, w+"[data-role=problems]")
	for _, want := range []string{"control frames must not be fragmented", "RFC 6455 §5.5", "RFC 6455 §5.2", "§5.1", "mask"} {
		if !strings.Contains(problems, want) {
			t.Errorf("problems %q lack %q", problems, want)
		}
	}
	if code := text(t, ctx, w+"[data-role=close-code]"); !strings.HasPrefix(code, "1002") {
		t.Errorf("close code = %q, want 1002", code)
	}
	// In Chinese the same rules show the core's Chinese text, and switch
	// back with the language.
	eval[chromedp.Void](t, ctx, `import("/static/i18n.js").then(m => m.setLang("zh"))`)
	zh := core.RuleControlFinal.TextIn("zh")
	waitFor(t, ctx, `document.querySelector('`+w+`[data-role=problems]').textContent.includes(`+strconv.Quote(zh)+`)`)
	eval[chromedp.Void](t, ctx, `import("/static/i18n.js").then(m => m.setLang("en"))`)
	waitFor(t, ctx, `document.querySelector('`+w+`[data-role=problems]').textContent.includes("control frames must not be fragmented")`)
	eval[chromedp.Void](t, ctx, `localStorage.removeItem("wsplay.lang")`)
	waitFor(t, ctx, `location.hash.includes("hex=49")`)
	s.shot(t, ctx, "2-frame-invalid")

	// Bad hex is an error value, shown.
	setField(t, ctx, w+"[data-role=hex]", "81 8g")
	waitFor(t, ctx, `document.querySelector('`+w+`[data-role=error]')?.textContent.includes("not hex")`)

	// The builder: a masked binary frame with the RFC key.
	const b = `[data-mount=builder] `
	eval[chromedp.Void](t, ctx, `(() => { const o = document.querySelector('`+b+`[data-role=opcode]'); o.value = "2"; o.dispatchEvent(new Event("change")); })()`)
	setField(t, ctx, b+"[data-role=payload]", "Hello")
	waitFor(t, ctx, `document.querySelector('`+b+`[data-role=built-hex]')?.textContent === "82 85 37 fa 21 3d 7f 9f 4d 51 58"`)
	s.shot(t, ctx, "2-frame-builder")
}

// The masking table for a key and a payload matches the RFC's formula,
// computed here; masking twice gives the payload back; step=N shows N rows.
func (s *browserSuite) testMasking(t *testing.T) {
	key := []byte{0xa1, 0x07, 0x3c, 0xf0}
	payload := "WebSocket ✓"
	ctx := s.tab(t, "#mask?key=a1%2007%203c%20f0&payload="+strings.ReplaceAll(payload, " ", "%20"))
	const w = `[data-mount=mask] `
	p := []byte(payload)
	waitFor(t, ctx, fmt.Sprintf(`document.querySelectorAll('%s[data-role=mask-table] tbody tr').length === %d`, w, len(p)))
	rows := eval[[][]string](t, ctx, `[...document.querySelectorAll('`+w+`[data-role=mask-table] tbody tr')].map(r => [...r.cells].map(c => c.textContent))`)
	for i, r := range rows {
		want := []string{fmt.Sprint(i), fmt.Sprint(i % 4), fmt.Sprintf("%02x", key[i%4]), fmt.Sprintf("%02x", p[i]), fmt.Sprintf("%02x", p[i]^key[i%4])}
		got := []string{r[0], r[1], r[2], r[3][:2], r[5]}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("row %d = %q, want %q (i, i mod 4, key byte, payload byte, masked)", i, got, want)
		}
	}
	masked := make([]byte, len(p))
	for i := range p {
		masked[i] = p[i] ^ key[i%4]
	}
	if got := text(t, ctx, w+"[data-role=masked-hex]"); got != spaced(masked) {
		t.Errorf("masked = %q, want %q", got, spaced(masked))
	}
	if got := text(t, ctx, w+"[data-role=twice-hex]"); got != spaced(p) {
		t.Errorf("masked twice = %q, want the payload %q", got, spaced(p))
	}
	if v := text(t, ctx, w+"[data-role=twice-verdict]"); !strings.HasPrefix(v, "✓") {
		t.Errorf("twice verdict = %q", v)
	}

	// Step and reset.
	click(t, ctx, w+"[data-role=reset]")
	waitFor(t, ctx, `document.querySelector('`+w+`[data-role=progress]').textContent === "0 / `+fmt.Sprint(len(p))+`"`)
	click(t, ctx, w+"[data-role=step]")
	click(t, ctx, w+"[data-role=step]")
	waitFor(t, ctx, `document.querySelectorAll('`+w+`tr.done').length === 2`)
	waitFor(t, ctx, `location.hash.includes("step=2")`)

	// A deep link to step 3.
	ctx2 := s.tab(t, "#mask?key=37%20fa%2021%203d&payload=Hello&step=3")
	waitFor(t, ctx2, `document.querySelectorAll('`+w+`tr.done').length === 3 && document.querySelectorAll('`+w+`tr.todo').length === 2`)
	if cur := eval[string](t, ctx2, `document.querySelector('`+w+`tr.current [data-role=out-byte]').textContent`); cur != "4d" {
		t.Errorf("current row's masked byte = %q, want 4d ('l' XOR 0x21)", cur)
	}
	s.shot(t, ctx2, "3-masking")
}

func spaced(b []byte) string {
	h := hex.EncodeToString(b)
	var parts []string
	for i := 0; i < len(h); i += 2 {
		parts = append(parts, h[i:i+2])
	}
	return strings.Join(parts, " ")
}

// A message sent on the live wire shows up as the browser's real frame,
// decoded with the right unmasked text, and opens in the frame view and
// the masking stepper with the browser's masking key.
func (s *browserSuite) testLiveWire(t *testing.T) {
	ctx := s.tab(t, "#wire")
	const w = `[data-mount=echo] `
	click(t, ctx, w+"[data-role=connect]")
	waitFor(t, ctx, `!document.querySelector('`+w+`[data-role=send-text]').disabled`)
	msg := "héllo, wire <b>"
	setField(t, ctx, w+"[data-role=text]", msg)
	click(t, ctx, w+"[data-role=send-text]")
	const sent = `document.querySelector('` + w + `[data-role=frame-row][data-from=client][data-opcode=text]')`
	const echo = `document.querySelector('` + w + `[data-role=frame-row][data-from=server][data-opcode=text]')`
	waitFor(t, ctx, sent+` && `+echo)
	want := "“" + msg + "”"
	if got := eval[string](t, ctx, sent+`.querySelector("[data-role=row-text]").textContent`); got != want {
		t.Errorf("sent frame decoded as %q, want %q", got, want)
	}
	if got := eval[string](t, ctx, echo+`.querySelector("[data-role=row-text]").textContent`); got != want {
		t.Errorf("echo frame decoded as %q, want %q", got, want)
	}
	// The wire bytes: a masked text frame whose payload, unmasked with the
	// key in its header (and inflated when RSV1 says the browser
	// compressed it, RFC 7692 §6.1), is the message.
	wire := eval[string](t, ctx, sent+`.dataset.hex`)
	b, err := hex.DecodeString(strings.ReplaceAll(wire, " ", ""))
	if err != nil || len(b) < 6 || b[0]&^0x40 != 0x81 || b[1]&0x80 == 0 || int(b[1]&0x7f) != len(b)-6 {
		t.Fatalf("sent frame bytes %q: not a masked text frame", wire)
	}
	key := b[2:6]
	payload := append([]byte(nil), b[6:]...)
	for i := range payload {
		payload[i] ^= key[i%4]
	}
	if b[0]&0x40 != 0 {
		payload = inflateForTest(t, payload)
	}
	if string(payload) != msg {
		t.Fatalf("the payload unmasks (and inflates) to %q, not the message", payload)
	}

	// Open it: the frame view and the masking stepper with that key.
	click(t, ctx, `[data-role=frame-row][data-from=client][data-opcode=text]`)
	waitFor(t, ctx, `document.querySelector('`+w+`[data-role=detail] .payload-text')?.textContent === `+jsString(msg))
	waitFor(t, ctx, `document.querySelectorAll('`+w+`[data-role=detail] [data-role=mask-table] tbody tr').length === `+fmt.Sprint(len(b)-6))
	if got := eval[string](t, ctx, `document.querySelector('`+w+`[data-role=detail] [data-role=key]').value`); got != spaced(key) {
		t.Errorf("masking stepper key = %q, want the browser's %q", got, spaced(key))
	}
	if got := text(t, ctx, w+"[data-role=detail] [data-role=masked-hex]"); got != spaced(b[6:]) {
		t.Errorf("stepper's masked bytes = %q, want the wire's %q", got, spaced(b[6:]))
	}
	s.shot(t, ctx, "4-live-wire")

	// A binary message, then a close with a code and reason: the server's
	// close frame is rebuilt, and the page offers to reconnect.
	setField(t, ctx, w+"[data-role=binary]", "de ad be ef")
	click(t, ctx, w+"[data-role=send-binary]")
	waitFor(t, ctx, `document.querySelector('`+w+`[data-role=frame-row][data-from=server][data-opcode=binary]')`)

	// Ping: the page asks the server to ping it; the log shows the server's
	// ping and the pong the browser sent by itself, masked, same payload.
	setField(t, ctx, w+"[data-role=text]", "are you there")
	click(t, ctx, w+"[data-role=ping]")
	waitFor(t, ctx, `document.querySelector('`+w+`[data-role=frame-row][data-from=client][data-opcode=pong]')`)
	pongHex := eval[string](t, ctx, `document.querySelector('`+w+`[data-role=frame-row][data-from=client][data-opcode=pong]').dataset.hex`)
	pong, err := hex.DecodeString(strings.ReplaceAll(pongHex, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	if e := core.ExplainFrame(pong, core.Server); !e.Complete || len(e.Problems) > 0 || !e.Header.Masked || string(e.Unmasked) != "are you there" {
		t.Errorf("the browser's pong % x: masked %v payload %q problems %v", pong, e.Header.Masked, e.Unmasked, e.Problems)
	}
	if eval[int](t, ctx, `document.querySelectorAll('`+w+`[data-role=frame-row][data-from=server][data-opcode=ping]').length`) == 0 {
		t.Error("the server's ping is not in the log")
	}
	setField(t, ctx, w+"[data-role=close-code]", "4000")
	setField(t, ctx, w+"[data-role=close-reason]", "class over")
	click(t, ctx, w+"[data-role=close]")
	waitFor(t, ctx, `document.querySelector('`+w+`[data-role=frame-row][data-from=server][data-opcode=close]')`)
	if st := text(t, ctx, w+"[data-role=status]"); !strings.Contains(st, "4000") || !strings.Contains(st, "Reconnect") {
		t.Errorf("status after close = %q", st)
	}
	// The browser refuses a reserved code; the page says why.
	click(t, ctx, w+"[data-role=connect]")
	waitFor(t, ctx, `!document.querySelector('`+w+`[data-role=close]').disabled`)
	setField(t, ctx, w+"[data-role=close-code]", "1002")
	click(t, ctx, w+"[data-role=close]")
	waitFor(t, ctx, `document.querySelector('`+w+`[data-role=note]')?.textContent.includes("§7.4")`)

	// "Open in the frame lab" and "Open in the masking panel" carry the
	// browser's frame to the other panels.
	click(t, ctx, `[data-role=frame-row][data-from=client][data-opcode=text]`)
	click(t, ctx, w+"[data-role=open-frame]")
	waitFor(t, ctx, `!document.getElementById("panel-frame").hidden && document.querySelector("[data-mount=frame] .payload-text")?.textContent === `+jsString(msg))
	if got := eval[string](t, ctx, `document.querySelector("[data-mount=frame] [data-role=hex]").value`); got != spaced(b) {
		t.Errorf("frame lab shows %q, want the wire's %q", got, spaced(b))
	}
	do(t, ctx, chromedp.NavigateBack())
	click(t, ctx, w+"[data-role=open-mask]")
	waitFor(t, ctx, `!document.getElementById("panel-mask").hidden && document.querySelector("[data-mount=mask] [data-role=masked-hex]")?.textContent === "`+spaced(b[6:])+`"`)
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// The chat delivers between two tabs, shows HTML as text, and shows the
// frame that carried a message.
func (s *browserSuite) testChat(t *testing.T) {
	ada := s.tab(t, "#chat?nick=Ada")
	bob := s.tab(t, "#chat?nick=Bob")
	const w = `[data-mount=chat] `
	for _, ctx := range []context.Context{ada, bob} {
		click(t, ctx, w+"[data-role=join]")
		waitFor(t, ctx, `!document.querySelector('`+w+`[data-role=send]').disabled`)
	}
	evil := `<img src=x onerror="window.pwned=1">hi from Ada`
	setField(t, ada, w+"[data-role=message]", evil)
	click(t, ada, w+"[data-role=send]")
	find := `[...document.querySelectorAll('` + w + `[data-role=chat-text]')].find(e => e.textContent === ` + jsString(evil) + `)`
	waitFor(t, bob, find)
	if nick := eval[string](t, bob, find+`.parentElement.querySelector(".nick").textContent`); nick != "Ada" {
		t.Errorf("sender shown as %q, want Ada", nick)
	}
	if n := eval[int](t, bob, `document.querySelectorAll('`+w+`[data-role=chat-log] img').length`); n != 0 {
		t.Errorf("the chat log holds %d <img> elements: a message was inserted as HTML", n)
	}
	if p := eval[bool](t, bob, `window.pwned === 1`); p {
		t.Error("a chat message's HTML ran")
	}
	// Show the frame: a text frame from the server carrying the event JSON.
	eval[chromedp.Void](t, bob, find+`.parentElement.querySelector("[data-role=show-frame]").click()`)
	waitFor(t, bob, find+`.parentElement.querySelector("[data-role=payload-text]")`)
	payload := eval[string](t, bob, find+`.parentElement.querySelector("[data-role=payload-text]").textContent`)
	var ev struct{ Type, Nick, Text string }
	if err := json.Unmarshal([]byte(payload), &ev); err != nil || ev.Type != "message" || ev.Nick != "Ada" || ev.Text != evil {
		t.Errorf("frame payload %q is not Ada's message event (%v)", payload, err)
	}
	s.shot(t, bob, "5-chat")
}

// "Check my server" runs the graded suite from the page: the server's own
// /ws/echo passes every case; the classic blog recipe fails, and a failure
// opens to the bytes, the rule with its section, and the lesson.
func (s *browserSuite) testCheckMyServer(t *testing.T) {
	const w = `[data-mount=check] `
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go naive.Serve(ln)

	ctx := s.tab(t, "#check?url="+url.QueryEscape("ws://"+strings.TrimPrefix(strings.TrimSuffix(s.base, "/"), "http://")+"/ws/echo"))
	click(t, ctx, w+"[data-role=run]")
	waitFor(t, ctx, `!document.querySelector('`+w+`[data-role=summary]').hidden`)
	cases := len(check.Cases(check.Options{}))
	if n := eval[int](t, ctx, `document.querySelectorAll('`+w+`[data-role=results] li[data-id]').length`); n != cases {
		t.Errorf("%d result rows, want %d", n, cases)
	}
	if sum := text(t, ctx, w+"[data-role=summary]"); !strings.Contains(sum, fmt.Sprintf("%d PASS · 0 WARN · 0 FAIL", cases)) {
		t.Errorf("summary %q for wsplay's own /ws/echo", sum)
	}

	setField(t, ctx, w+"[data-role=url]", "ws://"+ln.Addr().String()+"/")
	click(t, ctx, w+"[data-role=run]")
	waitFor(t, ctx, `!document.querySelector('`+w+`[data-role=summary]').hidden && document.querySelectorAll('`+w+`[data-role=results] li[data-id]').length === `+fmt.Sprint(cases))
	row := w + `li[data-id="fragments.text"]`
	if st := text(t, ctx, row+" [data-role=status]"); st != "FAIL" {
		t.Fatalf("fragments.text against the naive recipe: %q, want FAIL", st)
	}
	details := text(t, ctx, row+" details")
	for _, want := range []string{"RFC 6455 §5.4", "Sent:", "Received:"} {
		if !strings.Contains(details, want) {
			t.Errorf("the failure's details lack %q: %q", want, details)
		}
	}
	if href := eval[string](t, ctx, `document.querySelector('`+row+` a').href`); !strings.HasSuffix(href, "/lessons/fragmentation") {
		t.Errorf("lesson link %q", href)
	}
	s.shot(t, ctx, "6-check-my-server")

	// A server on another machine is refused, with the reason.
	setField(t, ctx, w+"[data-role=url]", "ws://10.1.2.3:9001/")
	click(t, ctx, w+"[data-role=run]")
	waitFor(t, ctx, `document.querySelector('`+w+`[data-role=check-status]').textContent.includes("only to servers on this machine")`)
}

// The language switch changes the UI text and is remembered after a
// reload.
func (s *browserSuite) testLanguage(t *testing.T) {
	ctx := s.tab(t, "#mask")
	defer eval[chromedp.Void](t, ctx, `localStorage.removeItem("wsplay.lang")`)
	if got := text(t, ctx, `.tabs a[data-panel=handshake]`); got != "1 Handshake" {
		t.Fatalf("tab text %q before the switch", got)
	}
	eval[chromedp.Void](t, ctx, `(() => { const l = document.getElementById("lang"); l.value = "zh"; l.dispatchEvent(new Event("change")); })()`)
	waitFor(t, ctx, `document.querySelector(".tabs a[data-panel=handshake]").textContent === "1 握手"`)
	if got := text(t, ctx, `[data-mount=mask] [data-role=step]`); got != "单步" {
		t.Errorf("a widget's button reads %q after the switch", got)
	}
	if got := eval[string](t, ctx, `localStorage.getItem("wsplay.lang")`); got != "zh" {
		t.Errorf("localStorage wsplay.lang = %q", got)
	}
	do(t, ctx, chromedp.Reload())
	waitFor(t, ctx, `document.querySelector("#core-status.good")`)
	if got := text(t, ctx, `.tabs a[data-panel=handshake]`); got != "1 握手" {
		t.Errorf("after a reload the tab reads %q, want 1 握手", got)
	}
	if got := eval[string](t, ctx, `document.documentElement.lang`); got != "zh-Hans" {
		t.Errorf("html lang = %q", got)
	}
	s.shot(t, ctx, "6-chinese")
}

// Screenshots of the page in a dark theme, in large text and on a phone,
// and a check that the preferences are remembered.
func (s *browserSuite) testLooks(t *testing.T) {
	ctx := s.tab(t, "#frame")
	eval[chromedp.Void](t, ctx, `(() => { const th = document.getElementById("theme"); th.value = "dark"; th.dispatchEvent(new Event("change")); })()`)
	waitFor(t, ctx, `document.documentElement.dataset.theme === "dark"`)
	s.shot(t, ctx, "7-dark-frame")
	do(t, ctx, chromedp.Navigate(s.base+"#wire"))
	waitFor(t, ctx, `document.querySelector("#core-status.good") && document.documentElement.dataset.theme === "dark"`)
	click(t, ctx, "[data-mount=echo] [data-role=connect]")
	waitFor(t, ctx, `!document.querySelector("[data-mount=echo] [data-role=send-text]").disabled`)
	click(t, ctx, "[data-mount=echo] [data-role=send-text]")
	waitFor(t, ctx, `document.querySelector("[data-mount=echo] [data-role=frame-row][data-from=server]")`)
	click(t, ctx, "[data-mount=echo] [data-role=frame-row][data-from=client]")
	s.shot(t, ctx, "7-dark-wire")
	eval[chromedp.Void](t, ctx, `(() => { const th = document.getElementById("theme"); th.value = "auto"; th.dispatchEvent(new Event("change")); })()`)

	click(t, ctx, "#large")
	waitFor(t, ctx, `document.documentElement.classList.contains("large")`)
	do(t, ctx, chromedp.Navigate(s.base+"#handshake"))
	waitFor(t, ctx, `document.querySelector("#core-status.good") && document.documentElement.classList.contains("large")`)
	s.shot(t, ctx, "8-large-text")
	click(t, ctx, "#large")

	do(t, ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)))
	do(t, ctx, chromedp.Navigate(s.base+"#mask?key=37%20fa%2021%203d&payload=Hello"))
	waitFor(t, ctx, `document.querySelector("#core-status.good") && !document.documentElement.classList.contains("large")`)
	s.shotScreen(t, ctx, "9-phone-mask")
	do(t, ctx, chromedp.Navigate(s.base+"#frame"))
	waitFor(t, ctx, `document.querySelector("[data-mount=frame] [data-role=fields]")`)
	// Nothing is wider than the phone's screen but the scrolling boxes.
	if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the page is %d px wide on a 390 px phone", w)
	}
	s.shotScreen(t, ctx, "9-phone-frame")
	eval[chromedp.Void](t, ctx, `document.querySelector("[data-mount=frame] [data-role=fields]").scrollIntoView()`)
	s.shotScreen(t, ctx, "9-phone-frame-fields")
}

// When the WebAssembly module does not load, the page says so plainly, and
// what does not need it (the chat) still works.
func (s *browserSuite) testWithoutCore(t *testing.T) {
	ctx := s.blankTab(t)
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	block := []*network.BlockPattern{{URLPattern: "*://*:*/static/wsplay.wasm", Block: true}}
	if _, err := chromedp.Call(ctx, network.SetBlockedURLs, network.SetBlockedURLsParams{URLPatterns: block}); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, chromedp.Navigate(s.base+"#chat?nick=Offline"))
	waitFor(t, ctx, `document.querySelector("#core-status.bad")`)
	if st := text(t, ctx, "#core-status"); !strings.Contains(st, "could not be loaded") || !strings.Contains(st, "chat still works") {
		t.Errorf("core status = %q", st)
	}
	click(t, ctx, "[data-mount=chat] [data-role=join]")
	waitFor(t, ctx, `!document.querySelector("[data-mount=chat] [data-role=send]").disabled`)
	s.shot(t, ctx, "10-without-core")
}

// When the server goes away, the live wire says so and offers to
// reconnect.
func (s *browserSuite) testServerGone(t *testing.T) {
	other := startServer(t, nil)
	ctx := s.blankTab(t)
	do(t, ctx, chromedp.Navigate("http://"+other.addr+"/#wire"))
	waitFor(t, ctx, `document.querySelector("#core-status.good")`)
	const w = `[data-mount=echo] `
	click(t, ctx, w+"[data-role=connect]")
	waitFor(t, ctx, `!document.querySelector('`+w+`[data-role=send-text]').disabled`)
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	other.Shutdown(sctx) // sends 1001 (going away) to every WebSocket
	waitFor(t, ctx, `document.querySelector('`+w+`[data-role=status]').textContent.includes("1001")`)
	if st := text(t, ctx, w+"[data-role=status]"); !strings.Contains(st, "going away") || !strings.Contains(st, "Reconnect") {
		t.Errorf("status after the server left = %q", st)
	}
}

// The widgets work on a page that is not the playground, as the lessons
// mount them: no app.js, no wasm_exec.js script tag; each module loads the
// core through core.js.
func (s *browserSuite) testWidgetsStandalone(t *testing.T) {
	ctx := s.blankTab(t)
	do(t, ctx, chromedp.Navigate(s.base+"lessons/"))
	eval[chromedp.Void](t, ctx, `(async () => {
		for (const name of ["accept", "frame", "mask", "builder", "echo"]) {
			const div = document.createElement("div");
			div.id = "w-" + name;
			document.body.append(div);
		}
		const opts = {
			accept: {key: "dGhlIHNhbXBsZSBub25jZQ=="},
			frame: {hex: "81 85 37 fa 21 3d 7f 9f 4d 51 58", receiver: "server"},
			mask: {key: "37 fa 21 3d", payload: "Hi"},
			builder: {}, echo: {},
		};
		for (const name of Object.keys(opts)) {
			const m = await import("/static/widgets/" + name + ".js");
			m.mount(document.getElementById("w-" + name), opts[name]);
		}
	})()`)
	waitFor(t, ctx, `document.querySelector("#w-accept [data-role=accept]")?.textContent === "`+rfcAccept+`"`)
	waitFor(t, ctx, `document.querySelector("#w-frame [data-role=payload-text]")?.textContent === "Hello"`)
	waitFor(t, ctx, `document.querySelectorAll("#w-mask [data-role=mask-table] tbody tr").length === 2`)
	waitFor(t, ctx, `document.querySelector("#w-builder [data-role=built-hex]")?.textContent === "81 85 37 fa 21 3d 7f 9f 4d 51 58"`)
	// echo.js on /ws/echo: messages only, the server's frames rebuilt.
	eval[chromedp.Void](t, ctx, `import("/static/widgets/echo.js").then(m => m.mount(document.getElementById("w-echo"), {endpoint: "/ws/echo"}))`)
	// (The first mount's bar is there already: wait for this one's.)
	waitFor(t, ctx, `document.querySelector("#w-echo .conn-bar code")?.textContent === "/ws/echo"`)
	click(t, ctx, "#w-echo [data-role=connect]")
	waitFor(t, ctx, `!document.querySelector("#w-echo [data-role=send-text]").disabled`)
	click(t, ctx, "#w-echo [data-role=send-text]")
	waitFor(t, ctx, `document.querySelector("#w-echo [data-role=frame-row][data-from=server]")?.dataset.hex === "81 05 48 65 6c 6c 6f"`)
	if n := eval[int](t, ctx, `document.querySelectorAll("script[src='/static/wasm_exec.js']").length`); n != 1 {
		t.Errorf("wasm_exec.js loaded %d times, want once", n)
	}
	// setLang switches the widgets' text without app.js.
	eval[chromedp.Void](t, ctx, `import("/static/i18n.js").then(m => m.setLang("zh"))`)
	waitFor(t, ctx, `document.querySelector("#w-mask [data-role=step]").textContent === "单步"`)
	eval[chromedp.Void](t, ctx, `import("/static/i18n.js").then(m => m.setLang("en"))`)
}

// pageTiming is the page's Performance timeline on one load, in
// milliseconds from navigation start.
type pageTiming struct {
	HTML         float64 `json:"html"`         // the HTML has arrived
	App          float64 `json:"app"`          // app.js and its modules have run
	ExecEnd      float64 `json:"execEnd"`      // wasm_exec.js has arrived
	WasmFetch    float64 `json:"wasmFetch"`    // the module is asked for
	WasmEnd      float64 `json:"wasmEnd"`      // its last byte
	CoreLoad     float64 `json:"coreLoad"`     // core.js needs the module
	Instantiated float64 `json:"instantiated"` // compiled and instantiated
	CoreReady    float64 `json:"coreReady"`    // Go's main has registered globalThis.wsplay
	Ready        float64 `json:"ready"`        // the page is interactive
	Encoded      int     `json:"encoded"`      // the module's bytes on the wire
	Decoded      int     `json:"decoded"`      // and after decoding
	Accept       string  `json:"accept"`       // what panel 1 shows
}

// The page is interactive when the WebAssembly core is instantiated and
// the first widget responds: panel 1 shows the Accept value the core
// computed for the default key (app.js marks that moment "wsplay:ready").
// Three fresh loads, each in a new browser context with the cache off, so
// nothing (not even compiled code) is reused; the times are logged, not
// asserted. What is asserted: the page got there, showed the right value,
// and the module came brotli-encoded when the binary has the .br.
func (s *browserSuite) testInteractive(t *testing.T) {
	module, err := fs.ReadFile(site.Files, "static/wsplay.wasm")
	if err != nil {
		t.Fatal(err)
	}
	br, _ := fs.ReadFile(site.Files, "static/wsplay.wasm.br")
	for run := 1; run <= 3; run++ {
		ctx, cancel := chromedp.NewContext(s.browser, chromedp.WithNewBrowserContext())
		ctx, cancelT := context.WithTimeout(ctx, 25*time.Second)
		do(t, ctx) // opens the tab
		if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Call(ctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
			t.Fatal(err)
		}
		do(t, ctx, chromedp.Navigate(s.base))
		waitFor(t, ctx, `performance.getEntriesByName("wsplay:ready").length > 0`)
		pt := eval[pageTiming](t, ctx, `(() => {
			const mark = (n) => performance.getEntriesByName(n)[0]?.startTime ?? -1;
			const res = (suffix) => performance.getEntriesByType("resource").find((e) => e.name.endsWith(suffix)) ?? {};
			const wasm = res("/static/wsplay.wasm");
			return {
				html: performance.getEntriesByType("navigation")[0].responseEnd,
				app: mark("wsplay:app"), execEnd: res("/static/wasm_exec.js").responseEnd ?? -1,
				wasmFetch: wasm.startTime ?? -1, wasmEnd: wasm.responseEnd ?? -1,
				coreLoad: mark("wsplay:core-load"), instantiated: mark("wsplay:wasm-instantiated"), coreReady: mark("wsplay:core-ready"), ready: mark("wsplay:ready"),
				encoded: wasm.encodedBodySize ?? 0, decoded: wasm.decodedBodySize ?? 0,
				accept: document.querySelector("[data-mount=accept] [data-role=accept]")?.textContent ?? "",
			};
		})()`)
		cancelT()
		cancel()
		if pt.Accept != rfcAccept {
			t.Errorf("run %d: panel 1 shows Accept %q once the page is ready, want %q", run, pt.Accept, rfcAccept)
		}
		if pt.Decoded != len(module) {
			t.Errorf("run %d: the page decoded %d bytes of module, want %d", run, pt.Decoded, len(module))
		}
		if br != nil && pt.Encoded != len(br) {
			t.Errorf("run %d: the module took %d bytes on the wire, want the %d of wsplay.wasm.br", run, pt.Encoded, len(br))
		}
		t.Logf("run %d: page interactive in %.0f ms: HTML %.0f, module downloaded %.0f-%.0f (%d bytes on the wire), "+
			"wasm_exec.js %.0f, page modules run %.0f, core.js asks for the module %.0f, compiled and instantiated %.0f, Go main done %.0f",
			run, pt.Ready, pt.HTML, pt.WasmFetch, pt.WasmEnd, pt.Encoded, pt.ExecEnd, pt.App, pt.CoreLoad, pt.Instantiated, pt.CoreReady)
	}
}
