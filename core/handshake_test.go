package core_test

import (
	"bufio"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"io"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"wsplay/core"
)

// rfcKey and rfcAccept are the worked example of RFC 6455 §1.3 and §4.2.2.
const (
	rfcKey    = "dGhlIHNhbXBsZSBub25jZQ=="
	rfcAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
)

// rfcRequest is the client handshake of RFC 6455 §1.3, with CRLF line ends.
var rfcRequest = crlf(
	"GET /chat HTTP/1.1",
	"Host: server.example.com",
	"Upgrade: websocket",
	"Connection: Upgrade",
	"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
	"Origin: http://example.com",
	"Sec-WebSocket-Protocol: chat, superchat",
	"Sec-WebSocket-Version: 13",
)

// crlf joins lines into an HTTP head: each line ends with CRLF, and an empty
// line ends the head.
func crlf(lines ...string) string {
	return strings.Join(lines, "\r\n") + "\r\n\r\n"
}

// lf is crlf with bare LF line ends.
func lf(lines ...string) string {
	return strings.Join(lines, "\n") + "\n\n"
}

// without returns the §1.3 request lines with every line that starts with one
// of the prefixes removed, and extra lines added before the empty line.
func without(prefixes []string, extra ...string) string {
	lines := []string{
		"GET /chat HTTP/1.1",
		"Host: server.example.com",
		"Upgrade: websocket",
		"Connection: Upgrade",
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
		"Origin: http://example.com",
		"Sec-WebSocket-Version: 13",
	}
	var out []string
next:
	for _, l := range lines {
		for _, p := range prefixes {
			if strings.HasPrefix(l, p) {
				continue next
			}
		}
		out = append(out, l)
	}
	return crlf(append(out, extra...)...)
}

// keyOf returns base64 of n bytes: a key that decodes to n bytes.
func keyOf(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i * 7)
	}
	return base64.StdEncoding.EncodeToString(b)
}

func TestValidRequests(t *testing.T) {
	tests := []struct {
		name   string
		raw    string
		method string
		target string
		proto  string
		key    string
	}{
		{"RFC 6455 §1.3 sample", rfcRequest, "GET", "/chat", "HTTP/1.1", rfcKey},
		{"Firefox Connection: keep-alive, Upgrade", crlf(
			"GET /ws/echo?x=1 HTTP/1.1",
			"Host: 127.0.0.1:8080",
			"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
			"Sec-WebSocket-Version: 13",
			"Origin: http://127.0.0.1:8080",
			"Sec-WebSocket-Extensions: permessage-deflate",
			"Sec-WebSocket-Key: "+rfcKey,
			"Connection: keep-alive, Upgrade",
			"Upgrade: websocket",
		), "GET", "/ws/echo?x=1", "HTTP/1.1", rfcKey},
		{"header names in odd case", crlf(
			"GET / HTTP/1.1",
			"HOST: example.com",
			"UPGRADE: WebSocket",
			"connection: UPGRADE",
			"sec-websocket-key: "+rfcKey,
			"SEC-WEBSOCKET-VERSION: 13",
		), "GET", "/", "HTTP/1.1", rfcKey},
		{"bare LF line ends", lf(
			"GET /chat HTTP/1.1",
			"Host: server.example.com",
			"Upgrade: websocket",
			"Connection: Upgrade",
			"Sec-WebSocket-Key: "+rfcKey,
			"Sec-WebSocket-Version: 13",
		), "GET", "/chat", "HTTP/1.1", rfcKey},
		{"HTTP/2.0 in the request line", crlf(
			"GET /chat HTTP/2.0",
			"Host: server.example.com",
			"Upgrade: websocket",
			"Connection: Upgrade",
			"Sec-WebSocket-Key: "+rfcKey,
			"Sec-WebSocket-Version: 13",
		), "GET", "/chat", "HTTP/2.0", rfcKey},
		{"empty lines before the request line (RFC 9112 §2.2)", "\r\n\r\n" + rfcRequest, "GET", "/chat", "HTTP/1.1", rfcKey},
		{"spaces and tabs around values", crlf(
			"GET /chat HTTP/1.1",
			"Host:server.example.com",
			"Upgrade: \twebsocket \t",
			"Connection:   Upgrade",
			"Sec-WebSocket-Key:\t"+rfcKey+"  ",
			"Sec-WebSocket-Version: 13 ",
		), "GET", "/chat", "HTTP/1.1", rfcKey},
		{"Upgrade listing several protocols", without([]string{"Upgrade"}, "Upgrade: h2c, websocket"),
			"GET", "/chat", "HTTP/1.1", rfcKey},
		{"a key of other random bytes", without([]string{"Sec-WebSocket-Key"}, "Sec-WebSocket-Key: "+keyOf(16)),
			"GET", "/chat", "HTTP/1.1", keyOf(16)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := core.ParseRequest([]byte(tt.raw))
			if err != nil {
				t.Fatalf("ParseRequest: %v", err)
			}
			if r.Method != tt.method || r.Target != tt.target || r.Proto != tt.proto {
				t.Errorf("request line = %q %q %q, want %q %q %q", r.Method, r.Target, r.Proto, tt.method, tt.target, tt.proto)
			}
			if err := r.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
			if got := r.Key(); got != tt.key {
				t.Errorf("Key() = %q, want %q", got, tt.key)
			}
			// ReadRequest with the default limit gives the same result.
			r2, err := core.ReadRequest(bufio.NewReader(strings.NewReader(tt.raw)), 0)
			if err != nil {
				t.Fatalf("ReadRequest: %v", err)
			}
			if !reflect.DeepEqual(r, r2) {
				t.Errorf("ReadRequest = %+v, ParseRequest = %+v", r2, r)
			}
		})
	}
}

