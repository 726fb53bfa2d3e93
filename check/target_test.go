//go:build !js

package check

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
)

// fakeLookup resolves names from a table, so no test resolves a real name.
func fakeLookup(table map[string][]string) func(context.Context, string) ([]net.IP, error) {
	return func(_ context.Context, host string) ([]net.IP, error) {
		addrs, ok := table[host]
		if !ok {
			return nil, errors.New("no such host (test table)")
		}
		var ips []net.IP
		for _, a := range addrs {
			ips = append(ips, net.ParseIP(a))
		}
		return ips, nil
	}
}

func TestResolveAllowsLoopbackAndPrivate(t *testing.T) {
	lookup := fakeLookup(map[string][]string{"localhost": {"127.0.0.1", "::1"}, "lab.internal": {"192.168.1.20"}})
	for url, want := range map[string]Target{
		"ws://127.0.0.1:3368/chat":       {Host: "127.0.0.1:3368", Path: "/chat", Addr: "127.0.0.1:3368"},
		"ws://localhost:8080":            {Host: "localhost:8080", Path: "/", Addr: "127.0.0.1:8080"},
		"ws://[::1]:9000/a?b=c":          {Host: "[::1]:9000", Path: "/a?b=c", Addr: "[::1]:9000"},
		"ws://10.1.2.3/":                 {Host: "10.1.2.3", Path: "/", Addr: "10.1.2.3:80"},
		"ws://172.16.0.9:1/x":            {Host: "172.16.0.9:1", Path: "/x", Addr: "172.16.0.9:1"},
		"ws://lab.internal:3000/ws":      {Host: "lab.internal:3000", Path: "/ws", Addr: "192.168.1.20:3000"},
		"ws://169.254.10.10:80/":         {Host: "169.254.10.10:80", Path: "/", Addr: "169.254.10.10:80"},
		"WS://[fd00::5]:8080/echo?q=1%2": {Host: "[fd00::5]:8080", Path: "/echo?q=1%2", Addr: "[fd00::5]:8080"},
	} {
		got, err := Resolve(context.Background(), url, false, lookup)
		if err != nil {
			t.Errorf("%s: %v", url, err)
			continue
		}
		want.URL = url
		if *got != want {
			t.Errorf("%s: %+v, want %+v", url, *got, want)
		}
	}
}

func TestResolveRefuses(t *testing.T) {
	lookup := fakeLookup(map[string][]string{
		"example.com":  {"93.184.216.34"},
		"mixed.test":   {"127.0.0.1", "203.0.113.7"},
		"nothing.test": {},
	})
	for url, why := range map[string]string{
		"ws://192.0.2.1:8080/":      "192.0.2.1 is a public address",
		"ws://8.8.8.8/":             "-allow-remote",
		"ws://example.com/":         "example.com resolves to 93.184.216.34",
		"ws://mixed.test/":          "203.0.113.7",
		"ws://nothing.test/":        "resolves to no address",
		"ws://unknown.test/":        "cannot resolve",
		"wss://127.0.0.1/":          "wss:// (WebSocket over TLS) is not supported",
		"http://127.0.0.1/":         "starts with ws://",
		"127.0.0.1:8080":            "",
		"ws://127.0.0.1:99999/":     "port",
		"ws://user:pw@127.0.0.1/":   "user name",
		"ws://127.0.0.1/#x":         "fragment",
		"ws:///path":                "no host",
		"ws://[::1%25lo]:8080/echo": "zone",
	} {
		_, err := Resolve(context.Background(), url, false, lookup)
		var re *RefusedError
		if !errors.As(err, &re) || !strings.Contains(err.Error(), why) {
			t.Errorf("%s: %v, want a refusal mentioning %q", url, err, why)
		}
	}
	// -allow-remote lets a public address through (Resolve does not dial).
	if tg, err := Resolve(context.Background(), "ws://192.0.2.1:8080/", true, lookup); err != nil || tg.Addr != "192.0.2.1:8080" {
		t.Errorf("allow remote: %v %v", tg, err)
	}
}

// A refused URL is refused before any connection: Run returns the error
// and no result.
func TestRunRefusesBeforeDialing(t *testing.T) {
	called := false
	rep, err := Run(context.Background(), "ws://192.0.2.1:8080/", Options{}, func(Result) { called = true })
	var re *RefusedError
	if !errors.As(err, &re) || rep != nil || called {
		t.Fatalf("%v %v %v", rep, err, called)
	}
}
