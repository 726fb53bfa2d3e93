//go:build !js

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"wsplay/core"
)

// Shutdown sends 1001 (going away) to every open WebSocket, waits for them,
// and then nothing is accepted any more.
func TestShutdownSendsGoingAway(t *testing.T) {
	ts := startServer(t, nil)
	echo := coreDial(t, ts.addr, "/ws/echo", core.Config{})
	inspect := coreDial(t, ts.addr, "/ws/inspect", core.Config{})
	readReport(t, inspect)
	chat := coderDial(t, ts.addr, "/ws/chat?nick=c")
	until(t, coderChat{chat}, "join")

	results := make(chan error, 3)
	go func() { _, _, err := echo.ReadMessage(nil); results <- err }()
	go func() { _, _, err := inspect.ReadMessage(nil); results <- err }()
	go func() {
		for {
			if _, _, err := chat.Read(context.Background()); err != nil {
				results <- err
				return
			}
		}
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	if err := ts.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	t.Logf("shutdown with 3 WebSockets took %v", time.Since(start))
	for range 3 {
		err := <-results
		var ce *core.CloseError
		switch {
		case errors.As(err, &ce):
			if ce.Code != core.StatusGoingAway {
				t.Fatalf("core client: %v", err)
			}
		case websocket.CloseStatus(err) != websocket.StatusGoingAway:
			t.Fatalf("coder client: %v", err)
		}
	}
	if nc, err := net.DialTimeout("tcp", ts.addr, time.Second); err == nil {
		nc.Close()
		t.Fatal("still accepting after Shutdown")
	}
}

// Shutdown gives up on a client that does not answer the close frame when
// the context ends, and cuts it.
func TestShutdownBounded(t *testing.T) {
	ts := startServer(t, nil)
	nc := dialTCP(t, ts.addr)
	io.WriteString(nc, handshakeHead(ts.addr, "/ws/echo"))
	if resp, err := core.ReadResponse(bufio.NewReader(nc), 0); err != nil || resp.Status != 101 {
		t.Fatal(err)
	}
	// This client never answers the close frame.
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	ts.Shutdown(ctx)
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Shutdown took %v with a 300ms context", d)
	}
}

// The real binary, stopped by SIGTERM, closes its WebSockets with 1001,
// logs it (as JSON here) and exits 0.
func TestSubprocessSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "wsplay")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "serve", "-addr", "127.0.0.1:0", "-log-json")
	stdout, _ := cmd.StdoutPipe()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "wsplay: open http://")
	if !ok {
		t.Fatalf("first line %q", line)
	}
	addr := strings.TrimSuffix(url, "/")
	c := coreDial(t, addr, "/ws/echo", core.Config{})
	c.WriteMessage(core.OpText, []byte("x"))
	if _, _, err := c.ReadMessage(nil); err != nil {
		t.Fatal(err)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if _, _, err := c.ReadMessage(nil); closeCode(err) != core.StatusGoingAway {
		t.Fatalf("after SIGTERM: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("exit: %v\n%s", err, stderr.String())
		}
	case <-time.After(testDeadline):
		t.Fatal("the process did not exit")
	}
	// -log-json: one JSON object per line, the close with its code.
	var closed bool
	for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		if rec["msg"] == "websocket close" {
			closed = rec["code"] == float64(1001) && rec["by"] == "server"
		}
	}
	if !closed {
		t.Errorf("no websocket close line with code 1001:\n%s", stderr.String())
	}
}
