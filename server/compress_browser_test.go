//go:build !js

package main

// permessage-deflate with a real browser: Chromium offers it, as every
// browser does; the server accepts it on /ws/echo and /ws/inspect unless
// -compress=false, and a long repetitive message travels compressed both
// ways and comes back unchanged.

import (
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// compressScript runs in a tab on the server's own page: it opens a
// WebSocket to path, sends a long repetitive message and, once the
// connection closed, leaves in window.__compress[path] what the page saw:
// the negotiated extensions and the messages received.
const compressScript = `(path, msg, want) => { window.__compress = window.__compress || {}; new Promise((resolve) => {
  const r = { extensions: null, messages: [], error: "" };
  const ws = new WebSocket("ws://" + location.host + path);
  ws.onopen = () => { r.extensions = ws.extensions; ws.send(msg); };
  ws.onerror = () => { r.error = "error"; };
  ws.onmessage = (ev) => {
    r.messages.push(String(ev.data));
    if (r.messages.length === want) { ws.close(1000, "done"); }
  };
  ws.onclose = (ev) => { r.code = ev.code; resolve(r); };
}).then((r) => { window.__compress[path] = r; }); return true; }`

type compressResult struct {
	Extensions string   `json:"extensions"`
	Messages   []string `json:"messages"`
	Error      string   `json:"error"`
	Code       int      `json:"code"`
}

func TestCompressBrowser(t *testing.T) {
	browser := startChromium(t)
	long := strings.Repeat("wsplay compresses this line again and again. ", 3000) // 138 KB
	for _, compress := range []bool{true, false} {
		ts := startServer(t, func(c *Config) { c.Compress = compress })
		ctx := newTab(t, browser)
		do(t, ctx, chromedp.Navigate("http://"+ts.addr+"/lessons/"))
		run := func(path string, want int) compressResult {
			t.Helper()
			eval[bool](t, ctx, "("+compressScript+")("+jsString(path)+", "+jsString(long)+", "+strconv.Itoa(want)+")")
			waitFor(t, ctx, "window.__compress["+jsString(path)+"]")
			return eval[compressResult](t, ctx, "window.__compress["+jsString(path)+"]")
		}

		echo := run("/ws/echo", 1)
		wantExt := ""
		if compress {
			wantExt = "permessage-deflate"
		}
		if !strings.HasPrefix(echo.Extensions, wantExt) || (!compress && echo.Extensions != "") {
			t.Fatalf("-compress=%v: the page's ws.extensions is %q", compress, echo.Extensions)
		}
		t.Logf("-compress=%v: Chromium's ws.extensions: %q", compress, echo.Extensions)
		if len(echo.Messages) != 1 || echo.Messages[0] != long || echo.Code != 1000 {
			t.Fatalf("-compress=%v: echo of %d bytes: %d messages, close %d %s", compress, len(long), len(echo.Messages), echo.Code, echo.Error)
		}

		// /ws/inspect says what crossed the wire: after the handshake
		// report, a report of the browser's frame, the echo and a report
		// of the echo's frame.
		inspect := run("/ws/inspect", 4)
		if len(inspect.Messages) != 4 {
			t.Fatalf("inspect: %d messages, close %d %s", len(inspect.Messages), inspect.Code, inspect.Error)
		}
		echoes := 0
		for _, m := range inspect.Messages[1:] {
			if m == long {
				echoes++
				continue
			}
			rep := readReportFrom(t, []byte(m))
			if rep.Compressed != compress || (compress && rep.PayloadLen >= uint64(len(long))/20) {
				t.Fatalf("-compress=%v: the %s's frame: compressed %v, %d bytes on the wire for %d", compress, rep.From, rep.Compressed, rep.PayloadLen, len(long))
			}
			if compress && rep.InflatedLength != len(long) {
				t.Fatalf("the %s's frame inflates to %d bytes, want %d", rep.From, rep.InflatedLength, len(long))
			}
		}
		if echoes != 1 {
			t.Fatalf("inspect: %d echoes of the message", echoes)
		}
	}
}
