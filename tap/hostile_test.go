//go:build !js

package tap

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"wsplay/core"
)

// scripted serves one scripted WebSocket server per connection on
// 127.0.0.1: it reads the request head, then runs script with the
// connection and the request. It returns the ws:// URL and a channel that
// gets the bytes the server read after the head, when the connection ends.
func scripted(t *testing.T, script func(c net.Conn, br *bufio.Reader, req *core.Request)) (string, chan []byte) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	got := make(chan []byte, 16)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(testDeadline))
				br := bufio.NewReader(c)
				req, err := core.ReadRequest(br, 0)
				if err != nil {
					return
				}
				script(c, br, req)
				rest, _ := io.ReadAll(br)
				got <- rest
			}()
		}
	}()
	return "ws://" + ln.Addr().String() + "/", got
}

// accept writes a correct 101 answer.
func accept(c net.Conn, req *core.Request) {
	c.Write([]byte("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
		core.Accept(req.Key()) + "\r\n\r\n"))
}

// Every misbehaviour of a server is shown exactly as sent, flagged with
// its rule, and relayed unchanged to the client.
func TestServerMistakesShownAsSent(t *testing.T) {
	nonMinimal := []byte{0x81, 126, 0, 5, 'h', 'e', 'l', 'l', 'o'}
	masked := frame(true, core.OpText, true, []byte("hi"))
	noCode := []byte{0x88, 0x00}
	split := frame(true, core.OpText, false, []byte("split in three"))
	for _, tc := range []struct {
		name    string
		write   [][]byte // the server's writes after the 101, with pauses
		rules   string   // the rule ids reported on the frame
		check   func(t *testing.T, f *Frame)
		badHead string // a response head instead of a good 101
	}{
		{name: "non-minimal length", write: [][]byte{nonMinimal}, rules: "minimal-length",
			check: func(t *testing.T, f *Frame) {
				if f.Text != "hello" || f.HeaderLength != 4 {
					t.Errorf("decoded %+v", f)
				}
			}},
		{name: "masked server frame", write: [][]byte{masked}, rules: "server-no-mask"},
		{name: "close without a code", write: [][]byte{noCode}, rules: "",
			check: func(t *testing.T, f *Frame) {
				if f.Close == nil || !f.Close.NoCode {
					t.Errorf("close body %+v", f.Close)
				}
			}},
		{name: "split frame", write: [][]byte{split[:1], split[1:5], split[5:]}, rules: "",
			check: func(t *testing.T, f *Frame) {
				if f.Pieces != 3 || f.Text != "split in three" {
					t.Errorf("pieces %d text %q", f.Pieces, f.Text)
				}
			}},
		{name: "hostile close reason", write: [][]byte{frame(true, core.OpClose, false, []byte("\x03\xe8\x1b[2J\u202egnp.exe"))}, rules: "",
			check: func(t *testing.T, f *Frame) {
				if f.Close == nil || f.Close.Reason != "\x1b[2J\u202egnp.exe" {
					t.Errorf("close %+v", f.Close)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url, _ := scripted(t, func(c net.Conn, br *bufio.Reader, req *core.Request) {
				accept(c, req)
				for _, w := range tc.write {
					c.Write(w)
					time.Sleep(30 * time.Millisecond)
				}
				io.Copy(io.Discard, br)
			})
			addr, rec := startTap(t, url, Limits{}, 0)
			c := rawDial(t, addr, "/")
			c.response()
			want := bytes.Join(tc.write, nil)
			if got := c.readN(len(want)); !bytes.Equal(got, want) {
				t.Fatalf("client got % x, server sent % x", got, want)
			}
			e := rec.waitType(t, "frame", "server", 1)
			f := pick(e, "frame", "server")[0]
			if !bytes.Equal(wire(t, f.Frame), want) {
				t.Errorf("reported % x, sent % x", wire(t, f.Frame), want)
			}
			if ids := ruleIDs(f.Problems); ids != tc.rules {
				t.Errorf("rules %q, want %q", ids, tc.rules)
			}
			for _, p := range f.Problems {
				if p.Source == "" || p.Lesson == "" || p.TextZH == "" {
					t.Errorf("incomplete problem %+v", p)
				}
			}
			if tc.check != nil {
				tc.check(t, f.Frame)
			}
			// Text output never carries the wire's control characters.
			var out bytes.Buffer
			p := &Printer{W: &out, Verbose: true}
			for _, ev := range e {
				p.Emit(ev)
			}
			if strings.ContainsAny(out.String(), "\x1b\u202e") {
				t.Errorf("text output carries a control character:\n%s", out.String())
			}
			jp := &Printer{W: &out, JSON: true}
			out.Reset()
			jp.Emit(f)
			if strings.ContainsAny(out.String(), "\x1b\u202e") {
				t.Errorf("JSON output carries a control character:\n%s", out.String())
			}
		})
	}
}

// A client's unmasked frame is flagged, and reaches the server unchanged.
func TestClientUnmaskedFrame(t *testing.T) {
	url, got := scripted(t, func(c net.Conn, br *bufio.Reader, req *core.Request) { accept(c, req) })
	addr, rec := startTap(t, url, Limits{}, 0)
	c := rawDial(t, addr, "/")
	c.response()
	unmasked := frame(true, core.OpText, false, []byte("naked"))
	c.send(unmasked)
	c.conn.(*net.TCPConn).CloseWrite()
	if b := <-got; !bytes.Equal(b, unmasked) {
		t.Errorf("server got % x, client sent % x", b, unmasked)
	}
	f := pick(rec.waitType(t, "frame", "client", 1), "frame", "client")[0]
	if ruleIDs(f.Problems) != "client-masks" || f.Problems[0].Lesson != "masking" || f.Problems[0].Source != "RFC 6455 §5.1" {
		t.Errorf("problems %+v", f.Problems)
	}
}

// A wrong Accept is shown beside the steps that compute the right one.
func TestBadAccept(t *testing.T) {
	url, _ := scripted(t, func(c net.Conn, br *bufio.Reader, req *core.Request) {
		c.Write([]byte("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
			core.Accept(req.Key()+"x") + "\r\n\r\n"))
		io.Copy(io.Discard, br)
	})
	addr, rec := startTap(t, url, Limits{}, 0)
	c := rawDial(t, addr, "/")
	if resp := c.response(); resp.Verify(&core.ClientRequest{Key: c.key}) == nil {
		t.Fatal("the bad Accept did not reach the client as sent")
	}
	r := pick(rec.waitType(t, "response", "server", 1), "response", "server")[0]
	a := r.Head.Accept
	if a.Match || a.Expected != core.Accept(c.key) || a.Got != core.Accept(c.key+"x") || a.Concatenated != c.key+core.GUID {
		t.Errorf("accept report %+v", a)
	}
	if ruleIDs(r.Problems) != "accept-value" || r.Problems[0].Lesson != "accept" {
		t.Errorf("problems %+v", r.Problems)
	}
}

// Hostile targets: the tap reports, relays what it can, and survives.
func TestHostileTargets(t *testing.T) {
	lim := Limits{HandshakeTimeout: 300 * time.Millisecond, IdleTimeout: 500 * time.Millisecond, WriteTimeout: 500 * time.Millisecond}
	t.Run("never answers", func(t *testing.T) {
		url, _ := scripted(t, func(c net.Conn, br *bufio.Reader, req *core.Request) { time.Sleep(2 * time.Second) })
		addr, rec := startTap(t, url, lim, 0)
		c := rawDial(t, addr, "/")
		if b, _ := io.ReadAll(c.br); len(b) != 0 {
			t.Errorf("client got %q", b)
		}
		end := pick(rec.waitType(t, "end", "", 1), "end", "")[0]
		if !strings.Contains(end.Message, "no complete response head within 300ms") {
			t.Errorf("end: %q", end.Message)
		}
	})
	t.Run("garbage", func(t *testing.T) {
		garbage := []byte("HTTP/1.1 200 OK this is not a frame at all\r\n")
		url, _ := scripted(t, func(c net.Conn, br *bufio.Reader, req *core.Request) {
			accept(c, req)
			c.Write(frame(true, core.OpText, false, []byte("ok")))
			c.Write(garbage)
			c.Write(garbage)
		})
		addr, rec := startTap(t, url, lim, 0)
		c := rawDial(t, addr, "/")
		c.response()
		want := append(frame(true, core.OpText, false, []byte("ok")), append(garbage, garbage...)...)
		if got := c.readN(len(want)); !bytes.Equal(got, want) {
			t.Errorf("client got % x", got)
		}
		evs := rec.waitType(t, "end", "", 1)
		g := pick(evs, "garbage", "server")
		if len(g) != 1 || g[0].Garbage.Offset != 4 || !strings.Contains(ruleIDs(g[0].Problems), "reserved-bits") {
			t.Errorf("garbage reports: %s", dump(g))
		}
		if n := len(pick(evs, "frame", "server")); n != 1 {
			t.Errorf("%d frames reported, want the one before the garbage", n)
		}
	})
	t.Run("closes mid-frame", func(t *testing.T) {
		url, _ := scripted(t, func(c net.Conn, br *bufio.Reader, req *core.Request) {
			accept(c, req)
			c.Write(frame(true, core.OpBinary, false, make([]byte, 300))[:100])
			c.Close()
		})
		addr, rec := startTap(t, url, lim, 0)
		c := rawDial(t, addr, "/")
		c.response()
		if b, _ := io.ReadAll(c.br); len(b) != 100 {
			t.Errorf("client got %d bytes, want the 100 sent", len(b))
		}
		f := pick(rec.waitType(t, "frame", "server", 1), "frame", "server")[0]
		if !f.Frame.Cut || f.Frame.Size != 304 || f.Frame.Missing != 204 || !strings.Contains(f.Message, "96 of its 304") &&
			!strings.Contains(f.Message, "100 of its 304") {
			t.Errorf("cut frame %+v: %q", f.Frame, f.Message)
		}
	})
	t.Run("floods", func(t *testing.T) {
		// The server sends 64 MiB, as one huge frame and then a storm
		// of small ones; the client reads it all. The tap's memory must
		// not follow the stream.
		const total = 64 << 20
		url, _ := scripted(t, func(c net.Conn, br *bufio.Reader, req *core.Request) {
			accept(c, req)
			c.Write(core.AppendFrameHeader(nil, core.FrameHeader{Fin: true, Opcode: core.OpBinary, Length: total}))
			chunk := make([]byte, 1<<20)
			for i := 0; i < total>>20; i++ {
				if _, err := c.Write(chunk); err != nil {
					return
				}
			}
			small := bytes.Repeat(frame(true, core.OpBinary, false, []byte("x")), 10000)
			c.Write(small)
		})
		addr, rec := startTap(t, url, Limits{}, 0)
		c := rawDial(t, addr, "/")
		c.response()
		runtime.GC()
		var before, peak runtime.MemStats
		runtime.ReadMemStats(&before)
		buf := make([]byte, 1<<20)
		var n int
		for n < total+10+30000 {
			k, err := c.br.Read(buf)
			n += k
			if err != nil {
				t.Fatalf("after %d bytes: %v", n, err)
			}
			if n%(8<<20) < k {
				runtime.ReadMemStats(&peak)
				if grow := int64(peak.HeapInuse) - int64(before.HeapInuse); grow > 32<<20 {
					t.Fatalf("heap grew by %d MiB while relaying", grow>>20)
				}
			}
		}
		evs := rec.waitType(t, "frame", "server", 10001)
		f := pick(evs, "frame", "server")[0].Frame
		if f.Size != total+10 || !f.Truncated || f.Omitted != total-1024-64 {
			t.Errorf("flood frame %+v", f)
		}
	})
	t.Run("stops reading", func(t *testing.T) {
		// The server answers the handshake and then reads nothing: the
		// client's flood fills the buffers, and the write timeout ends the
		// session instead of holding it.
		url, _ := scripted(t, func(c net.Conn, br *bufio.Reader, req *core.Request) {
			accept(c, req)
			time.Sleep(3 * time.Second)
		})
		addr, rec := startTap(t, url, lim, 0)
		c := rawDial(t, addr, "/")
		c.response()
		go func() {
			chunk := frame(true, core.OpBinary, true, make([]byte, 1<<20))
			for {
				if _, err := c.conn.Write(chunk); err != nil {
					return
				}
			}
		}()
		end := pick(rec.waitType(t, "end", "", 1), "end", "")[0]
		if !strings.Contains(end.Message, "the server stopped reading") {
			t.Errorf("end: %q", end.Message)
		}
	})
	t.Run("goes quiet", func(t *testing.T) {
		url, _ := scripted(t, func(c net.Conn, br *bufio.Reader, req *core.Request) {
			accept(c, req)
			io.Copy(io.Discard, br)
		})
		addr, rec := startTap(t, url, lim, 0)
		c := rawDial(t, addr, "/")
		c.response()
		start := time.Now()
		end := pick(rec.waitType(t, "end", "", 1), "end", "")[0]
		if !strings.Contains(end.Message, "no byte either way for 500ms (idle timeout)") || time.Since(start) > 3*time.Second {
			t.Errorf("end after %v: %q", time.Since(start), end.Message)
		}
	})
	t.Run("sessions capped", func(t *testing.T) {
		url, _ := scripted(t, func(c net.Conn, br *bufio.Reader, req *core.Request) {
			accept(c, req)
			io.Copy(io.Discard, br)
		})
		addr, rec := startTap(t, url, Limits{}, 1)
		a := rawDial(t, addr, "/")
		a.response()
		b := rawDial(t, addr, "/")
		if resp := b.response(); resp.Status != 503 {
			t.Errorf("second client got %d", resp.Status)
		}
		r := pick(rec.waitType(t, "refused", "", 1), "refused", "")[0]
		if !strings.Contains(r.Message, "the limit is 1") {
			t.Errorf("refused: %q", r.Message)
		}
	})
}
