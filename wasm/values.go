//go:build js && wasm

package main

// This file converts between JavaScript values and Go values: arguments in,
// results and errors out. It knows nothing about WebSocket; api.go calls the
// core with what comes out of here.

import (
	"errors"
	"strconv"
	"strings"
	"syscall/js"

	"wsplay/core"
)

var (
	jsObject     = js.Global().Get("Object")
	jsArray      = js.Global().Get("Array")
	jsUint8Array = js.Global().Get("Uint8Array")
)

// argError is a caller's mistake, not the protocol's: a missing argument, a
// value of the wrong type, text that is not hex.
type argError struct {
	fn, arg, message string
}

func (e *argError) Error() string {
	return "wsplay." + e.fn + ": " + e.arg + ": " + e.message
}

// args reads the arguments of one call. The first mistake is kept and the
// readers that follow return zero values, so a function reads all its
// arguments and checks a.err once (the sticky-error pattern of bufio.Scanner).
type args struct {
	fn   string
	list []js.Value
	err  *argError
}

func newArgs(fn string, list []js.Value) *args { return &args{fn: fn, list: list} }

// fail records a mistake about the argument or property name.
func (a *args) fail(name, message string) {
	if a.err == nil {
		a.err = &argError{fn: a.fn, arg: name, message: message}
	}
}

// at returns argument i, or undefined when the caller passed fewer.
func (a *args) at(i int) js.Value {
	if i < len(a.list) {
		return a.list[i]
	}
	return js.Undefined()
}

// missing reports whether v is undefined or null: an argument or property
// left out.
func missing(v js.Value) bool { return v.IsUndefined() || v.IsNull() }

// typeName names the type of v in a message, e.g. "a number", "an array",
// "a Uint8Array".
func typeName(v js.Value) string {
	name := v.Type().String()
	if v.Type() == js.TypeObject {
		if jsArray.Call("isArray", v).Bool() {
			return "an array"
		}
		if c := v.Get("constructor"); c.Type() == js.TypeFunction && c.Get("name").String() != "Object" {
			name = c.Get("name").String()
		}
	}
	if strings.ContainsRune("aeiouAEIO", rune(name[0])) { // "a Uint8Array"
		return "an " + name
	}
	return "a " + name
}

// object returns v if it is a plain object (or v is missing and the object is
// optional: then an empty object).
func (a *args) object(v js.Value, name string, required bool) js.Value {
	if missing(v) {
		if required {
			a.fail(name, "missing: pass an object")
		}
		return jsObject.New()
	}
	if v.Type() != js.TypeObject || v.InstanceOf(jsUint8Array) || jsArray.Call("isArray", v).Bool() {
		a.fail(name, "must be an object, got "+typeName(v))
		return jsObject.New()
	}
	return v
}

// prop returns the property of an options object, with its name for
// messages.
func prop(obj js.Value, key string) js.Value { return obj.Get(key) }

// str returns v as a string. A missing optional string is "".
func (a *args) str(v js.Value, name string, required bool) string {
	if missing(v) {
		if required {
			a.fail(name, "missing: pass a string")
		}
		return ""
	}
	if v.Type() != js.TypeString {
		a.fail(name, "must be a string, got "+typeName(v))
		return ""
	}
	return v.String()
}

// strList returns an array of strings; a single string is a list of one.
func (a *args) strList(v js.Value, name string) []string {
	if missing(v) {
		return nil
	}
	if v.Type() == js.TypeString {
		return []string{v.String()}
	}
	if !jsArray.Call("isArray", v).Bool() {
		a.fail(name, "must be an array of strings, got "+typeName(v))
		return nil
	}
	out := make([]string, v.Length())
	for i := range out {
		out[i] = a.str(v.Index(i), name+"["+strconv.Itoa(i)+"]", true)
	}
	return out
}

// boolean returns v as a bool; def when missing. 0 and 1 are accepted too,
// since a bit is what a learner types.
func (a *args) boolean(v js.Value, name string, def bool) bool {
	switch {
	case missing(v):
		return def
	case v.Type() == js.TypeBoolean:
		return v.Bool()
	case v.Type() == js.TypeNumber && (v.Float() == 0 || v.Float() == 1):
		return v.Float() == 1
	}
	a.fail(name, "must be true or false (or 1 or 0), got "+typeName(v))
	return def
}

// integer returns v as an int in [lo, hi]; def when missing.
func (a *args) integer(v js.Value, name string, def, lo, hi int) int {
	if missing(v) {
		return def
	}
	if v.Type() != js.TypeNumber {
		a.fail(name, "must be a number, got "+typeName(v))
		return def
	}
	f := v.Float()
	if f != f || f < float64(lo) || f > float64(hi) || f != float64(int(f)) {
		a.fail(name, "must be a whole number from "+strconv.Itoa(lo)+" to "+strconv.Itoa(hi)+", got "+strconv.FormatFloat(f, 'g', -1, 64))
		return def
	}
	return int(f)
}

