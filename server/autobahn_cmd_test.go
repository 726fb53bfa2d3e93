//go:build !js

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

func readIndex(t *testing.T, dir string) map[string]map[string]map[string]any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	var idx map[string]map[string]map[string]any
	if err := json.Unmarshal(raw, &idx); err != nil {
		t.Fatal(err)
	}
	return idx
}

// wsplay check -suite autobahn against the real /ws/echo: every case run
// is OK (7.1.6 and 7.13.x are INFORMATIONAL), the exit status is 0, and
// -report writes Autobahn's index.json under the -agent name.
func TestCheckAutobahnSuiteAgainstEcho(t *testing.T) {
	ts := startServer(t, nil)
	dir := t.TempDir()
	code, out, errs := runCheck(t, "-suite", "autobahn", "-agent", "wsplay", "-cases", "1.*,2.*,3.*,4.*,5.*,6.4.*,7.*,10.*",
		"-report", dir, "ws://"+ts.addr+"/ws/echo")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	for _, want := range []string{`server under test "wsplay"`, "Total: OK 103, INFORMATIONAL 3", "Reports written to " + dir} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	idx := readIndex(t, dir)
	for _, id := range []string{"1.1.1", "5.1", "6.4.1", "7.5.1"} {
		if e := idx["wsplay"][id]; e["behavior"] != "OK" || e["behaviorClose"] != "OK" {
			t.Errorf("index.json: %s is %v", id, e)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "index.html")); err != nil {
		t.Error(err)
	}
}

// Against the classic recipe a FAILED case makes the exit status 1 and is
// explained; a NON-STRICT one fails only with -strict.
func TestCheckAutobahnSuiteAgainstNaive(t *testing.T) {
	url := "ws://" + startNaive(t) + "/"
	code, out, _ := runCheck(t, "-suite", "autobahn", "-cases", "2.1", url)
	if code != 1 {
		t.Errorf("exit %d, want 1:\n%s", code, out)
	}
	for _, want := range []string{"FAILED", "2.1", "rule pong-payload:", "why: ", "lesson: http://127.0.0.1:8080/lessons/control-frames"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// 3.2: the recipe echoes the first message, then ignores the frame
	// with RSV set; the suite has to drop the connection itself.
	// The case waits a second for the echo: on a loaded machine (-race,
	// other packages' browsers) the echo can come later and the case is
	// FAILED instead, so a few tries are allowed for the NON-STRICT
	// outcome; the exit status must then be 0.
	for try := 1; ; try++ {
		code, out, _ := runCheck(t, "-suite", "autobahn", "-cases", "3.2", url)
		if strings.Contains(out, "NON-STRICT") {
			if code != 0 {
				t.Errorf("without -strict: exit %d, want 0 with a NON-STRICT case:\n%s", code, out)
			}
			break
		}
		if try == 3 {
			t.Fatalf("3.2 against the recipe was not NON-STRICT in %d tries:\n%s", try, out)
		}
	}
	if code, out, _ := runCheck(t, "-suite", "autobahn", "-strict", "-cases", "3.2", url); code != 1 {
		t.Errorf("with -strict: exit %d, want 1:\n%s", code, out)
	}
}

func TestCheckAutobahnUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-suite", "nope", "ws://127.0.0.1:1/"}, `unknown -suite "nope"`},
		{[]string{"-suite", "autobahn", "-cases", "99.*", "ws://127.0.0.1:1/"}, "select no case"},
		{[]string{"-suite", "autobahn", "-stage", "frames", "ws://127.0.0.1:1/"}, "are for the graded check"},
		{[]string{"-suite", "autobahn", "ws://8.8.8.8/"}, "refusing"},
		{[]string{"-client", "ws://127.0.0.1:1/"}, "give no URL"},
	} {
		code, out, errs := runCheck(t, tc.args...)
		if code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, stderr %q, stdout %q; want 2 and %q", tc.args, code, errs, out, tc.want)
		}
	}
}

// wsplay check -client -once: a client test driver on coder/websocket runs
// the cases; the command writes the reports and exits with the run's
// status.
func TestCheckClientSuite(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dir := t.TempDir()
	type result struct {
		code     int
		out, err string
	}
	done := make(chan result, 1)
	go func() {
		var out, errb bytes.Buffer
		code := run([]string{"check", "-client", "-listen", addr, "-once", "-cases", "1.1.*,2.*,5.3,7.1.1", "-report", dir}, &out, &errb)
		done <- result{code, out.String(), errb.String()}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var c *websocket.Conn
	for c == nil {
		c, _, err = websocket.Dial(ctx, "ws://"+addr+"/getCaseCount", nil)
		if ctx.Err() != nil {
			t.Fatalf("the fuzzing server did not start: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	_, msg, err := c.Read(ctx)
	c.CloseNow()
	n, _ := strconv.Atoi(string(msg))
	if err != nil || n != 8+11+2 {
		t.Fatalf("getCaseCount: %q %v", msg, err)
	}
	for i := 1; i <= n; i++ {
		c, _, err := websocket.Dial(ctx, fmt.Sprintf("ws://%s/runCase?case=%d&agent=coder", addr, i), nil)
		if err != nil {
			t.Fatalf("runCase %d: %v", i, err)
		}
		c.SetReadLimit(1 << 20)
		for {
			typ, b, err := c.Read(ctx)
			if err != nil || c.Write(ctx, typ, b) != nil {
				break
			}
		}
		c.CloseNow()
	}
	c, _, err = websocket.Dial(ctx, "ws://"+addr+"/updateReports?agent=coder", nil)
	if err != nil {
		t.Fatal(err)
	}
	c.Read(ctx)
	c.CloseNow()
	select {
	case r := <-done:
		if r.code != 0 || !strings.Contains(r.out, `client under test "coder"`) || !strings.Contains(r.out, "Total: OK 21") {
			t.Errorf("exit %d\n%s\n%s", r.code, r.out, r.err)
		}
	case <-ctx.Done():
		t.Fatal("wsplay check -client -once did not exit after /updateReports")
	}
	if e := readIndex(t, dir)["coder"]["5.3"]; e["behavior"] != "OK" {
		t.Errorf("index.json: 5.3 is %v", e)
	}
}
