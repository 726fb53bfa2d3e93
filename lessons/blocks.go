package lessons

import (
	"bytes"
	"encoding/hex"
	"html"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"wsplay/check"
	"wsplay/core"
)

// A Block is one ```wsplay fenced block of a lesson: a live widget, a
// worked example, an exercise or an included code sample. Blocks are parsed
// and checked when the course loads; a block that does not parse, or an
// example that disagrees with the core, is an error naming the file and
// line.
type Block struct {
	// Type is "widget", "example", "exercise" or "include".
	Type string
	// Name is the widget's name (accept, frame, mask, echo, builder), the
	// example's or exercise's kind, or the included path.
	Name string
	// File and Line locate the block's opening fence.
	File string
	Line int
	// Params holds the widget's arguments, or the example's or exercise's
	// `name: value` lines, by name.
	Params map[string]string
	// Order lists the names of Params in the order they were written.
	Order []string
	// Answer is an exercise's expected answer, computed by the core, for
	// tests only: it never appears in the HTML.
	Answer string

	html []byte // rendered once, at load
}

// The widgets a lesson may embed, with the options their mount() reads.
var widgetNames = []string{"accept", "frame", "mask", "echo", "builder", "tap", "checker", "compress"}

// fieldError is an error at a line of a block.
type fieldError struct {
	line int
	msg  string
}

