//go:build !js

package tap

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"wsplay/core"
	"wsplay/reach"
)

// errHeadTooLarge is returned by readHead for a head over its limit.
var errHeadTooLarge = errors.New("the head is larger than the tap's limit")

// readHead reads an HTTP head (up to and including the empty line) from c,
// at most max bytes of it, until deadline. It returns the head and any bytes
// read after it. On an error it returns what it read so far as rest.
func readHead(c net.Conn, max int, deadline time.Time) (head, rest []byte, err error) {
	c.SetReadDeadline(deadline)
	defer c.SetReadDeadline(time.Time{})
	buf := make([]byte, 0, 1024)
	chunk := make([]byte, 1024)
	for {
		if end := HeadEnd(buf); end >= 0 {
			return buf[:end], buf[end:], nil
		}
		if len(buf) >= max {
			return nil, buf, errHeadTooLarge
		}
		n, err := c.Read(chunk[:min(len(chunk), max+4-len(buf))])
		buf = append(buf, chunk[:n]...)
		if err != nil {
			if end := HeadEnd(buf); end >= 0 {
				return buf[:end], buf[end:], nil
			}
			if err == io.EOF && len(buf) > 0 {
				err = io.ErrUnexpectedEOF
			}
			return nil, buf, err
		}
	}
}

// HeadEnd returns the length of the head at the start of b (through the
// empty line, CRLF or bare LF as RFC 9112 §2.2 allows), or -1.
func HeadEnd(b []byte) int {
	for i := 0; i < len(b); i++ {
		if b[i] != '\n' {
			continue
		}
		if i+1 < len(b) && b[i+1] == '\n' {
			return i + 2
		}
		if i+2 < len(b) && b[i+1] == '\r' && b[i+2] == '\n' {
			return i + 3
		}
	}
	return -1
}

// newHead describes raw as a Head: start line and header lines as sent.
func newHead(raw []byte) *Head {
	h := &Head{Raw: string(bytes.ToValidUTF8(raw, []byte("\uFFFD"))), RawBase64: base64.StdEncoding.EncodeToString(raw),
		Size: len(raw), Headers: []HeaderField{}}
	for i, l := range splitLines(raw) {
		l = bytes.TrimRight(l, "\r\n")
		if len(l) == 0 {
			break
		}
		if i == 0 {
			h.StartLine = string(l)
			continue
		}
		name, value, _ := bytes.Cut(l, []byte(":"))
		h.Headers = append(h.Headers, HeaderField{Name: string(name), Value: string(bytes.Trim(value, " \t"))})
	}
	return h
}

// splitLines splits b after every LF, keeping the line ends.
func splitLines(b []byte) [][]byte {
	var lines [][]byte
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			lines = append(lines, b)
			break
		}
		lines = append(lines, b[:i+1])
		b = b[i+1:]
	}
	return lines
}

// RewriteRequest returns the request head the tap sends to the target in
// place of raw, the client's, and every change it made. Three things
// change, nothing else, and the bytes of every other line are kept:
//
//   - the request-target becomes the target URL's path and query: the
//     client asked the tap, and the tap asks the server what the URL names;
//   - the Host header's value becomes the target's host[:port] (§4.1 item
//     4: the Host is the server's), so a server that checks it is satisfied;
//   - Sec-WebSocket-Extensions lines are dropped: with no extension offered
//     the server cannot compress (RFC 7692), and every payload stays bytes
//     a learner can read.
//
// A head whose request line does not have three words is forwarded with
// only the header changes.
func RewriteRequest(raw []byte, t *reach.Target) ([]byte, []Rewrite) {
	return rewriteRequest(raw, t, false)
}

// RewriteRequestCompressed is RewriteRequest for a tap that inflates
// (Session.Compress): the permessage-deflate offers are forwarded as the
// client wrote them, so the server may compress, and only the other
// extensions, which the tap cannot decode, are dropped from
// Sec-WebSocket-Extensions (a line that keeps nothing is dropped whole).
func RewriteRequestCompressed(raw []byte, t *reach.Target) ([]byte, []Rewrite) {
	return rewriteRequest(raw, t, true)
}

