//go:build !js

package lessons

import (
	"bytes"
	"compress/flate"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"wsplay/core"
	"wsplay/site"
)

// course loads the embedded course once per test.
func course(t testing.TB) *Course {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatalf("the course does not load:\n%v", err)
	}
	return c
}

func fixture(t testing.TB, dir string) (*Course, error) {
	t.Helper()
	return LoadFS(os.DirFS(dir), dir+"/")
}

// TestEveryLessonRenders checks every lesson in every language: the front
// matter, the structure (objectives, a widget, an exercise, a summary), and
// that a page was rendered.
func TestEveryLessonRenders(t *testing.T) {
	c := course(t)
	en := c.Lessons["en"]
	if len(en) < 5 {
		t.Fatalf("%d English lessons, want at least 5", len(en))
	}
	for i, want := range []string{"why-websocket", "handshake", "accept", "frame-anatomy", "payload-length"} {
		if en[i].Slug != want || en[i].Order != i+1 {
			t.Errorf("lesson %d is %q (order %d), want %q", i+1, en[i].Slug, en[i].Order, want)
		}
	}
	for _, lang := range Languages {
		for _, l := range c.Lessons[lang] {
			t.Run(lang+"/"+l.Slug, func(t *testing.T) {
				page, ok := c.Page(lang, l.Slug)
				if !ok || len(page) == 0 {
					t.Fatal("no page")
				}
				s := string(page)
				for _, want := range []string{
					`<h1 id="lesson-title">` + htmlText(l.Title) + `</h1>`,
					`id="objectives"`, `id="summary"`, `class="widget"`, `class="exercise"`,
					`href="/#` + l.Panel, `data-lang-switch`, `/static/lesson.js`,
				} {
					if !strings.Contains(s, want) {
						t.Errorf("the page lacks %s", want)
					}
				}
				// Raw HTML is dropped, not rendered: a lesson that uses it
				// loses words (write markdown, or Unicode such as 2⁶³).
				if strings.Contains(s, "raw HTML omitted") {
					t.Error("the lesson uses raw HTML, which is not rendered")
				}
				for _, o := range l.Objectives {
					if !strings.Contains(s, "<li>"+htmlText(o)+"</li>") {
						t.Errorf("objective %q is not on the page", o)
					}
				}
				if l.Lang != lang || l.Summary == "" || l.Title == "" || len(l.Objectives) == 0 {
					t.Errorf("front matter: %+v", l)
				}
			})
		}
	}
}

// htmlText escapes like html/template does in text.
func htmlText(s string) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;")
	return r.Replace(s)
}

var (
	hrefRE = regexp.MustCompile(`\shref="([^"]*)"`)
	idRE   = regexp.MustCompile(`\sid="([^"]*)"`)
)

// pageIDs lists the ids of a page, failing on a duplicate.
func pageIDs(t *testing.T, name string, page []byte) map[string]bool {
	ids := map[string]bool{}
	for _, m := range idRE.FindAllSubmatch(page, -1) {
		id := string(m[1])
		if ids[id] {
			t.Errorf("%s: the id %q appears twice", name, id)
		}
		ids[id] = true
	}
	return ids
}

