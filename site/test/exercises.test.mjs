// Checking exercises (lesson/exercises.js) with the real core, loaded as
// wasm/testdata/node_test.mjs loads it. Needs the module: make wasm.

import { test } from "node:test";
import assert from "node:assert/strict";
import { access } from "node:fs/promises";
import { check, parseBool } from "../static/lesson/exercises.js";
import { defaultWasm, loadWsplay } from "../../wasm/testdata/load.mjs";

const built = await access(defaultWasm).then(() => true, () => false);
const core = built ? (await loadWsplay()).wsplay : null;
const skip = built ? false : "site/static/wsplay.wasm is not built (make wasm)";

test("accept: right, the digest in hex, the wrong length", { skip }, () => {
  const ex = { kind: "accept", key: "dGhlIHNhbXBsZSBub25jZQ==" };
  assert.equal(check(core, ex, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "en").ok, true);
  const hexDigest = check(core, ex, "b37a4f2cc0624f1690f64606cf385945b2bec4ea", "en");
  assert.equal(hexDigest.ok, false);
  assert.match(hexDigest.reason, /hex/);
  assert.match(check(core, ex, "abc", "zh").reason, /28 个 base64 字符/);
});

test("build: a rule the frame breaks is said once, in the core's words", { skip }, () => {
  const ex = { kind: "build", opcode: "text", text: "Hi", masked: "no" };
  for (const [lang, frame] of [["en", "81 82 00 00 00 00 48 69"], ["zh", "81 82 00 00 00 00 48 69"]]) {
    const r = check(core, ex, frame, lang);
    assert.equal(r.ok, false);
    assert.equal(r.reason.split("§5.1").length - 1, 1, `${lang}: ${r.reason}`);
  }
  const masked = { ...ex, masked: "yes" };
  const r = check(core, masked, "81 02 48 69", "en");
  assert.equal(r.reason.split("§5.1").length - 1, 1, r.reason);
  assert.equal(check(core, ex, "0x81, 0x02, 0x48, 0x69", "en").ok, true);
  assert.match(check(core, ex, "81 03 48 69", "en").reason, /1 more byte needed/);
  assert.match(check(core, ex, "01 02 48 69", "en").reason, /FIN is 0/);
});

test("decode and mask", { skip }, () => {
  const pong = { kind: "decode", hex: "8a 80 37 fa 21 3d", field: "opcode", receiver: "server" };
  assert.equal(check(core, pong, "pong", "en").ok, true);
  assert.equal(check(core, pong, "0x9", "en").ok, false);
  const mask = { kind: "mask", key: "37fa213d", payload: "Hello" };
  assert.equal(check(core, mask, "7f 9f 4d 51 58", "en").ok, true);
  assert.match(check(core, mask, "7f 9f 00", "en").reason, /first 2 bytes are right; byte 2/);
  assert.match(check(core, mask, "00", "en").reason, /first byte is not right/);
});

test("parseBool", () => {
  assert.deepEqual(["yes", "1", "SET", "no", "0", "maybe"].map(parseBool), [true, true, true, false, false, null]);
});
