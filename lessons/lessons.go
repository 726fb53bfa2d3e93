// Package lessons is wsplay's course: markdown files with YAML front matter,
// embedded into the binary, loaded and checked once at start-up, rendered
// with goldmark into HTML pages that are cached for the life of the process.
//
// # Format
//
// lessons/README.md describes the format for authors: the front matter, the
// ```wsplay blocks (widgets, worked examples, exercises, includes) and the
// rules a lesson must follow. Load enforces them: a missing or malformed
// field, a duplicate slug or order, an unknown widget or a worked example
// that disagrees with the core is an error naming the file and line, and
// the server refuses to start rather than serve a broken page.
//
// # Languages
//
// Lessons live in en/ and zh/ under the same file name and slug. English is
// the reference: every lesson exists in English; a translation must have the
// slug, order, panel and the same sequence of ```wsplay blocks as its English
// original. A page in a language without that lesson says so and links to
// the English one.
//
// # Templates
//
// The page templates are in lessons/templates/ and embedded here too, so
// the package renders whole pages; the server only routes to them.
package lessons

import (
	"embed"
	"errors"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Content is the course as embedded: en/, zh/ and examples/.
//
//go:embed en zh examples
var Content embed.FS

// Languages lists the course's languages, those of the interface words
// (site/static/words.json); the first is the reference. A language without
// its lessons directory shows the English lessons with a notice.
var Languages = catalogLanguages()

// Panels are the playground's panels a lesson may link to, as /#panel.
var Panels = []string{"handshake", "frame", "mask", "wire", "chat", "check", "tap"}

// Lesson is one lesson in one language.
type Lesson struct {
	Title      string
	Slug       string
	Order      int
	Summary    string
	Lang       string
	Panel      string
	Objectives []string

	// File is the lesson's path, e.g. "en/03-accept.md".
	File string
	// Headings are the body's level-2 and level-3 headings, for the table
	// of contents.
	Headings []Heading
	// Blocks are the ```wsplay blocks in the order they appear.
	Blocks []*Block
	// Body is the rendered markdown.
	Body []byte

	page []byte // the whole page, rendered once
}

// Heading is one entry of a lesson's table of contents.
type Heading struct {
	Level int
	ID    string
	Text  string
}

// Course is every lesson, loaded and rendered.
type Course struct {
	// Lessons holds each language's lessons in order.
	Lessons map[string][]*Lesson
	index   map[string][]byte
	css     []byte
	// untranslated holds, by "lang/slug", the English page with a note
	// that the lesson is not translated yet.
	untranslated map[string][]byte
}

// Error is a problem in a lesson file, at a line.
type Error struct {
	File string // e.g. "lessons/en/03-accept.md"
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return e.File + ":" + strconv.Itoa(e.Line) + ": " + e.Msg
	}
	return e.File + ": " + e.Msg
}

// fileName matches a lesson file's name: two digits, a dash, the slug.
var fileName = regexp.MustCompile(`^([0-9]{2})-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$`)

// Load reads, checks and renders the embedded course, once per process:
// the embedded files never change and a Course is read-only once rendered,
// so every later call returns the same Course (and error). The server
// calls it once; tests that start many servers no longer render the
// course for each (about 30 s each under -race on two cores).
func Load() (*Course, error) { return loadEmbedded() }

var loadEmbedded = sync.OnceValues(func() (*Course, error) { return LoadFS(Content, "lessons/") })

