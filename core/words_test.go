package core

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestWordsComplete: every entry has both languages, different from each
// other. (Retired Chinese terms: lessons/glossary_test.go scans these.)
func TestWordsComplete(t *testing.T) {
	for id, w := range words {
		if w.EN == "" || w.ZH == "" || w.EN == w.ZH {
			t.Errorf("%s: %+v: each language needs its own text", id, w)
		}
	}
}

// TestWordsUsedExist reads core's source: every id given to Say as a
// literal is an entry; and the ids built from values (opcodes, close
// codes) exist for every value that has its own words.
func TestWordsUsedExist(t *testing.T) {
	fset := token.NewFileSet()
	names, _ := filepath.Glob("*.go")
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
			if !ok || len(call.Args) == 0 {
				return true
			}
			if fn, ok := call.Fun.(*ast.Ident); !ok || fn.Name != "Say" {
				return true
			}
			if lit, ok := call.Args[0].(*ast.BasicLit); ok {
				id, _ := strconv.Unquote(lit.Value)
				if _, ok := words[id]; !ok {
					t.Errorf("%s: Say(%q) has no entry in words.go", fset.Position(lit.Pos()), id)
				}
			}
			return true
		})
	}
	for op := Opcode(0); op < 16; op++ {
		for _, lang := range Langs {
			if m := OpcodeMeaning(op, lang); strings.Contains(m, "opcode.") {
				t.Errorf("OpcodeMeaning(%d, %s) = %q", op, lang, m)
			}
		}
	}
	for c := StatusCode(0); c < 5001; c++ {
		if n := c.NameIn(LangZH); strings.Contains(n, "close.") || n == c.Name() {
			t.Errorf("StatusCode(%d).NameIn(zh) = %q", c, n)
		}
	}
}

// TestExplainFrameInChinese: every field of a frame is explained in
// Chinese when asked, and in the same English as ExplainFrame otherwise.
func TestExplainFrameInChinese(t *testing.T) {
	for _, frame := range [][]byte{
		{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}, // §5.7 masked "Hello"
		{0x01, 0x03, 0x48, 0x65, 0x6c},                                     // a first fragment
		{0x88, 0x02, 0x03, 0xe8},                                           // close 1000
		{0x88, 0x00},                                                       // close without a body
		{0x82, 0x7e, 0x01, 0x00, 0x00},                                     // 256 bytes announced, none there
		{0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0},                               // 64-bit length
		{0xf3, 0x00},                                                       // reserved bits and opcode
		{0x09, 0x00},                                                       // a ping with FIN 0
	} {
		en, zh := ExplainFrame(frame, Server), ExplainFrameIn(frame, Server, LangZH)
		if len(en.Fields) != len(zh.Fields) {
			t.Fatalf("% x: %d fields in English, %d in Chinese", frame, len(en.Fields), len(zh.Fields))
		}
		for i := range en.Fields {
			e, z := en.Fields[i].Meaning, zh.Fields[i].Meaning
			if e == "" || z == "" || e == z || !hasHan(z) {
				t.Errorf("% x field %s: English %q, Chinese %q", frame, en.Fields[i].Name, e, z)
			}
		}
	}
}

func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}

// TestAcceptStepsNamed: the steps of the Accept computation have a name in
// each language and the values of AcceptSteps.
func TestAcceptStepsNamed(t *testing.T) {
	e := AcceptSteps("dGhlIHNhbXBsZSBub25jZQ==")
	en, zh := e.Steps(LangEN), e.Steps(LangZH)
	if len(en) != 6 || en[5].Value != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" || en[4].Value != e.SHA1Hex || en[3].Value != e.Concatenated {
		t.Fatalf("steps %+v", en)
	}
	for i := range en {
		if en[i].Name == zh[i].Name || !hasHan(zh[i].Name) || en[i].Value != zh[i].Value {
			t.Errorf("step %d: %+v / %+v", i, en[i], zh[i])
		}
	}
}
