package lessons

import (
	"bytes"
	"html"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/alecthomas/chroma/v2"
	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/alecthomas/chroma/v2/styles"
	"github.com/yuin/goldmark"
	highlighting "github.com/yuin/goldmark-highlighting/v2"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
	"go.abhg.dev/goldmark/frontmatter"
	"gopkg.in/yaml.v3"
)

// codeStyle is chroma's style for the highlighting classes' stylesheet.
const codeStyle = "github"

// markdown is the renderer: GitHub-flavoured markdown (tables, strikethrough,
// autolinks, task lists), front matter, heading IDs (automatic, or written
// as {#id}), highlighting with CSS classes, and the ```wsplay blocks. Raw
// HTML in a lesson is not passed through (goldmark's default).
var markdown = goldmark.New(
	goldmark.WithExtensions(
		extension.GFM,
		&frontmatter.Extender{},
		highlighting.NewHighlighting(
			highlighting.WithStyle(codeStyle),
			highlighting.WithFormatOptions(chromahtml.WithClasses(true)),
		),
	),
	goldmark.WithParserOptions(
		parser.WithAutoHeadingID(),
		parser.WithAttribute(),
		parser.WithASTTransformers(util.Prioritized(blockTransformer{}, 100)),
	),
	goldmark.WithRendererOptions(
		renderer.WithNodeRenderers(util.Prioritized(blockRenderer{}, 100)),
	),
)

// frontMatterFields are the front matter's fields; all are required.
var frontMatterFields = []string{"title", "slug", "order", "summary", "lang", "panel", "objectives"}

type frontMatter struct {
	Title      string   `yaml:"title"`
	Slug       string   `yaml:"slug"`
	Order      int      `yaml:"order"`
	Summary    string   `yaml:"summary"`
	Lang       string   `yaml:"lang"`
	Panel      string   `yaml:"panel"`
	Objectives []string `yaml:"objectives"`
}

// parseState collects what the transformer finds in one file.
type parseState struct {
	file     string
	src      []byte
	includes func(string) ([]byte, error)
	blocks   []*Block
	errs     []error
}

var stateKey = parser.NewContextKey()

// lineOf returns the 1-based line of a byte offset.
func lineOf(src []byte, off int) int {
	return 1 + bytes.Count(src[:min(off, len(src))], []byte("\n"))
}

var yamlLine = regexp.MustCompile(`line ([0-9]+)`)

// yamlError rewrites a yaml error's line numbers, counted from the line
// after the opening ---, as lines of the file, and drops the line numbers
// from the message since the error's position says it.
func yamlError(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.ReplaceAll(msg, "unmarshal errors:\n  ", "")
	return yamlLine.ReplaceAllStringFunc(msg, func(s string) string {
		n, _ := strconv.Atoi(strings.TrimPrefix(s, "line "))
		return "line " + strconv.Itoa(n+1)
	})
}

// yamlErrorLine is the file line of a yaml error's first line number.
func yamlErrorLine(err error) int {
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n + 1
	}
	return 1
}

