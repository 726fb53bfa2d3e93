//go:build js && wasm

package main

// These tests call globalThis.wsplay through syscall/js, exactly as the page's
// JavaScript does. Run them under Node:
//
//	PATH="$(go env GOROOT)/lib/wasm:$PATH" GOOS=js GOARCH=wasm go test ./wasm/

import (
	"bytes"
	"encoding/hex"
	"slices"
	"strings"
	"syscall/js"
	"testing"

	"wsplay/core"
)

// RFC 6455 §1.3's sample key and what the server computes from it.
const (
	rfcKey    = "dGhlIHNhbXBsZSBub25jZQ=="
	rfcAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
	rfcSHA1   = "b37a4f2cc0624f1690f64606cf385945b2bec4ea"
	// RFC 6455 §5.7: a masked text frame that contains "Hello".
	rfcMaskedHello = "81 85 37 fa 21 3d 7f 9f 4d 51 58"
)

var exitCalls int

func TestMain(m *testing.M) {
	unregister := register(func() { exitCalls++ })
	defer unregister()
	m.Run()
}

// call calls wsplay.name(args...) the way JavaScript does.
func call(t *testing.T, name string, args ...any) js.Value {
	t.Helper()
	api := js.Global().Get("wsplay")
	if api.Type() != js.TypeObject {
		t.Fatal("globalThis.wsplay is not registered")
	}
	if api.Get(name).Type() != js.TypeFunction {
		t.Fatalf("wsplay.%s is not a function", name)
	}
	return api.Call(name, args...)
}

// noError fails the test when v is an error value.
func noError(t *testing.T, v js.Value) js.Value {
	t.Helper()
	if isError(v) {
		t.Fatalf("unexpected error value: %s", v.Get("error").Get("message").String())
	}
	return v
}

func isError(v js.Value) bool {
	return v.Type() == js.TypeObject && v.Get("error").Type() == js.TypeObject
}

// goBytes copies a Uint8Array.
func goBytes(t *testing.T, v js.Value) []byte {
	t.Helper()
	if !v.InstanceOf(jsUint8Array) {
		t.Fatalf("want a Uint8Array, got %s", typeName(v))
	}
	b := make([]byte, v.Length())
	js.CopyBytesToGo(b, v)
	return b
}

func unhexT(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// field finds a field of an explainFrame result by name.
func field(t *testing.T, e js.Value, name string) js.Value {
	t.Helper()
	fields := e.Get("fields")
	for i := range fields.Length() {
		if f := fields.Index(i); f.Get("name").String() == name {
			return f
		}
	}
	t.Fatalf("no field %q", name)
	return js.Undefined()
}

// problemTexts lists the text of each problem of an explainFrame result.
func problemTexts(e js.Value) []string {
	var out []string
	p := e.Get("problems")
	for i := range p.Length() {
		out = append(out, p.Index(i).Get("text").String())
	}
	return out
}

func ruleTexts(rules ...core.Rule) []string {
	var out []string
	for _, r := range rules {
		out = append(out, r.Text)
	}
	return out
}

func TestAccept(t *testing.T) {
	tests := []struct {
		name, key, want string
	}{
		{"RFC 6455 §1.3 sample", rfcKey, rfcAccept},
		{"another valid key", "x3JJHMbDL1EzLkh9GBhXDw==", "HSmrc0sMlYUkAGmm5OPpG2HaGWk="},
		{"invalid key: computed anyway", "abc", core.Accept("abc")},
		{"empty key", "", core.Accept("")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := noError(t, call(t, "accept", tc.key))
			if got.Type() != js.TypeString || got.String() != tc.want {
				t.Errorf("accept(%q) = %v, want %q", tc.key, got, tc.want)
			}
		})
	}
}

func TestAcceptSteps(t *testing.T) {
	tests := []struct {
		name, key    string
		keyBytes     string // hex; "" to skip
		sha1Hex      string // "" to compare with the core
		problemRule  *core.Rule
		problemState int
	}{
		{name: "RFC 6455 §1.3 sample", key: rfcKey, keyBytes: hex.EncodeToString([]byte("the sample nonce")), sha1Hex: rfcSHA1},
		{name: "not base64", key: "not a key!", problemRule: &core.RuleKeyLength, problemState: 400},
		{name: "15 bytes", key: "dGhlIHNhbXBsZSBub25j", problemRule: &core.RuleKeyLength, problemState: 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := noError(t, call(t, "acceptSteps", tc.key))
			want := core.AcceptSteps(tc.key)
			if s.Get("key").String() != tc.key || s.Get("guid").String() != core.GUID ||
				s.Get("concatenated").String() != tc.key+core.GUID || s.Get("accept").String() != want.Accept {
				t.Errorf("key %q guid %q concatenated %q accept %q", s.Get("key"), s.Get("guid"), s.Get("concatenated"), s.Get("accept"))
			}
			if tc.keyBytes != "" && hex.EncodeToString(goBytes(t, s.Get("keyBytes"))) != tc.keyBytes {
				t.Errorf("keyBytes % x", goBytes(t, s.Get("keyBytes")))
			}
			sum := goBytes(t, s.Get("sha1"))
			wantHex := tc.sha1Hex
			if wantHex == "" {
				wantHex = want.SHA1Hex
			}
			if hex.EncodeToString(sum) != wantHex || s.Get("sha1Hex").String() != wantHex {
				t.Errorf("sha1 % x / %s, want %s", sum, s.Get("sha1Hex"), wantHex)
			}
			p := s.Get("keyProblem")
			if tc.problemRule == nil {
				if !p.IsNull() {
					t.Errorf("keyProblem %s, want null", p.Get("message"))
				}
				return
			}
			if p.Type() != js.TypeObject || p.Get("rule").String() != tc.problemRule.Text ||
				p.Get("section").String() != tc.problemRule.Section || p.Get("source").String() != "RFC 6455 §4.2.1" ||
				p.Get("status").Int() != tc.problemState || !strings.Contains(p.Get("message").String(), tc.problemRule.Text) {
				t.Errorf("keyProblem %v %v %v %v", p.Get("rule"), p.Get("section"), p.Get("status"), p.Get("message"))
			}
		})
	}
}

