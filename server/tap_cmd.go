//go:build !js

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"wsplay/reach"
	"wsplay/tap"
)

// tapCmd is `wsplay tap -listen ADDR -target URL`: it relays every client
// that connects to ADDR to the WebSocket server at URL, byte for byte, and
// prints every frame decoded (package tap). It runs until SIGINT or
// SIGTERM and exits 0; 2 for a usage error or a refused target, 1 when it
// cannot listen.
func tapCmd(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return tapRun(ctx, args, stdout, stderr)
}

// tapRun is tapCmd until ctx ends, for tests.
func tapRun(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var (
		listen, target         string
		asJSON, verbose, allow bool
		t                      tap.Tap
		lim                    = tap.DefaultLimits
	)
	fl := flag.NewFlagSet("wsplay tap", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.StringVar(&listen, "listen", "127.0.0.1:9000", "`address` the tap listens on: point your client here instead of at your server")
	fl.StringVar(&target, "target", "", "the WebSocket `URL` of your server, e.g. ws://127.0.0.1:3368/ (required)")
	fl.BoolVar(&asJSON, "json", false, "print one JSON object per event instead of text (schema in docs/tap.md)")
	fl.BoolVar(&verbose, "v", false, "also print every field of every frame with its meaning")
	fl.BoolVar(&allow, "allow-remote", false, "allow a target that is not loopback, private or link-local (only a server you run yourself)")
	fl.IntVar(&t.MaxSessions, "max-sessions", tap.DefaultMaxSessions, "most clients relayed at once; one more gets 503")
	fl.DurationVar(&lim.HandshakeTimeout, "handshake-timeout", lim.HandshakeTimeout, "time to read each handshake head and to connect to the target")
	fl.DurationVar(&lim.IdleTimeout, "idle-timeout", lim.IdleTimeout, "a session with no byte either way for this long is closed")
	fl.DurationVar(&lim.WriteTimeout, "write-timeout", lim.WriteTimeout, "longest single write to either side; a side that stops reading ends its session")
	fl.IntVar(&lim.MaxHead, "max-head", lim.MaxHead, "largest request or response head, in `bytes`")
	fl.IntVar(&lim.Keep, "keep", lim.Keep, "payload `bytes` a frame report shows from the frame's start (at least 125); the frame is relayed whole")
	fl.IntVar(&lim.Tail, "tail", lim.Tail, "payload `bytes` a frame report shows from the end of a larger frame")
	fl.BoolVar(&t.Compress, "compress", false, "forward the client's permessage-deflate offers, so that your server may compress, and show each compressed message inflated")
	fl.IntVar(&lim.Inflate, "max-inflate", lim.Inflate, "most `bytes` of one compressed message the tap holds compressed and inflates for its report (with -compress)")
	fl.Usage = func() {
		fmt.Fprint(stderr, `Usage: wsplay tap -listen ADDR -target ws://HOST:PORT/PATH [flags]

A man-in-the-middle on purpose: any client (a browser, your own page, a
script) connects to the tap, and the tap connects to your server and relays
every byte in both directions unchanged, never re-framing. It prints the
client's request head, your server's response head with the Accept value
recomputed step by step from the key, then every frame in each direction
decoded, with its offset, the number of TCP reads it arrived in, and every
rule either side broke (rule id, RFC section, the lesson that explains it).

The request head is forwarded with three changes, each printed: the
request-target and the Host header become the target's, and
Sec-WebSocket-Extensions is dropped so that payloads are never compressed.
With -compress, the permessage-deflate offers are forwarded instead (other
extensions are still dropped): a message your server or the client sends
compressed (RSV1 on its first frame) is shown inflated, with the bytes
compression saved, and the rules of RFC 7692 are checked. A message is
inflated up to -max-inflate bytes and its report cut there.

The target is resolved once, at start. Only loopback (127.0.0.0/8, ::1),
private and link-local addresses are allowed, unless -allow-remote is given.

Limits: each head must arrive within -handshake-timeout and fit -max-head;
a session with no traffic for -idle-timeout ends; each write has
-write-timeout; at most -max-sessions clients at once. A frame of any size
is relayed whole, but its report shows its first -keep and last -tail
payload bytes and its length. Bytes that stop decoding as frames are
reported once and then relayed raw.

Colour is used when standard output is a terminal and NO_COLOR is not set.
Control characters from the wire are always printed escaped.

Examples:
  wsplay tap -target ws://127.0.0.1:3368/
  wsplay tap -listen 127.0.0.1:9000 -target ws://127.0.0.1:8080/ws/echo -json

Flags:
`)
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	switch {
	case fl.NArg() > 0:
		fmt.Fprintf(stderr, "wsplay tap: unexpected argument %q; give the server with -target URL\n", fl.Arg(0))
		return 2
	case target == "":
		fmt.Fprintln(stderr, "wsplay tap: -target is required, e.g. wsplay tap -target ws://127.0.0.1:3368/; see wsplay tap -help")
		return 2
	case t.MaxSessions < 1:
		fmt.Fprintln(stderr, "wsplay tap: -max-sessions must be at least 1")
		return 2
	case lim.HandshakeTimeout <= 0 || lim.IdleTimeout <= 0 || lim.WriteTimeout <= 0:
		fmt.Fprintln(stderr, "wsplay tap: -handshake-timeout, -idle-timeout and -write-timeout must be positive")
		return 2
	case lim.Inflate < 1:
		fmt.Fprintln(stderr, "wsplay tap: -max-inflate must be at least 1")
		return 2
	case lim.MaxHead < 256 || lim.Keep < 125 || lim.Tail < 0:
		fmt.Fprintln(stderr, "wsplay tap: -max-head must be at least 256, -keep at least 125 (a control frame is shown whole) and -tail at least 0")
		return 2
	}

	rctx, cancel := context.WithTimeout(ctx, lim.HandshakeTimeout)
	tgt, err := reach.Resolve(rctx, target, reach.CommandLine(allow), tapLookup)
	cancel()
	if err != nil {
		fmt.Fprintf(stderr, "wsplay tap: %v\n", err)
		return 2
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		fmt.Fprintf(stderr, "wsplay tap: cannot listen on %s: %v\n", listen, err)
		return 1
	}
	p := &tap.Printer{W: stdout, JSON: asJSON, Color: !asJSON && colorOK(stdout), Verbose: verbose}
	t.Target, t.Limits, t.Emit = tgt, lim, p.Emit
	p.Emit(tap.Event{Type: "listen", Time: time.Now().UTC(), Listen: ln.Addr().String(), Target: tgt.URL, Addr: tgt.Addr})
	if ip := reach.IPOf(ln.Addr().String()); !ip.IsLoopback() {
		p.Emit(tap.Event{Type: "note", Time: time.Now().UTC(), Message: "the tap listens beyond this machine (" + ln.Addr().String() +
			"): anyone who can reach it can talk to " + tgt.URL + " through it; use -listen 127.0.0.1:PORT to keep it local"})
	}
	if err := t.Serve(ctx, ln); err != nil {
		fmt.Fprintf(stderr, "wsplay tap: %v\n", err)
		return 1
	}
	return 0
}

// tapLookup resolves the target's host name; nil is the system resolver.
// Tests replace it so that no test asks the machine's DNS.
var tapLookup reach.Lookup
