//go:build !js

package examples_test

// Lessons 15 and 16 say what a browser's WebSocket API does: which close
// codes close() accepts, what onclose reports, what happens to a refused
// handshake, and how the browser judges the server's Sec-WebSocket-Protocol.
// This test asks a real headless Chromium, against a raw server whose
// answers the test chooses.

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"wsplay/core"
)

// chromiumForLessons finds Chromium as the server's browser tests do, and
// skips without it (fails with REQUIRE_BROWSER=1).
func chromiumForLessons(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	if p := os.Getenv("CHROME_PATH"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	if os.Getenv("REQUIRE_BROWSER") == "1" {
		t.Fatal("no Chromium and REQUIRE_BROWSER=1")
	}
	t.Skip("no Chromium: install it (apt-get install chromium) or set CHROME_PATH")
	return ""
}

// lessonServer is the raw server the page talks to (see startLessonServer).
type lessonServer struct {
	addr        string
	closeFrames chan []byte // the payload (unmasked) of each close frame read from the page; nil when none came
}

// startLessonServer serves a blank page on GET / and, on a WebSocket
// handshake: /answer?p=NAME answers 101 with Sec-WebSocket-Protocol: NAME
// (none when p is empty); /refuse answers 403; /close answers 101, reads
// the page's close frame and answers it with the same code and reason.
func startLessonServer(t *testing.T) *lessonServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &lessonServer{addr: ln.Addr().String(), closeFrames: make(chan []byte, 4)}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *lessonServer) serve(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	br := bufio.NewReader(c)
	req, err := core.ReadRequest(br, 0)
	if err != nil {
		return
	}
	if !req.Header.HasToken("Upgrade", "websocket") {
		page := "<!doctype html><title>lesson 15</title>"
		fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(page), page)
		return
	}
	u, _ := url.Parse(req.Target)
	if u.Path == "/refuse" {
		io.WriteString(c, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
		return
	}
	head := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + core.Accept(req.Key()) + "\r\n"
	if p := u.Query().Get("p"); u.Path == "/answer" && p != "" {
		head += "Sec-WebSocket-Protocol: " + p + "\r\n"
	}
	io.WriteString(c, head+"\r\n")
	if u.Path == "/badtext" {
		c.Write([]byte{0x81, 0x02, 0xc3, 0x28}) // a text frame whose payload is not UTF-8
	}
	if u.Path != "/close" && u.Path != "/badtext" {
		io.Copy(io.Discard, br)
		return
	}
	// Read one short masked frame from the page: 2 header bytes, the key,
	// the payload (under 126 bytes here).
	var hdr [6]byte
	if _, err := io.ReadFull(br, hdr[:]); err != nil || hdr[0] != 0x88 || hdr[1]&0x80 == 0 || hdr[1]&0x7f > 125 {
		s.closeFrames <- nil
		return
	}
	payload := make([]byte, hdr[1]&0x7f)
	if _, err := io.ReadFull(br, payload); err != nil {
		s.closeFrames <- nil
		return
	}
	core.Mask([4]byte(hdr[2:6]), 0, payload)
	s.closeFrames <- payload
	if u.Path == "/close" {
		c.Write(append([]byte{0x88, byte(len(payload))}, payload...)) // the same code and reason, unmasked
	}
}

