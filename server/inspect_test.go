//go:build !js

package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"testing"

	"github.com/coder/websocket"

	"wsplay/core"
)

// inspectMsg holds the fields of both report kinds.
type inspectMsg struct {
	Type     string      `json:"type"`
	Request  inspectHead `json:"request"`
	Response inspectHead `json:"response"`
	Key      string      `json:"key"`
	Accept   string      `json:"accept"`
	frameReport
}

// readReport reads one message and decodes it as a report.
func readReport(t *testing.T, c *core.Conn) inspectMsg {
	t.Helper()
	op, msg, err := c.ReadMessage(nil)
	if err != nil {
		t.Fatal(err)
	}
	if op != core.OpText {
		t.Fatalf("report as %v", op)
	}
	return readReportFrom(t, msg)
}

// readReportFrom decodes one report message.
func readReportFrom(t *testing.T, msg []byte) inspectMsg {
	t.Helper()
	var m inspectMsg
	if err := json.Unmarshal(msg, &m); err != nil {
		t.Fatalf("%v in %s", err, msg)
	}
	m.frameReport.Type = m.Type
	return m
}

// wireOf decodes a frame report's bytes and checks they describe one whole
// frame, as the receiver reads it.
func wireOf(t *testing.T, m inspectMsg) ([]byte, core.FrameExplanation) {
	t.Helper()
	wire, err := base64.StdEncoding.DecodeString(m.Wire)
	if err != nil {
		t.Fatal(err)
	}
	receiver := core.Server
	if m.From == "server" {
		receiver = core.Client
	}
	e := core.ExplainFrame(wire, receiver)
	if !e.Complete || e.Rest != 0 || len(e.Problems) != 0 {
		t.Fatalf("report %d: wire bytes are not one valid frame: %+v", m.Seq, e)
	}
	if byte(e.Header.Opcode) != m.Opcode || e.Header.Fin != m.Fin || e.Header.Masked != m.Masked || e.Header.Length != m.PayloadLen {
		t.Fatalf("report %d: fields %+v disagree with the wire %+v", m.Seq, m.frameReport, e.Header)
	}
	return wire, e
}