// parseLesson parses and checks one lesson file and renders its body.
func parseLesson(file string, src []byte, includes func(string) ([]byte, error)) (*Lesson, []error) {
	st := &parseState{file: file, src: src, includes: includes}
	pc := parser.NewContext()
	pc.Set(stateKey, st)
	doc := markdown.Parser().Parse(text.NewReader(src), parser.WithContext(pc))
	errs := st.errs
	fail := func(line int, msg string) { errs = append(errs, &Error{File: file, Line: line, Msg: msg}) }

	l := &Lesson{Blocks: st.blocks}
	data := frontmatter.Get(pc)
	if data == nil {
		fail(1, "no front matter: a lesson starts with a line ---, then title, slug, order, summary, lang, panel and objectives, then ---")
		return nil, errs
	}
	var node yaml.Node
	if err := data.Decode(&node); err != nil {
		fail(yamlErrorLine(err), "malformed front matter: "+yamlError(err))
		return nil, errs
	}
	if len(node.Content) == 0 || node.Content[0].Kind != yaml.MappingNode {
		fail(2, "malformed front matter: expected name: value lines")
		return nil, errs
	}
	m := node.Content[0]
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if !slices.Contains(frontMatterFields, k.Value) {
			fail(k.Line+1, "unknown front matter field "+strconv.Quote(k.Value)+" (known: "+strings.Join(frontMatterFields, ", ")+")")
			continue
		}
		seen[k.Value] = v
	}
	for _, f := range frontMatterFields {
		if seen[f] == nil {
			fail(1, "front matter: missing field "+strconv.Quote(f))
		}
	}
	var fm frontMatter
	if err := m.Decode(&fm); err != nil {
		fail(yamlErrorLine(err), "malformed front matter: "+yamlError(err))
		return nil, errs
	}
	at := func(f string) int {
		if n := seen[f]; n != nil {
			return n.Line + 1
		}
		return 1
	}
	if seen["title"] != nil && strings.TrimSpace(fm.Title) == "" {
		fail(at("title"), "front matter: title is empty")
	}
	if seen["summary"] != nil && strings.TrimSpace(fm.Summary) == "" {
		fail(at("summary"), "front matter: summary is empty (one sentence for the course index)")
	}
	if seen["order"] != nil && fm.Order < 1 {
		fail(at("order"), "front matter: order must be a whole number from 1")
	}
	if seen["lang"] != nil && !slices.Contains(Languages, fm.Lang) {
		fail(at("lang"), "front matter: lang must be one of "+strings.Join(Languages, ", ")+", not "+strconv.Quote(fm.Lang))
	}
	if seen["panel"] != nil && !slices.Contains(Panels, fm.Panel) {
		fail(at("panel"), "front matter: panel must be one of "+strings.Join(Panels, ", ")+", not "+strconv.Quote(fm.Panel))
	}
	if seen["objectives"] != nil && len(fm.Objectives) == 0 {
		fail(at("objectives"), "front matter: objectives must list at least one objective")
	}
	l.Title, l.Slug, l.Order, l.Summary = fm.Title, fm.Slug, fm.Order, fm.Summary
	l.Lang, l.Panel, l.Objectives = fm.Lang, fm.Panel, fm.Objectives

	// The structure every lesson follows.
	var widgets, exercises int
	for _, b := range l.Blocks {
		switch b.Type {
		case "widget":
			widgets++
		case "exercise":
			exercises++
		}
	}
	if widgets == 0 {
		fail(0, "a lesson needs at least one live widget (```wsplay accept, frame, mask, echo or builder)")
	}
	if exercises == 0 {
		fail(0, "a lesson needs at least one exercise (```wsplay exercise)")
	}
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if h, ok := n.(*ast.Heading); ok && entering && (h.Level == 2 || h.Level == 3) {
			id, _ := h.AttributeString("id")
			idb, _ := id.([]byte)
			l.Headings = append(l.Headings, Heading{Level: h.Level, ID: string(idb), Text: plainText(h, src)})
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	if !slices.ContainsFunc(l.Headings, func(h Heading) bool { return h.Level == 2 && h.ID == "summary" }) {
		fail(0, "a lesson ends with a summary: a heading ## Summary (in a translation, ## 小结 {#summary})")
	}
	if len(errs) > 0 {
		return nil, errs
	}
	var body bytes.Buffer
	if err := markdown.Renderer().Render(&body, src, doc); err != nil {
		return nil, []error{&Error{File: file, Msg: "rendering: " + err.Error()}}
	}
	l.Body = body.Bytes()
	return l, nil
}

// plainText is a node's text without markup.
func plainText(n ast.Node, src []byte) string {
	var sb strings.Builder
	ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch t := c.(type) {
		case *ast.Text:
			sb.Write(t.Segment.Value(src))
			if t.SoftLineBreak() {
				sb.WriteByte(' ')
			}
		case *ast.String:
			sb.Write(t.Value)
		}
		return ast.WalkContinue, nil
	})
	return sb.String()
}