func TestNewKey(t *testing.T) {
	a, b := call(t, "newKey").String(), call(t, "newKey").String()
	if core.CheckKey(a) != nil || a == b {
		t.Errorf("newKey gave %q then %q", a, b)
	}
	if s := call(t, "acceptSteps", a); !s.Get("keyProblem").IsNull() {
		t.Errorf("a fresh key has a problem: %s", s.Get("keyProblem").Get("message"))
	}
}

func TestExplainFrameRFCMaskedHello(t *testing.T) {
	wire := unhexT(t, rfcMaskedHello)
	inputs := []struct {
		name string
		in   any
	}{
		{"spaced hex", rfcMaskedHello},
		{"compact hex", "818537fa213d7f9f4d5158"},
		{"0x groups across lines", "0x81 0x85\n0x37FA213D\r\n\t7f 9f 4d 51 58\n"},
		{"commas and colons", "81,85,37:fa:21:3d, 7f 9f 4d 51 58"},
		{"Uint8Array", uint8Array(wire)},
		{"array of numbers", []any{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}},
		{"{hex}", map[string]any{"hex": rfcMaskedHello}},
	}
	for _, in := range inputs {
		t.Run(in.name, func(t *testing.T) {
			e := noError(t, call(t, "explainFrame", in.in, "server"))
			if e.Get("text").String() != "Hello" || !e.Get("complete").Bool() || e.Get("rest").Int() != 0 ||
				e.Get("headerSize").Int() != 6 || e.Get("size").Int() != 11 || e.Get("missing").Int() != 0 {
				t.Errorf("text %q complete %v rest %v headerSize %v size %v", e.Get("text"), e.Get("complete"), e.Get("rest"), e.Get("headerSize"), e.Get("size"))
			}
			if got := goBytes(t, e.Get("unmasked")); string(got) != "Hello" {
				t.Errorf("unmasked %q", got)
			}
			if got := goBytes(t, e.Get("payload")); !bytes.Equal(got, wire[6:]) {
				t.Errorf("payload % x", got)
			}
			if e.Get("payloadHex").String() != "7f 9f 4d 51 58" {
				t.Errorf("payloadHex %q", e.Get("payloadHex"))
			}
			if got := goBytes(t, e.Get("bytes")); !bytes.Equal(got, wire) {
				t.Errorf("bytes % x", got)
			}
			h := e.Get("header")
			if !h.Get("fin").Bool() || h.Get("opcode").Int() != 1 || h.Get("opcodeName").String() != "text" ||
				!h.Get("mask").Bool() || h.Get("length").Int() != 5 || h.Get("lengthText").String() != "5" ||
				h.Get("keyHex").String() != "37 fa 21 3d" || h.Get("rsv").Int() != 0 || h.Get("control").Bool() {
				t.Errorf("header %v", js.Global().Get("JSON").Call("stringify", h))
			}
			if k := goBytes(t, h.Get("key")); !bytes.Equal(k, []byte{0x37, 0xfa, 0x21, 0x3d}) {
				t.Errorf("header.key % x", k)
			}
			mk := field(t, e, "Masking-key")
			if mk.Get("value").String() != "0x37fa213d" || mk.Get("offset").Int() != 2 || mk.Get("size").Int() != 4 ||
				mk.Get("bitOffset").Int() != 16 || mk.Get("bits").Int() != 32 || mk.Get("raw").String() != "00110111111110100010000100111101" {
				t.Errorf("Masking-key field %v", js.Global().Get("JSON").Call("stringify", mk))
			}
			if pd := field(t, e, "Payload Data"); pd.Get("value").String() != `"Hello"` || pd.Get("meaning").String() == "" {
				t.Errorf("Payload Data field %v", js.Global().Get("JSON").Call("stringify", pd))
			}
			if e.Get("fields").Length() != 9 || e.Get("problems").Length() != 0 || e.Get("code").Int() != 0 || e.Get("codeName").String() != "" {
				t.Errorf("%d fields, problems %v, code %v", e.Get("fields").Length(), problemTexts(e), e.Get("code"))
			}
		})
	}
}

func TestExplainFrameProblems(t *testing.T) {
	tests := []struct {
		name, hex, receiver string
		want                []string
		code                int
	}{
		{"fragmented ping with RSV1, unmasked, to a server", "49 00", "server",
			ruleTexts(core.RuleReservedBits, core.RuleControlFinal, core.RuleClientMasks), 1002},
		{"masked frame to a client", rfcMaskedHello, "client", ruleTexts(core.RuleServerNoMask), 1002},
		{"receiver defaults to server", "81 05 48 65 6c 6c 6f", "", ruleTexts(core.RuleClientMasks), 1002},
		{"invalid UTF-8", "81 02 c0 af", "client", ruleTexts(core.RuleInvalidUTF8), 1007},
		{"valid close", "88 04 03 e8 6f 6b", "client", nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := []any{tc.hex}
			if tc.receiver != "" {
				args = append(args, tc.receiver)
			}
			e := noError(t, call(t, "explainFrame", args...))
			if got := problemTexts(e); !slices.Equal(got, tc.want) || e.Get("code").Int() != tc.code {
				t.Errorf("problems %q code %v, want %q code %d", got, e.Get("code"), tc.want, tc.code)
			}
			if tc.code != 0 {
				if name := e.Get("codeName").String(); name != core.StatusCode(tc.code).Name() {
					t.Errorf("codeName %q", name)
				}
				p := e.Get("problems").Index(0)
				if p.Get("section").String() == "" || !strings.HasPrefix(p.Get("source").String(), "RFC") ||
					!strings.HasSuffix(p.Get("cite").String(), "("+p.Get("source").String()+")") {
					t.Errorf("problem %v", js.Global().Get("JSON").Call("stringify", p))
				}
			}
			if e.Get("fields").Length() == 0 {
				t.Error("an invalid frame must still be explained field by field")
			}
		})
	}
}

