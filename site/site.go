// Package site holds the playground page: HTML, CSS and plain ES modules,
// embedded into the wsplay binary. `make wasm` adds the WebAssembly build of
// the core (static/wsplay.wasm) and Go's static/wasm_exec.js before the
// binary is built, so one file carries everything.
package site

import "embed"

// Files is the page and its assets: index.html, class.html (the class
// board) and static/.
//
//go:embed index.html class.html static
var Files embed.FS
