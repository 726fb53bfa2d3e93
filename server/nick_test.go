//go:build !js

package main

import (
	"strings"
	"testing"
)

// Nicknames that look like another, or hide characters, are refused with
// the rule they break; the rest are shown as typed (spaces tidied).
func TestCheckNick(t *testing.T) {
	for _, tc := range []struct {
		in, want, why string // why: a word of the refusal; "" when accepted
	}{
		{"Ada", "Ada", ""},
		{"  Ada   Lovelace ", "Ada Lovelace", ""},
		{"李雷", "李雷", ""},
		{"Zoë", "Zoë", ""},             // ë as one character
		{"José 🚀", "José 🚀", ""},       // an emoji is visible
		{"नमस्ते", "नमस्ते", ""},       // Devanagari needs its combining marks
		{"Ελένη", "Ελένη", ""},         // Greek alone
		{"Дмитрий", "Дмитрий", ""},     // Cyrillic alone
		{"guest-", "guest-", ""},       // not the server's pattern
		{"guests-12", "guests-12", ""}, // neither
		{"", "", "1 to 24"},            // empty
		{"   ", "", "1 to 24"},         // only spaces
		{strings.Repeat("a", 25), "", "1 to 24"},
		{"Ada\u200b", "", "U+200B"},      // zero width space
		{"\ufeffAda", "", "U+FEFF"},      // byte order mark
		{"\u202eadA", "", "U+202E"},      // right-to-left override
		{"Ada\u2066", "", "U+2066"},      // bidi isolate
		{"Ada\u00a0L", "", "U+00A0"},     // no-break space
		{"Ada\u3000L", "", "U+3000"},     // ideographic space
		{"\u3164Ada", "", "U+3164"},      // Hangul filler
		{"Ada\ufe0f", "", "U+FE0F"},      // variation selector
		{"Ada\x07", "", "U+0007"},        // bell
		{"Ada\ue000", "", "U+E000"},      // private use
		{"Ada\U000e0041", "", "U+E0041"}, // tag character
		{"Ade\u0301", "", "combining"},   // e + combining acute: looks like é
		{"\u0301Ada", "", "combining"},   // a mark with nothing before it
		{"Ada#2", "", `"#"`},             // the server's suffix
		{"#", "", `"#"`},
		{"guest-7", "", "guest-N"}, // the server's names
		{"GUEST-12", "", "guest-N"},
		{"\u0410da", "", "mixes"}, // Cyrillic А + Latin da
		{"Ada\xff", "", "UTF-8"},
		{"Ada\ufffd", "", "U+FFFD"},
	} {
		got, why := checkNick(tc.in)
		switch {
		case tc.why == "" && (why != "" || got != tc.want):
			t.Errorf("checkNick(%+q) = %q, %q; want %q accepted", tc.in, got, why, tc.want)
		case tc.why != "" && !strings.Contains(why, tc.why):
			t.Errorf("checkNick(%+q) = %q, %q; want a refusal naming %s", tc.in, got, why, tc.why)
		case len("chat: nickname: "+why) > 123:
			t.Errorf("checkNick(%+q): the close reason %q is longer than a close frame allows (RFC 6455 §5.5)", tc.in, why)
		}
	}
}

// Names equal but for case are the same name; the suffix counts up.
func TestUniqueNick(t *testing.T) {
	room := map[string]bool{}
	add := func(n string) string {
		got := uniqueNick(n, func(c string) bool { return room[nickKey(c)] })
		room[nickKey(got)] = true
		return got
	}
	for _, tc := range []struct{ in, want string }{
		{"Ada", "Ada"}, {"ada", "ada#2"}, {"ADA", "ADA#3"}, {"Bob", "Bob"}, {"Straße", "Straße"}, {"STRASSE", "STRASSE"},
	} {
		if got := add(tc.in); got != tc.want {
			t.Errorf("%q joined as %q, want %q", tc.in, got, tc.want)
		}
	}
}
