//go:build !js

package main

import (
	"html/template"
	"net/http"
)

// notFoundPage is a real page rather than net/http's bare "404 page not
// found": a learner who mistypes a URL from a slide finds the way back.
// html/template escapes the path, which comes from the request.
var notFoundPage = template.Must(template.New("404").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Not found — wsplay</title>
<link rel="stylesheet" href="/static/style.css">
</head>
<body>
<main>
<h1>Not found</h1>
<p>There is no page at <code>{{.}}</code>.</p>
<p>Go to <a href="/">the playground</a> or <a href="/lessons/">the lessons</a>.</p>
</main>
</body>
</html>
`))

// notFound writes the 404 page.
func notFound(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusNotFound)
	if r.Method != http.MethodHead {
		notFoundPage.Execute(w, r.URL.Path)
	}
}