// TestLinksResolve parses every rendered page (lessons in every language,
// the indexes) and checks every internal link: a lesson that exists, an
// anchor that exists on the page it names, a playground panel, a static
// file the site has.
func TestLinksResolve(t *testing.T) {
	c := course(t)
	type page struct {
		name string
		body []byte
	}
	var pages []page
	for _, lang := range Languages {
		idx, _ := c.Index(lang)
		pages = append(pages, page{"index?lang=" + lang, idx})
		for _, l := range c.Lessons[Languages[0]] {
			p, ok := c.Page(lang, l.Slug)
			if !ok {
				t.Fatalf("no page %s in %s", l.Slug, lang)
			}
			pages = append(pages, page{URL(lang, l.Slug), p})
		}
	}
	ids := map[string]map[string]bool{}
	for _, p := range pages {
		ids[p.name] = pageIDs(t, p.name, p.body)
	}
	built := map[string]bool{"/static/wasm_exec.js": true, "/static/wsplay.wasm": true} // written by make wasm
	checked := 0
	for _, p := range pages {
		for _, m := range hrefRE.FindAllSubmatch(p.body, -1) {
			href := strings.ReplaceAll(string(m[1]), "&amp;", "&")
			if strings.HasPrefix(href, "http://") || strings.HasPrefix(href, "https://") {
				continue
			}
			checked++
			target, anchor, _ := strings.Cut(href, "#")
			switch {
			case target == "":
				if !ids[p.name][anchor] {
					t.Errorf("%s: link %q: no such anchor on the page", p.name, href)
				}
			case target == "/" || strings.HasPrefix(target, "/?lang=") && slices.Contains(Languages, strings.TrimPrefix(target, "/?lang=")):
				if panel, _, _ := strings.Cut(anchor, "?"); anchor != "" && !slices.Contains(Panels, panel) {
					t.Errorf("%s: link %q: not a playground panel", p.name, href)
				}
			case target == "/lessons/highlight.css":
			case strings.HasPrefix(target, "/static/"):
				if _, err := fs.Stat(site.Files, strings.TrimPrefix(target, "/")); err != nil && !built[target] {
					t.Errorf("%s: link %q: no such file in site/", p.name, href)
				}
			case target == "/lessons/" || strings.HasPrefix(target, "/lessons/?lang="):
				if _, ok := c.Index(strings.TrimPrefix(target, "/lessons/?lang=")); !ok && target != "/lessons/" {
					t.Errorf("%s: link %q: no such index", p.name, href)
				}
			case strings.HasPrefix(target, "/lessons/"):
				slug, query, _ := strings.Cut(strings.TrimPrefix(target, "/lessons/"), "?")
				lang := strings.TrimPrefix(query, "lang=")
				if lang == "" {
					lang = "en"
				}
				if _, ok := c.Page(lang, slug); !ok {
					t.Errorf("%s: link %q: no such lesson", p.name, href)
				} else if anchor != "" && !ids[URL(lang, slug)][anchor] {
					t.Errorf("%s: link %q: no anchor %q in that lesson", p.name, href, anchor)
				}
			default:
				t.Errorf("%s: link %q goes nowhere wsplay serves", p.name, href)
			}
		}
	}
	if checked < 50 {
		t.Errorf("only %d internal links checked", checked)
	}
}

// TestChineseLinksStayChinese: a link in the text of a Chinese lesson to
// another lesson goes to that lesson's Chinese page (which exists, with the
// anchor it names), and a link to the playground opens it in Chinese, so a
// reader who follows the course never lands on English by a link.
func TestChineseLinksStayChinese(t *testing.T) {
	c := course(t)
	const lang = "zh"
	lessons := 0
	for _, l := range c.Lessons[lang] {
		ids := pageIDs(t, l.File, l.Body)
		for _, m := range hrefRE.FindAllSubmatch(l.Body, -1) {
			href := strings.ReplaceAll(string(m[1]), "&amp;", "&")
			if !strings.HasPrefix(href, "/") {
				continue // another site, or an anchor on this page
			}
			target, anchor, _ := strings.Cut(href, "#")
			p, query, _ := strings.Cut(target, "?")
			q, err := url.ParseQuery(query)
			if err != nil || q.Get("lang") != lang {
				t.Errorf("%s: link %q does not stay in Chinese: add ?lang=%s before the #", l.File, href, lang)
				continue
			}
			slug, isLesson := strings.CutPrefix(p, "/lessons/")
			switch {
			case p == "/":
			case isLesson && slug != "":
				lessons++
				other := c.Lesson(lang, slug)
				if other == nil {
					t.Errorf("%s: link %q: no Chinese lesson %q", l.File, href, slug)
					continue
				}
				if anchor != "" {
					if other == l && !ids[anchor] || other != l && !pageIDs(t, other.File, other.Body)[anchor] {
						t.Errorf("%s: link %q: %s has no heading #%s", l.File, href, other.File, anchor)
					}
				}
			case isLesson:
			default:
				t.Errorf("%s: link %q goes to no Chinese page", l.File, href)
			}
		}
	}
	if lessons < 30 {
		t.Errorf("only %d links between Chinese lessons checked", lessons)
	}
}

