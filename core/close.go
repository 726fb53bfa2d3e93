package core

import (
	"strconv"
	"unicode/utf8"
)

// StatusCode is the status code of a close frame, RFC 6455 §7.4.
type StatusCode uint16

// Status codes defined by RFC 6455 §7.4.1 and the IANA registry (§11.7).
const (
	StatusNormalClosure   StatusCode = 1000 // the purpose of the connection is fulfilled
	StatusGoingAway       StatusCode = 1001 // server shutting down, browser leaving the page
	StatusProtocolError   StatusCode = 1002 // a rule of the protocol was broken
	StatusUnsupportedData StatusCode = 1003 // e.g. binary to an endpoint that takes only text
	// 1004 is reserved and never sent (§7.4.1): NameIn calls it "reserved".
	StatusNoStatusReceived   StatusCode = 1005 // never sent: a close frame had no code
	StatusAbnormalClosure    StatusCode = 1006 // never sent: the TCP connection ended without a close frame
	StatusInvalidPayload     StatusCode = 1007 // data inconsistent with the message type, e.g. bad UTF-8
	StatusPolicyViolation    StatusCode = 1008 // a generic "you broke our policy"
	StatusMessageTooBig      StatusCode = 1009 // a message larger than the endpoint accepts
	StatusMandatoryExtension StatusCode = 1010 // client: the server did not negotiate an extension it needs
	StatusInternalError      StatusCode = 1011 // server: an unexpected condition
	StatusServiceRestart     StatusCode = 1012 // IANA registry: the server is restarting
	StatusTryAgainLater      StatusCode = 1013 // IANA registry: temporary overload, try later
	StatusBadGateway         StatusCode = 1014 // IANA registry: a gateway got a bad answer upstream
	StatusTLSHandshake       StatusCode = 1015 // never sent: the TLS handshake failed
)

// String returns the code and its name, e.g. "1000 (normal closure)".
func (c StatusCode) String() string { return c.StringIn(LangEN) }

// StringIn is String in a language, e.g. "1000 (正常关闭)".
func (c StatusCode) StringIn(lang string) string {
	return strconv.Itoa(int(c)) + " (" + c.NameIn(lang) + ")"
}

// Name returns the code's name in words, e.g. "normal closure".
func (c StatusCode) Name() string { return c.NameIn(LangEN) }

// NameIn returns the code's name in a language (words.go holds the names):
// a defined code's own name, else the name of its range.
func (c StatusCode) NameIn(lang string) string {
	if c >= StatusNormalClosure && c <= StatusTLSHandshake {
		return Say("close."+strconv.Itoa(int(c)), lang)
	}
	switch {
	case c < 1000:
		return Say("close.unused", lang)
	case c < 3000:
		return Say("close.protocol", lang)
	case c < 4000:
		return Say("close.libraries", lang)
	case c < 5000:
		return Say("close.private", lang)
	}
	return Say("close.undefined", lang)
}

// ValidOnWire reports whether c may appear in a close frame (§7.4). 1005,
// 1006 and 1015 exist only to report what happened locally and are never
// sent; 1004 and the unassigned codes below 3000 are reserved; codes below
// 1000 and from 5000 on are not used at all. The codes 1012-1014 come from
// the IANA registry that §11.7 set up and are accepted as registered.
func (c StatusCode) ValidOnWire() bool {
	switch {
	case c >= 1000 && c <= 1003:
		return true
	case c >= 1007 && c <= 1014:
		return true
	case c >= 3000 && c <= 4999:
		return true
	}
	return false
}

// AppendClosePayload appends the body of a close frame (§5.5.1): the code in
// network byte order, then the reason. StatusNoStatusReceived gives an empty
// body, the way to close without a code.
func AppendClosePayload(dst []byte, code StatusCode, reason string) []byte {
	if code == StatusNoStatusReceived {
		return dst
	}
	dst = bigEndian.AppendUint16(dst, uint16(code))
	return append(dst, reason...)
}

// ParseClosePayload decodes the body of a close frame. An empty body gives
// StatusNoStatusReceived. A body of one byte, a code that may not be sent
// (ValidOnWire) or a reason that is not UTF-8 give a *ProtocolError with the
// close code to answer with (1002, or 1007 for the reason).
func ParseClosePayload(p []byte) (StatusCode, string, error) {
	if len(p) == 0 {
		return StatusNoStatusReceived, "", nil
	}
	if len(p) == 1 {
		return 0, "", newProtocolError(StatusProtocolError, RuleCloseLength)
	}
	code := StatusCode(bigEndian.Uint16(p))
	if !code.ValidOnWire() {
		return code, "", newProtocolError(StatusProtocolError, RuleCloseCode)
	}
	reason := p[2:]
	if !utf8.Valid(reason) {
		return code, "", newProtocolError(StatusInvalidPayload, RuleCloseReasonUTF8)
	}
	return code, string(reason), nil
}
