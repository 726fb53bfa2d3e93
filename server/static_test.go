//go:build !js

package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

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
	// words.json is a JSON module the page imports (catalog.js): served,
	// compressed and revalidated like the scripts.
	types := map[string]string{".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".wasm": "application/wasm", ".json": "application/json"}
	files, _ := fs.Glob(site.Files, "static/*")
	deeper, _ := fs.Glob(site.Files, "static/*/*")
	files = append(files, deeper...)
	if !slices.Contains(files, "static/words.json") {
		t.Fatal("static/words.json is not embedded")
	}
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
		resp, body = get(t, ts.addr, "/"+name, "Accept-Encoding", "gzip")
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

func TestPickEncoding(t *testing.T) {
	tests := []struct {
		ae           string
		haveBr, hvGz bool
		want         string
	}{
		{"", true, true, ""},
		{"gzip, deflate, br, zstd", true, true, "br"}, // what Chromium sends
		{"gzip, deflate, br, zstd", false, true, "gzip"},
		{"gzip, deflate, br", true, false, "br"},
		{"gzip", true, true, "gzip"},
		{"br", false, true, ""},
		{"deflate, identity", true, true, ""},
		{"br;q=0, gzip", true, true, "gzip"},
		{"br;q=0.0, gzip;q=0.000", true, true, ""},
		{"br; q=0 , *", true, true, "gzip"}, // * does not undo a refusal
		{"*", true, true, "br"},
		{"*;q=0", true, true, ""},
		{"*;q=0.5, gzip;q=0", true, true, "br"},
		{"br;q=0.5, gzip;q=0.9", true, true, "gzip"}, // the client's weights rule
		{"br;q=0.9, gzip;q=0.9", true, true, "br"},   // a tie goes to the smaller
		{"BR;Q=1, GZIP", true, true, "br"},
		{"x-gzip", true, true, "gzip"},
		{"br;q=2, gzip", true, true, "gzip"},   // not a weight: refused
		{"br;q=abc, gzip", true, true, "gzip"}, // not a weight: refused
		{"br;q=NaN", true, true, ""},
		{"br, br;q=0", true, true, ""}, // listed twice: the refusal stands
		{" , ,br", true, true, "br"},
		{"br;level=5", true, true, "br"},
	}
	for _, tt := range tests {
		if got := pickEncoding(tt.ae, tt.haveBr, tt.hvGz); got != tt.want {
			t.Errorf("pickEncoding(%q, br %v, gzip %v) = %q, want %q", tt.ae, tt.haveBr, tt.hvGz, got, tt.want)
		}
	}
}

// TestStaticEncodings serves a small site that has every encoding, over a
// real socket, as a browser would request it.
func TestStaticEncodings(t *testing.T) {
	plain := bytes.Repeat([]byte("WebSocket frames, byte by byte. "), 200)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(plain)
	zw.Close()
	// The server never decodes a .br, so any bytes shorter than the file
	// stand for one here; TestStaticWasmBrotli checks a real one.
	br := []byte("brotli stand-in")
	st, err := staticFilesFrom(fstest.MapFS{
		"index.html":            {Data: []byte("<!doctype html>")},
		"static/core.wasm":      {Data: plain},
		"static/core.wasm.gz":   {Data: gz.Bytes()},
		"static/core.wasm.br":   {Data: br},
		"static/big.wasm":       {Data: []byte("tiny")},
		"static/big.wasm.br":    {Data: []byte("a .br larger than its file is never sent")},
		"static/only-gzip.wasm": {Data: plain},
	})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(st)
	defer ts.Close()
	addr := ts.Listener.Addr().String()

	_, identity := get(t, addr, "/static/core.wasm")
	tests := []struct {
		path, ae string
		coding   string // Content-Encoding wanted
		body     []byte
	}{
		{"/static/core.wasm", "gzip, deflate, br, zstd", "br", br},
		{"/static/core.wasm", "gzip, deflate", "gzip", gz.Bytes()},
		{"/static/core.wasm", "br;q=0, gzip;q=0.5", "gzip", gz.Bytes()},
		{"/static/core.wasm", "br;q=0, gzip;q=0", "", plain},
		{"/static/core.wasm", "", "", plain},
		{"/static/core.wasm", "zstd", "", plain},
		{"/static/only-gzip.wasm", "br, gzip", "gzip", nil}, // gzipped by the server
		{"/static/big.wasm", "br", "", []byte("tiny")},
	}
	etags := map[string]string{} // ETag -> coding
	for _, tt := range tests {
		resp, body := get(t, addr, tt.path, "Accept-Encoding", tt.ae)
		name := tt.path + " with Accept-Encoding " + tt.ae
		if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != tt.coding {
			t.Fatalf("%s: %d, Content-Encoding %q, want 200 and %q", name, resp.StatusCode, resp.Header.Get("Content-Encoding"), tt.coding)
		}
		if tt.coding == "gzip" {
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if got, _ := io.ReadAll(zr); !bytes.Equal(got, plain) {
				t.Fatalf("%s: the gzip body does not decode to the file", name)
			}
		} else if !bytes.Equal(body, tt.body) {
			t.Fatalf("%s: %d bytes, want %d", name, len(body), len(tt.body))
		}
		if tt.coding != "" && resp.ContentLength != int64(len(body)) {
			t.Errorf("%s: Content-Length %d for %d bytes", name, resp.ContentLength, len(body))
		}
		if tt.path != "/static/big.wasm" && resp.Header.Get("Vary") != "Accept-Encoding" {
			t.Errorf("%s: Vary %q, want Accept-Encoding", name, resp.Header.Get("Vary"))
		}
		// One ETag per representation: a cache must never answer a
		// brotli request with gzip bytes.
		etag := resp.Header.Get("ETag")
		if seen, ok := etags[etag]; ok && seen != tt.coding {
			t.Errorf("%s: ETag %s is also the ETag of the %q encoding", name, etag, seen)
		}
		etags[etag] = tt.coding
		if r, b := get(t, addr, tt.path, "Accept-Encoding", tt.ae, "If-None-Match", etag); r.StatusCode != 304 || len(b) != 0 {
			t.Errorf("%s If-None-Match %s: %d with %d bytes, want 304 without a body", name, etag, r.StatusCode, len(b))
		}
	}
	if len(identity) != len(plain) {
		t.Fatalf("identity: %d bytes, want %d", len(identity), len(plain))
	}

	// A validator of another encoding does not match: the client gets the
	// representation it asked for, in full.
	rBr, _ := get(t, addr, "/static/core.wasm", "Accept-Encoding", "br")
	resp, body := get(t, addr, "/static/core.wasm", "Accept-Encoding", "gzip", "If-None-Match", rBr.Header.Get("ETag"))
	if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "gzip" || !bytes.Equal(body, gz.Bytes()) {
		t.Errorf("gzip request with the brotli ETag: %d %q, want 200 gzip", resp.StatusCode, resp.Header.Get("Content-Encoding"))
	}
	// HEAD says the same without a body.
	req, _ := http.NewRequest("HEAD", ts.URL+"/static/core.wasm", nil)
	req.Header.Set("Accept-Encoding", "br")
	hr, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	hr.Body.Close()
	if hr.StatusCode != 200 || hr.Header.Get("Content-Encoding") != "br" || hr.ContentLength != int64(len(br)) {
		t.Errorf("HEAD br: %d %q length %d", hr.StatusCode, hr.Header.Get("Content-Encoding"), hr.ContentLength)
	}
}

// TestStaticWasmBrotli checks the module as make wasm built it: the .br is
// sent to a browser, and decodes (with the brotli command; the standard
// library has no decoder) to the module itself. Without the .br or the
// command it skips, unless REQUIRE_BROTLI=1 (CI), when it fails.
func TestStaticWasmBrotli(t *testing.T) {
	require := os.Getenv("REQUIRE_BROTLI") == "1"
	skip := func(msg string) {
		t.Helper()
		if require {
			t.Fatal(msg + " (REQUIRE_BROTLI=1, so this fails instead of skipping)")
		}
		t.Skip(msg)
	}
	module, err := fs.ReadFile(site.Files, "static/wsplay.wasm")
	if err != nil {
		skip("site/static/wsplay.wasm is missing: run `make wasm` first")
	}
	embedded, err := fs.ReadFile(site.Files, "static/wsplay.wasm.br")
	if err != nil {
		skip("site/static/wsplay.wasm.br is missing: install brotli (apt-get install brotli), then run `make wasm`")
	}
	// The static handler alone: the whole server would render the lessons
	// first, which takes seconds under -race.
	st, err := newStaticFiles()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(st)
	defer srv.Close()
	addr := srv.Listener.Addr().String()
	resp, body := get(t, addr, "/static/wsplay.wasm", "Accept-Encoding", "gzip, deflate, br, zstd")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "br" || resp.Header.Get("Content-Type") != "application/wasm" {
		t.Fatalf("%d, Content-Encoding %q, Content-Type %q; want 200, br, application/wasm",
			resp.StatusCode, resp.Header.Get("Content-Encoding"), resp.Header.Get("Content-Type"))
	}
	if !bytes.Equal(body, embedded) || resp.ContentLength != int64(len(embedded)) {
		t.Fatalf("served %d bytes (Content-Length %d), want the %d bytes of wsplay.wasm.br", len(body), resp.ContentLength, len(embedded))
	}
	if r, _ := get(t, addr, "/static/wsplay.wasm", "Accept-Encoding", "br", "If-None-Match", resp.Header.Get("ETag")); r.StatusCode != 304 {
		t.Errorf("If-None-Match with the brotli ETag: %d, want 304", r.StatusCode)
	}
	t.Logf("wsplay.wasm: %d bytes, %d with brotli", len(module), len(body))

	exe, err := exec.LookPath("brotli")
	if err != nil {
		skip("no brotli command to decode the served bytes: apt-get install brotli")
	}
	cmd := exec.Command(exe, "-d", "-c")
	cmd.Stdin = bytes.NewReader(body)
	plain, err := cmd.Output()
	if err != nil {
		t.Fatalf("brotli -d: %v", err)
	}
	if !bytes.Equal(plain, module) {
		t.Fatalf("the served .br decodes to %d bytes that are not wsplay.wasm (%d bytes): a stale .br? run `make wasm`", len(plain), len(module))
	}
}
