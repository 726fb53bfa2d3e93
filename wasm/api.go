//go:build js && wasm

package main

// This file is the API of globalThis.wsplay, one Go function per JavaScript
// function, in the order of wasm/README.md. Each reads its arguments with
// args (values.go), calls the core, and converts the result; none of them
// decides anything about the protocol.

import (
	"bufio"
	"errors"
	"io"
	"runtime"
	"strconv"
	"strings"
	"syscall/js"

	"wsplay/core"
)

// version is the module's version, set at build time by the Makefile
// (-ldflags -X main.version=...).
var version = "dev"

// register creates globalThis.wsplay and returns a function that removes it
// and releases the Go functions behind it. exit, when not nil, is called by
// wsplay.exit().
func register(exit func()) (unregister func()) {
	api := newObject()
	var funcs []js.Func
	export := func(name string, fn func(a *args) any) {
		f := wrap(name, fn)
		funcs = append(funcs, f)
		api.set(name, f)
	}

	export("accept", accept)
	export("acceptSteps", acceptSteps)
	export("newKey", func(*args) any { return core.NewKey() })
	export("buildFrame", buildFrame)
	export("explainFrame", explainFrame)
	export("decodeFrames", decodeFrames)
	export("maskSteps", maskSteps)
	export("mask", mask)
	export("parseRequest", parseRequest)
	export("buildRequest", buildRequest)
	export("verifyResponse", verifyResponse)
	export("closePayload", closePayload)
	export("parseClose", parseClose)
	export("statusCode", statusCode)
	export("exit", func(*args) any {
		if exit != nil {
			exit()
		}
		return js.Undefined()
	})
	api.set("version", version)
	api.set("goVersion", runtime.Version())

	js.Global().Set("wsplay", api.v)
	return func() {
		if js.Global().Get("wsplay").Equal(api.v) {
			js.Global().Delete("wsplay")
		}
		for _, f := range funcs {
			f.Release()
		}
	}
}

// wrap makes fn callable from JavaScript as wsplay.name: it reads the
// arguments into an args, returns {error} when they were wrong, and turns a
// panic into {error} too. A bug in the bridge or the core must not kill the
// module: the page keeps working and shows the error.
func wrap(name string, fn func(a *args) any) js.Func {
	return js.FuncOf(func(this js.Value, list []js.Value) (result any) {
		defer func() {
			if r := recover(); r != nil {
				result = errorValue(errors.New("wsplay." + name + ": internal error: " + panicText(r)))
			}
		}()
		a := newArgs(name, list)
		out := fn(a)
		if a.err != nil {
			return errorValue(a.err)
		}
		return out
	})
}

// panicText describes a recovered panic value without fmt.
func panicText(r any) string {
	switch r := r.(type) {
	case error:
		return r.Error()
	case string:
		return r
	}
	return "panic"
}

// accept(key) → the Sec-WebSocket-Accept value.
func accept(a *args) any {
	key := a.str(a.at(0), "key", true)
	return core.Accept(key)
}

// acceptSteps(key, lang) → every intermediate value of core.AcceptSteps,
// and steps: each step named in lang ("en" when missing, or "zh").
func acceptSteps(a *args) any {
	key := a.str(a.at(0), "key", true)
	lang := a.lang(a.at(1), "lang")
	if a.err != nil {
		return nil
	}
	e := core.AcceptSteps(key)
	list := e.Steps(lang)
	steps := array(len(list))
	for i, s := range list {
		steps.SetIndex(i, newObject().set("id", s.ID).set("name", s.Name).set("value", s.Value).v)
	}
	var keyProblem error
	if e.KeyProblem != nil {
		keyProblem = e.KeyProblem
	}
	return newObject().
		set("key", e.Key).
		set("keyBytes", uint8Array(e.KeyBytes)).
		set("keyProblem", problem(keyProblem)).
		set("guid", e.GUID).
		set("concatenated", e.Concatenated).
		set("sha1", uint8Array(e.SHA1)).
		set("sha1Hex", e.SHA1Hex).
		set("accept", e.Accept).
		set("steps", steps).v
}

