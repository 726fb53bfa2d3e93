//go:build !js

package main

import (
	"bytes"
	"net"
	"strings"
	"testing"
	"time"

	"wsplay/core"
)

func TestHelpDescribesEveryFlag(t *testing.T) {
	for _, args := range [][]string{{"-help"}, {"serve", "-help"}, {"help"}} {
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code != 0 {
			t.Fatalf("%v: exit %d", args, code)
		}
		help := errb.String()
		for _, want := range []string{"-addr", "127.0.0.1:8080", "-origin", "-max-message", "16MiB", "-max-conns", "-max-header",
			"-handshake-timeout", "-idle-timeout", "-write-timeout", "-http-write-timeout", "-shutdown-timeout",
			"-chat-rate", "-chat-burst", "-chat-max-size", "-chat-queue", "-log-json", "-compress", "permessage-deflate", "version"} {
			if !strings.Contains(help, want) {
				t.Errorf("%v: help lacks %q", args, want)
			}
		}
	}
}

func TestCommandLineErrors(t *testing.T) {
	for _, args := range [][]string{{"bogus"}, {"-max-message", "12XB"}, {"-origin", "example.com"}, {"-max-conns", "0"}, {"serve", "extra"}} {
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code != 2 || errb.Len() == 0 {
			t.Errorf("%v: exit %d, %q", args, code, errb.String())
		}
	}
	var out bytes.Buffer
	if code := run([]string{"version"}, &out, &out); code != 0 || !strings.HasPrefix(out.String(), "wsplay ") {
		t.Fatalf("version: %d %q", code, out.String())
	}
}

func TestByteSizeFlag(t *testing.T) {
	for in, want := range map[string]int64{"4096": 4096, "64KiB": 64 << 10, "16MiB": 16 << 20, "1GiB": 1 << 30, "10B": 10} {
		var b byteSize
		if err := b.Set(in); err != nil || int64(b) != want {
			t.Errorf("%s: %d, %v", in, b, err)
		}
		if again := new(byteSize); again.Set(b.String()) != nil || *again != b {
			t.Errorf("%s does not round-trip through %q", in, b.String())
		}
	}
}

func TestAnnounce(t *testing.T) {
	var b bytes.Buffer
	announce(&b, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}, "127.0.0.1:8080")
	if !strings.HasPrefix(b.String(), "wsplay: open http://127.0.0.1:8080/\n") || !strings.Contains(b.String(), "-addr 0.0.0.0:8080") {
		t.Fatalf("loopback: %q, want the URL first, then how to open it to a class", b.String())
	}
	b.Reset()
	announce(&b, &net.TCPAddr{IP: net.IPv4zero, Port: 8080}, "0.0.0.0:8080")
	if !strings.Contains(b.String(), "warning") || !strings.Contains(b.String(), "-host NAME") || !strings.HasPrefix(b.String(), "wsplay: open http://127.0.0.1:8080/") {
		t.Fatalf("%q", b.String())
	}
}

// An idle WebSocket is pinged; a client that answers stays, and one that
// sends nothing at all is dropped after the idle timeout.
func TestIdleTimeout(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.IdleTimeout = 300 * time.Millisecond })

	// core's client answers pings inside ReadMessage.
	c := coreDial(t, ts.addr, "/ws/echo", core.Config{})
	echoes := make(chan error, 1)
	go func() {
		_, _, err := c.ReadMessage(nil)
		echoes <- err
	}()

	// A raw client that never answers.
	nc := dialTCP(t, ts.addr)
	nc.Write([]byte(handshakeHead(ts.addr, "/ws/echo")))
	start := time.Now()
	var all []byte
	buf := make([]byte, 512)
	for {
		n, err := nc.Read(buf)
		all = append(all, buf[:n]...)
		if err != nil {
			break
		}
	}
	d := time.Since(start)
	if d < 250*time.Millisecond || d > 3*time.Second {
		t.Fatalf("silent client dropped after %v", d)
	}
	if !bytes.Contains(all, []byte{0x89, 6, 'w', 's', 'p', 'l', 'a', 'y'}) {
		t.Fatalf("no ping before the drop: %q", all)
	}
	// The answering client is still there, three idle timeouts later.
	time.Sleep(3 * 300 * time.Millisecond) // the duration under test
	c.WriteMessage(core.OpText, []byte("alive"))
	if err := <-echoes; err != nil {
		t.Fatalf("answering client dropped: %v", err)
	}
}