// LoadFS reads, checks and renders the course in fsys, which holds en/,
// optionally zh/, and examples/. prefix is written before file names in
// errors. Every problem found is reported, joined, not only the first.
func LoadFS(fsys fs.FS, prefix string) (*Course, error) {
	c := &Course{Lessons: map[string][]*Lesson{}, index: map[string][]byte{}, untranslated: map[string][]byte{}}
	var errs []error
	includes := func(p string) ([]byte, error) { return fs.ReadFile(fsys, p) }
	for _, lang := range Languages {
		entries, err := fs.ReadDir(fsys, lang)
		if err != nil {
			if lang == Languages[0] {
				errs = append(errs, &Error{File: prefix + lang, Msg: "no lessons: " + err.Error()})
			}
			continue
		}
		for _, d := range entries {
			name := d.Name()
			if d.IsDir() || !strings.HasSuffix(name, ".md") || name == "README.md" {
				continue
			}
			file := path.Join(lang, name)
			m := fileName.FindStringSubmatch(name)
			if m == nil {
				errs = append(errs, &Error{File: prefix + file, Msg: "a lesson file is named NN-slug.md (two digits, a dash, a slug of a-z, 0-9 and dashes)"})
				continue
			}
			src, err := fs.ReadFile(fsys, file)
			if err != nil {
				errs = append(errs, &Error{File: prefix + file, Msg: err.Error()})
				continue
			}
			l, lerrs := parseLesson(prefix+file, src, includes)
			errs = append(errs, lerrs...)
			if l == nil {
				continue
			}
			l.File = file
			if l.Lang != "" && l.Lang != lang {
				errs = append(errs, &Error{File: prefix + file, Line: 1, Msg: "lang is " + strconv.Quote(l.Lang) + " but the file is in " + lang + "/"})
			}
			if l.Slug != "" && l.Slug != m[2] {
				errs = append(errs, &Error{File: prefix + file, Line: 1, Msg: "slug is " + strconv.Quote(l.Slug) + " but the file name says " + strconv.Quote(m[2])})
			}
			if n, _ := strconv.Atoi(m[1]); l.Order != 0 && l.Order != n {
				errs = append(errs, &Error{File: prefix + file, Line: 1, Msg: "order is " + strconv.Itoa(l.Order) + " but the file name starts with " + m[1]})
			}
			c.Lessons[lang] = append(c.Lessons[lang], l)
		}
		ls := c.Lessons[lang]
		slices.SortFunc(ls, func(a, b *Lesson) int { return a.Order - b.Order })
		seenSlug, seenOrder := map[string]string{}, map[int]string{}
		for _, l := range ls {
			if f, dup := seenSlug[l.Slug]; dup {
				errs = append(errs, &Error{File: prefix + l.File, Line: 1, Msg: "slug " + strconv.Quote(l.Slug) + " is also used by " + prefix + f})
			}
			if f, dup := seenOrder[l.Order]; dup {
				errs = append(errs, &Error{File: prefix + l.File, Line: 1, Msg: "order " + strconv.Itoa(l.Order) + " is also used by " + prefix + f})
			}
			seenSlug[l.Slug], seenOrder[l.Order] = l.File, l.File
		}
	}
	if len(c.Lessons[Languages[0]]) == 0 && len(errs) == 0 {
		errs = append(errs, &Error{File: prefix + Languages[0], Msg: "no lessons"})
	}
	errs = append(errs, c.checkTranslations(prefix)...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if err := c.render(); err != nil {
		return nil, err
	}
	return c, nil
}

// checkTranslations checks that each translation matches its original.
func (c *Course) checkTranslations(prefix string) []error {
	var errs []error
	for _, lang := range Languages[1:] {
		for _, t := range c.Lessons[lang] {
			o := c.Lesson(Languages[0], t.Slug)
			if o == nil {
				errs = append(errs, &Error{File: prefix + t.File, Line: 1, Msg: "no lesson " + strconv.Quote(t.Slug) + " in " + Languages[0] + "/ to translate"})
				continue
			}
			if t.Order != o.Order || t.Panel != o.Panel {
				errs = append(errs, &Error{File: prefix + t.File, Line: 1, Msg: "order and panel must be those of " + prefix + o.File})
			}
			for i := 0; i < max(len(t.Blocks), len(o.Blocks)); i++ {
				switch {
				case i >= len(t.Blocks):
					errs = append(errs, &Error{File: prefix + t.File, Msg: "the ```wsplay " + sig(o.Blocks[i]) + " block of " + prefix + o.File + ":" + strconv.Itoa(o.Blocks[i].Line) + " is missing: a translation has the same widgets, examples and exercises"})
				case i >= len(o.Blocks):
					errs = append(errs, &Error{File: prefix + t.File, Line: t.Blocks[i].Line, Msg: "this ```wsplay block is not in " + prefix + o.File + ": a translation has the same widgets, examples and exercises"})
				case sig(t.Blocks[i]) != sig(o.Blocks[i]):
					errs = append(errs, &Error{File: prefix + t.File, Line: t.Blocks[i].Line, Msg: "this ```wsplay block (" + sig(t.Blocks[i]) + ") differs from " + prefix + o.File + ":" + strconv.Itoa(o.Blocks[i].Line) + " (" + sig(o.Blocks[i]) + "): a translation has the same widgets, examples and exercises"})
				default:
					continue
				}
				break
			}
		}
	}
	return errs
}

// sig writes a block with its parameters, but not an exercise's prompt,
// which is translated.
func sig(b *Block) string {
	s := b.Type + " " + b.Name
	for _, n := range b.Order {
		if n != "prompt" {
			s += " " + n + "=" + b.Params[n]
		}
	}
	return s
}

// Lesson returns the lesson with that slug in that language, or nil.
func (c *Course) Lesson(lang, slug string) *Lesson {
	for _, l := range c.Lessons[lang] {
		if l.Slug == slug {
			return l
		}
	}
	return nil
}

// Page returns the rendered page of a lesson in a language. When the lesson
// is not translated, the English page says so; ok is false for an unknown
// slug or language.
func (c *Course) Page(lang, slug string) (page []byte, ok bool) {
	if l := c.Lesson(lang, slug); l != nil {
		return l.page, true
	}
	if !slices.Contains(Languages, lang) {
		return nil, false
	}
	if l := c.Lesson(Languages[0], slug); l != nil {
		return c.untranslated[lang+"/"+slug], true
	}
	return nil, false
}

// Index returns the rendered course index in a language.
func (c *Course) Index(lang string) ([]byte, bool) {
	b, ok := c.index[lang]
	return b, ok
}

// HighlightCSS is the stylesheet for the highlighted code's classes.
func (c *Course) HighlightCSS() []byte { return c.css }