// TestExplainFrameDeflateOption: the optional fourth argument says
// permessage-deflate was negotiated; RSV1 then marks a compressed message
// (RFC 7692 §6.1) instead of breaking §5.2, and old calls are unchanged.
func TestExplainFrameDeflateOption(t *testing.T) {
	hello := "c1 07 f2 48 cd c9 c9 07 00" // RFC 7692 §7.2.3.1
	tests := []struct {
		name       string
		args       []any
		want       []string
		compressed bool
	}{
		{"no options: RSV1 breaks §5.2", []any{hello, "client"}, ruleTexts(core.RuleReservedBits, core.RuleInvalidUTF8), false},
		{"deflate false", []any{hello, "client", "en", map[string]any{"deflate": false}}, ruleTexts(core.RuleReservedBits, core.RuleInvalidUTF8), false},
		{"deflate true", []any{hello, "client", "en", map[string]any{"deflate": true}}, nil, true},
		{"deflate true, RSV1 on a ping", []any{"c9 00", "client", "zh", map[string]any{"deflate": true}}, ruleTexts(core.RuleCompressedBit), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := noError(t, call(t, "explainFrame", tc.args...))
			if got := problemTexts(e); !slices.Equal(got, tc.want) {
				t.Errorf("problems %q, want %q", got, tc.want)
			}
			if e.Get("compressed").Bool() != tc.compressed {
				t.Errorf("compressed %v", e.Get("compressed"))
			}
		})
	}
	d := noError(t, call(t, "decodeFrames", hello, "client", "en", map[string]any{"deflate": true}))
	if f := d.Get("frames").Index(0); !f.Get("compressed").Bool() || f.Get("problems").Length() != 0 {
		t.Errorf("decodeFrames with deflate: %v", js.Global().Get("JSON").Call("stringify", f))
	}
	if e := call(t, "explainFrame", hello, "client", "en", "deflate"); e.Get("error").IsUndefined() {
		t.Error("options that are not an object must be an argument error")
	}
}

func TestExplainFramePartial(t *testing.T) {
	tests := []struct {
		hex        string
		headerSize int
		missing    int
		text       string
		header     bool
	}{
		{"", 0, 2, "", false},
		{"81", 0, 1, "", false},
		{"81 85 37 fa", 0, 2, "", false},
		{"81 85 37 fa 21 3d 7f 9f", 6, 3, "He", true},
	}
	for _, tc := range tests {
		e := noError(t, call(t, "explainFrame", tc.hex, "server"))
		if e.Get("complete").Bool() || e.Get("headerSize").Int() != tc.headerSize || e.Get("missing").Int() != tc.missing ||
			e.Get("text").String() != tc.text || e.Get("header").IsNull() == tc.header {
			t.Errorf("%q: complete %v headerSize %v missing %v text %q header %v", tc.hex, e.Get("complete"),
				e.Get("headerSize"), e.Get("missing"), e.Get("text"), e.Get("header"))
		}
	}
}

func TestBuildFrame(t *testing.T) {
	long := strings.Repeat("x", 300)
	tests := []struct {
		name     string
		opts     map[string]any
		wantHex  string // "" to skip
		receiver string
		payload  string
		problems []string
	}{
		{"RFC 6455 §5.7 masked Hello",
			map[string]any{"fin": true, "opcode": 1, "mask": true, "key": "37 fa 21 3d", "payload": "Hello"},
			rfcMaskedHello, "server", "Hello", nil},
		{"RFC 6455 §5.7 unmasked Hello, defaults",
			map[string]any{"payload": "Hello"}, "81 05 48 65 6c 6c 6f", "client", "Hello", nil},
		{"key as Uint8Array, opcode by name, payload as {hex}",
			map[string]any{"opcode": "binary", "mask": true, "key": uint8Array([]byte{1, 2, 3, 4}), "payload": map[string]any{"hex": "00 ff"}},
			"82 82 01 02 03 04 01 fd", "server", "\x00\xff", nil},
		{"16-bit length", map[string]any{"opcode": 2, "payload": long}, "", "client", long, nil},
		{"first fragment", map[string]any{"fin": false, "opcode": 1, "payload": "Hel"}, "01 03 48 65 6c", "client", "Hel", nil},
		{"invalid on purpose: RSV1 set, fragmented ping, unmasked to a server",
			map[string]any{"fin": false, "rsv1": true, "opcode": "ping"}, "49 00", "server", "",
			ruleTexts(core.RuleReservedBits, core.RuleControlFinal, core.RuleClientMasks)},
		{"invalid on purpose: reserved opcode, rsv as a number",
			map[string]any{"opcode": 3, "rsv": 7}, "f3 00", "client", "", ruleTexts(core.RuleReservedBits, core.RuleReservedOpcode)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := noError(t, call(t, "buildFrame", tc.opts))
			b := goBytes(t, f.Get("bytes"))
			if f.Get("hex").String() != spacedHex(b) {
				t.Errorf("hex %q does not match bytes % x", f.Get("hex"), b)
			}
			if tc.wantHex != "" && f.Get("hex").String() != tc.wantHex {
				t.Errorf("hex %q, want %q", f.Get("hex"), tc.wantHex)
			}
			// It decodes back, from the bytes and from the hex.
			for _, in := range []any{f.Get("bytes"), f.Get("hex")} {
				e := noError(t, call(t, "explainFrame", in, tc.receiver))
				if !e.Get("complete").Bool() || e.Get("rest").Int() != 0 || e.Get("headerSize").Int() != f.Get("headerSize").Int() {
					t.Fatalf("complete %v rest %v headerSize %v/%v", e.Get("complete"), e.Get("rest"), e.Get("headerSize"), f.Get("headerSize"))
				}
				if got := string(goBytes(t, e.Get("unmasked"))); got != tc.payload {
					t.Errorf("decoded payload %q, want %q", got, tc.payload)
				}
				if got := problemTexts(e); !slices.Equal(got, tc.problems) {
					t.Errorf("problems %q, want %q", got, tc.problems)
				}
			}
		})
	}
}

