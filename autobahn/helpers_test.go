//go:build !js

package autobahn

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"wsplay/check/testdata/naive"
	"wsplay/core"
)

// startCoreEcho serves an echo built on core, the way wsplay's /ws/echo is
// (core.Upgrade, then ReadLoop and WriteMessage), with permessage-deflate
// as -compress (the default) negotiates it, and returns its ws:// URL.
func startCoreEcho(t testing.TB) string {
	return startCoreEchoDeflate(t, &core.DeflateOptions{})
}

// startCoreEchoDeflate is startCoreEcho with a compression policy; nil
// declines every offer, as -compress=false does.
func startCoreEchoDeflate(t testing.TB, deflate *core.DeflateOptions) string {
	t.Helper()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _, err := core.Upgrade(w, r, core.UpgradeOptions{Config: core.Config{MaxMessageSize: 32 << 20}, Deflate: deflate})
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
	return startCoderEchoMode(t, websocket.CompressionDisabled)
}

// startCoderEchoMode is startCoderEcho with one of coder/websocket's
// compression modes.
func startCoderEchoMode(t testing.TB, mode websocket.CompressionMode) string {
	t.Helper()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{CompressionMode: mode})
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

// startNaivePython runs lessons/examples/python/naive_server.py, the
// classic blog recipe, on a free port and returns its ws:// URL. Without
// python3 the test is skipped, unless REQUIRE_PYTHON=1.
func startNaivePython(t testing.TB) string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("REQUIRE_PYTHON") == "1" {
			t.Fatal("python3 is required (REQUIRE_PYTHON=1) but not on PATH")
		}
		t.Skip("python3 is not installed: apt-get install python3 to grade the classic recipe")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, py, filepath.Join("..", "lessons", "examples", "python", "naive_server.py"), "0")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); cmd.Wait() })
	first := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(out).ReadString('\n')
		first <- s
	}()
	select {
	case s := <-first:
		port, ok := strings.CutPrefix(strings.TrimSpace(s), "listening on ")
		if !ok {
			t.Fatalf("naive_server.py said %q", s)
		}
		return "ws://127.0.0.1:" + port + "/"
	case <-time.After(15 * time.Second):
		t.Fatal("naive_server.py did not start")
	}
	return ""
}

// run runs the selected cases against url and indexes the results by id.
func run(t testing.TB, url, agent string, include, exclude []string) (*Report, map[string]Result) {
	t.Helper()
	cs, err := Select(Cases(), include, exclude)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), url, Options{Agent: agent, Cases: cs, Lessons: "http://127.0.0.1:8080"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]Result{}
	for _, r := range rep.Results {
		byID[r.ID] = r
	}
	writeSummary(t, rep)
	return rep, byID
}

// writeSummary writes the text report into $AUTOBAHN_SUMMARY_DIR when it is
// set: how docs/autobahn/*.md are made.
func writeSummary(t testing.TB, rep *Report) {
	dir := os.Getenv("AUTOBAHN_SUMMARY_DIR")
	if dir == "" {
		return
	}
	var b strings.Builder
	WriteText(&b, rep, false)
	name := filepath.Join(dir, strings.ReplaceAll(strings.ToLower(rep.Agent), "/", "-")+".txt")
	if err := os.WriteFile(name, []byte(b.String()), 0o644); err != nil {
		t.Error(err)
	}
}
