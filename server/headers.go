//go:build !js

package main

import (
	"crypto/sha256"
	"encoding/base64"
	"io/fs"
	"net/http"
	"regexp"
	"sort"
	"strings"

	"wsplay/lessons"
	"wsplay/site"
)

// Every response carries a strict Content-Security-Policy and refuses to be
// framed. Without them a page on any site could frame the playground and,
// through a deep link that fills the check URL or the chat nickname, have a
// visitor click "Check" or "Join" unknowingly (click-jacking); and an
// injection anywhere in a page would run with the page's rights.
//
// The policy allows only this server's own scripts, styles, images and
// WebSockets ('self' covers ws:// to the same host and port), WebAssembly
// compilation ('wasm-unsafe-eval': the core runs as a module), and the few
// inline scripts the pages have (the theme set before the first paint, the
// module's early compile), by the SHA-256 of their text: the hashes are
// computed at start-up from the HTML the server serves, so editing such a
// script cannot silently break the page or widen the policy.

// inlineScript matches a <script> element without a src attribute.
var inlineScript = regexp.MustCompile(`(?s)<script(\s+type="module")?>(.*?)</script>`)

// scriptHashes returns the CSP source expressions of the inline scripts in
// the HTML documents given.
func scriptHashes(docs ...[]byte) []string {
	seen := map[string]bool{}
	var out []string
	for _, d := range docs {
		for _, m := range inlineScript.FindAllSubmatch(d, -1) {
			sum := sha256.Sum256(m[2])
			h := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
			if !seen[h] {
				seen[h] = true
				out = append(out, h)
			}
		}
	}
	sort.Strings(out)
	return out
}

// contentSecurityPolicy builds the policy for the site's HTML files and the
// rendered lessons.
func contentSecurityPolicy(course *lessons.Course) string {
	var docs [][]byte
	fs.WalkDir(site.Files, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".html") {
			if b, err := fs.ReadFile(site.Files, p); err == nil {
				docs = append(docs, b)
			}
		}
		return nil
	})
	for _, lang := range lessons.Languages {
		page, _ := course.Index(lang)
		docs = append(docs, page)
		for _, l := range course.Lessons[lessons.Languages[0]] {
			page, _ := course.Page(lang, l.Slug)
			docs = append(docs, page)
		}
	}
	script := append([]string{"'self'", "'wasm-unsafe-eval'"}, scriptHashes(docs...)...)
	return strings.Join([]string{
		"default-src 'self'",
		"script-src " + strings.Join(script, " "),
		// Widgets set sizes and colours through element.style, which
		// CSP does not restrict; 'unsafe-inline' keeps style attributes
		// working in rendered lessons (code highlighting uses classes).
		"style-src 'self' 'unsafe-inline'",
		"img-src 'self' data:",
		// blob: the transcript's exports, which tests and tools read back.
		"connect-src 'self' blob:",
		"object-src 'none'",
		"base-uri 'none'",
		"form-action 'self'",
		"frame-ancestors 'none'",
	}, "; ")
}

// withSecurityHeaders sets the policy and the anti-framing headers on every
// response.
func withSecurityHeaders(csp string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		next.ServeHTTP(w, r)
	})
}
