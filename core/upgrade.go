//go:build !js

package core

import (
	"net/http"
	"sort"
	"strings"
	"time"
)

// This file connects the handshake to net/http for the native server. It is
// left out of the WebAssembly build, which has no HTTP server and is smaller
// without net/http.

// FromHTTP converts a request that net/http parsed into a Request, so the
// same Validate applies to it. net/http keeps neither the order nor the
// spelling of header names: the fields come back with Host first, then in
// alphabetical order, in canonical spelling.
func FromHTTP(r *http.Request) *Request {
	req := &Request{Method: r.Method, Target: r.RequestURI, Proto: r.Proto}
	if r.Host != "" {
		req.Header = append(req.Header, HeaderField{Name: "Host", Value: r.Host})
	}
	names := make([]string, 0, len(r.Header))
	for name := range r.Header {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, v := range r.Header[name] {
			req.Header = append(req.Header, HeaderField{Name: name, Value: v})
		}
	}
	// net/http moves Transfer-Encoding out of the header; Validate
	// needs to see it (a handshake must not have a body).
	if len(r.TransferEncoding) > 0 && r.Header.Get("Transfer-Encoding") == "" {
		req.Header = append(req.Header, HeaderField{Name: "Transfer-Encoding", Value: strings.Join(r.TransferEncoding, ", ")})
	}
	return req
}

// UpgradeOptions configures Upgrade.
type UpgradeOptions struct {
	ResponseOptions
	// Config configures the connection.
	Config Config
	// CheckOrigin, when set, decides whether the request's origin is
	// allowed; a non-nil error refuses the handshake. Return a
	// *HandshakeError to choose the status (403 is the usual one);
	// any other error is answered with 403 and RuleOrigin.
	CheckOrigin func(r *Request) error
	// Deflate, when not nil, negotiates permessage-deflate (RFC 7692)
	// with this policy: NegotiateDeflate chooses among the client's
	// offers, its answer joins the response's extensions and the
	// agreement goes to Config.Deflate. Nil declines every offer.
	Deflate *DeflateOptions
}

// Upgrade runs the server side of the opening handshake on an HTTP request:
// it validates the request (§4.2.1), checks the origin, takes over the TCP
// connection through http.Hijacker and writes the 101 response (§4.2.2).
// When the request is refused, Upgrade has already answered it with the
// status, the header fields and a plain-text body naming the rule, and it
// returns the *HandshakeError.
func Upgrade(w http.ResponseWriter, r *http.Request, opts UpgradeOptions) (*Conn, *Request, error) {
	req := FromHTTP(r)
	err := req.Validate()
	if err == nil && opts.CheckOrigin != nil {
		if err = opts.CheckOrigin(req); err != nil {
			if _, ok := err.(*HandshakeError); !ok {
				err = &HandshakeError{Status: http.StatusForbidden, Rule: RuleOrigin, Detail: err.Error()}
			}
		}
	}
	if err != nil {
		if he, ok := err.(*HandshakeError); ok {
			refuse(w, he)
		}
		return nil, req, err
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		he := &HandshakeError{Status: http.StatusInternalServerError, Rule: RuleHijacker}
		refuse(w, he)
		return nil, req, he
	}
	netConn, brw, err := hj.Hijack()
	if err != nil {
		return nil, req, err
	}
	// net/http may have left its own deadlines on the connection; from
	// now on the WebSocket code owns them.
	netConn.SetDeadline(time.Time{})
	resp := req.NewResponse(opts.ResponseOptions)
	cfg := opts.Config
	if opts.Deflate != nil {
		if answer, params, _ := NegotiateDeflate(req.Header.Values("Sec-WebSocket-Extensions"), *opts.Deflate); answer != nil {
			resp.Extensions = append(resp.Extensions, *answer)
			cfg.Deflate = params
		}
	}
	if _, err := netConn.Write(resp.AppendResponse(nil)); err != nil {
		netConn.Close()
		return nil, req, err
	}
	return NewConn(netConn, brw.Reader, Server, cfg), req, nil
}

// refuse answers a refused handshake through net/http.
func refuse(w http.ResponseWriter, he *HandshakeError) {
	status := he.Status
	if status < 400 || status > 599 {
		status = http.StatusForbidden // a refusal must be an error status; net/http panics on some others
	}
	for _, f := range he.Header {
		w.Header().Add(f.Name, f.Value)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write([]byte(he.Error() + "\n"))
}