// TestExamplesAgreeWithCore recomputes every worked example of every lesson
// in every language with the core, independently of the checks at load.
func TestExamplesAgreeWithCore(t *testing.T) {
	c := course(t)
	n := 0
	for _, lang := range Languages {
		for _, l := range c.Lessons[lang] {
			for _, b := range l.Blocks {
				if b.Type != "example" {
					continue
				}
				n++
				where := b.File + ":" + strconv.Itoa(b.Line)
				p := b.Params
				switch b.Name {
				case "accept":
					if got := core.AcceptSteps(p["key"]).Accept; got != p["accept"] {
						t.Errorf("%s: accept of %s is %s, the lesson says %s", where, p["key"], got, p["accept"])
					}
				case "mask":
					key, _ := hex.DecodeString(strings.TrimPrefix(p["key"], "0x"))
					var k [4]byte
					copy(k[:], key)
					var got []string
					for _, s := range core.MaskSteps(k, 0, []byte(p["payload"])) {
						got = append(got, hex.EncodeToString([]byte{s.Out}))
					}
					if strings.Join(got, " ") != normHex(p["masked"]) {
						t.Errorf("%s: masked is %s, the lesson says %s", where, strings.Join(got, " "), p["masked"])
					}
				case "frame":
					raw, err := hex.DecodeString(strings.ReplaceAll(normHex(p["hex"]), " ", ""))
					if err != nil {
						t.Fatalf("%s: %v", where, err)
					}
					role := core.Server
					if p["receiver"] == "client" {
						role = core.Client
					}
					e := core.ExplainFrame(raw, role)
					fields := map[string]string{}
					for _, f := range e.Fields {
						fields[f.Name] = f.Value
					}
					for name, v := range p {
						if strings.HasPrefix(name, "\x00") {
							continue
						}
						var ok bool
						switch name {
						case "hex", "receiver":
							ok = true
						case "fin":
							ok = fields["FIN"] == boolBit(v)
						case "masked":
							ok = fields["MASK"] == boolBit(v)
						case "opcode":
							op, _ := parseOpcode(v)
							ok = fields["opcode"] == "0x"+strconv.FormatUint(uint64(op), 16)
						case "length":
							ok = strconv.FormatUint(e.Header.Length, 10) == v
						case "key":
							ok = fields["Masking-key"] == "0x"+strings.TrimPrefix(strings.ReplaceAll(v, " ", ""), "0x")
						case "text":
							ok = string(e.Unmasked) == v && e.Header.Opcode != core.OpClose
						case "payload-hex":
							ok = hex.EncodeToString(e.Unmasked) == strings.ReplaceAll(normHex(v), " ", "")
						case "missing":
							ok = strconv.FormatUint(e.Missing, 10) == v
						case "problem":
							ok = problemMatches(v, e.Problems)
						default:
							t.Errorf("%s: unknown field %s", where, name)
							continue
						}
						if !ok {
							t.Errorf("%s: %s is %q, the core disagrees (%+v)", where, name, v, e.Header)
						}
					}
				case "deflate":
					checkDeflateAgainstFlate(t, where, p)
				default:
					t.Errorf("%s: unknown example kind %q", where, b.Name)
				}
			}
		}
	}
	if n < 10 {
		t.Errorf("only %d worked examples", n)
	}
}

func boolBit(s string) string {
	b, _ := parseBool(s)
	return bit(b)
}

func normHex(s string) string {
	b, msg := parseHex(s)
	if msg != "" {
		return "invalid hex " + s
	}
	return hexString(b)
}

// TestBlocksParse checks that every ```wsplay block parsed into a known
// widget, example, exercise or include, and that every exercise has an
// answer the core computed.
func TestBlocksParse(t *testing.T) {
	c := course(t)
	for _, lang := range Languages {
		for _, l := range c.Lessons[lang] {
			for _, b := range l.Blocks {
				where := b.File + ":" + strconv.Itoa(b.Line)
				switch b.Type {
				case "widget":
					if !slices.Contains(widgetNames, b.Name) {
						t.Errorf("%s: widget %q", where, b.Name)
					}
				case "exercise":
					if b.Name != "build" && b.Answer == "" {
						t.Errorf("%s: the core gave no answer", where)
					}
				case "example", "include":
				default:
					t.Errorf("%s: block type %q", where, b.Type)
				}
				if len(b.html) == 0 {
					t.Errorf("%s: not rendered", where)
				}
			}
		}
	}
}