// parseBlock reads a ```wsplay block: info is the info string after
// "wsplay", body its lines, line the file line of the opening fence.
// Errors name the line they were found on.
func parseBlock(info string, body []string, line int, bodyLine func(int) int, includes func(string) ([]byte, error)) (*Block, []fieldError) {
	words := strings.Fields(info)
	if len(words) == 0 {
		return nil, []fieldError{{line, "a ```wsplay block needs a name: one of " + strings.Join(widgetNames, ", ") + ", example, exercise, include"}}
	}
	b := &Block{Name: words[0], Line: line, Params: map[string]string{}}
	args := words[1:]
	var errs []fieldError
	fail := func(l int, format string) { errs = append(errs, fieldError{l, format}) }
	switch words[0] {
	case "accept":
		b.Type = "widget"
		if len(args) != 1 {
			fail(line, "wsplay accept takes one Sec-WebSocket-Key, e.g. ```wsplay accept dGhlIHNhbXBsZSBub25jZQ==")
			break
		}
		b.set("key", args[0])
	case "frame":
		b.Type = "widget"
		receiver := "server"
		var hexWords []string
		for _, a := range args {
			if v, ok := strings.CutPrefix(a, "receiver="); ok {
				receiver = v
				continue
			}
			hexWords = append(hexWords, a)
		}
		if receiver != "server" && receiver != "client" {
			fail(line, "wsplay frame: receiver must be server or client, not "+strconv.Quote(receiver))
		}
		raw, err := parseHex(strings.Join(hexWords, " "))
		if err != "" {
			fail(line, "wsplay frame: "+err)
		} else if len(raw) < 2 {
			fail(line, "wsplay frame needs the frame's bytes in hex, e.g. ```wsplay frame 81 05 48 65 6c 6c 6f")
		}
		b.set("hex", hexString(raw))
		b.set("receiver", receiver)
	case "mask":
		b.Type = "widget"
		if len(args) == 0 || !strings.HasPrefix(args[0], "key=") {
			fail(line, "wsplay mask takes key=8 hex digits and then the payload text, e.g. ```wsplay mask key=37fa213d Hello")
			break
		}
		key := strings.TrimPrefix(args[0], "key=")
		if _, err := parseKey(key); err != "" {
			fail(line, "wsplay mask: "+err)
		}
		rest := strings.TrimSpace(info)
		rest = strings.TrimSpace(strings.TrimPrefix(rest, "mask"))
		rest = strings.TrimSpace(strings.TrimPrefix(rest, args[0]))
		if rest == "" {
			fail(line, "wsplay mask: the payload text after the key is missing")
		}
		b.set("key", key)
		b.set("payload", rest)
	case "compress":
		// The compression widget: the text it sends twice over
		// /ws/inspect (default Hello).
		b.Type = "widget"
		text := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(info), "compress"))
		b.set("text", or(text, "Hello"))
	case "echo", "builder":
		b.Type = "widget"
		if len(args) != 0 {
			fail(line, "wsplay "+words[0]+" takes no arguments")
		}
	case "tap", "checker":
		// The learner's own server, through the page's panels: the tap
		// (target=URL) and the check (url=URL, stage=NAME).
		b.Type = "widget"
		allowed := map[string][]string{"tap": {"target"}, "checker": {"url", "stage"}}[words[0]]
		for _, a := range args {
			name, value, ok := strings.Cut(a, "=")
			if !ok || !slices.Contains(allowed, name) || value == "" {
				fail(line, "wsplay "+words[0]+" takes "+strings.Join(allowed, "=…, ")+"=…, e.g. ```wsplay "+words[0]+" "+allowed[0]+"=ws://127.0.0.1:3368/")
				continue
			}
			if (name == "target" || name == "url") && !strings.HasPrefix(value, "ws://") {
				fail(line, "wsplay "+words[0]+": "+name+" must be a ws:// URL, e.g. ws://127.0.0.1:3368/")
			}
			if name == "stage" && check.ValidStage(value) != nil {
				fail(line, "wsplay checker: stage must be one of "+check.StageNames())
			}
			b.set(name, value)
		}
	case "example", "exercise":
		b.Type = words[0]
		if len(args) > 1 {
			fail(line, "wsplay "+words[0]+" takes at most one word after it (the kind)")
		}
		for i, text := range body {
			text = strings.TrimSpace(text)
			if text == "" || strings.HasPrefix(text, "#") {
				continue
			}
			name, value, ok := strings.Cut(text, ":")
			name = strings.TrimSpace(name)
			if !ok || name == "" {
				fail(bodyLine(i), "expected a `name: value` line, got "+strconv.Quote(text))
				continue
			}
			if _, dup := b.Params[name]; dup {
				fail(bodyLine(i), name+" is given twice")
				continue
			}
			b.set(name, strings.TrimSpace(value))
			b.paramLine(name, bodyLine(i))
		}
		if words[0] == "example" {
			if len(args) != 1 {
				fail(line, "wsplay example needs its kind: ```wsplay example accept, frame, mask or deflate")
				break
			}
			b.Name = args[0]
			errs = append(errs, checkExample(b, line)...)
		} else {
			if len(args) == 1 {
				b.Params["kind"] = args[0]
			}
			b.Name = b.Params["kind"]
			errs = append(errs, checkExercise(b, line)...)
		}
	case "include":
		b.Type = "include"
		if len(args) != 1 {
			fail(line, "wsplay include takes one path under lessons/, e.g. ```wsplay include examples/python/echo_server.py")
			break
		}
		b.Name = args[0]
		if !strings.HasPrefix(args[0], "examples/") || strings.Contains(args[0], "..") {
			fail(line, "wsplay include: the path must be under examples/, got "+strconv.Quote(args[0]))
			break
		}
		src, err := includes(args[0])
		if err != nil {
			fail(line, "wsplay include: "+args[0]+": no such file in lessons/examples")
			break
		}
		b.html = highlightFile(args[0], src)
	default:
		fail(line, "unknown widget "+strconv.Quote(words[0])+": a ```wsplay block is one of "+strings.Join(widgetNames, ", ")+", example, exercise, include")
	}
	return b, errs
}

func (b *Block) set(name, value string) {
	if _, ok := b.Params[name]; !ok {
		b.Order = append(b.Order, name)
	}
	b.Params[name] = value
}

// paramLine remembers where a parameter was written, for errors.
func (b *Block) paramLine(name string, line int) {
	b.Params["\x00line:"+name] = strconv.Itoa(line)
}

func (b *Block) lineOf(name string) int {
	if n, err := strconv.Atoi(b.Params["\x00line:"+name]); err == nil {
		return n
	}
	return b.Line
}

// allowOnly reports fields outside allowed and fields of required that are
// missing.
func (b *Block) allowOnly(line int, what string, required, optional []string) []fieldError {
	var errs []fieldError
	known := map[string]bool{}
	for _, n := range append(append([]string(nil), required...), optional...) {
		known[n] = true
	}
	for _, n := range b.Order {
		if !known[n] {
			errs = append(errs, fieldError{b.lineOf(n), what + ": unknown field " + strconv.Quote(n) + " (known: " + strings.Join(append(append([]string(nil), required...), optional...), ", ") + ")"})
		}
	}
	for _, n := range required {
		if _, ok := b.Params[n]; !ok {
			errs = append(errs, fieldError{line, what + ": missing field " + strconv.Quote(n)})
		}
	}
	return errs
}

