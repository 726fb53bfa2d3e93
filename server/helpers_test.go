//go:build !js

package main

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"wsplay/core"
)

// testDeadline bounds every network wait in the tests: a test that would
// hang fails instead.
const testDeadline = 15 * time.Second

// testServer is a Server running on a real listener on 127.0.0.1:0.
type testServer struct {
	*Server
	addr string // host:port
}

// startServer runs a server with the defaults changed by edit, and shuts it
// down when the test ends. WSPLAY_TEST_LOG=1 shows its logs.
func startServer(t testing.TB, edit func(*Config)) *testServer {
	t.Helper()
	cfg := defaultConfig()
	cfg.Addr = "127.0.0.1:0"
	cfg.ShutdownTimeout = 2 * time.Second
	if edit != nil {
		edit(&cfg)
	}
	var w io.Writer = io.Discard
	if os.Getenv("WSPLAY_TEST_LOG") != "" {
		w = os.Stderr
	}
	srv, err := NewServer(cfg, slog.New(slog.NewTextHandler(w, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return &testServer{Server: srv, addr: ln.Addr().String()}
}

// dialTCP opens a TCP connection with the test deadline.
func dialTCP(t testing.TB, addr string) net.Conn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, testDeadline)
	if err != nil {
		t.Fatal(err)
	}
	nc.SetDeadline(time.Now().Add(testDeadline))
	t.Cleanup(func() { nc.Close() })
	return nc
}

// coreDial opens a WebSocket with wsplay's own client.
func coreDial(t testing.TB, addr, target string, cfg core.Config) *core.Conn {
	t.Helper()
	c, err := coreDialOrigin(t, addr, target, "", cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// coreDialOrigin opens a WebSocket with wsplay's own client, sending
// origin when not empty.
func coreDialOrigin(t testing.TB, addr, target, origin string, cfg core.Config) (*core.Conn, error) {
	t.Helper()
	nc := dialTCP(t, addr)
	_, br, err := core.Handshake(nc, &core.ClientRequest{Host: addr, Target: target, Origin: origin})
	if err != nil {
		return nil, err
	}
	if cfg.MaxMessageSize == 0 {
		cfg.MaxMessageSize = 64 << 20
	}
	c := core.NewConn(nc, br, core.Client, cfg)
	t.Cleanup(func() { c.CloseNow() })
	return c, nil
}

// coderDial opens a WebSocket with github.com/coder/websocket, an
// independent implementation.
func coderDial(t *testing.T, addr, target string) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testDeadline)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws://"+addr+target, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadLimit(64 << 20)
	t.Cleanup(func() { c.CloseNow() })
	return c
}

// testCtx is a context with the test deadline.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), testDeadline)
	t.Cleanup(cancel)
	return ctx
}

// rawResponse sends raw request bytes and reads one HTTP response.
func rawResponse(t *testing.T, addr string, req string) (*http.Response, string) {
	t.Helper()
	nc := dialTCP(t, addr)
	if _, err := io.WriteString(nc, req); err != nil {
		t.Fatal(err)
	}
	return readResponse(t, bufio.NewReader(nc))
}

// readResponse reads an HTTP response and its body.
func readResponse(t *testing.T, br *bufio.Reader) (*http.Response, string) {
	t.Helper()
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusSwitchingProtocols {
		return resp, ""
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

// closeCode returns the close code in a core read error, or 0.
func closeCode(err error) core.StatusCode {
	if ce, ok := err.(*core.CloseError); ok {
		return ce.Code
	}
	return 0
}

// closeReason returns the close reason in a core read error.
func closeReason(err error) string {
	if ce, ok := err.(*core.CloseError); ok {
		return ce.Reason
	}
	return ""
}

// handshakeHead is a valid upgrade request for target with extra lines.
func handshakeHead(addr, target string, extra ...string) string {
	return "GET " + target + " HTTP/1.1\r\nHost: " + addr + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" + strings.Join(extra, "") + "\r\n"
}