func TestBuildFrameLengthOverride(t *testing.T) {
	// A header that promises more than the payload: the frame lab shows an
	// incomplete frame.
	f := noError(t, call(t, "buildFrame", map[string]any{"opcode": 2, "payload": "abc", "length": 10}))
	if f.Get("hex").String() != "82 0a 61 62 63" {
		t.Errorf("hex %q", f.Get("hex"))
	}
	e := call(t, "explainFrame", f.Get("bytes"), "client")
	if e.Get("complete").Bool() || e.Get("missing").Int() != 7 {
		t.Errorf("complete %v missing %v", e.Get("complete"), e.Get("missing"))
	}
	// The top bit of a 64-bit length, as a decimal string.
	f = noError(t, call(t, "buildFrame", map[string]any{"opcode": 2, "length": "9223372036854775808"}))
	if f.Get("hex").String() != "82 7f 80 00 00 00 00 00 00 00" {
		t.Errorf("hex %q", f.Get("hex"))
	}
	e = call(t, "explainFrame", f.Get("hex"), "client")
	if got := problemTexts(e); !slices.Equal(got, ruleTexts(core.RuleLengthTopBit)) ||
		e.Get("header").Get("lengthText").String() != "9223372036854775808" {
		t.Errorf("problems %q lengthText %v", got, e.Get("header").Get("lengthText"))
	}
}

func TestDecodeFrames(t *testing.T) {
	// RFC 6455 §5.7: a fragmented unmasked text message, then a masked Hello,
	// then the first 3 bytes of an unmasked ping.
	buf := unhexT(t, "01 03 48 65 6c"+"80 02 6c 6f"+strings.ReplaceAll(rfcMaskedHello, " ", "")+"89 05 48")
	d := noError(t, call(t, "decodeFrames", uint8Array(buf), "client"))
	frames := d.Get("frames")
	wantOffsets := []int{0, 5, 9}
	wantTexts := []string{"Hel", "lo", "Hello"}
	if frames.Length() != 3 {
		t.Fatalf("%d frames, want 3", frames.Length())
	}
	for i := range 3 {
		f := frames.Index(i)
		if f.Get("offset").Int() != wantOffsets[i] || f.Get("text").String() != wantTexts[i] || !f.Get("complete").Bool() {
			t.Errorf("frame %d: offset %v text %q complete %v", i, f.Get("offset"), f.Get("text"), f.Get("complete"))
		}
	}
	// An unmasked frame has no key.
	if h := frames.Index(0).Get("header"); !h.Get("key").IsNull() || h.Get("keyHex").String() != "" {
		t.Errorf("unmasked frame: key %v keyHex %q", h.Get("key"), h.Get("keyHex"))
	}
	// The masked frame breaks the client's rule, and says so.
	if got := problemTexts(frames.Index(2)); !slices.Equal(got, ruleTexts(core.RuleServerNoMask)) {
		t.Errorf("frame 2 problems %q", got)
	}
	inc := d.Get("incomplete")
	if inc.IsNull() || inc.Get("offset").Int() != 20 || inc.Get("missing").Int() != 4 || inc.Get("text").Type() != js.TypeString {
		t.Errorf("incomplete %v", js.Global().Get("JSON").Call("stringify", inc))
	}
	if d.Get("consumed").Int() != 20 || !bytes.Equal(goBytes(t, d.Get("rest")), buf[20:]) {
		t.Errorf("consumed %v rest % x", d.Get("consumed"), goBytes(t, d.Get("rest")))
	}
	// Nothing left over.
	d = noError(t, call(t, "decodeFrames", "", "client"))
	if d.Get("frames").Length() != 0 || !d.Get("incomplete").IsNull() || d.Get("consumed").Int() != 0 {
		t.Errorf("empty buffer: %v", js.Global().Get("JSON").Call("stringify", d))
	}
}

