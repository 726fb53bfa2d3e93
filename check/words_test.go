//go:build !js

package check

import (
	"bytes"
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"wsplay/core"
)

// verbs finds the formatting verbs of a text, with or without an index.
var verbs = regexp.MustCompile(`%(\[\d+\])?[-0-9]*[a-zA-Z]`)

// wordsProblem says what is wrong with a pair of texts, "" when nothing.
func wordsProblem(w core.Words) string {
	switch {
	case w.EN == "" || w.ZH == "":
		return "a language is missing"
	case w.EN == w.ZH:
		return "the Chinese is the English"
	case !hasHan(w.ZH):
		return "the Chinese has no Chinese character"
	case len(verbs.FindAllString(w.EN, -1)) != len(verbs.FindAllString(w.ZH, -1)):
		return "the two languages format a different number of values"
	}
	// Retired terms: lessons/glossary_test.go scans these texts too,
	// against docs/glossary.md.
	return ""
}

func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}

// TestWordsProblem: the test below catches each kind of broken pair.
func TestWordsProblem(t *testing.T) {
	for _, tc := range []struct {
		w    core.Words
		want string
	}{
		{tr("a %d-byte message", "一条 %d 字节的消息"), ""},
		{tr("a message", ""), "missing"},
		{tr("a message", "a message"), "is the English"},
		{tr("a message", "message!"), "no Chinese"},
		{tr("a %d-byte %s message", "一条 %d 字节的消息"), "different number"},
	} {
		if got := wordsProblem(tc.w); tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
			t.Errorf("%+v: %q, want %q", tc.w, got, tc.want)
		}
	}
}

// TestEveryTextInBothLanguages reads the check's source: every pair given
// to tr is complete in both languages; and every case, stage, category,
// label and diagnosis has its Chinese.
func TestEveryTextInBothLanguages(t *testing.T) {
	fset := token.NewFileSet()
	names, _ := filepath.Glob("*.go")
	pairs := 0
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 2 {
				return true
			}
			if fn, ok := call.Fun.(*ast.Ident); !ok || fn.Name != "tr" {
				return true
			}
			var w [2]string
			for i, a := range call.Args {
				lit, ok := a.(*ast.BasicLit)
				if !ok {
					t.Errorf("%s: tr takes two literals", fset.Position(a.Pos()))
					return true
				}
				w[i], _ = strconv.Unquote(lit.Value)
			}
			pairs++
			if p := wordsProblem(tr(w[0], w[1])); p != "" {
				t.Errorf("%s: %s: %q", fset.Position(call.Pos()), p, w[0])
			}
			return true
		})
	}
	if pairs < 100 {
		t.Errorf("only %d pairs found: is the check's prose still written with tr?", pairs)
	}
	for _, c := range Cases(Options{Stage: StageAll}) {
		if p := wordsProblem(c.Title); p != "" {
			t.Errorf("%s title: %s", c.ID, p)
		}
		if p := wordsProblem(c.Explain); c.Explain.EN != "" && p != "" {
			t.Errorf("%s explanation: %s", c.ID, p)
		}
	}
	for _, s := range Stages {
		if p := wordsProblem(core.Words{EN: s.Title, ZH: s.ZH}); p != "" {
			t.Errorf("stage %s: %s", s.ID, p)
		}
	}
	for _, c := range Categories {
		if p := wordsProblem(c.Title); p != "" && c.ID != "utf8" {
			t.Errorf("category %s: %s", c.ID, p)
		}
	}
	for id, w := range labels {
		if p := wordsProblem(w); p != "" {
			t.Errorf("label %s: %s", id, p)
		}
	}
	for _, d := range diagOrder {
		en, zh := diagText(d.id, "127.0.0.1:1", core.LangEN), diagText(d.id, "127.0.0.1:1", core.LangZH)
		if p := wordsProblem(core.Words{EN: en, ZH: zh}); p != "" || strings.Contains(zh, "%!") {
			t.Errorf("diagnosis %s: %s: %q", d.id, p, zh)
		}
	}
}

