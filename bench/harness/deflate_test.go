package main

import (
	"bytes"
	"compress/flate"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"wsplay/core"
)

// startDeflateEcho serves /ws/echo with wsplay's core, negotiating
// permessage-deflate with the given client window (0: the core's default);
// corrupt changes every echo's last byte before it is compressed.
func startDeflateEcho(t *testing.T, bits int, corrupt bool) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _, err := core.Upgrade(w, r, core.UpgradeOptions{Deflate: &core.DeflateOptions{ClientMaxWindowBits: bits}})
		if err != nil {
			return
		}
		c.ReadLoop(func(op core.Opcode, msg []byte) error {
			if corrupt && len(msg) > 0 {
				msg = append([]byte(nil), msg...)
				msg[len(msg)-1] ^= 1
			}
			return c.WriteMessage(op, msg)
		})
	})}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return l.Addr().String()
}

// TestDeflateMessage checks that the load generator's compressed message
// inflates back to the text for every window, is smaller than it, and
// ends without the sync flush's tail (RFC 7692 §7.2.1).
func TestDeflateMessage(t *testing.T) {
	for _, size := range []int{1024, 65536} {
		text := jsonText(size)
		if len(text) != size || !strings.HasPrefix(string(text), `[{"id":`) {
			t.Fatalf("jsonText(%d) gave %d bytes starting %q", size, len(text), text[:min(20, len(text))])
		}
		for _, bits := range []int{9, 12, 15} {
			z := deflateMessage(text, bits)
			if bytes.HasSuffix(z, []byte{0, 0, 0xff, 0xff}) {
				t.Errorf("%d B, window %d: the tail 00 00 ff ff was left on", size, bits)
			}
			if len(z) >= size/2 {
				t.Errorf("%d B, window %d: compressed to %d bytes; JSON-like text should shrink to well under half", size, bits, len(z))
			}
			fr := flate.NewReader(io.MultiReader(bytes.NewReader(z), bytes.NewReader([]byte{0, 0, 0xff, 0xff, 1, 0, 0, 0xff, 0xff})))
			got, err := io.ReadAll(fr)
			if err != nil || !bytes.Equal(got, text) {
				t.Errorf("%d B, window %d: inflates to %d bytes (%v), want the text back", size, bits, len(got), err)
			}
		}
	}
}

// TestLoadDeflate runs deflate cells against wsplay's core over loopback
// with two client windows, then against an echo that changes the message:
// the inflated echo must be compared, and the run fail.
func TestLoadDeflate(t *testing.T) {
	for _, bits := range []int{9, 15} {
		addr := startDeflateEcho(t, bits, false)
		for _, size := range []int{1024, 65536} {
			c := cell{conns: 2, size: size, depth: 1, deflate: true}
			m, err := load(addr, os.Getpid(), c, 10*time.Millisecond, 50*time.Millisecond)
			if err != nil {
				t.Fatalf("window %d, %s: %v", bits, c, err)
			}
			if m.zwire == 0 || m.zwire >= m.zplain {
				t.Errorf("window %d, %s: %d bytes on the wire for %d of text; the echoes should come compressed", bits, c, m.zwire, m.zplain)
			}
		}
		if err := probeDeflate(addr, []int{1024, 65536}); err != nil {
			t.Errorf("window %d: probe: %v", bits, err)
		}
	}
	if err := probeDeflate(startDeflateEcho(t, 0, true), []int{1024}); err == nil || !strings.Contains(err.Error(), "differs") {
		t.Errorf("an echo that changes the text passed the probe: %v", err)
	}
	if err := probeDeflate(startEcho(t, fault{}), []int{1024}); err == nil || !strings.Contains(err.Error(), "declined") {
		t.Errorf("a server without permessage-deflate passed the probe: %v", err)
	}
}

// TestIdleMemoryDeflate opens idle connections that each negotiate
// permessage-deflate and echo one compressed message; only the plumbing is
// checked (the test process's own VmRSS is read).
func TestIdleMemoryDeflate(t *testing.T) {
	if _, _, err := idleMemory(startDeflateEcho(t, 0, false), os.Getpid(), 20, time.Millisecond, true); err != nil {
		t.Fatal(err)
	}
}