// TestAnswersNotInPage: an exercise's answer is computed in the browser by
// the core; the exercise's HTML never holds it, and a computed answer (an
// Accept value, masked bytes) is nowhere on the page. (A short answer such
// as an opcode or a length may well appear in the lesson's text.)
func TestAnswersNotInPage(t *testing.T) {
	c := course(t)
	n := 0
	for _, lang := range Languages {
		for _, l := range c.Lessons[lang] {
			page, _ := c.Page(lang, l.Slug)
			for _, b := range l.Blocks {
				if b.Type != "exercise" || b.Answer == "" {
					continue
				}
				n++
				// (The prompt is the author's words: "wsplay" may answer a
				// question and name the program too.)
				if len(b.Answer) >= 4 && !strings.Contains(b.Params["prompt"], b.Answer) && bytes.Contains(b.html, []byte(b.Answer)) {
					t.Errorf("%s:%d: the exercise's HTML holds its answer %q", b.File, b.Line, b.Answer)
				}
				if (b.Name == "accept" || b.Name == "mask") && bytes.Contains(page, []byte(b.Answer)) {
					t.Errorf("%s:%d: the answer %q is on the page", b.File, b.Line, b.Answer)
				}
			}
		}
	}
	if n == 0 {
		t.Error("no exercises with answers")
	}
}

var (
	keyRE       = regexp.MustCompile(`\b[A-Za-z0-9+/]{22}==`)
	acceptRE    = regexp.MustCompile(`\b[A-Za-z0-9+/]{27}=`)
	hexRunRE    = regexp.MustCompile(`\b[0-9a-f]{2}(?: [0-9a-f]{2}){2,}\b`)
	wsplayFence = regexp.MustCompile("(?ms)^```wsplay.*?^```")
)

// TestConcreteValuesAreExamples enforces the authoring rule: a key, an
// Accept value or a run of hex bytes written anywhere in a lesson (prose
// or ordinary code) appears in one of its worked examples, so the core has
// checked it.
func TestConcreteValuesAreExamples(t *testing.T) {
	c := course(t)
	for _, lang := range Languages {
		for _, l := range c.Lessons[lang] {
			src, err := fs.ReadFile(Content, l.File)
			if err != nil {
				t.Fatal(err)
			}
			// What the core checked or computed: every value of every
			// example, and the payloads of the frame examples one after
			// the other (a message shown as its fragments).
			var checked []string
			var payloads []byte
			for _, b := range l.Blocks {
				if b.Type == "example" {
					for _, n := range b.Order {
						checked = append(checked, b.Params[n])
					}
				}
				if b.Type == "example" && b.Name == "frame" {
					raw, _ := parseHex(b.Params["hex"])
					role, _ := parseRole(b.Params["receiver"])
					payloads = append(payloads, core.ExplainFrame(raw, role).Unmasked...)
				}
			}
			checked = append(checked, hexString(payloads))
			for _, v := range pinnedValues {
				checked = append(checked, v.value)
			}
			prose := wsplayFence.ReplaceAllString(string(src), "")
			for _, re := range []*regexp.Regexp{keyRE, acceptRE, hexRunRE} {
				for _, v := range re.FindAllString(prose, -1) {
					if !slices.ContainsFunc(checked, func(s string) bool { return strings.Contains(s, v) }) {
						t.Errorf("lessons/%s: %q is not in any worked example of the lesson, so nothing checks it", l.File, v)
					}
				}
			}
		}
	}
}

