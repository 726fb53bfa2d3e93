// The learner's progress (lesson/progress.js).

import { test } from "node:test";
import assert from "node:assert/strict";
import { record, readProgress, solve, courseDone, forgetProgress } from "../static/lesson/progress.js";

// memory is a localStorage that keeps its items in a Map.
function memory(init = {}) {
  const m = new Map(Object.entries(init));
  return { getItem: (k) => m.get(k) ?? null, setItem: (k, v) => m.set(k, String(v)), removeItem: (k) => m.delete(k) };
}

test("a lesson is done when all its exercises are solved, once", () => {
  const now = new Date("2026-01-02T03:04:05Z");
  let p = record({}, "accept", 0, 2, now);
  assert.deepEqual(p.accept, { solved: [0], total: 2, done: false });
  p = record(p, "accept", 0, 2, now); // the same exercise again
  assert.deepEqual(p.accept.solved, [0]);
  p = record(p, "accept", 1, 2, now);
  assert.equal(p.accept.done, true);
  assert.equal(p.accept.at, now.toISOString());
  const later = record(p, "accept", 1, 2, new Date("2027-01-01T00:00:00Z"));
  assert.equal(later.accept.at, now.toISOString(), "the first time it was done stays");
  assert.equal(courseDone(later, ["accept", "handshake"]), 1);
});

test("stored progress survives a bad or missing store", () => {
  assert.deepEqual(readProgress(memory({ "wsplay.lessons.progress": "{not json" })), {});
  assert.deepEqual(readProgress(memory({ "wsplay.lessons.progress": "null" })), {});
  const broken = { getItem() { throw new Error("storage off"); }, setItem() { throw new Error("full"); }, removeItem() {} };
  assert.deepEqual(readProgress(broken), {});
  assert.equal(solve("masking", 0, 1, broken).done, true, "solving still works without storage");
  const s = memory();
  solve("masking", 0, 1, s);
  assert.equal(readProgress(s).masking.done, true);
  forgetProgress(s);
  assert.deepEqual(readProgress(s), {});
});
