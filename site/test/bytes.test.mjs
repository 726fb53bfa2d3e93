// The byte and opcode helpers the widgets and the lessons share (bytes.js).

import { test } from "node:test";
import assert from "node:assert/strict";
import { hex, hexToBytes, normHex, spacedHex, opcodeName, parseOpcode } from "../static/bytes.js";

test("hexToBytes reads hex as people paste it, and nothing else", () => {
  const cases = [
    ["81 05", [0x81, 0x05]],
    ["8105", [0x81, 0x05]],
    ["0x81,0x05", [0x81, 0x05]],
    ["0x81, 0x05 ", [0x81, 0x05]],
    ["81:05", [0x81, 0x05]],
    ["  ", []],
    ["8 105", null], // a group of half a byte
    ["81 0g", null],
    ["hello", null],
  ];
  for (const [s, want] of cases) {
    const got = hexToBytes(s);
    assert.deepEqual(got === null ? null : [...got], want, JSON.stringify(s));
  }
});

test("hex, normHex and spacedHex write bytes as the core does", () => {
  assert.equal(hex(Uint8Array.of(0x81, 0x05, 0x0a)), "81 05 0a");
  assert.equal(normHex("0x81,0X05"), "81 05");
  assert.equal(normHex("zz"), null);
  assert.equal(spacedHex("37fa213d"), "37 fa 21 3d");
});

test("opcodes: names, numbers, reserved (RFC 6455 §5.2)", () => {
  assert.deepEqual([0, 1, 2, 3, 8, 9, 10, 11, 15].map(opcodeName),
    ["continuation", "text", "binary", "reserved", "close", "ping", "pong", "reserved", "reserved"]);
  const cases = [["text", 1], ["PONG", 10], ["0x9", 9], ["9", 9], ["0x1 (text)", 1], ["16", null], ["frame", null]];
  for (const [s, want] of cases) assert.equal(parseOpcode(s), want, s);
});
