//go:build !js

package reach

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strconv"
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
		got, err := Resolve(context.Background(), url, CommandLine(false), lookup)
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
		"ws://example.com/":         "example.com resolves to 93.184.216.34, a public address",
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
		"ws://0.0.0.0:8080/":        "0.0.0.0 is the unspecified address",
		"ws://[::]:8080/":           ":: is the unspecified address",
	} {
		_, err := Resolve(context.Background(), url, CommandLine(false), lookup)
		var re *RefusedError
		if !errors.As(err, &re) || !strings.Contains(err.Error(), why) {
			t.Errorf("%s: %v, want a refusal mentioning %q", url, err, why)
		}
	}
	// -allow-remote lets a public address through (Resolve does not dial).
	if tg, err := Resolve(context.Background(), "ws://192.0.2.1:8080/", CommandLine(true), lookup); err != nil || tg.Addr != "192.0.2.1:8080" {
		t.Errorf("allow remote: %v %v", tg, err)
	}
}

// The page's policy: a visitor on this machine reaches loopback only; a
// visitor elsewhere reaches its own address (any port) and nothing else.
func TestForRequester(t *testing.T) {
	lookup := fakeLookup(map[string][]string{
		"localhost":      {"127.0.0.1", "::1"},
		"student.lan":    {"192.168.1.23"},
		"other.lan":      {"192.168.1.24"},
		"metadata.cloud": {"169.254.169.254"},
	})
	loop := netip.MustParseAddr("127.0.0.1")
	student := netip.MustParseAddr("192.168.1.23")
	teacher := netip.MustParseAddr("192.168.1.10")
	for _, c := range []struct {
		requester netip.Addr
		url       string
		ok        bool
	}{
		// A student's stand-in on one machine: 127.0.0.2 asking a
		// server on 127.0.0.1 reaches 127.0.0.2 only.
		{netip.MustParseAddr("127.0.0.2"), "ws://127.0.0.2:3368/", true},
		{netip.MustParseAddr("127.0.0.2"), "ws://127.0.0.3:3368/", false},
		{netip.MustParseAddr("127.0.0.2"), "ws://127.0.0.1:8080/", false},
		{loop, "ws://127.0.0.1:3368/", true},
		{loop, "ws://127.9.9.9:1/", true},
		{loop, "ws://localhost:3368/", true},
		{loop, "ws://[::1]:3368/", true},
		{loop, "ws://192.168.1.23:3368/", false},
		{loop, "ws://10.0.0.1/", false},
		{loop, "ws://169.254.169.254/", false},
		{loop, "ws://metadata.cloud/", false},
		{netip.MustParseAddr("::1"), "ws://127.0.0.1:3368/", true},
		// The teacher's own browser, on the machine's LAN address.
		{teacher, "ws://127.0.0.1:3368/", true},
		{teacher, "ws://192.168.1.23:3368/", false},
		{student, "ws://192.168.1.23:3368/", true},
		{student, "ws://192.168.1.23:22/", true},
		{student, "ws://student.lan:9000/", true},
		{netip.MustParseAddr("::ffff:192.168.1.23"), "ws://192.168.1.23:3368/", true},
		{student, "ws://127.0.0.1:8080/", false},
		{student, "ws://localhost:8080/", false},
		{student, "ws://192.168.1.24:3368/", false},
		{student, "ws://other.lan:3368/", false},
		{student, "ws://8.8.8.8/", false},
		{netip.Addr{}, "ws://127.0.0.1:3368/", false},
	} {
		local := loop
		switch {
		case c.requester == teacher, c.requester.Unmap() == student:
			local = teacher
		case c.requester.Is6():
			local = c.requester
		}
		_, err := Resolve(context.Background(), c.url, ForRequester(c.requester, local), lookup)
		if (err == nil) != c.ok {
			t.Errorf("requester %v, %s: err %v, want allowed=%v", c.requester, c.url, err, c.ok)
		}
	}
}

// A page's refusal names neither the addresses a name resolved to nor the
// resolver's error: they tell a visitor about the server's network.
func TestPageRefusalsSayNothingOfDNS(t *testing.T) {
	lookup := func(_ context.Context, host string) ([]net.IP, error) {
		if host == "db.internal" {
			return []net.IP{net.ParseIP("10.20.30.40")}, nil
		}
		return nil, errors.New("lookup " + host + " on 10.0.0.2:53: no such host")
	}
	p := ForRequester(netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("127.0.0.1"))
	for _, u := range []string{"ws://db.internal/", "ws://nope.internal/"} {
		_, err := Resolve(context.Background(), u, p, lookup)
		if err == nil {
			t.Fatalf("%s allowed", u)
		}
		for _, leak := range []string{"10.20.30.40", "10.0.0.2", "no such host"} {
			if strings.Contains(err.Error(), leak) {
				t.Errorf("%s: refusal %q says %q", u, err, leak)
			}
		}
	}
}

// DNS rebinding: a name that answers 127.0.0.1 first and a private address
// afterwards. Resolve asks once and Dial connects to the address Resolve
// allowed, so the second answer is never used, however often it is asked.
func TestRebindingCannotSwapTheAddress(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Addr, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			accepted <- c.LocalAddr()
			c.Close()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	asked := 0
	rebind := func(context.Context, string) ([]net.IP, error) {
		asked++
		if asked == 1 {
			return []net.IP{net.ParseIP("127.0.0.1")}, nil
		}
		return []net.IP{net.ParseIP("10.0.0.5")}, nil
	}
	p := ForRequester(netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("127.0.0.1"))
	tg, err := Resolve(context.Background(), "ws://rebind.test:"+strconv.Itoa(port)+"/", p, rebind)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Dial(context.Background(), tg)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if got := <-accepted; got.String() != ln.Addr().String() {
		t.Errorf("dialed %v, want %v", got, ln.Addr())
	}
	if asked != 1 {
		t.Errorf("the name was looked up %d times, want once", asked)
	}
	// Asked a second time, the name now answers a private address, and
	// the page's policy refuses it.
	if _, err := Resolve(context.Background(), "ws://rebind.test:"+strconv.Itoa(port)+"/", p, rebind); err == nil {
		t.Error("the rebound answer was allowed")
	}
}
