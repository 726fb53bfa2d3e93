//go:build !js

package check

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"wsplay/core"
	"wsplay/reach"
)

// testOpts keeps the runs short: a time limit that a loopback server meets
// even under -race, and one large size.
func testOpts() Options {
	return Options{Timeout: 3 * time.Second, LargeSizes: []int{1 << 20}}
}

func runAll(t *testing.T, url string, opts Options) (*Report, map[string]Result) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var streamed int
	rep, err := Run(ctx, url, opts, func(Result) { streamed++ })
	if err != nil {
		t.Fatal(err)
	}
	if streamed != len(rep.Results) || len(rep.Results)+skipped(rep, opts) != len(Cases(opts)) {
		t.Fatalf("streamed %d, reported %d, cases %d", streamed, len(rep.Results), len(Cases(opts)))
	}
	byID := map[string]Result{}
	for _, r := range rep.Results {
		byID[r.ID] = r
	}
	return rep, byID
}

// skipped counts the cases a run did not try: those of the stages that are
// not yet there (after their first case) and of the stages not tried.
func skipped(rep *Report, opts Options) int {
	n := 0
	for _, sc := range rep.Stages {
		n += sc.Skipped
	}
	for _, c := range Cases(opts) {
		if slices.Contains(rep.NotTried, c.Stage) {
			n++
		}
	}
	return n
}

// logResults shows every result that is not a PASS, for a failing test.
func logResults(t *testing.T, rep *Report) {
	t.Helper()
	var b strings.Builder
	tw := &TextWriter{W: &b}
	for _, r := range rep.Results {
		if r.Status != Pass {
			tw.Result(r)
		}
	}
	t.Log("\n" + b.String())
}

// coreEcho is an echo endpoint built on core.Upgrade and core.Conn, the way
// the server's /ws/echo is (server/check_cmd_test.go runs the check against
// the real /ws/echo).
func coreEcho(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _, err := core.Upgrade(w, r, core.UpgradeOptions{})
		if err != nil {
			return
		}
		defer c.CloseNow()
		var buf []byte
		for {
			op, msg, err := c.ReadMessage(buf[:0])
			if err != nil {
				return
			}
			if c.WriteMessage(op, msg) != nil {
				return
			}
			buf = msg
		}
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/echo"
}

// coderEcho is an echo server built on github.com/coder/websocket, an
// independent and widely used implementation.
func coderEcho(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		c.SetReadLimit(64 << 20)
		ctx := context.Background()
		for {
			typ, msg, err := c.Read(ctx)
			if err != nil {
				return
			}
			if c.Write(ctx, typ, msg) != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/"
}

func TestCoreEchoPassesEverything(t *testing.T) {
	rep, _ := runAll(t, coreEcho(t), testOpts())
	if rep.Fail != 0 || rep.Warn != 0 {
		logResults(t, rep)
		t.Fatalf("%d failed, %d warned", rep.Fail, rep.Warn)
	}
}

// coderWarnings are the cases where coder/websocket differs from what the
// check prefers, each a documented WARN (docs/check.md).
var coderWarnings = map[string]string{
	"handshake.version": "it refuses another version with 400, not 426 (it does send Sec-WebSocket-Version: 13)",
	"frame.unmasked":    "it drops the TCP connection without a close frame on an unmasked client frame",
	"utf8.invalid":      "it does not validate UTF-8, by design: it echoes the invalid text",
	"utf8.fail-fast":    "it does not validate UTF-8, by design: it echoes the invalid text",
}

func TestCoderEchoPassesOrWarnsAsDocumented(t *testing.T) {
	rep, byID := runAll(t, coderEcho(t), testOpts())
	for _, r := range rep.Results {
		_, warnOK := coderWarnings[r.ID]
		if r.Status == Fail || (r.Status == Warn && !warnOK) {
			logResults(t, rep)
			t.Fatalf("%s: %s: %s", r.ID, r.Status, r.Got)
		}
	}
	for id, why := range coderWarnings {
		if byID[id].Status != Warn {
			t.Errorf("%s: %s, expected the documented WARN (%s); update docs/check.md", id, byID[id].Status, why)
		}
	}
}

// A server that masks its frames breaks §5.1: the check's FrameReader, in
// the client role, refuses the echo, and the result says why.
func TestMaskedServerFrameIsAFinding(t *testing.T) {
	url := serveRaw(t, func(nc net.Conn, br *bufio.Reader) {
		req, err := core.ReadRequest(br, 0)
		if err != nil || req.Validate() != nil {
			return
		}
		nc.Write(req.NewResponse(core.ResponseOptions{}).AppendResponse(nil))
		fr := core.NewFrameReader(br, core.Server, 0)
		for {
			h, err := fr.NextFrame()
			if err != nil {
				return
			}
			p, _ := io.ReadAll(fr)
			out := core.AppendFrameHeader(nil, core.FrameHeader{Fin: true, Opcode: h.Opcode, Length: uint64(len(p)), Masked: true, Key: [4]byte{1, 2, 3, 4}})
			n := len(out)
			out = append(out, p...)
			core.Mask([4]byte{1, 2, 3, 4}, 0, out[n:])
			nc.Write(out)
		}
	})
	opts := testOpts()
	opts.Run = []string{"frame.text-125"}
	rep, byID := runAll(t, url, opts)
	r := byID["frame.text-125"]
	if rep.Fail != 1 || r.Rule.ID != core.RuleServerNoMask.ID || rep.Diagnosis == nil || rep.Diagnosis.ID != DiagServerMasks || !strings.HasSuffix(r.Lesson, "/lessons/masking") ||
		!strings.Contains(r.Got, "a server must not mask") || len(r.ReceivedFrames) != 1 || !strings.Contains(r.ReceivedFrames[0], "masked") {
		logResults(t, rep)
		t.Fatalf("%+v", r)
	}
}

// A refused URL is refused before any connection: Run returns the error
// and no result.
func TestRunRefusesBeforeDialing(t *testing.T) {
	called := false
	rep, err := Run(context.Background(), "ws://192.0.2.1:8080/", Options{}, func(Result) { called = true })
	var re *reach.RefusedError
	if !errors.As(err, &re) || rep != nil || called {
		t.Fatalf("%v %v %v", rep, err, called)
	}
}