// checkExample checks every value an example states against the core.
func checkExample(b *Block, line int) []fieldError {
	what := "example " + b.Name
	wrong := func(name, stated, core string) fieldError {
		return fieldError{b.lineOf(name), what + ": " + name + " is " + strconv.Quote(stated) + " but the core says " + strconv.Quote(core)}
	}
	switch b.Name {
	case "accept":
		errs := b.allowOnly(line, what, []string{"key", "accept"}, nil)
		if len(errs) > 0 {
			return errs
		}
		if got := core.Accept(b.Params["key"]); got != b.Params["accept"] {
			errs = append(errs, wrong("accept", b.Params["accept"], got))
		}
		return errs
	case "mask":
		errs := b.allowOnly(line, what, []string{"key", "payload", "masked"}, nil)
		if len(errs) > 0 {
			return errs
		}
		key, msg := parseKey(b.Params["key"])
		if msg != "" {
			return []fieldError{{b.lineOf("key"), what + ": key: " + msg}}
		}
		stated, msg := parseHex(b.Params["masked"])
		if msg != "" {
			return []fieldError{{b.lineOf("masked"), what + ": masked: " + msg}}
		}
		out := []byte(b.Params["payload"])
		core.Mask(key, 0, out)
		if !bytes.Equal(out, stated) {
			errs = append(errs, wrong("masked", b.Params["masked"], hexString(out)))
		}
		return errs
	case "frame":
		errs := b.allowOnly(line, what, []string{"hex"}, []string{"receiver", "fin", "opcode", "masked", "length", "key", "text", "payload-hex", "missing", "problem"})
		if len(errs) > 0 {
			return errs
		}
		raw, msg := parseHex(b.Params["hex"])
		if msg != "" {
			return []fieldError{{b.lineOf("hex"), what + ": hex: " + msg}}
		}
		role, ok := parseRole(b.Params["receiver"])
		if !ok {
			return []fieldError{{b.lineOf("receiver"), what + ": receiver must be server or client"}}
		}
		e := core.ExplainFrame(raw, role)
		if e.HeaderSize == 0 {
			return []fieldError{{b.lineOf("hex"), what + ": the hex does not hold a whole header (" + strconv.FormatUint(e.Missing, 10) + " more bytes needed)"}}
		}
		if _, stated := b.Params["missing"]; !e.Complete && !stated {
			return []fieldError{{b.lineOf("hex"), what + ": the hex is not a whole frame: " + strconv.FormatUint(e.Missing, 10) + " payload bytes are missing (say so with missing: " + strconv.FormatUint(e.Missing, 10) + ")"}}
		}
		if e.Rest != 0 {
			return []fieldError{{b.lineOf("hex"), what + ": the hex holds " + strconv.Itoa(e.Rest) + " bytes after the frame"}}
		}
		h := e.Header
		for _, name := range b.Order {
			v := b.Params[name]
			switch name {
			case "fin":
				if got := bit(h.Fin); !sameBool(v, h.Fin) {
					errs = append(errs, wrong(name, v, got))
				}
			case "masked":
				if got := bit(h.Masked); !sameBool(v, h.Masked) {
					errs = append(errs, wrong(name, v, got))
				}
			case "opcode":
				op, ok := parseOpcode(v)
				if !ok {
					errs = append(errs, fieldError{b.lineOf(name), what + ": opcode " + strconv.Quote(v) + " is not an opcode (0x1, 1 or text)"})
				} else if op != h.Opcode {
					errs = append(errs, wrong(name, v, opcodeText(h.Opcode)))
				}
			case "length":
				if got := strconv.FormatUint(h.Length, 10); v != got {
					errs = append(errs, wrong(name, v, got))
				}
			case "key":
				k, msg := parseKey(v)
				got := "none"
				if h.Masked {
					got = hex.EncodeToString(h.Key[:])
				}
				if msg != "" || !h.Masked || k != h.Key {
					errs = append(errs, wrong(name, v, got))
				}
			case "text":
				if got, ok := payloadText(e); !ok {
					errs = append(errs, wrong(name, v, "no text: the payload is not UTF-8 ("+hexString(e.Unmasked)+")"))
				} else if got != v {
					errs = append(errs, wrong(name, v, got))
				}
			case "payload-hex":
				stated, msg := parseHex(v)
				if msg != "" || !bytes.Equal(stated, e.Unmasked) {
					errs = append(errs, wrong(name, v, hexString(e.Unmasked)))
				}
			case "missing":
				if got := strconv.FormatUint(e.Missing, 10); v != got {
					errs = append(errs, wrong(name, v, got))
				}
			case "problem":
				if !problemMatches(v, e.Problems) {
					got := "none"
					if len(e.Problems) > 0 {
						var cites []string
						for _, r := range e.Problems {
							cites = append(cites, r.Cite())
						}
						got = strings.Join(cites, "; ")
					}
					errs = append(errs, wrong(name, v, got))
				}
			}
		}
		return errs
	case "deflate":
		return checkDeflateExample(b, line)
	}
	return []fieldError{{line, "unknown example kind " + strconv.Quote(b.Name) + ": accept, frame, mask or deflate"}}
}