// TestAcceptMistakeSaidOnce: the diagnosis and the handshake case say the
// two Accept mistakes in core's words (core/words.go), in each language.
func TestAcceptMistakeSaidOnce(t *testing.T) {
	var accept Case
	for _, c := range Cases(Options{}) {
		if c.ID == "handshake.accept" {
			accept = c
		}
	}
	for _, tc := range []struct{ diag, words string }{
		{DiagAcceptHex, "accept.base64-not-hex"},
		{DiagAcceptDecodedKey, "accept.hash-text"},
	} {
		w, ok := core.WordsOf(tc.words)
		if !ok {
			t.Fatalf("core has no words %q", tc.words)
		}
		for _, lang := range core.Langs {
			said := w.In(lang)
			if !strings.Contains(diagText(tc.diag, "", lang), said) || !strings.Contains(accept.Explain.In(lang), said) {
				t.Errorf("%s in %s: the diagnosis or the case does not cite %q", tc.diag, lang, said)
			}
			if m, _ := acceptMistakeText(tc.diag); !strings.Contains(m.In(lang), said) {
				t.Errorf("%s in %s: the case's sentence %q", tc.diag, lang, m.In(lang))
			}
		}
	}
}

// TestRunLanguage: a run in Chinese against the classic recipe has every
// text of its results in Chinese and the rules of core in Chinese, with
// their ids; the writers follow; an unknown language is refused.
func TestRunLanguage(t *testing.T) {
	url := startNaive(t)
	opts := Options{Timeout: time.Second, LargeSizes: []int{}, Stage: "fragments", Lang: core.LangZH}
	rep, err := Run(context.Background(), url, opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Lang != core.LangZH || rep.Fail == 0 {
		t.Fatalf("lang %q, %d failed", rep.Lang, rep.Fail)
	}
	for _, r := range rep.Results {
		rule, ok := core.RuleByID(r.Rule.ID)
		if !ok || r.Rule.Text != rule.ZH || !hasHan(r.Title) || !hasHan(r.Got) {
			t.Errorf("%s: rule %+v, title %q, got %q", r.ID, r.Rule, r.Title, r.Got)
		}
		if r.Status != Pass && !hasHan(r.Explanation) {
			t.Errorf("%s: explanation %q", r.ID, r.Explanation)
		}
		// A Chinese report sends the learner to the Chinese lesson.
		if r.Lesson != "" && !strings.HasSuffix(r.Lesson, "?lang=zh") {
			t.Errorf("%s: lesson %q, want the Chinese page", r.ID, r.Lesson)
		}
	}
	for _, s := range rep.Stages {
		if !hasHan(s.Title) {
			t.Errorf("stage %s: %q", s.Stage, s.Title)
		}
		for _, l := range s.Lessons {
			if !strings.HasSuffix(l, "?lang=zh") {
				t.Errorf("stage %s: lesson %q, want the Chinese page", s.Stage, l)
			}
		}
	}
	if d := rep.Diagnosis; d != nil && !strings.HasSuffix(d.Lesson, "?lang=zh") {
		t.Errorf("diagnosis lesson %q, want the Chinese page", d.Lesson)
	}
	var text, html bytes.Buffer
	tw := &TextWriter{W: &text, Lang: core.LangZH}
	tw.Diagnose(rep)
	for _, r := range rep.Results {
		tw.Result(r)
	}
	tw.Summary(rep)
	for _, want := range []string{"第 1 阶段（共 8 个）：握手", "规则:", "原因:", "小结"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("the text report lacks %q:\n%s", want, text.String())
		}
	}
	if err := WriteHTML(&html, rep); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<html lang="zh">`, "发生了什么", "规则"} {
		if !strings.Contains(html.String(), want) {
			t.Errorf("the HTML report lacks %q", want)
		}
	}
	opts.Lang = "fr"
	if _, err := Run(context.Background(), url, opts, nil); !errors.As(err, new(*LangError)) {
		t.Errorf("Lang fr: %v, want a *LangError", err)
	}
}

// TestWrapColumns: the text report's lines fit the width in terminal
// columns, in English and in Chinese, and no text is lost.
func TestWrapColumns(t *testing.T) {
	for _, tc := range []struct {
		text  string
		width int
	}{
		{Cases(Options{})[2].Explain.EN, 40},
		{Cases(Options{})[2].Explain.ZH, 40},
		{"TCP 是字节流，而不是消息流：一次读取返回的是已经到达的所有字节 81 fe ff ff 00 00 00 00 77 73 70 6c", 20},
		{strings.Repeat("ab", 50), 30},
	} {
		lines := wrap(tc.text, tc.width)
		for _, l := range lines {
			if textWidth(l) > tc.width {
				t.Errorf("%d columns > %d: %q", textWidth(l), tc.width, l)
			}
		}
		squash := func(s string) string { return strings.ReplaceAll(s, " ", "") }
		if got := squash(strings.Join(lines, "")); got != squash(tc.text) {
			t.Errorf("text changed:\n%q\n%q", got, squash(tc.text))
		}
	}
}
