// Loads wsplay's Go core compiled to WebAssembly and shows the Accept value
// for the key typed in the field. The core registers globalThis.wsplay once
// it is ready; the page reaches the core only through that object.

const keyField = document.getElementById("key");
const acceptOut = document.getElementById("accept");
const status = document.getElementById("status");

async function loadCore() {
  const go = new Go();
  const result = await WebAssembly.instantiateStreaming(fetch("/static/wsplay.wasm"), go.importObject);
  go.run(result.instance);
}

function showAccept() {
  acceptOut.textContent = globalThis.wsplay.accept(keyField.value);
}

try {
  await loadCore();
  status.textContent = "Computed in your browser by the same Go code the server runs.";
  keyField.addEventListener("input", showAccept);
  showAccept();
} catch (err) {
  status.textContent = "The WebAssembly core could not be loaded (" + err.message + "). Run `make run` to build it.";
}
