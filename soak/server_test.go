//go:build !js

package soak

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// binary is the wsplay server built once by TestMain.
var binary string

// startTimeout bounds how long a started server may take to print its URL.
const startTimeout = 2 * time.Minute

// TestMain builds the server with the race detector, so that a data race
// the soak provokes in the server fails the run too (the race detector
// makes the process exit with status 66 and prints the report in its log).
// WSPLAY_SOAK_RACE=0 builds it without, for memory figures of the binary
// people run.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "wsplay-soak-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "wsplay")
	args := []string{"build", "-race", "-o", binary, "./server"}
	if os.Getenv("WSPLAY_SOAK_RACE") == "0" {
		args = []string{"build", "-o", binary, "./server"}
	}
	build := exec.Command("go", args...)
	build.Dir = ".." // the module root
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "soak: go %s failed: %v\n%s", strings.Join(args, " "), err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// server is one wsplay process.
type server struct {
	t       testing.TB
	cmd     *exec.Cmd
	addr    string // host:port it listens on
	logPath string // its standard error: JSON log lines (and, with goroutine counting, the runtime's scheduler traces)
	exited  chan struct{}
	waitErr error // once exited is closed

	outMu sync.Mutex
	out   []string // the lines it printed on standard output after its URL
}

// serverOpts says how to start a server.
type serverOpts struct {
	addr       string   // "" means 127.0.0.1:0
	flags      []string // flags of serve besides -addr and -log-json
	goroutines bool     // have the runtime trace its goroutines (see goroutines)
	binary     string   // the wsplay binary to run; "" means the one TestMain built
}

