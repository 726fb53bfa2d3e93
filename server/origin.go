//go:build !js

package main

import (
	"net"
	"net/url"
	"strconv"
	"strings"

	"wsplay/core"
)

// A browser lets any page open a WebSocket to any server, and sends the
// page's origin in the Origin header; cookies and the network position of
// the browser go along. Without a check, a page on any site a student
// visits could talk to the wsplay server on their machine or classroom
// (cross-site WebSocket hijacking, RFC 6455 §10.2). So, by default, only
// these origins are allowed:
//
//   - the server's own origin: the Origin's host and port equal the Host
//     header, as when the page was loaded from this server;
//   - loopback origins (localhost and *.localhost, 127.0.0.0/8, ::1, any
//     port): a page that runs on the learner's own machine, such as their
//     own test page (browsers resolve *.localhost to loopback themselves,
//     RFC 6761 §6.3, as the Host guard in host.go assumes too);
//   - the origins given with -origin ("*" allows every origin).
//
// A request without an Origin header is accepted: browsers always send one
// with a WebSocket handshake, so its absence means a non-browser client
// (curl, a Python script, a test), which no web page can impersonate.

// checkOrigin is the UpgradeOptions.CheckOrigin hook.
func (s *Server) checkOrigin(req *core.Request) error {
	origins := req.Header.Values("Origin")
	if len(origins) == 0 {
		return nil
	}
	origin := origins[0]
	if len(origins) == 1 && originAllowed(origin, req.Header.Get("Host"), s.cfg.Origins) {
		return nil
	}
	return &core.HandshakeError{
		Status: 403,
		Rule:   core.RuleOrigin,
		Detail: "Origin " + strconv.Quote(strings.Join(origins, ", ")) +
			" is neither this server's origin nor a loopback origin; start wsplay with -origin " + origin + " to allow it",
	}
}

// originAllowed applies the rules above to one Origin value.
func originAllowed(origin, host string, extra []string) bool {
	norm := strings.TrimSuffix(strings.ToLower(origin), "/")
	for _, o := range extra {
		if o == "*" || strings.TrimSuffix(strings.ToLower(o), "/") == norm {
			return true
		}
	}
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return false // "null" (file: pages, sandboxes) and other schemes
	}
	if strings.EqualFold(u.Host, host) {
		return true
	}
	h := strings.ToLower(u.Hostname())
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}
