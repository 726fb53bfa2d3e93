//go:build !js

package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"wsplay/check/testdata/naive"
	"wsplay/core"
)

// The "Tap my server" panel in Chromium: the browser's own WebSocket
// reaches (a) wsplay's /ws/echo, (b) an echo server built on
// coder/websocket and (c) the classic recipe (its Go port) through
// /ws/tap; every frame appears with the bytes that crossed, opens in the
// frame view and the masking stepper, the handshake row opens the
// handshake view, and broken rules are flagged by id.
func TestTapBrowser(t *testing.T) {
	s := newBrowserSuite(t)
	host := strings.TrimSuffix(strings.TrimPrefix(s.base, "http://"), "/")
	const w = `[data-mount=tap] `
	rows := func(from string) string {
		return `document.querySelectorAll('` + w + `[data-role=tap-row][data-from=` + from + `]')`
	}

	t.Run("WsplayEcho", func(t *testing.T) {
		target := "ws://" + host + "/ws/echo"
		ctx := s.tab(t, "#tap?target="+url.QueryEscape(target))
		if got := eval[string](t, ctx, `document.querySelector('`+w+`[data-role=tap-url]').value`); got != target {
			t.Fatalf("the deep link filled the URL with %q, want %q", got, target)
		}
		click(t, ctx, w+"[data-role=tap-connect]")
		waitFor(t, ctx, `document.querySelector('`+w+`[data-role=tap-handshake]') && !document.querySelector('`+w+`[data-role=tap-send-text]').disabled`)
		setField(t, ctx, w+"[data-role=tap-text]", "Hello")
		click(t, ctx, w+"[data-role=tap-send-text]")
		waitFor(t, ctx, rows("server")+`.length === 1`)
		if hex := eval[string](t, ctx, rows("server")+`[0].dataset.hex`); hex != "81 05 48 65 6c 6c 6f" {
			t.Errorf("server frame %q, want the echo's exact bytes", hex)
		}
		client := eval[string](t, ctx, rows("client")+`[0].dataset.hex`)
		if !strings.HasPrefix(client, "81 85 ") || len(client) != len("81 85 00 00 00 00 00 00 00 00 00") {
			t.Errorf("client frame %q, want a masked 5-byte text frame", client)
		}
		// A client row opens in the frame view and the masking stepper.
		eval[chromedp.Void](t, ctx, rows("client")+`[0].click()`)
		waitFor(t, ctx, `document.querySelector('`+w+`[data-role=tap-detail] .frame-widget') && document.querySelector('`+w+`[data-role=tap-detail] .mask-widget')`)
		if href := eval[string](t, ctx, `document.querySelector('`+w+`[data-role=tap-open-frame]').getAttribute("href")`); !strings.Contains(href, "#frame?hex=") {
			t.Errorf("frame lab link %q", href)
		}
		// The handshake row opens the handshake view: the Accept matches.
		click(t, ctx, w+"[data-role=tap-handshake]")
		waitFor(t, ctx, `document.querySelector('`+w+`[data-role=tap-detail] [data-role=accept-verdict]')`)
		if v := text(t, ctx, w+"[data-role=tap-detail] [data-role=accept-verdict]"); !strings.HasPrefix(v, "=") {
			t.Errorf("accept verdict %q", v)
		}
		if d := text(t, ctx, w+"[data-role=tap-detail]"); strings.Contains(d, "null") || strings.Contains(d, "undefined") {
			t.Errorf("the handshake view shows a missing value: %q", d)
		}
		if rw := text(t, ctx, w+"[data-role=tap-rewrites]"); !strings.Contains(rw, "/ws/echo") || !strings.Contains(rw, "Sec-WebSocket-Extensions") {
			t.Errorf("rewrites %q", rw)
		}
		s.shot(t, ctx, "7-tap-my-server")
		click(t, ctx, w+"[data-role=tap-close]")
		waitFor(t, ctx, rows("client")+`.length === 2 && `+rows("client")+`[1].dataset.opcode === "close"`)

		// The tapped session reads as a whole transcript in panel 8:
		// the same frames, every byte of each explained once.
		waitFor(t, ctx, rows("server")+`.length === 2`) // the server's close
		click(t, ctx, w+"[data-role=tap-transcript]")
		waitFor(t, ctx, `location.hash === "#transcript" && document.querySelector('[data-mount=transcript] [data-byte]')`)
		frames := eval[[]string](t, ctx, `[...document.querySelectorAll('[data-mount=tap] [data-role=tap-row]')].map(r => r.dataset.hex.replaceAll(" ", ""))`)
		for i, hexFrame := range frames {
			got := eval[string](t, ctx, fmt.Sprintf(`[...document.querySelectorAll('[data-mount=transcript] [data-byte][data-frame="%d"]')].map(b => b.textContent).join("")`, i+1))
			if got != hexFrame {
				t.Errorf("transcript frame %d shows %q, the tap reported %q", i+1, got, hexFrame)
			}
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('[data-mount=transcript] details.t-frame').length`); n != len(frames) {
			t.Errorf("%d frames in the transcript, %d tapped", n, len(frames))
		}
	})

	t.Run("CoderEcho", func(t *testing.T) {
		target := startCoderEcho(t, "127.0.0.1:0")
		ctx := s.tab(t, "#tap")
		setField(t, ctx, w+"[data-role=tap-url]", target)
		click(t, ctx, w+"[data-role=tap-connect]")
		waitFor(t, ctx, `!document.querySelector('`+w+`[data-role=tap-send-binary]').disabled`)
		setField(t, ctx, w+"[data-role=tap-binary]", "00 01 fe ff")
		click(t, ctx, w+"[data-role=tap-send-binary]")
		waitFor(t, ctx, rows("server")+`.length === 1`)
		if hex := eval[string](t, ctx, rows("server")+`[0].dataset.hex`); hex != "82 04 00 01 fe ff" {
			t.Errorf("server frame %q", hex)
		}
		if rules := eval[string](t, ctx, `Array.from(document.querySelectorAll('`+w+`[data-role=tap-row]')).map(r => r.dataset.rules).join("")`); rules != "" {
			t.Errorf("rules flagged against a correct server: %q", rules)
		}
	})

	t.Run("ClassicRecipe", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		go naive.Serve(ln)
		ctx := s.tab(t, "#tap?target="+url.QueryEscape("ws://"+ln.Addr().String()+"/"))
		click(t, ctx, w+"[data-role=tap-connect]")
		waitFor(t, ctx, `!document.querySelector('`+w+`[data-role=tap-close]').disabled`)
		// The recipe echoes the close frame as a text frame, whose
		// payload (the status code 0x03e8, then "bye") is not UTF-8.
		click(t, ctx, w+"[data-role=tap-close]")
		waitFor(t, ctx, rows("server")+`.length >= 1`)
		row := rows("server") + `[0]`
		if op, rules := eval[string](t, ctx, row+`.dataset.opcode`), eval[string](t, ctx, row+`.dataset.rules`); op != "text" || rules != "invalid-utf8" {
			t.Errorf("the recipe's answer to a close: %s frame, rules %q", op, rules)
		}
		eval[chromedp.Void](t, ctx, row+`.click()`)
		waitFor(t, ctx, `document.querySelector('`+w+`[data-role=tap-problems] a')`)
		if href := eval[string](t, ctx, `document.querySelector('`+w+`[data-role=tap-problems] a').getAttribute("href")`); href != "/lessons/utf8" {
			t.Errorf("lesson link %q", href)
		}
	})

	t.Run("HostileText", func(t *testing.T) {
		// A server whose text and close reason are HTML and terminal
		// escapes: the panel shows them as characters and runs nothing.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		const evil = `<img src=x onerror="window.pwned=1">`
		go func() {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
			br := bufio.NewReader(c)
			req, err := core.ReadRequest(br, 0)
			if err != nil {
				return
			}
			resp := req.NewResponse(core.ResponseOptions{})
			c.Write(resp.AppendResponse(nil))
			c.Write(core.AppendFrameHeader(nil, core.FrameHeader{Fin: true, Opcode: core.OpText, Length: uint64(len(evil))}))
			c.Write([]byte(evil))
			io.Copy(io.Discard, br)
		}()
		ctx := s.tab(t, "#tap?target="+url.QueryEscape("ws://"+ln.Addr().String()+"/"))
		click(t, ctx, w+"[data-role=tap-connect]")
		waitFor(t, ctx, rows("server")+`.length === 1`)
		eval[chromedp.Void](t, ctx, rows("server")+`[0].click()`)
		waitFor(t, ctx, `document.querySelector('`+w+`[data-role=tap-detail] .frame-widget')`)
		if got := eval[string](t, ctx, rows("server")+`[0].querySelector("[data-role=row-text]").textContent`); got != "“"+evil+"”" {
			t.Errorf("row text %q", got)
		}
		if eval[bool](t, ctx, `window.pwned === 1 || document.querySelector('`+w+`img') !== null`) {
			t.Error("the server's text ran as HTML")
		}
	})

	t.Run("Refused", func(t *testing.T) {
		ctx := s.tab(t, "#tap?target="+url.QueryEscape("ws://10.1.2.3:9001/"))
		click(t, ctx, w+"[data-role=tap-connect]")
		waitFor(t, ctx, `!document.querySelector('`+w+`[data-role=tap-note]').hidden`)
		if n := text(t, ctx, w+"[data-role=tap-note]"); !strings.Contains(n, "servers on this machine") {
			t.Errorf("refusal %q", n)
		}
	})
}
