// Command harness measures wsplay's /ws/echo against echo servers built on
// gorilla/websocket, gobwas/ws, coder/websocket and lxzan/gws. It starts each server
// as its own process, pinned to one core, drives it from a load generator
// pinned to another, reads the server's CPU time, system calls and memory
// from /proc, and writes a table, a markdown report and an SVG chart.
//
// make bench runs it in full; make bench-smoke runs it briefly into a
// temporary directory. See docs/performance.md for what it measures.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Environment variables through which the harness, re-executed under
// taskset, learns which cores it chose.
const (
	envClientCPU = "WSBENCH_CLIENT_CPU"
	envServerCPU = "WSBENCH_SERVER_CPU"
	envNoPin     = "WSBENCH_NO_PIN" // why pinning was skipped
)

func main() {
	run := run
	if len(os.Args) > 1 && os.Args[1] == "drive" {
		run, os.Args = drive, append(os.Args[:1], os.Args[2:]...)
	}
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type options struct {
	wsplay, binDir          string
	md, svg, micro          string
	window, warmup, settle  time.Duration
	idle, depth, maxMessage int
	conns, sizes            []int
	pieces                  int
	pieceSizes              []int
	pieceGap                time.Duration
	deflateSizes            []int
	pin                     bool
	only                    string
}

func parseFlags(args []string) (options, error) {
	var o options
	fl := flag.NewFlagSet("harness", flag.ContinueOnError)
	fl.StringVar(&o.wsplay, "wsplay", "../bin/wsplay", "`path` of the wsplay binary (make build)")
	fl.StringVar(&o.binDir, "servers", "bin", "`directory` holding the comparison servers gorilla, gobwas, coder and gws (go build -o DIR/ ./servers/...)")
	fl.StringVar(&o.md, "md", "../docs/performance.md", "markdown `file` whose results, between the bench:results markers, are replaced (created if absent)")
	fl.StringVar(&o.svg, "svg", "../docs/performance.svg", "`file` to write the chart to")
	fl.StringVar(&o.micro, "micro", "", "`files` (comma-separated) of go test -bench output to include in the markdown")
	fl.DurationVar(&o.window, "duration", 2*time.Second, "measured window of each cell")
	fl.DurationVar(&o.warmup, "warmup", 500*time.Millisecond, "unmeasured load before each cell's window")
	fl.DurationVar(&o.settle, "settle", time.Second, "wait before reading memory, before and after opening the idle connections")
	fl.IntVar(&o.idle, "idle", 5000, "idle connections opened for the memory figure")
	fl.IntVar(&o.depth, "depth", 16, "messages in flight per connection in the pipelined mode")
	fl.IntVar(&o.maxMessage, "max-message", 1<<20, "largest message, in bytes, the servers are told to accept")
	connsFlag := fl.String("conns", "1,64", "comma-separated connection counts")
	sizesFlag := fl.String("sizes", "16,1024,65536", "comma-separated payload sizes, in bytes")
	fl.IntVar(&o.pieces, "pieces", 4, "writes each frame is cut into in the cells of frames arriving in pieces (1: no such cells)")
	pieceSizesFlag := fl.String("piece-sizes", "1024,65536", "comma-separated payload sizes, in bytes, of the cells of frames arriving in pieces (empty: none)")
	fl.DurationVar(&o.pieceGap, "piece-gap", 50*time.Microsecond, "pause between the writes of one frame in those cells")
	deflateSizesFlag := fl.String("deflate-sizes", "1024,65536", "comma-separated payload sizes, in bytes, of the cells with permessage-deflate negotiated (closed loop, JSON-like text); empty: no such cells, and no idle figure with it")
	fl.StringVar(&o.only, "only", "", "comma-separated `names` of the servers to run (default all: wsplay,gorilla,gobwas,coder,gws)")
	fl.BoolVar(&o.pin, "pin", true, "pin the servers and the load generator to different cores (needs 2 cores and taskset)")
	if err := fl.Parse(args); err != nil {
		return o, err
	}
	var err1, err2 error
	o.conns, err1 = intList("-conns", *connsFlag)
	o.sizes, err2 = intList("-sizes", *sizesFlag)
	var err3, err4 error
	if strings.TrimSpace(*pieceSizesFlag) != "" {
		o.pieceSizes, err3 = intList("-piece-sizes", *pieceSizesFlag)
	}
	if strings.TrimSpace(*deflateSizesFlag) != "" {
		o.deflateSizes, err4 = intList("-deflate-sizes", *deflateSizesFlag)
	}
	switch {
	case err1 != nil || err2 != nil || err3 != nil || err4 != nil:
		return o, errors.Join(err1, err2, err3, err4)
	case o.pieces < 1 || o.pieceGap < 0:
		return o, errors.New("-pieces must be at least 1 and -piece-gap not negative")
	case o.window <= 0 || o.warmup < 0 || o.settle < 0:
		return o, errors.New("-duration must be positive, -warmup and -settle not negative")
	case o.idle < 1 || o.depth < 2:
		return o, errors.New("-idle must be at least 1 and -depth at least 2 (1 is the closed loop, always run)")
	}
	for _, s := range slices.Concat(o.sizes, o.pieceSizes, o.deflateSizes) {
		if s > o.maxMessage {
			return o, fmt.Errorf("-sizes, -piece-sizes or -deflate-sizes has %d bytes, above -max-message %d", s, o.maxMessage)
		}
	}
	return o, nil
}

func intList(name, s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%s: %q is not a positive whole number", name, f)
		}
		out = append(out, n)
	}
	return out, nil
}

