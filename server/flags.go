//go:build !js

package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// serveFlags declares the flags of `wsplay serve` on cfg, whose values are
// the defaults shown by -help.
func serveFlags(out io.Writer, cfg *Config, logJSON *bool) *flag.FlagSet {
	fl := flag.NewFlagSet("wsplay serve", flag.ContinueOnError)
	fl.SetOutput(out)
	fl.StringVar(&cfg.Addr, "addr", cfg.Addr, "`host:port` to listen on; the default accepts connections from this machine only, 0.0.0.0:8080 opens it to the network (a classroom)")
	fl.Var((*originList)(&cfg.Origins), "origin", "an `origin` allowed to open WebSockets besides the server's own and loopback ones, e.g. http://192.168.1.20:3000; repeat the flag or separate with commas; * allows any origin, null allows file: pages and also sandboxed iframes of any site (default none: the server's own origin and loopback origins only)")
	fl.Var((*hostList)(&cfg.Hosts), "host", "a `name` this server is reached by besides localhost, loopback addresses and this machine's own addresses and host name, e.g. wsplay.school.lan; repeat the flag or separate with commas. Requests for any other Host get 421, which defeats DNS rebinding (default none)")
	fl.Var((*byteSize)(&cfg.MaxMessage), "max-message", "`size` of the largest WebSocket message on /ws/echo and /ws/inspect, after reassembling fragments; larger messages close the connection with 1009 (suffixes KiB, MiB)")
	fl.Var((*byteSize)(&cfg.MaxInFlight), "max-inflight", "`size` of memory all WebSockets together may hold in messages still arriving (beyond the first 64KiB of each); a message that does not fit closes its connection with 1013, try again later. A message must also arrive whole within -idle-timeout of its first frame")
	fl.IntVar(&cfg.MaxConns, "max-conns", cfg.MaxConns, "most WebSocket connections open at once; more get 503 Service Unavailable; the default comes from the open-file limit, which wsplay raises to its hard limit at start: three quarters of it less 128, from 128 to 8192")
	fl.IntVar(&cfg.MaxConnsPerAddr, "max-conns-per-addr", cfg.MaxConnsPerAddr, "most WebSockets open at once from one client address (the teacher's own machine is not capped); more get 429 Too Many Requests; raise it when a class shares one NAT address; 0 turns the cap off")
	fl.Float64Var(&cfg.HandshakeRate, "handshake-rate", cfg.HandshakeRate, "WebSocket handshakes a second one client address may make, on average (bursts of 100, a whole check run, or twice the rate if more); more get 429 Too Many Requests; 0 means no limit")
	fl.IntVar(&cfg.MaxHTTPConns, "max-http-conns", cfg.MaxHTTPConns, "most plain HTTP connections (pages, files, handshakes in progress) open at once; more are answered 503 and closed. WebSockets count toward -max-conns instead. The default is the quarter of the open-file limit that -max-conns leaves, from 64 to 1024")
	fl.IntVar(&cfg.MaxHTTPPerAddr, "max-http-conns-per-addr", cfg.MaxHTTPPerAddr, "most plain HTTP connections one client address may have open (this machine's own connections are not limited); a browser uses up to 6 per server")
	fl.Var((*byteSize)(&cfg.MaxHeaderBytes), "max-header", "`size` of the largest HTTP request head (request line and headers); larger get 431 (net/http allows 4KiB of slack)")
	fl.DurationVar(&cfg.HandshakeTimeout, "handshake-timeout", cfg.HandshakeTimeout, "time a client has to send its whole request (head and body), against slow-sending (slowloris) clients and bodies that never arrive")
	fl.DurationVar(&cfg.IdleTimeout, "idle-timeout", cfg.IdleTimeout, "a WebSocket from which nothing arrives for this long (up to an eighth longer: the deadline is moved coarsely to save timer updates) is closed; the server pings every half of it, and browsers answer pings by themselves. Also the keep-alive limit of idle HTTP connections. 0 turns it off")
	fl.DurationVar(&cfg.WriteTimeout, "write-timeout", cfg.WriteTimeout, "longest time one write to a WebSocket client may take before the connection is dropped (up to an eighth longer, like -idle-timeout)")
	fl.DurationVar(&cfg.HTTPWriteTimeout, "http-write-timeout", cfg.HTTPWriteTimeout, "longest time to send one HTTP response (the page, the 2 MB WebAssembly module)")
	fl.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", cfg.ShutdownTimeout, "on SIGINT or SIGTERM, how long to wait for WebSockets to answer the close frame (1001) before cutting them")
	fl.Float64Var(&cfg.ChatRate, "chat-rate", cfg.ChatRate, "chat messages a client may send per second, on average, counted per connection and per client address; faster closes it with 1008; 0 means no limit")
	fl.IntVar(&cfg.ChatBurst, "chat-burst", cfg.ChatBurst, "chat messages a client may send at once, above the rate")
	fl.Float64Var(&cfg.ChatJoins, "chat-joins", cfg.ChatJoins, "chat joins a minute from one client address (a reconnecting bot); more are closed with 1008")
	fl.StringVar(&cfg.ClassCode, "class-code", cfg.ClassCode, "the `code` students type to appear on the class board (/class); default: a random one, printed at start-up")
	fl.IntVar(&cfg.ClassSize, "class-size", cfg.ClassSize, "most students on the class board")
	fl.Var((*byteSize)(&cfg.ChatMaxSize), "chat-max-size", "`size` of the largest chat message; larger closes the connection with 1009")
	fl.IntVar(&cfg.ChatQueue, "chat-queue", cfg.ChatQueue, "chat messages that may wait for a client that reads slowly, beyond the 100 replayed on joining; when full the client is cut off with 1008")
	fl.BoolVar(&cfg.Compress, "compress", cfg.Compress, "negotiate permessage-deflate (RFC 7692) on /ws/echo, /ws/inspect and /ws/chat: every browser offers it, and messages then travel compressed when that makes them smaller; -compress=false declines every offer, so frames carry the payload as sent")
	fl.BoolVar(logJSON, "log-json", false, "write logs as JSON lines (default text lines), to standard error")
	fl.Usage = func() {
		fmt.Fprint(out, `wsplay: a WebSocket (RFC 6455) playground and its companion server.

Usage:
  wsplay [serve] [flags]   serve the playground (serve is the default)
  wsplay check [flags] URL grade a WebSocket echo server (wsplay check -help)
  wsplay tap -target URL   relay clients to your server and print every frame,
                           rules broken flagged (wsplay tap -help)
  wsplay version           print the version

Endpoints: / the playground, /lessons/ the course, /ws/echo echoes every
message, /ws/inspect reports the handshake and every frame's bytes, /ws/chat
is a chat room (?nick=NAME), /ws/tap?target=URL relays the page to your own
server and reports every frame (docs/tap.md), /ws/client/ grades your own
WebSocket client with the Autobahn|Testsuite cases (lesson 15), /class the
class board. See docs/server.md.

Flags of serve:
`)
		fl.PrintDefaults()
	}
	return fl
}

