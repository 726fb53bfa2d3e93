//go:build js && wasm

// Command wasm is the WebAssembly bridge to wsplay's core: it registers one
// global object, globalThis.wsplay, whose functions call the core. It holds
// no protocol logic of its own: it converts JavaScript values to Go values,
// calls the core, and converts the results back. wasm/README.md documents the
// API.
//
// Errors come back as values, {error: {message, rule, section, …}}, never as
// exceptions: each function recovers from a panic, so a bug or a bad argument
// cannot kill the module under the page.
//
// The module stays alive until wsplay.exit() is called. A page never calls
// it; a Node script does when it is done, so that go.run's promise resolves
// and Node exits cleanly. (Blocking forever with select {} would also keep
// the functions alive, but Go's Node runner reports it as a deadlock when
// Node runs out of work, and nothing could ever end the program.)
package main

import "sync"

func main() {
	done := make(chan struct{})
	var once sync.Once
	unregister := register(func() { once.Do(func() { close(done) }) })
	<-done
	unregister()
}