// uint64Value returns v as a uint64: a whole number, or a decimal string for
// values above 2^53 that a JavaScript number cannot hold exactly.
func (a *args) uint64Value(v js.Value, name string) uint64 {
	switch v.Type() {
	case js.TypeNumber:
		f := v.Float()
		if f >= 0 && f <= 1<<53 && f == float64(uint64(f)) {
			return uint64(f)
		}
	case js.TypeString:
		if n, err := strconv.ParseUint(strings.TrimSpace(v.String()), 10, 64); err == nil {
			return n
		}
	}
	a.fail(name, "must be a whole number from 0 to 2^53, or a decimal string up to 2^64-1")
	return 0
}

// How a plain string passed where bytes are expected is read.
type stringBytes int

const (
	hexString  stringBytes = iota // "81 85 37 fa", as frames and keys are written
	textString                    // UTF-8 text, as payloads are typed
)

// bytes returns the bytes of v: a Uint8Array (a Node Buffer is one), an array
// of numbers 0-255, {hex: "…"}, {text: "…"}, or a plain string read as as
// says. A missing optional value is no bytes.
func (a *args) bytes(v js.Value, name string, as stringBytes, required bool) []byte {
	switch {
	case missing(v):
		if required {
			a.fail(name, "missing: pass a Uint8Array or a string")
		}
		return nil
	case v.Type() == js.TypeString:
		if as == textString {
			return []byte(v.String())
		}
		return a.hex(v.String(), name)
	case v.InstanceOf(jsUint8Array):
		b := make([]byte, v.Length())
		js.CopyBytesToGo(b, v)
		return b
	case jsArray.Call("isArray", v).Bool():
		b := make([]byte, v.Length())
		for i := range b {
			b[i] = byte(a.integer(v.Index(i), name+"["+strconv.Itoa(i)+"]", 0, 0, 255))
		}
		return b
	case v.Type() == js.TypeObject && v.Get("hex").Type() == js.TypeString:
		return a.hex(v.Get("hex").String(), name+".hex")
	case v.Type() == js.TypeObject && v.Get("text").Type() == js.TypeString:
		return []byte(v.Get("text").String())
	}
	a.fail(name, "must be a Uint8Array, an array of byte values, a string, {hex} or {text}; got "+typeName(v))
	return nil
}

// hex decodes s with parseHex, recording a mistake.
func (a *args) hex(s, name string) []byte {
	b, err := parseHex(s)
	if err != nil {
		a.fail(name, err.Error())
	}
	return b
}

// parseHex decodes hex as people paste it: "81 85 37 fa", "8185 37fa",
// "0x81, 0x85", "81:85", across lines. Spaces, tabs, newlines, commas and
// colons separate groups; each group may start with 0x and must have an even
// number of digits, so "0x1" is refused rather than silently read as 0x10.
func parseHex(s string) ([]byte, error) {
	out := make([]byte, 0, len(s)/2)
	i := 0
	for i < len(s) {
		if isHexSeparator(s[i]) {
			i++
			continue
		}
		start := i
		for i < len(s) && !isHexSeparator(s[i]) {
			i++
		}
		group := s[start:i]
		digits := group
		if len(digits) >= 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X') {
			digits = digits[2:]
		}
		for j := 0; j < len(digits); j++ {
			if !isHexDigit(digits[j]) {
				pos := start + len(group) - len(digits) + j
				r := s[pos:]
				if len(r) > 0 && r[0] >= 0x80 {
					// Quote the whole UTF-8 character, not its first byte.
					r = string([]rune(r)[:1])
				} else {
					r = r[:1]
				}
				return nil, errors.New("not hex: " + strconv.Quote(r) + " at character " + strconv.Itoa(len([]rune(s[:pos]))+1) +
					" is not one of 0-9, a-f, A-F")
			}
		}
		if len(digits) == 0 || len(digits)%2 != 0 {
			return nil, errors.New("not hex: " + strconv.Quote(group) + " has an odd number of hex digits; write each byte as two, e.g. 0x01 or 01")
		}
		for j := 0; j < len(digits); j += 2 {
			out = append(out, unhex(digits[j])<<4|unhex(digits[j+1]))
		}
	}
	return out, nil
}

func isHexSeparator(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ':'
}

// unhex returns the value of a hex digit. (hex.DecodeString would do, but
// its error type formats with fmt, which would add ≈500 KB to the module.)
func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// key returns a 4-byte masking key.
func (a *args) key(v js.Value, name string) [4]byte {
	var k [4]byte
	b := a.bytes(v, name, hexString, true)
	if a.err == nil && len(b) != 4 {
		a.fail(name, "a masking key is 4 bytes (RFC 6455 §5.3), got "+strconv.Itoa(len(b)))
	}
	copy(k[:], b)
	return k
}

// role returns the receiver: "server" (the default) or "client".
func (a *args) role(v js.Value, name string) core.Role {
	s := a.str(v, name, false)
	switch s {
	case "", core.Server.String():
		return core.Server
	case core.Client.String():
		return core.Client
	}
	a.fail(name, `must be "server" or "client", got `+strconv.Quote(s))
	return core.Server
}