// checkConfig refuses values that cannot work, with the flag's name.
func checkConfig(cfg Config) error {
	switch {
	case cfg.MaxMessage <= 0:
		return errors.New("-max-message must be positive")
	case cfg.MaxInFlight < 1<<20:
		return errors.New("-max-inflight must be at least 1MiB")
	case cfg.MaxConns <= 0:
		return errors.New("-max-conns must be positive")
	case cfg.MaxHTTPConns <= 0 || cfg.MaxHTTPPerAddr <= 0:
		return errors.New("-max-http-conns and -max-http-conns-per-addr must be positive")
	case cfg.MaxHeaderBytes < 1024:
		return errors.New("-max-header must be at least 1KiB")
	case cfg.HandshakeTimeout <= 0:
		return errors.New("-handshake-timeout must be positive")
	case cfg.IdleTimeout < 0:
		return errors.New("-idle-timeout must not be negative")
	case cfg.WriteTimeout <= 0 || cfg.HTTPWriteTimeout <= 0 || cfg.ShutdownTimeout <= 0:
		return errors.New("-write-timeout, -http-write-timeout and -shutdown-timeout must be positive")
	case cfg.ChatRate < 0 || cfg.ChatBurst < 1:
		return errors.New("-chat-rate must not be negative and -chat-burst must be at least 1")
	case cfg.ChatMaxSize <= 0 || cfg.ChatQueue < 1:
		return errors.New("-chat-max-size and -chat-queue must be positive")
	case cfg.MaxConnsPerAddr < 0 || cfg.HandshakeRate < 0:
		return errors.New("-max-conns-per-addr and -handshake-rate must not be negative (0 turns them off)")
	case cfg.ChatJoins <= 0:
		return errors.New("-chat-joins must be positive")
	case cfg.ClassSize < 1 || cfg.ClassSize > 10000:
		return errors.New("-class-size must be from 1 to 10000")
	case cfg.ClassCode != "" && (len(normCode(cfg.ClassCode)) < 4 || len(cfg.ClassCode) > 32 || strings.Trim(normCode(cfg.ClassCode), codeAlphabet+"01OIL") != ""):
		return errors.New("-class-code must be 4 to 32 letters and digits (dashes and spaces are ignored)")
	}
	return nil
}

// byteSize is a flag for a size in bytes: 4096, 64KiB, 16MiB, 1GiB.
type byteSize int64

func (b *byteSize) String() string {
	if b == nil {
		return "0"
	}
	n := int64(*b)
	for _, u := range []struct {
		suffix string
		size   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.size && n%u.size == 0 {
			return strconv.FormatInt(n/u.size, 10) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10)
}

func (b *byteSize) Set(s string) error {
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		size   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}} {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = rest, u.size
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < 0 || n > (1<<40)/mult {
		return errors.New("a size is a whole number of bytes, optionally with KiB, MiB or GiB, e.g. 64KiB")
	}
	*b = byteSize(n * mult)
	return nil
}

// originList is a repeatable, comma-separated flag.
type originList []string

func (o *originList) String() string {
	if o == nil {
		return ""
	}
	return strings.Join(*o, ",")
}

func (o *originList) Set(s string) error {
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			if v != "*" && v != "null" && !strings.Contains(v, "://") {
				return fmt.Errorf("%q is not an origin: write scheme://host[:port], e.g. http://192.168.1.20:8080", v)
			}
			*o = append(*o, v)
		}
	}
	return nil
}

// hostList is a repeatable, comma-separated flag of host names.
type hostList []string

func (h *hostList) String() string {
	if h == nil {
		return ""
	}
	return strings.Join(*h, ",")
}

func (h *hostList) Set(s string) error {
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			if strings.ContainsAny(v, ":/ ") || v == "*" {
				return fmt.Errorf("%q is not a host name: write the name alone, without scheme or port, e.g. wsplay.school.lan", v)
			}
			*h = append(*h, v)
		}
	}
	return nil
}