func TestRFCSampleRequestFields(t *testing.T) {
	r, err := core.ParseRequest([]byte(rfcRequest))
	if err != nil {
		t.Fatal(err)
	}
	want := core.Headers{
		{"Host", "server.example.com"},
		{"Upgrade", "websocket"},
		{"Connection", "Upgrade"},
		{"Sec-WebSocket-Key", rfcKey},
		{"Origin", "http://example.com"},
		{"Sec-WebSocket-Protocol", "chat, superchat"},
		{"Sec-WebSocket-Version", "13"},
	}
	if !reflect.DeepEqual(r.Header, want) {
		t.Errorf("Header = %q, want %q (order and spelling kept)", r.Header, want)
	}
	if got := r.Protocols(); !reflect.DeepEqual(got, []string{"chat", "superchat"}) {
		t.Errorf("Protocols() = %q", got)
	}
	if got := r.Extensions(); len(got) != 0 {
		t.Errorf("Extensions() = %v, want none", got)
	}
}

// upgrade426 are the fields a 426 for another version carries: the version
// the server speaks (RFC 6455 §4.2.2) and the protocol to upgrade to, which
// every 426 must name (RFC 9110 §15.5.22, with Connection per §7.8).
var upgrade426 = []core.HeaderField{{"Sec-WebSocket-Version", "13"}, {"Upgrade", "websocket"}, {"Connection", "Upgrade"}}