// startServer starts wsplay serve with -log-json and the given flags, and
// waits until it prints the URL it listens on. The process is stopped when
// the test ends; if the test failed, the end of its log is shown.
func startServer(t testing.TB, o serverOpts) *server {
	t.Helper()
	if o.addr == "" {
		o.addr = "127.0.0.1:0"
	}
	logf, err := os.CreateTemp(t.TempDir(), "server-*.log")
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{"serve", "-addr", o.addr, "-log-json"}, o.flags...)
	bin := binary
	if o.binary != "" {
		bin = o.binary
	}
	cmd := exec.Command(bin, args...)
	cmd.Stderr = logf
	// The race runtime sleeps a second before a process exits, which
	// would count against the shutdown's time.
	cmd.Env = append(os.Environ(), "GORACE="+strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	if o.goroutines {
		// Every half second the runtime prints one line per goroutine
		// to standard error: the only count of a separate process's
		// goroutines that needs nothing from the program itself.
		cmd.Env = append(cmd.Env, "GODEBUG=schedtrace=500,scheddetail=1")
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{t: t, cmd: cmd, logPath: logf.Name(), exited: make(chan struct{})}
	go func() {
		s.waitErr = cmd.Wait()
		logf.Close()
		close(s.exited)
	}()
	t.Cleanup(func() {
		s.stop()
		if t.Failed() {
			t.Logf("server %s, end of its log:\n%s", strings.Join(args, " "), s.logTail(40))
		}
	})

	lines := make(chan string, 1)
	go func() {
		br := bufio.NewReader(stdout)
		line, _ := br.ReadString('\n')
		lines <- line
		// Keep draining: the process must never block on its stdout.
		// The lines are kept (a few: the limits, the class codes).
		for {
			l, err := br.ReadString('\n')
			if err != nil {
				return
			}
			s.outMu.Lock()
			s.out = append(s.out, strings.TrimSpace(l))
			s.outMu.Unlock()
		}
	}()
	select {
	case line := <-lines:
		url, ok := strings.CutPrefix(strings.TrimSpace(line), "wsplay: open http://")
		if !ok {
			t.Fatalf("wsplay printed %q first, not its URL; log:\n%s", line, s.logTail(20))
		}
		s.addr = strings.TrimSuffix(url, "/")
	// A race-built server renders the course at start-up with the race
	// detector on, beside the other packages' tests: on two busy cores
	// that has taken more than 30 s.
	case <-time.After(startTimeout):
		t.Fatalf("wsplay did not print its URL within %v; log:\n%s", startTimeout, s.logTail(20))
	}
	return s
}

// printed returns the first line the server printed on standard output
// (after its URL) that contains word, waiting for it at most d.
func (s *server) printed(word string, d time.Duration) string {
	end := time.Now().Add(d)
	for {
		s.outMu.Lock()
		for _, l := range s.out {
			if strings.Contains(l, word) {
				s.outMu.Unlock()
				return l
			}
		}
		s.outMu.Unlock()
		if time.Now().After(end) {
			s.t.Fatalf("the server did not print a line with %q", word)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop ends the process if it still runs: SIGTERM, then SIGKILL.
func (s *server) stop() {
	select {
	case <-s.exited:
		return
	default:
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(15 * time.Second):
		s.cmd.Process.Kill()
		<-s.exited
	}
}

// waitExit waits for the process to end, at most d, and returns its exit
// status and how long it took.
func (s *server) waitExit(d time.Duration) (status int, took time.Duration, ok bool) {
	start := time.Now()
	select {
	case <-s.exited:
	case <-time.After(d):
		return 0, time.Since(start), false
	}
	took = time.Since(start)
	var ee *exec.ExitError
	if errors.As(s.waitErr, &ee) {
		return ee.ExitCode(), took, true
	}
	if s.waitErr != nil {
		return -1, took, true
	}
	return 0, took, true
}

// log returns what the server wrote to standard error so far.
func (s *server) log() []byte {
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		s.t.Fatal(err)
	}
	return b
}

// logTail returns the last n lines of the log, without scheduler traces.
func (s *server) logTail(n int) string {
	b, _ := os.ReadFile(s.logPath)
	var keep []string
	for _, l := range strings.Split(string(b), "\n") {
		if !schedLine.MatchString(l) {
			keep = append(keep, l)
		}
	}
	if len(keep) > n {
		keep = keep[len(keep)-n:]
	}
	return strings.Join(keep, "\n")
}

// schedLine matches the lines GODEBUG=scheddetail=1 prints.
var schedLine = regexp.MustCompile(`^(SCHED |  [PMG]\d+: )`)

// logRecord is one JSON log line of the server.
type logRecord struct {
	Time   time.Time `json:"time"`
	Msg    string    `json:"msg"`
	ID     uint64    `json:"id"`
	Nick   string    `json:"nick"`
	Code   int       `json:"code"`
	Reason string    `json:"reason"`
	By     string    `json:"by"`
	Remote string    `json:"remote"`
	Status string    `json:"status"`
}

// records returns the JSON log lines whose msg is msg. The runtime's
// traces go to the same file and may break into a line: a record is
// looked for from its opening brace.
func (s *server) records(msg string) []logRecord {
	var out []logRecord
	for _, l := range bytes.Split(s.log(), []byte("\n")) {
		i := bytes.Index(l, []byte(`{"time"`))
		if i < 0 {
			continue
		}
		var r logRecord
		if json.Unmarshal(l[i:], &r) == nil && r.Msg == msg {
			out = append(out, r)
		}
	}
	return out
}

// waitRecord waits until a log line with msg satisfies match, at most d.
func (s *server) waitRecord(msg string, d time.Duration, match func(logRecord) bool) (logRecord, bool) {
	end := time.Now().Add(d)
	for {
		for _, r := range s.records(msg) {
			if match(r) {
				return r, true
			}
		}
		if time.Now().After(end) {
			return logRecord{}, false
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// closeRecordFor returns the "websocket close" line of the connection from
// the client address remote (the server's view of the client's local
// address), waiting for it at most d.
func (s *server) closeRecordFor(remote string, d time.Duration) (logRecord, bool) {
	return s.waitRecord("websocket close", d, func(r logRecord) bool { return r.Remote == remote })
}

// memory is the server's resident memory, from /proc/PID/status.
type memory struct {
	RSS, HWM int64 // VmRSS and VmHWM (the peak), bytes
}

// procMemory reads the memory figures of process pid.
func procMemory(pid int) (memory, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return memory{}, err
	}
	var m memory
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			m.RSS = kb << 10
		case "VmHWM:":
			m.HWM = kb << 10
		}
	}
	return m, nil
}

// mem reads the server's memory figures.
func (s *server) mem() memory {
	m, err := procMemory(s.cmd.Process.Pid)
	if err != nil {
		s.t.Fatalf("reading the server's memory: %v", err)
	}
	return m
}

// peakSampler records the highest value of a figure of a process,
// sampled every 20 ms, until stopped.
type peakSampler struct {
	stopc chan struct{}
	done  chan struct{}
	max   atomic.Int64
}

func samplePeak(read func() (int64, bool)) *peakSampler {
	p := &peakSampler{stopc: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			if v, ok := read(); ok && v > p.max.Load() {
				p.max.Store(v)
			}
			select {
			case <-p.stopc:
				return
			case <-t.C:
			}
		}
	}()
	return p
}

// stop ends the sampling and returns the peak.
func (p *peakSampler) stop() int64 {
	close(p.stopc)
	<-p.done
	return p.max.Load()
}

// rssSamplerOf records the highest VmRSS of process pid between now and
// stop: VmHWM only gives the peak since the process began.
func rssSamplerOf(pid int) *peakSampler {
	return samplePeak(func() (int64, bool) {
		m, err := procMemory(pid)
		return m.RSS, err == nil
	})
}

// sampleRSS is rssSamplerOf for the server.
func (s *server) sampleRSS() *peakSampler { return rssSamplerOf(s.cmd.Process.Pid) }

// gLine is one goroutine in a scheduler trace: its id and status.
var gLine = regexp.MustCompile(`G\d+: status=(\d+)\(([^)]*)\)`)

// goroutines counts the live goroutines in the server's latest complete
// scheduler trace (GODEBUG=schedtrace, scheddetail), with a histogram of
// their wait reasons. Dead goroutines (status 6), kept by the runtime for
// reuse, are not counted; the runtime's own (GC workers...) are. It waits
// for a trace that starts after the call, so the count is current.
func (s *server) goroutines() (int, map[string]int) {
	s.t.Helper()
	before := bytes.Count(s.log(), []byte("SCHED "))
	end := time.Now().Add(10 * time.Second)
	for {
		b := s.log()
		if n := bytes.Count(b, []byte("SCHED ")); n >= before+2 {
			// The trace before the last one is complete: the last may
			// still be being written.
			idx := bytes.LastIndex(b, []byte("SCHED "))
			prev := bytes.LastIndex(b[:idx], []byte("SCHED "))
			return countGoroutines(b[prev:idx])
		}
		if time.Now().After(end) {
			s.t.Fatal("the server printed no scheduler trace within 10s: was it started with goroutines: true?")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// countGoroutines counts the live goroutines of one trace.
func countGoroutines(trace []byte) (int, map[string]int) {
	n, reasons := 0, map[string]int{}
	for _, m := range gLine.FindAllSubmatch(trace, -1) {
		st, _ := strconv.Atoi(string(m[1]))
		if st&^0x1000 == 6 { // _Gdead, with or without _Gscan
			continue
		}
		n++
		reasons[string(m[2])]++
	}
	return n, reasons
}
