//go:build !js

// Package reach decides whom wsplay may connect to on a user's behalf, and
// connects only there.
//
// wsplay connects to other servers for its users: `wsplay check` and
// `wsplay tap` from the command line, /ws/check and /ws/tap for whoever has
// the page open. A server that connects where a visitor tells it is a pivot
// into the machine it runs on and into the network around it, so every such
// connection goes through this package:
//
//   - Resolve parses a ws:// URL, resolves its host once, and refuses it
//     unless every address the name resolves to is allowed by a Policy;
//   - Dial connects to exactly the address Resolve checked, never to a
//     second lookup's answer. A name that answers 127.0.0.1 and then 10.0.0.5
//     (DNS rebinding) therefore cannot make wsplay connect to 10.0.0.5.
//
// # Policies
//
// CommandLine is the rule of the commands: loopback, private (RFC 1918,
// fc00::/7) and link-local addresses, because the person typing the URL is
// on this machine and could connect there anyway; AllowRemote widens it to
// any address. ForRequester is the rule of the page: a visitor on this
// machine may reach this machine (loopback), and a visitor on another
// machine may reach that machine's own address and nothing else, so the
// server can only be made to talk to the machine that asked.
//
// Refusals from the page's policy say what was refused and why, never what
// the resolver answered: the addresses internal names resolve to and the
// resolver's own address are not the visitor's business.
package reach