func TestMaskSteps(t *testing.T) {
	tests := []struct {
		key     any
		keyB    [4]byte
		payload any
		in      string
		pos     any
		posI    int
	}{
		{"37 fa 21 3d", [4]byte{0x37, 0xfa, 0x21, 0x3d}, "Hello", "Hello", nil, 0},
		{"0x37fa213d", [4]byte{0x37, 0xfa, 0x21, 0x3d}, "Hello, masking!", "Hello, masking!", 1, 1},
		{uint8Array([]byte{1, 2, 3, 4}), [4]byte{1, 2, 3, 4}, uint8Array([]byte{0, 0, 0, 0, 0xff}), "\x00\x00\x00\x00\xff", 3, 3},
		{[]any{0xde, 0xad, 0xbe, 0xef}, [4]byte{0xde, 0xad, 0xbe, 0xef}, map[string]any{"hex": "00 11 22"}, "\x00\x11\x22", 2, 2},
		{"01020304", [4]byte{1, 2, 3, 4}, "", "", 0, 0},
	}
	for _, tc := range tests {
		args := []any{tc.key, tc.payload}
		if tc.pos != nil {
			args = append(args, tc.pos)
		}
		s := noError(t, call(t, "maskSteps", args...))
		rows := s.Get("rows")
		if rows.Length() != len(tc.in) {
			t.Fatalf("%q: %d rows", tc.in, rows.Length())
		}
		var masked []byte
		for i := range len(tc.in) {
			r := rows.Index(i)
			j := (tc.posI + i) % 4
			in, kb := tc.in[i], tc.keyB[j]
			if r.Get("index").Int() != i || r.Get("keyIndex").Int() != j || r.Get("keyByte").Int() != int(kb) ||
				r.Get("in").Int() != int(in) || r.Get("out").Int() != int(in^kb) ||
				r.Get("char").String() != core.DescribeByte(in^kb) || r.Get("inChar").String() != core.DescribeByte(in) {
				t.Errorf("%q row %d: %v", tc.in, i, js.Global().Get("JSON").Call("stringify", r))
			}
			masked = append(masked, in^kb)
		}
		if got := goBytes(t, s.Get("masked")); !bytes.Equal(got, masked) || s.Get("maskedHex").String() != spacedHex(masked) {
			t.Errorf("%q: masked % x / %q, want % x", tc.in, got, s.Get("maskedHex"), masked)
		}
		if s.Get("next").Int() != (tc.posI+len(tc.in))%4 {
			t.Errorf("%q: next %v", tc.in, s.Get("next"))
		}
		// mask() gives the same bytes, and masking twice gives the input.
		m := noError(t, call(t, "mask", tc.key, s.Get("masked"), tc.posI))
		if got := goBytes(t, m.Get("bytes")); string(got) != tc.in || m.Get("next").Int() != s.Get("next").Int() {
			t.Errorf("%q: masking twice gave %q, next %v", tc.in, got, m.Get("next"))
		}
	}
}

func TestMaskHexAndMissingBytes(t *testing.T) {
	m := noError(t, call(t, "mask", "37 fa 21 3d", "48 65 6c 6c 6f"))
	if m.Get("hex").String() != "7f 9f 4d 51 58" || m.Get("next").Int() != 1 {
		t.Errorf("mask: %q next %v", m.Get("hex"), m.Get("next"))
	}
	m = noError(t, call(t, "mask", "37 fa 21 3d"))
	if m.Get("bytes").Length() != 0 || m.Get("next").Int() != 0 {
		t.Errorf("mask of nothing: %v", js.Global().Get("JSON").Call("stringify", m))
	}
}

// The request of RFC 6455 §1.2.
const rfcRequest = "GET /chat HTTP/1.1\r\n" +
	"Host: server.example.com\r\n" +
	"Upgrade: websocket\r\n" +
	"Connection: Upgrade\r\n" +
	"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
	"Origin: http://example.com\r\n" +
	"Sec-WebSocket-Protocol: chat, superchat\r\n" +
	"Sec-WebSocket-Version: 13\r\n" +
	"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n" +
	"\r\n"

func TestParseRequest(t *testing.T) {
	tests := []struct {
		name, text   string
		opts         any
		method       string
		status       int // 0: no problem
		rule         *core.Rule
		responseHas  []string
		missingEmpty bool
	}{
		{"RFC 6455 §1.2", rfcRequest, nil, "GET", 0, nil,
			[]string{"HTTP/1.1 101 Switching Protocols\r\n", "Sec-WebSocket-Accept: " + rfcAccept + "\r\n"}, false},
		{"subprotocol chosen", rfcRequest, map[string]any{"protocols": []any{"superchat"}}, "GET", 0, nil,
			[]string{"Sec-WebSocket-Protocol: superchat\r\n"}, false},
		{"LF only, no empty line", strings.ReplaceAll(strings.TrimSuffix(rfcRequest, "\r\n"), "\r\n", "\n"), nil, "GET", 0, nil,
			[]string{"HTTP/1.1 101 "}, true},
		{"version 8", strings.Replace(rfcRequest, "Version: 13", "Version: 8", 1), nil, "GET", 426, &core.RuleVersion,
			[]string{"HTTP/1.1 426 Upgrade Required\r\n", "Sec-WebSocket-Version: 13\r\n"}, false},
		{"POST", strings.Replace(rfcRequest, "GET", "POST", 1), nil, "POST", 405, &core.RuleMethodGet,
			[]string{"HTTP/1.1 405 "}, false},
		{"bad request line", "hello\r\n\r\n", nil, "", 400, &core.RuleRequestLine, []string{"HTTP/1.1 400 Bad Request\r\n"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := []any{tc.text}
			if tc.opts != nil {
				args = append(args, tc.opts)
			}
			r := noError(t, call(t, "parseRequest", args...))
			if r.Get("method").String() != tc.method || r.Get("missingEmptyLine").Bool() != tc.missingEmpty {
				t.Errorf("method %q missingEmptyLine %v", r.Get("method"), r.Get("missingEmptyLine"))
			}
			p := r.Get("problem")
			if tc.rule == nil {
				if !p.IsNull() {
					t.Fatalf("problem %s", p.Get("message"))
				}
				if r.Get("target").String() != "/chat" || r.Get("proto").String() != "HTTP/1.1" ||
					r.Get("key").String() != rfcKey || r.Get("accept").String() != rfcAccept {
					t.Errorf("target %q proto %q key %q accept %q", r.Get("target"), r.Get("proto"), r.Get("key"), r.Get("accept"))
				}
				h := r.Get("headers")
				if h.Length() != 8 || h.Index(0).Get("name").String() != "Host" || h.Index(0).Get("value").String() != "server.example.com" {
					t.Errorf("headers %v", js.Global().Get("JSON").Call("stringify", h))
				}
				if ps := r.Get("protocols"); ps.Length() != 2 || ps.Index(1).String() != "superchat" {
					t.Errorf("protocols %v", js.Global().Get("JSON").Call("stringify", ps))
				}
				if ex := r.Get("extensions"); ex.Length() != 1 || ex.Index(0).Get("name").String() != "permessage-deflate" ||
					ex.Index(0).Get("params").Index(0).Get("name").String() != "client_max_window_bits" {
					t.Errorf("extensions %v", js.Global().Get("JSON").Call("stringify", ex))
				}
			} else if p.Type() != js.TypeObject || p.Get("status").Int() != tc.status || p.Get("rule").String() != tc.rule.Text ||
				p.Get("section").String() != tc.rule.Section {
				t.Errorf("problem %v, want status %d rule %q", js.Global().Get("JSON").Call("stringify", p), tc.status, tc.rule.Text)
			}
			for _, s := range tc.responseHas {
				if !strings.Contains(r.Get("response").String(), s) {
					t.Errorf("response %q lacks %q", r.Get("response"), s)
				}
			}
		})
	}
}

