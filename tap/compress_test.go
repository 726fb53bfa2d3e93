//go:build !js

package tap

import (
	"bytes"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"wsplay/core"
)

// startDeflateEcho serves an echo server built on core that negotiates
// permessage-deflate, as wsplay's /ws/echo does, and returns its ws:// URL.
func startDeflateEcho(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _, err := core.Upgrade(w, r, core.UpgradeOptions{Deflate: &core.DeflateOptions{}})
		if err != nil {
			return
		}
		c.ReadLoop(func(op core.Opcode, msg []byte) error { return c.WriteMessage(op, msg) })
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/echo"
}

// startCompressTap runs a tap that forwards permessage-deflate offers.
func startCompressTap(t *testing.T, targetURL string, lim Limits) (string, *recorder) {
	t.Helper()
	rec := newRecorder()
	addr := startTapWith(t, targetURL, lim, 0, rec.Emit, true)
	return addr, rec
}

// compressedFrame builds a frame with RSV1 set: permessage-deflate's bit.
func compressedFrame(fin bool, op core.Opcode, mask bool, payload []byte, rsv byte) []byte {
	b := frame(fin, op, mask, payload)
	b[0] |= rsv << 4
	return b
}

// messages groups a direction's frame reports by message: the frames up
// to and including each one with FIN set (control frames are left out).
func messages(evs []Event, from string) [][]*Frame {
	var out [][]*Frame
	var cur []*Frame
	for _, e := range pick(evs, "frame", from) {
		f := e.Frame
		if f.Opcode >= 8 {
			continue
		}
		cur = append(cur, f)
		if f.Fin {
			out = append(out, cur)
			cur = nil
		}
	}
	return out
}

