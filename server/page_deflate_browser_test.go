//go:build !js

package main

// The page with permessage-deflate (RFC 7692) negotiated, in Chromium: the
// live wire shows a compressed message (RSV1 valid as "compressed", the
// wire bytes, the inflated text, the bytes saved), the handshake panel
// explains the offer and the answer parameter by parameter, and the frame
// lab inflates a pasted compressed frame when told RSV1 means compressed.

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// inflateForTest inflates a message's compressed payload as RFC 7692
// §7.2.2 says, with Go's compress/flate: an inflater of its own, not the
// page's.
func inflateForTest(t *testing.T, payload []byte) []byte {
	t.Helper()
	r := flate.NewReader(io.MultiReader(bytes.NewReader(payload), bytes.NewReader([]byte{0, 0, 0xff, 0xff, 1, 0, 0, 0xff, 0xff})))
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("the payload % x does not inflate: %v", payload, err)
	}
	return out
}

// checkExtensionsExplained: after a live handshake with Chromium, the
// panel lists the offer's and the answer's parameters, each with words
// and its RFC 7692 section.
func (s *browserSuite) checkExtensionsExplained(t *testing.T, ctx context.Context) {
	t.Helper()
	type row struct {
		Param, Value, Meaning, Section string
	}
	rows := func(role string) []row {
		return eval[[]row](t, ctx, `[...document.querySelectorAll("[data-role=`+role+`] [data-role=ext-param]")].map(r => ({
			param: r.cells[0].textContent, value: r.cells[1].textContent, meaning: r.cells[2].textContent, section: r.cells[3].textContent }))`)
	}
	offer, answer := rows("ext-offer-table"), rows("ext-answer-table")
	has := func(rs []row, param string) (row, bool) {
		for _, r := range rs {
			if r.Param == param {
				return r, true
			}
		}
		return row{}, false
	}
	// Chromium offers "permessage-deflate; client_max_window_bits"; the
	// server answers with a window for the client (core's default, 12).
	for _, want := range []struct {
		rows    []row
		param   string
		section string
	}{
		{offer, "permessage-deflate", "RFC 7692 §7"},
		{offer, "client_max_window_bits", "RFC 7692 §7.1.2.2"},
		{answer, "permessage-deflate", "RFC 7692 §7"},
		{answer, "client_max_window_bits", "RFC 7692 §7.1.2.2"},
	} {
		r, ok := has(want.rows, want.param)
		if !ok {
			t.Errorf("the extensions explained lack %s: offer %+v answer %+v", want.param, offer, answer)
			continue
		}
		if r.Section != want.section || len(r.Meaning) < 20 || strings.Contains(r.Meaning, "deflate.") {
			t.Errorf("%s: %+v", want.param, r)
		}
	}
	if r, _ := has(answer, "client_max_window_bits"); r.Value == "" || r.Value == "—" || !strings.Contains(r.Meaning, "2^"+r.Value) {
		t.Errorf("the answer's client_max_window_bits: %+v", r)
	}
	if a := text(t, ctx, "[data-role=ext-answer]"); !strings.HasPrefix(a, "permessage-deflate") {
		t.Errorf("the answer shown is %q", a)
	}
	// The answer is checked against the offer: accepting an offered
	// extension is no problem.
	if v := text(t, ctx, "[data-role=verify]"); v != "✓ 101" {
		t.Errorf("the response checked as a client does: %q", v)
	}
}

// testLiveWireCompressed: a long repetitive message and its echo travel
// compressed; the log and the frame view show them so.
func (s *browserSuite) testLiveWireCompressed(t *testing.T) {
	ctx := s.tab(t, "#wire")
	const w = `[data-mount=echo] `
	click(t, ctx, w+"[data-role=connect]")
	waitFor(t, ctx, `!document.querySelector('`+w+`[data-role=send-text]').disabled`)
	long := strings.Repeat("wsplay compresses this line again and again. ", 30) // 1350 bytes
	setField(t, ctx, w+"[data-role=text]", long)
	click(t, ctx, w+"[data-role=send-text]")
	for _, from := range []string{"client", "server"} {
		row := `document.querySelector('` + w + `[data-role=frame-row][data-from=` + from + `][data-opcode=text]')`
		waitFor(t, ctx, row)
		if eval[string](t, ctx, row+`.dataset.compressed ?? ""`) != "1" {
			t.Fatalf("the %s's frame of %d bytes is not marked compressed: %s", from, len(long), eval[string](t, ctx, row+`.textContent`))
		}
		// The wire bytes, inflated here with Go, are the message.
		b, err := hex.DecodeString(strings.ReplaceAll(eval[string](t, ctx, row+`.dataset.hex`), " ", ""))
		if err != nil || len(b) < 2 || b[0] != 0xc1 {
			t.Fatalf("the %s's frame %x: want FIN, RSV1 and text", from, b)
		}
		hlen, masked := 2, b[1]&0x80 != 0
		if b[1]&0x7f == 126 {
			hlen = 4
		}
		if masked {
			hlen += 4
		}
		payload := append([]byte(nil), b[hlen:]...)
		if masked {
			for i := range payload {
				payload[i] ^= b[hlen-4+i%4]
			}
		}
		if got := inflateForTest(t, payload); string(got) != long {
			t.Fatalf("the %s's frame inflates to %d bytes, not the message", from, len(got))
		}
		saved := eval[string](t, ctx, row+`.querySelector("[data-role=row-inflated]")?.dataset.saved ?? ""`)
		if want := strconv.Itoa(len(long) - len(payload)); saved != want {
			t.Errorf("the %s's row says %q bytes saved, want %s (%d on the wire for %d)", from, saved, want, len(payload), len(long))
		}
		if summary := eval[string](t, ctx, row+`.querySelector("[data-role=row-text]").textContent`); !strings.HasPrefix(summary, "“"+long[:100]) {
			t.Errorf("the %s's row shows %q, want the inflated text", from, summary)
		}

		// The frame view: RSV1 valid, read as compressed; the inflated
		// text; the bytes saved.
		eval[chromedp.Void](t, ctx, row+`.click()`)
		const d = w + `[data-role=detail] `
		waitFor(t, ctx, `document.querySelector('`+d+`[data-role=inflated-text]')?.textContent === `+jsString(long))
		if v := eval[string](t, ctx, `document.querySelector('`+d+`[data-role=verdict]').className`); !strings.Contains(v, "ok") {
			t.Errorf("the %s's compressed frame: verdict %q (%s)", from, v, text(t, ctx, d+"[data-role=verdict]"))
		}
		rsv1 := eval[string](t, ctx, `document.querySelector('`+d+`[data-role=fields] tr[data-field=RSV1]').textContent`)
		if !strings.Contains(rsv1, "Per-Message Compressed (RFC 7692 §6.1)") {
			t.Errorf("RSV1 row: %q", rsv1)
		}
		if got := text(t, ctx, d+"[data-role=compressed-hex]"); !strings.HasPrefix(got, spaced(payload[:20])) {
			t.Errorf("compressed bytes shown %q, want the payload % x…", got, payload[:20])
		}
		if got := eval[string](t, ctx, `document.querySelector('`+d+`[data-role=saved]').dataset.saved`); got != saved {
			t.Errorf("the frame view says %s bytes saved, the row %s", got, saved)
		}
		if from == "server" {
			// For a person to look at: the log and the compressed echo
			// opened (PNG, quality 100).
			img, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err == nil {
				err = os.WriteFile(filepath.Join(os.TempDir(), "zpage-live-wire-compressed.png"), img, 0o644)
			}
			if err != nil {
				t.Log(err)
			}
		}
	}
}