func TestBuildRequestAndVerifyResponse(t *testing.T) {
	text := noError(t, call(t, "buildRequest", map[string]any{
		"host": "127.0.0.1:8080", "target": "/ws/echo", "key": rfcKey, "origin": "http://127.0.0.1:8080",
		"protocols": []any{"chat"}, "headers": []any{map[string]any{"name": "X-Lesson", "value": "1"}},
	}))
	for _, line := range []string{"GET /ws/echo HTTP/1.1\r\n", "Host: 127.0.0.1:8080\r\n", "Sec-WebSocket-Key: " + rfcKey + "\r\n",
		"Sec-WebSocket-Version: 13\r\n", "Origin: http://127.0.0.1:8080\r\n", "Sec-WebSocket-Protocol: chat\r\n", "X-Lesson: 1\r\n"} {
		if !strings.Contains(text.String(), line) {
			t.Errorf("request %q lacks %q", text, line)
		}
	}
	// The server side accepts it, and the client side accepts the answer.
	r := noError(t, call(t, "parseRequest", text, map[string]any{"protocols": "chat"}))
	if !r.Get("problem").IsNull() {
		t.Fatalf("problem %s", r.Get("problem").Get("message"))
	}
	resp := r.Get("response").String()
	if p := call(t, "verifyResponse", resp, rfcKey, map[string]any{"protocols": []any{"chat"}}); !p.IsNull() {
		t.Errorf("verifyResponse: %v", js.Global().Get("JSON").Call("stringify", p))
	}
	// A generated key when none is given.
	gen := noError(t, call(t, "buildRequest", map[string]any{"host": "h"})).String()
	if !strings.Contains(gen, "GET / HTTP/1.1\r\n") || !strings.Contains(gen, "Sec-WebSocket-Key: ") {
		t.Errorf("request %q", gen)
	}

	tests := []struct {
		name, text, key string
		offered         any
		rule            core.Rule
		status          int
	}{
		{"another key", resp, "x3JJHMbDL1EzLkh9GBhXDw==", nil, core.RuleAcceptValue, 101},
		{"protocol not offered", resp, rfcKey, nil, core.RuleResponseProtocol, 101},
		{"refused", "HTTP/1.1 403 Forbidden\r\n\r\n", rfcKey, nil, core.RuleStatus101, 403},
		{"not HTTP", "hello", rfcKey, nil, core.RuleStatusLine, 0},
	}
	for _, tc := range tests {
		args := []any{tc.text, tc.key}
		if tc.offered != nil {
			args = append(args, tc.offered)
		}
		p := noError(t, call(t, "verifyResponse", args...))
		if p.Type() != js.TypeObject || p.Get("rule").String() != tc.rule.Text || p.Get("status").Int() != tc.status {
			t.Errorf("%s: problem %v, want %q", tc.name, js.Global().Get("JSON").Call("stringify", p), tc.rule.Text)
		}
	}
	if p := call(t, "verifyResponse", "", rfcKey); p.Type() != js.TypeObject || !strings.Contains(p.Get("message").String(), "empty") {
		t.Errorf("empty response: %v", js.Global().Get("JSON").Call("stringify", p))
	}
}

func TestClose(t *testing.T) {
	c := noError(t, call(t, "closePayload", 1000, "bye"))
	if c.Get("hex").String() != "03 e8 62 79 65" {
		t.Errorf("closePayload hex %q", c.Get("hex"))
	}
	if c := noError(t, call(t, "closePayload", 1005)); c.Get("bytes").Length() != 0 {
		t.Errorf("1005 gives %q, want an empty body", c.Get("hex"))
	}
	tests := []struct {
		in     any
		code   int
		reason string
		rule   *core.Rule
		close  int
	}{
		{c.Get("bytes"), 1000, "bye", nil, 0},
		{"", 1005, "", nil, 0},
		{"03", 0, "", &core.RuleCloseLength, 1002},
		{"03 ed", 1005, "", &core.RuleCloseCode, 1002},
		{"03 e8 c0 af", 1000, "", &core.RuleCloseReasonUTF8, 1007},
	}
	for _, tc := range tests {
		p := noError(t, call(t, "parseClose", tc.in))
		if p.Get("code").Int() != tc.code || p.Get("reason").String() != tc.reason ||
			p.Get("codeName").String() != codeName(core.StatusCode(tc.code), core.LangEN) {
			t.Errorf("%v: %v", tc.in, js.Global().Get("JSON").Call("stringify", p))
		}
		pr := p.Get("problem")
		if tc.rule == nil && !pr.IsNull() || tc.rule != nil && (pr.Get("rule").String() != tc.rule.Text || pr.Get("code").Int() != tc.close ||
			pr.Get("rules").Length() != 1) {
			t.Errorf("%v: problem %v", tc.in, js.Global().Get("JSON").Call("stringify", pr))
		}
	}
	for code, valid := range map[int]bool{1000: true, 1005: false, 1006: false, 3000: true, 999: false} {
		s := noError(t, call(t, "statusCode", code))
		if s.Get("validOnWire").Bool() != valid || s.Get("name").String() != core.StatusCode(code).Name() ||
			s.Get("text").String() != core.StatusCode(code).String() {
			t.Errorf("statusCode(%d): %v", code, js.Global().Get("JSON").Call("stringify", s))
		}
	}
}

