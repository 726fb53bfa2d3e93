package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// drive is the harness's second command, `harness drive`: one connection,
// a fixed number of echoes, and what the server spent on them. A fixed
// count, not a time window, is what a load-independent measurement needs:
// run the server under `valgrind --tool=callgrind` and the instructions it
// executes for N messages do not depend on how busy the machine is (see
// docs/performance.md, "CPU per message on a busy machine"). With -pid it
// also prints the server's CPU time (the sum of its threads' schedstat, in
// nanoseconds) and system calls per message, from /proc.
func drive(args []string) error {
	fl := flag.NewFlagSet("harness drive", flag.ContinueOnError)
	addr := fl.String("addr", "127.0.0.1:8080", "`host:port` of the echo server")
	pid := fl.Int("pid", 0, "the server's `PID`, to read its CPU time and system calls (0: do not)")
	size := fl.Int("size", 64<<10, "payload `bytes`")
	n := fl.Int("messages", 10000, "messages measured")
	warm := fl.Int("warmup", 1000, "messages sent first, not measured")
	depth := fl.Int("depth", 1, "messages in flight (1: the closed loop)")
	pieces := fl.Int("pieces", 1, "writes each frame is cut into")
	gap := fl.Duration("piece-gap", 50*time.Microsecond, "pause between the writes of one frame")
	deflate := fl.Bool("deflate", false, "offer permessage-deflate and send compressed JSON-like text (the harness's deflate cells)")
	markStart := fl.String("mark-start", "", "`command` run (sh -c) after the warm-up, before the measured messages, e.g. callgrind_control -i on PID")
	markEnd := fl.String("mark-end", "", "`command` run (sh -c) after the measured messages, e.g. callgrind_control -d PID")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if *n < 1 || *warm < 0 || *depth < 1 || *pieces < 1 {
		return errors.New("-messages, -depth and -pieces must be at least 1, -warmup not negative")
	}
	cl, err := dialCell(*addr, cell{deflate: *deflate})
	if err != nil {
		return err
	}
	defer cl.nc.Close()
	if *deflate {
		cl.prepareDeflate(*size)
	} else {
		cl.prepare(opBinary, *size)
	}
	cl.pieces, cl.gap = *pieces, *gap
	if err := echoN(cl, *warm, *depth); err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}
	if err := runMark(*markStart); err != nil {
		return err
	}
	var s0 serverUse
	if *pid != 0 {
		if s0, err = readServerUse(*pid); err != nil {
			return err
		}
	}
	t0 := time.Now()
	if err := echoN(cl, *n, *depth); err != nil {
		return err
	}
	elapsed := time.Since(t0)
	var s1 serverUse
	if *pid != 0 {
		if s1, err = readServerUse(*pid); err != nil {
			return err
		}
	}
	if err := runMark(*markEnd); err != nil {
		return err
	}
	what := ""
	if *deflate {
		what = fmt.Sprintf(" compressed to %d bytes, echoes %.1f%% of the text on the wire,", len(cl.frame)-cl.off, 100*float64(cl.z.wire)/float64(cl.z.plain))
	}
	fmt.Printf("%d messages of %s%s in %d pieces, depth %d, in %v", *n, sizeName(*size), what, *pieces, *depth, elapsed.Round(time.Millisecond))
	if *pid != 0 {
		f := float64(*n)
		fmt.Printf(": server CPU %.2f µs/msg, reads %.2f/msg, writes %.2f/msg",
			float64(s1.cpu-s0.cpu)/1e3/f, float64(s1.syscr-s0.syscr)/f, float64(s1.syscw-s0.syscw)/f)
	}
	fmt.Println()
	return nil
}

// echoN sends n messages and checks their echoes, keeping up to depth in
// flight.
func echoN(cl *client, n, depth int) error {
	if n == 0 {
		return nil
	}
	werr := make(chan error, 1)
	slots := make(chan struct{}, depth)
	done := make(chan struct{})
	defer close(done)
	go func() {
		for range n {
			select {
			case slots <- struct{}{}:
			case <-done:
				werr <- nil
				return
			}
			if err := cl.send(); err != nil {
				werr <- err
				return
			}
		}
		werr <- nil
	}()
	cl.nc.SetDeadline(time.Now().Add(time.Duration(n)*time.Second + stallTimeout))
	defer cl.nc.SetDeadline(time.Time{})
	for range n {
		if err := cl.receive(); err != nil {
			return err
		}
		<-slots
	}
	return <-werr
}

func runMark(cmd string) error {
	if cmd == "" {
		return nil
	}
	out, err := execShell(cmd)
	if err != nil {
		return fmt.Errorf("-mark-start or -mark-end %q: %w: %s", cmd, err, out)
	}
	return nil
}

// serverUse is a server's CPU time, in nanoseconds, over all its threads,
// and its system calls.
type serverUse struct {
	cpu          int64
	syscr, syscw int64
}

// readServerUse sums /proc/PID/task/*/schedstat (run time in ns, first
// field), finer than the clock ticks of /proc/PID/stat; a thread that
// ended meanwhile is lost, which Go's runtime, keeping its threads, makes
// rare.
func readServerUse(pid int) (serverUse, error) {
	var u serverUse
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	if err != nil || len(tasks) == 0 {
		return u, fmt.Errorf("no /proc/%d/task/*/schedstat: %v", pid, err)
	}
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue // the thread ended
		}
		f := strings.Fields(string(b))
		if len(f) == 0 {
			continue
		}
		ns, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return u, fmt.Errorf("%s: %w", t, err)
		}
		u.cpu += ns
	}
	io, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", pid))
	if err != nil {
		return u, err
	}
	u.syscr, u.syscw, err = parseIO(io)
	return u, err
}

func execShell(cmd string) ([]byte, error) {
	return exec.Command("sh", "-c", cmd).CombinedOutput()
}
