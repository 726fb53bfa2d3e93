package core

// Extensions, RFC 6455 §9.1, and the negotiation of permessage-deflate,
// RFC 7692 §5 and §7.1: the client offers one or more configurations in
// Sec-WebSocket-Extensions, most wanted first; the server accepts at most
// one of them, answering with the parameters it agreed to, or declines
// them all by not naming the extension. The compression itself is in
// deflate.go.

import (
	"strconv"
	"strings"
)

// DeflateName is the extension token of permessage-deflate (RFC 7692 §7).
const DeflateName = "permessage-deflate"

// The parameters of permessage-deflate, RFC 7692 §7.1.
const (
	paramServerNoContext = "server_no_context_takeover"
	paramClientNoContext = "client_no_context_takeover"
	paramServerBits      = "server_max_window_bits"
	paramClientBits      = "client_max_window_bits"
)

// MaxWindowBits is the largest LZ77 window DEFLATE has, 2^15 = 32 KiB, and
// the window a peer uses when the handshake did not limit it (RFC 7692
// §7.1.2). minWindowBits is the smallest a max_window_bits may name.
const (
	MaxWindowBits = 15
	minWindowBits = 8
)

// DefaultClientMaxWindowBits is the window a server built on this package
// asks a client for, when the client's offer lets it choose (its offer
// has client_max_window_bits, as every browser's has): 2^12 = 4 KiB.
//
// The choice is about memory. While a client may use context takeover,
// the server must keep the client's last window of inflated bytes between
// messages (see DeflateParams): with 15 bits that is 32 KiB held by every
// idle connection, with 12 bits at most 4 KiB — a room of chat messages
// of a few hundred bytes compresses almost as well. 8 is never asked
// for: zlib, under most browsers, cannot write a raw DEFLATE stream with
// a 256-byte window and would use 512 bytes, breaking the agreement.
const DefaultClientMaxWindowBits = 12

// DeflateParams is what the opening handshake agreed for permessage-deflate
// (RFC 7692 §7.1), as both ends apply it. Config.Deflate carries it to a
// Conn.
//
// How wsplay meets each parameter with Go's compress/flate, which always
// compresses with a 32 KiB window and whose writer cannot be resumed from
// a saved window:
//
//   - This end never uses context takeover when it compresses: each message
//     starts a fresh DEFLATE stream, so no compressor (about 1 MiB in
//     compress/flate) is held between messages; the writers live in a pool
//     shared by all connections. Context takeover is a permission, never a
//     duty (§7.1.1), and a server says so with server_no_context_takeover,
//     which lets the client drop its own inflater's window.
//   - A window limit for what this end sends (server_max_window_bits for a
//     server, client_max_window_bits for a client) is honoured, not
//     declined: a message no longer than the window cannot refer further
//     back than the window and is compressed as usual; a longer one is
//     compressed with Huffman coding only, which refers back to nothing
//     and so fits any window.
//   - For what the peer sends, this end keeps, between messages, only the
//     last bytes of the peer's window (2^bits, at most 32 KiB) as the
//     dictionary of its next message, and none when the peer takes over no
//     context; the inflater itself (about 40 KiB) goes back to a pool after
//     each message. A DEFLATE stream is byte-aligned at the end of each
//     message (the sync flush, §7.2.1), so the window is all the state
//     the next message can use.
type DeflateParams struct {
	// ServerNoContextTakeover: the server starts each message it sends
	// with an empty window (§7.1.1.1).
	ServerNoContextTakeover bool
	// ClientNoContextTakeover: the client does (§7.1.1.2).
	ClientNoContextTakeover bool
	// ServerMaxWindowBits bounds the window of what the server sends,
	// 8–15 (§7.1.2.1); 15 when the handshake set no bound.
	ServerMaxWindowBits int
	// ClientMaxWindowBits bounds the window of what the client sends,
	// 8–15 (§7.1.2.2); 15 when the handshake set no bound.
	ClientMaxWindowBits int
}

// DeflateOptions is a server's policy for permessage-deflate offers.
type DeflateOptions struct {
	// ClientMaxWindowBits is the window asked of a client whose offer
	// lets the server choose, 9–15; 0 means DefaultClientMaxWindowBits.
	ClientMaxWindowBits int
}