func TestBrowserAPIAsLessonsSay(t *testing.T) {
	exe := chromiumForLessons(t)
	s := startLessonServer(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.DisableGPU, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-component-update", true))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(alloc)
	defer cancelBrowser()
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("starting %s: %v", exe, err)
	}
	ctx, cancel := context.WithTimeout(browser, 40*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate("http://"+s.addr+"/")); err != nil {
		t.Fatal(err)
	}
	run := func(t *testing.T, expr string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("evaluating %s: %v", expr, err)
		}
		return v
	}
	ws := "ws://" + s.addr

	// Lesson 16, "The server's answer, and the browser's verdict".
	t.Run("subprotocol verdicts", func(t *testing.T) {
		outcome := func(path, protocols string) string {
			return run(t, `new Promise((resolve) => {
				const ws = new WebSocket(`+"`"+ws+path+"`"+`, `+protocols+`);
				let opened = false;
				ws.onopen = () => { opened = true; resolve("open " + JSON.stringify(ws.protocol)); ws.close(); };
				ws.onclose = (e) => { if (!opened) resolve("failed " + e.code); };
			})`)
		}
		for _, c := range []struct{ name, path, protocols, want string }{
			{"nothing asked, nothing answered", "/answer", "[]", `open ""`},
			{"one offered value chosen", "/answer?p=chat.v1", `["chat.v2", "chat.v1"]`, `open "chat.v1"`},
			{"a value nobody offered", "/answer?p=chat.v3", `["chat.v2", "chat.v1"]`, "failed 1006"},
			{"a protocol answered to a page that asked none", "/answer?p=chat", "[]", "failed 1006"},
			{"a protocol asked, none answered (Chrome)", "/answer", `["chat.v2"]`, "failed 1006"},
		} {
			if got := outcome(c.path, c.protocols); got != c.want {
				t.Errorf("%s: the page got %s, want %s", c.name, got, c.want)
			}
		}
	})

	// Lesson 15, "onclose: code, reason and wasClean": a refused handshake
	// is 1006 and not clean, whatever the status.
	t.Run("a refused handshake is 1006", func(t *testing.T) {
		got := run(t, `new Promise((resolve) => {
			const ws = new WebSocket("`+ws+`/refuse");
			let errored = false;
			ws.onerror = () => { errored = true; };
			ws.onclose = (e) => resolve(JSON.stringify([errored, e.code, e.wasClean, e.reason]));
		})`)
		if got != `[true,1006,false,""]` {
			t.Errorf("a 403 gave the page [error event, code, wasClean, reason] = %s, want [true,1006,false,\"\"]", got)
		}
	})

	// Lesson 15, "Text, binary and binaryType": invalid UTF-8 from the
	// server never reaches the page; the browser fails the connection.
	// RFC 6455 §7.4.1 has 1007 for this, but Chromium sends 1002 with its
	// own reason, and the page sees 1006: the lesson says so.
	t.Run("invalid UTF-8 fails the connection", func(t *testing.T) {
		got := run(t, `new Promise((resolve) => {
			const ws = new WebSocket("`+ws+`/badtext");
			const seen = [];
			ws.onmessage = (e) => seen.push(e.data);
			ws.onclose = (e) => resolve(JSON.stringify([seen.length, e.code, e.wasClean]));
		})`)
		select {
		case p := <-s.closeFrames:
			if len(p) < 2 || binary.BigEndian.Uint16(p) != 1002 || string(p[2:]) != "Invalid UTF-8 in text frame" {
				t.Errorf("after invalid UTF-8 the browser sent the close payload % x (%q), want 1002 and \"Invalid UTF-8 in text frame\", as lesson 15 quotes", p, p)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the browser sent no close frame after invalid UTF-8")
		}
		if got != "[0,1006,false]" {
			t.Errorf("the page saw [messages, code, wasClean] = %s, want [0,1006,false]", got)
		}
	})

	// Lesson 15's table: close() with no code sends a close frame with no
	// body, and the server's empty answer reads as 1005 on the page.
	t.Run("close without a code", func(t *testing.T) {
		got := run(t, `(async () => {
			const ws = new WebSocket("`+ws+`/close");
			await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
			const closed = new Promise((resolve) => { ws.onclose = resolve; });
			ws.close();
			const e = await closed;
			return JSON.stringify([e.code, e.wasClean]);
		})()`)
		select {
		case p := <-s.closeFrames:
			if p == nil || len(p) != 0 {
				t.Errorf("close() sent the payload % x (nil: not a close frame), want none", p)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the server got no close frame")
		}
		if got != "[1005,true]" {
			t.Errorf("onclose after an empty close frame: [code, wasClean] = %s, want [1005,true]", got)
		}
	})

	// Lesson 15, "close(): the codes a page may send", "bufferedAmount".
	t.Run("close codes and after", func(t *testing.T) {
		got := run(t, `(async () => {
			const ws = new WebSocket("`+ws+`/close");
			await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
			const tries = [];
			for (const args of [[1001], [1008], [2999], [5000], [1000, "x".repeat(124)]]) {
				try { ws.close(...args); tries.push("sent"); } catch (e) { tries.push(e.name); }
			}
			const closed = new Promise((resolve) => { ws.onclose = resolve; });
			ws.close(4000, "bye");
			const e = await closed;
			const before = ws.bufferedAmount;
			let threw = "no";
			try { ws.send("abcd"); } catch (err) { threw = err.name; }
			return JSON.stringify({tries, code: e.code, reason: e.reason, wasClean: e.wasClean,
				binaryType: ws.binaryType, sendAfterClose: threw, grew: ws.bufferedAmount - before});
		})()`)
		var r struct {
			Tries          []string
			Code           int
			Reason         string
			WasClean       bool
			BinaryType     string
			SendAfterClose string
			Grew           int
		}
		if err := json.Unmarshal([]byte(got), &r); err != nil {
			t.Fatalf("%s: %v", got, err)
		}
		want := []string{"InvalidAccessError", "InvalidAccessError", "InvalidAccessError", "InvalidAccessError", "SyntaxError"}
		if strings.Join(r.Tries, " ") != strings.Join(want, " ") {
			t.Errorf("close(1001), close(1008), close(2999), close(5000), close(1000, 124 bytes): %v, want %v", r.Tries, want)
		}
		select {
		case p := <-s.closeFrames:
			if len(p) < 2 || binary.BigEndian.Uint16(p) != 4000 || string(p[2:]) != "bye" {
				t.Errorf("close(4000, \"bye\") sent the payload % x, want 0f a0 and bye", p)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the server got no close frame")
		}
		if r.Code != 4000 || r.Reason != "bye" || !r.WasClean {
			t.Errorf("onclose: code %d, reason %q, wasClean %v; want 4000, bye, true", r.Code, r.Reason, r.WasClean)
		}
		if r.BinaryType != "blob" {
			t.Errorf("binaryType defaults to %q, want blob", r.BinaryType)
		}
		if r.SendAfterClose != "no" || r.Grew != 4 {
			t.Errorf("send(\"abcd\") after the close: threw %s, bufferedAmount grew by %d; want no exception and 4", r.SendAfterClose, r.Grew)
		}
	})
}
