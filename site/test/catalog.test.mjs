// The interface words (site/static/words.json) and the rule that picks the
// language (catalog.js). Run: make test-js (node --test site/test/).

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { LANGUAGES, pickLang, text, fill, keys } from "../static/catalog.js";

const catalog = JSON.parse(await readFile(new URL("../static/words.json", import.meta.url), "utf8"));
const placeholders = (s) => [...new Set([...s.matchAll(/\{([\w-]+)\}/g)].map((m) => m[1]))].sort();

test("every word is in every language, with the same {placeholders}", () => {
  const problems = [];
  for (const [key, entry] of Object.entries(catalog.words)) {
    for (const l of LANGUAGES) {
      if (typeof entry[l] !== "string" || entry[l] === "") problems.push(`${key}: no ${l}`);
      else if (placeholders(entry[l]).join() !== placeholders(entry[LANGUAGES[0]]).join()) {
        problems.push(`${key}: ${l} has {${placeholders(entry[l])}}, ${LANGUAGES[0]} has {${placeholders(entry[LANGUAGES[0]])}}`);
      }
    }
    for (const l of Object.keys(entry)) if (!LANGUAGES.includes(l)) problems.push(`${key}: ${l} is not a language of the catalog`);
    if (key.endsWith(".one") && !catalog.words[key.slice(0, -4)]) problems.push(`${key}: no ${key.slice(0, -4)} for other numbers`);
  }
  assert.deepEqual(problems, []);
});

test("the Chinese words use the glossary's terms", () => {
  // docs/glossary.md: one term per concept; these are retired.
  const retired = ["负载", "掩码密钥", "首部", "头部", "合法", "断开连接", "开始握手", "必须掩码", "不得掩码", "帧头部", "密钥"];
  const found = [];
  for (const [key, entry] of Object.entries(catalog.words)) {
    for (const r of retired) if (entry.zh?.includes(r)) found.push(`${key}: ${r}`);
  }
  assert.deepEqual(found, []);
});

test("pickLang: the address, then the remembered choice, then the browser", () => {
  const cases = [
    [{ param: "zh", stored: "en", browser: ["en-US"] }, "zh"],
    [{ param: null, stored: "zh", browser: ["en-US"] }, "zh"],
    [{ param: "fr", stored: "zh", browser: ["en"] }, "zh"], // a language the catalog lacks is no choice
    [{ param: null, stored: null, browser: ["zh-CN", "en"] }, "zh"],
    [{ param: null, stored: null, browser: ["fr-FR", "zh-TW"] }, "zh"],
    [{ param: null, stored: "xx", browser: ["de"] }, LANGUAGES[0]],
    [{}, LANGUAGES[0]],
  ];
  for (const [input, want] of cases) assert.equal(pickLang(input), want, JSON.stringify(input));
});

test("text: placeholders, the .one form, and what stands in for a missing word", () => {
  assert.equal(text("en", "exercise.cutShort", { n: 1 }), "the frame is cut short: 1 more byte needed");
  assert.equal(text("en", "exercise.cutShort", { n: 3 }), "the frame is cut short: 3 more bytes needed");
  assert.equal(text("zh", "exercise.solved", { n: 1, total: 2 }), "已解答 1 / 2 道练习。");
  assert.equal(text("xx", "lessons.next"), catalog.words["lessons.next"][LANGUAGES[0]]);
  assert.equal(text("en", "no.such.key"), "no.such.key");
  assert.equal(fill("{a} and {b}", { a: 1 }), "1 and {b}");
  assert.equal(keys().length, Object.keys(catalog.words).length);
});