// A core client and a core server that agree permessage-deflate talk
// through the tap unchanged, and the tap shows every compressed message
// inflated, in both directions, with what compression saved.
func TestCompressedEcho(t *testing.T) {
	addr, rec := startCompressTap(t, startDeflateEcho(t), Limits{Keep: 2000, Tail: 64})
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	nc.SetDeadline(time.Now().Add(testDeadline))
	req := &core.ClientRequest{Host: addr, Target: "/", Extensions: []core.Extension{core.DeflateOffer()}}
	resp, br, err := core.Handshake(nc, req)
	if err != nil {
		t.Fatal(err)
	}
	params, err := resp.Deflate(req)
	if err != nil || params == nil {
		t.Fatalf("the server behind the tap did not agree permessage-deflate: %v, %v", params, err)
	}
	// The payload bytes of each message as the client's core sent and
	// received them: the compressed length the report must give.
	var mu sync.Mutex
	wireLen := map[core.Direction]int{}
	c := core.NewConn(nc, br, core.Client, core.Config{Deflate: params, OnFrame: func(d core.Direction, wire []byte) {
		h, n, _ := core.ParseFrameHeader(wire)
		if !h.Opcode.IsControl() {
			mu.Lock()
			wireLen[d] += len(wire) - n
			mu.Unlock()
		}
	}})
	defer c.CloseNow()
	cases := []struct {
		name  string
		op    core.Opcode
		msg   []byte
		frame int // fragment size; 0: one frame
	}{
		{"text", core.OpText, []byte(strings.Repeat("a repetitive message, ", 100)), 0},
		{"binary", core.OpBinary, bytes.Repeat([]byte{0, 1, 2, 3}, 3000), 0},
		{"fragmented text", core.OpText, []byte(strings.Repeat("fragments of one compressed message; ", 200)), 50},
		{"short, sent uncompressed", core.OpText, []byte("hi"), 0},
		{"non-ASCII text", core.OpText, []byte(strings.Repeat("压缩的文本，", 100)), 0},
	}
	for i, tc := range cases {
		mu.Lock()
		wireLen = map[core.Direction]int{}
		mu.Unlock()
		if err := c.WriteFragmented(tc.op, tc.msg, tc.frame); err != nil {
			t.Fatal(err)
		}
		op, got, err := c.ReadMessage(nil)
		if err != nil || op != tc.op || !bytes.Equal(got, tc.msg) {
			t.Fatalf("%s: echo %v, %d bytes, %v", tc.name, op, len(got), err)
		}
		evs := rec.wait(t, tc.name, func(evs []Event) bool {
			return len(messages(evs, "client")) > i && len(messages(evs, "server")) > i
		})
		mu.Lock()
		sizes := map[string]int{"client": wireLen[core.Sent], "server": wireLen[core.Received]}
		mu.Unlock()
		for _, from := range []string{"client", "server"} {
			fs := messages(evs, from)[i]
			last := fs[len(fs)-1]
			for _, e := range pick(evs, "frame", from) {
				if len(e.Problems) > 0 {
					t.Errorf("%s: %s frame %d broke %s", tc.name, from, e.Frame.Seq, ruleIDs(e.Problems))
				}
			}
			if len(tc.msg) < 32 {
				if fs[0].Compressed || last.Inflated != nil || fs[0].Text != string(tc.msg) {
					t.Errorf("%s: %s: an uncompressed message reported compressed=%v inflated=%v text %q", tc.name, from, fs[0].Compressed, last.Inflated, fs[0].Text)
				}
				continue
			}
			if tc.frame > 0 && from == "client" && len(fs) < 2 {
				t.Errorf("%s: %s sent %d frames", tc.name, from, len(fs))
			}
			if fs[0].Rsv != 4 || !fs[0].Compressed || fs[0].Text != "" {
				t.Errorf("%s: %s's first frame: rsv %d, compressed %v, text %q", tc.name, from, fs[0].Rsv, fs[0].Compressed, fs[0].Text)
			}
			in := last.Inflated
			if in == nil {
				t.Fatalf("%s: %s's message not inflated", tc.name, from)
			}
			shown := tc.msg[:min(len(tc.msg), 2000)]
			if in.Length != uint64(len(tc.msg)) || in.Compressed != uint64(sizes[from]) || in.Saved != int64(len(tc.msg)-sizes[from]) ||
				in.Cut || in.NotInflated != "" || in.Data != hexOf(shown) {
				t.Errorf("%s: %s inflated %+v; want length %d from %d compressed", tc.name, from, *in, len(tc.msg), sizes[from])
			}
			if tc.op == core.OpText && in.Text != string(shown) {
				t.Errorf("%s: %s inflated text %q", tc.name, from, in.Text)
			}
			if tc.op == core.OpBinary && in.Text != "" {
				t.Errorf("%s: a binary message shown as text %q", tc.name, in.Text)
			}
			if len(tc.msg) > 2000 && in.Tail != hexOf(tc.msg[len(tc.msg)-64:]) {
				t.Errorf("%s: %s tail %s", tc.name, from, in.Tail)
			}
		}
	}
	evs := rec.waitType(t, "response", "server", 1)
	if r := pick(evs, "request", "client")[0]; len(r.Head.Rewrites) != 2 || !strings.Contains(r.Head.Forwarded, "permessage-deflate") {
		t.Errorf("the offer was not forwarded as sent: %+v", r.Head.Rewrites)
	}
	if r := pick(evs, "response", "server")[0]; !strings.Contains(r.Message, "permessage-deflate") || len(r.Problems) > 0 {
		t.Errorf("response event: %q %v", r.Message, ruleIDs(r.Problems))
	}
	var out bytes.Buffer
	p := &Printer{W: &out}
	for _, e := range evs {
		p.Emit(e)
	}
	if !strings.Contains(out.String(), "compressed") || !strings.Contains(out.String(), "inflated: 2200 bytes from") {
		t.Errorf("the terminal output does not show the inflated message:\n%s", out.String())
	}
}

func hexOf(b []byte) string { return spacedHex(b) }