// checkExercise checks that an exercise has what its kind needs and that
// the core can answer it, and computes the answer for tests.
func checkExercise(b *Block, line int) []fieldError {
	what := "exercise " + b.Name
	var errs []fieldError
	switch b.Name {
	case "accept":
		errs = b.allowOnly(line, what, []string{"kind", "key", "prompt"}, nil)
		if len(errs) == 0 {
			if err := core.CheckKey(b.Params["key"]); err != nil {
				errs = append(errs, fieldError{b.lineOf("key"), what + ": key: " + err.Error()})
			}
			b.Answer = core.Accept(b.Params["key"])
		}
	case "decode":
		errs = b.allowOnly(line, what, []string{"kind", "hex", "field", "prompt"}, []string{"receiver"})
		if len(errs) > 0 {
			break
		}
		raw, msg := parseHex(b.Params["hex"])
		role, ok := parseRole(b.Params["receiver"])
		switch {
		case msg != "":
			errs = append(errs, fieldError{b.lineOf("hex"), what + ": hex: " + msg})
		case !ok:
			errs = append(errs, fieldError{b.lineOf("receiver"), what + ": receiver must be server or client"})
		default:
			e := core.ExplainFrame(raw, role)
			if e.HeaderSize == 0 {
				errs = append(errs, fieldError{b.lineOf("hex"), what + ": the hex does not hold a whole header"})
				break
			}
			switch b.Params["field"] {
			case "fin":
				b.Answer = bit(e.Header.Fin)
			case "masked":
				b.Answer = bit(e.Header.Masked)
			case "opcode":
				b.Answer = opcodeText(e.Header.Opcode)
			case "length":
				b.Answer = strconv.FormatUint(e.Header.Length, 10)
			case "text":
				text, ok := payloadText(e)
				if !ok || !e.Complete {
					errs = append(errs, fieldError{b.lineOf("field"), what + ": field text needs a whole frame whose payload is UTF-8"})
				}
				b.Answer = text
			default:
				errs = append(errs, fieldError{b.lineOf("field"), what + ": field must be fin, opcode, masked, length or text, not " + strconv.Quote(b.Params["field"])})
			}
		}
		if _, ok := b.Params["receiver"]; !ok {
			b.set("receiver", "server")
		}
	case "mask":
		errs = b.allowOnly(line, what, []string{"kind", "key", "payload", "prompt"}, nil)
		if len(errs) == 0 {
			key, msg := parseKey(b.Params["key"])
			if msg != "" {
				errs = append(errs, fieldError{b.lineOf("key"), what + ": key: " + msg})
				break
			}
			out := []byte(b.Params["payload"])
			core.Mask(key, 0, out)
			b.Answer = hexString(out)
		}
	case "build":
		errs = b.allowOnly(line, what, []string{"kind", "opcode", "text", "masked", "prompt"}, nil)
		if len(errs) == 0 {
			op, ok := parseOpcode(b.Params["opcode"])
			if !ok {
				errs = append(errs, fieldError{b.lineOf("opcode"), what + ": opcode " + strconv.Quote(b.Params["opcode"]) + " is not an opcode"})
			} else {
				b.Params["opcode"] = op.String()
			}
			if _, ok := parseBool(b.Params["masked"]); !ok {
				errs = append(errs, fieldError{b.lineOf("masked"), what + ": masked must be yes or no"})
			}
		}
	default:
		errs = append(errs, fieldError{line, "exercise: kind must be accept, decode, mask or build, not " + strconv.Quote(b.Name)})
	}
	if b.Params["prompt"] == "" && len(errs) == 0 {
		errs = append(errs, fieldError{line, what + ": the prompt is empty"})
	}
	return errs
}

