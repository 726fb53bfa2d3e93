//go:build !js

package tap

import (
	"encoding/json"
	"strings"
	"testing"

	"wsplay/core"
)

// TestProblemsCarryRuleIDs: every rule of core's registry, reported by
// the tap, keeps its id, section and both texts, in the JSON the page and
// `wsplay tap -json` read.
func TestProblemsCarryRuleIDs(t *testing.T) {
	for _, r := range core.Rules() {
		b, err := json.Marshal(problem(r, "detail"))
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]string
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		if got["id"] != r.ID || got["text"] != r.Text || got["textZh"] != r.ZH || got["section"] != r.Section ||
			got["source"] != r.Source() || got["lesson"] == "" || got["detail"] != "detail" {
			t.Errorf("%s: %s", r.ID, b)
		}
	}
	// A rule with a detail the core appended keeps it in Chinese.
	big := core.Rule{ID: core.RuleMessageTooBig.ID, Text: core.RuleMessageTooBig.Text + " (10 bytes)", Section: core.RuleMessageTooBig.Section}
	if p := problem(big, ""); p.ID != big.ID || !strings.HasSuffix(p.TextZH, " (10 bytes)") || !strings.HasPrefix(p.TextZH, core.RuleMessageTooBig.ZH) {
		t.Errorf("%+v", p)
	}
}