func TestRejectedRequests(t *testing.T) {
	tests := []struct {
		name   string
		raw    string
		status int
		rule   core.Rule
		header []core.HeaderField // must be among the error's Header
	}{
		{"POST", strings.Replace(rfcRequest, "GET", "POST", 1), 405, core.RuleMethodGet,
			[]core.HeaderField{{"Allow", "GET"}}},
		{"lower-case get", strings.Replace(rfcRequest, "GET", "get", 1), 405, core.RuleMethodGet,
			[]core.HeaderField{{"Allow", "GET"}}},
		{"HTTP/1.0", strings.Replace(rfcRequest, "HTTP/1.1", "HTTP/1.0", 1), 400, core.RuleHTTPVersion, nil},
		{"HTTP/0.9", strings.Replace(rfcRequest, "HTTP/1.1", "HTTP/0.9", 1), 400, core.RuleHTTPVersion, nil},
		{"missing Host", without([]string{"Host"}), 400, core.RuleHost, nil},
		{"two Host headers", without(nil, "Host: other.example.com"), 400, core.RuleHost, nil},
		{"missing Upgrade", without([]string{"Upgrade"}), 400, core.RuleUpgrade, nil},
		{"Upgrade: h2c", without([]string{"Upgrade"}, "Upgrade: h2c"), 400, core.RuleUpgrade, nil},
		{"Upgrade: websockets", without([]string{"Upgrade"}, "Upgrade: websockets"), 400, core.RuleUpgrade, nil},
		{"missing Connection", without([]string{"Connection"}), 400, core.RuleConnection, nil},
		{"Connection without upgrade", without([]string{"Connection"}, "Connection: keep-alive"), 400, core.RuleConnection, nil},
		{"Connection: Upgrades", without([]string{"Connection"}, "Connection: Upgrades"), 400, core.RuleConnection, nil},
		{"missing key", without([]string{"Sec-WebSocket-Key"}), 400, core.RuleKeyPresent, nil},
		{"duplicate key", without(nil, "Sec-WebSocket-Key: "+keyOf(16)), 400, core.RuleKeyPresent, nil},
		{"key of 15 bytes", without([]string{"Sec-WebSocket-Key"}, "Sec-WebSocket-Key: "+keyOf(15)), 400, core.RuleKeyLength, nil},
		{"key of 17 bytes", without([]string{"Sec-WebSocket-Key"}, "Sec-WebSocket-Key: "+keyOf(17)), 400, core.RuleKeyLength, nil},
		{"empty key", without([]string{"Sec-WebSocket-Key"}, "Sec-WebSocket-Key:"), 400, core.RuleKeyLength, nil},
		{"non-base64 key", without([]string{"Sec-WebSocket-Key"}, "Sec-WebSocket-Key: not*base64*at*all!!!!="), 400, core.RuleKeyLength, nil},
		{"key without padding", without([]string{"Sec-WebSocket-Key"}, "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ"), 400, core.RuleKeyLength, nil},
		{"two keys in one field", without([]string{"Sec-WebSocket-Key"}, "Sec-WebSocket-Key: "+rfcKey+", "+keyOf(16)), 400, core.RuleKeyLength, nil},
		{"version 8", without([]string{"Sec-WebSocket-Version"}, "Sec-WebSocket-Version: 8"), 426, core.RuleVersion,
			upgrade426},
		{"missing version", without([]string{"Sec-WebSocket-Version"}), 426, core.RuleVersion,
			upgrade426},
		{"duplicate version", without(nil, "Sec-WebSocket-Version: 13"), 426, core.RuleVersion,
			upgrade426},
		{"version 13, 8 in one field", without([]string{"Sec-WebSocket-Version"}, "Sec-WebSocket-Version: 13, 8"), 426, core.RuleVersion,
			upgrade426},
		{"folded header line", without(nil, "X-Long: first part", "  second part"), 400, core.RuleHeaderFolding, nil},
		{"folded with a tab", without(nil, "X-Long: first part", "\tsecond part"), 400, core.RuleHeaderFolding, nil},
		{"header line without colon", without(nil, "NoColonHere"), 400, core.RuleHeaderLine, nil},
		{"space before the colon", without(nil, "X-Bad : value"), 400, core.RuleHeaderLine, nil},
		{"empty header name", without(nil, ": value"), 400, core.RuleHeaderLine, nil},
		{"bare CR inside the key (RFC 9112 §2.2)", without([]string{"Sec-WebSocket-Key"}, "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25j\rZQ=="),
			400, core.RuleHeaderLine, nil},
		{"bare CR at the end of a value", without(nil, "X-A: b\r"), 400, core.RuleHeaderLine, nil},
		{"NUL in a value (RFC 9110 §5.5)", without(nil, "X-A: b\x00c"), 400, core.RuleHeaderLine, nil},
		{"bare CR in the request line", crlf("GET /chat HTTP/1.1\r", "Host: a"), 400, core.RuleRequestLine, nil},
		{"request line of one word", crlf("GET", "Host: a"), 400, core.RuleRequestLine, nil},
		{"request line without version", crlf("GET /chat", "Host: a"), 400, core.RuleRequestLine, nil},
		{"request line with double space", crlf("GET  /chat HTTP/1.1", "Host: a"), 400, core.RuleRequestLine, nil},
		{"request line with a leading space", crlf(" GET /chat HTTP/1.1", "Host: a"), 400, core.RuleRequestLine, nil},
		{"request line with a trailing word", crlf("GET /chat HTTP/1.1 extra", "Host: a"), 400, core.RuleRequestLine, nil},
		{"request line with a version that is not HTTP", crlf("GET /chat FTP/1.1", "Host: a"), 400, core.RuleRequestLine, nil},
		{"a response instead of a request", crlf("HTTP/1.1 101 Switching Protocols", "Upgrade: websocket"), 400, core.RuleRequestLine, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := parseAndValidate(tt.raw)
			var he *core.HandshakeError
			if !errors.As(err, &he) {
				t.Fatalf("error = %v (%T), want a *core.HandshakeError", err, err)
			}
			if he.Status != tt.status {
				t.Errorf("Status = %d, want %d", he.Status, tt.status)
			}
			if he.Rule != tt.rule {
				t.Errorf("Rule = %+v, want %+v", he.Rule, tt.rule)
			}
			for _, f := range tt.header {
				if !containsField(he.Header, f) {
					t.Errorf("Header = %q, want it to contain %q", he.Header, f)
				}
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.rule.Text) || !strings.Contains(msg, tt.rule.Source()) {
				t.Errorf("Error() = %q, want it to contain the rule %q and its source %q", msg, tt.rule.Text, tt.rule.Source())
			}
		})
	}
}