// payloadText is a frame's payload read as UTF-8 text, unmasked: the text
// of a text frame, or of a ping, pong or binary payload that happens to be
// UTF-8 (a close frame's body starts with its code, so it has none).
func payloadText(e core.FrameExplanation) (string, bool) {
	switch e.Header.Opcode {
	case core.OpText, core.OpContinuation:
		return e.Text, utf8.Valid(e.Unmasked)
	case core.OpClose:
		return "", false
	}
	return string(e.Unmasked), utf8.Valid(e.Unmasked)
}

func problemMatches(v string, problems []core.Rule) bool {
	if strings.EqualFold(v, "none") {
		return len(problems) == 0
	}
	for _, r := range problems {
		if strings.Contains(strings.ToLower(r.Cite()), strings.ToLower(v)) {
			return true
		}
	}
	return false
}

func parseRole(s string) (core.Role, bool) {
	switch s {
	case "", "server":
		return core.Server, true
	case "client":
		return core.Client, true
	}
	return 0, false
}

func parseBool(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "1", "yes", "true":
		return true, true
	case "0", "no", "false":
		return false, true
	}
	return false, false
}

func sameBool(s string, v bool) bool {
	b, ok := parseBool(s)
	return ok && b == v
}

func bit(v bool) string {
	if v {
		return "1"
	}
	return "0"
}

var opcodeNames = map[string]core.Opcode{
	"continuation": core.OpContinuation, "text": core.OpText, "binary": core.OpBinary,
	"close": core.OpClose, "ping": core.OpPing, "pong": core.OpPong,
}

// parseOpcode reads "0x1", "1" or "text".
func parseOpcode(s string) (core.Opcode, bool) {
	if op, ok := opcodeNames[strings.ToLower(s)]; ok {
		return op, true
	}
	n, err := strconv.ParseUint(s, 0, 8)
	if err != nil || n > 15 {
		return 0, false
	}
	return core.Opcode(n), true
}

// opcodeText writes an opcode as "0x1 (text)".
func opcodeText(op core.Opcode) string {
	return "0x" + strconv.FormatUint(uint64(op), 16) + " (" + op.String() + ")"
}

// parseHex reads hex the way people paste it, as the WASM bridge does:
// spaces, commas and colons separate groups, a group may start with 0x, and
// must have an even number of digits.
func parseHex(s string) ([]byte, string) {
	var out []byte
	for _, g := range strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == ',' || r == ':'
	}) {
		g = strings.TrimPrefix(strings.TrimPrefix(g, "0x"), "0X")
		if len(g)%2 != 0 {
			return nil, "not hex: " + strconv.Quote(g) + " has an odd number of digits"
		}
		b, err := hex.DecodeString(g)
		if err != nil {
			return nil, "not hex: " + strconv.Quote(g)
		}
		out = append(out, b...)
	}
	return out, ""
}

// parseKey reads a 4-byte masking key written in hex.
func parseKey(s string) ([4]byte, string) {
	var k [4]byte
	b, msg := parseHex(s)
	if msg != "" {
		return k, msg
	}
	if len(b) != 4 {
		return k, "a masking key is 4 bytes (8 hex digits), got " + strconv.Itoa(len(b))
	}
	copy(k[:], b)
	return k, ""
}

// hexString writes bytes as "81 85 37 fa", the bridge's …Hex form.
func hexString(b []byte) string {
	var sb strings.Builder
	for i, c := range b {
		if i > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString(hex.EncodeToString([]byte{c}))
	}
	return sb.String()
}

// renderBlock writes a parsed block's HTML, with the server-side fallback
// computed by the core.
//
// A widget's fallback shows what the live widget shows, in the same words
// (words.json) and the same shape: the accept widget's four steps, the
// masking table's seven columns, the frame table's five. The browser test
// TestLessonsBrowser/fallbacks compares them, block by block.
func renderBlock(b *Block, lang string) []byte {
	words := wordsIn(lang)
	var w bytes.Buffer
	esc := html.EscapeString
	switch b.Type {
	case "widget":
		w.WriteString(`<div class="widget" data-widget="` + esc(b.Name) + `"`)
		for _, n := range b.Order {
			w.WriteString(` data-` + n + `="` + esc(b.Params[n]) + `"`)
		}
		w.WriteString(">\n<div class=\"widget-fallback\">\n")
		writeWidgetFallback(&w, b, words)
		w.WriteString("</div>\n</div>\n")
	case "example":
		writeExample(&w, b, words)
	case "exercise":
		writeExercise(&w, b, words)
	}
	return w.Bytes()
}

