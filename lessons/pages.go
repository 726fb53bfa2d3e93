package lessons

import (
	"bytes"
	"embed"
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

//go:embed templates
var templateFiles embed.FS

var templates = template.Must(template.ParseFS(templateFiles, "templates/*.html"))

// ui holds the words of the pages around the lessons in one language, from
// the catalog (words.go), for the templates.
type ui struct {
	Name          string // the language's own name, for the switch
	Lessons       string
	Course        string
	Intro         string
	Where         string
	Contents      string
	Objectives    string
	Previous      string
	Next          string
	Playground    string
	Done          string
	Reset         string // the index's button that forgets the progress
	NotTranslated string // on the switch: that language has no version yet
	Notice        string // on an English page served for another language
}

// uis are the pages' words by language.
var uis = func() map[string]ui {
	m := map[string]ui{}
	for _, lang := range Languages {
		w := wordsIn(lang)
		m[lang] = ui{
			Name: languageName(lang), Lessons: w.text("lessons.lessons"), Course: w.text("lessons.course"),
			Intro: w.text("lessons.intro"), Where: w.text("lessons.where"), Contents: w.text("lessons.contents"),
			Objectives: w.text("lessons.objectives"), Previous: w.text("lessons.previous"), Next: w.text("lessons.next"),
			Playground: w.text("lessons.playground"), Done: w.text("lessons.done"), Reset: w.text("lessons.reset"),
			NotTranslated: w.text("lessons.notTranslated"), Notice: w.text("lessons.notice"),
		}
	}
	return m
}()

// URL is a lesson's address in a language; English has no parameter.
func URL(lang, slug string) string {
	u := "/lessons/" + slug
	if lang != Languages[0] {
		u += "?lang=" + lang
	}
	return u
}

// IndexURL is the course index's address in a language.
func IndexURL(lang string) string {
	if lang != Languages[0] {
		return "/lessons/?lang=" + lang
	}
	return "/lessons/"
}

// PanelURL is the playground link of a lesson: its panel, showing what the
// lesson's first widget for that panel shows (the playground's deep links,
// docs/page.md), e.g. /#frame?hex=81%2085…&receiver=server.
func PanelURL(l *Lesson) string {
	want := map[string]string{"handshake": "accept", "frame": "frame", "mask": "mask"}[l.Panel]
	for _, b := range l.Blocks {
		if b.Type != "widget" || b.Name != want {
			continue
		}
		// The page decodes with decodeURIComponent, which leaves "+" as
		// it is: spaces are written %20.
		var q []string
		for _, n := range b.Order {
			q = append(q, n+"="+strings.ReplaceAll(url.QueryEscape(b.Params[n]), "+", "%20"))
		}
		return "/#" + l.Panel + "?" + strings.Join(q, "&")
	}
	return "/#" + l.Panel
}

type switchItem struct {
	Lang, Name, URL, Missing string
	Current                  bool
}

type link struct{ Title, URL string }

type lessonData struct {
	Lang            string
	T               ui
	L               *Lesson
	Body            template.HTML
	Number          string
	Notice          string
	NoticeLang      string
	IndexURL        string
	PanelURL        string
	Switch          []switchItem
	TranslatedLangs string
	Prev, Next      *link
}

type indexItem struct {
	Slug, Title, Summary, URL, Missing string
}

type indexData struct {
	Lang   string
	T      ui
	Switch []switchItem
	Items  []indexItem
}

// render makes every page once: each lesson in each language (with the
// English original standing in for a missing translation) and the index.
func (c *Course) render() error {
	c.css = highlightCSS()
	ref := c.Lessons[Languages[0]]
	for _, lang := range Languages {
		t := uis[lang]
		var items []indexItem
		for i, o := range ref {
			l := c.Lesson(lang, o.Slug)
			shown := l
			if shown == nil {
				shown = o
			}
			d := lessonData{
				Lang: lang, T: t, L: shown, Body: template.HTML(shown.Body),
				Number:   wordsIn(lang).text("lessons.lessonOf", "n", strconv.Itoa(i+1), "total", strconv.Itoa(len(ref))),
				IndexURL: IndexURL(lang),
				PanelURL: PanelURL(shown),
			}
			var have []string
			for _, other := range Languages {
				it := switchItem{Lang: other, Name: uis[other].Name, Current: other == lang}
				if c.Lesson(other, o.Slug) != nil {
					it.URL = URL(other, o.Slug)
					have = append(have, other)
				} else {
					it.Missing = uis[other].NotTranslated
				}
				d.Switch = append(d.Switch, it)
			}
			d.TranslatedLangs = strings.Join(have, " ")
			if l == nil {
				d.Notice, d.NoticeLang = t.Notice, lang
				// The page is the original's: its words are English.
				d.Lang = shown.Lang
				d.T = uis[shown.Lang]
				d.T.Notice = t.Notice
				d.Switch[slices.Index(Languages, lang)].Current = false
				d.Switch[slices.Index(Languages, shown.Lang)].Current = true
			}
			if i > 0 {
				d.Prev = &link{Title: c.title(lang, ref[i-1]), URL: URL(lang, ref[i-1].Slug)}
			}
			if i+1 < len(ref) {
				d.Next = &link{Title: c.title(lang, ref[i+1]), URL: URL(lang, ref[i+1].Slug)}
			}
			var w bytes.Buffer
			if err := templates.ExecuteTemplate(&w, "lesson.html", d); err != nil {
				return err
			}
			if l != nil {
				l.page = w.Bytes()
			} else {
				c.untranslated[lang+"/"+o.Slug] = w.Bytes()
			}
			it := indexItem{Slug: o.Slug, Title: shown.Title, Summary: shown.Summary, URL: URL(lang, o.Slug)}
			if l == nil {
				it.Missing = t.NotTranslated
			}
			items = append(items, it)
		}
		d := indexData{Lang: lang, T: t, Items: items}
		for _, other := range Languages {
			d.Switch = append(d.Switch, switchItem{Lang: other, Name: uis[other].Name, URL: IndexURL(other), Current: other == lang})
		}
		var w bytes.Buffer
		if err := templates.ExecuteTemplate(&w, "index.html", d); err != nil {
			return err
		}
		c.index[lang] = w.Bytes()
	}
	return nil
}

// title is a lesson's title in lang, or the original's.
func (c *Course) title(lang string, o *Lesson) string {
	if l := c.Lesson(lang, o.Slug); l != nil {
		return l.Title
	}
	return o.Title
}
