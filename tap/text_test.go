//go:build !js

package tap

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// Escape leaves nothing a terminal acts on, and keeps ordinary text,
// Chinese included, as it is.
func TestEscape(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"bye", "bye"},
		{"再见", "再见"},
		{"\x1b[2J", `\x1b[2J`},
		{"a\tb\r\nc", `a\tb\r\nc`},
		{"\x00\x7f", `\x00\x7f`},
		{"\u0085\u009b", `\u{0085}\u{009b}`},
		{"abc\u202egnp.exe", `abc\u{202e}gnp.exe`},
		{"\u2066x\u2069\u200f\u061c", `\u{2066}x\u{2069}\u{200f}\u{061c}`},
		{"\xff\xfe", `\xff\xfe`},
	} {
		if got := Escape(tc.in); got != tc.want {
			t.Errorf("Escape(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// A JSON line carries no character a terminal acts on, and still decodes
// to the exact text.
func TestMarshalJSONSafe(t *testing.T) {
	reason := "\x1b]0;pwned\x07 \u009b31m \u202eevil"
	line := MarshalJSON(Event{Type: "frame", From: "server", Frame: &Frame{Close: &CloseBody{Code: 1000, Reason: reason}}})
	for i, r := range string(line) {
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) {
			t.Fatalf("byte %d of the JSON line is %U: %s", i, r, line)
		}
	}
	var e Event
	if err := json.Unmarshal(line, &e); err != nil || e.Frame.Close.Reason != reason {
		t.Errorf("decoded %q (%v), want %q", e.Frame.Close.Reason, err, reason)
	}
	if !utf8.Valid(line) || strings.Contains(string(line), "\n") {
		t.Errorf("not one valid line: %q", line)
	}
}

func ExampleEscape() {
	fmt.Println(Escape("bye\x1b[2J\u202e"))
	// Output: bye\x1b[2J\u{202e}
}

// Colour is ANSI escapes around the printer's own words only: the bytes
// from the wire stay escaped.
func TestPrinterColor(t *testing.T) {
	var b strings.Builder
	p := &Printer{W: &b, Color: true}
	p.Emit(Event{Type: "frame", Session: 1, From: "server", Frame: &Frame{Seq: 1, Pieces: 1, OpcodeName: "close", Fin: true,
		Close: &CloseBody{Code: 1000, Name: "normal closure", Reason: "\x1b[2J"}, Wire: "8806" + "03e8" + "1b5b324a", HeaderLength: 2}})
	out := b.String()
	if !strings.Contains(out, "\x1b[1m#1") || !strings.Contains(out, `\x1b[2J`) {
		t.Errorf("coloured output:\n%q", out)
	}
	if strings.Contains(out, "\x1b[2J") {
		t.Errorf("the wire's escape reached the terminal: %q", out)
	}
}