// The handshake report shows the request exactly as sent (order, case,
// spacing), and every frame's wire bytes, masking key included.
func TestInspectRawHandshakeAndFrames(t *testing.T) {
	ts := startServer(t, nil)
	nc := dialTCP(t, ts.addr)
	head := "GET /ws/inspect?lesson=1 HTTP/1.1\r\n" +
		"sec-websocket-version: 13\r\n" +
		"X-Custom:   spaced value  \r\n" +
		"HOST: " + ts.addr + "\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
		"connection: keep-alive, Upgrade\r\n" +
		"upgrade: WebSocket\r\n" +
		"\r\n"
	io.WriteString(nc, head)
	br := bufio.NewReader(nc)
	resp, err := core.ReadResponse(br, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := resp.Verify(&core.ClientRequest{Key: "dGhlIHNhbXBsZSBub25jZQ=="}); err != nil {
		t.Fatal(err)
	}
	var sent [][]byte // the client's frames, as its own observer saw them
	c := core.NewConn(nc, br, core.Client, core.Config{OnFrame: func(d core.Direction, wire []byte) {
		if d == core.Sent {
			sent = append(sent, append([]byte(nil), wire...))
		}
	}})

	hs := readReport(t, c)
	if hs.Type != "handshake" || !hs.Request.Exact || hs.Request.Raw != head {
		t.Fatalf("request as reported:\n%q\nwant\n%q", hs.Request.Raw, head)
	}
	if raw, _ := base64.StdEncoding.DecodeString(hs.Request.RawBase64); string(raw) != head {
		t.Fatalf("rawBase64 differs from the request")
	}
	wantNames := []string{"sec-websocket-version", "X-Custom", "HOST", "Sec-WebSocket-Key", "connection", "upgrade"}
	if len(hs.Request.Headers) != len(wantNames) || hs.Request.StartLine != "GET /ws/inspect?lesson=1 HTTP/1.1" {
		t.Fatalf("headers %+v", hs.Request)
	}
	for i, f := range hs.Request.Headers {
		if f.Name != wantNames[i] {
			t.Fatalf("header %d is %q, want %q", i, f.Name, wantNames[i])
		}
	}
	if hs.Request.Headers[1].Value != "spaced value" {
		t.Fatalf("X-Custom value %q", hs.Request.Headers[1].Value)
	}
	if hs.Key != "dGhlIHNhbXBsZSBub25jZQ==" || hs.Accept != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Fatalf("key %q accept %q", hs.Key, hs.Accept)
	}
	if !hs.Response.Exact || hs.Response.StartLine != "HTTP/1.1 101 Switching Protocols" ||
		!bytes.Contains([]byte(hs.Response.Raw), []byte("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n")) {
		t.Fatalf("response as reported: %+v", hs.Response)
	}

	// A text message: its report, the echo, the echo's report.
	c.WriteMessage(core.OpText, []byte("hello <b>"))
	rep := readReport(t, c)
	wire, e := wireOf(t, rep)
	if rep.From != "client" || !bytes.Equal(wire, sent[0]) || string(e.Unmasked) != "hello <b>" {
		t.Fatalf("client frame report: %+v", rep)
	}
	if !rep.Masked || rep.MaskingKey != hex.EncodeToString(sent[0][2:6]) {
		t.Fatalf("masking key %q, the client used %x", rep.MaskingKey, sent[0][2:6])
	}
	if _, msg, err := c.ReadMessage(nil); err != nil || string(msg) != "hello <b>" {
		t.Fatalf("echo: %q, %v", msg, err)
	}
	rep = readReport(t, c)
	if _, e := wireOf(t, rep); rep.From != "server" || rep.Masked || string(e.Payload) != "hello <b>" {
		t.Fatalf("server frame report: %+v", rep)
	}

	// A fragmented binary message: one report per fragment.
	c.WriteFragmented(core.OpBinary, []byte{1, 2, 3, 4, 5}, 2)
	for i, want := range []struct {
		op  core.Opcode
		fin bool
	}{{core.OpBinary, false}, {core.OpContinuation, false}, {core.OpContinuation, true}} {
		rep := readReport(t, c)
		wire, _ := wireOf(t, rep)
		if rep.From != "client" || rep.Opcode != byte(want.op) || rep.Fin != want.fin || !bytes.Equal(wire, sent[1+i]) {
			t.Fatalf("fragment %d: %+v", i, rep)
		}
	}
	if op, msg, err := c.ReadMessage(nil); err != nil || op != core.OpBinary || !bytes.Equal(msg, []byte{1, 2, 3, 4, 5}) {
		t.Fatalf("echo of fragments: %v %v %v", op, msg, err)
	}
	if rep := readReport(t, c); rep.From != "server" || rep.Opcode != byte(core.OpBinary) {
		t.Fatalf("echo report: %+v", rep)
	}

	// A ping: reported, and so is the server's pong.
	c.Ping([]byte("p"))
	got := map[string]bool{}
	for range 2 {
		rep := readReport(t, c)
		wireOf(t, rep)
		got[rep.From+" "+rep.OpcodeName] = true
	}
	if !got["client ping"] || !got["server pong"] {
		t.Fatalf("ping/pong reports: %v", got)
	}

	// The client's close frame is reported before the server answers it.
	c.WriteFrame(true, core.OpClose, core.AppendClosePayload(nil, 4000, "bye"))
	rep = readReport(t, c)
	if _, e := wireOf(t, rep); rep.From != "client" || rep.OpcodeName != "close" || string(e.Unmasked[2:]) != "bye" {
		t.Fatalf("close report: %+v", rep)
	}
	if _, _, err := c.ReadMessage(nil); closeCode(err) != 4000 {
		t.Fatalf("after close: %v", err)
	}
}