// buildFrame({fin, rsv1, rsv2, rsv3, opcode, mask, key, payload, length}) →
// {bytes, hex, headerSize}. It builds whatever it is asked for, invalid
// frames included, as core.AppendFrame does.
func buildFrame(a *args) any {
	o := a.object(a.at(0), "options", false)
	h := core.FrameHeader{
		Fin:    a.boolean(prop(o, "fin"), "fin", true),
		Opcode: a.opcode(prop(o, "opcode"), "opcode", core.OpText),
		Masked: a.boolean(prop(o, "mask"), "mask", false),
	}
	if rsv := prop(o, "rsv"); !missing(rsv) {
		h.Rsv = byte(a.integer(rsv, "rsv", 0, 0, 7))
	}
	for i, name := range []string{"rsv1", "rsv2", "rsv3"} {
		if a.boolean(prop(o, name), name, false) {
			h.Rsv |= 4 >> i
		}
	}
	if h.Masked {
		if missing(prop(o, "key")) {
			a.fail("key", `mask is true, so the frame needs a 4-byte masking key, e.g. "37 fa 21 3d" (RFC 6455 §5.3)`)
		}
		h.Key = a.key(prop(o, "key"), "key")
	}
	payload := a.bytes(prop(o, "payload"), "payload", textString, false)
	h.Length = uint64(len(payload))
	if l := prop(o, "length"); !missing(l) {
		h.Length = a.uint64Value(l, "length")
	}
	if a.err != nil {
		return nil
	}
	frame := core.AppendFrame(nil, h, payload)
	return newObject().set("bytes", uint8Array(frame)).set("hex", spacedHex(frame)).set("headerSize", h.Size()).v
}

// explainFrame(bytes, receiver, lang, options) → the frame at the start of
// bytes, explained in lang ("en" when missing, or "zh"). options, optional,
// is {deflate}: true when permessage-deflate was negotiated, so that RSV1
// reads as the Per-Message Compressed bit (RFC 7692 §6.1).
func explainFrame(a *args) any {
	b := a.bytes(a.at(0), "bytes", hexString, true)
	o := a.explainOptions(1)
	if a.err != nil {
		return nil
	}
	return explanation(b, core.ExplainFrameWith(b, o), o)
}

// explainOptions reads the receiver, lang and options arguments of
// explainFrame and decodeFrames, starting at argument i.
func (a *args) explainOptions(i int) core.ExplainOptions {
	o := core.ExplainOptions{Receiver: a.role(a.at(i), "receiver"), Lang: a.lang(a.at(i+1), "lang")}
	opts := a.object(a.at(i+2), "options", false)
	o.Deflate = a.boolean(prop(opts, "deflate"), "options.deflate", false)
	return o
}

// explanation converts a core.FrameExplanation of the frame at the start of
// b, explained with the options o.
func explanation(b []byte, e core.FrameExplanation, o core.ExplainOptions) js.Value {
	fields := array(len(e.Fields))
	for i, f := range e.Fields {
		fields.SetIndex(i, newObject().
			set("name", f.Name).
			set("offset", f.Offset).
			set("size", f.Size).
			set("bitOffset", f.BitOffset).
			set("bits", f.Bits).
			set("raw", f.Raw).
			set("value", f.Value).
			set("meaning", f.Meaning).v)
	}
	header := js.Null()
	if e.HeaderSize > 0 {
		h := e.Header
		key, keyHex := js.Null(), ""
		if h.Masked {
			key, keyHex = uint8Array(h.Key[:]), spacedHex(h.Key[:])
		}
		header = newObject().
			set("fin", h.Fin).
			set("rsv1", h.Rsv&4 != 0).
			set("rsv2", h.Rsv&2 != 0).
			set("rsv3", h.Rsv&1 != 0).
			set("rsv", int(h.Rsv)).
			set("opcode", int(h.Opcode)).
			set("opcodeName", h.Opcode.String()).
			set("control", h.Opcode.IsControl()).
			set("mask", h.Masked).
			set("key", key).
			set("keyHex", keyHex).
			set("length", float64(h.Length)).
			set("lengthText", strconv.FormatUint(h.Length, 10)).v
	}
	size := len(b) - e.Rest
	return newObject().
		set("fields", fields).
		set("header", header).
		set("headerSize", e.HeaderSize).
		set("size", size).
		set("bytes", uint8Array(b[:size])).
		set("complete", e.Complete).
		set("missing", float64(e.Missing)).
		set("payload", uint8Array(e.Payload)).
		set("payloadHex", spacedHex(e.Payload)).
		set("unmasked", uint8Array(e.Unmasked)).
		set("unmaskedHex", spacedHex(e.Unmasked)).
		set("text", e.Text).
		set("rest", e.Rest).
		set("problems", rules(e.Problems)).
		set("code", int(e.Code)).
		set("codeName", codeName(e.Code, o.Lang)).
		set("compressed", o.Deflate && e.HeaderSize > 0 && e.Header.Rsv&4 != 0 &&
			(e.Header.Opcode == core.OpText || e.Header.Opcode == core.OpBinary)).v
}

