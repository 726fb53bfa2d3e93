//go:build !js

package tap

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Printer writes events for a person (text, optionally coloured) or for a
// program (-json: one JSON object per line). It is safe for concurrent use:
// an event's lines are written together.
type Printer struct {
	W       io.Writer
	JSON    bool // one JSON object per event instead of text
	Color   bool // ANSI colours (text only)
	Verbose bool // every field of every frame, with its meaning (text only)

	mu sync.Mutex
}

// Emit writes one event; it is a Session's and a Tap's Emit hook.
func (p *Printer) Emit(e Event) {
	var b []byte
	if p.JSON {
		b = append(MarshalJSON(e), '\n')
	} else {
		b = p.text(e)
	}
	p.mu.Lock()
	p.W.Write(b)
	p.mu.Unlock()
}

// MarshalJSON encodes an event as one line of JSON. Besides the control
// characters JSON always escapes, the C1 controls and the bidirectional
// formatting characters are written as \u escapes: the decoded strings are
// exact, and the line itself cannot drive a terminal that shows it.
func MarshalJSON(e Event) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(e)
	raw := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
	if !bytes.ContainsFunc(raw, dangerous) {
		return raw
	}
	out := make([]byte, 0, len(raw)+32)
	for _, r := range string(raw) {
		if dangerous(r) {
			out = fmt.Appendf(out, `\u%04x`, r)
			continue
		}
		out = utf8.AppendRune(out, r)
	}
	return out
}

// dangerous reports the characters that a terminal or a bidi-aware
// display acts on: C0 and C1 controls, DEL, and the characters that
// reorder text (Trojan Source, CVE-2021-42574).
func dangerous(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069,
		r == 0x2028, r == 0x2029:
		return true
	}
	return false
}

