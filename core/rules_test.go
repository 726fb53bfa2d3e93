package core

import (
	"strings"
	"testing"
)

// TestRulesHaveIDsAndTranslations: every rule has a unique ID, a section
// and a Chinese text, so the page can translate every error it shows.
func TestRulesHaveIDsAndTranslations(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Rules() {
		if r.ID == "" || r.Text == "" || r.Section == "" {
			t.Errorf("incomplete rule %+v", r)
		}
		if seen[r.ID] {
			t.Errorf("duplicate rule ID %q", r.ID)
		}
		seen[r.ID] = true
		zh := r.TextIn("zh")
		if zh == r.Text || zh == "" {
			t.Errorf("rule %q has no Chinese text", r.ID)
		}
		if r.TextIn("en") != r.Text || r.TextIn("fr") != r.Text {
			t.Errorf("rule %q: other languages must give the English text", r.ID)
		}
	}
	for id := range rulesZH {
		if !seen[id] {
			t.Errorf("Chinese text for unknown rule %q", id)
		}
	}
}

// TestRuleTextInKeepsDetails: a detail the core appends to a rule's text,
// like the size limit, survives translation.
func TestRuleTextInKeepsDetails(t *testing.T) {
	r := RuleMessageTooBig
	r.Text += " (1024 bytes)"
	if got := r.TextIn("zh"); !strings.HasSuffix(got, " (1024 bytes)") || !strings.HasPrefix(got, rulesZH[r.ID]) {
		t.Errorf("TextIn(zh) = %q", got)
	}
}
