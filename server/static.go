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
//   - compression: a file.br or file.gz next to a file (made at build time
//     by `make wasm`) is sent to clients that accept brotli or gzip; a
//     compressible file without file.gz is gzipped once, on first request,
//     and the result kept (the standard library has no brotli encoder, so
//     brotli is only ever precompressed);
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

	br     []byte // the precompressed file.br from the site, nil when it does not pay
	brEtag string
}

// staticFiles maps URL paths ("/static/app.js", "/") to files.
type staticFiles struct {
	files map[string]*staticFile
}

// newStaticFiles reads site.Files.
func newStaticFiles() (*staticFiles, error) { return staticFilesFrom(site.Files) }

// staticFilesFrom reads the files of a site: index.html and static/, with
// their precompressed .gz and .br companions.
func staticFilesFrom(fsys fs.FS) (*staticFiles, error) {
	st := &staticFiles{files: map[string]*staticFile{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".gz") || strings.HasSuffix(p, ".br") {
			return err
		}
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		f := &staticFile{name: path.Base(p), ctype: contentType(p), body: body, etag: etagOf(body)}
		if gz, err := fs.ReadFile(fsys, p+".gz"); err == nil {
			f.pregz = gz
		}
		if br, err := fs.ReadFile(fsys, p+".br"); err == nil && len(br) > 0 && len(br) < len(body) {
			f.br = br
			// A different representation needs a different ETag
			// (RFC 9110 §8.8.3).
			f.brEtag = strings.TrimSuffix(f.etag, `"`) + `-br"`
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
			f.gzEtag = strings.TrimSuffix(f.etag, `"`) + `-gz"`
		}
	})
	return f.gz, f.gzEtag
}

// serve writes the file in the best encoding the client accepts: brotli,
// then gzip, then the file as it is. It answers If-None-Match with 304, HEAD
// without a body, and Range requests, through http.ServeContent; the ETag
// names the encoding, so each one revalidates on its own.
func (f *staticFile) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", f.ctype)
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	body, etag := f.body, f.etag
	gz, gzEtag := f.gzipped()
	if gz != nil || f.br != nil {
		h.Add("Vary", "Accept-Encoding")
		coding := ""
		switch pickEncoding(r.Header.Get("Accept-Encoding"), f.br != nil, gz != nil) {
		case "br":
			body, etag, coding = f.br, f.brEtag, "br"
		case "gzip":
			body, etag, coding = gz, gzEtag, "gzip"
		}
		if coding != "" {
			h.Set("Content-Encoding", coding)
			if r.Header.Get("Range") == "" {
				// ServeContent leaves out Content-Length when a
				// Content-Encoding is set; a browser wants it to
				// show the download's progress.
				h.Set("Content-Length", strconv.Itoa(len(body)))
			}
		}
	}
	h.Set("ETag", etag)
	http.ServeContent(w, r, f.name, time.Time{}, bytes.NewReader(body))
}

// pickEncoding chooses the content coding of a response from the request's
// Accept-Encoding (RFC 9110 §12.5.3) and the encodings the file has: "br",
// "gzip" or "" (the file as it is). A coding is acceptable when it is
// listed, or covered by "*", with a weight above zero; "br;q=0" refuses
// brotli even when "*" is also listed. Of two acceptable codings the client's
// higher weight wins, and brotli, the smaller, wins a tie. Without the
// header, or with an empty one, the file goes as it is: a client that says
// nothing may not decode anything.
func pickEncoding(acceptEncoding string, haveBr, haveGzip bool) string {
	weights := parseAcceptEncoding(acceptEncoding)
	weight := func(coding string) float64 {
		if q, ok := weights[coding]; ok {
			return q
		}
		if coding == "gzip" {
			if q, ok := weights["x-gzip"]; ok {
				return q
			}
		}
		return weights["*"] // 0 when absent: not acceptable
	}
	br, gz := 0.0, 0.0
	if haveBr {
		br = weight("br")
	}
	if haveGzip {
		gz = weight("gzip")
	}
	switch {
	case br > 0 && br >= gz:
		return "br"
	case gz > 0:
		return "gzip"
	}
	return ""
}

// parseAcceptEncoding maps each listed coding, in lower case, to its weight
// (1 without a q parameter). A weight that is not a number from 0 to 1
// makes that element count as refused: the server cannot tell what the
// client meant, and sending the file as it is always works.
func parseAcceptEncoding(ae string) map[string]float64 {
	weights := map[string]float64{}
	for _, part := range strings.Split(ae, ",") {
		coding, params, _ := strings.Cut(part, ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding == "" {
			continue
		}
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			name, value, ok := strings.Cut(p, "=")
			if !ok || !strings.EqualFold(strings.TrimSpace(name), "q") {
				continue
			}
			v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
			if err != nil || !(v >= 0 && v <= 1) { // NaN too
				v = 0
			}
			q = v
		}
		// A coding listed twice keeps its lower weight, so a refusal
		// is never overridden.
		if old, ok := weights[coding]; !ok || q < old {
			weights[coding] = q
		}
	}
	return weights
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
