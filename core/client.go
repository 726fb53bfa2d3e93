package core

import (
	"bufio"
	"encoding/base64"
	"io"
	"strconv"
	"strings"
)

// NewKey returns a fresh Sec-WebSocket-Key: 16 random bytes in base64
// (§4.1 item 7). The randomness comes from crypto/rand (see fillRandom),
// because the key must be unpredictable for the Accept proof to mean
// anything.
func NewKey() string {
	var b [16]byte
	fillRandom(b[:])
	return base64.StdEncoding.EncodeToString(b[:])
}

// ClientRequest describes a client's opening handshake (§4.1).
type ClientRequest struct {
	// Host is the value of the Host header, e.g. "127.0.0.1:8080".
	Host string
	// Target is the request-target, e.g. "/ws/echo". Empty means "/".
	Target string
	// Key is the Sec-WebSocket-Key; empty means a fresh one from NewKey.
	Key string
	// Origin, when not empty, is sent as the Origin header. Browsers
	// always send it; other clients may (§4.1 item 8).
	Origin string
	// Protocols are the subprotocols offered, most wanted first.
	Protocols []string
	// Extensions are the extensions offered.
	Extensions []Extension
	// Header holds further fields to send.
	Header Headers
}

// AppendRequest appends the request head, ending with the empty line, to
// dst. It fills in r.Key when empty, so the caller can verify the answer.
func (r *ClientRequest) AppendRequest(dst []byte) []byte {
	if r.Key == "" {
		r.Key = NewKey()
	}
	target := r.Target
	if target == "" {
		target = "/"
	}
	dst = append(dst, "GET "...)
	dst = append(dst, target...)
	dst = append(dst, " HTTP/1.1\r\n"...)
	dst = appendField(dst, "Host", r.Host)
	dst = appendField(dst, "Upgrade", "websocket")
	dst = appendField(dst, "Connection", "Upgrade")
	dst = appendField(dst, "Sec-WebSocket-Key", r.Key)
	dst = appendField(dst, "Sec-WebSocket-Version", Version)
	if r.Origin != "" {
		dst = appendField(dst, "Origin", r.Origin)
	}
	if len(r.Protocols) > 0 {
		dst = appendField(dst, "Sec-WebSocket-Protocol", strings.Join(r.Protocols, ", "))
	}
	for _, e := range r.Extensions {
		dst = appendField(dst, "Sec-WebSocket-Extensions", e.String())
	}
	for _, f := range r.Header {
		dst = appendField(dst, f.Name, f.Value)
	}
	return append(dst, "\r\n"...)
}

// ServerResponse is a server's answer to the opening handshake as received:
// the status line and the header fields in order.
type ServerResponse struct {
	Proto  string // "HTTP/1.1"
	Status int    // 101 when the server accepted
	Reason string // "Switching Protocols"
	Header Headers
}

// ReadResponse reads a status line and header fields up to the empty line,
// at most maxBytes of them (DefaultMaxHeaderBytes when maxBytes <= 0). The
// bytes after the head stay in br: they are the server's first frames. Call
// Verify to check the answer.
func ReadResponse(br *bufio.Reader, maxBytes int) (*ServerResponse, error) {
	lines, err := readHead(br, maxBytes)
	if err != nil {
		return nil, err
	}
	proto, rest, ok1 := strings.Cut(lines[0], " ")
	codeS, reason, _ := strings.Cut(rest, " ")
	code, err := strconv.Atoi(codeS)
	if !ok1 || len(codeS) != 3 || strings.Trim(codeS, "0123456789") != "" || err != nil || !strings.HasPrefix(proto, "HTTP/") {
		return nil, &HandshakeError{Rule: RuleStatusLine, Detail: "the status line was " + strconv.Quote(lines[0])}
	}
	header, err := parseHeaderLines(lines[1:])
	if err != nil {
		return nil, err
	}
	return &ServerResponse{Proto: proto, Status: code, Reason: reason, Header: header}, nil
}

// Verify checks the server's answer to req, whose Key must be the one that
// was sent: status 101, Upgrade, Connection, the Accept value, and that any
// subprotocol and extensions were among those offered (§4.1, client
// requirements after the handshake is sent). The error is a *HandshakeError
// naming the first rule broken; its Status is the one the server sent.
func (resp *ServerResponse) Verify(req *ClientRequest) error {
	fail := func(r Rule, detail string) error {
		return &HandshakeError{Status: resp.Status, Rule: r, Detail: detail}
	}
	if resp.Status != 101 {
		return fail(RuleStatus101, "the status was "+strconv.Itoa(resp.Status)+" "+resp.Reason)
	}
	if !strings.EqualFold(strings.TrimSpace(resp.Header.Get("Upgrade")), "websocket") {
		return fail(RuleResponseUpgrade, describeField(resp.Header, "Upgrade"))
	}
	if !resp.Header.HasToken("Connection", "upgrade") {
		return fail(RuleResponseConnection, describeField(resp.Header, "Connection"))
	}
	want := Accept(req.Key)
	if got := resp.Header.Values("Sec-WebSocket-Accept"); len(got) != 1 || got[0] != want {
		return fail(RuleAcceptValue, describeField(resp.Header, "Sec-WebSocket-Accept")+", expected "+strconv.Quote(want))
	}
	// Every Sec-WebSocket-Protocol field is checked, not just the first:
	// the server chooses a single value (§4.2.2 item 5.5), and a second
	// field naming a protocol never offered used to pass unnoticed.
	if ps := resp.Header.Values("Sec-WebSocket-Protocol"); len(ps) > 1 {
		return fail(RuleResponseProtocol, describeField(resp.Header, "Sec-WebSocket-Protocol"))
	} else if len(ps) == 1 && ps[0] != "" && SelectProtocol(ps, req.Protocols) == "" {
		return fail(RuleResponseProtocol, "the server chose "+strconv.Quote(ps[0]))
	}
	for _, e := range ParseExtensions(resp.Header.Values("Sec-WebSocket-Extensions")) {
		offered := false
		for _, o := range req.Extensions {
			offered = offered || o.Name == e.Name
		}
		if !offered {
			return fail(RuleResponseExtension, "the server accepted "+strconv.Quote(e.Name))
		}
	}
	// An accepted permessage-deflate must fit an offer (RFC 7692 §7.1).
	if _, err := resp.Deflate(req); err != nil {
		return err
	}
	return nil
}

// Handshake runs the client side of the opening handshake on rw: it writes
// req, reads the answer and verifies it. It returns the answer and the reader
// that holds any bytes the server sent after it, to be passed to NewConn.
func Handshake(rw io.ReadWriter, req *ClientRequest) (*ServerResponse, *bufio.Reader, error) {
	if _, err := rw.Write(req.AppendRequest(nil)); err != nil {
		return nil, nil, err
	}
	br := bufio.NewReader(rw)
	resp, err := ReadResponse(br, 0)
	if err != nil {
		return nil, nil, err
	}
	if err := resp.Verify(req); err != nil {
		return resp, nil, err
	}
	return resp, br, nil
}