// pinSelf re-executes the harness under taskset on the second allowed
// core, leaving the first to the servers, when there are two cores and
// taskset exists; the environment then carries the choice. It returns
// only when no re-execution happened.
func pinSelf(want bool) error {
	if os.Getenv(envClientCPU) != "" || os.Getenv(envNoPin) != "" {
		return nil
	}
	skip := func(why string) error { return os.Setenv(envNoPin, why) }
	if !want {
		return skip("-pin=false")
	}
	cpus, err := allowedCPUs()
	if err != nil {
		return skip("cannot read the allowed CPUs: " + err.Error())
	}
	if len(cpus) < 2 {
		return skip(fmt.Sprintf("only %d CPU allowed (%v); server and load generator share it", len(cpus), cpus))
	}
	taskset, err := exec.LookPath("taskset")
	if err != nil {
		return skip("taskset not found (Debian: apt-get install util-linux)")
	}
	exe, err := os.Executable()
	if err != nil {
		return skip("cannot find the harness's own executable: " + err.Error())
	}
	env := append(os.Environ(), envServerCPU+"="+strconv.Itoa(cpus[0]), envClientCPU+"="+strconv.Itoa(cpus[1]))
	argv := append([]string{"taskset", "-c", strconv.Itoa(cpus[1]), exe}, os.Args[1:]...)
	return syscall.Exec(taskset, argv, env)
}

