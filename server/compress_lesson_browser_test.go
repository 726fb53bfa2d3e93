//go:build !js

package main

// The compression lesson in Chromium, with permessage-deflate on as the
// server runs by default: the lesson's widget sends "Hello" twice over
// /ws/inspect, and shows what the browser put on the wire — RSV1, the
// compressed payload of each send, the second shorter than the first
// because Chromium takes context over — and what the server inflated.

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"wsplay/lessons"
)

// compressRow is a row of the widget's table, cell by cell.
type compressRow struct {
	Cells      []string `json:"cells"`
	Compressed string   `json:"compressed"`
}

func TestCompressLesson(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	srv := startServer(t, func(c *Config) { c.Compress = true })
	browser := startChromium(t, chromedp.WindowSize(1280, 900))
	shots := filepath.Join(os.TempDir(), "wsplay-screens")
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	s := &browserSuite{browser: browser, base: "http://" + srv.addr + "/", shots: shots}
	const w = `.widget[data-widget=compress].widget-mounted `
	rfc := rfcHello(t)
	for _, lang := range []string{"en", "zh"} {
		t.Run(lang, func(t *testing.T) {
			ctx := s.blankTab(t)
			do(t, ctx, chromedp.Navigate(s.base+"lessons/compression?lang="+lang))
			waitFor(t, ctx, `document.documentElement.dataset.ready === "true"`)
			defer eval[chromedp.Void](t, ctx, `localStorage.removeItem("wsplay.lang")`)
			waitFor(t, ctx, `document.querySelector('`+w+`[data-role=send]')`)

			// The widget's columns are the fallback's, in the page's
			// language.
			heads := func(sel string) []string {
				return eval[[]string](t, ctx, `[...document.querySelectorAll(`+jsString(sel)+`)].map(e => e.textContent.trim())`)
			}
			fallback, live := heads(".widget[data-widget=compress] .widget-fallback thead th"), heads(w+".widget-live thead th")
			if len(fallback) != 6 || !slices.Equal(fallback, live) {
				t.Errorf("columns: fallback %q, widget %q", fallback, live)
			}

			setField(t, ctx, w+"[data-role=text]", "Hello")
			click(t, ctx, w+"[data-role=send]")
			waitFor(t, ctx, `document.querySelectorAll('`+w+`tr[data-role=row]').length === 2`)
			if ext := text(t, ctx, w+"[data-role=extension]"); !strings.Contains(ext, "permessage-deflate") || !strings.Contains(ext, "server_no_context_takeover") {
				t.Errorf("the negotiated extension shows %q", ext)
			}
			rows := eval[[]compressRow](t, ctx, `[...document.querySelectorAll('`+w+`tr[data-role=row]')].map(r => ({
				cells: [...r.cells].map(c => c.textContent.trim()), compressed: r.dataset.compressed }))`)
			var sizes []int
			for i, r := range rows {
				if r.Compressed != "true" || r.Cells[1] != "1" {
					t.Fatalf("send %d: compressed %s, RSV1 %q, want a compressed message with RSV1 set", i+1, r.Compressed, r.Cells[1])
				}
				if r.Cells[5] != "Hello" {
					t.Errorf("send %d inflated to %q, want Hello", i+1, r.Cells[5])
				}
				raw, msg := parseHexForTest(r.Cells[2])
				if msg != "" {
					t.Fatalf("send %d: the payload cell %q: %s", i+1, r.Cells[2], msg)
				}
				sizes = append(sizes, len(raw))
				t.Logf("send %d: % x", i+1, raw)
			}
			if sizes[1] >= sizes[0] {
				t.Errorf("the second Hello is %d bytes on the wire, the first %d: Chromium took no context over", sizes[1], sizes[0])
			}
			// The lesson says Chromium, compressing with zlib, writes
			// RFC 7692 §7.2.3.1's bytes, the ones of its first example.
			for i, r := range rows {
				if r.Cells[2] != rfc[i] {
					t.Errorf("send %d: Chromium wrote %s, the lesson says it writes the RFC's %s", i+1, r.Cells[2], rfc[i])
				}
			}
			s.save(t, ctx, "compress-widget-"+lang, chromedp.Screenshot(`.widget[data-widget=compress]`))
			s.save(t, ctx, "compress-example-"+lang, chromedp.Screenshot(`figure[data-example=deflate]`))
		})
		// Without the core no widget mounts, and the table rendered on
		// the server stays: the same columns, computed with Go's
		// compress/flate as a browser compresses, the second Hello
		// shorter, each row inflated by the core to Hello.
		t.Run(lang+"/fallback", func(t *testing.T) {
			ctx := s.blankTab(t)
			if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
				t.Fatal(err)
			}
			block := []*network.BlockPattern{{URLPattern: "*://*:*/static/wsplay.wasm", Block: true}}
			if _, err := chromedp.Call(ctx, network.SetBlockedURLs, network.SetBlockedURLsParams{URLPatterns: block}); err != nil {
				t.Fatal(err)
			}
			do(t, ctx, chromedp.Navigate(s.base+"lessons/compression?lang="+lang))
			waitFor(t, ctx, `document.documentElement.dataset.ready === "true"`)
			defer eval[chromedp.Void](t, ctx, `localStorage.removeItem("wsplay.lang")`)
			const f = `.widget[data-widget=compress] .widget-fallback `
			if got := text(t, ctx, f+".compress-handshake"); !strings.Contains(got, "permessage-deflate; server_no_context_takeover; client_max_window_bits=12") {
				t.Errorf("the fallback's handshake: %q", got)
			}
			rows := eval[[][]string](t, ctx, `[...document.querySelectorAll(`+jsString(f+"tbody tr")+`)].map(r => [...r.cells].map(c => c.textContent.trim()))`)
			if len(rows) != 2 {
				t.Fatalf("the fallback has %d rows, want 2", len(rows))
			}
			var sizes []int
			for i, r := range rows {
				raw, msg := parseHexForTest(r[2])
				if msg != "" || r[1] != "1" || r[5] != "Hello" {
					t.Errorf("fallback row %d: %q (%s)", i+1, r, msg)
				}
				sizes = append(sizes, len(raw))
			}
			if sizes[1] >= sizes[0] {
				t.Errorf("the fallback's second Hello is %d bytes, the first %d", sizes[1], sizes[0])
			}
			s.save(t, ctx, "compress-fallback-"+lang, chromedp.Screenshot(`.widget[data-widget=compress]`))
		})
	}
}