// parseAndValidate parses raw and validates it, returning the first error.
func parseAndValidate(raw string) error {
	r, err := core.ParseRequest([]byte(raw))
	if err != nil {
		return err
	}
	return r.Validate()
}

func containsField(h []core.HeaderField, f core.HeaderField) bool {
	for _, g := range h {
		if strings.EqualFold(g.Name, f.Name) && g.Value == f.Value {
			return true
		}
	}
	return false
}

func TestRuleSources(t *testing.T) {
	tests := []struct {
		rule core.Rule
		want string
	}{
		{core.RuleKeyLength, "RFC 6455 §4.2.1"},
		{core.RuleMethodGet, "RFC 6455 §4.1"},
		{core.RuleVersion, "RFC 6455 §4.2.2"},
		{core.RuleOrigin, "RFC 6455 §10.2"},
		{core.RuleHeaderFolding, "RFC 9112 §5.2"},
		{core.RuleHeaderTooLarge, "RFC 6585 §5"},
	}
	for _, tt := range tests {
		if got := tt.rule.Source(); got != tt.want {
			t.Errorf("%q.Source() = %q, want %q", tt.rule.Text, got, tt.want)
		}
		if got, want := tt.rule.Cite(), tt.rule.Text+" ("+tt.want+")"; got != want {
			t.Errorf("Cite() = %q, want %q", got, want)
		}
	}
	he := &core.HandshakeError{Status: 400, Rule: core.RuleKeyLength, Detail: "it was short"}
	if got, want := he.Error(), "websocket: handshake: "+core.RuleKeyLength.Text+" (RFC 6455 §4.2.1): it was short"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestRequestHeadTooLarge(t *testing.T) {
	big := without(nil, "X-Filler: "+strings.Repeat("a", 9000))
	tests := []struct {
		name string
		raw  string
		max  int
	}{
		{"over the default limit", big, 0},
		{"over a small limit", rfcRequest, 100},
		{"one byte over the exact size", rfcRequest, len(rfcRequest) - 1},
		{"many small headers", without(nil, strings.Repeat("X-A: b\r\n", 2000)+"X-A: b"), 0},
		{"a head that never ends", "GET / HTTP/1.1\r\n" + strings.Repeat("X-A: b\r\n", 2000), 0},
		{"a line that never ends", "GET /" + strings.Repeat("a", 20000), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := core.ReadRequest(bufio.NewReader(strings.NewReader(tt.raw)), tt.max)
			var he *core.HandshakeError
			if !errors.As(err, &he) {
				t.Fatalf("error = %v, want a *core.HandshakeError", err)
			}
			if he.Status != 431 || he.Rule != core.RuleHeaderTooLarge {
				t.Errorf("got %d %+v, want 431 %+v", he.Status, he.Rule, core.RuleHeaderTooLarge)
			}
		})
	}
	// Exactly at the limit is fine.
	if _, err := core.ReadRequest(bufio.NewReader(strings.NewReader(rfcRequest)), len(rfcRequest)); err != nil {
		t.Errorf("a head of exactly the limit: %v", err)
	}
	// A head larger than the bufio buffer but under the limit is fine.
	long := without(nil, "X-Filler: "+strings.Repeat("a", 6000))
	r, err := core.ReadRequest(bufio.NewReaderSize(strings.NewReader(long), 16), 0)
	if err != nil {
		t.Fatalf("a long line in a small buffer: %v", err)
	}
	if got := r.Header.Get("X-Filler"); got != strings.Repeat("a", 6000) {
		t.Errorf("the long value came back with %d bytes", len(got))
	}
	if err := r.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestReadRequestTruncated(t *testing.T) {
	tests := []struct {
		raw  string
		want error
	}{
		{"", io.EOF},
		{"GET /chat HTTP/1.1\r\nHost: a\r\n", io.ErrUnexpectedEOF},
		{"GET /chat HTTP/1.1\r\nHost: a", io.ErrUnexpectedEOF},
		{"GET /chat", io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		_, err := core.ReadRequest(bufio.NewReader(strings.NewReader(tt.raw)), 0)
		if err != tt.want {
			t.Errorf("ReadRequest(%q) error = %v, want %v", tt.raw, err, tt.want)
		}
	}
}

func TestReadRequestLeavesFollowingBytes(t *testing.T) {
	// A masked text frame "Hello" (RFC 6455 §5.7) sent right after the head.
	frame := "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58"
	for _, size := range []int{16, 64, 4096} {
		br := bufio.NewReaderSize(strings.NewReader(rfcRequest+frame), size)
		if _, err := core.ReadRequest(br, 0); err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		rest, err := io.ReadAll(br)
		if err != nil {
			t.Fatal(err)
		}
		if string(rest) != frame {
			t.Errorf("buffer %d: bytes after the head = %q, want %q", size, rest, frame)
		}
	}
}

func TestReadRequestOneByteAtATime(t *testing.T) {
	for _, raw := range []string{rfcRequest, lf("GET /x HTTP/1.1", "Host: h", "Upgrade: websocket")} {
		want, err := core.ParseRequest([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		tail := "after"
		br := bufio.NewReader(iotest.OneByteReader(strings.NewReader(raw + tail)))
		got, err := core.ReadRequest(br, 0)
		if err != nil {
			t.Fatalf("one byte at a time: %v", err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("one byte at a time = %+v, want %+v", got, want)
		}
		rest, _ := io.ReadAll(br)
		if string(rest) != tail {
			t.Errorf("rest = %q, want %q", rest, tail)
		}
	}
}

func TestParseRequestIgnoresBytesAfterHead(t *testing.T) {
	r, err := core.ParseRequest([]byte(rfcRequest + "\x81\x05Hello"))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Validate(); err != nil {
		t.Error(err)
	}
}

// referenceAccept computes Sec-WebSocket-Accept the way §4.2.2 describes it,
// independently of core.
func referenceAccept(key string) string {
	sum := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	return base64.StdEncoding.EncodeToString(sum[:])
}

func TestAccept(t *testing.T) {
	tests := []struct{ key, want string }{
		// RFC 6455 §1.3 and §4.2.2.
		{rfcKey, rfcAccept},
		// The example in the Wikipedia article on WebSocket.
		{"x3JJHMbDL1EzLkh9GBhXDw==", "HSmrc0sMlYUkAGmm5OPpG2HaGWk="},
	}
	for _, tt := range tests {
		if got := core.Accept(tt.key); got != tt.want {
			t.Errorf("Accept(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
	// §4.2.2 item 5.4 gives the SHA-1 digest of the sample too.
	digest := []byte{0xb3, 0x7a, 0x4f, 0x2c, 0xc0, 0x62, 0x4f, 0x16, 0x90, 0xf6,
		0x46, 0x06, 0xcf, 0x38, 0x59, 0x45, 0xb2, 0xbe, 0xc4, 0xea}
	if got := base64.StdEncoding.EncodeToString(digest); got != core.Accept(rfcKey) {
		t.Errorf("base64 of the §4.2.2 digest = %q, Accept = %q", got, core.Accept(rfcKey))
	}
	if core.GUID != "258EAFA5-E914-47DA-95CA-C5AB0DC85B11" {
		t.Errorf("GUID = %q", core.GUID)
	}
}

func TestAcceptMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 1000; i++ {
		b := make([]byte, 16)
		for j := range b {
			b[j] = byte(rng.Uint32())
		}
		key := base64.StdEncoding.EncodeToString(b)
		if got, want := core.Accept(key), referenceAccept(key); got != want {
			t.Fatalf("Accept(%q) = %q, want %q", key, got, want)
		}
		if err := core.CheckKey(key); err != nil {
			t.Fatalf("CheckKey(%q) = %v", key, err)
		}
	}
	// Accept hashes any text, valid key or not.
	for _, key := range []string{"", "short", strings.Repeat("x", 200), "ключ"} {
		if got, want := core.Accept(key), referenceAccept(key); got != want {
			t.Errorf("Accept(%q) = %q, want %q", key, got, want)
		}
	}
}

func TestCheckKey(t *testing.T) {
	for n := 0; n <= 40; n++ {
		err := core.CheckKey(keyOf(n))
		if (err == nil) != (n == 16) {
			t.Errorf("CheckKey(key of %d bytes) = %v", n, err)
		}
		var he *core.HandshakeError
		if err != nil && (!errors.As(err, &he) || he.Status != 400 || he.Rule != core.RuleKeyLength ||
			!strings.Contains(he.Detail, strconv.Itoa(n)+" bytes")) {
			t.Errorf("CheckKey(key of %d bytes) = %#v", n, err)
		}
	}
}

func TestHeaders(t *testing.T) {
	h := core.Headers{
		{"Host", "a"},
		{"connection", "keep-alive, Upgrade"},
		{"X-Multi", "one"},
		{"CONNECTION", " ,close,, "},
		{"x-multi", "two"},
		{"Empty", ""},
	}
	tests := []struct {
		name   string
		get    string
		values []string
		tokens []string
	}{
		{"Connection", "keep-alive, Upgrade", []string{"keep-alive, Upgrade", " ,close,, "}, []string{"keep-alive", "Upgrade", "close"}},
		{"x-MULTI", "one", []string{"one", "two"}, []string{"one", "two"}},
		{"host", "a", []string{"a"}, []string{"a"}},
		{"Empty", "", []string{""}, nil},
		{"Missing", "", nil, nil},
	}
	for _, tt := range tests {
		if got := h.Get(tt.name); got != tt.get {
			t.Errorf("Get(%q) = %q, want %q", tt.name, got, tt.get)
		}
		if got := h.Values(tt.name); !reflect.DeepEqual(got, tt.values) {
			t.Errorf("Values(%q) = %q, want %q", tt.name, got, tt.values)
		}
		if got := h.Tokens(tt.name); !reflect.DeepEqual(got, tt.tokens) {
			t.Errorf("Tokens(%q) = %q, want %q", tt.name, got, tt.tokens)
		}
	}
	hasToken := []struct {
		name, token string
		want        bool
	}{
		{"Connection", "upgrade", true},
		{"connection", "UPGRADE", true},
		{"Connection", "close", true},
		{"Connection", "keep", false},
		{"Connection", "keep-alive, Upgrade", false},
		{"X-Multi", "two", true},
		{"Missing", "x", false},
		{"Empty", "", false},
	}
	for _, tt := range hasToken {
		if got := h.HasToken(tt.name, tt.token); got != tt.want {
			t.Errorf("HasToken(%q, %q) = %v, want %v", tt.name, tt.token, got, tt.want)
		}
	}
}

func TestParseExtensions(t *testing.T) {
	type P = core.HeaderField
	tests := []struct {
		name   string
		values []string
		want   []core.Extension
	}{
		{"none", nil, nil},
		{"empty", []string{""}, nil},
		{"plain", []string{"permessage-deflate"}, []core.Extension{{Name: "permessage-deflate"}}},
		{"Chrome's offer", []string{"permessage-deflate; client_max_window_bits"},
			[]core.Extension{{Name: "permessage-deflate", Params: []P{{"client_max_window_bits", ""}}}}},
		{"params with values", []string{"permessage-deflate; server_max_window_bits=10; client_no_context_takeover"},
			[]core.Extension{{Name: "permessage-deflate", Params: []P{{"server_max_window_bits", "10"}, {"client_no_context_takeover", ""}}}}},
		{"quoted value (RFC 6455 §9.1)", []string{`permessage-deflate; client_max_window_bits="15"`},
			[]core.Extension{{Name: "permessage-deflate", Params: []P{{"client_max_window_bits", "15"}}}}},
		{"spaces around = and ;", []string{"foo ;  bar = 1 ;baz"},
			[]core.Extension{{Name: "foo", Params: []P{{"bar", "1"}, {"baz", ""}}}}},
		{"two in one header, in order", []string{"permessage-deflate; client_max_window_bits, x-webkit-deflate-frame"},
			[]core.Extension{{Name: "permessage-deflate", Params: []P{{"client_max_window_bits", ""}}}, {Name: "x-webkit-deflate-frame"}}},
		{"multiple headers (RFC 6455 §9.1)", []string{"foo", "bar; baz=2"},
			[]core.Extension{{Name: "foo"}, {Name: "bar", Params: []P{{"baz", "2"}}}}},
		{"empty elements skipped", []string{" , foo,, ; x"}, []core.Extension{{Name: "foo"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := core.ParseExtensions(tt.values)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseExtensions(%q) = %+v, want %+v", tt.values, got, tt.want)
			}
		})
	}
	// String writes an extension back in header syntax that parses to the same.
	e := core.Extension{Name: "permessage-deflate", Params: []P{{"server_max_window_bits", "10"}, {"client_no_context_takeover", ""}}}
	if got, want := e.String(), "permessage-deflate; server_max_window_bits=10; client_no_context_takeover"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	// Request.Extensions reads every Sec-WebSocket-Extensions header.
	r, err := core.ParseRequest([]byte(without(nil, "Sec-WebSocket-Extensions: foo", "sec-websocket-extensions: bar; baz=2")))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.Extensions(), tests[8].want; !reflect.DeepEqual(got, want) {
		t.Errorf("Request.Extensions() = %+v, want %+v", got, want)
	}
}

func TestSelectProtocol(t *testing.T) {
	tests := []struct {
		offered, supported []string
		want               string
	}{
		{[]string{"chat", "superchat"}, []string{"superchat", "chat"}, "chat"},
		{[]string{"superchat", "chat"}, []string{"chat", "superchat"}, "superchat"},
		{[]string{"a", "b", "c"}, []string{"c", "b"}, "b"},
		{[]string{"chat"}, []string{"other"}, ""},
		{nil, []string{"chat"}, ""},
		{[]string{"chat"}, nil, ""},
		{nil, nil, ""},
	}
	for _, tt := range tests {
		if got := core.SelectProtocol(tt.offered, tt.supported); got != tt.want {
			t.Errorf("SelectProtocol(%q, %q) = %q, want %q", tt.offered, tt.supported, got, tt.want)
		}
	}
}

func TestAppendResponse(t *testing.T) {
	type P = core.HeaderField
	r, err := core.ParseRequest([]byte(without(nil,
		"Sec-WebSocket-Protocol: chat, superchat",
		"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits, foo")))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	var offers []core.Extension
	tests := []struct {
		name       string
		opts       core.ResponseOptions
		protocol   string
		extensions string
		extra      []P
	}{
		{"RFC §1.3: chat chosen", core.ResponseOptions{Protocols: []string{"chat"}}, "chat", "", nil},
		{"no protocol, no extensions", core.ResponseOptions{}, "", "", nil},
		{"protocol not supported", core.ResponseOptions{Protocols: []string{"mqtt"}}, "", "", nil},
		{"extension accepted, extra headers", core.ResponseOptions{
			Protocols: []string{"superchat", "chat"},
			Extensions: func(o []core.Extension) []core.Extension {
				offers = o
				return []core.Extension{{Name: "permessage-deflate", Params: []P{{"server_max_window_bits", "10"}}}}
			},
			Header: core.Headers{{"Set-Cookie", "a=b"}, {"X-Server", "wsplay"}},
		}, "chat", "permessage-deflate; server_max_window_bits=10", []P{{"Set-Cookie", "a=b"}, {"X-Server", "wsplay"}}},
		{"extension hook accepts none", core.ResponseOptions{
			Extensions: func([]core.Extension) []core.Extension { return nil },
		}, "", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := r.NewResponse(tt.opts)
			frame := "\x81\x05Hello"
			raw := resp.AppendResponse([]byte("prefix"))
			if !strings.HasPrefix(string(raw), "prefix") {
				t.Fatalf("AppendResponse did not append: %q", raw)
			}
			raw = raw[len("prefix"):]
			if !strings.HasPrefix(string(raw), "HTTP/1.1 101 Switching Protocols\r\n") {
				t.Errorf("status line: %q", raw)
			}
			if !strings.HasSuffix(string(raw), "\r\n\r\n") || strings.Count(string(raw), "\r\n\r\n") != 1 {
				t.Errorf("the head must end with one empty line: %q", raw)
			}
			if strings.Count(string(raw), "\n") != strings.Count(string(raw), "\r\n") {
				t.Errorf("every line must end with CRLF: %q", raw)
			}
			br := bufio.NewReader(strings.NewReader(string(raw) + frame))
			sr, err := core.ReadResponse(br, 0)
			if err != nil {
				t.Fatalf("ReadResponse: %v", err)
			}
			if sr.Proto != "HTTP/1.1" || sr.Status != 101 || sr.Reason != "Switching Protocols" {
				t.Errorf("status line = %q %d %q", sr.Proto, sr.Status, sr.Reason)
			}
			want := core.Headers{{"Upgrade", "websocket"}, {"Connection", "Upgrade"}, {"Sec-WebSocket-Accept", rfcAccept}}
			if tt.protocol != "" {
				want = append(want, P{"Sec-WebSocket-Protocol", tt.protocol})
			}
			if tt.extensions != "" {
				want = append(want, P{"Sec-WebSocket-Extensions", tt.extensions})
			}
			want = append(want, tt.extra...)
			if !reflect.DeepEqual(sr.Header, want) {
				t.Errorf("header = %q, want %q", sr.Header, want)
			}
			rest, _ := io.ReadAll(br)
			if string(rest) != frame {
				t.Errorf("bytes after the response = %q", rest)
			}
			// A client that offered what the request offered accepts it.
			cr := &core.ClientRequest{Key: rfcKey, Protocols: []string{"chat", "superchat"},
				Extensions: []core.Extension{{Name: "permessage-deflate"}, {Name: "foo"}}}
			if err := sr.Verify(cr); err != nil {
				t.Errorf("Verify: %v", err)
			}
		})
	}
	wantOffers := []core.Extension{{Name: "permessage-deflate", Params: []P{{"client_max_window_bits", ""}}}, {Name: "foo"}}
	if !reflect.DeepEqual(offers, wantOffers) {
		t.Errorf("the extension hook got %+v, want %+v", offers, wantOffers)
	}
}

// TestAppendResponseRFCText checks the response of RFC 6455 §1.3 byte for
// byte: the RFC prints it.
func TestAppendResponseRFCText(t *testing.T) {
	resp := &core.Response{Accept: core.Accept(rfcKey), Protocol: "chat"}
	want := "HTTP/1.1 101 Switching Protocols\r\n" +
		"Upgrade: websocket\r\n" +
		"Connection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n" +
		"Sec-WebSocket-Protocol: chat\r\n" +
		"\r\n"
	if got := string(resp.AppendResponse(nil)); got != want {
		t.Errorf("AppendResponse =\n%q\nwant the RFC's\n%q", got, want)
	}
}

// TestAppendErrorResponse parses the refusal back with core's own response
// reader (the WebAssembly build has no net/http; upgrade_test.go checks it
// with net/http too).
func TestAppendErrorResponse(t *testing.T) {
	tests := []struct {
		raw    string
		status int
		reason string // RFC 9110 §15 reason phrases
		fields []core.HeaderField
	}{
		{strings.Replace(rfcRequest, "GET", "POST", 1), 405, "Method Not Allowed", []core.HeaderField{{"Allow", "GET"}}},
		{without([]string{"Sec-WebSocket-Version"}, "Sec-WebSocket-Version: 8"), 426, "Upgrade Required", upgrade426},
		{without([]string{"Sec-WebSocket-Key"}), 400, "Bad Request", nil},
		{without(nil, "X-Filler: "+strings.Repeat("a", 9000)), 431, "Request Header Fields Too Large", nil},
	}
	for _, tt := range tests {
		_, err := core.ReadRequest(bufio.NewReader(strings.NewReader(tt.raw)), 0)
		if err == nil {
			err = parseAndValidate(tt.raw)
		}
		var he *core.HandshakeError
		if !errors.As(err, &he) {
			t.Fatalf("no HandshakeError: %v", err)
		}
		out := he.AppendErrorResponse([]byte("x"))[1:]
		br := bufio.NewReader(strings.NewReader(string(out)))
		resp, err := core.ReadResponse(br, 0)
		if err != nil {
			t.Fatalf("ReadResponse(%q): %v", out, err)
		}
		if resp.Proto != "HTTP/1.1" || resp.Status != tt.status || resp.Reason != tt.reason {
			t.Errorf("status line = %s %d %s, want HTTP/1.1 %d %s", resp.Proto, resp.Status, resp.Reason, tt.status, tt.reason)
		}
		for _, f := range tt.fields {
			if !containsField(resp.Header, f) {
				t.Errorf("%d: header = %q, want it to contain %q", tt.status, resp.Header, f)
			}
		}
		if got := resp.Header.Get("Content-Type"); got != "text/plain; charset=utf-8" {
			t.Errorf("Content-Type = %q", got)
		}
		if !resp.Header.HasToken("Connection", "close") {
			t.Errorf("the refusal does not close the connection: %q", resp.Header)
		}
		body, _ := io.ReadAll(br)
		if n, err := strconv.Atoi(resp.Header.Get("Content-Length")); err != nil || n != len(body) {
			t.Errorf("Content-Length = %q, body has %d bytes", resp.Header.Get("Content-Length"), len(body))
		}
		if !strings.Contains(string(body), he.Rule.Text) || !strings.Contains(string(body), he.Rule.Source()) {
			t.Errorf("body = %q, want it to name the rule %q", body, he.Rule.Cite())
		}
		if strings.Count(string(out[:len(out)-len(body)]), "\n") != strings.Count(string(out[:len(out)-len(body)]), "\r\n") {
			t.Errorf("the head's lines must end with CRLF: %q", out)
		}
	}
}

// TestHeaderValuesCannotInject: a value with a line break, e.g. from a URL a
// learner typed, never becomes a header line of its own.
func TestHeaderValuesCannotInject(t *testing.T) {
	req := &core.ClientRequest{Host: "example.com\r\nX-Injected: yes", Origin: "http://a\nX-Also: yes", Key: "dGhlIHNhbXBsZSBub25jZQ=="}
	parsed, err := core.ParseRequest(req.AppendRequest(nil))
	if err != nil {
		t.Fatal(err)
	}
	if parsed.Header.Get("X-Injected") != "" || parsed.Header.Get("X-Also") != "" {
		t.Fatalf("a value injected a header: %v", parsed.Header)
	}
	if got := parsed.Header.Get("Host"); got != "example.com  X-Injected: yes" {
		t.Errorf("Host = %q, want the line breaks written as spaces", got)
	}
}
