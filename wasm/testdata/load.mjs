// Loads wsplay.wasm the way the page does, but from files: first Go's
// wasm_exec.js (which defines globalThis.Go), then the module. go.run runs
// the Go main function until it waits for wsplay.exit(); by then
// globalThis.wsplay is registered, so it is ready as soon as run returns.
//
// In a page the same steps are:
//
//   <script src="/static/wasm_exec.js"></script>
//   const go = new Go();
//   const { instance } = await WebAssembly.instantiateStreaming(
//     fetch("/static/wsplay.wasm"), go.importObject);
//   go.run(instance);          // do not await: it resolves only on exit
//   wsplay.accept("dGhlIHNhbXBsZSBub25jZQ==");

import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

const root = new URL("../../", import.meta.url);
export const defaultWasm = fileURLToPath(new URL("site/static/wsplay.wasm", root));
export const defaultWasmExec = fileURLToPath(new URL("site/static/wasm_exec.js", root));

// loadWsplay returns {wsplay, done, go}: the API object, the promise of
// go.run, which resolves once wsplay.exit() has ended the Go program, and the
// Go instance of wasm_exec.js.
export async function loadWsplay(wasmPath = defaultWasm, wasmExecPath = defaultWasmExec) {
  if (typeof globalThis.Go !== "function") {
    await import(wasmExecPath); // a classic script: it sets globalThis.Go
  }
  const go = new globalThis.Go();
  const { instance } = await WebAssembly.instantiate(await readFile(wasmPath), go.importObject);
  const done = go.run(instance).then(() => {
    // A timer the Go runtime set before it exited would still fire, call
    // into the ended program and throw "Go program has already exited"
    // (golang/go#72797: wasm_exec.js does not clear them on exit). Clear
    // them. Only a program that exits needs this; a page never does.
    for (const t of go._scheduledTimeouts.values()) clearTimeout(t);
    go._scheduledTimeouts.clear();
  });
  if (typeof globalThis.wsplay !== "object") {
    throw new Error("globalThis.wsplay is not registered after go.run");
  }
  return { wsplay: globalThis.wsplay, done, go };
}