// TestErrorsAreValues: every mistake a caller can make comes back as
// {error: {...}} naming the function and the argument, and the module keeps
// working afterwards.
func TestErrorsAreValues(t *testing.T) {
	tests := []struct {
		fn       string
		args     []any
		argument string
		words    string
	}{
		{"accept", nil, "key", "missing"},
		{"accept", []any{42}, "key", "must be a string, got a number"},
		{"acceptSteps", []any{uint8Array(nil)}, "key", "got a Uint8Array"},
		{"explainFrame", nil, "bytes", "missing"},
		{"explainFrame", []any{"81 8g"}, "bytes", `"g" at character 5`},
		{"explainFrame", []any{"0x1"}, "bytes", "odd number of hex digits"},
		{"explainFrame", []any{"81 850"}, "bytes", `"850" has an odd number`},
		{"explainFrame", []any{"81 é"}, "bytes", `"é" at character 4`},
		{"explainFrame", []any{true}, "bytes", "got a boolean"},
		{"explainFrame", []any{[]any{1, 256}}, "bytes[1]", "from 0 to 255"},
		{"explainFrame", []any{"81 00", "browser"}, "receiver", `must be "server" or "client"`},
		{"decodeFrames", []any{map[string]any{"hex": "zz"}}, "bytes.hex", "not hex"},
		{"buildFrame", []any{"81 00"}, "options", "must be an object, got a string"},
		{"buildFrame", []any{map[string]any{"opcode": 16}}, "opcode", "from 0 to 15"},
		{"buildFrame", []any{map[string]any{"opcode": "texte"}}, "opcode", "unknown opcode name"},
		{"buildFrame", []any{map[string]any{"fin": "yes"}}, "fin", "true or false"},
		{"buildFrame", []any{map[string]any{"mask": true}}, "key", "needs a 4-byte masking key"},
		{"buildFrame", []any{map[string]any{"mask": true, "key": "01 02"}}, "key", "4 bytes"},
		{"buildFrame", []any{map[string]any{"length": -1}}, "length", "whole number"},
		{"buildFrame", []any{map[string]any{"payload": 5}}, "payload", "got a number"},
		{"maskSteps", []any{"zz", "a"}, "key", "not hex"},
		{"maskSteps", []any{"01020304", "a", 1.5}, "pos", "whole number from 0 to 3"},
		{"mask", []any{"01020304", "a"}, "bytes", "not hex"},
		{"parseRequest", []any{js.Null()}, "text", "missing"},
		{"parseRequest", []any{"GET / HTTP/1.1", 7}, "options", "must be an object"},
		{"buildRequest", []any{map[string]any{"protocols": 3}}, "protocols", "array of strings"},
		{"buildRequest", []any{map[string]any{"headers": []any{map[string]any{"value": "x"}}}}, "headers[0].name", "missing"},
		{"verifyResponse", []any{"HTTP/1.1 101 OK\r\n\r\n"}, "key", "missing"},
		{"closePayload", []any{70000}, "code", "from 0 to 65535"},
		{"closePayload", nil, "code", "missing"},
		{"parseClose", []any{"03 e"}, "bytes", "odd number"},
		{"statusCode", []any{"1000"}, "code", "must be a number"},
	}
	for _, tc := range tests {
		t.Run(tc.fn+"/"+tc.argument, func(t *testing.T) {
			v := call(t, tc.fn, tc.args...)
			if !isError(v) {
				t.Fatalf("want an error value, got %v", js.Global().Get("JSON").Call("stringify", v))
			}
			e := v.Get("error")
			msg := e.Get("message").String()
			if e.Get("function").String() != tc.fn || e.Get("argument").String() != tc.argument ||
				!strings.Contains(msg, tc.words) || !strings.HasPrefix(msg, "wsplay."+tc.fn+": "+tc.argument+": ") {
				t.Errorf("error %v, want argument %q and %q", js.Global().Get("JSON").Call("stringify", e), tc.argument, tc.words)
			}
			// Still alive.
			if got := call(t, "accept", rfcKey); got.String() != rfcAccept {
				t.Fatalf("after the error, accept gave %v", got)
			}
		})
	}
}

// TestPanicBecomesErrorValue: a panic inside a function (a bug) comes back
// as an error value, and the module keeps working.
func TestPanicBecomesErrorValue(t *testing.T) {
	f := wrap("boom", func(a *args) any {
		var b []byte
		return b[3] // index out of range
	})
	defer f.Release()
	v := f.Invoke()
	if !isError(v) || !strings.Contains(v.Get("error").Get("message").String(), "wsplay.boom: internal error: runtime error: index out of range") {
		t.Errorf("got %v", js.Global().Get("JSON").Call("stringify", v))
	}
	if got := call(t, "accept", rfcKey); got.String() != rfcAccept {
		t.Fatalf("after the panic, accept gave %v", got)
	}
}

