//go:build !js

package lessons

import (
	"bytes"
	"go/scanner"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// The glossary is the one home of the course's Chinese terms; this file
// reads the retired variants from it (never from a copy) and scans every
// Chinese text of the repository for them.

// repoRoot is the repository, seen from this package's directory.
const repoRoot = ".."

// glossaryFile is the glossary, relative to the repository.
const glossaryFile = "docs/glossary.md"

// glossaryTerm is one row of a term table.
type glossaryTerm struct {
	English string
	Use     []string // the one term, and the written forms the row allows
	Retired []string
	Line    int
}

// glossaryAllow is one row of the Allowed uses table: Variant may appear
// in File inside Phrase, and nowhere else.
type glossaryAllow struct {
	File, Variant, Phrase string
	Line                  int
}

// glossary is what the test reads from docs/glossary.md for one language.
type glossary struct {
	Terms []glossaryTerm
	Allow []glossaryAllow
}

var codeSpanRE = regexp.MustCompile("`([^`]+)`")

// spans lists the backticked items of a cell.
func spans(cell string) []string {
	var out []string
	for _, m := range codeSpanRE.FindAllStringSubmatch(cell, -1) {
		out = append(out, m[1])
	}
	return out
}

// tableCells splits a markdown table row into its trimmed cells.
func tableCells(line string) []string {
	line = strings.TrimSpace(line)
	line = strings.TrimPrefix(line, "|")
	line = strings.TrimSuffix(line, "|")
	cells := strings.Split(line, "|")
	for i := range cells {
		cells[i] = strings.TrimSpace(cells[i])
	}
	return cells
}

// parseGlossary reads the term tables (header with English, "中文 lang"
// and "Retired lang") and the Allowed uses table (File, Retired, Phrase)
// of a glossary in markdown. A malformed row is an error naming its line.
func parseGlossary(src, lang string) (*glossary, []string) {
	g := &glossary{}
	var errs []string
	lines := strings.Split(src, "\n")
	for i := 0; i < len(lines); i++ {
		if !strings.HasPrefix(strings.TrimSpace(lines[i]), "|") {
			continue
		}
		head := tableCells(lines[i])
		col := func(name string) int { return slices.Index(head, name) }
		en, use, ret := col("English"), -1, col("Retired "+lang)
		for j, h := range head {
			if h != "English" && strings.HasSuffix(h, " "+lang) && !strings.HasPrefix(h, "Retired") {
				use = j
			}
		}
		file, aret, phrase := col("File"), col("Retired"), col("Phrase")
		i += 2 // the header and the separator
		for ; i < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[i]), "|"); i++ {
			cells := tableCells(lines[i])
			line := i + 1
			switch {
			case en >= 0 && use >= 0 && ret >= 0:
				if len(cells) != len(head) {
					errs = append(errs, glossaryFile+":"+strconv.Itoa(line)+": the row has "+strconv.Itoa(len(cells))+" cells, the header "+strconv.Itoa(len(head)))
					continue
				}
				t := glossaryTerm{English: cells[en], Use: spans(cells[use]), Retired: spans(cells[ret]), Line: line}
				if len(t.Use) == 0 {
					errs = append(errs, glossaryFile+":"+strconv.Itoa(line)+": "+strconv.Quote(t.English)+" has no term in backticks in its "+head[use]+" column")
				}
				g.Terms = append(g.Terms, t)
			case file >= 0 && aret >= 0 && phrase >= 0:
				if len(cells) != len(head) {
					errs = append(errs, glossaryFile+":"+strconv.Itoa(line)+": the row has "+strconv.Itoa(len(cells))+" cells, the header "+strconv.Itoa(len(head)))
					continue
				}
				v, p := spans(cells[aret]), spans(cells[phrase])
				if len(v) != 1 || len(p) != 1 || !strings.Contains(p[0], v[0]) {
					errs = append(errs, glossaryFile+":"+strconv.Itoa(line)+": an allowed use names one variant and one phrase that contains it, both in backticks")
					continue
				}
				g.Allow = append(g.Allow, glossaryAllow{File: cells[file], Variant: v[0], Phrase: p[0], Line: line})
			}
		}
	}
	return g, errs
}

// retiredHit is a retired variant found in a text.
type retiredHit struct {
	Variant string
	Use     string // the term to write instead
	English string
}