import (
	"context"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// Target is a checked URL: where to connect and what to ask for.
type Target struct {
	URL  string // as given
	Host string // the Host header: host[:port] as in the URL
	Path string // the request-target: path and query, "/" when empty
	Addr string // the address to dial, ip:port: one the policy allowed
}

// RefusedError says why wsplay will not connect to a URL: a malformed URL, a
// scheme it does not speak, or an address the policy does not allow.
type RefusedError struct {
	URL    string
	Reason string
}

func (e *RefusedError) Error() string {
	return "refusing " + strconv.Quote(e.URL) + ": " + e.Reason
}

// Lookup resolves a host name to its addresses. Tests pass their own, so
// that no test asks the machine's DNS.
type Lookup func(ctx context.Context, host string) ([]net.IP, error)

// Policy says which addresses may be connected to.
type Policy struct {
	// Allow reports whether ip may be connected to.
	Allow func(ip netip.Addr) bool
	// Allowed names what Allow accepts, for the refusal message, e.g.
	// "this machine (127.0.0.1, ::1)".
	Allowed string
	// Refused completes "ADDRESS is …" in a refusal, e.g. "a public
	// address".
	Refused string
	// Hint ends a refusal: what to do instead.
	Hint string
	// Detail lets refusals name the addresses a host resolved to and the
	// resolver's error. The commands set it (the user is on this machine);
	// the page's policies do not.
	Detail bool
}

// commandRanges names the ranges CommandLine allows.
const commandRanges = "loopback (127.0.0.0/8, ::1), private (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7) or link-local (169.254.0.0/16, fe80::/10)"

// Private reports whether ip is a loopback, private or link-local address:
// what the commands connect to without -allow-remote.
func Private(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast()
}

// CommandLine is the policy of `wsplay check` and `wsplay tap`: loopback,
// private and link-local addresses, or any address with allowRemote.
func CommandLine(allowRemote bool) Policy {
	p := Policy{
		Allow:   Private,
		Refused: "a public address",
		Allowed: commandRanges + " addresses, so that it reaches your own server and cannot be turned into a scanner of other people's",
		Hint:    "If this server is yours, pass -allow-remote",
		Detail:  true,
	}
	if allowRemote {
		p.Allow = func(netip.Addr) bool { return true }
	}
	return p
}

// ForRequester is the policy of the page's endpoints (/ws/check, /ws/tap)
// for a request that came from the address requester to the server's
// address local (the two ends of the request's TCP connection).
//
// A request whose two ends are the same address comes from this machine:
// wsplay may connect to loopback addresses for it. Any other requester is
// another machine, and wsplay may connect to its own address only, on any
// port. (On one machine, a client that connects from 127.0.0.2 to a server
// on 127.0.0.1 counts as another machine: tests stand in for a class of
// students that way.) An invalid requester may have it connect nowhere.
func ForRequester(requester, local netip.Addr) Policy {
	requester, local = requester.Unmap(), local.Unmap()
	switch {
	case !requester.IsValid():
		return Policy{
			Allow:   func(netip.Addr) bool { return false },
			Allowed: "no address: the server could not tell where your request came from",
		}
	case requester == local:
		return Policy{
			Allow:   func(ip netip.Addr) bool { return ip.Unmap().IsLoopback() },
			Allowed: "servers on this machine (127.0.0.1, ::1 or localhost): the server connects for whoever has the page open, so it does not reach into the network",
			Hint:    "To reach a server on another machine, run wsplay on that machine",
		}
	}
	return Policy{
		Allow: func(ip netip.Addr) bool { return ip.Unmap() == requester },
		Allowed: "your own machine, " + requester.String() + " (any port): the server connects for whoever has the page open, " +
			"so it only talks to the machine that asked",
		Hint: "Start your server so that it listens on " + requester.String() + " (or 0.0.0.0), and use ws://" +
			hostPort(requester, "PORT") + "/ in the URL; wsplay sees your machine as " + requester.String(),
	}
}

func hostPort(ip netip.Addr, port string) string {
	if ip.Is6() {
		return "[" + ip.String() + "]:" + port
	}
	return ip.String() + ":" + port
}

// Resolve parses a ws:// URL and resolves its host once. Every address the
// host resolves to must be allowed by p: a name that resolves to one allowed
// and one refused address is refused, since nothing says which one a later
// lookup would give. Target.Addr is the first address; dial it with Dial, so
// a second lookup cannot swap it. lookup nil means the system resolver; an
// IP literal is never looked up.
func Resolve(ctx context.Context, raw string, p Policy, lookup Lookup) (*Target, error) {
	refuse := func(reason string) (*Target, error) { return nil, &RefusedError{URL: raw, Reason: reason} }
	u, err := url.Parse(raw)
	if err != nil {
		why := "it is not a URL"
		if p.Detail {
			why += " (" + err.Error() + ")"
		}
		return refuse(why + "; write it like ws://127.0.0.1:3368/chat")
	}
	switch strings.ToLower(u.Scheme) {
	case "ws":
	case "wss":
		return refuse("wss:// (WebSocket over TLS) is not supported yet; use the server's plain ws:// port")
	case "":
		return refuse("the URL has no scheme; write it like ws://127.0.0.1:3368/chat")
	default:
		return refuse("the scheme is " + strconv.Quote(u.Scheme) + "; a WebSocket URL starts with ws:// (RFC 6455 §3)")
	}
	if u.Opaque != "" || u.Host == "" {
		return refuse("the URL has no host; write it like ws://127.0.0.1:3368/chat")
	}
	if u.User != nil {
		return refuse("the URL carries a user name or password, which a WebSocket URL does not have (RFC 6455 §3)")
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return refuse("a WebSocket URL must not have a #fragment (RFC 6455 §3)")
	}
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = "80"
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return refuse("the port " + strconv.Quote(port) + " is not a number from 1 to 65535")
	}
	var ips []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		if ip.Zone() != "" {
			return refuse("an IPv6 zone is not supported in the URL; use the server's IPv4 or loopback address")
		}
		ips = []netip.Addr{ip.Unmap()}
	} else if strings.Contains(host, "%") {
		return refuse("an IPv6 zone is not supported in the URL; use the server's IPv4 or loopback address")
	} else {
		if lookup == nil {
			lookup = systemLookup
		}
		found, err := lookup(ctx, host)
		if err != nil {
			why := "cannot resolve " + strconv.Quote(host)
			if p.Detail {
				why += ": " + err.Error()
			}
			return refuse(why)
		}
		for _, ip := range found {
			a, ok := netip.AddrFromSlice(ip)
			if !ok {
				return refuse(strconv.Quote(host) + " resolves to something that is not an IP address")
			}
			ips = append(ips, a.Unmap())
		}
		if len(ips) == 0 {
			return refuse(strconv.Quote(host) + " resolves to no address")
		}
	}
	for _, ip := range ips {
		if ip.IsUnspecified() {
			return refuse(ip.String() + " is the unspecified address: a server listens on it to accept connections on every address, " +
				"but it is not an address to connect to. Use 127.0.0.1 (or ::1) for a server on this machine")
		}
		if p.Allow == nil || !p.Allow(ip) {
			refused := p.Refused
			if refused == "" {
				refused = "not an address this server may connect to for you"
			}
			what := host + " is " + refused
			switch {
			case net.ParseIP(host) == nil && p.Detail:
				what = host + " resolves to " + ip.String() + ", " + refused
			case net.ParseIP(host) == nil:
				what = host + " is not a server this server may connect to for you"
			}
			reason := what + ". wsplay connects only to " + p.Allowed
			if p.Hint != "" {
				reason += ". " + p.Hint
			}
			return refuse(reason)
		}
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	if u.RawQuery != "" || u.ForceQuery {
		path += "?" + u.RawQuery
	}
	return &Target{URL: raw, Host: u.Host, Path: path, Addr: netip.AddrPortFrom(ips[0], mustPort(port)).String()}, nil
}

func mustPort(s string) uint16 {
	n, _ := strconv.Atoi(s)
	return uint16(n)
}

// Dial connects to exactly t.Addr, the address Resolve checked: no name is
// looked up again.
func Dial(ctx context.Context, t *Target) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, "tcp", t.Addr)
}

func systemLookup(ctx context.Context, host string) ([]net.IP, error) {
	addrs, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	ips := make([]net.IP, len(addrs))
	for i, a := range addrs {
		ips[i] = a.IP
	}
	return ips, err
}

// IPOf returns the IP address of an "ip:port" address, as net/http gives
// them in Request.RemoteAddr and http.LocalAddrContextKey; the zero Addr
// when it is not one.
func IPOf(hostport string) netip.Addr {
	ap, err := netip.ParseAddrPort(hostport)
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}