// DeflateOffer returns the offer a wsplay client sends:
// "permessage-deflate; client_no_context_takeover; client_max_window_bits".
// The first parameter tells the server that this client starts every
// message afresh (§7.1.1.2), so the server need not keep its window; the
// second lets the server bound the client's window, which this client
// honours (see DeflateParams).
func DeflateOffer() Extension {
	return Extension{Name: DeflateName, Params: []HeaderField{{Name: paramClientNoContext}, {Name: paramClientBits}}}
}

// ParseExtensionList parses Sec-WebSocket-Extensions values strictly, by
// the grammar of RFC 6455 §9.1: elements separated by commas (empty ones
// are skipped), each a token followed by parameters, a parameter's value a
// token or a quoted string whose content, unescaped, is a token. It
// returns the elements that parse, in order, their values unquoted, and
// for each element that does not a *HandshakeError naming
// RuleExtensionSyntax and quoting the element.
func ParseExtensionList(values []string) (exts []Extension, errs []error) {
	for _, v := range values {
		for _, elem := range splitOutsideQuotes(v) {
			if strings.Trim(elem, " \t") == "" {
				continue
			}
			e, ok := parseExtensionElement(elem)
			if !ok {
				errs = append(errs, &HandshakeError{Rule: RuleExtensionSyntax, Detail: "the element was " + strconv.Quote(strings.Trim(elem, " \t"))})
				continue
			}
			exts = append(exts, e)
		}
	}
	return exts, errs
}

// splitOutsideQuotes splits a header value at the commas that are not
// inside a quoted string.
func splitOutsideQuotes(v string) []string {
	var parts []string
	quoted, escaped, start := false, false, 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case escaped:
			escaped = false
		case quoted && c == '\\':
			escaped = true
		case c == '"':
			quoted = !quoted
		case c == ',' && !quoted:
			parts = append(parts, v[start:i])
			start = i + 1
		}
	}
	return append(parts, v[start:])
}

// parseExtensionElement parses one element: token *( OWS ";" OWS param ).
func parseExtensionElement(s string) (Extension, bool) {
	var e Extension
	s = strings.Trim(s, " \t")
	name, rest := cutToken(s)
	if name == "" {
		return e, false
	}
	e.Name = name
	for {
		rest = strings.TrimLeft(rest, " \t")
		if rest == "" {
			return e, true
		}
		if rest[0] != ';' {
			return e, false
		}
		rest = strings.TrimLeft(rest[1:], " \t")
		pname, r := cutToken(rest)
		if pname == "" {
			return e, false
		}
		rest = strings.TrimLeft(r, " \t")
		p := HeaderField{Name: pname}
		if rest != "" && rest[0] == '=' {
			rest = strings.TrimLeft(rest[1:], " \t")
			var ok bool
			if p.Value, rest, ok = cutValue(rest); !ok {
				return e, false
			}
		}
		e.Params = append(e.Params, p)
	}
}

// cutToken returns the token at the start of s and what follows it.
func cutToken(s string) (tok, rest string) {
	i := 0
	for i < len(s) && isTokenChar(s[i]) {
		i++
	}
	return s[:i], s[i:]
}

// cutValue returns a parameter value at the start of s, a token or a
// quoted string unescaped, which RFC 6455 §9.1 requires to hold a token.
func cutValue(s string) (value, rest string, ok bool) {
	if s == "" || s[0] != '"' {
		value, rest = cutToken(s)
		return value, rest, value != ""
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		case c == '"':
			value = b.String()
			if t, r := cutToken(value); t == "" || r != "" {
				return "", "", false
			}
			return value, s[i+1:], true
		default:
			b.WriteByte(c)
		}
	}
	return "", "", false // no closing quote
}

// isTokenChar reports whether c may appear in a token (RFC 9110 §5.6.2).
func isTokenChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// deflateConfig is one permessage-deflate offer or answer, checked.
// A window of 0 means the parameter was absent; clientBitsNoValue means
// client_max_window_bits was there without a value (allowed in an offer).
type deflateConfig struct {
	serverNoContext, clientNoContext bool
	serverBits, clientBits           int
	clientBitsNoValue                bool
}