type span struct{ start, end int }

// isASCII reports whether s is all ASCII, so it is matched as a word.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func isWordByte(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

// occurrences lists where v occurs in text; an ASCII v only as a word (in
// any case, an English plural allowed).
func occurrences(text, v string) []span {
	var out []span
	hay, needle := text, v
	ascii := isASCII(v)
	if ascii {
		hay, needle = strings.ToLower(text), strings.ToLower(v)
	}
	for off := 0; ; {
		i := strings.Index(hay[off:], needle)
		if i < 0 {
			return out
		}
		s, e := off+i, off+i+len(needle)
		off = e
		if ascii {
			if s > 0 && isWordByte(hay[s-1]) {
				continue
			}
			end := e
			if end < len(hay) && hay[end] == 's' {
				end++
			}
			if end < len(hay) && isWordByte(hay[end]) {
				continue
			}
		}
		out = append(out, span{s, e})
	}
}

// find lists the retired variants in one line of Chinese text. allowed
// are the phrases in which a variant may appear in this file, by variant.
func (g *glossary) find(text string, allowed map[string][]string) []retiredHit {
	type cand struct {
		span
		t       *glossaryTerm
		v       string
		allowed bool
	}
	var use []span
	for i := range g.Terms {
		for _, u := range g.Terms[i].Use {
			use = append(use, occurrences(text, u)...)
		}
	}
	var cands []cand
	for i := range g.Terms {
		t := &g.Terms[i]
		for _, v := range t.Retired {
			for _, s := range occurrences(text, v) {
				if !inUse(s, use) {
					cands = append(cands, cand{s, t, v, inPhrase(text, s, allowed[v])})
				}
			}
		}
	}
	// The longer of two overlapping variants is the one reported (掩码密钥,
	// not 密钥 as well), or allowed: 密钥 inside an allowed “掩码密钥” is
	// allowed with it.
	sort.SliceStable(cands, func(i, j int) bool {
		return cands[i].end-cands[i].start > cands[j].end-cands[j].start
	})
	var kept []cand
	for _, c := range cands {
		if !slices.ContainsFunc(kept, func(k cand) bool { return k.start < c.end && c.start < k.end }) {
			kept = append(kept, c)
		}
	}
	sort.SliceStable(kept, func(i, j int) bool { return kept[i].start < kept[j].start })
	var hits []retiredHit
	for _, c := range kept {
		if c.allowed {
			continue
		}
		hits = append(hits, retiredHit{Variant: c.v, Use: strings.Join(c.t.Use, "、"), English: c.t.English})
	}
	return hits
}

// inUse reports whether s is part of a term in use here (去掩码后 is not
// 掩码后), unless the whole term lies inside s (开始握手 holds 握手 and is
// still retired).
func inUse(s span, use []span) bool {
	for _, u := range use {
		if u.start < s.end && s.start < u.end && (u.start < s.start || u.end > s.end) {
			return true
		}
	}
	return false
}

// inPhrase reports whether s lies inside one of the allowed phrases.
func inPhrase(text string, s span, phrases []string) bool {
	for _, p := range phrases {
		for _, ps := range occurrences(text, p) {
			if ps.start <= s.start && s.end <= ps.end {
				return true
			}
		}
	}
	return false
}

// chineseLine is a line of Chinese text found in a file.
type chineseLine struct {
	Line int
	Text string
	// Source is the whole source line, for an allow marker in a comment.
	Source string
}

// hasHan reports whether s holds a Chinese character: what makes a line of
// a doc or a string of code Chinese text.
func hasHan(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
}

var (
	placeholderRE = regexp.MustCompile(`\$\{[^}]*\}|\{[A-Za-z_][A-Za-z0-9_.]*\}`)
	// A link's address and a heading's id are addresses, not words.
	linkRE    = regexp.MustCompile(`\]\([^)]*\)`)
	headingRE = regexp.MustCompile(`\{#[^}]*\}`)
)

// dropCode removes code spans, placeholders, link addresses and heading
// ids, which are code, not words.
func dropCode(s string) string {
	s = linkRE.ReplaceAllString(s, "] ")
	s = headingRE.ReplaceAllString(s, " ")
	s = codeSpanRE.ReplaceAllString(s, " ")
	return placeholderRE.ReplaceAllString(s, " ")
}

