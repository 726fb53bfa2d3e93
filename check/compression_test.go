//go:build !js

package check

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"wsplay/core"
)

// deflateEcho is an echo endpoint built on core that negotiates
// permessage-deflate, as wsplay's /ws/echo does (with its 16 MiB limit).
func deflateEcho(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _, err := core.Upgrade(w, r, core.UpgradeOptions{Deflate: &core.DeflateOptions{}, Config: core.Config{MaxMessageSize: 16 << 20}})
		if err != nil {
			return
		}
		c.ReadLoop(func(op core.Opcode, msg []byte) error { return c.WriteMessage(op, msg) })
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/"
}

func compressionOpts() Options {
	opts := testOpts()
	opts.Run = []string{"compression."}
	return opts
}

// A server that compresses passes every compression case on its merits; a
// server that declines passes them as "not offered" or "declined".
func TestCompressionStageGoodServers(t *testing.T) {
	for _, tc := range []struct {
		name     string
		url      func(*testing.T) string
		compress bool
	}{{"compressing", deflateEcho, true}, {"declining", coreEcho, false}} {
		t.Run(tc.name, func(t *testing.T) {
			rep, _ := runAll(t, tc.url(t), compressionOpts())
			if len(rep.Results) != 16 {
				t.Fatalf("%d results", len(rep.Results))
			}
			for _, r := range rep.Results {
				notOffered := strings.Contains(r.Got, "not offered")
				if r.Status != Pass || tc.compress == notOffered && (tc.compress || !strings.Contains(r.Got, "declined")) {
					logResults(t, rep)
					t.Errorf("%s: %s: %s", r.ID, r.Status, r.Got)
				}
			}
		})
	}
}

// brokenDeflate serves a hand-made compressing server: answer builds the
// Sec-WebSocket-Extensions answer from the offer ("" for none), and reply
// the frames it sends back for each message it reads (inflated when it
// came compressed).
func brokenDeflate(t *testing.T, answer func(offer string) string, reply func(op core.Opcode, msg []byte) []byte) string {
	return serveRaw(t, func(nc net.Conn, br *bufio.Reader) {
		req, err := core.ReadRequest(br, 0)
		if err != nil || req.Validate() != nil {
			return
		}
		offer := strings.Join(req.Header.Values("Sec-WebSocket-Extensions"), ", ")
		head := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + core.Accept(req.Key()) + "\r\n"
		if a := answer(offer); a != "" {
			head += "Sec-WebSocket-Extensions: " + a + "\r\n"
		}
		nc.Write([]byte(head + "\r\n"))
		in := core.NewInflater(core.DeflateParams{ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}, core.Client)
		fr := core.NewFrameReader(br, core.Server, 0x4)
		var msg []byte
		var op core.Opcode
		compressed := false
		for {
			h, err := fr.NextFrame()
			if err != nil {
				return
			}
			p, _ := io.ReadAll(fr)
			if h.Opcode.IsControl() {
				continue
			}
			if h.Opcode != core.OpContinuation {
				op, msg, compressed = h.Opcode, nil, h.Rsv != 0
			}
			msg = append(msg, p...)
			if !h.Fin {
				continue
			}
			if compressed {
				var out []byte
				if _, _, err := in.Inflate(msg, 1<<20, func(b []byte) { out = append(out, b...) }); err != nil {
					return
				}
				msg = out
			}
			nc.Write(reply(op, msg))
		}
	})
}

// Servers that break a rule of permessage-deflate fail the case that
// checks it, with the core's rule.
func TestCompressionStageBrokenServers(t *testing.T) {
	plain := func(op core.Opcode, msg []byte) []byte {
		return core.AppendFrame(nil, core.FrameHeader{Fin: true, Opcode: op, Length: uint64(len(msg))}, msg)
	}
	for _, tc := range []struct {
		name   string
		answer func(offer string) string
		reply  func(core.Opcode, []byte) []byte
		want   map[string]string // case id → the rule id its FAIL names
	}{
		{"RSV1 on bytes it never compressed",
			func(string) string { return "permessage-deflate" },
			func(op core.Opcode, msg []byte) []byte {
				b := plain(op, msg)
				b[0] |= 0x40
				return b
			},
			map[string]string{"compression.echo-text": "inflate", "compression.echo-binary": "inflate", "compression.echo-fragmented": "inflate"}},
		{"RSV1 on a continuation frame of its reply",
			func(string) string { return "permessage-deflate" },
			func(op core.Opcode, msg []byte) []byte {
				z := core.AppendDeflate(nil, msg, 15)
				half := len(z) / 2
				b := core.AppendFrame(nil, core.FrameHeader{Opcode: op, Rsv: 0x4, Length: uint64(half)}, z[:half])
				return core.AppendFrame(b, core.FrameHeader{Fin: true, Rsv: 0x4, Opcode: core.OpContinuation, Length: uint64(len(z) - half)}, z[half:])
			},
			map[string]string{"compression.echo-text": "compressed-bit", "compression.echo-binary": "compressed-bit"}},
		{"accepts every offer as it came",
			func(offer string) string { return offer },
			plain,
			map[string]string{"compression.bad-window-bits": "deflate-window-bits", "compression.unknown-param": "deflate-param",
				"compression.duplicate-param": "deflate-duplicate", "compression.no-context-value": "deflate-no-context"}},
		{"asks for a window the client did not allow",
			func(string) string { return "permessage-deflate; client_max_window_bits=10" },
			plain,
			map[string]string{"compression.answer-client-bits": "deflate-client-bits"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, byID := runAll(t, brokenDeflate(t, tc.answer, tc.reply), compressionOpts())
			for id, rule := range tc.want {
				if r := byID[id]; r.Status != Fail || r.Rule.ID != rule || r.Explanation == "" {
					logResults(t, rep)
					t.Errorf("%s: %s, rule %q, want FAIL naming %q: %s", id, r.Status, r.Rule.ID, rule, r.Got)
				}
			}
		})
	}
}
