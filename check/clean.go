//go:build !js

package check

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Clean makes text that came from the server safe to print: every control
// character (C0 but tab and newline, DEL, C1), every bidirectional-text
// control (U+200E, U+200F, U+061C, U+202A–U+202E, U+2066–U+2069) and every
// invalid UTF-8 byte is written as a visible Go escape such as \x1b or
// \u202e. A hostile server's reason phrase or header value can then neither
// drive the learner's terminal (clear the screen, set the title, paint a
// fake green verdict) nor reorder the text around it. Package autobahn
// escapes what a server says with it too.
func Clean(s string) string {
	if !needsClean(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b.WriteString(`\x` + strconv.FormatUint(uint64(s[i]), 16))
		case unsafeRune(r):
			q := strconv.QuoteRuneToASCII(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func needsClean(s string) bool {
	if !utf8.ValidString(s) {
		return true
	}
	for _, r := range s {
		if unsafeRune(r) {
			return true
		}
	}
	return false
}

func unsafeRune(r rune) bool {
	switch {
	case r == '\t' || r == '\n':
		return false
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
		return true
	case r == 0x200e || r == 0x200f || r == 0x061c || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069):
		return true
	}
	return false
}

// cleanResult cleans every text of a result that can hold what the server
// sent. Run calls it once per result, after every change it makes to the
// result and before anyone sees it: the writers print what they get.
func cleanResult(r *Result) {
	r.Got = Clean(r.Got)
	r.Sent = Clean(r.Sent)
	r.Received = Clean(r.Received)
	r.Explanation = Clean(r.Explanation)
	r.Rule.Text = Clean(r.Rule.Text)
	r.Rule.TextZH = Clean(r.Rule.TextZH)
	for i := range r.SentFrames {
		r.SentFrames[i] = Clean(r.SentFrames[i])
	}
	for i := range r.ReceivedFrames {
		r.ReceivedFrames[i] = Clean(r.ReceivedFrames[i])
	}
}