// blockKind is the AST kind of a parsed ```wsplay block.
var blockKind = ast.NewNodeKind("WsplayBlock")

type blockNode struct {
	ast.BaseBlock
	block *Block
}

func (n *blockNode) Kind() ast.NodeKind { return blockKind }

func (n *blockNode) Dump(src []byte, level int) {
	ast.DumpHelper(n, src, level, map[string]string{"Type": n.block.Type, "Name": n.block.Name}, nil)
}

// blockTransformer replaces each fenced block whose info string starts
// with "wsplay" by a blockNode, parsed and checked; the highlighting
// extension renders every other fenced block.
type blockTransformer struct{}

func (blockTransformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	st, _ := pc.Get(stateKey).(*parseState)
	if st == nil {
		return
	}
	src := reader.Source()
	var fences []*ast.FencedCodeBlock
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if f, ok := n.(*ast.FencedCodeBlock); ok && entering && f.Info != nil {
			info := string(f.Info.Segment.Value(src))
			if w, _, _ := strings.Cut(info, " "); w == "wsplay" {
				fences = append(fences, f)
			}
		}
		return ast.WalkContinue, nil
	})
	for _, f := range fences {
		info := string(f.Info.Segment.Value(src))
		line := lineOf(src, f.Info.Segment.Start)
		lines := f.Lines()
		body := make([]string, lines.Len())
		for i := range body {
			seg := lines.At(i)
			body[i] = strings.TrimRight(string(seg.Value(src)), "\r\n")
		}
		bodyLine := func(i int) int { return lineOf(src, lines.At(i).Start) }
		b, errs := parseBlock(strings.TrimPrefix(info, "wsplay"), body, line, bodyLine, st.includes)
		for _, e := range errs {
			st.errs = append(st.errs, &Error{File: st.file, Line: e.line, Msg: e.msg})
		}
		if b == nil {
			continue
		}
		b.File = st.file
		if len(errs) == 0 && b.html == nil {
			// Rendered once, in the lesson's language, known from its
			// folder (lessons/zh/...): the front matter is not read yet.
			b.html = renderBlock(b, path.Base(path.Dir(st.file)))
		}
		st.blocks = append(st.blocks, b)
		f.Parent().ReplaceChild(f.Parent(), f, &blockNode{block: b})
	}
}

// blockRenderer writes a blockNode's HTML, made when it was parsed.
type blockRenderer struct{}

func (blockRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(blockKind, func(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			w.Write(n.(*blockNode).block.html)
		}
		return ast.WalkSkipChildren, nil
	})
}

// highlightFile renders an included file as highlighted code, with the
// same classes as the highlighted fenced blocks.
func highlightFile(name string, src []byte) []byte {
	var w bytes.Buffer
	w.WriteString("<figure class=\"include\">\n<figcaption><code>lessons/" + html.EscapeString(name) + "</code></figcaption>\n")
	lexer := lexers.Match(path.Base(name))
	if lexer == nil {
		lexer = lexers.Fallback
	}
	it, err := chroma.Coalesce(lexer).Tokenise(nil, string(src))
	if err == nil {
		err = chromahtml.New(chromahtml.WithClasses(true)).Format(&w, styles.Get(codeStyle), it)
	}
	if err != nil {
		w.WriteString("<pre><code>" + html.EscapeString(string(src)) + "</code></pre>")
	}
	w.WriteString("</figure>\n")
	return w.Bytes()
}

// highlightCSS is the stylesheet of the highlighting classes.
func highlightCSS() []byte {
	var w bytes.Buffer
	chromahtml.New(chromahtml.WithClasses(true)).WriteCSS(&w, styles.Get(codeStyle))
	return w.Bytes()
}