// maskColumns are the masking table's column headings, as keys of the
// catalog, in the order widgets/mask.js (MASK_COLUMNS) shows them.
var maskColumns = []string{"mask.colIndex", "mask.colKeyIndex", "mask.colKey", "mask.colIn", "mask.colXor", "mask.colOut", "mask.colChar"}

// frameColumns are the frame table's column headings, as widgets/frame.js
// (FRAME_COLUMNS) shows them.
var frameColumns = []string{"frame.colField", "frame.colWhere", "frame.colBits", "frame.colValue", "frame.colMeaning"}

// The live wire's endpoint, the one widgets/echo.js talks to by default.
const wireEndpoint = "/ws/inspect"

func writeWidgetFallback(w *bytes.Buffer, b *Block, words words) {
	esc := html.EscapeString
	code := func(s string) string { return "<code>" + esc(s) + "</code>" }
	switch b.Name {
	case "accept":
		writeAcceptSteps(w, b.Params["key"], words)
	case "frame":
		raw, _ := parseHex(b.Params["hex"])
		role, _ := parseRole(b.Params["receiver"])
		writeFrameTable(w, raw, role, words)
	case "mask":
		writeMaskTable(w, b.Params["key"], b.Params["payload"], words)
	case "compress":
		writeCompressFallback(w, b.Params["text"], words)
	case "echo":
		w.WriteString("<p class=\"widget-note\">" + words.html("fallback.echoNote", "endpoint", code(wireEndpoint)) + "</p>\n")
	case "builder":
		w.WriteString("<p class=\"widget-note\">" + words.html("fallback.builderNote") + "</p>\n")
	case "tap":
		w.WriteString("<p class=\"widget-note\">" + words.html("fallback.tapNote") + "</p>\n")
		w.WriteString("<pre><code>wsplay tap -listen 127.0.0.1:9000 -target " + esc(or(b.Params["target"], "ws://127.0.0.1:3368/")) + "</code></pre>\n")
	case "checker":
		w.WriteString("<p class=\"widget-note\">" + words.html("fallback.checkerNote") + "</p>\n")
		cmd := "wsplay check"
		if st := b.Params["stage"]; st != "" {
			cmd += " -stage " + st
		}
		w.WriteString("<pre><code>" + esc(cmd+" "+or(b.Params["url"], "ws://127.0.0.1:3368/")) + "</code></pre>\n")
	}
}

// writeAcceptSteps writes the steps of widgets/accept.js: the key, then
// the four steps with their values and notes.
func writeAcceptSteps(w *bytes.Buffer, key string, words words) {
	esc := html.EscapeString
	s := core.AcceptSteps(key)
	w.WriteString("<figure class=\"accept-steps\">\n<figcaption>" + words.html("fallback.acceptCaption") + "</figcaption>\n")
	w.WriteString("<p class=\"accept-key\">" + words.html("accept.keyLabel") + ": <code>" + esc(s.Key) + "</code></p>\n")
	if s.KeyProblem != nil {
		w.WriteString("<p class=\"problem\"><strong>" + words.html("accept.keyProblem") + "</strong> " + esc(s.KeyProblem.Rule.TextIn(words.lang)+" ("+s.KeyProblem.Rule.Source()+")") + "</p>\n")
	}
	printable := ""
	for _, c := range s.KeyBytes {
		printable += core.DescribeByte(c)
	}
	count := words.html("accept.bytesCount", "n", itoa(len(s.KeyBytes)), "text", esc(printable))
	if s.KeyProblem != nil {
		count = words.html("accept.bytesNot16", "n", itoa(len(s.KeyBytes)))
	}
	w.WriteString("<ol class=\"steps\">\n")
	for i, value := range []string{
		"<code class=\"bytes\">" + hexString(s.KeyBytes) + "</code> <span class=\"muted\">" + count + "</span>",
		"<code class=\"concat\">" + esc(s.Concatenated) + "</code>",
		"<code class=\"bytes\">" + esc(s.SHA1Hex) + "</code>",
		"<code class=\"result\">" + esc(s.Accept) + "</code>",
	} {
		n := "accept.step" + itoa(i+1)
		w.WriteString("<li><div class=\"step-title\">" + words.html(n) + "</div><div class=\"step-value\">" + value + "</div><div class=\"step-note\">" + words.html(n+"Note") + "</div></li>\n")
	}
	w.WriteString("</ol>\n</figure>\n")
}

