// catalog.js — the interface words (words.json) and the one rule that picks
// a language. No DOM, no storage: the page (i18n.js) gives it what the
// address, localStorage and the browser say, and Node tests call it as is.
//
// words.json is the one home of every interface word of the playground and
// of the lesson pages, in every language: one entry per key, one column per
// language. The Go lesson renderer (lessons/words.go) reads the same file,
// so a lesson's no-JavaScript fallback and its live widget say the same
// thing in the same words.
//
// It is imported as a JSON module rather than fetched: the browser fetches
// it in parallel with the other modules of the graph (no request waiting
// for i18n.js to run), nothing on the page runs before the words are there,
// and Node reads it the same way in the tests. The server serves it like
// every static file (gzip, ETag), and the page's Content-Security-Policy
// allows it ('self'); the browser tests load every page through that policy.

import catalog from "./words.json" with { type: "json" };

// LANGUAGES are the codes of the languages the catalog has, the first being
// the one that stands in for a missing word.
export const LANGUAGES = catalog.languages.map((l) => l.code);

// languageInfo is {code, name, html} of a language: its own name (for the
// switch) and its HTML lang attribute.
export function languageInfo(code) {
  return catalog.languages.find((l) => l.code === code) || catalog.languages[0];
}

// pickLang is the one rule that decides the language of a page, the
// playground and the lessons alike: a ?lang= in the address is a choice;
// then the choice remembered from an earlier visit; then the first of the
// browser's languages the catalog has ("zh-CN" picks "zh"); then the first
// language. Values the catalog does not have are skipped.
export function pickLang({ param = null, stored = null, browser = [] } = {}) {
  if (LANGUAGES.includes(param)) return param;
  if (LANGUAGES.includes(stored)) return stored;
  for (const tag of browser) {
    const primary = String(tag || "").toLowerCase().split("-")[0];
    if (LANGUAGES.includes(primary)) return primary;
  }
  return LANGUAGES[0];
}

// text is the words of key in lang, with each {name} replaced by
// args[name]. When args.n is 1 and the catalog has key + ".one", that entry
// is used ("1 byte", "2 bytes"). A word missing in lang is taken from the
// first language; a key missing altogether is returned as it is, so a typo
// shows on the page instead of an empty space.
export function text(lang, key, args) {
  let entry = catalog.words[key];
  if (args && args.n === 1 && catalog.words[key + ".one"]) entry = catalog.words[key + ".one"];
  const s = entry ? (entry[lang] ?? entry[LANGUAGES[0]]) : key;
  return args ? fill(s, args) : s;
}

// fill replaces each {name} in s by args[name]; unknown names stay.
export function fill(s, args) {
  return s.replace(/\{([\w-]+)\}/g, (m, name) => (name in args ? String(args[name]) : m));
}

// keys lists every key of the catalog (for tests).
export function keys() {
  return Object.keys(catalog.words);
}