// parseDeflateConfig checks the parameters of a permessage-deflate offer
// (answer false) or answer (answer true) by RFC 7692 §7.1, and returns the
// first rule broken with what broke it.
func parseDeflateConfig(e Extension, answer bool) (deflateConfig, *HandshakeError) {
	var c deflateConfig
	seen := map[string]bool{}
	for _, p := range e.Params {
		fail := func(r Rule) (deflateConfig, *HandshakeError) {
			d := "the parameter was " + strconv.Quote(p.Name)
			if p.Value != "" {
				d += " with the value " + strconv.Quote(p.Value)
			}
			return c, &HandshakeError{Rule: r, Detail: d + " in " + strconv.Quote(e.String())}
		}
		if seen[p.Name] {
			return fail(RuleDeflateDuplicate)
		}
		seen[p.Name] = true
		switch p.Name {
		case paramServerNoContext, paramClientNoContext:
			if p.Value != "" {
				return fail(RuleDeflateNoContext)
			}
			if p.Name == paramServerNoContext {
				c.serverNoContext = true
			} else {
				c.clientNoContext = true
			}
		case paramServerBits:
			bits, ok := parseWindowBits(p.Value)
			if !ok {
				return fail(RuleDeflateWindowBits)
			}
			c.serverBits = bits
		case paramClientBits:
			if p.Value == "" && !answer {
				c.clientBitsNoValue = true
				continue
			}
			bits, ok := parseWindowBits(p.Value)
			if !ok {
				return fail(RuleDeflateWindowBits)
			}
			c.clientBits = bits
		default:
			return fail(RuleDeflateParam)
		}
	}
	return c, nil
}

// parseWindowBits parses a max_window_bits value: 8 to 15 in decimal,
// without leading zeros (RFC 7692 §7.1.2.1).
func parseWindowBits(v string) (int, bool) {
	if v == "" || v[0] == '0' || len(v) > 2 || strings.Trim(v, "0123456789") != "" {
		return 0, false
	}
	n, _ := strconv.Atoi(v)
	return n, n >= minWindowBits && n <= MaxWindowBits
}

// NegotiateDeflate is the server's side of RFC 7692 §5 and §7.1: given the
// request's Sec-WebSocket-Extensions values, it accepts the first
// permessage-deflate offer it can honour and returns the answer to send
// and the agreed parameters, or nil and nil when it accepts none. Every
// offer it declines before that is in declined, as a *HandshakeError
// naming the rule the offer broke; declining is not an error of the
// handshake, which goes on without compression.
//
// Every valid offer can be honoured (see DeflateParams), so an offer is
// declined only when it breaks a rule: an unknown parameter, one given
// twice, a bad value. The answer always carries
// server_no_context_takeover, since this end never takes context over;
// client_no_context_takeover when the client offered it;
// server_max_window_bits when the client asked for it; and
// client_max_window_bits, at most opts.ClientMaxWindowBits, when the
// client let the server choose.
func NegotiateDeflate(values []string, opts DeflateOptions) (answer *Extension, params *DeflateParams, declined []error) {
	exts, errs := ParseExtensionList(values)
	for _, err := range errs {
		// An element that does not parse names no extension for sure;
		// one that mentions permessage-deflate was meant as an offer
		// of it, and the learner should hear why it was declined.
		if he := err.(*HandshakeError); strings.Contains(he.Detail, DeflateName) {
			declined = append(declined, he)
		}
	}
	limit := opts.ClientMaxWindowBits
	if limit == 0 {
		limit = DefaultClientMaxWindowBits
	}
	limit = min(max(limit, minWindowBits+1), MaxWindowBits)
	for _, e := range exts {
		if e.Name != DeflateName {
			continue
		}
		if !deflateAvailable() {
			declined = append(declined, &HandshakeError{Rule: RuleDeflateUnavailable})
			return nil, nil, declined
		}
		c, he := parseDeflateConfig(e, false)
		if he != nil {
			declined = append(declined, he)
			continue
		}
		ans := Extension{Name: DeflateName, Params: []HeaderField{{Name: paramServerNoContext}}}
		p := &DeflateParams{ServerNoContextTakeover: true, ClientNoContextTakeover: c.clientNoContext,
			ServerMaxWindowBits: MaxWindowBits, ClientMaxWindowBits: MaxWindowBits}
		if c.clientNoContext {
			ans.Params = append(ans.Params, HeaderField{Name: paramClientNoContext})
		}
		if c.serverBits != 0 {
			p.ServerMaxWindowBits = c.serverBits
			ans.Params = append(ans.Params, HeaderField{Name: paramServerBits, Value: strconv.Itoa(c.serverBits)})
		}
		if c.clientBits != 0 || c.clientBitsNoValue {
			bits := limit
			if c.clientBits != 0 {
				bits = min(bits, c.clientBits)
			}
			p.ClientMaxWindowBits = bits
			ans.Params = append(ans.Params, HeaderField{Name: paramClientBits, Value: strconv.Itoa(bits)})
		}
		return &ans, p, declined
	}
	return nil, nil, declined
}

