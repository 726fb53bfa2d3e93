//go:build !js

package main

import (
	"errors"
	"strings"
	"testing"

	"wsplay/core"
)

func TestOrigin(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.Origins = []string{"http://class.example:8000"} })
	cases := []struct {
		origin string
		ok     bool
	}{
		{"", true}, // a non-browser client
		{"http://" + ts.addr, true},
		{"http://localhost:3000", true},
		{"http://127.0.0.1:5500", true},
		{"http://[::1]:8080", true},
		{"http://class.example:8000", true}, // from -origin
		{"HTTP://CLASS.EXAMPLE:8000", true},
		{"http://class.example:8001", false},
		{"http://evil.example", false},
		{"https://localhost.evil.example", false},
		{"http://lab.localhost:5173", true},
		{"http://LAB.LOCALHOST", true},
		{"http://localhost.example.localhost.evil", false},
		{"null", false},
	}
	for _, tc := range cases {
		_, err := coreDialOrigin(t, ts.addr, "/ws/echo", tc.origin, core.Config{})
		var he *core.HandshakeError
		switch {
		case tc.ok && err != nil:
			t.Errorf("Origin %q refused: %v", tc.origin, err)
		case !tc.ok && (!errors.As(err, &he) || he.Status != 403):
			t.Errorf("Origin %q: got %v, want 403", tc.origin, err)
		}
	}
	resp, body := rawResponse(t, ts.addr, handshakeHead(ts.addr, "/ws/chat", "Origin: http://evil.example\r\n"))
	if resp.StatusCode != 403 || !strings.Contains(body, "RFC 6455 §10.2") || !strings.Contains(body, "-origin") {
		t.Fatalf("refusal: %d %q", resp.StatusCode, body)
	}
}

func TestOriginStar(t *testing.T) {
	if !originAllowed("http://anything.example", "x:1", []string{"*"}) {
		t.Fatal("* should allow any origin")
	}
	if !originAllowed("null", "x:1", []string{"null"}) {
		t.Fatal("-origin null should allow file: pages")
	}
}
