//go:build !js

package main

import (
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"syscall"
	"time"

	"wsplay/reach"
)

// A classroom is one teacher's server and a few hundred laptops. The limits
// here keep it fair per person: one student's script that opens thousands of
// sockets, or reloads in a loop, meets a limit of its own address long
// before the server's -max-conns, so the rest of the class never sees a 503.
//
//   - -max-conns (global) defaults to a figure derived from the process's
//     open-file limit (defaultMaxConns), raised to its hard limit at start;
//   - -max-conns-per-addr caps the WebSockets open from one client address;
//   - -handshake-rate caps the WebSocket handshakes per second from one
//     address (bursts of handshakeBurst, or twice the rate if more), so a
//     reconnect loop is refused early.
//
// Both per-address refusals answer 429 Too Many Requests (the fault lies with
// that client, not the server) with a plain-text body that names the flag.
//
// Requests from the server's own machine to itself (the client's address is
// the address the server was reached at: the teacher's browser on
// 127.0.0.1, or on the machine's LAN address) are not capped per address:
// that is the teacher, and the global -max-conns still holds. A class
// behind one NAT address shares one address: raise -max-conns-per-addr (0
// turns the per-address cap off).

// defaultPerAddr is the default of -max-conns-per-addr: a student with three
// tabs of the page (three WebSockets each) and a few lessons open (some
// lessons hold several widgets' connections) stays well under it.
const defaultPerAddr = 48

// defaultHandshakeRate is the default of -handshake-rate: handshakes per
// second from one address. Opening the page makes three; reloading every
// tab at once a dozen; a script that reconnects in a loop, thousands.
const defaultHandshakeRate = 10

// handshakeBurst is the least burst of handshakes an address may make at
// once: `wsplay check ws://TEACHER:8080/ws/echo` from a student's machine
// opens one connection per case, about fifty within a second.
const handshakeBurst = 100

// maxConnsCeiling bounds the derived -max-conns default: 8,192 idle
// WebSockets cost about 60 MB (7 KiB each, docs/reliability.md), which a
// teacher's laptop can spare; past that the machine, not the descriptors,
// is what runs out.
const maxConnsCeiling = 8192

// reservedFiles is how many descriptors the default leaves for what is not
// a WebSocket: the listener, plain HTTP connections (page loads), the
// check's connections to students' servers, log files.
const reservedFiles = 128

// raiseFileLimit raises the soft limit on open files to the hard limit, as
// far as the process may, and returns the soft limit then in force (0 when
// it cannot be read).
func raiseFileLimit() uint64 {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0
	}
	if lim.Cur < lim.Max {
		want := lim
		want.Cur = lim.Max
		if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want) == nil {
			lim = want
		}
	}
	return uint64(lim.Cur)
}

// fileLimit returns the soft limit on open files, 0 when unknown.
func fileLimit() uint64 {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0
	}
	return uint64(lim.Cur)
}

// maxConnsFor derives the -max-conns default from an open-file limit: three
// quarters of what is left after reservedFiles (plain HTTP connections need
// descriptors too), at least 128 and at most maxConnsCeiling. With the
// common soft limit of 1,024 that is 672; with a raised one (Linux hard
// limits are usually 524,288 or more) the ceiling, 8,192: 200 students with
// several tabs each.
func maxConnsFor(files uint64) int {
	if files == 0 || files == ^uint64(0) { // unknown or unlimited
		return maxConnsCeiling
	}
	n := 128
	if files > reservedFiles {
		n = max(n, int(min((files-reservedFiles)*3/4, maxConnsCeiling)))
	}
	return n
}

// rateTable is a token bucket per client address: rate events a second on
// average, bursts of burst. It forgets an address whose bucket has filled
// up again (it would behave like a new one), so it holds only the
// addresses active in the last burst/rate seconds, and never more than
// maxAddrs of them: past that a new address is refused until the table
// has room, which only a flood from thousands of addresses can cause.
type rateTable struct {
	rate, burst float64

	mu      sync.Mutex
	buckets map[netip.Addr]*tokenBucket
}

// maxAddrs bounds every per-address table.
const maxAddrs = 16384

func newRateTable(rate, burst float64) *rateTable {
	return &rateTable{rate: rate, burst: max(burst, 1), buckets: map[netip.Addr]*tokenBucket{}}
}

