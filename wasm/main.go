//go:build js && wasm

// Command wasm is the WebAssembly bridge to wsplay's core: it registers one
// global object, globalThis.wsplay, whose functions call the core. It holds
// no protocol logic of its own.
package main

import (
	"syscall/js"

	"wsplay/core"
)

func main() {
	api := js.Global().Get("Object").New()
	api.Set("accept", js.FuncOf(func(this js.Value, args []js.Value) any {
		if len(args) < 1 {
			return ""
		}
		return core.Accept(args[0].String())
	}))
	js.Global().Set("wsplay", api)
	select {} // keep the functions alive for the page
}