func spacedHex(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

// A client that takes context over (its offer has no
// client_no_context_takeover) refers back to its earlier messages: the
// tap inflates each with the window of the ones before, across
// fragments. The bytes are RFC 7692 §7.2.3.2's "Hello" twice.
func TestCompressedContextTakeover(t *testing.T) {
	addr, rec := startCompressTap(t, startDeflateEcho(t), Limits{})
	c := rawDial(t, addr, "/")
	resp := c.response()
	if resp.Status != 101 || !strings.Contains(resp.Header.Get("Sec-WebSocket-Extensions"), "permessage-deflate") ||
		strings.Contains(resp.Header.Get("Sec-WebSocket-Extensions"), "client_no_context_takeover") {
		t.Fatalf("status %d, extensions %q", resp.Status, resp.Header.Get("Sec-WebSocket-Extensions"))
	}
	first := []byte{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}
	again := []byte{0xf2, 0x00, 0x11, 0x00, 0x00}
	c.send(compressedFrame(true, core.OpText, true, first, 4))
	c.send(compressedFrame(true, core.OpText, true, again, 4))
	c.send(append(compressedFrame(false, core.OpText, true, again[:2], 4), frame(true, core.OpContinuation, true, again[2:])...))
	for range 3 {
		if echo := c.readFrame(); string(echo[2:]) != "Hello" {
			t.Fatalf("the server echoed % x", echo)
		}
	}
	evs := rec.wait(t, "three messages", func(evs []Event) bool { return len(messages(evs, "client")) == 3 })
	for i, fs := range messages(evs, "client") {
		in := fs[len(fs)-1].Inflated
		if in == nil || in.Text != "Hello" || in.Length != 5 {
			t.Errorf("message %d inflated %+v", i+1, in)
		}
	}
	for _, e := range pick(evs, "frame", "") {
		if len(e.Problems) > 0 {
			t.Errorf("%s frame %d broke %s", e.From, e.Frame.Seq, ruleIDs(e.Problems))
		}
	}
}

// A compressed message that inflates to more than Limits.Inflate is
// reported cut at the limit and relayed whole; the next message is
// inflated as usual (the client takes no context over).
func TestCompressedOverLimit(t *testing.T) {
	addr, rec := startCompressTap(t, startDeflateEcho(t), Limits{Inflate: 64 << 10})
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	nc.SetDeadline(time.Now().Add(testDeadline))
	// No client_max_window_bits: the client compresses with a 32 KiB
	// window, and a megabyte of zeros becomes about a kilobyte.
	offer := core.Extension{Name: core.DeflateName, Params: []core.HeaderField{{Name: "client_no_context_takeover"}}}
	req := &core.ClientRequest{Host: addr, Target: "/", Extensions: []core.Extension{offer}}
	resp, br, err := core.Handshake(nc, req)
	if err != nil {
		t.Fatal(err)
	}
	params, _ := resp.Deflate(req)
	c := core.NewConn(nc, br, core.Client, core.Config{Deflate: params})
	defer c.CloseNow()
	for _, msg := range [][]byte{make([]byte, 1<<20), bytes.Repeat([]byte("after the bomb "), 10)} {
		if err := c.WriteMessage(core.OpBinary, msg); err != nil {
			t.Fatal(err)
		}
		if _, got, err := c.ReadMessage(nil); err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("echo: %d bytes, %v", len(got), err)
		}
	}
	evs := rec.wait(t, "two messages each way", func(evs []Event) bool {
		return len(messages(evs, "client")) == 2 && len(messages(evs, "server")) == 2
	})
	for _, from := range []string{"client", "server"} {
		ms := messages(evs, from)
		bomb, next := ms[0][len(ms[0])-1].Inflated, ms[1][len(ms[1])-1].Inflated
		if bomb == nil || !bomb.Cut || bomb.Length != 64<<10+1 || bomb.Compressed > 4<<10 {
			t.Errorf("%s: the bomb reported %+v", from, bomb)
		}
		if next == nil || next.Cut || next.Length != 150 {
			t.Errorf("%s: the next message reported %+v", from, next)
		}
	}
}

