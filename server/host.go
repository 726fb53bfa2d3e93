//go:build !js

package main

import (
	"net"
	"net/http"
	"net/netip"
	"os"
	"strings"
)

// DNS rebinding turns a visitor's browser into a client of this server
// under another name: a page on http://attacker.example:8080 whose name
// first resolves to the attacker's machine and then to 127.0.0.1 is, for
// the browser, still attacker.example, so its requests carry
// "Host: attacker.example:8080" and "Origin: http://attacker.example:8080"
// — and the origin rule, which accepts the server's own origin (Origin host
// equal to Host), would let it in. The answer is to serve only the names
// the server is really reached by (the check browsers and DNS cannot
// forge): every request whose Host is not one of them gets 421 Misdirected
// Request before any handler runs.
//
// The names served:
//   - loopback names and addresses: localhost and *.localhost (RFC 6761:
//     browsers resolve them to loopback themselves), 127.0.0.0/8, ::1;
//   - the machine's own addresses (every interface address, read at
//     start-up) and its host name (and hostname.local, for mDNS), so that a
//     classroom reaches a server started with -addr 0.0.0.0:8080 by the
//     teacher's LAN address;
//   - the names given with -host, e.g. a DNS name the school gives the
//     teacher's machine.

// hostGuard allows the Host names above.
type hostGuard struct {
	names map[string]bool // lower-case names without port, besides loopback and addresses
	addrs map[netip.Addr]bool
}

// newHostGuard collects the machine's addresses and names, plus extra.
func newHostGuard(extra []string) *hostGuard {
	g := &hostGuard{names: map[string]bool{}, addrs: map[netip.Addr]bool{}}
	if ifaddrs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range ifaddrs {
			if p, err := netip.ParsePrefix(a.String()); err == nil {
				g.addrs[p.Addr().Unmap()] = true
			}
		}
	}
	if h, err := os.Hostname(); err == nil && h != "" {
		h = strings.ToLower(h)
		g.names[h] = true
		if !strings.Contains(h, ".") {
			g.names[h+".local"] = true
		}
	}
	for _, n := range extra {
		g.names[strings.ToLower(strings.TrimSuffix(n, "."))] = true
	}
	return g
}

// allowed reports whether the Host header value host (host[:port]) names
// this server.
func (g *hostGuard) allowed(host string) bool {
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	name = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSuffix(name, "]"), "["), ".")
	if ip, err := netip.ParseAddr(name); err == nil {
		ip = ip.Unmap()
		return ip.Zone() == "" && (ip.IsLoopback() || g.addrs[ip])
	}
	name = strings.ToLower(name)
	return name == "localhost" || strings.HasSuffix(name, ".localhost") || g.names[name]
}

// wrap refuses requests for other Host names with 421 and a plain-text
// reason naming the flag, before any handler runs.
func (g *hostGuard) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if g.allowed(r.Host) {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Connection", "close")
		w.WriteHeader(http.StatusMisdirectedRequest)
		w.Write([]byte("wsplay: this server does not answer to the name in the Host header. " +
			"It serves loopback names, this machine's own addresses and names, and the names given with -host " +
			"(a page under any other name could be a DNS-rebinding attack). " +
			"If you reach this machine by that name, start wsplay with -host NAME.\n"))
	})
}