// TestMalformedLessons: each fixture breaks one rule; loading fails with an
// error naming the file and line.
func TestMalformedLessons(t *testing.T) {
	for _, tc := range []struct{ dir, want string }{
		{"missing-field", `01-first.md:1: front matter: missing field "summary"`},
		{"malformed-yaml", `01-first.md:4: malformed front matter: line 4: cannot unmarshal !!str ` + "`one`" + ` into int`},
		{"unknown-widget", `01-first.md:20: unknown widget "acept"`},
		{"wrong-accept", `01-first.md:25: example accept: accept is "s3pPLMBiTxaQ9kYGzzhZRbK+xOO=" but the core says "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="`},
		{"wrong-frame", `01-first.md:43: example frame: length is "6" but the core says "5"`},
		{"no-front-matter", `01-first.md:1: no front matter`},
		{"no-exercise", `01-first.md: a lesson needs at least one exercise`},
		{"bad-include", `01-first.md:28: wsplay include: examples/nope.py: no such file`},
		{"unknown-panel", `01-first.md:7: front matter: panel must be one of handshake, frame, mask, wire, chat, check, tap, not "lobby"`},
		{"bad-exercise", `01-first.md:33: exercise mask: key: a masking key is 4 bytes`},
		{"duplicate-slug", `02-first.md:1: slug "first" is also used by testdata/bad/duplicate-slug/en/01-first.md`},
		{"duplicate-order", `01-other.md:1: order 1 is also used by testdata/bad/duplicate-order/en/01-first.md`},
		{"translation", `zh/01-first.md:29: this ` + "```wsplay" + ` block (exercise mask kind=mask key=01020304 payload=abce) differs from testdata/bad/translation/en/01-first.md:31`},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			dir := path.Join("testdata/bad", tc.dir)
			_, err := fixture(t, dir)
			if err == nil {
				t.Fatal("the fixture loads")
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), dir+"/") {
				t.Fatalf("error:\n%v\nwant it to contain:\n%s", err, tc.want)
			}
		})
	}
}

// TestFixtureCourse covers what the embedded course does not exercise yet:
// raw HTML, includes, translations and the untranslated fallback.
func TestFixtureCourse(t *testing.T) {
	c, err := fixture(t, "testdata/good")
	if err != nil {
		t.Fatal(err)
	}
	en, _ := c.Page("en", "first")
	zh, _ := c.Page("zh", "first")
	for name, page := range map[string][]byte{"en": en, "zh": zh} {
		s := string(page)
		if strings.Contains(s, "<script>alert") || strings.Contains(s, "<b onclick") || strings.Contains(s, `alert("raw")`) ||
			!strings.Contains(s, "raw HTML omitted") {
			t.Errorf("%s: raw HTML passed through:\n%s", name, s)
		}
		// The include: the file's text, highlighted with classes, escaped.
		if !strings.Contains(s, `<figcaption><code>lessons/examples/hello.py</code></figcaption>`) ||
			!strings.Contains(s, `class="chroma"`) || !strings.Contains(s, `&lt;world&gt;`) || strings.Contains(s, "style=") {
			t.Errorf("%s: the include is not rendered as highlighted code:\n%s", name, s)
		}
	}
	if !strings.Contains(string(en), `href="/lessons/first?lang=zh" hreflang="zh"`) {
		t.Error("the English page does not switch to the translation")
	}
	if !strings.Contains(string(zh), `href="/lessons/first" hreflang="en"`) || !strings.Contains(string(zh), `<html lang="zh"`) {
		t.Error("the Chinese page does not switch back to English")
	}
	// Not translated: the English page, with a note in Chinese.
	second, ok := c.Page("zh", "second")
	if !ok || !strings.Contains(string(second), uis["zh"].Notice) || !strings.Contains(string(second), "<h1 id=\"lesson-title\">Second</h1>") {
		t.Errorf("untranslated page:\n%s", second)
	}
	if strings.Contains(string(en), uis["zh"].NotTranslated) {
		t.Error("the English page of a translated lesson says it is not translated")
	}
	if s, _ := c.Page("en", "second"); !strings.Contains(string(s), `class="lang-missing"`) {
		t.Error("the switch of an untranslated lesson does not say so")
	}
	// Every widget: its data- attributes for mount(), and the core's
	// rendering inside for a page without JavaScript.
	second, _ = c.Page("en", "second")
	for _, want := range []string{
		`<div class="widget" data-widget="accept" data-key="dGhlIHNhbXBsZSBub25jZQ==">`,
		`<td><code>s3pPLMBiTxaQ9kYGzzhZRbK+xOo=</code></td>`,
		`<div class="widget" data-widget="frame" data-hex="81 05 48 65 6c 6c 6f" data-receiver="client">`,
		`<th scope="row">opcode</th><td class="mono">bits 4–7</td><td class="mono raw">0001</td><td class="mono">0x1</td>`,
		`<div class="widget" data-widget="mask" data-key="37fa213d" data-payload="Hello world">`,
		`<td class="mono">10</td><td class="mono k2">2</td><td class="mono k2">21</td><td class="mono">64<span class="ch"> d</span></td>`,
		`<td class="mono out">45</td><td class="mono">E</td>`,
		`<div class="widget" data-widget="echo">`, `<div class="widget" data-widget="builder">`,
	} {
		if !strings.Contains(string(en)+string(second), want) {
			t.Errorf("no %s", want)
		}
	}
	if _, ok := c.Page("fr", "first"); ok {
		t.Error("a page in an unknown language")
	}
	if _, ok := c.Page("en", "nope"); ok {
		t.Error("a page for an unknown slug")
	}
	// The zh index lists lessons in order, marking the untranslated one.
	idx, _ := c.Index("zh")
	i1, i2 := bytes.Index(idx, []byte("第一课")), bytes.Index(idx, []byte(">Second<"))
	if i1 < 0 || i2 < i1 || !bytes.Contains(idx, []byte("("+uis["zh"].NotTranslated+")")) {
		t.Errorf("zh index:\n%s", idx)
	}
}

