// dom.js — the small helpers the widgets share to build the page's DOM.
//
// Every piece of text goes in with textContent, never innerHTML: a chat
// message or a frame's payload can contain "<img onerror=...>", and it must
// show as those characters, not run.

import { t, bothText, applyTranslations } from "./i18n.js";

// The byte helpers live in bytes.js (no DOM, tested under Node); the
// widgets take them from here with the rest.
export { hex, hexToBytes, normHex, spacedHex, base64ToBytes, opcodeName, parseOpcode } from "./bytes.js";

// el("button", {class: "primary", i18n: "connect", onclick: f}, child, ...)
// creates an element. Attributes:
//   text   textContent
//   i18n   a key of i18n.js: the text is t(key), and changes with the language
//   args   with i18n: the values of the {names} in its text
//   both   {en, zh}: a text the core gives in several languages (a rule of
//          the RFC); shows the one for the page's language, and changes with it
//   class, for, id, href, type, value, ... set as attributes
//   on...  an event listener
//   a key whose value is null, undefined or false is left out.
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "text") e.textContent = v;
    else if (k === "both") {
      e.dataset.both = JSON.stringify(v);
      e.textContent = bothText(v);
    } else if (k === "i18n") {
      e.dataset.i18n = v;
      e.textContent = t(v, attrs.args);
    } else if (k === "args") {
      e.dataset.i18nArgs = JSON.stringify(v); // with i18n: the {names} in its text
    } else if (k.startsWith("i18n-")) {
      // i18n-placeholder, i18n-aria-label, i18n-title: translated attributes
      const attr = k.slice(5);
      e.dataset["i18n" + attr.replace(/(^|-)(\w)/g, (_, __, c) => c.toUpperCase())] = v;
      e.setAttribute(attr, t(v));
    } else if (k.startsWith("on") && typeof v === "function") e.addEventListener(k.slice(2), v);
    else if (k === "value") e.value = v;
    else if (v === true) e.setAttribute(k, "");
    else e.setAttribute(k, v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

// setText sets an element's text to a translated string (and remembers the
// key, so a language switch updates it), or to plain text when key is null.
export function setText(e, key, plain = "") {
  if (key) {
    e.dataset.i18n = key;
    e.textContent = t(key);
  } else {
    delete e.dataset.i18n;
    e.textContent = plain;
  }
}

// unique ids for label/for pairs when a widget is mounted more than once.
let counter = 0;
export function uid(prefix) {
  counter += 1;
  return `${prefix}-${counter}`;
}

// errorText turns an error value of the bridge ({error: {message}}) or a
// thrown Error into a line of text for a learner: without the bridge's own
// names ("wsplay.maskSteps: key: "), which say where in the page's code the
// value went, not what is wrong with it. The widget says which field it was.
export function errorText(e) {
  if (e && e.error && e.error.message) {
    let m = e.error.message;
    const { function: fn, argument: arg } = e.error;
    if (fn && m.startsWith(`wsplay.${fn}: `)) m = m.slice(`wsplay.${fn}: `.length);
    if (arg && m.startsWith(`${arg}: `)) m = m.slice(`${arg}: `.length);
    return m;
  }
  if (e instanceof Error) return e.message;
  return String(e);
}

// rfcLink links "RFC 6455 §5.2" to the section (the text works offline).
export function rfcLink(section, source) {
  const label = source || `RFC 6455 §${section}`;
  // A section of another RFC is written "RFC 7692 §6.1" (permessage-deflate's rules).
  const other = /^RFC (\d+) §([0-9.]+)$/.exec(section || "");
  const rfc = other ? other[1] : "6455";
  if (other) section = other[2];
  if (!/^[0-9.]+$/.test(section || "")) return el("span", { class: "rfc", text: label });
  return el("a", {
    class: "rfc", href: `https://www.rfc-editor.org/rfc/rfc${rfc}#section-${section}`,
    target: "_blank", rel: "noopener", text: label,
  });
}

// wsURL turns a path of this server ("/ws/inspect") into a ws: or wss: URL.
export function wsURL(path) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${path}`;
}

// connectionBar is the bar of a widget that talks to the server: its
// button, the endpoint it talks to, and the status line. setStatus(key,
// extra, cls) shows a state in words ("live.open"), extra text after it,
// and the class good or bad.
export function connectionBar({ button, endpoint, statusRole }) {
  const status = el("p", { class: "conn-status", role: "status", "data-role": statusRole });
  const bar = el("div", { class: "conn-bar" }, button, el("code", { class: "muted", text: endpoint }), status);
  const setStatus = (key, extra = "", cls = "") => {
    status.className = `conn-status ${cls}`;
    status.replaceChildren(el("span", { i18n: key }), extra ? ` ${extra}` : "");
  };
  return { bar, status, setStatus };
}

// selectable makes a row of a log open its detail on a click, Enter or
// Space, and marks it as the row selected in log.
export function selectable(log, li, open) {
  const go = () => {
    for (const x of log.querySelectorAll(".selected")) x.classList.remove("selected");
    li.classList.add("selected");
    open();
  };
  li.addEventListener("click", go);
  li.addEventListener("keydown", (ev) => { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); go(); } });
}

// followLang keeps a widget's text in the current language: on each
// "wsplay:lang" event it rewrites root's translated text, until root leaves
// the page.
export function followLang(root) {
  const update = () => {
    if (!root.isConnected) {
      window.removeEventListener("wsplay:lang", update);
      return;
    }
    applyTranslations(root);
  };
  window.addEventListener("wsplay:lang", update);
}
