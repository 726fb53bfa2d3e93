//go:build !js

// Command wsplay is the companion server of the WebSocket playground.
//
//	wsplay [serve] [flags]   serve the playground (the default)
//	wsplay check URL         grade a WebSocket echo server (see check_cmd.go)
//	wsplay tap -target URL   relay clients to a server and print every frame (see tap_cmd.go)
//	wsplay version           print the version
//
// It serves the playground page, with wsplay's core compiled to
// WebAssembly, and the WebSocket endpoints /ws/echo, /ws/inspect and
// /ws/chat, on loopback by default. `wsplay -help` lists every flag.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(args, stdout, stderr)
	case "check":
		return checkCmd(args, stdout, stderr)
	case "tap":
		return tapCmd(args, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, versionString())
		return 0
	case "help":
		raiseFileLimit() // as serve does, so that -max-conns shows the same default
		cfg := defaultConfig()
		serveFlags(stderr, &cfg, new(bool)).Usage()
		return 0
	}
	fmt.Fprintf(stderr, "wsplay: unknown command %q; the commands are serve (the default), check, tap and version; see wsplay -help\n", cmd)
	return 2
}

// serve parses the flags, starts the server and runs it until SIGINT or
// SIGTERM.
func serve(args []string, stdout, stderr io.Writer) int {
	// Raised before the defaults are made: -max-conns derives from it.
	files := raiseFileLimit()
	cfg := defaultConfig()
	var logJSON bool
	fl := serveFlags(stderr, &cfg, &logJSON)
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fl.NArg() > 0 {
		fmt.Fprintf(stderr, "wsplay: unexpected argument %q; see wsplay -help\n", fl.Arg(0))
		return 2
	}
	if err := checkConfig(cfg); err != nil {
		fmt.Fprintf(stderr, "wsplay: %v\n", err)
		return 2
	}
	cfg.LogJSON = logJSON
	var handler slog.Handler = slog.NewTextHandler(stderr, nil)
	if logJSON {
		handler = slog.NewJSONHandler(stderr, nil)
	}
	log := slog.New(handler)

	setMemoryLimit(cfg)
	srv, err := NewServer(cfg, log)
	if err != nil {
		fmt.Fprintf(stderr, "wsplay: %v\n", err)
		return 1
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		fmt.Fprintf(stderr, "wsplay: cannot listen on %s: %v\n", cfg.Addr, err)
		return 1
	}
	announce(stdout, ln.Addr().(*net.TCPAddr), cfg.Addr)
	announceLimits(stdout, cfg, files)
	srv.class.announce(stdout, ln.Addr().(*net.TCPAddr))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		fmt.Fprintf(stderr, "wsplay: %v\n", err)
		return 1
	case <-ctx.Done():
	}
	stop() // a second signal now kills the process the usual way
	log.Info("shutting down", "timeout", cfg.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("shutdown cut short", "err", err)
	}
	<-errc
	return 0
}

// version is set at link time by `make build` (-X main.version=...) from
// `git describe`, because builds here run with -buildvcs=false and the
// toolchain then stamps no revision.
var version string

// versionString names the build: the version make stamped, or else the
// module version and VCS revision the Go toolchain stamped into the binary.
func versionString() string {
	v, rev, dirty := "devel", "", false
	if version != "" {
		v = version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		s := "wsplay " + v
		if rev != "" {
			if len(rev) > 12 {
				rev = rev[:12]
			}
			s += " " + rev
			if dirty {
				s += "-dirty"
			}
		}
		return s + " " + bi.GoVersion
	}
	return "wsplay " + v
}
