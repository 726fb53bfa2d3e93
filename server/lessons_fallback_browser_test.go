//go:build !js

package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"wsplay/lessons"
)

// testFallbacksMatchWidgets: a lesson's no-JavaScript fallback (rendered
// in Go, lessons/blocks.go) shows the same steps, columns and rows as the
// live widget that replaces it (the playground's module), in every
// language: a printed handout and the screen teach the same thing. For
// each kind of widget, the first lesson that has one is opened; every
// block of that kind on the page is compared, fallback against widget.
func (s *browserSuite) testFallbacksMatchWidgets(t *testing.T) {
	course, err := lessons.Load()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		widget, what string
		fallback     string // a selector under the block's .widget-fallback
		live         string // the same under its .widget-live
	}{
		{"accept", "the steps", ".step-title", ".step-title"},
		{"mask", "the columns", "thead th", "[data-role=mask-table] thead th"},
		{"mask", "the rows", "tbody tr", "[data-role=mask-table] tbody tr"},
		{"frame", "the columns", "thead th", "[data-role=fields] thead th"},
		{"frame", "the fields and where they are", "tbody :is(th, td:nth-of-type(1))", "[data-role=fields] tbody :is(th, td:nth-of-type(1))"},
		{"echo", "the endpoint", ".widget-note code", ".conn-bar code"},
	}
	for _, tc := range cases {
		slug := firstLessonWith(course, tc.widget)
		if slug == "" {
			t.Errorf("no lesson has a %s widget", tc.widget)
			continue
		}
		for _, lang := range lessons.Languages {
			t.Run(tc.widget+"/"+strings.ReplaceAll(tc.what, " ", "-")+"/"+lang, func(t *testing.T) {
				ctx := s.blankTab(t)
				// ?lang= names the language even for English: the
				// choice is remembered, and the next page follows it.
				do(t, ctx, chromedp.Navigate(s.base+"lessons/"+slug+"?lang="+lang))
				waitFor(t, ctx, `document.documentElement.dataset.ready === "true"`)
				defer eval[chromedp.Void](t, ctx, `localStorage.removeItem("wsplay.lang")`)
				if got := eval[string](t, ctx, `document.documentElement.dataset.lang`); got != lang {
					t.Fatalf("/lessons/%s?lang=%s is in %q", slug, lang, got)
				}
				blocks := `[...document.querySelectorAll(".widget[data-widget=` + tc.widget + `]")]`
				// A widget computes once the core is there: wait until
				// every block shows what is compared.
				waitFor(t, ctx, blocks+`.every(b => b.classList.contains("widget-mounted") && b.querySelector(".widget-live `+tc.live+`"))`)
				texts := func(part, sel string) [][]string {
					return eval[[][]string](t, ctx, blocks+`.map(b => [...b.querySelectorAll(`+jsString(part+" "+sel)+`)].map(e => e.textContent.replace(/\s+/g, " ").trim()))`)
				}
				fallback, live := texts(".widget-fallback", tc.fallback), texts(".widget-live", tc.live)
				for i := range fallback {
					if len(fallback[i]) == 0 {
						t.Errorf("%s block %d of /lessons/%s (%s): the fallback shows no %s", tc.widget, i, slug, lang, tc.what)
					}
					if !slices.Equal(fallback[i], live[i]) {
						t.Errorf("%s block %d of /lessons/%s (%s): %s differ\nfallback: %q\nwidget:   %q", tc.widget, i, slug, lang, tc.what, fallback[i], live[i])
					}
				}
			})
		}
	}
}

// firstLessonWith is the slug of the first English lesson with a widget of
// that name.
func firstLessonWith(course *lessons.Course, widget string) string {
	for _, l := range course.Lessons[lessons.Languages[0]] {
		for _, b := range l.Blocks {
			if b.Type == "widget" && b.Name == widget {
				return l.Slug
			}
		}
	}
	return ""
}
