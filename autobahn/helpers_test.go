//go:build !js

package autobahn

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

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

var _ = errors.New
var _ = io.EOF
var _ = strings.Contains