// take spends one of ip's tokens, if it has one. A rate of 0 means no limit.
func (t *rateTable) take(ip netip.Addr, now time.Time) bool {
	if t == nil || t.rate <= 0 {
		return true
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	b, ok := t.buckets[ip]
	if !ok {
		if len(t.buckets) >= maxAddrs {
			t.pruneLocked(now)
			if len(t.buckets) >= maxAddrs {
				return false
			}
		}
		b = &tokenBucket{rate: t.rate, burst: t.burst}
		t.buckets[ip] = b
	}
	return b.take(now)
}

// allows reports whether ip has a token now, without spending it: for
// limits that count failures only (a wrong class code), checked before
// the attempt so that an address over the limit learns nothing from it.
func (t *rateTable) allows(ip netip.Addr, now time.Time) bool {
	if t == nil || t.rate <= 0 {
		return true
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	b, ok := t.buckets[ip]
	if !ok {
		return true // a new address has a full bucket
	}
	return min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate) >= 1
}

// pruneLocked forgets the addresses whose bucket is full again.
func (t *rateTable) pruneLocked(now time.Time) {
	for ip, b := range t.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*b.rate >= b.burst {
			delete(t.buckets, ip)
		}
	}
}

// peerLimits is the per-address accounting of WebSockets: how many are open
// from each address, and the handshake rate.
type peerLimits struct {
	maxOpen    int // 0: no cap
	handshakes *rateTable

	mu   sync.Mutex
	open map[netip.Addr]int // addresses with at least one WebSocket open or opening
}

func newPeerLimits(cfg Config) *peerLimits {
	return &peerLimits{
		maxOpen:    cfg.MaxConnsPerAddr,
		handshakes: newRateTable(cfg.HandshakeRate, max(2*cfg.HandshakeRate, handshakeBurst)),
		open:       map[netip.Addr]int{},
	}
}

// exempt reports whether a request comes from the server's own machine to
// itself: the two ends of its connection have the same address.
func exempt(r *http.Request) (netip.Addr, bool) {
	from := reach.IPOf(r.RemoteAddr)
	var local netip.Addr
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(interface{ String() string }); ok {
		local = reach.IPOf(a.String())
	}
	return from, !from.IsValid() || from == local
}

// admit counts a WebSocket about to be opened from r's address. It
// returns the client's address (the zero Addr for the teacher's own
// machine, which has no per-address limits), whether the connection was
// counted (release it when it ends), or, when the address is over a
// limit, the status and the reason to refuse with.
func (p *peerLimits) admit(r *http.Request) (from netip.Addr, counted bool, status int, reason string) {
	from, skip := exempt(r)
	if skip {
		return netip.Addr{}, false, 0, ""
	}
	if !p.handshakes.take(from, time.Now()) {
		return from, false, http.StatusTooManyRequests, "too many WebSocket handshakes from your address " + from.String() +
			" (the limit is " + strconv.FormatFloat(p.handshakes.rate, 'g', -1, 64) + " a second, see -handshake-rate); wait a few seconds"
	}
	return p.admitOpen(r)
}

// admitOpen is admit without the handshake rate: it counts the socket
// against -max-conns-per-addr only. For the client suite, whose driver
// opens one short connection per case as fast as the cases end.
func (p *peerLimits) admitOpen(r *http.Request) (from netip.Addr, counted bool, status int, reason string) {
	from, skip := exempt(r)
	if skip {
		return netip.Addr{}, false, 0, ""
	}
	if p.maxOpen <= 0 {
		return from, false, 0, ""
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.open[from] >= p.maxOpen {
		return from, false, http.StatusTooManyRequests, "too many WebSockets open from your address " + from.String() +
			" (the limit is " + strconv.Itoa(p.maxOpen) + ", see -max-conns-per-addr); close some tabs"
	}
	p.open[from]++
	return from, true, 0, ""
}

// release uncounts a WebSocket that admit counted.
func (p *peerLimits) release(from netip.Addr, counted bool) {
	if !counted {
		return
	}
	p.mu.Lock()
	if p.open[from]--; p.open[from] <= 0 {
		delete(p.open, from)
	}
	p.mu.Unlock()
}

// refuseLimit answers an upgrade refused by a per-address limit.
func refuseLimit(w http.ResponseWriter, status int, reason string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Retry-After", "5")
	w.WriteHeader(status)
	w.Write([]byte("wsplay: " + reason + "\n"))
}

// announceLimits says at start-up how many WebSockets the server holds, and
// why that many.
func announceLimits(w io.Writer, cfg Config, files uint64) {
	perAddr := "no per-address cap"
	if cfg.MaxConnsPerAddr > 0 {
		perAddr = "at most " + strconv.Itoa(cfg.MaxConnsPerAddr) + " from one address (-max-conns-per-addr)"
	}
	fmt.Fprintf(w, "wsplay: up to %d WebSockets at once (-max-conns; open-file limit %d), %s, %s handshakes a second from one address (-handshake-rate)\n",
		cfg.MaxConns, files, perAddr, strconv.FormatFloat(cfg.HandshakeRate, 'g', -1, 64))
}
