// The built module, loaded as the page loads it, called as the page calls it.
// Build it first (make wasm), then: node --test wasm/testdata/node_test.mjs
// (make test-wasm-bridge does both).

import { test } from "node:test";
import assert from "node:assert/strict";
import { loadWsplay } from "./load.mjs";

const rfcKey = "dGhlIHNhbXBsZSBub25jZQ==";
const rfcAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
const rfcMaskedHello = "81 85 37 fa 21 3d 7f 9f 4d 51 58";

const { wsplay, done, go } = await loadWsplay();

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

test("wsplay is ready as soon as go.run returns", () => {
  assert.equal(typeof globalThis.wsplay, "object");
  assert.equal(typeof wsplay.version, "string");
  assert.match(wsplay.goVersion, /^go/);
});

test("accept and acceptSteps: RFC 6455 §1.3", () => {
  assert.equal(wsplay.accept(rfcKey), rfcAccept);
  const s = wsplay.acceptSteps(rfcKey);
  assert.equal(new TextDecoder().decode(s.keyBytes), "the sample nonce");
  assert.equal(s.keyProblem, null);
  assert.equal(s.concatenated, rfcKey + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
  assert.ok(s.sha1 instanceof Uint8Array);
  assert.equal(hex(s.sha1), "b37a4f2cc0624f1690f64606cf385945b2bec4ea");
  assert.equal(s.accept, rfcAccept);
  const bad = wsplay.acceptSteps("abc");
  assert.equal(bad.keyProblem.section, "4.2.1");
  assert.equal(bad.keyProblem.status, 400);
});

test("explainFrame: RFC 6455 §5.7 masked Hello", () => {
  const e = wsplay.explainFrame(rfcMaskedHello, "server");
  assert.equal(e.text, "Hello");
  assert.equal(e.complete, true);
  assert.deepEqual(e.problems, []);
  assert.deepEqual(
    e.fields.map((f) => f.name),
    ["FIN", "RSV1", "RSV2", "RSV3", "opcode", "MASK", "Payload len", "Masking-key", "Payload Data"],
  );
  assert.equal(e.header.keyHex, "37 fa 21 3d");
  assert.deepEqual(Array.from(e.header.key), [0x37, 0xfa, 0x21, 0x3d]);
  // A Node Buffer is a Uint8Array: it works too.
  assert.equal(wsplay.explainFrame(Buffer.from("818537fa213d7f9f4d5158", "hex")).text, "Hello");
});

test("an invalid frame is explained, not thrown", () => {
  const e = wsplay.explainFrame("49 00", "server");
  assert.equal(e.code, 1002);
  assert.equal(e.problems.length, 3);
  assert.ok(e.problems.every((p) => p.cite.includes("RFC 6455 §")));
});

test("explainFrame and decodeFrames: RSV1 under permessage-deflate", () => {
  const hello = "c1 07 f2 48 cd c9 c9 07 00"; // RFC 7692 §7.2.3.1
  const plain = wsplay.explainFrame(hello, "client");
  assert.deepEqual(plain.problems.map((p) => p.id).slice(0, 1), ["reserved-bits"]);
  assert.equal(plain.compressed, false);
  const e = wsplay.explainFrame(hello, "client", "en", { deflate: true });
  assert.deepEqual(e.problems, []);
  assert.equal(e.compressed, true);
  assert.match(e.fields[1].meaning, /Per-Message Compressed \(RFC 7692 §6\.1\)/);
  const d = wsplay.decodeFrames(hello + " c9 00", "client", "zh", { deflate: true });
  assert.deepEqual(d.frames.map((f) => f.problems.map((p) => p.id)), [[], ["compressed-bit"]]);
  assert.ok(wsplay.explainFrame(hello, "client", "en", { deflate: "yes" }).error);
});

test("buildFrame decodes back", () => {
  const f = wsplay.buildFrame({ opcode: "text", mask: true, key: "37 fa 21 3d", payload: "Hello" });
  assert.equal(f.hex, rfcMaskedHello);
  assert.equal(wsplay.explainFrame(f.bytes, "server").text, "Hello");
});

test("decodeFrames splits a buffer", () => {
  const d = wsplay.decodeFrames("81 05 48 65 6c 6c 6f 89 00 8a", "client");
  assert.deepEqual(d.frames.map((f) => f.header.opcodeName), ["text", "ping"]);
  assert.equal(d.consumed, 9);
  assert.deepEqual(Array.from(d.rest), [0x8a]);
});

test("maskSteps and mask", () => {
  const s = wsplay.maskSteps("37 fa 21 3d", "Hello");
  assert.deepEqual(s.rows.map((r) => r.keyIndex), [0, 1, 2, 3, 0]);
  assert.equal(s.maskedHex, "7f 9f 4d 51 58");
  assert.equal(new TextDecoder().decode(wsplay.mask("37 fa 21 3d", s.masked).bytes), "Hello");
});

test("handshake: parseRequest, buildRequest, verifyResponse", () => {
  const req = wsplay.buildRequest({ host: "127.0.0.1:8080", target: "/ws/echo", key: rfcKey });
  const r = wsplay.parseRequest(req);
  assert.equal(r.problem, null);
  assert.equal(r.accept, rfcAccept);
  assert.equal(wsplay.verifyResponse(r.response, rfcKey), null);
  assert.equal(wsplay.verifyResponse(r.response, wsplay.newKey()).section, "4.1");
});

test("mistakes are error values and the module stays alive", async () => {
  for (const r of [
    wsplay.explainFrame("81 zz"),
    wsplay.explainFrame(42),
    wsplay.accept(),
    wsplay.buildFrame({ mask: true }),
    wsplay.maskSteps("01 02", "x"),
  ]) {
    assert.equal(typeof r.error.message, "string", JSON.stringify(r));
  }
  await new Promise((resolve) => setTimeout(resolve, 20)); // a turn of the event loop
  assert.equal(wsplay.accept(rfcKey), rfcAccept);
});

test("exit ends the Go program cleanly", async () => {
  // A big frame makes the Go runtime grow its heap, which arms a runtime
  // timer: exiting must leave none behind (golang/go#72797).
  wsplay.buildFrame({ opcode: "binary", payload: new Uint8Array(1 << 20) });
  wsplay.exit();
  await done; // resolves only when main has returned
  assert.equal(go.exited, true);
  assert.equal(globalThis.wsplay, undefined);
  assert.equal(go._scheduledTimeouts.size, 0, "a Go timer would fire after exit and throw");
});
