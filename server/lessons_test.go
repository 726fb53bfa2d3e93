//go:build !js

package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"wsplay/lessons"
)

func TestLessonIndex(t *testing.T) {
	ts := startServer(t, nil)
	course, err := lessons.Load()
	if err != nil {
		t.Fatal(err)
	}
	resp, body := get(t, ts.addr, "/lessons/")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("/lessons/: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	// Every lesson, in order, with its link and summary.
	s, at := string(body), 0
	for _, l := range course.Lessons["en"] {
		i := strings.Index(s[at:], `<li class="course-item" data-slug="`+l.Slug+`">`)
		if i < 0 {
			t.Fatalf("lesson %q is missing from the index or out of order", l.Slug)
		}
		at += i
		item := s[at:]
		item = item[:strings.Index(item, "</li>")]
		if !strings.Contains(item, `href="/lessons/`+l.Slug+`"`) || !strings.Contains(item, htmlEscape(l.Summary)) {
			t.Errorf("index item of %s: %s", l.Slug, item)
		}
	}
	if !strings.Contains(s, `src="/static/lesson.js"`) || !strings.Contains(s, "data-course-progress") {
		t.Error("the index has no progress")
	}
	if resp, body := get(t, ts.addr, "/lessons/?lang=zh"); resp.StatusCode != 200 || !strings.Contains(string(body), `<html lang="zh"`) {
		t.Errorf("/lessons/?lang=zh: %d", resp.StatusCode)
	}
	if resp, _ := get(t, ts.addr, "/lessons/?lang=fr"); resp.StatusCode != 404 {
		t.Errorf("/lessons/?lang=fr: %d", resp.StatusCode)
	}
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

func TestLessonPages(t *testing.T) {
	ts := startServer(t, nil)
	course, _ := lessons.Load()
	ls := course.Lessons["en"]
	for i, l := range ls {
		resp, body := get(t, ts.addr, "/lessons/"+l.Slug)
		s := string(body)
		if resp.StatusCode != 200 || !strings.Contains(s, `data-lesson="`+l.Slug+`"`) {
			t.Fatalf("%s: %d", l.Slug, resp.StatusCode)
		}
		if i > 0 && !strings.Contains(s, `<a rel="prev" href="/lessons/`+ls[i-1].Slug+`">`) {
			t.Errorf("%s: no previous link to %s", l.Slug, ls[i-1].Slug)
		}
		if i == 0 && strings.Contains(s, `rel="prev"`) {
			t.Errorf("%s: the first lesson has a previous link", l.Slug)
		}
		if i+1 < len(ls) && !strings.Contains(s, `<a rel="next" href="/lessons/`+ls[i+1].Slug+`">`) {
			t.Errorf("%s: no next link to %s", l.Slug, ls[i+1].Slug)
		}
		if i+1 == len(ls) && strings.Contains(s, `rel="next"`) {
			t.Errorf("%s: the last lesson has a next link", l.Slug)
		}
		if !strings.Contains(s, `<nav class="toc"`) || !strings.Contains(s, `href="/#`+l.Panel) {
			t.Errorf("%s: no table of contents or playground link", l.Slug)
		}
		// The language switch: to the translation, or a note that there
		// is none yet; ?lang=zh serves the translation or the English
		// page saying so.
		zh := course.Lesson("zh", l.Slug)
		switch {
		case zh != nil && !strings.Contains(s, `href="/lessons/`+l.Slug+`?lang=zh"`):
			t.Errorf("%s: no switch to the translation", l.Slug)
		case zh == nil && !strings.Contains(s, `class="lang-missing" lang="zh"`):
			t.Errorf("%s: the switch does not say the lesson is not translated", l.Slug)
		}
		resp, body = get(t, ts.addr, "/lessons/"+l.Slug+"?lang=zh")
		if resp.StatusCode != 200 || (zh == nil && !strings.Contains(string(body), "本课尚未翻译")) {
			t.Errorf("%s?lang=zh: %d", l.Slug, resp.StatusCode)
		}
		if zh == nil && !strings.Contains(string(body), `<a rel="next"`) && i+1 < len(ls) {
			t.Errorf("%s?lang=zh: no next link", l.Slug)
		}
	}
	for _, p := range []string{"/lessons/nope", "/lessons/accept?lang=fr", "/lessons/ACCEPT"} {
		if resp, body := get(t, ts.addr, p); resp.StatusCode != 404 || !strings.Contains(string(body), "Not found") {
			t.Errorf("%s: %d", p, resp.StatusCode)
		}
	}
	// Cached pages revalidate: a reload is a 304.
	resp, _ := get(t, ts.addr, "/lessons/accept")
	etag := resp.Header.Get("ETag")
	if etag == "" || resp.Header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("ETag %q, Cache-Control %q", etag, resp.Header.Get("Cache-Control"))
	}
	if resp, _ := get(t, ts.addr, "/lessons/accept", "If-None-Match", etag); resp.StatusCode != 304 {
		t.Errorf("If-None-Match: %d", resp.StatusCode)
	}
	if resp, body := get(t, ts.addr, "/lessons/highlight.css"); resp.StatusCode != 200 || !strings.Contains(string(body), ".chroma") ||
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") {
		t.Errorf("highlight.css: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, f := range []string{"/static/lesson.css", "/static/lesson.js"} {
		if resp, _ := get(t, ts.addr, f); resp.StatusCode != 200 {
			t.Errorf("%s: %d", f, resp.StatusCode)
		}
	}
	req, _ := http.NewRequest("POST", "http://"+ts.addr+"/lessons/accept", nil)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 405 {
		t.Errorf("POST: %v %v", resp.StatusCode, err)
	}
}

// BenchmarkLessonPage measures a request for a cached lesson through the
// router, without the network.
func BenchmarkLessonPage(b *testing.B) {
	srv, err := NewServer(defaultConfig(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	h := srv.Handler()
	req := httptest.NewRequest("GET", "/lessons/frame-anatomy", nil)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}
