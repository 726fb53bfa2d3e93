package main

import (
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestReadProcSelf reads the test's own /proc files: the counters must
// move the way the work done says they must.
func TestReadProcSelf(t *testing.T) {
	pid := os.Getpid()
	s0, err := readProc(pid)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("/proc/self/stat")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const reads = 50
	buf := make([]byte, 4096)
	for range reads {
		if _, err := f.ReadAt(buf, 0); err != nil && err.Error() != "EOF" {
			t.Fatal(err)
		}
	}
	// Burn CPU until the counter moves by two ticks: the loop is bounded
	// by CPU time, not wall time, so a busy machine only makes it longer.
	x := 0
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end); {
		for i := range 100000 {
			x += i
		}
		if s, err := readProc(pid); err == nil && s.cpu-s0.cpu >= 2*clockTick {
			break
		}
	}
	_ = x
	s1, err := readProc(pid)
	if err != nil {
		t.Fatal(err)
	}
	d := s1.sub(s0)
	t.Logf("delta: cpu %v, syscr %d, syscw %d, wall %v", d.cpu, d.syscr, d.syscw, d.wall)
	if !d.hasIO || d.syscr < reads {
		t.Errorf("syscr grew by %d over %d reads", d.syscr, reads)
	}
	// At most every CPU runs this test's threads at once, plus a tick of
	// rounding on each end.
	if d.cpu < 2*clockTick || d.cpu > time.Duration(runtime.NumCPU())*d.wall+2*clockTick {
		t.Errorf("cpu time grew by %v over %v of busy loop", d.cpu, d.wall)
	}

	rss, err := readRSS(pid)
	if err != nil {
		t.Fatal(err)
	}
	if rss < 1<<20 || rss > 1<<34 {
		t.Errorf("VmRSS of this test is %d bytes; a Go test process holds between 1 MiB and 16 GiB", rss)
	}
	if _, err := readProc(1 << 30); err == nil {
		t.Error("reading the /proc files of a PID that does not exist did not fail")
	}
}

func TestParseStatCPU(t *testing.T) {
	// The command name may hold spaces and ')'; utime 120 and stime 37.
	tail := " S 1 2 3 4 5 6 7 8 9 10 120 37 0 0 20 0 4 0 100 2000 300"
	tests := []struct {
		name, stat string
		want       int64
		err        bool
	}{
		{"plain", "42 (wsplay)" + tail, 157, false},
		{"odd command name", "42 (a b) (c)" + tail, 157, false},
		{"no parenthesis", "42 wsplay" + tail, 0, true},
		{"too short", "42 (x) S 1 2", 0, true},
		{"not a number", "42 (x) S 1 2 3 4 5 6 7 8 9 10 lots 37 0", 0, true},
	}
	for _, tt := range tests {
		got, err := parseStatCPU([]byte(tt.stat))
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("%s: got %d, %v; want %d, error %v", tt.name, got, err, tt.want, tt.err)
		}
	}
}

func TestParseIOAndStatus(t *testing.T) {
	r, w, err := parseIO([]byte("rchar: 10\nwchar: 20\nsyscr: 3\nsyscw: 4\nread_bytes: 0\n"))
	if err != nil || r != 3 || w != 4 {
		t.Errorf("parseIO: %d, %d, %v; want 3, 4", r, w, err)
	}
	if _, _, err := parseIO([]byte("rchar: 10\n")); err == nil {
		t.Error("parseIO accepted a file with no syscr")
	}
	kb, err := parseStatusKB([]byte("Name:\tx\nVmRSS:\t   2048 kB\n"), "VmRSS")
	if err != nil || kb != 2048 {
		t.Errorf("parseStatusKB: %d, %v; want 2048", kb, err)
	}
	if _, err := parseStatusKB([]byte("VmRSS: 2 MB\n"), "VmRSS"); err == nil || !strings.Contains(err.Error(), "kB") {
		t.Errorf("parseStatusKB accepted a unit other than kB: %v", err)
	}
}

func TestParseCPUList(t *testing.T) {
	tests := []struct {
		in   string
		want []int
	}{
		{"0", []int{0}},
		{"0-1\n", []int{0, 1}},
		{"0-2,5,7-8", []int{0, 1, 2, 5, 7, 8}},
		{"x", nil},
		{"3-1", nil},
	}
	for _, tt := range tests {
		got, err := parseCPUList(tt.in)
		if !slices.Equal(got, tt.want) || (tt.want == nil) != (err != nil) {
			t.Errorf("parseCPUList(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	cpus, err := allowedCPUs()
	if err != nil || len(cpus) == 0 {
		t.Errorf("allowedCPUs: %v, %v", cpus, err)
	}
}

func TestCPUModel(t *testing.T) {
	got := cpuModel()
	t.Log(got)
	if strings.HasPrefix(got, "unknown") || !strings.Contains(got, " × ") || strings.HasSuffix(got, "× 0") {
		t.Errorf("cpuModel() = %q, want a model name and a processor count", got)
	}
}