// decodeFrames(bytes, receiver, lang, options) → {frames, incomplete,
// consumed, rest}: the buffer split into its complete frames, each
// explained in lang with options as explainFrame takes them, and what is
// left.
func decodeFrames(a *args) any {
	b := a.bytes(a.at(0), "bytes", hexString, true)
	o := a.explainOptions(1)
	if a.err != nil {
		return nil
	}
	frames := array(0)
	incomplete := js.Null()
	offset := 0
	for offset < len(b) {
		e := core.ExplainFrameWith(b[offset:], o)
		if !e.Complete {
			incomplete = explanation(b[offset:], e, o)
			incomplete.Set("offset", offset)
			break
		}
		f := explanation(b[offset:], e, o)
		f.Set("offset", offset)
		frames.Call("push", f)
		offset = len(b) - e.Rest
	}
	return newObject().
		set("frames", frames).
		set("incomplete", incomplete).
		set("consumed", offset).
		set("rest", uint8Array(b[offset:])).v
}

// maskSteps(key, payload, pos) → {rows, masked, maskedHex, next}: the table
// of core.MaskSteps.
func maskSteps(a *args) any {
	key := a.key(a.at(0), "key")
	payload := a.bytes(a.at(1), "payload", textString, false)
	pos := a.integer(a.at(2), "pos", 0, 0, 3)
	if a.err != nil {
		return nil
	}
	steps := core.MaskSteps(key, pos, payload)
	rows := array(len(steps))
	masked := make([]byte, len(steps))
	for i, s := range steps {
		masked[i] = s.Out
		rows.SetIndex(i, newObject().
			set("index", s.Index).
			set("keyIndex", s.KeyIndex).
			set("keyByte", int(s.KeyByte)).
			set("in", int(s.In)).
			set("out", int(s.Out)).
			set("inChar", core.DescribeByte(s.In)).
			set("char", core.DescribeByte(s.Out)).v)
	}
	next := core.Mask(key, pos, append([]byte(nil), payload...))
	return newObject().
		set("rows", rows).
		set("masked", uint8Array(masked)).
		set("maskedHex", spacedHex(masked)).
		set("next", next).v
}

// mask(key, bytes, pos) → {bytes, hex, next}: core.Mask on a copy.
func mask(a *args) any {
	key := a.key(a.at(0), "key")
	b := a.bytes(a.at(1), "bytes", hexString, false)
	pos := a.integer(a.at(2), "pos", 0, 0, 3)
	if a.err != nil {
		return nil
	}
	next := core.Mask(key, pos, b)
	return newObject().set("bytes", uint8Array(b)).set("hex", spacedHex(b)).set("next", next).v
}

// completeHead parses an HTTP head with parse and, when the text ends before
// the empty line that closes a head, parses it again with that line added:
// text typed or pasted into a box rarely has it. It reports whether the line
// was added.
func completeHead[T any](text string, parse func(*bufio.Reader) (T, error)) (T, bool, error) {
	v, err := parse(bufio.NewReader(strings.NewReader(text)))
	if err == io.ErrUnexpectedEOF {
		v, err = parse(bufio.NewReader(strings.NewReader(text + "\r\n\r\n")))
		return v, true, err
	}
	if err == io.EOF {
		err = errors.New("the text is empty: expected an HTTP head")
	}
	return v, false, err
}

// parseRequest(text, {protocols}) → the request as data, the problem that
// Validate finds and the response a server sends.
func parseRequest(a *args) any {
	text := a.str(a.at(0), "text", true)
	opts := a.object(a.at(1), "options", false)
	supported := a.strList(prop(opts, "protocols"), "protocols")
	if a.err != nil {
		return nil
	}
	req, added, err := completeHead(text, func(br *bufio.Reader) (*core.Request, error) {
		return core.ReadRequest(br, len(text)+5)
	})
	if err == nil {
		err = req.Validate()
	}
	if req == nil {
		req = &core.Request{}
	}
	var response []byte
	if err == nil {
		response = req.NewResponse(core.ResponseOptions{Protocols: supported}).AppendResponse(nil)
	} else if he, ok := errors.AsType[*core.HandshakeError](err); ok {
		response = he.AppendErrorResponse(nil)
	}
	exts := req.Extensions()
	extensions := array(len(exts))
	for i, e := range exts {
		extensions.SetIndex(i, newObject().set("name", e.Name).set("params", headers(e.Params)).set("text", e.String()).v)
	}
	key := req.Key()
	acceptValue := ""
	if key != "" {
		acceptValue = core.Accept(key)
	}
	return newObject().
		set("method", req.Method).
		set("target", req.Target).
		set("proto", req.Proto).
		set("headers", headers(req.Header)).
		set("key", key).
		set("accept", acceptValue).
		set("protocols", strs(req.Protocols())).
		set("extensions", extensions).
		set("missingEmptyLine", added).
		set("problem", problem(err)).
		set("response", string(response)).v
}