func TestParseHex(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{"", "", ""},
		{"  \n", "", ""},
		{"81 85 37 fa", "818537fa", ""},
		{"8185 37FA", "818537fa", ""},
		{"0x81,0x85\r\n0X37fa", "818537fa", ""},
		{"81:85:37:fa", "818537fa", ""},
		{"0x", "", "odd number"},
		{"8", "", "odd number"},
		{"81 x5", "", `"x" at character 4`},
		{"81 0xg5", "", `"g" at character 6`},
		{"81 ff\n-1", "", `"-" at character 7`},
	}
	for _, tc := range tests {
		b, err := parseHex(tc.in)
		switch {
		case tc.err == "" && (err != nil || hex.EncodeToString(b) != tc.want):
			t.Errorf("parseHex(%q) = % x, %v; want %s", tc.in, b, err, tc.want)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("parseHex(%q) error %v, want %q", tc.in, err, tc.err)
		}
	}
}

func TestVersionAndExit(t *testing.T) {
	api := js.Global().Get("wsplay")
	if api.Get("version").Type() != js.TypeString || !strings.HasPrefix(api.Get("goVersion").String(), "go") {
		t.Errorf("version %v goVersion %v", api.Get("version"), api.Get("goVersion"))
	}
	before := exitCalls
	call(t, "exit")
	if exitCalls != before+1 {
		t.Errorf("wsplay.exit() did not reach main's exit function")
	}
	// Unregistering removes the object and releases the functions.
	unregister := register(nil)
	unregister()
	if !js.Global().Get("wsplay").IsUndefined() {
		t.Error("globalThis.wsplay is still there after unregister")
	}
	register(func() { exitCalls++ }) // for any test that runs after this one
}

// TestRulesCarryIDAndChinese: every rule the bridge returns has the core's
// stable id and its Chinese text, so the page can show it in either language.
func TestRulesCarryIDAndChinese(t *testing.T) {
	e := call(t, "explainFrame", "49 00", "server")
	problems := e.Get("problems")
	if problems.Length() == 0 {
		t.Fatal("no problems for a fragmented ping with RSV1")
	}
	first := problems.Index(0)
	if first.Get("id").String() != core.RuleReservedBits.ID || first.Get("textZh").String() != core.RuleReservedBits.TextIn("zh") {
		t.Errorf("first problem: id %v textZh %v", first.Get("id"), first.Get("textZh"))
	}
	p := call(t, "acceptSteps", "abc").Get("keyProblem")
	if p.Get("ruleId").String() != core.RuleKeyLength.ID || p.Get("ruleZh").String() != core.RuleKeyLength.TextIn("zh") {
		t.Errorf("keyProblem: ruleId %v ruleZh %v", p.Get("ruleId"), p.Get("ruleZh"))
	}
}

// TestLanguageArgument: the functions that return explanation text take a
// language as their last argument; without it they answer in English as
// before, and another language than en or zh is an argument error.
func TestLanguageArgument(t *testing.T) {
	const hello = "81 85 37 fa 21 3d 7f 9f 4d 51 58"
	for _, tc := range []struct {
		name string
		en   func(lang ...any) string
		core func(lang string) string
	}{
		{"explainFrame opcode meaning",
			func(l ...any) string {
				return call(t, "explainFrame", append([]any{hello, "server"}, l...)...).Get("fields").Index(4).Get("meaning").String()
			},
			func(lang string) string { return core.OpcodeMeaning(core.OpText, lang) }},
		{"decodeFrames payload meaning",
			func(l ...any) string {
				fs := call(t, "decodeFrames", append([]any{"88 02 03 e8", "client"}, l...)...).Get("frames").Index(0).Get("fields")
				return fs.Index(fs.Length() - 1).Get("meaning").String()
			},
			func(lang string) string {
				f := core.ExplainFrameIn([]byte{0x88, 0x02, 0x03, 0xe8}, core.Client, lang).Fields
				return f[len(f)-1].Meaning
			}},
		{"statusCode name",
			func(l ...any) string { return call(t, "statusCode", append([]any{1009}, l...)...).Get("name").String() },
			func(lang string) string { return core.StatusMessageTooBig.NameIn(lang) }},
		{"parseClose codeName",
			func(l ...any) string {
				return call(t, "parseClose", append([]any{"03 ea"}, l...)...).Get("codeName").String()
			},
			func(lang string) string { return core.StatusProtocolError.NameIn(lang) }},
		{"acceptSteps step name",
			func(l ...any) string {
				return call(t, "acceptSteps", append([]any{"dGhlIHNhbXBsZSBub25jZQ=="}, l...)...).Get("steps").Index(4).Get("name").String()
			},
			func(lang string) string { return core.AcceptSteps("dGhlIHNhbXBsZSBub25jZQ==").Steps(lang)[4].Name }},
	} {
		if got, want := tc.en(), tc.core(core.LangEN); got != want {
			t.Errorf("%s without a language: %q, want %q", tc.name, got, want)
		}
		if got, want := tc.en("en"), tc.core(core.LangEN); got != want {
			t.Errorf("%s in en: %q, want %q", tc.name, got, want)
		}
		if got, want := tc.en("zh"), tc.core(core.LangZH); got != want || got == tc.core(core.LangEN) {
			t.Errorf("%s in zh: %q, want %q", tc.name, got, want)
		}
	}
	bad := call(t, "explainFrame", hello, "server", "fr")
	if e := bad.Get("error"); e.IsUndefined() || e.Get("argument").String() != "lang" {
		t.Errorf("explainFrame with lang fr: %v", js.Global().Get("JSON").Call("stringify", bad))
	}
}