// BenchmarkCachedLesson measures what a request for a lesson costs the
// course: looking up the page rendered at load.
func BenchmarkCachedLesson(b *testing.B) {
	c := course(b)
	b.ReportAllocs()
	for b.Loop() {
		if p, ok := c.Page("en", "frame-anatomy"); !ok || len(p) == 0 {
			b.Fatal("no page")
		}
	}
}

// BenchmarkLoad measures the first time: parsing, checking and rendering
// the whole course, as the server does at start-up.
func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := LoadFS(Content, "lessons/"); err != nil { // Load would return the first result
			b.Fatal(err)
		}
	}
}

// TestBlocksInTheLessonsLanguage: the server-rendered blocks (worked
// examples, exercises, widget fallbacks, the core's rule texts) are in the
// lesson's language, so a printed Chinese handout has no English captions.
func TestBlocksInTheLessonsLanguage(t *testing.T) {
	c := course(t)
	for _, lang := range Languages {
		title := wordsIn(lang).text("exercise.title")
		for _, l := range c.Lessons[lang] {
			body := string(l.Body)
			if !strings.Contains(body, `<h3 class="exercise-title">`+title+`</h3>`) {
				t.Errorf("%s/%s: the exercise is not titled %q", lang, l.Slug, title)
			}
			for _, other := range Languages {
				if ot := wordsIn(other).text("exercise.title"); other != lang && ot != title && strings.Contains(body, `<h3 class="exercise-title">`+ot+`</h3>`) {
					t.Errorf("%s/%s: an exercise is titled in %s", lang, l.Slug, other)
				}
			}
		}
	}
	// A frame that breaks a rule, rendered for a Chinese lesson, cites the
	// core's Chinese text of the rule.
	b := &Block{Type: "widget", Name: "frame", Params: map[string]string{"hex": "49 00"}, Order: []string{"hex"}}
	zh := string(renderBlock(b, "zh"))
	if !strings.Contains(zh, core.RuleControlFinal.TextIn("zh")) || strings.Contains(zh, core.RuleControlFinal.Text) {
		t.Errorf("a Chinese frame fallback does not cite the rule in Chinese:\n%s", zh)
	}
}

// shownInputs lists what a worked example or a live widget hands the reader
// already solved, in the terms of the exercise kinds: the key whose Accept
// it computes ("accept KEY"), the frame it decodes ("decode HEX"), the key
// and text it masks ("mask KEY TEXT"), and the frame it builds ("build
// OPCODE MASKED TEXT", for a whole final frame with a UTF-8 payload).
func shownInputs(b *Block) []string {
	if b.Type != "example" && b.Type != "widget" {
		return nil
	}
	switch b.Name {
	case "accept":
		return []string{"accept " + b.Params["key"]}
	case "mask":
		return []string{"mask " + strings.ToLower(b.Params["key"]) + " " + b.Params["payload"]}
	case "frame":
		raw, msg := parseHex(b.Params["hex"])
		if msg != "" {
			return nil
		}
		shown := []string{"decode " + hexString(raw)}
		role, _ := parseRole(b.Params["receiver"])
		e := core.ExplainFrame(raw, role)
		if text, ok := payloadText(e); ok && e.Complete && e.Header.Fin {
			shown = append(shown, "build "+e.Header.Opcode.String()+" "+bit(e.Header.Masked)+" "+text)
			if e.Header.Masked {
				shown = append(shown, "mask "+hex.EncodeToString(e.Header.Key[:])+" "+text)
			}
		}
		return shown
	}
	return nil
}

