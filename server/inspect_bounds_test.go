//go:build !js

package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"math/rand/v2"
	"strings"
	"testing"

	"wsplay/core"
)

// The values of Cookie and Authorization are withheld from the reflected
// handshake (cookies are not scoped by port, so any loopback page could
// read another local application's); that they were sent, and their
// length, still shows.
func TestInspectWithholdsCredentials(t *testing.T) {
	ts := startServer(t, nil)
	nc := dialTCP(t, ts.addr)
	head := strings.TrimSuffix(handshakeHead(ts.addr, "/ws/inspect"), "\r\n") +
		"Cookie: session=s3cr3t-cookie; theme=dark\r\nauthorization: Bearer t0ken-value\r\n\r\n"
	if _, err := nc.Write([]byte(head)); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(nc)
	if resp, _ := readResponse(t, br); resp.StatusCode != 101 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	c := core.NewConn(nc, br, core.Client, core.Config{})
	rep := readReport(t, c)
	raw, _ := base64.StdEncoding.DecodeString(rep.Request.RawBase64)
	for _, text := range []string{rep.Request.Raw, string(raw)} {
		for _, secret := range []string{"s3cr3t-cookie", "t0ken-value"} {
			if strings.Contains(text, secret) {
				t.Errorf("the report shows %q", secret)
			}
		}
		if !strings.Contains(text, "Cookie: (withheld by wsplay: 33 bytes)\r\n") || !strings.Contains(text, "authorization: (withheld by wsplay: 18 bytes)\r\n") {
			t.Errorf("withheld fields not shown with their length: %q", text)
		}
	}
	for _, f := range rep.Request.Headers {
		if strings.Contains(f.Value, "s3cr3t") || strings.Contains(f.Value, "t0ken") {
			t.Errorf("header %s: %q", f.Name, f.Value)
		}
	}
}

// A large frame is reported by its start and its end: the header and the
// first 1 KiB of payload, the last 256 bytes, and how many were left out;
// the echo itself is whole.
func TestInspectReportsLargeFramesInPart(t *testing.T) {
	ts := startServer(t, nil)
	c := coreDial(t, ts.addr, "/ws/inspect", core.Config{})
	readReport(t, c) // the handshake
	payload := make([]byte, 1<<20)
	r := rand.New(rand.NewPCG(3, 4))
	for i := range payload {
		payload[i] = byte(r.Uint32())
	}
	if err := c.WriteMessage(core.OpBinary, payload); err != nil {
		t.Fatal(err)
	}
	var gotEcho bool
	for reports := 0; reports < 2 || !gotEcho; {
		op, msg, err := c.ReadMessage(nil)
		if err != nil {
			t.Fatal(err)
		}
		if op == core.OpBinary {
			gotEcho = true
			if !bytes.Equal(msg, payload) {
				t.Fatal("the echo differs from the message")
			}
			continue
		}
		if len(msg) > 8<<10 {
			t.Errorf("a report of %d bytes for a 1 MiB frame", len(msg))
		}
		reports++
		rep := readReportFrom(t, msg)
		head, _ := base64.StdEncoding.DecodeString(rep.Wire)
		tail, _ := base64.StdEncoding.DecodeString(rep.WireTail)
		h, n, err := core.ParseFrameHeader(head)
		if err != nil || !rep.Truncated || h.Length != 1<<20 || rep.Omitted != 1<<20-1024-256 {
			t.Fatalf("report %+v: header %+v %v", rep.frameReport, h, err)
		}
		first, last := append([]byte(nil), head[n:]...), append([]byte(nil), tail...)
		if h.Masked {
			core.Mask(h.Key, 0, first)
			core.Mask(h.Key, (1<<20-256)%4, last)
		}
		if !bytes.Equal(first, payload[:1024]) || !bytes.Equal(last, payload[1<<20-256:]) {
			t.Errorf("report from the %s: start or end differs from the payload", rep.From)
		}
	}
}

// A frame refused for its size is reported by its header alone, marked as
// shortened, before the close with 1009.
func TestInspectReportsRefusedLargeFrame(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.MaxMessage = 100 << 10 })
	c := coreDial(t, ts.addr, "/ws/inspect", core.Config{})
	readReport(t, c) // the handshake
	if err := c.WriteMessage(core.OpBinary, make([]byte, 200<<10)); err != nil {
		t.Fatal(err)
	}
	rep := readReport(t, c)
	head, _ := base64.StdEncoding.DecodeString(rep.Wire)
	h, n, err := core.ParseFrameHeader(head)
	if err != nil || rep.From != "client" || !rep.Truncated || len(head) != n || h.Length != 200<<10 || rep.Omitted != 200<<10 {
		t.Fatalf("report %+v (%d bytes of wire)", rep.frameReport, len(head))
	}
	var cerr error
	for cerr == nil {
		_, _, cerr = c.ReadMessage(nil)
	}
	if code := closeCode(cerr); code != core.StatusMessageTooBig {
		t.Fatalf("%v, want a close with 1009", cerr)
	}
}