// writeMaskTable writes the masking table of widgets/mask.js, every row
// revealed.
func writeMaskTable(w *bytes.Buffer, keyHex, payload string, words words) {
	esc := html.EscapeString
	key, _ := parseKey(keyHex)
	steps := core.MaskSteps(key, 0, []byte(payload))
	b8 := func(b byte) string { return strconv.FormatUint(uint64(b)|0x100, 2)[1:] }
	h2 := func(b byte) string { return hex.EncodeToString([]byte{b}) }
	w.WriteString("<table class=\"mask-table\">\n<caption>" + words.html("fallback.maskCaption", "payload", "<q>"+esc(payload)+"</q>", "key", "<code>"+hexString(key[:])+"</code>") + "</caption>\n")
	writeHeads(w, maskColumns, words)
	w.WriteString("<tbody>\n")
	for _, s := range steps {
		k := " k" + itoa(s.KeyIndex)
		w.WriteString("<tr><td class=\"mono\">" + itoa(s.Index) + "</td><td class=\"mono" + k + "\">" + itoa(s.KeyIndex) +
			"</td><td class=\"mono" + k + "\">" + h2(s.KeyByte) + "</td><td class=\"mono\">" + h2(s.In) + "<span class=\"ch\"> " + esc(core.DescribeByte(s.In)) +
			"</span></td><td class=\"mono bin\">" + b8(s.In) + " ⊕ " + b8(s.KeyByte) + "</td><td class=\"mono out\">" + h2(s.Out) +
			"</td><td class=\"mono\">" + esc(core.DescribeByte(s.Out)) + "</td></tr>\n")
	}
	w.WriteString("</tbody>\n</table>\n")
}

// writeHeads writes a table's column headings.
func writeHeads(w *bytes.Buffer, keys []string, words words) {
	w.WriteString("<thead><tr>")
	for _, k := range keys {
		w.WriteString("<th scope=\"col\">" + words.html(k) + "</th>")
	}
	w.WriteString("</tr></thead>\n")
}

// or returns s, or def when s is empty.
func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// writeFrameTable writes ExplainFrame's fields as widgets/frame.js's table.
func writeFrameTable(w *bytes.Buffer, raw []byte, role core.Role, words words) {
	esc := html.EscapeString
	e := core.ExplainFrameIn(raw, role, words.lang)
	w.WriteString("<table class=\"fields\">\n<caption>" + words.html("fallback.frameCaption", "hex", "<code>"+hexString(raw)+"</code>", "role", esc(words.role(role))) + "</caption>\n")
	writeHeads(w, frameColumns, words)
	w.WriteString("<tbody>\n")
	for _, f := range e.Fields {
		w.WriteString("<tr><th scope=\"row\">" + esc(f.Name) + "</th><td class=\"mono\">" + esc(fieldWhere(f, words)) + "</td><td class=\"mono raw\">" + esc(f.Raw) + "</td><td class=\"mono\">" + esc(f.Value) + "</td><td>" + esc(f.Meaning) + "</td></tr>\n")
	}
	w.WriteString("</tbody>\n</table>\n")
	roleHTML := esc(words.role(role))
	if len(e.Problems) == 0 {
		w.WriteString("<p class=\"frame-verdict ok\">" + words.html("fallback.frameOK", "role", roleHTML) + "</p>\n")
	} else {
		w.WriteString("<ul class=\"frame-verdict problems\">\n")
		for _, r := range e.Problems {
			w.WriteString("<li>" + esc(r.TextIn(words.lang)+" ("+r.Source()+")") + "</li>\n")
		}
		w.WriteString("</ul>\n<p class=\"frame-verdict\">" + words.html("fallback.frameFails", "role", roleHTML, "code", esc(e.Code.StringIn(words.lang))) + "</p>\n")
	}
}

