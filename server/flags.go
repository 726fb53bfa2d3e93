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
	fl.Var((*originList)(&cfg.Origins), "origin", "an `origin` allowed to open WebSockets besides the server's own and loopback ones, e.g. http://192.168.1.20:3000; repeat the flag or separate with commas; * allows any origin, null allows file: pages (default none: the server's own origin and loopback origins only)")
	fl.Var((*byteSize)(&cfg.MaxMessage), "max-message", "`size` of the largest WebSocket message on /ws/echo and /ws/inspect, after reassembling fragments; larger messages close the connection with 1009 (suffixes KiB, MiB)")
	fl.IntVar(&cfg.MaxConns, "max-conns", cfg.MaxConns, "most WebSocket connections open at once; more get 503 Service Unavailable")
	fl.Var((*byteSize)(&cfg.MaxHeaderBytes), "max-header", "`size` of the largest HTTP request head (request line and headers); larger get 431 (net/http allows 4KiB of slack)")
	fl.DurationVar(&cfg.HandshakeTimeout, "handshake-timeout", cfg.HandshakeTimeout, "time a client has to send its request head, against slow-sending (slowloris) clients")
	fl.DurationVar(&cfg.IdleTimeout, "idle-timeout", cfg.IdleTimeout, "a WebSocket from which nothing arrives for this long (up to an eighth longer: the deadline is moved coarsely to save timer updates) is closed; the server pings every half of it, and browsers answer pings by themselves. Also the keep-alive limit of idle HTTP connections. 0 turns it off")
	fl.DurationVar(&cfg.WriteTimeout, "write-timeout", cfg.WriteTimeout, "longest time one write to a WebSocket client may take before the connection is dropped (up to an eighth longer, like -idle-timeout)")
	fl.DurationVar(&cfg.HTTPWriteTimeout, "http-write-timeout", cfg.HTTPWriteTimeout, "longest time to send one HTTP response (the page, the 2 MB WebAssembly module)")
	fl.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", cfg.ShutdownTimeout, "on SIGINT or SIGTERM, how long to wait for WebSockets to answer the close frame (1001) before cutting them")
	fl.Float64Var(&cfg.ChatRate, "chat-rate", cfg.ChatRate, "chat messages a client may send per second, on average; faster closes it with 1008; 0 means no limit")
	fl.IntVar(&cfg.ChatBurst, "chat-burst", cfg.ChatBurst, "chat messages a client may send at once, above the rate")
	fl.Var((*byteSize)(&cfg.ChatMaxSize), "chat-max-size", "`size` of the largest chat message; larger closes the connection with 1009")
	fl.IntVar(&cfg.ChatQueue, "chat-queue", cfg.ChatQueue, "chat messages that may wait for a client that reads slowly, beyond the 100 replayed on joining; when full the client is cut off with 1008")
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
server and reports every frame (docs/tap.md). See docs/server.md.

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
	case cfg.MaxConns <= 0:
		return errors.New("-max-conns must be positive")
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
