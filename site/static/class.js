// class.js — the class board (/class): a table for the projector with one
// row per student who opted in and one cell per check stage, updated live.
//
// The board needs the teacher code. The server prints the board's link with
// the code after a # (/class#teacher=CODE): a #fragment never leaves the
// browser in a request, and this script moves it out of the address bar at
// once (into sessionStorage, for a reload), so a projected address bar
// does not show it. Without it the page asks for the code.
//
// /ws/class: the page sends {"teacher": CODE}; the server answers with the
// whole board, {"type": "board", "stages": [{id, title}], "students":
// [{nick, stages: {ID: {status, pass, warn, fail, self_reported}}}],
// "code": CLASS_CODE}, and again after every change — or {"type":
// "refused", "reason"} for a wrong code. {"remove": NICK} and {"clear":
// true} are the teacher's buttons. Nicknames go in as text, never HTML.

import { lang, setLang, t, applyTranslations, fillLanguageSelect, htmlLang } from "./i18n.js";
import { el, setText, wsURL } from "./dom.js";

const KEY = "wsplay.teacher";
const $ = (id) => document.getElementById(id);
const status = $("status");

try {
  const theme = localStorage.getItem("wsplay.theme");
  if (theme === "light" || theme === "dark") document.documentElement.dataset.theme = theme;
} catch { /* storage may be off */ }

// The code from the link, out of the address bar before anything else.
const m = /^#teacher=([A-Za-z0-9-]+)$/.exec(location.hash);
if (m) {
  try { sessionStorage.setItem(KEY, m[1]); } catch { /* kept in memory only */ }
  history.replaceState(null, "", location.pathname);
}
let teacher = m ? m[1] : stored();

function stored() {
  try { return sessionStorage.getItem(KEY) || ""; } catch { return ""; }
}

// ---- language ----

const langSelect = $("lang");
fillLanguageSelect(langSelect);
document.documentElement.lang = htmlLang();
langSelect.addEventListener("change", () => setLang(langSelect.value));
window.addEventListener("wsplay:lang", () => {
  applyTranslations(document);
  if (last) render(last);
});
applyTranslations(document);

// ---- the connection ----

let ws = null;
let last = null; // the last board received
let retry = 0;

$("login").addEventListener("submit", (e) => {
  e.preventDefault();
  teacher = $("teacher").value.trim();
  try { sessionStorage.setItem(KEY, teacher); } catch { /* memory only */ }
  connect();
});
$("clear").addEventListener("click", () => {
  if (ws && confirm(t("class.clearConfirm"))) ws.send(JSON.stringify({ clear: true }));
});

function connect() {
  if (!teacher) {
    $("login").hidden = false;
    setText(status, "class.needCode");
    return;
  }
  $("login").hidden = true;
  setText(status, "class.connecting");
  status.className = "conn-status";
  const mine = new WebSocket(wsURL("/ws/class"));
  ws = mine;
  let refused = false;
  mine.onopen = () => mine.send(JSON.stringify({ teacher }));
  mine.onmessage = (ev) => {
    const e = JSON.parse(ev.data);
    if (e.type === "refused") {
      refused = true;
      teacher = "";
      try { sessionStorage.removeItem(KEY); } catch { /* nothing kept */ }
      $("login").hidden = false;
      $("board").hidden = true;
      status.className = "conn-status bad";
      setText(status, null, e.reason); // the server's words, as text
      return;
    }
    if (e.type === "board") {
      retry = 0;
      last = e;
      render(e);
      status.className = "conn-status good";
      setText(status, "class.live");
    }
  };
  mine.onclose = () => {
    if (ws !== mine || refused) return;
    ws = null;
    status.className = "conn-status bad";
    setText(status, "class.lost");
    // The server may be restarting (its board and codes are then new:
    // the next try says so). Back off up to 10 s.
    retry = Math.min(retry + 1, 5);
    setTimeout(connect, retry * 2000);
  };
}

// ---- the table ----

function stageTitle(s) {
  const key = `class.stage.${s.id}`;
  const text = t(key);
  return text === key ? s.title : text;
}

function render(b) {
  $("join").hidden = false;
  $("code").textContent = b.code;
  $("board").hidden = false;
  $("board-head").replaceChildren(
    el("th", { class: "nick", scope: "col", i18n: "class.nick" }),
    ...b.stages.map((s) => el("th", { scope: "col", "data-stage": s.id, text: stageTitle(s) })),
    el("th", { scope: "col" }, el("span", { class: "visually-hidden", i18n: "class.remove" })));
  $("board-rows").replaceChildren(...b.students.map((st) => el("tr", { "data-nick": st.nick },
    el("th", { class: "nick", scope: "row", text: st.nick }),
    ...b.stages.map((s) => el("td", {}, cell(st.stages[s.id]))),
    el("td", {}, el("button", {
      type: "button", class: "remove", text: "×", title: `${t("class.remove")} ${st.nick}`,
      "aria-label": `${t("class.remove")} ${st.nick}`,
      onclick: () => ws && ws.send(JSON.stringify({ remove: st.nick })),
    })))));
  $("board-empty").hidden = b.students.length > 0;
}

function cell(m) {
  if (!m) return el("span", { class: "board-cell none", title: t("class.notRun"), text: "·" });
  const mark = { pass: "✓", warn: "!", fail: "✗", "not-yet": "○" }[m.status] || "?";
  const total = m.pass + m.warn + m.fail;
  const title = `${m.pass}/${total} ${t("class.passed")}` + (m.self_reported ? ` · ${t("class.self")}` : "");
  return el("span", {
    class: `board-cell ${m.status}${m.self_reported ? " self" : ""}`, "data-status": m.status,
    "data-self": m.self_reported ? "1" : null, title, text: mark + (m.self_reported ? "*" : ""),
  });
}

connect();