// lang returns the language of the explanation texts: "en" (also when
// missing) or "zh" (core.Langs).
func (a *args) lang(v js.Value, name string) string {
	s := a.str(v, name, false)
	if s == "" {
		return core.LangEN
	}
	if !core.ValidLang(s) {
		a.fail(name, `must be "en" or "zh", got `+strconv.Quote(s))
		return core.LangEN
	}
	return s
}

// opcode returns an opcode from a number 0-15 or its name as
// core.Opcode.String writes it ("text", "close", …); def when missing.
func (a *args) opcode(v js.Value, name string, def core.Opcode) core.Opcode {
	if v.Type() == js.TypeString {
		for op := core.Opcode(0); op < 16; op++ {
			if strings.EqualFold(v.String(), op.String()) {
				return op
			}
		}
		a.fail(name, "unknown opcode name "+strconv.Quote(v.String())+"; use a number 0-15 or continuation, text, binary, close, ping, pong")
		return def
	}
	return core.Opcode(a.integer(v, name, int(def), 0, 15))
}

// Results.

// object builds a JavaScript object with properties in the order given, so
// console.log and JSON.stringify show them in a readable order.
type object struct{ v js.Value }

func newObject() object { return object{jsObject.New()} }

func (o object) set(key string, value any) object {
	o.v.Set(key, value)
	return o
}

// uint8Array copies b into a new Uint8Array.
func uint8Array(b []byte) js.Value {
	u := jsUint8Array.New(len(b))
	js.CopyBytesToJS(u, b)
	return u
}

// spacedHex writes bytes as "81 85 37 fa", the way the RFC and the page show
// them; parseHex reads it back.
func spacedHex(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	// Not encoding/hex: it imports fmt, and fmt imports os, whose start-up
	// code alone is ≈78 KB gzipped in the module. (core still imports
	// encoding/hex today; see docs/server.md, "The module's size".)
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 3*len(b)-1)
	for i, c := range b {
		if i > 0 {
			out = append(out, ' ')
		}
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

func array(n int) js.Value { return jsArray.New(n) }

// headers converts header fields to [{name, value}].
func headers(fields []core.HeaderField) js.Value {
	out := array(len(fields))
	for i, f := range fields {
		out.SetIndex(i, newObject().set("name", f.Name).set("value", f.Value).v)
	}
	return out
}

// strs converts a []string to an array.
func strs(list []string) js.Value {
	out := array(len(list))
	for i, s := range list {
		out.SetIndex(i, s)
	}
	return out
}

// rule converts a rule to {id, text, textZh, section, source, cite}: the
// page shows textZh when its language is Chinese.
func rule(r core.Rule) js.Value {
	return newObject().set("id", r.ID).set("text", r.Text).set("textZh", r.TextIn("zh")).
		set("section", r.Section).set("source", r.Source()).set("cite", r.Cite()).v
}

func rules(list []core.Rule) js.Value {
	out := array(len(list))
	for i, r := range list {
		out.SetIndex(i, rule(r))
	}
	return out
}

// codeName names a close code in a language, "" for 0 (no code).
func codeName(c core.StatusCode, lang string) string {
	if c == 0 {
		return ""
	}
	return c.NameIn(lang)
}

// problem describes an error as data. Every problem has message; one that
// comes from a rule also has rule (the rule's sentence), section, source and
// cite; a handshake problem adds status, detail and header (the HTTP answer);
// a frame problem adds rules (every rule broken), code and codeName (the
// close code). nil gives null.
func problem(err error) js.Value {
	if err == nil {
		return js.Null()
	}
	o := newObject().set("message", err.Error())
	// errors.AsType, not errors.As: As checks its target with reflection,
	// which adds ≈30 KB of code to the module for nothing a type parameter
	// cannot say.
	if he, ok := errors.AsType[*core.HandshakeError](err); ok {
		o.set("rule", he.Rule.Text).set("ruleId", he.Rule.ID).set("ruleZh", he.Rule.TextIn("zh")).
			set("section", he.Rule.Section).set("source", he.Rule.Source()).set("cite", he.Rule.Cite())
		o.set("status", he.Status).set("detail", he.Detail).set("header", headers(he.Header))
	} else if pe, ok := errors.AsType[*core.ProtocolError](err); ok {
		if len(pe.Rules) > 0 {
			r := pe.Rules[0]
			o.set("rule", r.Text).set("ruleId", r.ID).set("ruleZh", r.TextIn("zh")).
				set("section", r.Section).set("source", r.Source()).set("cite", r.Cite())
		}
		o.set("rules", rules(pe.Rules)).set("code", int(pe.Code)).set("codeName", codeName(pe.Code, core.LangEN))
	} else if ae, ok := errors.AsType[*argError](err); ok {
		o.set("function", ae.fn).set("argument", ae.arg)
	}
	return o.v
}

// errorValue is what a function returns instead of its result: {error: problem}.
func errorValue(err error) js.Value {
	return newObject().set("error", problem(err)).v
}