// Escape returns s safe to print on a terminal: every dangerous character
// (see above) as a visible escape — \t, \n, \r, \xNN for the other C0
// controls and DEL, \u{NNNN} for the rest — and every byte that is not
// UTF-8 as \xNN. A hostile server's close reason cannot clear the screen,
// move the cursor or reverse the text around it.
func Escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case dangerous(r):
			fmt.Fprintf(&b, `\u{%04x}`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// ANSI colours.
const (
	cReset  = "\x1b[0m"
	cDim    = "\x1b[2m"
	cBold   = "\x1b[1m"
	cRed    = "\x1b[31m"
	cGreen  = "\x1b[32m"
	cYellow = "\x1b[33m"
	cClient = "\x1b[36m" // cyan
	cServer = "\x1b[35m" // magenta
)

func (p *Printer) c(code, s string) string {
	if !p.Color {
		return s
	}
	return code + s + cReset
}

// quoteShort quotes text, cut after textQuote runes: a long payload is
// summarised on the frame's line, its bytes follow below.
func quoteShort(text string) string {
	r := []rune(text)
	if len(r) <= textQuote {
		return strconv.Quote(text)
	}
	return strconv.Quote(string(r[:textQuote])) + "…"
}

// textQuote is how many characters of a text payload a frame's line quotes.
const textQuote = 40

// Text output shows this many payload bytes of a frame from its start
// and from its end; JSON has all the bytes the report kept.
const (
	textHead = 32
	textTail = 16
)

func (p *Printer) text(e Event) []byte {
	var b bytes.Buffer
	tag := "tap"
	if e.Session > 0 {
		tag = "#" + strconv.FormatUint(e.Session, 10)
	}
	prefix := p.c(cBold, tag) + " "
	indent := strings.Repeat(" ", len(tag)+1)
	line := func(format string, args ...any) {
		fmt.Fprintf(&b, format, args...)
		b.WriteByte('\n')
	}
	arrow := func(from string) string {
		if from == "client" {
			return p.c(cClient, "→ client")
		}
		return p.c(cServer, "← server")
	}
	switch e.Type {
	case "listen":
		line("%slistening on %s, relaying every client to %s (%s)", prefix, Escape(e.Listen), Escape(e.Target), e.Addr)
		line("%sconnect your client to ws://%s/ instead of your server; Ctrl-C stops", indent, Escape(e.Listen))
	case "open":
		line("%sclient %s connected; the tap dials %s for it", prefix, Escape(e.Client), e.Addr)
	case "request", "response":
		what := "request head"
		if e.Type == "response" {
			what = "response head"
		}
		line("%s%s %s (%d bytes):", prefix, arrow(e.From), what, e.Head.Size)
		for _, l := range splitLines([]byte(e.Head.Raw)) {
			body := strings.TrimRight(string(l), "\r\n")
			end := strings.TrimPrefix(string(l), body)
			shownEnd := strings.NewReplacer("\r", "␍", "\n", "␊").Replace(end)
			line("%s  %s%s", indent, Escape(body), p.c(cDim, shownEnd))
		}
		for _, r := range e.Head.Rewrites {
			if r.To == "" {
				line("%s%s %s %q: %s", indent, p.c(cYellow, "rewritten:"), r.What, Escape(r.From), r.Why)
			} else {
				line("%s%s %s %q → %q: %s", indent, p.c(cYellow, "rewritten:"), r.What, Escape(r.From), Escape(r.To), r.Why)
			}
		}
		if a := e.Head.Accept; a != nil {
			line("%sSec-WebSocket-Accept, step by step (RFC 6455 §4.2.2):", indent)
			line("%s  key           %s", indent, Escape(a.Key))
			line("%s  key + GUID    %s", indent, Escape(a.Concatenated))
			line("%s  SHA-1         %s", indent, a.SHA1Hex)
			line("%s  base64        %s   (what the server must send)", indent, a.Expected)
			verdict := p.c(cGreen, "✓ equal")
			if !a.Match {
				verdict = p.c(cRed, "✗ different")
			}
			got := a.Got
			if got == "" {
				got = "(no Sec-WebSocket-Accept header)"
			}
			line("%s  server sent   %s   %s", indent, Escape(got), verdict)
		}
	case "frame":
		p.frameText(&b, prefix, indent, arrow(e.From), e)
	case "garbage":
		line("%s%s %s", prefix, arrow(e.From), p.c(cRed, Escape(e.Message)))
		line("%s  %s", indent, p.c(cDim, spaced(e.Garbage.Bytes)))
	case "note":
		line("%s%s", prefix, Escape(e.Message))
	case "refused":
		line("%s%s %s: %s", prefix, p.c(cRed, "refused"), Escape(e.Client), Escape(e.Message))
	case "end":
		counts := ""
		if e.Bytes != nil {
			counts = fmt.Sprintf(" (%d bytes from the client, %d from the server)", e.Bytes.Client, e.Bytes.Server)
		}
		line("%sended%s: %s", prefix, counts, Escape(e.Message))
	default:
		line("%s%s %s", prefix, e.Type, Escape(e.Message))
	}
	if e.Type != "frame" && e.Message != "" && (e.Type == "request" || e.Type == "response") {
		line("%s%s", indent, Escape(e.Message))
	}
	p.problemsText(&b, indent, e.Problems)
	return b.Bytes()
}

func (p *Printer) frameText(b *bytes.Buffer, prefix, indent, arrow string, e Event) {
	f := e.Frame
	pieces := "in 1 piece"
	if f.Pieces != 1 {
		pieces = p.c(cYellow, "in "+strconv.Itoa(f.Pieces)+" pieces (one frame split across "+strconv.Itoa(f.Pieces)+" TCP reads)")
	}
	desc := f.OpcodeName + ", FIN " + bit(f.Fin)
	if f.Rsv != 0 {
		desc += ", RSV " + strconv.Itoa(int(f.Rsv))
	}
	if f.Compressed {
		desc += ", compressed"
	}
	if f.Masked {
		desc += ", masked with key " + f.MaskingKey
	} else {
		desc += ", not masked"
	}
	desc += ", payload " + strconv.FormatUint(f.Length, 10) + " bytes"
	switch {
	case f.Close != nil && f.Close.NoCode:
		desc += ", no status code (the receiver reports 1005)"
	case f.Close != nil:
		desc += fmt.Sprintf(", %d (%s) %q", f.Close.Code, f.Close.Name, f.Close.Reason)
	case f.Text != "":
		desc += " " + quoteShort(f.Text)
	}
	fmt.Fprintf(b, "%s%s frame %d @%d, %d bytes %s: %s\n", prefix, arrow, f.Seq, f.Offset, f.Size, pieces, Escape(desc))
	wire, _ := hex.DecodeString(f.Wire)
	shown := wire
	more := ""
	if len(wire) > f.HeaderLength+textHead {
		shown = wire[:f.HeaderLength+textHead]
		more = " … "
	}
	tail, _ := hex.DecodeString(f.WireTail)
	omitted := f.Omitted + uint64(len(wire)-len(shown))
	if len(tail) > textTail {
		omitted += uint64(len(tail) - textTail)
		tail = tail[len(tail)-textTail:]
	}
	switch {
	case len(tail) > 0:
		more = fmt.Sprintf(" … (%d bytes not shown) … ", omitted)
	case omitted > 0:
		more = fmt.Sprintf(" … (%d more bytes)", omitted)
	}
	hexLine := spacedBytes(shown) + more + spacedBytes(tail)
	fmt.Fprintf(b, "%s  %s\n", indent, p.c(cDim, hexLine))
	if in := f.Inflated; in != nil {
		p.inflatedText(b, indent, in)
	}
	if p.Verbose {
		for _, fl := range f.Fields {
			fmt.Fprintf(b, "%s    %-24s %-18s %s\n", indent, fl.Name, Escape(short(fl.Value, 18)), Escape(fl.Meaning))
		}
	}
	if e.Message != "" {
		fmt.Fprintf(b, "%s  %s\n", indent, p.c(cRed, Escape(e.Message)))
	}
}

func (p *Printer) problemsText(b *bytes.Buffer, indent string, probs []Problem) {
	for _, pr := range probs {
		detail := ""
		if pr.Detail != "" {
			detail = ": " + Escape(pr.Detail)
		}
		fmt.Fprintf(b, "%s  %s %s%s (%s) · lesson %s\n", indent, p.c(cRed, "✗ ["+pr.ID+"]"), pr.Text, detail, pr.Source, pr.Lesson)
	}
}

func bit(v bool) string {
	if v {
		return "1"
	}
	return "0"
}

func short(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func spaced(h string) string {
	b, _ := hex.DecodeString(h)
	return spacedBytes(b)
}

func spacedBytes(b []byte) string {
	var s strings.Builder
	for i, c := range b {
		if i > 0 {
			s.WriteByte(' ')
		}
		fmt.Fprintf(&s, "%02x", c)
	}
	return s.String()
}

// inflatedText prints a compressed message inflated: its sizes and its
// first and last bytes, as frameText prints a payload.
func (p *Printer) inflatedText(b *bytes.Buffer, indent string, in *Inflated) {
	if in.NotInflated != "" {
		fmt.Fprintf(b, "%s  %s\n", indent, p.c(cYellow, Escape("the message is not shown inflated: "+in.NotInflated)))
		return
	}
	var sum string
	switch {
	case in.Cut:
		sum = fmt.Sprintf("inflated: more than %d bytes (the tap stopped there, -max-inflate) from %d compressed", in.Length-1, in.Compressed)
	case in.Saved >= 0:
		sum = fmt.Sprintf("inflated: %d bytes from %d compressed, %d saved", in.Length, in.Compressed, in.Saved)
	default:
		sum = fmt.Sprintf("inflated: %d bytes from %d compressed, %d more than uncompressed", in.Length, in.Compressed, -in.Saved)
	}
	if in.Text != "" {
		sum += " " + quoteShort(in.Text)
	}
	fmt.Fprintf(b, "%s  %s\n", indent, p.c(cGreen, Escape(sum)))
	data, _ := hex.DecodeString(in.Data)
	tail, _ := hex.DecodeString(in.Tail)
	omitted := in.Omitted
	if len(data) > textHead {
		omitted += uint64(len(data) - textHead)
		data = data[:textHead]
	}
	if len(tail) > textTail {
		omitted += uint64(len(tail) - textTail)
		tail = tail[len(tail)-textTail:]
	}
	line := spacedBytes(data)
	switch {
	case len(tail) > 0:
		line += fmt.Sprintf(" … (%d bytes not shown) … ", omitted) + spacedBytes(tail)
	case omitted > 0:
		line += fmt.Sprintf(" … (%d more bytes)", omitted)
	}
	fmt.Fprintf(b, "%s  %s\n", indent, p.c(cDim, line))
}
