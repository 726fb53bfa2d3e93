package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// echoPath is the endpoint every server under test echoes on.
const echoPath = "/ws/echo"

// serverSpec says how to start one echo server on a given address.
type serverSpec struct {
	name string
	argv func(addr string) []string
	// deflate: this process is for the deflate cells, its server told to
	// negotiate permessage-deflate (see withDeflate).
	deflate bool
}

// withDeflate returns the specs of deflateServers, each started so that it
// negotiates permessage-deflate: wsplay's /ws/echo does by default (its
// -compress is on), the comparison servers take -compress.
func withDeflate(specs []serverSpec) []serverSpec {
	var out []serverSpec
	for _, s := range specs {
		if !deflateServers[s.name] {
			continue
		}
		argv := s.argv
		if s.name != "wsplay" {
			argv = func(addr string) []string { return append(s.argv(addr), "-compress") }
		}
		out = append(out, serverSpec{name: s.name, argv: argv, deflate: true})
	}
	return out
}

// server is a running echo server process.
type server struct {
	spec   serverSpec
	addr   string
	cmd    *exec.Cmd
	exited chan struct{}
	log    string // file holding its standard output and error
}

func (s *server) pid() int { return s.cmd.Process.Pid }

// freeAddr returns a loopback address with a port nobody listens on now.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// startServer starts spec as a separate process, pinned to cpu when cpu is
// not negative (through taskset, which execs the server: the PID stays the
// server's), and waits until it completes a WebSocket handshake.
func startServer(spec serverSpec, cpu int, logDir string) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	argv := spec.argv(addr)
	if cpu >= 0 {
		argv = append([]string{"taskset", "-c", strconv.Itoa(cpu)}, argv...)
	}
	logf, err := os.CreateTemp(logDir, spec.name+"-*.log")
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	cmd := exec.Command(argv[0], argv[1:]...)
	// Servers may log a line per connection; keep it off the report, but
	// at hand when a server fails.
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: starting %q: %w", spec.name, strings.Join(argv, " "), err)
	}
	s := &server{spec: spec, addr: addr, cmd: cmd, exited: make(chan struct{}), log: logf.Name()}
	go func() { cmd.Wait(); close(s.exited) }()

	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := dial(addr, echoPath)
		if err == nil {
			c.nc.Close()
			return s, nil
		}
		select {
		case <-s.exited:
			return nil, fmt.Errorf("%s: %q exited before serving (%v); its output:\n%s", spec.name, strings.Join(argv, " "), cmd.ProcessState, s.tail())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("%s: no WebSocket handshake on %s within 15s: %v; its output:\n%s", spec.name, addr, err, s.tail())
		}
	}
}

// alive reports an error when the process has exited.
func (s *server) alive() error {
	select {
	case <-s.exited:
		return fmt.Errorf("%s exited (%v); its output:\n%s", s.spec.name, s.cmd.ProcessState, s.tail())
	default:
		return nil
	}
}

// tail returns the end of the server's output.
func (s *server) tail() string {
	b, _ := os.ReadFile(s.log)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// stop asks the server to end (SIGTERM), then kills it after 3 seconds.
func (s *server) stop() {
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(3 * time.Second):
		s.cmd.Process.Kill()
		<-s.exited
	}
	os.Remove(s.log)
}

// probe checks, before any load, that the server echoes text as text and
// binary as binary, for each of the three length encodings (§5.2).
func probe(addr string) error {
	c, err := dial(addr, echoPath)
	if err != nil {
		return err
	}
	defer c.nc.Close()
	c.nc.SetDeadline(time.Now().Add(10 * time.Second))
	all := make([]byte, 70000)
	for i := range all {
		all[i] = byte(i * 31)
	}
	for _, m := range []struct {
		op byte
		p  []byte
	}{
		{opText, []byte("héllo, wörld — 你好")},
		{opBinary, all[:256]},
		{opText, []byte(strings.Repeat("é", 200))},
		{opBinary, all},
	} {
		if err := c.roundTrip(m.op, m.p); err != nil {
			return err
		}
	}
	return nil
}

// servers lists the servers under test. wsplay first: it is the one
// compared with the others.
func servers(wsplayBin, binDir string, maxConns int, maxMessage int) ([]serverSpec, error) {
	specs := []serverSpec{
		{name: "wsplay", argv: func(addr string) []string {
			return []string{wsplayBin, "serve", "-addr", addr, "-max-conns", strconv.Itoa(maxConns), "-max-message", strconv.Itoa(maxMessage)}
		}},
		{name: "gorilla", argv: func(addr string) []string { return []string{filepath.Join(binDir, "gorilla"), "-addr", addr} }},
		{name: "gobwas", argv: func(addr string) []string { return []string{filepath.Join(binDir, "gobwas"), "-addr", addr} }},
		{name: "coder", argv: func(addr string) []string {
			return []string{filepath.Join(binDir, "coder"), "-addr", addr, "-max-message", strconv.Itoa(maxMessage)}
		}},
		{name: "gws", argv: func(addr string) []string {
			return []string{filepath.Join(binDir, "gws"), "-addr", addr, "-max-message", strconv.Itoa(maxMessage)}
		}},
	}
	var missing []string
	for _, s := range specs {
		bin := s.argv("")[0]
		if fi, err := os.Stat(bin); err != nil || fi.IsDir() {
			missing = append(missing, bin)
		}
	}
	if len(missing) > 0 {
		return nil, errors.New("server binaries missing: " + strings.Join(missing, ", ") + " (make bench builds them: make build, and go build -o BIN ./servers/... in bench/)")
	}
	return specs, nil
}