// exerciseInput is an exercise's question in the terms of shownInputs.
func exerciseInput(b *Block) string {
	switch b.Name {
	case "accept":
		return "accept " + b.Params["key"]
	case "decode":
		return "decode " + normHex(b.Params["hex"])
	case "mask":
		return "mask " + strings.ToLower(strings.Join(strings.Fields(b.Params["key"]), "")) + " " + b.Params["payload"]
	case "build":
		return "build " + b.Params["opcode"] + " " + boolBit(b.Params["masked"]) + " " + b.Params["text"]
	}
	return ""
}

// TestExercisesAreNewWork: an exercise whose input is the same as a worked
// example's or a live widget's in the same lesson has its answer printed on
// the page, so it teaches nothing (the README's rule). A build exercise
// repeats a frame shown with the same opcode, masking and text; a mask
// exercise repeats a masked frame shown with the same key and text.
func TestExercisesAreNewWork(t *testing.T) {
	c := course(t)
	for _, lang := range Languages {
		for _, l := range c.Lessons[lang] {
			shownAt := map[string]*Block{}
			for _, b := range l.Blocks {
				for _, in := range shownInputs(b) {
					if shownAt[in] == nil {
						shownAt[in] = b
					}
				}
			}
			for _, b := range l.Blocks {
				if b.Type != "exercise" {
					continue
				}
				if s := shownAt[exerciseInput(b)]; s != nil {
					in := exerciseInput(b)
					if len(in) > 60 {
						in = in[:60] + "…"
					}
					t.Errorf("%s:%d: this %s exercise asks what the %s %s at line %d shows solved (%s): give it an input of its own",
						b.File, b.Line, b.Name, s.Name, s.Type, s.Line, in)
				}
			}
		}
	}
}

// pinnedValues are the concrete values a lesson shows that no worked example
// can hold, because they are wrong on purpose: what a blog post's mistake
// produces. TestPinnedValues computes each one, so the lesson cannot lie
// about what the mistake gives.
var pinnedValues = []struct {
	value, what string
	compute     func() string
}{
	{"B+uvkirVlXkQT4tM7HfDM/5rBwM=",
		"the Accept for the RFC's sample key with the GUID typed 258EAF5E-… (lessons 3 and 13)",
		func() string {
			return acceptWithGUID("dGhlIHNhbXBsZSBub25jZQ==", "258EAF5E-E914-47DA-95CA-C5AB0DC85B11")
		}},
	{"s3pPLMBiTxaQ9kYGzzhZRbK+x0o=",
		"the RFC's sample Accept printed with a zero for the letter O (lessons 3 and 13)",
		func() string {
			return strings.Replace(core.Accept("dGhlIHNhbXBsZSBub25jZQ=="), "xOo=", "x0o=", 1)
		}},
}