// markdownText lists the Chinese text of a markdown file: every line
// outside fenced code (all of them when every is set, else those with a
// Chinese character), and the prompt of a ```wsplay exercise, without code
// spans.
func markdownText(src []byte, every bool) []chineseLine {
	var out []chineseLine
	fence, wsplay := "", false
	for i, line := range strings.Split(string(src), "\n") {
		trim := strings.TrimSpace(line)
		if fence == "" && (strings.HasPrefix(trim, "```") || strings.HasPrefix(trim, "~~~")) {
			fence = trim[:3]
			wsplay = strings.HasPrefix(strings.TrimSpace(trim[3:]), "wsplay")
			continue
		}
		if fence != "" {
			if strings.HasPrefix(trim, fence) {
				fence = ""
			} else if p, ok := strings.CutPrefix(trim, "prompt:"); ok && wsplay {
				out = append(out, chineseLine{i + 1, dropCode(p), line})
			}
			continue
		}
		if every || hasHan(line) {
			out = append(out, chineseLine{i + 1, dropCode(line), line})
		}
	}
	return out
}

// goText lists the string literals of a Go file that hold Chinese text,
// line by line. Comments are not read.
func goText(src []byte) []chineseLine {
	var out []chineseLine
	fset := token.NewFileSet()
	f := fset.AddFile("x.go", -1, len(src))
	var s scanner.Scanner
	s.Init(f, src, nil, 0)
	lines := strings.Split(string(src), "\n")
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			return out
		}
		if tok != token.STRING || !hasHan(lit) {
			continue
		}
		line := fset.Position(pos).Line
		text := lit[1 : len(lit)-1] // a raw string
		if lit[0] == '"' {
			if u, err := strconv.Unquote(lit); err == nil {
				text = u
			}
			text = strings.ReplaceAll(text, "\n", " ")
		}
		for j, l := range strings.Split(text, "\n") {
			if hasHan(l) {
				out = append(out, chineseLine{line + j, dropCode(l), lines[line+j-1]})
			}
		}
	}
}

// jsText lists the strings of a JavaScript or JSON file that hold Chinese
// text, line by line: quoted strings and the text parts of template
// literals, not comments, code or ${...}. A regular expression literal is
// read as code; a quote in one can only confuse the rest of its line.
func jsText(src []byte) []chineseLine {
	var out []chineseLine
	lines := strings.Split(string(src), "\n")
	var cur []byte
	curLine := 0
	emit := func() {
		if len(cur) > 0 {
			for j, l := range strings.Split(string(cur), "\n") {
				if hasHan(l) {
					out = append(out, chineseLine{curLine + j, dropCode(l), lines[curLine+j-1]})
				}
			}
		}
		cur = cur[:0]
	}
	const (
		code = iota
		lineComment
		blockComment
		quoted
		template
	)
	state, quote, line := code, byte(0), 1
	var braces []int // for each open ${, the depth of braces inside it
	for i := 0; i < len(src); i++ {
		c := src[i]
		next := byte(0)
		if i+1 < len(src) {
			next = src[i+1]
		}
		switch state {
		case code:
			switch {
			case c == '/' && next == '/':
				state = lineComment
			case c == '/' && next == '*':
				state, i = blockComment, i+1
			case c == '"' || c == '\'':
				state, quote, curLine = quoted, c, line
			case c == '`':
				state, curLine = template, line
			case c == '{' && len(braces) > 0:
				braces[len(braces)-1]++
			case c == '}' && len(braces) > 0:
				if braces[len(braces)-1] == 0 {
					braces = braces[:len(braces)-1]
					state, curLine = template, line
				} else {
					braces[len(braces)-1]--
				}
			}
		case lineComment:
			if c == '\n' {
				state = code
			}
		case blockComment:
			if c == '*' && next == '/' {
				state, i = code, i+1
			}
		case quoted:
			switch {
			case c == '\\' && next != 0:
				cur = append(cur, c, next)
				i++
			case c == quote:
				emit()
				state = code
			case c == '\n': // an unterminated string: code again
				emit()
				state = code
			default:
				cur = append(cur, c)
			}
		case template:
			switch {
			case c == '\\' && next != 0:
				cur = append(cur, c, next)
				i++
			case c == '`':
				emit()
				state = code
			case c == '$' && next == '{':
				emit()
				braces = append(braces, 0)
				state, i = code, i+1
			default:
				cur = append(cur, c)
			}
		}
		if c == '\n' {
			line++
		}
	}
	emit()
	return out
}

