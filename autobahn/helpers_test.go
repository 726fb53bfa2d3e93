//go:build !js

package autobahn

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/coder/websocket"

	"wsplay/check/testdata/naive"
	"wsplay/core"
)

// startCoreEcho serves an echo built on core, the way wsplay's /ws/echo is
// (core.Upgrade, then ReadLoop and WriteMessage), and returns its ws:// URL.
func startCoreEcho(t testing.TB) string {
	t.Helper()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _, err := core.Upgrade(w, r, core.UpgradeOptions{Config: core.Config{MaxMessageSize: 32 << 20}})
		if err != nil {
			return
		}
		c.ReadLoop(func(op core.Opcode, msg []byte) error { return c.WriteMessage(op, msg) })
	})
	return serveHTTP(t, h) + "/ws/echo"
}

func serveHTTP(t testing.TB, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		srv.Close()
	})
	return "ws://" + ln.Addr().String()
}

// startCoderEcho serves an echo built on github.com/coder/websocket, a
// widely used library that is not wsplay's, and returns its ws:// URL.
func startCoderEcho(t testing.TB) string {
	t.Helper()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		c.SetReadLimit(64 << 20)
		ctx := r.Context()
		for {
			typ, rd, err := c.Reader(ctx)
			if err != nil {
				return
			}
			wr, err := c.Writer(ctx, typ)
			if err != nil {
				return
			}
			if _, err := io.Copy(wr, rd); err != nil {
				return
			}
			if err := wr.Close(); err != nil {
				return
			}
		}
	})
	return serveHTTP(t, h) + "/"
}

// startNaive serves the classic Python recipe ported to Go (check's test
// server with known mistakes) and returns its ws:// URL.
func startNaive(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go naive.Serve(ln)
	return "ws://" + ln.Addr().String() + "/"
}
