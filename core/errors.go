package core

import (
	"errors"
	"strconv"
)

// ProtocolError reports input that broke one or more rules of RFC 6455. The
// connection that reads it fails with Code (§7.1.7): 1002 for a framing
// error, 1007 for invalid data such as bad UTF-8, 1009 for a message over the
// size limit.
type ProtocolError struct {
	// Code is the status code the connection is closed with.
	Code StatusCode
	// Rules lists every rule the input broke, most important first.
	Rules []Rule
}

// Error lists every broken rule with its RFC section.
func (e *ProtocolError) Error() string {
	s := "websocket: "
	for i, r := range e.Rules {
		if i > 0 {
			s += "; "
		}
		s += r.Cite()
	}
	return s
}

// newProtocolError builds a ProtocolError for a single rule.
func newProtocolError(code StatusCode, r Rule) *ProtocolError {
	return &ProtocolError{Code: code, Rules: []Rule{r}}
}

// CloseError is what ReadMessage returns after the peer's close frame: the
// status code and reason the peer sent. A close frame without a body is
// reported with Code StatusNoStatusReceived (1005), as RFC 6455 §7.1.5 says.
type CloseError struct {
	Code   StatusCode
	Reason string
}

// Error says that the peer closed, with the code and reason it sent.
func (e *CloseError) Error() string {
	s := "websocket: peer closed the connection with " + e.Code.String()
	if e.Reason != "" {
		s += ": " + strconv.Quote(e.Reason)
	}
	return s
}

// HandshakeError reports an opening handshake that broke a rule of RFC 6455
// §4. Status is the HTTP status a server answers with; Header holds the
// response header fields the rule calls for, such as
// "Sec-WebSocket-Version: 13" with 426 (§4.4).
type HandshakeError struct {
	Status int
	Rule   Rule
	// Detail says what the request or response actually contained, e.g.
	// `Sec-WebSocket-Version was "8"`. It may be empty.
	Detail string
	Header []HeaderField
}

// Error names the broken rule, its RFC section and what was found instead.
func (e *HandshakeError) Error() string {
	s := "websocket: handshake: " + e.Rule.Cite()
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Errors that are not a peer's fault.
var (
	// ErrClosed is returned by writes after the close frame was sent, and
	// by reads after the connection ended.
	ErrClosed = errors.New("websocket: the connection is closed")
	// ErrShortHeader means the bytes end before the frame header does.
	ErrShortHeader = errors.New("websocket: the bytes end inside a frame header")
)
