package core

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// canContinue is the oracle for fail-fast validation: whether p is the start
// of some valid UTF-8 text. Each missing byte of a cut-off code point is
// tried from {80, 90, A0, BF}: every range a continuation byte may be
// restricted to (80-BF, A0-BF, 80-9F, 90-BF, 80-8F) holds one of them.
func canContinue(p []byte) bool {
	if utf8.Valid(p) {
		return true
	}
	candidates := []byte{0x80, 0x90, 0xA0, 0xBF}
	var try func(p []byte, missing int) bool
	try = func(p []byte, missing int) bool {
		if utf8.Valid(p) {
			return true
		}
		if missing == 0 {
			return false
		}
		for _, c := range candidates {
			if try(append(p[:len(p):len(p)], c), missing-1) {
				return true
			}
		}
		return false
	}
	return try(p, 3)
}

var utf8Cases = []struct {
	name string
	text string
}{
	{"empty", ""},
	{"ascii", "Hello, world"},
	{"greek", "κόσμε"},
	{"cjk", "你好，世界"},
	{"emoji", "🎉 ok"},
	{"max code point", "\U0010FFFF"},
	{"lone continuation", "\x80"},
	{"overlong slash", "\xc0\xaf"},
	{"overlong 3-byte", "\xe0\x80\xaf"},
	{"overlong 4-byte", "\xf0\x80\x80\xaf"},
	{"surrogate U+D800", "\xed\xa0\x80"},
	{"surrogate U+DFFF", "\xed\xbf\xbf"},
	{"above U+10FFFF", "\xf4\x90\x80\x80"},
	{"F5 lead", "\xf5\x80\x80\x80"},
	{"FF", "\xff"},
	{"cut 2-byte", "ab\xce"},
	{"cut 4-byte", "\xf0\x9f\x8e"},
	{"Autobahn 6.3.1 (surrogate in the middle)", "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80\x65\x64\x69\x74\x65\x64"},
}

// TestUTF8ValidatorSplits feeds each text in two pieces split at every
// position and compares with utf8.Valid on the whole.
func TestUTF8ValidatorSplits(t *testing.T) {
	for _, tc := range utf8Cases {
		t.Run(tc.name, func(t *testing.T) {
			p := []byte(tc.text)
			want := utf8.Valid(p)
			for cut := 0; cut <= len(p); cut++ {
				var v utf8Validator
				got := v.feed(p[:cut]) && v.feed(p[cut:]) && v.complete()
				if got != want {
					t.Fatalf("split at %d: valid = %v, want %v", cut, got, want)
				}
			}
		})
	}
}

// TestUTF8ValidatorFailsFast feeds byte by byte: feed must fail at the
// first byte after which no continuation can be valid, no sooner and no
// later.
func TestUTF8ValidatorFailsFast(t *testing.T) {
	check := func(t *testing.T, p []byte) {
		var v utf8Validator
		for i := range p {
			ok := v.feed(p[i : i+1])
			if want := canContinue(p[:i+1]); ok != want {
				t.Fatalf("% x: after byte %d feed = %v, want %v", p, i, ok, want)
			}
			if !ok {
				return
			}
		}
	}
	for _, tc := range utf8Cases {
		t.Run(tc.name, func(t *testing.T) { check(t, []byte(tc.text)) })
	}
	t.Run("random", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(5, 6))
		interesting := []byte{0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff}
		for range 3000 {
			p := make([]byte, 1+rng.IntN(8))
			for i := range p {
				p[i] = interesting[rng.IntN(len(interesting))]
			}
			check(t, p)
		}
	})
}

// TestValidUTF8MatchesStdlib puts each kind of non-ASCII sequence, valid
// and invalid, at every offset of ASCII text of every length up to 40, so
// that it falls inside a word, across two words and in the tail.
func TestValidUTF8MatchesStdlib(t *testing.T) {
	inserts := []string{"é", "€", "𝄞", "\xff", "\xc3", "\xe2\x82", "\xed\xa0\x80", "\xc0\xaf", "\xf4\x90\x80\x80"}
	for _, tc := range utf8Cases {
		if got, want := validUTF8([]byte(tc.text)), utf8.ValidString(tc.text); got != want {
			t.Errorf("%s: validUTF8 = %v, utf8.Valid = %v", tc.name, got, want)
		}
	}
	for n := 0; n <= 40; n++ {
		for _, ins := range inserts {
			for at := 0; at <= n; at++ {
				p := []byte(strings.Repeat("a", at) + ins + strings.Repeat("b", n-at))
				if got, want := validUTF8(p), utf8.Valid(p); got != want {
					t.Fatalf("%q: validUTF8 = %v, utf8.Valid = %v", p, got, want)
				}
			}
		}
	}
}