// Deflate checks the server's answer to a permessage-deflate offer in req
// by RFC 7692 §7.1 and returns the agreed parameters, or nil when the
// server did not accept the extension. The error is a *HandshakeError
// naming the rule the answer broke; a client must then fail the
// connection. Verify calls it.
func (resp *ServerResponse) Deflate(req *ClientRequest) (*DeflateParams, error) {
	fail := func(he *HandshakeError) (*DeflateParams, error) {
		he.Status = resp.Status
		return nil, he
	}
	exts, errs := ParseExtensionList(resp.Header.Values("Sec-WebSocket-Extensions"))
	var answer *Extension
	for i := range exts {
		if exts[i].Name != DeflateName {
			continue
		}
		if answer != nil {
			return fail(&HandshakeError{Rule: RuleDeflateAcceptOnce, Detail: describeField(resp.Header, "Sec-WebSocket-Extensions")})
		}
		answer = &exts[i]
	}
	if answer == nil {
		for _, err := range errs {
			// An answer to our offer that does not parse is broken;
			// another extension's is Verify's concern.
			if he := err.(*HandshakeError); strings.Contains(he.Detail, DeflateName) {
				return fail(he)
			}
		}
		return nil, nil
	}
	// The answer must fit one of the offers (§7.1): the most permissive
	// one that it fits is the one it accepted.
	got, he := parseDeflateConfig(*answer, true)
	if he != nil {
		return fail(he)
	}
	var offerErr *HandshakeError
	for _, o := range req.Extensions {
		if o.Name != DeflateName {
			continue
		}
		offer, he := parseDeflateConfig(o, false)
		if he != nil {
			continue
		}
		detail := "the answer was " + strconv.Quote(answer.String()) + " to the offer " + strconv.Quote(o.String())
		switch {
		case offer.serverBits != 0 && got.serverBits == 0:
			offerErr = &HandshakeError{Rule: RuleDeflateServerBits, Detail: "server_max_window_bits is missing: " + detail}
			continue
		case offer.serverBits != 0 && got.serverBits > offer.serverBits:
			offerErr = &HandshakeError{Rule: RuleDeflateServerBits, Detail: detail}
			continue
		case got.clientBits != 0 && !offer.clientBitsNoValue && (offer.clientBits == 0 || got.clientBits > offer.clientBits):
			offerErr = &HandshakeError{Rule: RuleDeflateClientBits, Detail: detail}
			continue
		}
		p := &DeflateParams{ServerNoContextTakeover: got.serverNoContext, ClientNoContextTakeover: got.clientNoContext || offer.clientNoContext,
			ServerMaxWindowBits: MaxWindowBits, ClientMaxWindowBits: MaxWindowBits}
		if got.serverBits != 0 {
			p.ServerMaxWindowBits = got.serverBits
		}
		if got.clientBits != 0 {
			p.ClientMaxWindowBits = got.clientBits
		} else if offer.clientBits != 0 {
			p.ClientMaxWindowBits = offer.clientBits
		}
		return p, nil
	}
	if offerErr == nil {
		offerErr = &HandshakeError{Rule: RuleResponseExtension, Detail: "the server accepted " + strconv.Quote(DeflateName) + " but no valid offer of it was sent"}
	}
	return fail(offerErr)
}
