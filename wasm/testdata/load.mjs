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

// loadWsplay returns {wsplay, done}: the API object and the promise of
// go.run, which resolves once wsplay.exit() has ended the Go program.
export async function loadWsplay(wasmPath = defaultWasm, wasmExecPath = defaultWasmExec) {
  if (typeof globalThis.Go !== "function") {
    await import(wasmExecPath); // a classic script: it sets globalThis.Go
  }
  const go = new globalThis.Go();
  const { instance } = await WebAssembly.instantiate(await readFile(wasmPath), go.importObject);
  const done = go.run(instance);
  if (typeof globalThis.wsplay !== "object") {
    throw new Error("globalThis.wsplay is not registered after go.run");
  }
  return { wsplay: globalThis.wsplay, done };
}