// badServer answers the handshake with extensions (none when empty), then
// sends frames and waits for the client to close.
func badServer(t *testing.T, extensions string, frames []byte) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(testDeadline))
		head, _, err := readHead(c, 1<<14, time.Now().Add(testDeadline))
		if err != nil {
			return
		}
		r, err := core.ParseRequest(head)
		if err != nil {
			return
		}
		resp := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + core.Accept(r.Key()) + "\r\n"
		if extensions != "" {
			resp += "Sec-WebSocket-Extensions: " + extensions + "\r\n"
		}
		c.Write(append([]byte(resp+"\r\n"), frames...))
		buf := make([]byte, 64)
		for {
			if _, err := c.Read(buf); err != nil {
				return
			}
		}
	}()
	return "ws://" + ln.Addr().String() + "/"
}

// A server that breaks permessage-deflate's rules: the tap relays its
// bytes unchanged and names each broken rule with the core's rule id.
func TestCompressionRulesBroken(t *testing.T) {
	hello := []byte{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}
	cases := []struct {
		name       string
		extensions string
		frames     []byte
		want       []string // rule ids per frame report, "garbage" for a garbage event
	}{
		{"RSV1 on a continuation frame", "permessage-deflate",
			append(compressedFrame(false, core.OpText, false, hello[:3], 4), compressedFrame(true, core.OpContinuation, false, hello[3:], 4)...),
			[]string{"", "compressed-bit"}},
		{"RSV1 on a ping", "permessage-deflate",
			compressedFrame(true, core.OpPing, false, []byte("hi"), 4),
			[]string{"compressed-bit"}},
		{"RSV1 on uncompressed bytes", "permessage-deflate",
			compressedFrame(true, core.OpText, false, []byte("Hello, this text was never compressed"), 4),
			[]string{"inflate"}},
		{"RSV1 without the extension", "",
			compressedFrame(true, core.OpText, false, hello, 4),
			[]string{"garbage:reserved-bits"}},
		{"RSV2, which permessage-deflate does not define", "permessage-deflate",
			compressedFrame(true, core.OpText, false, hello, 2),
			[]string{"garbage:reserved-bits"}},
		{"an answer without an offer's fit", "permessage-deflate; server_max_window_bits=16",
			frame(true, core.OpText, false, []byte("plain")),
			[]string{"response:deflate-window-bits", ""}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr, rec := startCompressTap(t, badServer(t, tc.extensions, tc.frames), Limits{})
			c := rawDial(t, addr, "/")
			if resp := c.response(); resp.Status != 101 {
				t.Fatalf("status %d", resp.Status)
			}
			if got := c.readN(len(tc.frames)); !bytes.Equal(got, tc.frames) {
				t.Fatalf("relayed % x, the server sent % x", got, tc.frames)
			}
			want := len(tc.want)
			evs := rec.wait(t, "the reports", func(evs []Event) bool {
				n := 0
				for _, e := range evs {
					if e.From == "server" && (e.Type == "frame" || e.Type == "garbage" || e.Type == "response" && len(e.Problems) > 0) {
						n++
					}
				}
				return n >= want
			})
			var got []string
			for _, e := range evs {
				if e.From != "server" {
					continue
				}
				switch {
				case e.Type == "frame":
					got = append(got, ruleIDs(e.Problems))
				case e.Type == "garbage":
					got = append(got, "garbage:"+ruleIDs(e.Problems))
				case e.Type == "response" && len(e.Problems) > 0:
					got = append(got, "response:"+ruleIDs(e.Problems))
				}
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("reported %q, want %q\n%s", got, tc.want, dump(evs))
			}
		})
	}
}