func rewriteRequest(raw []byte, t *reach.Target, keepDeflate bool) ([]byte, []Rewrite) {
	var out []byte
	var rw []Rewrite
	for i, line := range splitLines(raw) {
		body := bytes.TrimRight(line, "\r\n")
		end := line[len(body):]
		if i == 0 {
			parts := strings.Split(string(body), " ")
			if len(parts) == 3 && parts[1] != t.Path {
				rw = append(rw, Rewrite{What: "request-target", From: parts[1], To: t.Path,
					Why: "the client asked the tap; the tap asks the server for the target URL's path"})
				parts[1] = t.Path
				body = []byte(strings.Join(parts, " "))
			}
			out = append(append(out, body...), end...)
			continue
		}
		name, value, ok := bytes.Cut(body, []byte(":"))
		switch {
		case ok && strings.EqualFold(string(bytes.TrimSpace(name)), "Host"):
			if v := string(bytes.TrimSpace(value)); v != t.Host {
				rw = append(rw, Rewrite{What: "Host", From: v, To: t.Host,
					Why: "the Host header names the server the request is for (RFC 6455 §4.1): now the target"})
				body = append(append([]byte(nil), name...), ": "+t.Host...)
			}
		case ok && keepDeflate && strings.EqualFold(string(bytes.TrimSpace(name)), "Sec-WebSocket-Extensions"):
			v := string(bytes.TrimSpace(value))
			exts, errs := core.ParseExtensionList([]string{v})
			var kept []string
			for _, e := range exts {
				if e.Name == core.DeflateName {
					kept = append(kept, e.String())
				}
			}
			if len(kept) == len(exts) && len(errs) == 0 {
				break // only permessage-deflate: the line goes as sent
			}
			to := strings.Join(kept, ", ")
			rw = append(rw, Rewrite{What: "Sec-WebSocket-Extensions", From: v, To: to,
				Why: "the extensions other than permessage-deflate were dropped: the tap inflates permessage-deflate (RFC 7692) and cannot decode the others"})
			if to == "" {
				continue
			}
			body = append(append([]byte(nil), name...), ": "+to...)
		case ok && strings.EqualFold(string(bytes.TrimSpace(name)), "Sec-WebSocket-Extensions"):
			rw = append(rw, Rewrite{What: "Sec-WebSocket-Extensions", From: string(bytes.TrimSpace(value)),
				Why: "dropped, so that the server cannot compress the payloads (RFC 7692) and every frame stays readable"})
			continue
		}
		out = append(append(out, body...), end...)
	}
	return out, rw
}

// requestProblems checks the client's request head as a server would
// (core.Request.Validate); the request and the first rule it breaks.
func requestProblems(raw []byte) (*core.Request, []Problem) {
	req, err := core.ParseRequest(raw)
	if err == nil {
		err = req.Validate()
	}
	var he *core.HandshakeError
	if errors.As(err, &he) {
		return req, []Problem{problem(he.Rule, he.Detail)}
	}
	return req, nil
}

// responseReport checks the server's response head against the request
// that was forwarded, as a client would (core.ServerResponse.Verify), and
// recomputes the Accept value from the key step by step. offers are the
// extension offers forwarded (none unless the session inflates). deflate
// is what the frames that follow are decoded under: the agreement when
// the response accepts permessage-deflate, nil when it does not. An
// answer that breaks a rule of RFC 7692 §7.1 is reported, and its
// parameters are still followed, so that the frames read as the server
// meant them.
func responseReport(raw []byte, req *core.Request, offers []core.Extension) (h *Head, probs []Problem, deflate *core.DeflateParams) {
	h = newHead(raw)
	var key string
	var offered []string
	if req != nil {
		key = req.Key()
		offered = req.Protocols()
	}
	resp, err := core.ReadResponse(bufio.NewReader(bytes.NewReader(raw)), len(raw)+1)
	if err == nil {
		h.Status = resp.Status
		cr := &core.ClientRequest{Key: key, Protocols: offered, Extensions: offers}
		err = resp.Verify(cr)
		var derr error
		if deflate, derr = resp.Deflate(cr); derr != nil {
			// The most permissive offer any answer fits (§7.1), to
			// read the answer's own parameters.
			loose := &core.ClientRequest{Extensions: []core.Extension{{Name: core.DeflateName,
				Params: []core.HeaderField{{Name: "client_max_window_bits"}}}}}
			deflate, _ = resp.Deflate(loose)
		}
	}
	if key != "" {
		steps := core.AcceptSteps(key)
		a := &Accept{Key: key, GUID: steps.GUID, Concatenated: steps.Concatenated, SHA1Hex: steps.SHA1Hex, Expected: steps.Accept}
		if resp != nil {
			vs := resp.Header.Values("Sec-WebSocket-Accept")
			a.Got = strings.Join(vs, ", ")
			a.Match = len(vs) == 1 && vs[0] == steps.Accept
		}
		h.Accept = a
	}
	var he *core.HandshakeError
	if errors.As(err, &he) {
		probs = []Problem{problem(he.Rule, he.Detail)}
	}
	return h, probs, deflate
}

// httpError is a minimal HTTP response the tap itself sends a client it
// will not relay: status and a plain-text reason.
func httpError(status int, text, reason string) []byte {
	body := "wsplay tap: " + reason + "\n"
	return []byte("HTTP/1.1 " + strconv.Itoa(status) + " " + text + "\r\nContent-Type: text/plain; charset=utf-8\r\n" +
		"Content-Length: " + strconv.Itoa(len(body)) + "\r\nConnection: close\r\n\r\n" + body)
}
