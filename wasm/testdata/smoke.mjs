// node wasm/testdata/smoke.mjs [module.wasm]
//
// Exits 0 when the module loads and answers correctly, 1 otherwise. The
// Makefile runs it on wasm-opt's output before keeping it: an optimiser
// flag that Node or a browser does not support gives a module that fails to
// load, and then the unoptimised module is kept.

import { loadWsplay, defaultWasm } from "./load.mjs";

try {
  const { wsplay, done } = await loadWsplay(process.argv[2] ?? defaultWasm);
  const accept = wsplay.accept("dGhlIHNhbXBsZSBub25jZQ==");
  const text = wsplay.explainFrame("81 85 37 fa 21 3d 7f 9f 4d 51 58", "server").text;
  wsplay.exit();
  await done;
  if (accept !== "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" || text !== "Hello") {
    throw new Error(`wrong answers: accept ${accept}, text ${text}`);
  }
} catch (err) {
  console.error(`smoke test of ${process.argv[2] ?? defaultWasm} failed: ${err.message ?? err}`);
  process.exit(1);
}