// The same endpoint with an independent client library.
func TestInspectCoderClient(t *testing.T) {
	ts := startServer(t, nil)
	ctx := testCtx(t)
	c := coderDial(t, ts.addr, "/ws/inspect")
	read := func() inspectMsg {
		typ, msg, err := c.Read(ctx)
		if err != nil || typ != websocket.MessageText {
			t.Fatalf("%v %v", typ, err)
		}
		var m inspectMsg
		if err := json.Unmarshal(msg, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	if hs := read(); hs.Type != "handshake" || !hs.Request.Exact || hs.Accept != core.Accept(hs.Key) {
		t.Fatalf("handshake report: %+v", hs)
	}
	for _, n := range []int{0, 125, 126, 65535, 65536, 1 << 20} {
		want := payload(core.OpBinary, n)
		c.Write(ctx, websocket.MessageBinary, want)
		if rep := read(); rep.From != "client" || rep.PayloadLen != uint64(n) {
			t.Fatalf("%d bytes: %+v", n, rep.frameReport)
		}
		if typ, msg, err := c.Read(ctx); err != nil || typ != websocket.MessageBinary || !bytes.Equal(msg, want) {
			t.Fatalf("echo of %d bytes: %v", n, err)
		}
		rep := read()
		wire, _ := base64.StdEncoding.DecodeString(rep.Wire)
		if n > reportWhole {
			// A large frame is reported by its start and end
			// (TestInspectReportsLargeFramesInPart).
			tail, _ := base64.StdEncoding.DecodeString(rep.WireTail)
			if rep.From != "server" || !rep.Truncated || !bytes.HasSuffix(wire, want[:reportHead]) || !bytes.Equal(tail, want[n-reportTail:]) {
				t.Fatalf("%d bytes: server report %+v", n, rep.frameReport)
			}
			continue
		}
		if rep.From != "server" || !bytes.HasSuffix(wire, want) {
			t.Fatalf("%d bytes: server report %+v", n, rep.frameReport)
		}
	}
	c.Close(websocket.StatusNormalClosure, "")
}

// Reports never report themselves: a burst of messages gives exactly one
// report per frame each way.
func TestInspectReportsNotReported(t *testing.T) {
	ts := startServer(t, nil)
	c := coreDial(t, ts.addr, "/ws/inspect", core.Config{})
	readReport(t, c)
	const n = 50
	go func() {
		for i := range n {
			c.WriteMessage(core.OpText, []byte{'a' + byte(i%26)})
		}
	}()
	counts := map[string]int{}
	echoes := 0
	var last uint64
	for echoes < n || counts["server"] < n {
		op, msg, err := c.ReadMessage(nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(msg) == 1 {
			echoes++
			continue
		}
		var m inspectMsg
		json.Unmarshal(msg, &m)
		if m.Type != "frame" || op != core.OpText || m.Seq <= last {
			t.Fatalf("unexpected message %s", msg)
		}
		last = m.Seq
		counts[m.From]++
	}
	if counts["client"] != n || counts["server"] != n {
		t.Fatalf("reports %v for %d messages each way", counts, n)
	}
	c.Close(core.StatusNormalClosure, "")
}

// The text message "wsplay:ping PAYLOAD" is not echoed: the server sends a
// ping with PAYLOAD, the client's automatic pong comes back, and both are
// reported — how a page, which cannot send a ping, shows one on the wire.
func TestInspectPingCommand(t *testing.T) {
	ts := startServer(t, nil)
	c := coreDial(t, ts.addr, "/ws/inspect", core.Config{})
	readReport(t, c)
	long := bytes.Repeat([]byte("é"), 100) // 200 bytes: cut to 124, not 125, to keep a whole é
	tests := []struct{ send, ping string }{
		{"wsplay:ping hello", "hello"},
		{"wsplay:ping", ""},
		{"wsplay:ping " + string(long), string(long[:124])},
	}
	for _, tc := range tests {
		if err := c.WriteMessage(core.OpText, []byte(tc.send)); err != nil {
			t.Fatal(err)
		}
		// The reports: our text frame, the server's ping, our pong.
		var got []inspectMsg
		for len(got) < 3 {
			got = append(got, readReport(t, c))
		}
		if got[0].From != "client" || got[0].Opcode != byte(core.OpText) {
			t.Fatalf("%q: first report %+v, want our text frame", tc.send, got[0].frameReport)
		}
		_, e := wireOf(t, got[1])
		if got[1].From != "server" || got[1].Opcode != byte(core.OpPing) || string(e.Unmasked) != tc.ping {
			t.Fatalf("%q: second report %+v payload %q, want the server's ping %q", tc.send, got[1].frameReport, e.Unmasked, tc.ping)
		}
		_, e = wireOf(t, got[2])
		if got[2].From != "client" || got[2].Opcode != byte(core.OpPong) || string(e.Unmasked) != tc.ping {
			t.Fatalf("%q: third report %+v payload %q, want our pong", tc.send, got[2].frameReport, e.Unmasked)
		}
	}
	// An ordinary message that merely starts alike is echoed.
	if err := c.WriteMessage(core.OpText, []byte("wsplay:pinged")); err != nil {
		t.Fatal(err)
	}
	for {
		op, msg, err := c.ReadMessage(nil)
		if err != nil {
			t.Fatal(err)
		}
		if op == core.OpText && string(msg) == "wsplay:pinged" {
			break
		}
	}
	c.Close(core.StatusNormalClosure, "")
}
