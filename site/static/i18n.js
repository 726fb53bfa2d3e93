// i18n.js — the page's words, in the language the visitor reads.
//
//   lang()                 "en", "zh", … (a code of words.json)
//   setLang("zh")          switches, remembers it (localStorage "wsplay.lang")
//                          and fires a "wsplay:lang" event on window
//   t("nav.handshake")     the text of a key in the current language
//   t("frame.needs", {n: 9})  with {n} in the text replaced
//   applyTranslations(el)  rewrites every element under el that has
//                          data-i18n (its text) or data-i18n-placeholder,
//                          data-i18n-title, data-i18n-aria-label (attributes)
//   htmlLang(), fillLanguageSelect(select)
//
// The words themselves are in words.json, shared with the lesson pages
// (rendered in Go); catalog.js reads it. One way of choosing the language,
// on the playground and on the lessons alike (catalog.js, pickLang): a
// link's ?lang=zh is a choice, remembered as if the visitor had picked it in
// the switch; then the remembered choice; then the browser's languages. So a
// lesson opened with ?lang=zh shows its widgets in Chinese whatever the
// browser's language, and /?lang=zh opens the playground in Chinese.
//
// Explanations that come from the Go core (a broken rule) come in the
// languages the core has (el's "both" in dom.js); a field's meaning is the
// core's English.

import { LANGUAGES, languageInfo, pickLang, text } from "./catalog.js";

const STORAGE_KEY = "wsplay.lang";

function stored() {
  try { return localStorage.getItem(STORAGE_KEY); } catch { return null; /* storage may be off */ }
}

function remember(l) {
  try { localStorage.setItem(STORAGE_KEY, l); } catch { /* not remembered, still used */ }
}

// A ?lang= in the address is a choice: remember it before anything asks
// lang(). (Read once, when this module first runs.)
const fromURL = (() => {
  try {
    const l = new URLSearchParams(location.search).get("lang");
    return LANGUAGES.includes(l) ? l : null;
  } catch { return null; }
})();
if (fromURL) {
  remember(fromURL);
  document.documentElement.lang = languageInfo(fromURL).html;
}
let chosen = fromURL; // the choice of this page (also when storage is off)

// lang is the language in use: pickLang's answer for this page.
export function lang() {
  return pickLang({ param: chosen, stored: stored(), browser: navigator.languages || [navigator.language] });
}

// htmlLang is the current language as an HTML lang attribute ("zh-Hans").
export function htmlLang() {
  return languageInfo(lang()).html;
}

// fillLanguageSelect gives a <select> one option per language of the
// catalog, each in its own name, the current one selected.
export function fillLanguageSelect(select) {
  select.replaceChildren(...LANGUAGES.map((code) => {
    const o = document.createElement("option");
    o.value = code;
    o.lang = languageInfo(code).html;
    o.textContent = languageInfo(code).name;
    return o;
  }));
  select.value = lang();
}

// setLang switches the language, remembers it and tells the page.
export function setLang(l) {
  if (!LANGUAGES.includes(l)) throw new Error(`unknown language ${l}: use one of ${LANGUAGES.join(", ")}`);
  chosen = l;
  remember(l);
  // An address that names the language follows the switch, so a reload or a
  // copied link shows what is on the screen.
  try {
    const u = new URL(location.href);
    if (u.searchParams.has("lang")) {
      u.searchParams.set("lang", l);
      history.replaceState(history.state, "", u);
    }
  } catch { /* the address stays */ }
  document.documentElement.lang = languageInfo(l).html;
  window.dispatchEvent(new CustomEvent("wsplay:lang", { detail: { lang: l } }));
}

// t returns the text of key in the current language (see catalog.js's text
// for what stands in for a missing word), with each {name} replaced by
// args[name].
export function t(key, args) {
  return text(lang(), key, args);
}

// bothText is the one of a text the core gives in several languages
// ({en, zh}) for the current language, English when it lacks that one.
export function bothText(v) {
  return v[lang()] || v.en;
}

// applyTranslations rewrites the translated text and attributes under root.
export function applyTranslations(root = document) {
  for (const e of root.querySelectorAll("[data-i18n]")) {
    e.textContent = t(e.dataset.i18n, e.dataset.i18nArgs ? JSON.parse(e.dataset.i18nArgs) : undefined);
  }
  // Texts the Go core gives in several languages (see el's "both" in dom.js).
  for (const e of root.querySelectorAll("[data-both]")) {
    e.textContent = bothText(JSON.parse(e.dataset.both));
  }
  for (const [data, attr] of [["i18nPlaceholder", "placeholder"], ["i18nTitle", "title"], ["i18nAriaLabel", "aria-label"]]) {
    const sel = "[data-" + data.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase()) + "]";
    for (const e of root.querySelectorAll(sel)) e.setAttribute(attr, t(e.dataset[data]));
  }
}