// scanned lists the files the test reads, by area: the Chinese lessons,
// the docs other than the glossary, and the code under each directory
// whose strings a learner may read. The matcher's own test file is left
// out: its cases are the retired variants.
func scanned(t *testing.T) map[string][]string {
	t.Helper()
	areas := map[string][]string{}
	zh, _ := filepath.Glob(filepath.Join(repoRoot, "lessons/zh/*.md"))
	docs, _ := filepath.Glob(filepath.Join(repoRoot, "docs/*.md"))
	for _, f := range zh {
		areas["lessons-zh"] = append(areas["lessons-zh"], filepath.ToSlash(strings.TrimPrefix(f, repoRoot+string(filepath.Separator))))
	}
	for _, f := range docs {
		if rel := filepath.ToSlash(strings.TrimPrefix(f, repoRoot+string(filepath.Separator))); rel != glossaryFile {
			areas["docs"] = append(areas["docs"], rel)
		}
	}
	for _, dir := range []string{"core", "check", "lessons", "site", "server", "tap"} {
		err := filepath.WalkDir(filepath.Join(repoRoot, dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel := filepath.ToSlash(strings.TrimPrefix(p, repoRoot+string(filepath.Separator)))
			switch filepath.Ext(p) {
			case ".go", ".js", ".json":
				if rel != "lessons/glossary_test.go" {
					areas[dir] = append(areas[dir], rel)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(areas["lessons-zh"]) < 18 {
		t.Fatalf("found %d Chinese lessons, want at least 18 (is the test run in lessons/?)", len(areas["lessons-zh"]))
	}
	return areas
}

// textOf returns a file's Chinese text by its kind.
func textOf(file string, src []byte) []chineseLine {
	switch filepath.Ext(file) {
	case ".md":
		return markdownText(src, strings.HasPrefix(file, "lessons/zh/"))
	case ".go":
		return goText(src)
	default:
		return jsText(src)
	}
}

// loadGlossary reads the repository's glossary, failing the test on a
// malformed row.
func loadGlossary(t *testing.T) *glossary {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(repoRoot, glossaryFile))
	if err != nil {
		t.Fatalf("the glossary: %v", err)
	}
	g, errs := parseGlossary(string(src), "zh")
	for _, e := range errs {
		t.Error(e)
	}
	return g
}

// retiredIn lists, as "file:line: ..." messages, the retired variants in
// one file's Chinese text.
func (g *glossary) retiredIn(file string, src []byte) []string {
	allowed := map[string][]string{}
	for _, a := range g.Allow {
		if a.File == file {
			allowed[a.Variant] = append(allowed[a.Variant], a.Phrase)
		}
	}
	var msgs []string
	for _, l := range textOf(file, src) {
		for _, h := range g.find(l.Text, allowed) {
			if strings.Contains(l.Source, "glossary:allow "+h.Variant) && filepath.Ext(file) != ".md" {
				continue
			}
			msgs = append(msgs, file+":"+strconv.Itoa(l.Line)+": "+strconv.Quote(h.Variant)+" is retired; write "+h.Use+" ("+h.English+", "+glossaryFile+")")
		}
	}
	return msgs
}

// TestRetiredTerms scans every Chinese text of the repository for the
// glossary's retired variants, one subtest per area, so that a hit names
// the file, the line and the term to use.
func TestRetiredTerms(t *testing.T) {
	g := loadGlossary(t)
	areas := scanned(t)
	names := make([]string, 0, len(areas))
	for a := range areas {
		names = append(names, a)
	}
	sort.Strings(names)
	for _, area := range names {
		t.Run(area, func(t *testing.T) {
			for _, file := range areas[area] {
				src, err := os.ReadFile(filepath.Join(repoRoot, file))
				if err != nil {
					t.Fatal(err)
				}
				for _, m := range g.retiredIn(file, src) {
					t.Error(m)
				}
			}
		})
	}
}

// TestGlossaryTable checks the table itself: enough terms, each with one
// Chinese term, no variant that is also a term in use, and every allowed
// use still found in its file (a stale exception allows nothing and hides
// nothing, so it goes).
func TestGlossaryTable(t *testing.T) {
	g := loadGlossary(t)
	if len(g.Terms) < 40 {
		t.Errorf("%d terms, want the course's whole vocabulary (at least 40)", len(g.Terms))
	}
	uses := map[string]int{}
	for _, term := range g.Terms {
		for _, u := range term.Use {
			uses[u] = term.Line
		}
	}
	retired := 0
	for _, term := range g.Terms {
		for _, v := range term.Retired {
			retired++
			if l, ok := uses[v]; ok {
				t.Errorf("%s:%d: %q is retired here but a term in use on line %d", glossaryFile, term.Line, v, l)
			}
		}
	}
	for _, want := range []string{"负载", "掩码密钥", "首部", "头部", "合法", "主体", "断开连接", "opcode", "必须掩码", "密钥", "开始握手", "帧的解剖"} {
		if !slices.ContainsFunc(g.Terms, func(t glossaryTerm) bool { return slices.Contains(t.Retired, want) }) {
			t.Errorf("the glossary does not retire %q", want)
		}
	}
	for _, a := range g.Allow {
		src, err := os.ReadFile(filepath.Join(repoRoot, a.File))
		if err != nil {
			t.Errorf("%s:%d: allowed use in %s: %v", glossaryFile, a.Line, a.File, err)
			continue
		}
		if !bytes.Contains(src, []byte(a.Phrase)) {
			t.Errorf("%s:%d: %s no longer says %q: remove the allowed use", glossaryFile, a.Line, a.File, a.Phrase)
		}
	}
}

// TestRetiredMatcher proves the matcher flags what it should and passes
// what it should, on a small glossary in the real one's format.
func TestRetiredMatcher(t *testing.T) {
	const src = "| English | 中文 zh | Retired zh | RFC | 含义 | Meaning |\n" +
		"|---|---|---|---|---|---|\n" +
		"| payload | `载荷` | `负载` | §5.2 | x | x |\n" +
		"| masking key | `掩码键` | `掩码密钥` | §5.2 | x | x |\n" +
		"| key | `随机值` | `密钥` | §4.1 | x | x |\n" +
		"| to mask | `加掩码` | `必须掩码`、`掩码后` | §5.3 | x | x |\n" +
		"| to unmask | `去掩码` | — | §5.3 | x | x |\n" +
		"| frame header | `帧头` | `帧头部` | §5.2 | x | x |\n" +
		"| header field | `头字段` | `头部` | §4.1 | x | x |\n" +
		"| handshake | `握手` | `开始握手` | §4 | x | x |\n" +
		"| opcode | `操作码` | `opcode` | §5.2 | x | x |\n" +
		"\n| File | Retired | Phrase | Why |\n|---|---|---|---|\n" +
		"| a.md | `密钥` | `它不是密钥` | explains |\n" +
		"| a.md | `掩码密钥` | `“掩码密钥”` | quotes |\n"
	g, errs := parseGlossary(src, "zh")
	if len(errs) > 0 || len(g.Terms) != 9 || len(g.Allow) != 2 {
		t.Fatalf("parsed %d terms and %d allowed uses, errors %v", len(g.Terms), len(g.Allow), errs)
	}
	for _, c := range []struct {
		name, file, text string
		want             []string // variants reported, in order
	}{
		{"a retired term", "x.md", "读取负载长度", []string{"负载"}},
		{"the term in use", "x.md", "读取载荷长度", nil},
		{"the longer of two variants only", "x.md", "掩码密钥有 4 个字节", []string{"掩码密钥"}},
		{"a verb use of 掩码", "x.md", "客户端必须掩码每个帧", []string{"必须掩码"}},
		{"the verb in use", "x.md", "客户端必须加掩码", nil},
		{"inside a term in use: 去掩码后", "x.md", "去掩码后的载荷", nil},
		{"inside a term in use: 加掩码后", "x.md", "加掩码后的字节", nil},
		{"alone: 掩码后", "x.md", "掩码后的字节", []string{"掩码后"}},
		{"a variant holding a term in use", "x.md", "逐行解读开始握手", []string{"开始握手"}},
		{"帧头部, not 头部", "x.md", "帧头部有两个字节", []string{"帧头部"}},
		{"头部 alone", "x.md", "请求的头部", []string{"头部"}},
		{"an ASCII variant", "x.md", "第一个字节的 opcode 是 1", []string{"opcode"}},
		{"in any case and plural", "x.md", "Opcode 和 opcodes", []string{"opcode", "opcode"}},
		{"not inside a word", "x.md", "opcodeWrong 和 myopcode", nil},
		{"an allowed phrase", "a.md", "Sec-WebSocket-Key 它不是密钥。", nil},
		{"the same variant outside the phrase", "a.md", "它不是密钥，这个密钥是公开的", []string{"密钥"}},
		{"the phrase in another file", "b.md", "它不是密钥", []string{"密钥"}},
		{"a shorter variant inside an allowed one", "a.md", "不要写“掩码密钥”，写掩码密钥也不行", []string{"掩码密钥"}},
		{"several on one line, in order", "x.md", "负载和掩码密钥", []string{"负载", "掩码密钥"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			allowed := map[string][]string{}
			for _, a := range g.Allow {
				if a.File == c.file {
					allowed[a.Variant] = append(allowed[a.Variant], a.Phrase)
				}
			}
			var got []string
			for _, h := range g.find(c.text, allowed) {
				got = append(got, h.Variant)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("%s in %q: reported %q, want %q", c.file, c.text, got, c.want)
			}
		})
	}

	// What counts as Chinese text in each kind of file.
	for _, c := range []struct {
		name, file, src string
		want            []string // "line: text" of each line read
	}{
		{"markdown: prose, not code spans nor fences", "lessons/zh/x.md",
			"---\ntitle: 帧\n---\n读 `opcode` 字段\n```go\nopcode := 1 // 负载\n```\nok\n",
			[]string{"1: ---", "2: title: 帧", "3: ---", "4: 读   字段", "8: ok", "9: "}},
		{"markdown: an exercise's prompt", "lessons/zh/x.md",
			"```wsplay exercise\nkind: mask\nkey: 负载\nprompt: 用负载\n```\n",
			[]string{"4:  用负载", "6: "}},
		{"markdown: link addresses and heading ids are not words", "lessons/zh/x.md",
			"## 忽略操作码 {#ignoring-the-opcode}\n见[第 13 课](/lessons/mistakes?lang=zh#2-ignoring-fin-and-the-opcode)。\n",
			[]string{"1: ## 忽略操作码  ", "2: 见[第 13 课] 。", "3: "}},
		{"a doc: only lines with Chinese", "docs/x.md",
			"the opcode field\n中文的 opcode\n",
			[]string{"2: 中文的 opcode"}},
		{"Go: strings, not comments nor code", "core/x.go",
			"package x\n\n// 负载\nvar opcode = \"操作码\" + \"ascii opcode\"\nvar s = `第一行\n第二行 负载`\n",
			[]string{"4: 操作码", "5: 第一行", "6: 第二行 负载"}},
		{"JS: strings and template text, not comments nor ${}", "site/x.js",
			"const opcode = 1; // 负载\nconst a = \"不对。opcode 是\";\nconst b = `第 ${opcode ? \"一\" : \"二\"} 个\n负载 {n}`;\n/* 负载 */ const c = '载荷';\n",
			[]string{"2: 不对。opcode 是", "3: 第 ", "3: 一", "3: 二", "3:  个", "4: 负载  ", "5: 载荷"}},
		{"JSON", "site/x.json", "{\"opcode\": \"负载\", \"n\": 1}\n", []string{"1: 负载"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, l := range textOf(c.file, []byte(c.src)) {
				got = append(got, strconv.Itoa(l.Line)+": "+l.Text)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("read %q, want %q", got, c.want)
			}
		})
	}

	// A marker comment allows one variant on its line of code, not in a
	// lesson.
	goSrc := []byte("package x\n\nvar a = \"负载\" // glossary:allow 负载\nvar b = \"负载\"\nvar c = \"密钥\" // glossary:allow 负载\n")
	if got := g.retiredIn("core/x.go", goSrc); len(got) != 2 || !strings.HasPrefix(got[0], "core/x.go:4: \"负载\"") || !strings.HasPrefix(got[1], "core/x.go:5: \"密钥\"") {
		t.Errorf("marker comments: got %q", got)
	}
	if got := g.retiredIn("lessons/zh/x.md", []byte("负载 glossary:allow 负载\n")); len(got) != 2 {
		t.Errorf("a marker in a lesson allowed a variant: %q", got)
	}
}
