// core.js — loads wsplay's Go core, compiled to WebAssembly, once.
//
// The core registers one global object, globalThis.wsplay, when its Go main
// function runs. Everything the page computes about the protocol (Accept
// values, frames, masking) comes from that object: the same Go code the
// server runs, not a JavaScript copy.
//
//   import { loadCore } from "/static/core.js";
//   const wsplay = await loadCore();
//   wsplay.accept("dGhlIHNhbXBsZSBub25jZQ==");  // "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

const WASM_URL = "/static/wsplay.wasm";
const WASM_EXEC_URL = "/static/wasm_exec.js";

let loading = null; // the one promise every caller shares

// loadCore resolves to globalThis.wsplay. It loads Go's wasm_exec.js (which
// defines globalThis.Go) if the page has not, then the module, once. It
// rejects with an Error that says what failed.
export function loadCore() {
  if (!loading) {
    loading = load();
  }
  return loading;
}

async function load() {
  if (typeof globalThis.wsplay === "object" && globalThis.wsplay !== null) {
    return globalThis.wsplay; // already loaded by someone else
  }
  if (typeof globalThis.Go !== "function") {
    await loadScript(WASM_EXEC_URL);
  }
  if (typeof WebAssembly !== "object") {
    throw new Error("this browser has no WebAssembly");
  }
  const go = new globalThis.Go();
  // Marks on the page's Performance timeline (DevTools shows them; the
  // browser tests read them to measure when the page is interactive).
  performance.mark("wsplay:core-load");
  // A page may have started compiling the module before its scripts
  // arrived (index.html does): use that, or, if it failed, load it here,
  // which says what went wrong.
  const early = await globalThis.wsplayCompiling?.catch(() => null);
  if (early instanceof WebAssembly.Module) {
    let instance = null;
    try {
      instance = await WebAssembly.instantiate(early, go.importObject);
    } catch { /* loaded again below, with an error that says what failed */ }
    if (instance) return run(go, instance);
  }
  let response;
  try {
    response = await fetch(WASM_URL);
  } catch (err) {
    throw new Error(`could not download ${WASM_URL}: ${err.message}`);
  }
  if (!response.ok) {
    throw new Error(`${WASM_URL} answered ${response.status} ${response.statusText} (was the module built? run: make wasm)`);
  }
  let instance;
  try {
    // Streaming compiles while the bytes arrive; it needs the
    // Content-Type application/wasm. Fall back to a plain compile.
    ({ instance } = await WebAssembly.instantiateStreaming(response.clone(), go.importObject));
  } catch (streamErr) {
    try {
      ({ instance } = await WebAssembly.instantiate(await response.arrayBuffer(), go.importObject));
    } catch (err) {
      throw new Error(`${WASM_URL} is not a WebAssembly module this browser can run: ${err.message}`);
    }
  }
  return run(go, instance);
}

// run starts the Go program and returns the object its main registered.
function run(go, instance) {
  performance.mark("wsplay:wasm-instantiated");
  // Do not await: go.run resolves only when the Go program exits. By the
  // time it returns, main has registered globalThis.wsplay.
  go.run(instance);
  if (typeof globalThis.wsplay !== "object" || globalThis.wsplay === null) {
    throw new Error("the module ran but did not register globalThis.wsplay");
  }
  performance.mark("wsplay:core-ready");
  return globalThis.wsplay;
}

// loadScript adds a classic <script> (wasm_exec.js is not a module).
function loadScript(src) {
  return new Promise((resolve, reject) => {
    const s = document.createElement("script");
    s.src = src;
    s.onload = () => resolve();
    s.onerror = () => reject(new Error(`could not load ${src} (was it built? run: make wasm)`));
    document.head.append(s);
  });
}
