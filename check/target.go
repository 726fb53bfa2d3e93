//go:build !js

package check

import (
	"context"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Target is a checked URL: where to connect and what to ask for.
type Target struct {
	URL  string // as given
	Host string // the Host header: host[:port] as in the URL
	Path string // the request-target: path and query, "/" when empty
	Addr string // the address dialed, ip:port: one the safety rule allowed
}

// RefusedError says why the check will not run against a URL: a malformed
// URL, a scheme it does not speak, or an address outside the loopback and
// private ranges without -allow-remote.
type RefusedError struct {
	URL    string
	Reason string
}

func (e *RefusedError) Error() string {
	return "wsplay check: refusing " + strconv.Quote(e.URL) + ": " + e.Reason
}

// allowedRanges names the address ranges the check connects to without
// AllowRemote, for the message that refuses the others.
const allowedRanges = "loopback (127.0.0.0/8, ::1), private (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7) or link-local (169.254.0.0/16, fe80::/10)"

// Allowed reports whether the check may connect to ip without AllowRemote.
func Allowed(ip net.IP) bool {
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast()
}

// Resolve parses a ws:// URL and resolves its host. Unless allowRemote is
// set, every address the host resolves to must be allowed (Allowed): a name
// that resolves to one private and one public address is refused, since
// nothing says which one a later lookup would give. The address dialed is the
// one resolved here, so a second lookup cannot swap it. lookup nil means the
// system resolver; an IP literal is never looked up.
func Resolve(ctx context.Context, raw string, allowRemote bool, lookup func(ctx context.Context, host string) ([]net.IP, error)) (*Target, error) {
	refuse := func(reason string) (*Target, error) { return nil, &RefusedError{URL: raw, Reason: reason} }
	u, err := url.Parse(raw)
	if err != nil {
		return refuse("it is not a URL (" + err.Error() + "); write it like ws://127.0.0.1:3368/chat")
	}
	switch strings.ToLower(u.Scheme) {
	case "ws":
	case "wss":
		return refuse("wss:// (WebSocket over TLS) is not supported yet; check the server's plain ws:// port")
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
	var ips []net.IP
	if ip := net.ParseIP(host); ip != nil {
		ips = []net.IP{ip}
	} else if strings.Contains(host, "%") {
		return refuse("an IPv6 zone is not supported in the URL; use the server's IPv4 or loopback address")
	} else {
		if lookup == nil {
			lookup = lookupIP
		}
		ips, err = lookup(ctx, host)
		if err != nil {
			return refuse("cannot resolve " + strconv.Quote(host) + ": " + err.Error())
		}
		if len(ips) == 0 {
			return refuse(strconv.Quote(host) + " resolves to no address")
		}
	}
	if !allowRemote {
		for _, ip := range ips {
			if !Allowed(ip) {
				what := host + " is a public address"
				if net.ParseIP(host) == nil {
					what = host + " resolves to " + ip.String() + ", a public address"
				}
				return refuse(what + ". wsplay check connects only to " + allowedRanges +
					" addresses, so that it checks your own server and cannot be turned into a scanner of other people's. If this server is yours, pass -allow-remote")
			}
		}
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	if u.RawQuery != "" || u.ForceQuery {
		path += "?" + u.RawQuery
	}
	hostHeader := u.Host
	return &Target{URL: raw, Host: hostHeader, Path: path, Addr: net.JoinHostPort(ips[0].String(), port)}, nil
}

func lookupIP(ctx context.Context, host string) ([]net.IP, error) {
	addrs, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	ips := make([]net.IP, len(addrs))
	for i, a := range addrs {
		ips[i] = a.IP
	}
	return ips, err
}
