//go:build !js

package main

import (
	"html/template"
	"net/http"

	"github.com/gorilla/mux"
)

// The course is rendered from lessons/ by the lessons issue. Until then
// these routes exist, so links to /lessons/ work, and say the course is
// coming. This file is meant to be replaced whole.

var lessonsPage = template.Must(template.New("lessons").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Lessons — wsplay</title>
<link rel="stylesheet" href="/static/style.css">
</head>
<body>
<main>
<h1>Lessons</h1>
{{if .}}<p>The lesson <code>{{.}}</code> is not written yet.</p>{{end}}
<p>The course is coming: lessons that take the WebSocket protocol apart byte by byte.
Meanwhile, <a href="/">the playground</a> works.</p>
</main>
</body>
</html>
`))

// lessons serves /lessons/ and /lessons/{slug}.
func lessons(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	if r.Method == http.MethodHead {
		return
	}
	lessonsPage.Execute(w, mux.Vars(r)["slug"])
}
