//go:build !js

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"wsplay/autobahn"
)

// autobahnFlags are the flags of `wsplay check -suite autobahn` and
// `wsplay check -client`.
type autobahnFlags struct {
	suite   string
	report  string
	agent   string
	cases   string
	exclude string
	all     bool
	client  bool
	listen  string
	once    bool
}

func (a *autobahnFlags) register(fl *flag.FlagSet) {
	fl.StringVar(&a.suite, "suite", "", "run another `suite` instead of the graded check: autobahn (the Autobahn|Testsuite fuzzing-client cases)")
	fl.StringVar(&a.agent, "agent", "", "with -suite autobahn: the `name` of the server in the reports (default: the URL's host and port)")
	fl.StringVar(&a.cases, "cases", "*", "with -suite autobahn or -client: the case `ids` to run, comma-separated, * as a wildcard, e.g. 1.*,5.*,6.4.1")
	fl.StringVar(&a.exclude, "exclude", "", "with -suite autobahn or -client: case `ids` not to run, comma-separated, e.g. 9.*,12.*,13.*")
	fl.BoolVar(&a.all, "all", false, "with -suite autobahn or -client: print a line for every case, not only FAILED and NON-STRICT ones")
	fl.BoolVar(&a.client, "client", false, "grade a WebSocket client instead: act as Autobahn's fuzzing server on -listen")
	fl.StringVar(&a.listen, "listen", "127.0.0.1:9001", "with -client: the `address` to listen on")
	fl.BoolVar(&a.once, "once", false, "with -client: exit after the first /updateReports, with the exit status of the run (for CI)")
}

func patterns(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" && p != "*" {
			out = append(out, p)
		}
	}
	return out
}

func (a *autobahnFlags) selected(stderr io.Writer) ([]autobahn.Case, bool) {
	cs, err := autobahn.Select(autobahn.Cases(), patterns(a.cases), patterns(a.exclude))
	if err != nil {
		fmt.Fprintf(stderr, "wsplay check: %v\n", err)
		return nil, false
	}
	if len(cs) == 0 {
		fmt.Fprintf(stderr, "wsplay check: -cases %q -exclude %q select no case; ids look like 1.1.1, 5.*, 6.4.*\n", a.cases, a.exclude)
		return nil, false
	}
	return cs, true
}

// runServer is `wsplay check -suite autobahn URL`.
func (a *autobahnFlags) runServer(target string, strict, allowRemote bool, lessons string, stdout, stderr io.Writer) int {
	cs, ok := a.selected(stderr)
	if !ok {
		return 2
	}
	agent := a.agent
	if agent == "" {
		agent = strings.TrimPrefix(target, "ws://")
		agent, _, _ = strings.Cut(agent, "/")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var progress func(autobahn.Result)
	if colorOK(stderr) {
		done := 0
		progress = func(r autobahn.Result) {
			done++
			fmt.Fprintf(stderr, "\r\x1b[Kwsplay check: %d/%d, last %s %s", done, len(cs), r.ID, r.Outcome)
		}
	}
	rep, err := autobahn.Run(ctx, target, autobahn.Options{Agent: agent, Cases: cs, AllowRemote: allowRemote, Lessons: lessons}, progress)
	if progress != nil {
		fmt.Fprint(stderr, "\r\x1b[K")
	}
	if err != nil {
		fmt.Fprintf(stderr, "wsplay check: %v\n", err)
		return 2
	}
	autobahn.WriteText(stdout, rep, a.all)
	if a.report != "" {
		if err := autobahn.WriteDir(a.report, rep); err != nil {
			fmt.Fprintf(stderr, "wsplay check: cannot write the reports: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "Reports written to %s (index.json, index.html)\n", a.report)
	}
	if rep.Failed(strict) {
		return 1
	}
	return 0
}

// runClient is `wsplay check -client -listen ADDR`: the fuzzing server.
func (a *autobahnFlags) runClient(strict bool, lessons string, stdout, stderr io.Writer) int {
	if a.suite != "" && a.suite != "autobahn" {
		fmt.Fprintf(stderr, "wsplay check: unknown -suite %q; -client runs the autobahn suite\n", a.suite)
		return 2
	}
	cs, ok := a.selected(stderr)
	if !ok {
		return 2
	}
	ln, err := net.Listen("tcp", a.listen)
	if err != nil {
		fmt.Fprintf(stderr, "wsplay check -client: cannot listen on %s: %v\n", a.listen, err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	updated := make(chan []*autobahn.Report, 1)
	fs := &autobahn.FuzzingServer{Cases: cs, Lessons: lessons, Addr: ln.Addr().String(), Ctx: ctx,
		OnUpdate: func(reps []*autobahn.Report) error {
			if a.report != "" && len(reps) > 0 {
				if err := autobahn.WriteDir(a.report, reps...); err != nil {
					return err
				}
			}
			select {
			case updated <- reps:
			default:
			}
			return nil
		}}
	srv := &http.Server{Handler: fs, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 30 * time.Second, MaxHeaderBytes: 16 << 10}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "wsplay check -client: Autobahn|Testsuite fuzzing server on ws://%s with %d cases.\n", ln.Addr(), len(cs))
	fmt.Fprintf(stdout, "Point your client's test driver at it: /getCaseCount, /runCase?case=N&agent=NAME, /updateReports?agent=NAME.\n")
	if !isLoopback(ln.Addr()) {
		fmt.Fprintf(stderr, "wsplay check -client: warning: listening on %s, reachable from other machines\n", ln.Addr())
	}
	var last []*autobahn.Report
	code := 0
	for done := false; !done; {
		select {
		case reps := <-updated:
			last = reps
			code = 0
			for _, rep := range reps {
				autobahn.WriteText(stdout, rep, a.all)
				if rep.Failed(strict) {
					code = 1
				}
			}
			if a.report != "" {
				fmt.Fprintf(stdout, "Reports written to %s (index.json, index.html)\n", a.report)
			}
			done = a.once
		case <-ctx.Done():
			done = true
			if last == nil {
				code = 1
			}
		case err := <-served:
			if !errors.Is(err, http.ErrServerClosed) {
				fmt.Fprintf(stderr, "wsplay check -client: %v\n", err)
				return 2
			}
			done = true
		}
	}
	sctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	srv.Shutdown(sctx)
	return code
}

func isLoopback(a net.Addr) bool {
	t, ok := a.(*net.TCPAddr)
	return ok && t.IP.IsLoopback()
}
