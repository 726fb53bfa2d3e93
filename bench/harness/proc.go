package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTick is the unit of utime and stime in /proc/PID/stat: USER_HZ,
// which Linux fixes at 100 for user space on every architecture Go runs
// on, whatever the kernel's internal HZ.
const clockTick = 10 * time.Millisecond

// procSample is a process's counters at one instant.
type procSample struct {
	cpu   time.Duration // utime + stime
	syscr int64         // read-family system calls (read, readv, pread64, recvfrom, …)
	syscw int64         // write-family system calls (write, writev, sendto, …)
	hasIO bool          // /proc/PID/io was readable
	taken time.Time
}

// procDelta is the difference between two samples.
type procDelta struct {
	cpu          time.Duration
	syscr, syscw int64
	hasIO        bool
	wall         time.Duration
}

func (s procSample) sub(old procSample) procDelta {
	return procDelta{cpu: s.cpu - old.cpu, syscr: s.syscr - old.syscr, syscw: s.syscw - old.syscw,
		hasIO: s.hasIO && old.hasIO, wall: s.taken.Sub(old.taken)}
}

// readProc samples /proc/PID/stat and /proc/PID/io.
func readProc(pid int) (procSample, error) {
	s := procSample{taken: time.Now()}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return s, err
	}
	ticks, err := parseStatCPU(stat)
	if err != nil {
		return s, fmt.Errorf("/proc/%d/stat: %w", pid, err)
	}
	s.cpu = time.Duration(ticks) * clockTick
	io, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", pid))
	if err != nil {
		return s, fmt.Errorf("%w (it needs the same user as the server, or CAP_SYS_PTRACE)", err)
	}
	if s.syscr, s.syscw, err = parseIO(io); err != nil {
		return s, fmt.Errorf("/proc/%d/io: %w", pid, err)
	}
	s.hasIO = true
	return s, nil
}

// parseStatCPU returns utime + stime, in clock ticks, from the contents of
// /proc/PID/stat. The command name (field 2) is in parentheses and may hold
// spaces and parentheses itself, so fields are counted from the last ')'.
func parseStatCPU(stat []byte) (int64, error) {
	end := bytes.LastIndexByte(stat, ')')
	if end < 0 {
		return 0, errors.New("no ')' closing the command name")
	}
	// After ") " come field 3 (state) onwards; utime and stime are fields
	// 14 and 15 (proc(5)), so indexes 11 and 12 here.
	f := strings.Fields(string(stat[end+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("%d fields after the command name, want at least 13", len(f))
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("utime/stime: %w", err)
	}
	return utime + stime, nil
}

// parseIO returns syscr and syscw from the contents of /proc/PID/io.
func parseIO(b []byte) (syscr, syscw int64, err error) {
	var gotR, gotW bool
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		n, perr := strconv.ParseInt(strings.TrimSpace(val), 10, 64)
		switch name {
		case "syscr":
			syscr, gotR, err = n, true, perr
		case "syscw":
			syscw, gotW, err = n, true, perr
		}
		if err != nil {
			return 0, 0, fmt.Errorf("%s: %w", name, err)
		}
	}
	if !gotR || !gotW {
		return 0, 0, errors.New("no syscr or syscw line")
	}
	return syscr, syscw, nil
}

// readRSS returns the resident set size of process pid, in bytes.
func readRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	n, err := parseStatusKB(b, "VmRSS")
	if err != nil {
		return 0, fmt.Errorf("/proc/%d/status: %w", pid, err)
	}
	return n * 1024, nil
}

// parseStatusKB returns the value of field (e.g. "VmRSS") of
// /proc/PID/status, which the kernel writes in kB (KiB, in fact).
func parseStatusKB(b []byte, field string) (int64, error) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), ":")
		if !ok || name != field {
			continue
		}
		num, unit, _ := strings.Cut(strings.TrimSpace(val), " ")
		if unit != "kB" {
			return 0, fmt.Errorf("%s is in %q, want kB", field, unit)
		}
		return strconv.ParseInt(num, 10, 64)
	}
	return 0, fmt.Errorf("no %s line", field)
}

// parseCPUList parses a list such as "0-3,8,10-11" (Cpus_allowed_list in
// /proc/PID/status, or taskset -c) into CPU numbers.
func parseCPUList(s string) ([]int, error) {
	var cpus []int
	for part := range strings.SplitSeq(strings.TrimSpace(s), ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			return nil, fmt.Errorf("CPU list %q: %w", s, err)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a {
				return nil, fmt.Errorf("CPU list %q: bad range %q", s, part)
			}
		}
		for c := a; c <= b; c++ {
			cpus = append(cpus, c)
		}
	}
	return cpus, nil
}

// allowedCPUs returns the CPUs this process may run on.
func allowedCPUs() ([]int, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "Cpus_allowed_list:"); ok {
			return parseCPUList(v)
		}
	}
	return nil, errors.New("/proc/self/status has no Cpus_allowed_list")
}

// cpuModel returns the first "model name" of /proc/cpuinfo and how many
// processors it lists (the harness's own CPU count is 1 once pinned).
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	model, n := "unknown model", 0
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), ":")
		switch name = strings.TrimSpace(name); {
		case !ok:
		case name == "processor":
			n++
		case name == "model name" && n == 1:
			model = strings.TrimSpace(val)
		}
	}
	return fmt.Sprintf("%s × %d", model, n)
}
