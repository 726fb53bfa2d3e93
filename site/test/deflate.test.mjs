// permessage-deflate as the page shows it (deflate.js): inflating with the
// runtime's DecompressionStream, the bytes saved, and the offer and answer
// read parameter by parameter. Run: make test-js.

import { test } from "node:test";
import assert from "node:assert/strict";
import { deflateRawSync } from "node:zlib";
import { readFile } from "node:fs/promises";
import { inflate, InflateError, saving, parseExtensions, explainExtensions, negotiated } from "../static/deflate.js";

const catalog = JSON.parse(await readFile(new URL("../static/words.json", import.meta.url), "utf8"));

// What a sender puts on the wire: a sync-flushed DEFLATE stream without its
// 00 00 ff ff tail (RFC 7692 §7.2.1), made here by Node's zlib, not by the
// code under test.
function compress(text) {
  const z = deflateRawSync(Buffer.from(text), { finishFlush: 2 /* Z_SYNC_FLUSH */ });
  assert.deepEqual([...z.subarray(-4)], [0, 0, 0xff, 0xff]);
  return new Uint8Array(z.subarray(0, -4));
}

test("inflate: RFC 7692 §7.2.3.1's Hello, and zlib's own output", async () => {
  const cases = [
    [new Uint8Array([0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]), "Hello"],
    // §7.2.3.3: the same with no compression (a stored block).
    [new Uint8Array([0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00]), "Hello"],
    [compress("wsplay ".repeat(500)), "wsplay ".repeat(500)],
    [compress(""), ""],
  ];
  for (const [payload, want] of cases) {
    assert.equal(new TextDecoder().decode(await inflate(payload)), want);
  }
});

test("inflate: bytes that are not DEFLATE fail with the rule, not a hang", async () => {
  for (const bad of [[0xff, 0xff, 0xff], [0x07, 0x00], [0x48, 0x65, 0x6c, 0x6c, 0x6f]]) {
    await assert.rejects(inflate(new Uint8Array(bad)), (err) => err instanceof InflateError && /RFC 7692 §7\.2\.2/.test(err.message));
  }
});

test("saving: bytes saved and the share, negative when compression grew the message", () => {
  assert.deepEqual(saving(7, 5), { wire: 7, inflated: 5, saved: -2, percent: -40 });
  assert.deepEqual(saving(25, 1000), { wire: 25, inflated: 1000, saved: 975, percent: 98 });
  assert.equal(saving(0, 0).percent, 0);
});

test("parseExtensions: names, parameters, values, quotes", () => {
  assert.deepEqual(parseExtensions("permessage-deflate; client_max_window_bits, x-foo; a=\"1,2\""), [
    { name: "permessage-deflate", params: [{ name: "client_max_window_bits", value: null }] },
    { name: "x-foo", params: [{ name: "a", value: "1,2" }] },
  ]);
  assert.deepEqual(parseExtensions(""), []);
  assert.equal(negotiated("permessage-deflate; server_no_context_takeover"), true);
  assert.equal(negotiated(""), false);
});

test("explainExtensions: every part of Chromium's offer and wsplay's answer has words", () => {
  const offer = "permessage-deflate; client_max_window_bits";
  const answer = "permessage-deflate; server_no_context_takeover; client_max_window_bits=12";
  const o = explainExtensions(offer, "offer");
  assert.deepEqual(o.map((r) => r.param), ["", "client_max_window_bits"]);
  assert.deepEqual(o.map((r) => r.section), ["RFC 7692 §7", "RFC 7692 §7.1.2.2"]);
  const a = explainExtensions(answer, "answer", offer);
  assert.deepEqual(a.map((r) => r.section), ["RFC 7692 §7", "RFC 7692 §7.1.1.1", "RFC 7692 §7.1.2.2"]);
  assert.deepEqual(a[2].args, { bits: "12", window: "4096 B" });
  assert.equal(explainExtensions("", "answer", offer)[0].key, "deflate.answer.declined");
  assert.equal(explainExtensions("permessage-deflate; foo", "offer")[1].key, "deflate.unknownParam");
  // Every key it can give is in the catalog, in every language.
  const all = ["offer", "answer"].flatMap((side) => explainExtensions(
    "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits; client_max_window_bits=9; bogus, x-other", side))
    .concat(explainExtensions("", "answer", offer));
  for (const r of all) {
    assert.ok(catalog.words[r.key]?.en && catalog.words[r.key]?.zh, `${r.key} is not in words.json`);
  }
});
