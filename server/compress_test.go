//go:build !js

package main

// permessage-deflate (RFC 7692) on the endpoints: negotiated on /ws/echo,
// /ws/inspect and /ws/chat by default, declined with -compress=false, and
// /ws/inspect reports the compressed wire bytes with the inflated payload.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"wsplay/core"
)

// compressDial opens a WebSocket offering permessage-deflate, as wsplay's
// client does, and returns it with what the server agreed (nil: declined).
// It counts the compressed frames each way.
func compressDial(t *testing.T, addr, target string) (*core.Conn, *core.DeflateParams, *rsvCount) {
	t.Helper()
	nc := dialTCP(t, addr)
	req := &core.ClientRequest{Host: addr, Target: target, Extensions: []core.Extension{core.DeflateOffer()}}
	resp, br, err := core.Handshake(nc, req)
	if err != nil {
		t.Fatal(err)
	}
	params, err := resp.Deflate(req)
	if err != nil {
		t.Fatal(err)
	}
	n := &rsvCount{}
	c := core.NewConn(nc, br, core.Client, core.Config{Deflate: params, MaxMessageSize: 64 << 20, OnFrame: n.onFrame})
	t.Cleanup(func() { c.CloseNow() })
	return c, params, n
}

// rsvCount counts frames with RSV1 set, by direction.
type rsvCount struct {
	mu       sync.Mutex
	sent     int
	received int
}

func (n *rsvCount) onFrame(dir core.Direction, wire []byte) {
	if wire[0]&0x40 == 0 {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if dir == core.Sent {
		n.sent++
	} else {
		n.received++
	}
}

func (n *rsvCount) counts() (sent, received int) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.sent, n.received
}

func TestCompressNegotiatedOnEndpoints(t *testing.T) {
	for _, compress := range []bool{true, false} {
		ts := startServer(t, func(c *Config) { c.Compress = compress })
		for _, target := range []string{"/ws/echo", "/ws/inspect", "/ws/chat?nick=Zip"} {
			_, params, _ := compressDial(t, ts.addr, target)
			if (params != nil) != compress {
				t.Errorf("-compress=%v %s: agreed %+v", compress, target, params)
			}
			if params != nil && (!params.ServerNoContextTakeover || params.ClientMaxWindowBits != core.DefaultClientMaxWindowBits) {
				t.Errorf("%s: agreed %+v", target, params)
			}
		}
		// The check's relay and the class board never compress.
		if _, params, _ := compressDial(t, ts.addr, "/ws/check"); params != nil {
			t.Errorf("/ws/check agreed %+v", params)
		}
	}
}

func TestCompressEcho(t *testing.T) {
	ts := startServer(t, nil)
	c, _, n := compressDial(t, ts.addr, "/ws/echo")
	long := []byte(strings.Repeat("a long repetitive message, ", 2000)) // 54 KB
	msgs := [][]byte{[]byte("short"), long, payload(core.OpBinary, 70000), payload(core.OpText, 200000)}
	for _, m := range msgs {
		op := core.OpText
		if bytes.Equal(m, msgs[2]) {
			op = core.OpBinary
		}
		if err := c.WriteFragmented(op, m, 16000); err != nil {
			t.Fatal(err)
		}
		gotOp, got, err := c.ReadMessage(nil)
		if err != nil || gotOp != op || !bytes.Equal(got, m) {
			t.Fatalf("echo of %d bytes: %v %d bytes, %v", len(m), gotOp, len(got), err)
		}
	}
	sent, received := n.counts()
	if sent < 2 || received < 2 {
		t.Fatalf("compressed messages: sent %d, received %d; want the long ones each way", sent, received)
	}
}

func TestCompressChat(t *testing.T) {
	ts := startServer(t, nil)
	ada, _, n := compressDial(t, ts.addr, "/ws/chat?nick=Ada")
	r := coreChat{ada}
	until(t, r, "join")
	// A member without compression gets the same messages, which the
	// room compresses once for all the members that negotiated it.
	bob := coreChat{coreDial(t, ts.addr, "/ws/chat?nick=Bob", core.Config{})}
	until(t, bob, "join")
	until(t, r, "join")
	text := strings.Repeat("compress me, ", 100)
	if err := ada.WriteMessage(core.OpText, []byte(text)); err != nil {
		t.Fatal(err)
	}
	if ev := until(t, r, "message"); ev.Text != text {
		t.Fatalf("got %q", ev.Text)
	}
	if ev := until(t, bob, "message"); ev.Text != text {
		t.Fatalf("Bob got %q", ev.Text)
	}
	if sent, received := n.counts(); sent != 1 || received == 0 {
		t.Fatalf("compressed: sent %d, received %d", sent, received)
	}
}

// /ws/inspect reports a compressed frame with its wire bytes as they were
// (compressed, RSV1 set) and the message inflated, both ways.
func TestCompressInspectReportsInflated(t *testing.T) {
	ts := startServer(t, nil)
	c, _, _ := compressDial(t, ts.addr, "/ws/inspect")
	if m := readReport(t, c); m.Type != "handshake" || !strings.Contains(m.Response.Raw, "permessage-deflate") {
		t.Fatalf("handshake report: %+v", m.Response)
	}
	msg := strings.Repeat("inspect the compressed bytes ", 40)
	if err := c.WriteFragmented(core.OpText, []byte(msg), 100); err != nil {
		t.Fatal(err)
	}
	var frames []inspectMsg
	for len(frames) < 20 {
		op, raw, err := c.ReadMessage(nil)
		if err != nil {
			t.Fatal(err)
		}
		if op != core.OpText || !bytes.HasPrefix(raw, []byte("{")) {
			if string(raw) != msg {
				t.Fatalf("echo %q", raw)
			}
			continue
		}
		var m inspectMsg
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		frames = append(frames, m)
		if m.From == "server" && m.Fin {
			break
		}
	}
	var client, server []inspectMsg
	for _, m := range frames {
		if m.From == "client" {
			client = append(client, m)
		} else {
			server = append(server, m)
		}
	}
	for name, fs := range map[string][]inspectMsg{"client": client, "server": server} {
		if len(fs) == 0 {
			t.Fatalf("no %s frame reported", name)
		}
		var z []byte
		for i, m := range fs {
			wire, _ := base64.StdEncoding.DecodeString(m.Wire)
			h, n, err := core.ParseFrameHeader(wire)
			if err != nil {
				t.Fatal(err)
			}
			if (h.Rsv == 0x4) != (i == 0) {
				t.Fatalf("%s frame %d: RSV %x; RSV1 belongs on the first frame only", name, i, h.Rsv)
			}
			p := wire[n:]
			if h.Masked {
				core.Mask(h.Key, 0, p)
			}
			z = append(z, p...)
			last := i == len(fs)-1
			if m.Compressed != last {
				t.Fatalf("%s frame %d: compressed %v, want it on the last frame only", name, i, m.Compressed)
			}
			if last {
				inflated, _ := base64.StdEncoding.DecodeString(m.Inflated)
				if string(inflated) != msg || m.InflatedLength != len(msg) {
					t.Fatalf("%s: inflated %q (%d)", name, inflated, m.InflatedLength)
				}
			}
		}
		if len(z) >= len(msg)/4 {
			t.Fatalf("%s: %d compressed bytes for %d", name, len(z), len(msg))
		}
	}
}