// parseHexForTest reads the widget's "f2 48 cd" form.
func parseHexForTest(s string) ([]byte, string) {
	var out []byte
	for _, f := range strings.Fields(s) {
		if len(f) != 2 {
			return nil, "not a byte: " + f
		}
		var b byte
		for _, c := range f {
			switch {
			case '0' <= c && c <= '9':
				b = b<<4 | byte(c-'0')
			case 'a' <= c && c <= 'f':
				b = b<<4 | byte(c-'a'+10)
			default:
				return nil, "not hex: " + f
			}
		}
		out = append(out, b)
	}
	return out, ""
}

// rfcHello is the two compressed payloads of the lesson's first deflate
// example (RFC 7692 §7.2.3.1 and §7.2.3.2), which the course checked
// against the core when it loaded.
func rfcHello(t *testing.T) []string {
	t.Helper()
	course, err := lessons.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range course.Lessons[lessons.Languages[0]] {
		if l.Slug != "compression" {
			continue
		}
		for _, b := range l.Blocks {
			if b.Type == "example" && b.Name == "deflate" && b.Params["message-2"] != "" {
				return []string{b.Params["message-1"], b.Params["message-2"]}
			}
		}
	}
	t.Fatal("the compression lesson has no deflate example of two messages")
	return nil
}
