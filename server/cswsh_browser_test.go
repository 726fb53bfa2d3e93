//go:build !js

package main

// Cross-site WebSocket hijacking (RFC 6455 §10.2) and HTML injection through
// the chat, checked in a real browser: Chromium driven by chromedp, as in
// browser_test.go, with which these tests share their small helpers.

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"wsplay/core"
)

// attackHost is the name the attacking page is served under. Chromium maps
// it to 127.0.0.1 (--host-resolver-rules), so the test needs no network,
// while the page's origin, http://evil.test:PORT, is neither wsplay's own
// nor a loopback origin: the browser sends it as it would for any web site.
const attackHost = "evil.test"

// attackPage opens a WebSocket to each endpoint of the wsplay server named
// in the query (?ws=host:port), as a page on any site a student visits
// could, and records what its JavaScript saw in window.__results.
const attackPage = `<!doctype html><meta charset=utf-8><title>a page on another site</title>
<script>
const target = new URLSearchParams(location.search).get("ws");
function attempt(path) {
  return new Promise((resolve) => {
    const r = { opened: false, error: false, code: 0, clean: false, reply: "" };
    const ws = new WebSocket("ws://" + target + path);
    ws.onopen = () => { r.opened = true; if (path === "/ws/echo") ws.send("hijacked?"); };
    ws.onerror = () => { r.error = true; };
    ws.onmessage = (ev) => { if (!r.reply) { r.reply = String(ev.data); ws.close(1000, "done"); } };
    ws.onclose = (ev) => { r.code = ev.code; r.clean = ev.wasClean; resolve(r); };
  });
}
(async () => {
  const results = {};
  for (const p of ["/ws/echo", "/ws/inspect", "/ws/chat"]) results[p] = await attempt(p);
  window.__results = results;
})();
</script>`

// startChromium starts a headless Chromium for one test, with extra flags,
// and stops it when the test ends. It skips (or, with REQUIRE_BROWSER=1,
// fails) without a browser; newBrowserSuite starts its browser with it.
func startChromium(t *testing.T, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	exe := browserPath(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("lang", "en-US"),
	)
	opts = append(opts, extra...)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	browser, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelBrowser)
	// No timeout on the first call: it would bound the browser's life.
	start := time.Now()
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("starting %s: %v", exe, err)
	}
	t.Logf("browser started in %v", time.Since(start).Round(time.Millisecond))
	return browser
}

// newTab opens a tab with the test deadline.
func newTab(t *testing.T, browser context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	ctx, cancelT := context.WithTimeout(ctx, 25*time.Second)
	t.Cleanup(cancelT)
	do(t, ctx)
	return ctx
}

// wsHandshakes records the WebSocket handshakes a tab makes, as Chromium
// saw them: the Origin it sent, the status of a handshake that succeeded
// and, for one that failed (Chromium reports no response then), the
// message it wrote to the page's console.
type wsHandshakes struct {
	mu      sync.Mutex
	url     map[network.RequestID]string
	origin  map[string]string // by URL
	status  map[string]int64  // by URL
	console []string
}

