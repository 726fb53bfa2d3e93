//go:build !js

package tap

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"wsplay/core"
)

// startNaivePython runs lessons/examples/python/naive_server.py, the classic
// blog recipe, on a free port and returns its ws:// URL. Without python3
// the test is skipped, unless REQUIRE_PYTHON=1.
func startNaivePython(t *testing.T) string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("REQUIRE_PYTHON") == "1" {
			t.Fatal("python3 is required (REQUIRE_PYTHON=1) but not on PATH")
		}
		t.Skip("python3 is not installed: apt-get install python3 to run the classic recipe through the tap")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, py, filepath.Join("..", "lessons", "examples", "python", "naive_server.py"), "0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); cmd.Wait() })
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(stdout).ReadString('\n')
		line <- s
	}()
	select {
	case s := <-line:
		port, ok := strings.CutPrefix(strings.TrimSpace(s), "listening on ")
		if !ok {
			t.Fatalf("naive_server.py said %q", s)
		}
		return "ws://127.0.0.1:" + port + "/"
	case <-time.After(testDeadline):
		t.Fatal("naive_server.py did not start")
	}
	return ""
}

// The classic recipe through the tap: what it gets right is reported
// clean; a ping answered with a text frame and a close frame echoed as text
// (its status code is not UTF-8) show up frame by frame, with rule ids.
func TestNaivePythonThroughTap(t *testing.T) {
	addr, rec := startTap(t, startNaivePython(t), Limits{}, 0)
	c := rawDial(t, addr, "/")
	if resp := c.response(); resp.Verify(&core.ClientRequest{Key: c.key}) != nil {
		t.Fatalf("the recipe's handshake: %+v", resp)
	}
	steps := []struct {
		send    []byte
		answer  string // opcode name of the server's answer
		text    string // its payload as text, when it is one
		rules   string // the rule ids on the answer
		comment string
	}{
		{frame(true, core.OpText, true, []byte("Hello")), "text", "Hello", "", "a short text message: fine"},
		{frame(true, core.OpText, true, []byte(strings.Repeat("a", 126))), "text", strings.Repeat("a", 126), "", "126 bytes, in one read: fine"},
		{frame(true, core.OpPing, true, []byte("are you there")), "text", "are you there", "", "a ping answered with a text frame, not a pong"},
		{frame(true, core.OpClose, true, []byte{0x03, 0xe8, 'b', 'y', 'e'}), "text", "", "invalid-utf8", "the close frame echoed as text"},
	}
	for i, s := range steps {
		c.send(s.send)
		c.readFrame()
		evs := rec.waitType(t, "frame", "server", i+1)
		cf := pick(evs, "frame", "client")[i]
		sf := pick(evs, "frame", "server")[i]
		if w := wire(t, cf.Frame); string(w) != string(s.send) || len(cf.Problems) != 0 {
			t.Errorf("%s: client frame reported as % x (%v)", s.comment, w, cf.Problems)
		}
		if sf.Frame.OpcodeName != s.answer || (s.text != "" && sf.Frame.Text != s.text) || ruleIDs(sf.Problems) != s.rules {
			t.Errorf("%s: answer %s %q rules %q; want %s %q %q", s.comment, sf.Frame.OpcodeName, sf.Frame.Text, ruleIDs(sf.Problems), s.answer, s.text, s.rules)
		}
		if s.rules != "" && sf.Problems[0].Lesson != "utf8" {
			t.Errorf("%s: lesson %q", s.comment, sf.Problems[0].Lesson)
		}
	}
	// A frame that arrives in two pieces: the tap says so; the recipe
	// answers each piece as if it were a frame.
	f := frame(true, core.OpText, true, []byte("split"))
	c.send(f[:2])
	time.Sleep(100 * time.Millisecond)
	c.send(f[2:])
	evs := rec.waitType(t, "frame", "client", len(steps)+1)
	if cf := pick(evs, "frame", "client")[len(steps)]; cf.Frame.Pieces != 2 || cf.Frame.Text != "split" {
		t.Errorf("split frame reported as %+v", cf.Frame)
	}
	evs = rec.waitType(t, "frame", "server", len(steps)+2)
	if n := len(pick(evs, "frame", "server")); n < len(steps)+2 {
		t.Errorf("the recipe answered the split frame with %d frames, want one per piece", n-len(steps))
	}
}