// testFrameLabCompressed: RFC 7692 §7.2.3.1's frame breaks §5.2 read
// without the extension, and is valid and inflates to "Hello" read as
// compressed; bytes that are not DEFLATE give a clear error.
func (s *browserSuite) testFrameLabCompressed(t *testing.T) {
	ctx := s.tab(t, "#frame?hex=c1%2007%20f2%2048%20cd%20c9%20c9%2007%2000&receiver=client")
	const w = `[data-mount=frame] `
	waitFor(t, ctx, `document.querySelector('`+w+`[data-role=problems]')`)
	if p := text(t, ctx, w+"[data-role=problems]"); !strings.Contains(p, "RFC 6455 §5.2") {
		t.Errorf("RSV1 without the extension: problems %q", p)
	}
	if text(t, ctx, w+"[data-role=rsv1-hint]") == "" {
		t.Error("no hint that RSV1 may mean compressed")
	}
	choose := func(v string) {
		eval[chromedp.Void](t, ctx, `(() => { const r = document.querySelector('`+w+`[data-role=rsv1]'); r.value = `+jsString(v)+`; r.dispatchEvent(new Event("change")); })()`)
	}
	choose("compressed")
	waitFor(t, ctx, `document.querySelector('`+w+`[data-role=inflated-text]')?.textContent === "Hello"`)
	if v := eval[string](t, ctx, `document.querySelector('`+w+`[data-role=verdict]').className`); !strings.Contains(v, "ok") {
		t.Errorf("read as compressed: verdict %q", v)
	}
	if m := eval[string](t, ctx, `document.querySelector('`+w+`[data-role=fields] tr[data-field=RSV1]').textContent`); !strings.Contains(m, "Per-Message Compressed") {
		t.Errorf("RSV1 row %q", m)
	}
	// 5 bytes of message for 7 on the wire: compression added 2.
	if got := eval[string](t, ctx, `document.querySelector('`+w+`[data-role=saved]').dataset.saved`); got != "-2" {
		t.Errorf("saved = %s, want -2", got)
	}
	if h := eval[string](t, ctx, `location.hash`); !strings.Contains(h, "deflate=1") {
		t.Errorf("the address %q does not keep the choice", h)
	}
	s.save(t, ctx, "2-frame-compressed", chromedp.Screenshot(chromedp.CSS("[data-mount=frame] .frame-out")))

	// A ping with RSV1 breaks RFC 7692 §6.1 even with the extension.
	setField(t, ctx, w+"[data-role=hex]", "c9 00")
	waitFor(t, ctx, `document.querySelector('`+w+`[data-role=problems]')?.textContent.includes("RFC 7692 §6.1")`)

	// Not DEFLATE: the error names the rule.
	setField(t, ctx, w+"[data-role=hex]", "c1 03 ff ff ff")
	waitFor(t, ctx, `document.querySelector('`+w+`[data-role=inflate-error]')?.textContent.includes("RFC 7692 §7.2.2")`)

	// Back to "reserved": RSV1 breaks §5.2 again, nothing is inflated.
	setField(t, ctx, w+"[data-role=hex]", "c1 07 f2 48 cd c9 c9 07 00")
	choose("reserved")
	waitFor(t, ctx, `document.querySelector('`+w+`[data-role=problems]')?.textContent.includes("RFC 6455 §5.2")`)
	if n := eval[int](t, ctx, `document.querySelectorAll('`+w+`[data-role=inflate]').length`); n != 0 {
		t.Errorf("read without the extension, %d inflate views", n)
	}
}
