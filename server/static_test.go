//go:build !js

package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"strings"
	"testing"

	"wsplay/site"
)

// get fetches a path without the transport's transparent decompression.
func get(t *testing.T, addr, path string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", "http://"+addr+path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	client := &http.Client{
		Transport:     &http.Transport{DisableCompression: true},
		Timeout:       testDeadline,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func TestStaticFiles(t *testing.T) {
	ts := startServer(t, nil)
	resp, body := get(t, ts.addr, "/")
	index, _ := fs.ReadFile(site.Files, "index.html")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" || !bytes.Equal(body, index) {
		t.Fatalf("/: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	types := map[string]string{".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".wasm": "application/wasm"}
	files, _ := fs.Glob(site.Files, "static/*")
	for _, name := range files {
		want, _ := fs.ReadFile(site.Files, name)
		var ctype string
		for ext, ct := range types {
			if strings.HasSuffix(name, ext) {
				ctype = ct
			}
		}
		if ctype == "" {
			continue
		}
		resp, body := get(t, ts.addr, "/"+name)
		etag := resp.Header.Get("ETag")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != ctype || !bytes.Equal(body, want) || etag == "" {
			t.Fatalf("%s: %d %q etag %q", name, resp.StatusCode, resp.Header.Get("Content-Type"), etag)
		}
		// A revalidation costs a 304 without a body.
		resp, body = get(t, ts.addr, "/"+name, "If-None-Match", etag)
		if resp.StatusCode != 304 || len(body) != 0 {
			t.Fatalf("%s If-None-Match: %d with %d bytes", name, resp.StatusCode, len(body))
		}
		// gzip when accepted and worth it, with its own ETag.
		resp, body = get(t, ts.addr, "/"+name, "Accept-Encoding", "br, gzip;q=0.8")
		if resp.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			plain, _ := io.ReadAll(zr)
			if resp.ContentLength != int64(len(body)) {
				t.Fatalf("%s gzip: Content-Length %d for %d bytes", name, resp.ContentLength, len(body))
			}
			if !bytes.Equal(plain, want) || resp.Header.Get("ETag") == etag || resp.Header.Get("Vary") != "Accept-Encoding" {
				t.Fatalf("%s gzip: %d bytes after gunzip, etag %q", name, len(plain), resp.Header.Get("ETag"))
			}
			if r, _ := get(t, ts.addr, "/"+name, "Accept-Encoding", "gzip", "If-None-Match", resp.Header.Get("ETag")); r.StatusCode != 304 {
				t.Fatalf("%s gzip If-None-Match: %d", name, r.StatusCode)
			}
		} else if len(want) > 1024 {
			t.Fatalf("%s (%d bytes) not compressed", name, len(want))
		}
		if resp, _ := get(t, ts.addr, "/"+name, "Accept-Encoding", "gzip;q=0"); resp.Header.Get("Content-Encoding") != "" {
			t.Fatalf("%s: gzip sent to a client that refused it", name)
		}
	}
}

func TestNotFoundAndTraversal(t *testing.T) {
	ts := startServer(t, nil)
	for _, p := range []string{"/nope", "/static/", "/static/nope.js", "/index.html", "/%3Cscript%3E", "/static/%2e%2e/site.go", "/static/..%2fsite.go"} {
		resp, body := get(t, ts.addr, p)
		if resp.StatusCode == 301 {
			continue // the router's redirect to the cleaned path, checked below
		}
		if resp.StatusCode != 404 || !strings.Contains(string(body), "Not found") || strings.Contains(string(body), "<script>") {
			t.Fatalf("%s: %d %s", p, resp.StatusCode, body)
		}
	}
	// Raw paths that climb out: never a file outside the site.
	for _, p := range []string{"/static/../../go.mod", "/../server/main.go", "/static/./../site.go"} {
		resp, body := rawResponse(t, ts.addr, "GET "+p+" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		if resp.StatusCode == 200 || strings.Contains(body, "package") || strings.Contains(body, "module wsplay") {
			t.Fatalf("%s: %d %q", p, resp.StatusCode, body)
		}
	}
	resp, body := get(t, ts.addr, "/lessons/")
	if resp.StatusCode != 200 || !strings.Contains(string(body), "The WebSocket course") {
		t.Fatalf("/lessons/: %d", resp.StatusCode)
	}
	// An unknown lesson is the 404 page, with the path escaped.
	resp, body = get(t, ts.addr, "/lessons/frames%3Cb%3E")
	if resp.StatusCode != 404 || !strings.Contains(string(body), "frames&lt;b&gt;") {
		t.Fatalf("/lessons/slug: %d %s", resp.StatusCode, body)
	}
	if resp, _ := get(t, ts.addr, "/lessons"); resp.StatusCode != 301 || resp.Header.Get("Location") != "/lessons/" {
		t.Fatalf("/lessons: %d", resp.StatusCode)
	}
}
