package core

// The opening handshake, RFC 6455 §4: the WebSocket rules a client's
// request must follow (§4.1, §4.2.1), the choice of subprotocol and
// extensions (§4.2.2, §9), and the server's answer. The HTTP syntax is in
// httphead.go, the Accept computation in accept.go, the client's side in
// client.go, and net/http's entry point in upgrade.go.

import (
	"bufio"
	"strconv"
	"strings"
)

// Version is the only value of Sec-WebSocket-Version that RFC 6455 defines
// (§4.1, §11.6).
const Version = "13"

// Request is a client's opening handshake as it was received: the request
// line and the header fields in their order and spelling.
type Request struct {
	Method string // "GET"
	Target string // the request-target, e.g. "/ws/echo?x=1"
	Proto  string // "HTTP/1.1"
	Header Headers
}

// ReadRequest reads a request line and header fields up to the empty line,
// keeping their order and spelling. It reads at most maxBytes bytes of head
// (DefaultMaxHeaderBytes when maxBytes <= 0) and leaves the rest of br
// untouched, so frames sent right after the handshake are not lost. It checks
// HTTP syntax only; call Validate for the WebSocket rules.
func ReadRequest(br *bufio.Reader, maxBytes int) (*Request, error) {
	lines, err := readHead(br, maxBytes)
	if err != nil {
		return nil, err
	}
	method, rest, ok1 := strings.Cut(lines[0], " ")
	target, proto, ok2 := strings.Cut(rest, " ")
	// The version is the last of exactly three words: without the check on
	// spaces, "GET / HTTP/1.1 extra" passed as version "HTTP/1.1 extra" and
	// was refused for the wrong rule (RuleHTTPVersion). A bare CR or a NUL
	// makes the line invalid too (RFC 9112 §2.2).
	if !ok1 || !ok2 || method == "" || target == "" || !strings.HasPrefix(proto, "HTTP/") || strings.Contains(proto, " ") ||
		strings.ContainsAny(lines[0], "\r\x00") {
		return nil, &HandshakeError{Status: 400, Rule: RuleRequestLine, Detail: "the request line was " + strconv.Quote(lines[0])}
	}
	header, err := parseHeaderLines(lines[1:])
	if err != nil {
		return nil, err
	}
	return &Request{Method: method, Target: target, Proto: proto, Header: header}, nil
}

// ParseRequest parses a whole request head from raw bytes, as the page and
// the lessons have it. Bytes after the empty line are ignored.
func ParseRequest(raw []byte) (*Request, error) {
	return ReadRequest(bufio.NewReader(strings.NewReader(string(raw))), len(raw)+1)
}

// Validate checks the request against the server's side of the opening
// handshake, RFC 6455 §4.2.1, and returns the first rule it breaks as a
// *HandshakeError with the status to answer: 405 for a method other than
// GET, 426 (with Sec-WebSocket-Version: 13) for another protocol version,
// 400 for the rest.
func (r *Request) Validate() error {
	if r.Method != "GET" {
		return &HandshakeError{Status: 405, Rule: RuleMethodGet, Detail: "the method was " + strconv.Quote(r.Method),
			Header: []HeaderField{{"Allow", "GET"}}}
	}
	if !protoAtLeast11(r.Proto) {
		return &HandshakeError{Status: 400, Rule: RuleHTTPVersion, Detail: "the version was " + strconv.Quote(r.Proto)}
	}
	if len(r.Header.Values("Host")) != 1 {
		return &HandshakeError{Status: 400, Rule: RuleHost}
	}
	// A body would be read as frames by this server, but skipped by a
	// proxy in front of it: the two would disagree on where the frames
	// start (request smuggling).
	if cl := r.Header.Values("Content-Length"); r.Header.Get("Transfer-Encoding") != "" || len(cl) > 1 || (len(cl) == 1 && strings.TrimSpace(cl[0]) != "0") {
		var present []string
		for _, name := range []string{"Content-Length", "Transfer-Encoding"} {
			if len(r.Header.Values(name)) > 0 {
				present = append(present, describeField(r.Header, name))
			}
		}
		return &HandshakeError{Status: 400, Rule: RuleNoBody, Detail: strings.Join(present, " and ")}
	}
	if !r.Header.HasToken("Upgrade", "websocket") {
		return &HandshakeError{Status: 400, Rule: RuleUpgrade, Detail: describeField(r.Header, "Upgrade"),
			Header: []HeaderField{{"Upgrade", "websocket"}, {"Connection", "Upgrade"}}}
	}
	if !r.Header.HasToken("Connection", "upgrade") {
		return &HandshakeError{Status: 400, Rule: RuleConnection, Detail: describeField(r.Header, "Connection")}
	}
	keys := r.Header.Values("Sec-WebSocket-Key")
	if len(keys) != 1 {
		return &HandshakeError{Status: 400, Rule: RuleKeyPresent, Detail: "it appeared " + strconv.Itoa(len(keys)) + " times"}
	}
	if err := CheckKey(keys[0]); err != nil {
		return err
	}
	if versions := r.Header.Values("Sec-WebSocket-Version"); len(versions) != 1 || versions[0] != Version {
		// A 426 response must carry an Upgrade field naming the protocol
		// to switch to (RFC 9110 §15.5.22), and a sender of Upgrade must
		// list it in Connection (RFC 9110 §7.8); the version alone left
		// the 426 incomplete.
		return &HandshakeError{Status: 426, Rule: RuleVersion, Detail: describeField(r.Header, "Sec-WebSocket-Version"),
			Header: []HeaderField{{"Sec-WebSocket-Version", Version}, {"Upgrade", "websocket"}, {"Connection", "Upgrade"}}}
	}
	return nil
}

