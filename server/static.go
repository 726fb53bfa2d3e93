//go:build !js

package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"wsplay/site"
)

// The site is embedded, so it is read once at start-up into a map from URL
// path to file. A request can only name a key of that map: no path is ever
// joined to a directory, which makes path traversal impossible by
// construction.
//
// A classroom of thirty laptops loading a 2 MB WebAssembly module at once
// is the load to plan for. Two things make it cheap:
//
//   - compression: a file.gz next to a file (made at build time) is sent to
//     clients that accept gzip; otherwise a compressible file is gzipped
//     once, on first request, and the result kept;
//   - validators: every file has a strong ETag (a hash of its content), and
//     Cache-Control: no-cache makes browsers revalidate, so a reload costs a
//     304 with no body, and a rebuilt binary is never served stale.

// staticFile is one embedded file, ready to serve.
type staticFile struct {
	name  string // base name, for http.ServeContent
	ctype string
	body  []byte
	etag  string

	gzOnce sync.Once
	gz     []byte // gzip encoding, nil when it does not pay
	gzEtag string
	pregz  []byte // the precompressed file.gz from the site, if any
}

// staticFiles maps URL paths ("/static/app.js", "/") to files.
type staticFiles struct {
	files map[string]*staticFile
}

// newStaticFiles reads site.Files.
func newStaticFiles() (*staticFiles, error) {
	st := &staticFiles{files: map[string]*staticFile{}}
	err := fs.WalkDir(site.Files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".gz") {
			return err
		}
		body, err := fs.ReadFile(site.Files, p)
		if err != nil {
			return err
		}
		f := &staticFile{name: path.Base(p), ctype: contentType(p), body: body, etag: etagOf(body)}
		if gz, err := fs.ReadFile(site.Files, p+".gz"); err == nil {
			f.pregz = gz
		}
		st.files["/"+p] = f
		return nil
	})
	if err != nil {
		return nil, err
	}
	if f, ok := st.files["/index.html"]; ok {
		st.files["/"] = f
		delete(st.files, "/index.html") // one URL per page
	}
	return st, nil
}

// contentType names a file's media type from its extension. Go's table
// knows .wasm as application/wasm, which WebAssembly.instantiateStreaming
// insists on.
func contentType(p string) string {
	ext := path.Ext(p)
	switch ext {
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	case ".wasm":
		return "application/wasm"
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

// compressible reports whether gzip is worth trying for a media type:
// text and WebAssembly shrink a lot; images and archives are compressed
// already.
func compressible(ctype string) bool {
	return strings.HasPrefix(ctype, "text/") || strings.HasPrefix(ctype, "application/wasm") ||
		strings.HasPrefix(ctype, "application/json") || strings.HasPrefix(ctype, "image/svg+xml") ||
		strings.HasPrefix(ctype, "application/javascript")
}

// etagOf is a strong validator made from the content.
func etagOf(b []byte) string {
	sum := sha256.Sum256(b)
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`
}

// gzipped returns the gzip encoding and its ETag, or nil when it would not
// be smaller.
func (f *staticFile) gzipped() ([]byte, string) {
	f.gzOnce.Do(func() {
		gz := f.pregz
		if gz == nil && compressible(f.ctype) && len(f.body) > 512 {
			var b bytes.Buffer
			w, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
			w.Write(f.body)
			w.Close()
			gz = b.Bytes()
		}
		if gz != nil && len(gz) < len(f.body) {
			f.gz = gz
			// A different representation needs a different ETag
			// (RFC 9110 §8.8.3).
			f.gzEtag = strings.TrimSuffix(f.etag, `"`) + `-gz"`
		}
	})
	return f.gz, f.gzEtag
}

// serve writes the file, compressed when the client accepts gzip. It
// answers If-None-Match with 304, HEAD without a body, and Range requests,
// through http.ServeContent.
func (f *staticFile) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", f.ctype)
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	body, etag := f.body, f.etag
	if gz, gzEtag := f.gzipped(); gz != nil {
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r.Header.Get("Accept-Encoding")) {
			body, etag = gz, gzEtag
			h.Set("Content-Encoding", "gzip")
			if r.Header.Get("Range") == "" {
				// ServeContent leaves out Content-Length when a
				// Content-Encoding is set; a browser wants it to
				// show the download's progress.
				h.Set("Content-Length", strconv.Itoa(len(gz)))
			}
		}
	}
	h.Set("ETag", etag)
	http.ServeContent(w, r, f.name, time.Time{}, bytes.NewReader(body))
}

// acceptsGzip reads Accept-Encoding (RFC 9110 §12.5.3): gzip or * with a
// non-zero weight.
func acceptsGzip(ae string) bool {
	for _, part := range strings.Split(ae, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding != "gzip" && coding != "x-gzip" && coding != "*" {
			continue
		}
		q := strings.ReplaceAll(strings.ToLower(params), " ", "")
		if q == "q=0" || q == "q=0.0" || q == "q=0.00" || q == "q=0.000" {
			return false
		}
		return true
	}
	return false
}

// ServeHTTP serves /static/... and / from the map, and the 404 page for the
// rest.
func (st *staticFiles) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f, ok := st.files[r.URL.Path]
	if !ok {
		notFound(w, r)
		return
	}
	f.serve(w, r)
}
