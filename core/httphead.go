package core

// The HTTP/1.1 part of the opening handshake (RFC 9112): a request or
// status line and header fields up to the empty line, read and written
// in their order and spelling so that a learner sees them as they were
// sent. Nothing here knows WebSocket; handshake.go applies its rules.

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// DefaultMaxHeaderBytes limits the size of a handshake's request or response
// head (request line and header fields) when the caller gives no limit.
const DefaultMaxHeaderBytes = 8 << 10

// HeaderField is one header line of an HTTP request or response, in the
// spelling and order it was received.
type HeaderField struct {
	Name  string
	Value string
}

// Headers is a list of header fields in wire order. Lookups ignore the case
// of names, as HTTP requires (RFC 9110 §5.1).
type Headers []HeaderField

// Get returns the value of the first field named name, or "".
func (h Headers) Get(name string) string {
	for _, f := range h {
		if strings.EqualFold(f.Name, name) {
			return f.Value
		}
	}
	return ""
}

// Values returns the values of every field named name, in order.
func (h Headers) Values(name string) []string {
	var vs []string
	for _, f := range h {
		if strings.EqualFold(f.Name, name) {
			vs = append(vs, f.Value)
		}
	}
	return vs
}

// Tokens splits every field named name on commas and returns the trimmed,
// non-empty elements: "Connection: keep-alive, Upgrade" gives "keep-alive"
// and "Upgrade" (RFC 9110 §5.6.1).
func (h Headers) Tokens(name string) []string {
	var ts []string
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if t = strings.TrimSpace(t); t != "" {
				ts = append(ts, t)
			}
		}
	}
	return ts
}

// HasToken reports whether a comma-separated field named name contains
// token, compared without regard to case.
func (h Headers) HasToken(name, token string) bool {
	for _, t := range h.Tokens(name) {
		if strings.EqualFold(t, token) {
			return true
		}
	}
	return false
}

// readHead reads lines up to the empty line that ends an HTTP head. Both
// CRLF and a bare LF end a line (RFC 9112 §2.2 lets a recipient accept LF).
func readHead(br *bufio.Reader, maxBytes int) ([]string, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxHeaderBytes
	}
	var lines []string
	var long []byte // a line longer than br's buffer, gathered piece by piece
	total := 0
	for {
		piece, err := br.ReadSlice('\n')
		total += len(piece)
		if total > maxBytes {
			return nil, &HandshakeError{Status: 431, Rule: RuleHeaderTooLarge,
				Detail: "the limit is " + strconv.Itoa(maxBytes) + " bytes"}
		}
		if err == bufio.ErrBufferFull {
			long = append(long, piece...)
			continue
		}
		if err != nil {
			if err == io.EOF {
				if total == 0 {
					return nil, io.EOF
				}
				return nil, io.ErrUnexpectedEOF
			}
			return nil, err
		}
		line := string(piece)
		if long != nil {
			line = string(append(long, piece...))
			long = nil
		}
		s := strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
		if s == "" {
			if len(lines) == 0 {
				continue // RFC 9112 §2.2: ignore empty lines before the request line
			}
			return lines, nil
		}
		lines = append(lines, s)
	}
}

// parseHeaderLines splits "Name: value" lines into fields.
func parseHeaderLines(lines []string) (Headers, error) {
	header := make(Headers, 0, len(lines))
	for _, l := range lines {
		if l[0] == ' ' || l[0] == '\t' {
			return nil, &HandshakeError{Status: 400, Rule: RuleHeaderFolding, Detail: "the line was " + strconv.Quote(l)}
		}
		name, value, ok := strings.Cut(l, ":")
		// A bare CR or a NUL makes the line invalid (RFC 9112 §2.2, RFC
		// 9110 §5.5). Without this check a key with a CR inside passed
		// CheckKey, because base64 decoding skips CR and LF.
		if !ok || name == "" || strings.ContainsAny(name, " \t") || strings.ContainsAny(l, "\r\x00") {
			return nil, &HandshakeError{Status: 400, Rule: RuleHeaderLine, Detail: "the line was " + strconv.Quote(l)}
		}
		header = append(header, HeaderField{Name: name, Value: strings.Trim(value, " \t")})
	}
	return header, nil
}

// protoAtLeast11 reports whether an HTTP version string is HTTP/1.1 or later.
func protoAtLeast11(proto string) bool {
	v, ok := strings.CutPrefix(proto, "HTTP/")
	if !ok {
		return false
	}
	majorS, minorS, _ := strings.Cut(v, ".")
	major, err1 := strconv.Atoi(majorS)
	minor, err2 := strconv.Atoi(minorS)
	if err1 != nil || (minorS != "" && err2 != nil) {
		return false
	}
	return major > 1 || (major == 1 && minor >= 1)
}

// appendField appends one header line. A CR, LF or NUL in the name or value
// is written as a space: a value taken from user input (a URL, an origin)
// must never be able to end the line and inject a header of its own.
func appendField(dst []byte, name, value string) []byte {
	dst = appendFieldText(dst, name)
	dst = append(dst, ": "...)
	dst = appendFieldText(dst, value)
	return append(dst, "\r\n"...)
}

func appendFieldText(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\r' || c == '\n' || c == 0 {
			c = ' '
		}
		dst = append(dst, c)
	}
	return dst
}

// statusText names the HTTP statuses a handshake can end with; core avoids
// net/http so that the WebAssembly module stays small.
func statusText(code int) string {
	switch code {
	case 101:
		return "Switching Protocols"
	case 400:
		return "Bad Request"
	case 403:
		return "Forbidden"
	case 405:
		return "Method Not Allowed"
	case 426:
		return "Upgrade Required"
	case 431:
		return "Request Header Fields Too Large"
	case 500:
		return "Internal Server Error"
	case 503:
		return "Service Unavailable"
	}
	return "Error"
}