// fieldWhere says where a field is, as widgets/frame.js's where(): bytes
// for whole-byte fields, bits for the others.
func fieldWhere(f core.Field, words words) string {
	if f.Bits%8 == 0 {
		switch {
		case f.Size == 0:
			return "—"
		case f.Size == 1:
			return words.text("frame.whereByte", "from", itoa(f.Offset))
		}
		return words.text("frame.whereBytes", "from", itoa(f.Offset), "to", itoa(f.Offset+f.Size-1))
	}
	if f.Bits == 1 {
		return words.text("frame.whereBit", "from", itoa(f.BitOffset))
	}
	return words.text("frame.whereBits", "from", itoa(f.BitOffset), "to", itoa(f.BitOffset+f.Bits-1))
}

// givenLabel is the label of an example's or exercise's parameter in the
// language: given.KIND.NAME, else given.NAME, else the name itself.
func givenLabel(kind, name string, words words) string {
	for _, k := range []string{"given." + kind + "." + name, "given." + name} {
		if has(k) {
			return words.text(k)
		}
	}
	return name
}

// givenValue is a parameter's value as shown: the words of a value that
// has some (a receiver, yes or no, the field asked for) as text, anything
// else as code.
func givenValue(name, v string, words words) string {
	esc := html.EscapeString
	switch name {
	case "receiver":
		if role, ok := parseRole(v); ok {
			return esc(words.role(role))
		}
	case "masked":
		if b, ok := parseBool(v); ok {
			if b {
				return esc(words.text("value.yes"))
			}
			return esc(words.text("value.no"))
		}
	case "field":
		if has("field." + v) {
			return esc(words.text("field." + v))
		}
	}
	return "<code>" + esc(v) + "</code>"
}

func writeExample(w *bytes.Buffer, b *Block, words words) {
	esc := html.EscapeString
	if b.Name == "deflate" {
		writeDeflateExample(w, b, words)
		return
	}
	kind := b.Name
	if has("example.kind." + kind) {
		kind = words.text("example.kind." + kind)
	}
	w.WriteString("<figure class=\"example\" data-example=\"" + esc(b.Name) + "\">\n<figcaption>" + words.html("fallback.exampleCaption", "kind", esc(kind)) + "</figcaption>\n<table>\n<tbody>\n")
	for _, n := range b.Order {
		w.WriteString("<tr><th scope=\"row\">" + esc(givenLabel(b.Name, n, words)) + "</th><td><code>" + esc(b.Params[n]) + "</code></td></tr>\n")
	}
	w.WriteString("</tbody>\n</table>\n</figure>\n")
}

// exerciseParams are the parameters an exercise shows the learner (its
// question), by kind; the answer is never written.
var exerciseParams = map[string][]string{
	"accept": {"key"},
	"decode": {"hex", "field", "receiver"},
	"mask":   {"key", "payload"},
	"build":  {"opcode", "text", "masked"},
}

func writeExercise(w *bytes.Buffer, b *Block, words words) {
	esc := html.EscapeString
	w.WriteString(`<section class="exercise" data-exercise="` + esc(b.Name) + `"`)
	for _, n := range exerciseParams[b.Name] {
		w.WriteString(` data-` + n + `="` + esc(b.Params[n]) + `"`)
	}
	w.WriteString(">\n<h3 class=\"exercise-title\">" + words.html("exercise.title") + "</h3>\n<p class=\"exercise-prompt\">" + esc(b.Params["prompt"]) + "</p>\n<dl class=\"exercise-given\">\n")
	for _, n := range exerciseParams[b.Name] {
		w.WriteString("<dt data-param=\"" + esc(n) + "\">" + esc(givenLabel(b.Name, n, words)) + "</dt><dd>" + givenValue(n, b.Params[n], words) + "</dd>\n")
	}
	w.WriteString("</dl>\n<form class=\"exercise-form\" autocomplete=\"off\">\n<label>" + words.html("exercise.yourAnswer") + " <input name=\"answer\" spellcheck=\"false\" autocapitalize=\"off\"></label>\n<button type=\"submit\">" + words.html("exercise.check") + "</button>\n</form>\n")
	w.WriteString("<p class=\"exercise-result\" role=\"status\" aria-live=\"polite\"></p>\n")
	w.WriteString("<p class=\"exercise-nojs\">" + words.html("exercise.noJS") + "</p>\n</section>\n")
}