// acceptWithGUID is the Accept computation of §4.2.2 with any GUID: the
// lessons show what a mistyped one gives.
func acceptWithGUID(key, guid string) string {
	sum := sha1.Sum([]byte(key + guid))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// TestPinnedValues recomputes every pinned value, and checks that none of
// them is by chance the right Accept.
func TestPinnedValues(t *testing.T) {
	if got := acceptWithGUID("dGhlIHNhbXBsZSBub25jZQ==", core.GUID); got != core.Accept("dGhlIHNhbXBsZSBub25jZQ==") {
		t.Fatalf("acceptWithGUID with the real GUID gives %q, the core %q", got, core.Accept("dGhlIHNhbXBsZSBub25jZQ=="))
	}
	for _, v := range pinnedValues {
		if got := v.compute(); got != v.value {
			t.Errorf("%s: the lessons show %q, it is %q", v.what, v.value, got)
		}
		if v.value == core.Accept("dGhlIHNhbXBsZSBub25jZQ==") {
			t.Errorf("%s: %q is the right Accept, not a mistake", v.what, v.value)
		}
	}
}

// TestWordsFromTheCatalog: every word the Go pages use is in the catalog
// (site/static/words.json) in every language: a key missing from it would
// show as the key itself ("fallback.echoNote") on the page.
func TestWordsFromTheCatalog(t *testing.T) {
	c := course(t)
	prefixes := []string{"lessons.", "fallback.", "exercise.", "given.", "accept.", "frame.", "mask.", "role.", "value.", "field.", "example.kind.", "compress."}
	for _, lang := range Languages {
		pages := map[string][]byte{}
		pages["index"], _ = c.Index(lang)
		for _, l := range c.Lessons[Languages[0]] {
			pages[l.Slug], _ = c.Page(lang, l.Slug)
		}
		for name, page := range pages {
			for _, p := range prefixes {
				key := regexp.MustCompile(`>` + regexp.QuoteMeta(p) + `[A-Za-z0-9.]+<`)
				for _, m := range key.FindAll(page, -1) {
					if regexp.MustCompile(`\.(go|py|js|rs|c|java|md)<$`).Match(m) {
						continue // a file the lesson names (accept.go)
					}
					t.Errorf("%s/%s shows a key instead of its words: %s", lang, name, m)
				}
			}
		}
	}
	for _, k := range slices.Concat(maskColumns, frameColumns, compressColumns) {
		for _, lang := range Languages {
			if theCatalog.Words[k][lang] == "" {
				t.Errorf("the catalog has no %s for %s", lang, k)
			}
		}
	}
}

// checkDeflateAgainstFlate checks a deflate example with compress/flate
// alone, not with the core's inflater that checked it at load: the stated
// payloads, each with the tail 00 00 ff ff put back (RFC 7692 §7.2.2) and
// read as one stream (context takeover), inflate to the text; the tail is
// that of a sync flush; the wire's frames carry the same bytes.
func checkDeflateAgainstFlate(t *testing.T, where string, p map[string]string) {
	t.Helper()
	var stream []byte
	n := 0
	for i := 1; ; i++ {
		v, ok := p["message-"+strconv.Itoa(i)]
		if !ok {
			break
		}
		z, msg := parseHex(v)
		if msg != "" {
			t.Fatalf("%s: message-%d: %s", where, i, msg)
		}
		stream = append(append(stream, z...), 0x00, 0x00, 0xff, 0xff)
		n++
	}
	if n > 0 {
		fr := flate.NewReader(bytes.NewReader(stream))
		for i := 1; i <= n; i++ {
			got := make([]byte, len(p["text"]))
			if _, err := io.ReadFull(fr, got); err != nil || string(got) != p["text"] {
				t.Errorf("%s: message-%d inflates to %q (%v), the lesson says %q", where, i, got, err, p["text"])
			}
		}
	}
	if v, ok := p["tail"]; ok {
		var buf bytes.Buffer
		fw, _ := flate.NewWriter(&buf, flate.DefaultCompression)
		fw.Write([]byte(p["text"]))
		fw.Flush()
		if !strings.HasSuffix(hexString(buf.Bytes()), normHex(v)) {
			t.Errorf("%s: a sync flush ends % x, not with the tail %s", where, buf.Bytes(), v)
		}
	}
	if v, ok := p["wire"]; ok {
		// Each frame: its first byte has RSV1 only when its opcode is
		// not 0 (§6.1), and its payloads, put together, are a stated
		// message's bytes.
		raw, _ := parseHex(v)
		var payloads []byte
		for len(raw) >= 2 {
			n := int(raw[1] & 0x7f)
			if rsv1, op := raw[0]&0x40 != 0, raw[0]&0x0f; rsv1 != (op != 0) {
				t.Errorf("%s: a frame with opcode %d has RSV1 %v", where, op, rsv1)
			}
			payloads = append(payloads, raw[2:2+n]...)
			raw = raw[2+n:]
		}
		var stated []byte
		for i := 1; ; i++ {
			m, ok := p["message-"+strconv.Itoa(i)]
			if !ok {
				break
			}
			z, _ := parseHex(m)
			stated = append(stated, z...)
		}
		if !bytes.Equal(payloads, stated) {
			t.Errorf("%s: the wire carries % x, the messages are % x", where, payloads, stated)
		}
	}
}
