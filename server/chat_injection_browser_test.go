//go:build !js

package main

import (
	"context"
	"encoding/json"
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"

	"wsplay/core"
)

// TestChatInjection: a student joins the chat from a script, with a
// nickname and lines made of HTML and script. In the playground page of
// everyone else, live and in the history replayed on joining, the chat
// shows each nickname and line exactly as typed, as text: no element of
// theirs appears in the chat log and none of their script runs.
func TestChatInjection(t *testing.T) {
	ts := startServer(t, nil)
	browser := startChromium(t)
	const w = `[data-mount=chat] `
	join := func(nick string) context.Context {
		ctx := newTab(t, browser)
		do(t, ctx, chromedp.Navigate("http://"+ts.addr+"/#chat?nick="+url.QueryEscape(nick)))
		waitFor(t, ctx, `document.querySelector('`+w+`[data-role=join]')`)
		click(t, ctx, w+"[data-role=join]")
		waitFor(t, ctx, `!document.querySelector('`+w+`[data-role=send]').disabled`)
		return ctx
	}
	early := join("Early")

	// Nicknames: docs/server.md allows 1 to 24 characters without control
	// characters, so HTML that short is accepted and must show as text.
	refused := []string{`<img src=x onerror=__pwned=4>`, "<b>\a</b>"}
	for _, nick := range refused {
		c := coreDial(t, ts.addr, "/ws/chat?nick="+url.QueryEscape(nick), core.Config{})
		if _, _, err := c.ReadMessage(nil); closeCode(err) != core.StatusPolicyViolation {
			t.Errorf("nickname %q: got %v, want close 1008", nick, err)
		}
	}
	lines := map[string][]string{
		"Mallory": {
			`<img src=x onerror="window.__pwned=1">`,
			`<script>window.__pwned=2</script>`,
			`"><svg onload=window.__pwned=3>`,
			`</span></li><li><b>not a message</b>`,
			`<iframe srcdoc="<script>parent.__pwned=6</script>"></iframe>`,
			`<a href="javascript:window.__pwned=7">click me</a>`,
			`<style>body{display:none}</style>`,
			`&lt;b&gt; entities stay as typed &amp;`,
		},
		`<b>bold</b>`:            {`hello from <b>bold</b>`},
		`<svg onload=__pwned=5>`: {`hi`},
	}
	type said struct{ nick, text string }
	var all []said
	for nick, texts := range lines {
		c := coreDial(t, ts.addr, "/ws/chat?nick="+url.QueryEscape(nick), core.Config{})
		if got := readChatUntil(t, c, "welcome", ""); got.Nick != nick {
			t.Fatalf("nickname %q was changed to %q", nick, got.Nick)
		}
		for _, text := range texts {
			if err := c.WriteMessage(core.OpText, []byte(text)); err != nil {
				t.Fatal(err)
			}
			readChatUntil(t, c, "message", text) // the room took it
			all = append(all, said{nick, text})
		}
		defer c.Close(core.StatusNormalClosure, "")
	}
	late := join("Late") // sees the same lines in the history

	for name, ctx := range map[string]context.Context{"live": early, "history": late} {
		for _, s := range all {
			find := `[...document.querySelectorAll('` + w + `[data-role=chat-message]')].find(li => li.querySelector(".nick").textContent === ` +
				jsString(s.nick) + ` && li.querySelector("[data-role=chat-text]").textContent === ` + jsString(s.text) + `)`
			waitFor(t, ctx, find)
		}
		if tags := eval[string](t, ctx, `[...document.querySelectorAll('`+w+`[data-role=chat-log] :is(img, script, svg, b, iframe, a, style)')].map(e => e.outerHTML).join(" ")`); tags != "" {
			t.Errorf("%s: the chat log holds elements a message or nickname brought: %s", name, tags)
		}
		if pwned := eval[string](t, ctx, `String(window.__pwned)`); pwned != "undefined" {
			t.Errorf("%s: window.__pwned is %s: a chat message's script ran", name, pwned)
		}
		if shown := eval[bool](t, ctx, `getComputedStyle(document.body).display !== "none"`); !shown {
			t.Errorf("%s: a <style> line hid the page", name)
		}
	}
	// The nickname is shown as text in the join events too.
	if !eval[bool](t, early, `[...document.querySelectorAll('`+w+`[data-role=chat-log] .event .nick')].some(e => e.textContent === "<b>bold</b>")`) {
		t.Error("the join of <b>bold</b> does not show the nickname as typed")
	}
}

// readChatUntil reads chat events until one of type typ (and, when text is
// not empty, with that text) arrives.
func readChatUntil(t *testing.T, c *core.Conn, typ, text string) chatEvent {
	t.Helper()
	for {
		_, msg, err := c.ReadMessage(nil)
		if err != nil {
			t.Fatalf("waiting for a %s event: %v", typ, err)
		}
		var ev chatEvent
		if err := json.Unmarshal(msg, &ev); err != nil {
			t.Fatalf("chat event %q: %v", msg, err)
		}
		if ev.Type == typ && (text == "" || ev.Text == text) {
			return ev
		}
	}
}
