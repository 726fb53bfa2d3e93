package core

import (
	"errors"
	"strconv"
)

// A Rule is one requirement of RFC 6455 (or of the HTTP it builds on), in the
// words a learner reads, with the section that states it. Errors, the
// explainers and wsplay check all cite the same Rule values, so the page, the
// lessons and the terminal say the same thing.
type Rule struct {
	// ID names the rule for programs, e.g. "control-final": stable across
	// releases and languages, so a page can translate Text by it.
	ID string
	// Text is the requirement as one sentence without a final period,
	// e.g. "control frames must not be fragmented".
	Text string
	// Section is the RFC 6455 section, e.g. "5.5". A section of another RFC
	// starts with that RFC's name, e.g. "RFC 9110 §9.3.1".
	Section string
}

// Cite returns the rule followed by its source, e.g.
// "control frames must not be fragmented (RFC 6455 §5.5)".
func (r Rule) Cite() string {
	return r.Text + " (" + r.Source() + ")"
}

// Source returns where the rule is written, e.g. "RFC 6455 §5.5".
func (r Rule) Source() string {
	if len(r.Section) > 3 && r.Section[:3] == "RFC" {
		return r.Section
	}
	return "RFC 6455 §" + r.Section
}

// Rules of the frame header, RFC 6455 §5.
var (
	RuleReservedBits     = Rule{ID: "reserved-bits", Text: "RSV1, RSV2 and RSV3 must be 0 unless an extension that defines them was negotiated", Section: "5.2"}
	RuleReservedOpcode   = Rule{ID: "reserved-opcode", Text: "opcodes 0x3-0x7 and 0xB-0xF are reserved and must not be used", Section: "5.2"}
	RuleLengthTopBit     = Rule{ID: "length-top-bit", Text: "the most significant bit of a 64-bit payload length must be 0", Section: "5.2"}
	RuleMinimalLength    = Rule{ID: "minimal-length", Text: "the payload length must be encoded in the minimal number of bytes", Section: "5.2"}
	RuleClientMasks      = Rule{ID: "client-masks", Text: "a client must mask every frame it sends to the server", Section: "5.1"}
	RuleServerNoMask     = Rule{ID: "server-no-mask", Text: "a server must not mask any frame it sends to the client", Section: "5.1"}
	RuleControlFinal     = Rule{ID: "control-final", Text: "control frames must not be fragmented", Section: "5.5"}
	RuleControlLength    = Rule{ID: "control-length", Text: "control frames must have a payload length of 125 bytes or less", Section: "5.5"}
	RuleContinuationLone = Rule{ID: "continuation-lone", Text: "a continuation frame must follow a text or binary frame whose FIN bit was 0", Section: "5.4"}
	RuleFragmentsNested  = Rule{ID: "fragments-nested", Text: "a new text or binary frame must not start before the fragmented message in progress has ended", Section: "5.4"}
	RuleInvalidUTF8      = Rule{ID: "invalid-utf8", Text: "a text message must be valid UTF-8", Section: "8.1"}
	RuleCloseLength      = Rule{ID: "close-length", Text: "a close frame's body is empty or starts with a 2-byte status code", Section: "5.5.1"}
	RuleCloseCode        = Rule{ID: "close-code", Text: "a close frame must not carry a status code that is reserved or undefined", Section: "7.4.1"}
	RuleCloseReasonUTF8  = Rule{ID: "close-reason-utf8", Text: "the reason in a close frame must be valid UTF-8", Section: "5.5.1"}
	RuleMessageTooBig    = Rule{ID: "message-too-big", Text: "the message is larger than this endpoint accepts", Section: "7.4.1"}
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