// describeField says what a header field held, for error details.
func describeField(h Headers, name string) string {
	vs := h.Values(name)
	if len(vs) == 0 {
		return "there was no " + name + " header"
	}
	return name + " was " + strconv.Quote(strings.Join(vs, ", "))
}

// Key returns the request's Sec-WebSocket-Key.
func (r *Request) Key() string { return r.Header.Get("Sec-WebSocket-Key") }

// Protocols returns the subprotocols the client offered in
// Sec-WebSocket-Protocol, in the client's order of preference (§4.1 item 10).
func (r *Request) Protocols() []string { return r.Header.Tokens("Sec-WebSocket-Protocol") }

// Extensions returns the extensions the client offered in
// Sec-WebSocket-Extensions (§9.1), in order.
func (r *Request) Extensions() []Extension {
	return ParseExtensions(r.Header.Values("Sec-WebSocket-Extensions"))
}

// Extension is one offer or answer of Sec-WebSocket-Extensions (§9.1): a name
// and its parameters, e.g. permessage-deflate; client_max_window_bits.
type Extension struct {
	Name   string
	Params []HeaderField // a parameter without a value has Value ""
}

// String writes the extension back in header syntax.
func (e Extension) String() string {
	s := e.Name
	for _, p := range e.Params {
		s += "; " + p.Name
		if p.Value != "" {
			s += "=" + p.Value
		}
	}
	return s
}

// ParseExtensions parses Sec-WebSocket-Extensions values. Quoted parameter
// values are unquoted; elements without a name are skipped.
func ParseExtensions(values []string) []Extension {
	var exts []Extension
	for _, v := range values {
		for _, item := range strings.Split(v, ",") {
			parts := strings.Split(item, ";")
			e := Extension{Name: strings.TrimSpace(parts[0])}
			if e.Name == "" {
				continue
			}
			for _, p := range parts[1:] {
				name, value, _ := strings.Cut(p, "=")
				value = strings.Trim(strings.TrimSpace(value), `"`)
				e.Params = append(e.Params, HeaderField{Name: strings.TrimSpace(name), Value: value})
			}
			exts = append(exts, e)
		}
	}
	return exts
}

// SelectProtocol returns the first subprotocol in the client's offer that the
// server supports, or "" when there is none, in which case the response has
// no Sec-WebSocket-Protocol header (§4.2.2 item 5.5). The client's list is in
// its order of preference, so its order wins.
func SelectProtocol(offered, supported []string) string {
	for _, o := range offered {
		for _, s := range supported {
			if o == s {
				return o
			}
		}
	}
	return ""
}

// Response is what a server answers a valid opening handshake with.
type Response struct {
	// Accept is the Sec-WebSocket-Accept value.
	Accept string
	// Protocol is the chosen subprotocol, "" for none.
	Protocol string
	// Extensions are the accepted extensions, none unless an extension
	// hook accepted some. wsplay implements no extension yet, so RSV bits
	// stay reserved whatever the client offers.
	Extensions []Extension
	// Header holds further fields to send, e.g. Set-Cookie.
	Header Headers
}

// ResponseOptions says how a server answers a valid request.
type ResponseOptions struct {
	// Protocols lists the subprotocols the server supports.
	Protocols []string
	// Extensions, when set, receives the client's offers and returns the
	// ones the server accepts, with their answer parameters. Nil accepts
	// none, which is always a correct answer (§9.1).
	Extensions func(offers []Extension) []Extension
	// Header holds further fields to send.
	Header Headers
}

// NewResponse builds the response to a request that passed Validate.
func (r *Request) NewResponse(opts ResponseOptions) *Response {
	resp := &Response{
		Accept:   Accept(r.Key()),
		Protocol: SelectProtocol(r.Protocols(), opts.Protocols),
		Header:   opts.Header,
	}
	if opts.Extensions != nil {
		resp.Extensions = opts.Extensions(r.Extensions())
	}
	return resp
}

// AppendResponse appends the 101 Switching Protocols response head, ending
// with the empty line, to dst (§4.2.2 item 5).
func (resp *Response) AppendResponse(dst []byte) []byte {
	dst = append(dst, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "...)
	dst = append(dst, resp.Accept...)
	dst = append(dst, "\r\n"...)
	if resp.Protocol != "" {
		dst = appendField(dst, "Sec-WebSocket-Protocol", resp.Protocol)
	}
	if len(resp.Extensions) > 0 {
		var exts []string
		for _, e := range resp.Extensions {
			exts = append(exts, e.String())
		}
		dst = appendField(dst, "Sec-WebSocket-Extensions", strings.Join(exts, ", "))
	}
	for _, f := range resp.Header {
		dst = appendField(dst, f.Name, f.Value)
	}
	return append(dst, "\r\n"...)
}

// AppendErrorResponse appends the HTTP response for a refused handshake: the
// status, the header fields the rule calls for and a plain-text body that
// names the rule, so a learner reading the raw response sees why.
func (e *HandshakeError) AppendErrorResponse(dst []byte) []byte {
	body := e.Error() + "\n"
	dst = append(dst, "HTTP/1.1 "...)
	dst = strconv.AppendInt(dst, int64(e.Status), 10)
	dst = append(dst, ' ')
	dst = append(dst, statusText(e.Status)...)
	dst = append(dst, "\r\n"...)
	for _, f := range e.Header {
		dst = appendField(dst, f.Name, f.Value)
	}
	dst = appendField(dst, "Content-Type", "text/plain; charset=utf-8")
	dst = appendField(dst, "Content-Length", strconv.Itoa(len(body)))
	dst = appendField(dst, "Connection", "close")
	dst = append(dst, "\r\n"...)
	return append(dst, body...)
}