func run(args []string) error {
	o, err := parseFlags(args)
	if err != nil {
		return err
	}
	if err := pinSelf(o.pin); err != nil {
		return fmt.Errorf("re-executing under taskset: %w", err)
	}
	serverCPU := -1
	pinning := "skipped: " + os.Getenv(envNoPin)
	if c := os.Getenv(envClientCPU); c != "" {
		serverCPU, _ = strconv.Atoi(os.Getenv(envServerCPU))
		pinning = fmt.Sprintf("servers on CPU %d, load generator on CPU %s (taskset); GOMAXPROCS %d in the load generator", serverCPU, c, runtime.GOMAXPROCS(0))
	}
	fmt.Println("pinning:", pinning)

	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return err
	}
	// Go raised the soft limit to the hard one at start-up; the servers,
	// Go programs too, do the same for themselves.
	if need := uint64(o.idle + 256); lim.Cur < need {
		return fmt.Errorf("open-file limit is %d (hard %d), the idle test needs about %d: raise the hard limit (ulimit -Hn) or lower -idle", lim.Cur, lim.Max, need)
	}
	fmt.Printf("open-file limit: %d, enough for %d idle connections\n", lim.Cur, o.idle)

	specs, err := servers(o.wsplay, o.binDir, o.idle+64, o.maxMessage)
	if err != nil {
		return err
	}
	if o.only != "" {
		if specs, err = selectServers(specs, o.only); err != nil {
			return err
		}
	}
	logDir, err := os.MkdirTemp("", "wsbench-logs-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(logDir)

	cells := makeCells(o)

	start := time.Now()
	loadBefore := loadAvg()
	plain := slices.DeleteFunc(slices.Clone(cells), func(c cell) bool { return c.deflate })
	zcells := slices.DeleteFunc(slices.Clone(cells), func(c cell) bool { return !c.deflate })
	zspecs := withDeflate(specs)
	rows, err := runLoad(specs, plain, serverCPU, logDir, o)
	if err != nil {
		return err
	}
	if len(zcells) > 0 && len(zspecs) > 0 {
		zrows, err := runLoad(zspecs, zcells, serverCPU, logDir, o)
		if err != nil {
			return err
		}
		rows = append(rows, zrows...)
	}
	mem, err := runIdle(specs, serverCPU, logDir, o)
	if err != nil {
		return err
	}
	if len(o.deflateSizes) > 0 && len(zspecs) > 0 {
		zmem, err := runIdle(zspecs, serverCPU, logDir, o)
		if err != nil {
			return err
		}
		mem = append(mem, zmem...)
	}
	fmt.Println()
	writeText(os.Stdout, rows, mem)

	var micro strings.Builder
	if o.micro != "" {
		for f := range strings.SplitSeq(o.micro, ",") {
			b, err := os.ReadFile(f)
			if err != nil {
				return fmt.Errorf("-micro: %w", err)
			}
			micro.WriteString(microLines(string(b)))
		}
	}
	info := runInfo{
		date:      time.Now().UTC().Format("2006-01-02 15:04 UTC"),
		goVersion: runtime.Version(),
		cpu:       cpuModel(),
		kernel:    kernelRelease(),
		pinning:   pinning,
		settings: fmt.Sprintf("%v measured per cell after %v of warm-up; pipelined = %d messages in flight per connection; %d idle connections, %v settling; load run took %v; load average (1, 5, 15 min) %s before, %s after",
			o.window, o.warmup, o.depth, o.idle, o.settle, time.Since(start).Round(time.Second), loadBefore, loadAvg()),
	}
	var md bytes.Buffer
	writeMarkdown(&md, info, rows, mem, micro.String())
	if err := updateDoc(o.md, md.String()); err != nil {
		return err
	}
	var svg bytes.Buffer
	if err := writeSVG(&svg, plainRows(rows)); err != nil {
		return err
	}
	if err := os.WriteFile(o.svg, svg.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Printf("\nwrote %s and %s\n", o.md, o.svg)
	return nil
}

// makeCells lists the cells: every connection count × size × mode with
// whole frames, then the same with frames arriving in pieces for the
// -piece-sizes.
func makeCells(o options) []cell {
	var cells []cell
	for _, n := range o.conns {
		for _, size := range o.sizes {
			for _, depth := range []int{1, o.depth} {
				cells = append(cells, cell{conns: n, size: size, depth: depth})
			}
		}
	}
	for _, n := range o.conns {
		for _, size := range o.deflateSizes {
			cells = append(cells, cell{conns: n, size: size, depth: 1, deflate: true})
		}
	}
	if o.pieces < 2 {
		return cells
	}
	for _, n := range o.conns {
		for _, size := range o.pieceSizes {
			for _, depth := range []int{1, o.depth} {
				cells = append(cells, cell{conns: n, size: size, depth: depth, pieces: o.pieces, gap: o.pieceGap})
			}
		}
	}
	return cells
}

// runLoad starts every server at once, then runs each cell against each
// server in turn, so that slow drifts of the machine spread over all of
// them rather than falling on one.
func runLoad(specs []serverSpec, cells []cell, serverCPU int, logDir string, o options) ([]row, error) {
	var running []*server
	defer func() {
		for _, s := range running {
			s.stop()
		}
	}()
	for _, spec := range specs {
		s, err := startServer(spec, serverCPU, logDir)
		if err != nil {
			return nil, err
		}
		running = append(running, s)
		what := "echoes text and binary correctly"
		err = probe(s.addr)
		if err == nil && spec.deflate {
			what = "negotiates permessage-deflate and echoes compressed text correctly"
			err = probeDeflate(s.addr, o.deflateSizes)
		}
		if err != nil {
			return nil, fmt.Errorf("%s does not echo correctly: %w", spec.name, err)
		}
		fmt.Printf("%-8s pid %d on %s: %s\n", spec.name, s.pid(), s.addr, what)
	}
	waitQuiet(running, 10*time.Second)
	var rows []row
	for _, c := range cells {
		for _, s := range running {
			m, err := load(s.addr, s.pid(), c, o.warmup, o.window)
			if err == nil {
				err = s.alive()
			}
			if err != nil {
				return nil, fmt.Errorf("%s, %s: %w", s.spec.name, c, err)
			}
			r := row{cell: c, server: s.spec.name, values: figures(m)}
			rows = append(rows, r)
			fmt.Printf("%-32s %-8s %10s msgs/s  p50 %6.0f µs  p99 %6.0f µs  CPU %6.2f µs/msg  reads %5.2f  writes %5.2f /msg  client CPU %3.0f%%",
				c, s.spec.name, thousands(int64(r.values["msgs"])), r.values["p50"], r.values["p99"], r.values["cpu"], r.values["reads"], r.values["writes"], r.values["clientcpu"])
			if c.deflate {
				fmt.Printf("  echo on the wire %.1f%% of the text, sent %.1f%%", 100*r.values["zratio"], 100*r.values["zsent"])
			}
			fmt.Println()
		}
	}
	return rows, nil
}

// waitQuiet waits, up to limit, until no server uses CPU any more: a
// server that did work at start-up (wsplay renders its lessons, then its
// garbage collector and scavenger clean up after that) would otherwise have
// that work counted in the first cells' CPU per message.
func waitQuiet(running []*server, limit time.Duration) {
	const step = 300 * time.Millisecond
	deadline := time.Now().Add(limit)
	last := make([]time.Duration, len(running))
	for time.Now().Before(deadline) {
		quiet := true
		for i, s := range running {
			p, err := readProc(s.pid())
			if err != nil {
				return
			}
			if p.cpu != last[i] {
				quiet = false
			}
			last[i] = p.cpu
		}
		if quiet {
			return
		}
		time.Sleep(step)
	}
	fmt.Printf("the servers still used CPU after %v of waiting; measuring anyway\n", limit)
}

// runIdle measures memory per idle connection, each server in a fresh
// process of its own so that the load before does not weigh on it.
func runIdle(specs []serverSpec, serverCPU int, logDir string, o options) ([]memRow, error) {
	var mem []memRow
	for _, spec := range specs {
		s, err := startServer(spec, serverCPU, logDir)
		if err != nil {
			return nil, err
		}
		before, after, err := idleMemory(s.addr, s.pid(), o.idle, o.settle, spec.deflate)
		if err == nil {
			err = s.alive()
		}
		s.stop()
		if err != nil {
			return nil, fmt.Errorf("%s, idle memory: %w", spec.name, err)
		}
		m := memRow{server: spec.name, conns: o.idle, before: before, after: after, deflate: spec.deflate}
		mem = append(mem, m)
		fmt.Printf("%-8s %d idle connections%s: VmRSS %.1f → %.1f MiB, %.1f KiB per connection\n", spec.name, o.idle, m.variant(), mib(before), mib(after), m.perConn()/1024)
	}
	return mem, nil
}

// loadAvg returns the first three fields of /proc/loadavg: how busy the
// machine was besides the benchmark shows in them.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}

func kernelRelease() string {
	b, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(b))
}

// selectServers keeps the specs named in the comma-separated list only.
func selectServers(specs []serverSpec, only string) ([]serverSpec, error) {
	var out []serverSpec
	for name := range strings.SplitSeq(only, ",") {
		found := false
		for _, s := range specs {
			if s.name == strings.TrimSpace(name) {
				out, found = append(out, s), true
			}
		}
		if !found {
			return nil, fmt.Errorf("-only: no server named %q (the servers are wsplay, gorilla, gobwas, coder, gws)", name)
		}
	}
	return out, nil
}
