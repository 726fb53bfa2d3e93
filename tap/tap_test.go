//go:build !js

package tap

import (
	"bytes"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/coder/websocket"

	"wsplay/core"
)

// startCoderEcho serves an echo server built on coder/websocket, a widely
// used Go WebSocket library, on 127.0.0.1 and returns its ws:// URL.
func startCoderEcho(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
		if err != nil {
			return
		}
		defer c.CloseNow()
		c.SetReadLimit(1 << 20)
		for {
			typ, msg, err := c.Read(r.Context())
			if err != nil {
				return
			}
			if err := c.Write(r.Context(), typ, msg); err != nil {
				return
			}
		}
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "ws://" + ln.Addr().String() + "/echo"
}

// Through the tap, a real library's echo server gets exactly the client's
// bytes, the client exactly the server's, and each frame is reported with
// the bytes that were sent.
func TestRelayCoderEcho(t *testing.T) {
	addr, rec := startTap(t, startCoderEcho(t), Limits{}, 0)
	c := rawDial(t, addr, "/anything?x=1")
	resp := c.response()
	if resp.Status != 101 {
		t.Fatalf("status %d", resp.Status)
	}
	if resp.Header.Get("Sec-WebSocket-Extensions") != "" {
		t.Errorf("the server negotiated %q: the tap should have dropped the offer", resp.Header.Get("Sec-WebSocket-Extensions"))
	}
	msgs := []struct {
		op      core.Opcode
		payload []byte
	}{
		{core.OpText, []byte("Hello")},
		{core.OpBinary, bytes.Repeat([]byte{0xab}, 126)},
		{core.OpText, bytes.Repeat([]byte("x"), 70000)},
	}
	var got []byte
	for _, m := range msgs {
		c.send(frame(true, m.op, true, m.payload))
		echo := c.readFrame()
		got = append(got, echo...)
		h, n, _ := core.ParseFrameHeader(echo)
		if h.Opcode != m.op || !bytes.Equal(echo[n:], m.payload) {
			t.Fatalf("echo of %d bytes: opcode %v, %d bytes", len(m.payload), h.Opcode, len(echo)-n)
		}
	}
	evs := rec.waitType(t, "frame", "server", len(msgs))

	req := pick(evs, "request", "client")[0]
	var whats []string
	for _, r := range req.Head.Rewrites {
		whats = append(whats, r.What)
	}
	if strings.Join(whats, ",") != "request-target,Host,Sec-WebSocket-Extensions" {
		t.Errorf("rewrites %v", whats)
	}
	if !strings.HasPrefix(req.Head.Forwarded, "GET /echo HTTP/1.1\r\n") {
		t.Errorf("forwarded head starts %q", req.Head.Forwarded[:30])
	}
	rsp := pick(evs, "response", "server")[0]
	if rsp.Head.Accept == nil || !rsp.Head.Accept.Match || rsp.Head.Accept.Expected != core.Accept(c.key) || len(rsp.Problems) != 0 {
		t.Errorf("response report: %+v, problems %v", rsp.Head.Accept, rsp.Problems)
	}

	// Frame reports against the bytes on each side.
	cf := pick(evs, "frame", "client")
	var off uint64
	for i, m := range msgs {
		f := cf[i].Frame
		want := frame(true, m.op, true, m.payload)
		w := wire(t, f)
		if f.Offset != off || f.Size != uint64(len(want)) || !bytes.HasPrefix(want, w) || len(cf[i].Problems) != 0 {
			t.Errorf("client frame %d: offset %d size %d problems %v; want offset %d size %d", i, f.Offset, f.Size, cf[i].Problems, off, len(want))
		}
		if !f.Truncated && !bytes.Equal(w, want) {
			t.Errorf("client frame %d: reported % x, sent % x", i, w, want)
		}
		off += uint64(len(want))
	}
	if f := cf[0].Frame; f.Text != "Hello" || f.MaskingKey != "37fa213d" || f.OpcodeName != "text" || len(f.Fields) == 0 {
		t.Errorf("first frame decoded as %+v", f)
	}
	// The large frame is relayed whole but reported by its ends.
	if f := cf[2].Frame; !f.Truncated || f.Omitted != 70000-1024-64 || len(f.WireTail) != 2*64 {
		t.Errorf("large frame: truncated %v omitted %d tail %d", f.Truncated, f.Omitted, len(f.WireTail)/2)
	}
	var reported []byte
	for _, e := range pick(evs, "frame", "server") {
		w := wire(t, e.Frame)
		if e.Frame.Truncated {
			// Rebuild the whole frame from the report's ends and the
			// echoed payload, which is known.
			w = got[len(reported) : len(reported)+int(e.Frame.Size)]
			if !bytes.HasPrefix(w, wire(t, e.Frame)) {
				t.Errorf("truncated server frame does not start with the bytes sent")
			}
		}
		reported = append(reported, w...)
		if len(e.Problems) != 0 {
			t.Errorf("server frame %d: problems %v", e.Frame.Seq, e.Problems)
		}
	}
	if !bytes.Equal(reported, got) {
		t.Errorf("server frames reported (%d bytes) differ from the bytes the client got (%d)", len(reported), len(got))
	}

	c.send(frame(true, core.OpClose, true, []byte{0x03, 0xe8, 'b', 'y', 'e'}))
	closeBack := c.readFrame()
	c.conn.Close() // as a browser does once the closing handshake is over
	evs = rec.waitType(t, "end", "", 1)
	sc := pick(evs, "frame", "server")
	last := sc[len(sc)-1].Frame
	if last.Close == nil || last.Close.Code != 1000 || !bytes.Equal(wire(t, last), closeBack) {
		t.Errorf("server's close frame reported as %+v, sent % x", last, closeBack)
	}
	end := pick(evs, "end", "")[0]
	if end.Bytes.Client != uint64(len(c.sent)) || end.Bytes.Server != uint64(len(got)+len(closeBack)) {
		t.Errorf("end counts %+v; client sent %d", end.Bytes, len(c.sent))
	}
}
