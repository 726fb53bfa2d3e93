//go:build !js

package main

import (
	"net/http"
	"strings"
	"testing"
)

// DNS rebinding: after a rebind, an attacker's page reaches this server
// under the attacker's name, and its requests say so in Host. Every such
// request is refused with 421 before any handler runs (the WebSocket
// endpoints included), while the names the server is really reached by are
// served.
func TestHostGuard(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.Hosts = []string{"wsplay.school.lan"} })
	_, port, _ := strings.Cut(ts.addr, ":")
	for _, tc := range []struct {
		host, path string
		want       int
	}{
		{ts.addr, "/", 200},
		{"localhost:" + port, "/", 200},
		{"LOCALHOST:" + port, "/lessons/", 200},
		{"wsplay.localhost:" + port, "/", 200},
		{"127.0.0.1", "/", 200},
		{"[::1]:" + port, "/", 200},
		{"wsplay.school.lan:" + port, "/", 200},
		{"wsplay.school.lan.:" + port, "/", 200},
		{"attacker.example:" + port, "/", 421},
		{"attacker.example:" + port, "/static/app.js", 421},
		{"attacker.example:" + port, "/ws/check", 421},
		{"attacker.example:" + port, "/ws/echo", 421},
		{"localhost.attacker.example:" + port, "/", 421},
		{"8.8.8.8:" + port, "/", 421},
		{"", "/", 421},
	} {
		req := "GET " + tc.path + " HTTP/1.1\r\nHost: " + tc.host + "\r\n"
		if strings.HasPrefix(tc.path, "/ws/") {
			req += "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
				"Origin: http://" + tc.host + "\r\n"
		}
		resp, body := rawResponse(t, ts.addr, req+"\r\n")
		got := resp.StatusCode
		if got == http.StatusSwitchingProtocols {
			got = 200
		}
		if got != tc.want {
			t.Errorf("Host %q %s: status %d, want %d", tc.host, tc.path, resp.StatusCode, tc.want)
		}
		if tc.want == 421 && !strings.Contains(body, "-host NAME") {
			t.Errorf("Host %q: the refusal does not name the flag: %q", tc.host, body)
		}
	}
}

// Every response forbids framing and carries a Content-Security-Policy
// that allows the pages' inline scripts by hash only.
func TestSecurityHeaders(t *testing.T) {
	ts := startServer(t, nil)
	for _, path := range []string{"/", "/lessons/", "/lessons/accept", "/static/app.js", "/nowhere"} {
		resp, body := rawResponse(t, ts.addr, "GET "+path+" HTTP/1.1\r\nHost: "+ts.addr+"\r\n\r\n")
		csp := resp.Header.Get("Content-Security-Policy")
		if resp.Header.Get("X-Frame-Options") != "DENY" || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: framing not denied: X-Frame-Options %q, CSP %q", path, resp.Header.Get("X-Frame-Options"), csp)
		}
		for _, d := range strings.Split(csp, ";") {
			if d = strings.TrimSpace(d); strings.HasPrefix(d, "script-src ") && strings.Contains(d, "'unsafe-inline'") {
				t.Errorf("%s: scripts allowed inline: %q", path, d)
			}
		}
		// Each inline script of an HTML page is allowed by its hash.
		for _, h := range scriptHashes([]byte(body)) {
			if !strings.Contains(csp, h) {
				t.Errorf("%s: inline script %s is not in the policy", path, h)
			}
		}
	}
}
