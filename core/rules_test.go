package core

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// ruleProblems lists what is wrong with a registry: a rule without an id,
// an English or Chinese text or a section, a Chinese text that is the
// English one, and an id used twice. (Retired Chinese terms are
// lessons/glossary_test.go's, which reads them from docs/glossary.md and
// scans every Chinese text of the repository, these included.)
func ruleProblems(rules []Rule) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range rules {
		name := strconv.Quote(r.ID)
		switch {
		case r.ID == "":
			out = append(out, "a rule has no id: "+r.Text)
		case seen[r.ID]:
			out = append(out, "duplicate id "+name)
		}
		seen[r.ID] = true
		if r.Text == "" {
			out = append(out, name+" has no English text")
		}
		if r.ZH == "" || r.ZH == r.Text {
			out = append(out, name+" has no Chinese text")
		}
		if r.Section == "" {
			out = append(out, name+" has no RFC section")
		}
	}
	return out
}

// TestRuleRegistry: the check above catches each kind of broken rule, and
// the registry has none.
func TestRuleRegistry(t *testing.T) {
	good := Rule{ID: "a", Text: "a rule", ZH: "一条规则", Section: "5.2"}
	for _, tc := range []struct {
		name  string
		rules []Rule
		want  string // a part of the problem reported; "" for none
	}{
		{"complete", []Rule{good}, ""},
		{"no id", []Rule{{Text: "a rule", ZH: "一条规则", Section: "5.2"}}, "no id"},
		{"no Chinese", []Rule{{ID: "a", Text: "a rule", Section: "5.2"}}, "no Chinese"},
		{"Chinese is English", []Rule{{ID: "a", Text: "a rule", ZH: "a rule", Section: "5.2"}}, "no Chinese"},
		{"no section", []Rule{{ID: "a", Text: "a rule", ZH: "一条规则"}}, "no RFC section"},
		{"duplicate id", []Rule{good, good}, "duplicate id"},
	} {
		got := strings.Join(ruleProblems(tc.rules), "; ")
		if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
			t.Errorf("%s: problems %q, want one with %q", tc.name, got, tc.want)
		}
	}
	for _, p := range ruleProblems(Rules()) {
		t.Error(p)
	}
	for _, r := range Rules() {
		if got, ok := RuleByID(r.ID); !ok || got != r {
			t.Errorf("RuleByID(%q) = %v, %v", r.ID, got, ok)
		}
		if r.TextIn("zh") != r.ZH || r.TextIn("en") != r.Text || r.TextIn("fr") != r.Text {
			t.Errorf("rule %q: TextIn gives the wrong language", r.ID)
		}
	}
}

// TestRulesHaveOneHome reads the Go source of every package that cites
// rules: a Rule written with a literal id must be a registered rule, and
// must be written in one of core's rules_*.go files, its only home; every
// rule declared there must be in the registry.
func TestRulesHaveOneHome(t *testing.T) {
	fset := token.NewFileSet()
	var files []string
	for _, dir := range []string{".", "../check", "../tap", "../server", "../wasm", "../autobahn", "../lessons"} {
		names, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		files = append(files, names...)
	}
	declared := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		home := filepath.Dir(name) == "." && strings.HasPrefix(filepath.Base(name), "rules_")
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.CompositeLit)
			if !ok || !isRuleType(lit.Type) {
				return true
			}
			id, ok := literalID(lit)
			if !ok {
				return true
			}
			at := fset.Position(lit.Pos()).String()
			if !home {
				t.Errorf("%s: rule %q is written outside core/rules_*.go; move it there and cite it", at, id)
			}
			if _, ok := RuleByID(id); !ok {
				t.Errorf("%s: rule %q is not in the registry (core/rules.go)", at, id)
			}
			if home {
				declared++
			}
			return true
		})
	}
	if declared != len(Rules()) {
		t.Errorf("core/rules_*.go declare %d rules, the registry lists %d", declared, len(Rules()))
	}
}

func isRuleType(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name == "Rule"
	case *ast.SelectorExpr:
		x, ok := e.X.(*ast.Ident)
		return ok && x.Name == "core" && e.Sel.Name == "Rule"
	}
	return false
}

// literalID returns the id of a Rule literal whose ID is a string literal.
func literalID(lit *ast.CompositeLit) (string, bool) {
	for _, el := range lit.Elts {
		kv, ok := el.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "ID" {
			if b, ok := kv.Value.(*ast.BasicLit); ok && b.Kind == token.STRING {
				s, err := strconv.Unquote(b.Value)
				return s, err == nil
			}
		}
	}
	return "", false
}

// TestRuleTextInKeepsDetails: a detail the core appends to a rule's text,
// like the size limit, survives translation.
func TestRuleTextInKeepsDetails(t *testing.T) {
	r := Rule{ID: RuleMessageTooBig.ID, Text: RuleMessageTooBig.Text + " (1024 bytes)", Section: RuleMessageTooBig.Section}
	if got := r.TextIn("zh"); got != RuleMessageTooBig.ZH+" (1024 bytes)" {
		t.Errorf("TextIn(zh) = %q", got)
	}
}
