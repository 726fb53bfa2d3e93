//go:build !js

package main

import (
	"bytes"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/gorilla/mux"

	"wsplay/lessons"
)

// The course is loaded, checked and rendered once, when the server starts
// (lessons.Load): a broken lesson stops the start with an error naming the
// file and line. Requests then only pick a cached page.
//
//	/lessons/                  the index, English
//	/lessons/?lang=zh          the index in Chinese
//	/lessons/{slug}            a lesson, English
//	/lessons/{slug}?lang=zh    its translation, or the English page saying
//	                           it is not translated yet
//	/lessons/highlight.css     the code highlighting classes

// lessonPages serves the rendered course.
type lessonPages struct {
	course *lessons.Course
	// etags holds each page's ETag, made once: hashing a page on every
	// request would cost more than serving it.
	etags map[*byte]string
}

func newLessonPages() (*lessonPages, error) {
	c, err := lessons.Load()
	if err != nil {
		return nil, errors.New("the lessons have errors; fix them to start the server:\n" + err.Error())
	}
	p := &lessonPages{course: c, etags: map[*byte]string{}}
	add := func(b []byte) {
		if len(b) > 0 {
			p.etags[&b[0]] = etagOf(b)
		}
	}
	add(c.HighlightCSS())
	for _, lang := range lessons.Languages {
		page, _ := c.Index(lang)
		add(page)
		for _, l := range c.Lessons[lessons.Languages[0]] {
			page, _ := c.Page(lang, l.Slug)
			add(page)
		}
	}
	return p, nil
}

// lang reads ?lang=, English by default; ok is false for a language the
// course does not have.
func lessonLang(r *http.Request) (string, bool) {
	l := r.URL.Query().Get("lang")
	if l == "" {
		return lessons.Languages[0], true
	}
	return l, slices.Contains(lessons.Languages, l)
}

func (p *lessonPages) index(w http.ResponseWriter, r *http.Request) {
	lang, ok := lessonLang(r)
	page, _ := p.course.Index(lang)
	if !ok {
		notFound(w, r)
		return
	}
	p.write(w, r, "text/html; charset=utf-8", page)
}

func (p *lessonPages) lesson(w http.ResponseWriter, r *http.Request) {
	slug := mux.Vars(r)["slug"]
	if slug == "highlight.css" {
		p.write(w, r, "text/css; charset=utf-8", p.course.HighlightCSS())
		return
	}
	lang, ok := lessonLang(r)
	if !ok {
		notFound(w, r)
		return
	}
	page, ok := p.course.Page(lang, slug)
	if !ok {
		notFound(w, r)
		return
	}
	p.write(w, r, "text/html; charset=utf-8", page)
}

// writePage sends a cached page. The pages never change while the server
// runs, so a strong ETag made from the content lets a reload cost a 304.
func (p *lessonPages) write(w http.ResponseWriter, r *http.Request, ctype string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	if len(body) > 0 {
		h.Set("ETag", p.etags[&body[0]])
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}