func watchHandshakes(t *testing.T, ctx context.Context) *wsHandshakes {
	t.Helper()
	w := &wsHandshakes{url: map[network.RequestID]string{}, origin: map[string]string{}, status: map[string]int64{}}
	err := chromedp.Listen(ctx, func(ev any) {
		w.mu.Lock()
		defer w.mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventWebSocketCreated:
			w.url[ev.RequestID] = ev.URL
		case *network.EventWebSocketWillSendHandshakeRequest:
			if o, ok := ev.Request.Headers["Origin"]; ok {
				w.origin[w.url[ev.RequestID]] = fmt.Sprint(o)
			}
		case *network.EventWebSocketHandshakeResponseReceived:
			w.status[w.url[ev.RequestID]] = ev.Response.Status
		case *cdplog.EventEntryAdded:
			w.console = append(w.console, ev.Entry.Text)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// attempt is what the attacking page recorded for one endpoint.
type attempt struct {
	Opened, Error, Clean bool
	Code                 int
	Reply                string
}

func TestCrossSiteWebSocketHijacking(t *testing.T) {
	browser := startChromium(t, chromedp.Flag("host-resolver-rules", "MAP "+attackHost+" 127.0.0.1"))
	attacker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(attackPage))
	}))
	t.Cleanup(attacker.Close)
	_, port, _ := net.SplitHostPort(attacker.Listener.Addr().String())
	attackOrigin := "http://" + attackHost + ":" + port

	strict := startServer(t, nil)
	allowing := startServer(t, func(c *Config) { c.Origins = []string{attackOrigin} })
	cases := []struct {
		name   string
		page   string // the attacking page's origin
		server *testServer
		open   bool
	}{
		{"another site is refused", attackOrigin, strict, false},
		{"another site named with -origin is allowed", attackOrigin, allowing, true},
		// docs/server.md: loopback origins, any port, are allowed by
		// default, so that a learner's own test page works.
		{"a loopback page on another port is allowed", "http://127.0.0.1:" + port, strict, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := newTab(t, browser)
			hs := watchHandshakes(t, ctx)
			do(t, ctx, chromedp.Navigate(tc.page+"/?ws="+tc.server.addr))
			waitFor(t, ctx, `window.__results`)
			var results map[string]attempt
			if err := json.Unmarshal([]byte(eval[string](t, ctx, `JSON.stringify(window.__results)`)), &results); err != nil {
				t.Fatal(err)
			}
			for _, path := range []string{"/ws/echo", "/ws/inspect", "/ws/chat"} {
				r, url := results[path], "ws://"+tc.server.addr+path
				hs.mu.Lock()
				origin, status := hs.origin[url], hs.status[url]
				refusal := ""
				for _, m := range hs.console {
					if strings.Contains(m, url) {
						refusal = m
					}
				}
				hs.mu.Unlock()
				t.Logf("%s: page saw %+v; handshake Origin %q, status %d %s", path, r, origin, status, refusal)
				if origin != tc.page {
					t.Errorf("%s: Chromium sent Origin %q, want %q", path, origin, tc.page)
				}
				if !tc.open {
					if r.Opened || r.Reply != "" || !r.Error || r.Code != 1006 {
						t.Errorf("%s: a page from %s got %+v; want no open, an error, close 1006 and no data", path, tc.page, r)
					}
					if !strings.Contains(refusal, "403") {
						t.Errorf("%s: Chromium's console says %q, want the handshake refused with 403", path, refusal)
					}
					continue
				}
				if !r.Opened || r.Code != 1000 || !r.Clean || status != 101 {
					t.Errorf("%s: a page from %s got %+v; want open and a clean close 1000", path, tc.page, r)
					continue
				}
				var ev struct{ Type string }
				switch path {
				case "/ws/echo":
					if r.Reply != "hijacked?" {
						t.Errorf("echo answered %q", r.Reply)
					}
				case "/ws/inspect":
					if json.Unmarshal([]byte(r.Reply), &ev); ev.Type != "handshake" || !strings.Contains(r.Reply, tc.page) {
						t.Errorf("inspect's first message is not the handshake report with the Origin: %.200s", r.Reply)
					}
				case "/ws/chat":
					if json.Unmarshal([]byte(r.Reply), &ev); ev.Type != "welcome" {
						t.Errorf("chat's first message is not a welcome: %.200s", r.Reply)
					}
				}
			}
		})
	}

	// A client without Origin (not a browser: a script, curl, this test)
	// is accepted by both, as docs/server.md says; TestOrigin checks more.
	for _, ts := range []*testServer{strict, allowing} {
		c, err := coreDialOrigin(t, ts.addr, "/ws/echo", "", core.Config{})
		if err != nil {
			t.Fatalf("no Origin: %v", err)
		}
		c.CloseNow()
	}
}
