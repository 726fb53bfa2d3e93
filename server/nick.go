//go:build !js

package main

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Nicknames appear in the chat and on the class board, where a classmate
// reads them and trusts that two names that look alike are the same person.
// The standard library has no Unicode normalisation (NFC) and no confusable
// tables, so checkNick refuses what it cannot make safe instead of
// normalising it:
//
//   - leading and trailing spaces are dropped and runs of spaces become one
//     (the only normalisation done: it changes no letter);
//   - 1 to maxNick characters, valid UTF-8;
//   - no invisible characters: control (Cc) and format characters (Cf:
//     U+200B zero width space, U+FEFF, bidi controls such as U+202E), other
//     default-ignorable ones (Hangul fillers, variation selectors), spaces
//     other than U+0020, line and paragraph separators, private-use,
//     surrogate and unassigned code points, U+FFFD;
//   - no combining mark after a Latin, Greek or Cyrillic letter, digit or
//     symbol, nor at the start: "é" may be typed as one character or as "e"
//     plus U+0301, which look the same and compare different; those
//     scripts have a precomposed letter for every accent a name needs.
//     Scripts that need combining marks (Devanagari, Thai, …) keep them;
//   - letters from one of Latin, Greek and Cyrillic only: "Аda" with a
//     Cyrillic А looks like "Ada";
//   - no "#", which the server keeps for its duplicate suffix (Ada, Ada#2),
//     and not "guest-N", the server's names for who gave none.
//
// Two nicknames are the same name when they are equal after case folding
// (nickKey): "ada" joining while "Ada" is in the room becomes "ada#2".

// checkNick returns the nickname as it will be shown, or, when it breaks a
// rule, why (short enough for a close frame's reason: at most 100 bytes).
func checkNick(n string) (string, string) {
	if !utf8.ValidString(n) {
		return "", "a nickname must be valid UTF-8"
	}
	n = strings.Join(strings.FieldsFunc(n, func(r rune) bool { return r == ' ' }), " ")
	count := utf8.RuneCountInString(n)
	if count == 0 || count > maxNick {
		return "", "a nickname is 1 to " + strconv.Itoa(maxNick) + " characters"
	}
	if rest, ok := strings.CutPrefix(strings.ToLower(n), "guest-"); ok && rest != "" && strings.Trim(rest, "0123456789") == "" {
		return "", "guest-N names are the server's; choose another"
	}
	scripts := 0 // bits: 1 Latin, 2 Greek, 4 Cyrillic
	prev := rune(-1)
	for _, r := range n {
		switch {
		case r == '#':
			return "", `"#" is kept for the server's suffix (Ada#2)`
		case r == utf8.RuneError:
			return "", "U+FFFD is not allowed in a nickname"
		case r != ' ' && invisible(r):
			return "", "invisible or control character " + codePoint(r) + " is not allowed"
		case unicode.In(r, unicode.Mn, unicode.Me):
			if prev < 0 || prev < 0x80 || unicode.In(prev, unicode.Latin, unicode.Greek, unicode.Cyrillic) {
				return "", "combining mark " + codePoint(r) + ": type the accented letter as one character"
			}
		}
		switch {
		case unicode.Is(unicode.Latin, r):
			scripts |= 1
		case unicode.Is(unicode.Greek, r):
			scripts |= 2
		case unicode.Is(unicode.Cyrillic, r):
			scripts |= 4
		}
		prev = r
	}
	if scripts&(scripts-1) != 0 {
		return "", "a nickname mixes Latin, Greek or Cyrillic letters, which look alike"
	}
	return n, ""
}

// invisible reports whether r shows nothing, or not itself: what a nickname
// may not contain.
func invisible(r rune) bool {
	return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs, unicode.Zs, unicode.Zl, unicode.Zp,
		unicode.Variation_Selector, unicode.Other_Default_Ignorable_Code_Point) ||
		!unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Z, unicode.C) // unassigned
}

// codePoint writes r as U+XXXX.
func codePoint(r rune) string {
	s := strings.ToUpper(strconv.FormatInt(int64(r), 16))
	for len(s) < 4 {
		s = "0" + s
	}
	return "U+" + s
}

// nickKey is what two nicknames are compared by: their case-folded form.
func nickKey(n string) string {
	var b strings.Builder
	for _, r := range n {
		// SimpleFold cycles through a rune's case variants; the
		// smallest one is a canonical representative.
		min := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < min {
				min = f
			}
		}
		b.WriteRune(min)
	}
	return b.String()
}

// uniqueNick returns nick, or nick#2, nick#3, … whichever is not taken.
func uniqueNick(nick string, taken func(string) bool) string {
	if !taken(nick) {
		return nick
	}
	for i := 2; ; i++ {
		if n := nick + "#" + strconv.Itoa(i); !taken(n) {
			return n
		}
	}
}