// clientRequest reads the options of buildRequest and verifyResponse.
func clientRequest(a *args, o js.Value) *core.ClientRequest {
	r := &core.ClientRequest{
		Host:       a.str(prop(o, "host"), "host", false),
		Target:     a.str(prop(o, "target"), "target", false),
		Key:        a.str(prop(o, "key"), "key", false),
		Origin:     a.str(prop(o, "origin"), "origin", false),
		Protocols:  a.strList(prop(o, "protocols"), "protocols"),
		Extensions: core.ParseExtensions(a.strList(prop(o, "extensions"), "extensions")),
	}
	if h := prop(o, "headers"); !missing(h) {
		if !jsArray.Call("isArray", h).Bool() {
			a.fail("headers", "must be an array of {name, value}, got "+typeName(h))
			return r
		}
		for i := range h.Length() {
			f := a.object(h.Index(i), "headers["+strconv.Itoa(i)+"]", true)
			r.Header = append(r.Header, core.HeaderField{
				Name:  a.str(prop(f, "name"), "headers["+strconv.Itoa(i)+"].name", true),
				Value: a.str(prop(f, "value"), "headers["+strconv.Itoa(i)+"].value", false),
			})
		}
	}
	return r
}

// buildRequest({host, target, key, origin, protocols, extensions, headers})
// → the text of a client's opening handshake.
func buildRequest(a *args) any {
	r := clientRequest(a, a.object(a.at(0), "options", false))
	if a.err != nil {
		return nil
	}
	return string(r.AppendRequest(nil))
}

// verifyResponse(text, key, {protocols, extensions}) → null when the
// response accepts the handshake the client sent with key, else the problem.
func verifyResponse(a *args) any {
	text := a.str(a.at(0), "text", true)
	key := a.str(a.at(1), "key", true)
	r := clientRequest(a, a.object(a.at(2), "offered", false))
	if a.err != nil {
		return nil
	}
	r.Key = key
	resp, _, err := completeHead(text, func(br *bufio.Reader) (*core.ServerResponse, error) {
		return core.ReadResponse(br, len(text)+5)
	})
	if err == nil {
		err = resp.Verify(r)
	}
	return problem(err)
}

// closePayload(code, reason) → {bytes, hex}: the body of a close frame. Any
// code 0-65535 is written, so invalid ones can be tried on purpose; 1005
// gives an empty body, as core.AppendClosePayload says.
func closePayload(a *args) any {
	code := a.integer(a.at(0), "code", 0, 0, 65535)
	if missing(a.at(0)) {
		a.fail("code", "missing: pass a close code such as 1000")
	}
	reason := a.str(a.at(1), "reason", false)
	if a.err != nil {
		return nil
	}
	b := core.AppendClosePayload(nil, core.StatusCode(code), reason)
	return newObject().set("bytes", uint8Array(b)).set("hex", spacedHex(b)).v
}

// parseClose(bytes, lang) → {code, codeName, reason, validOnWire,
// problem}, codeName in lang ("en" when missing, or "zh").
func parseClose(a *args) any {
	b := a.bytes(a.at(0), "bytes", hexString, true)
	lang := a.lang(a.at(1), "lang")
	if a.err != nil {
		return nil
	}
	code, reason, err := core.ParseClosePayload(b)
	return newObject().
		set("code", int(code)).
		set("codeName", codeName(code, lang)).
		set("reason", reason).
		set("validOnWire", code.ValidOnWire()).
		set("problem", problem(err)).v
}

// statusCode(code, lang) → {code, name, text, validOnWire}, the name in
// lang ("en" when missing, or "zh").
func statusCode(a *args) any {
	code := core.StatusCode(a.integer(a.at(0), "code", 0, 0, 65535))
	if missing(a.at(0)) {
		a.fail("code", "missing: pass a close code such as 1000")
	}
	lang := a.lang(a.at(1), "lang")
	return newObject().set("code", int(code)).set("name", code.NameIn(lang)).set("text", code.StringIn(lang)).set("validOnWire", code.ValidOnWire()).v
}
