// app.js — the playground page: five panels, each built from a widget
// module in widgets/ (the lessons use the same modules).
//
// The address says what the page shows, so a teacher can paste a link on a
// slide and the class sees exactly that:
//
//   #handshake?key=dGhlIHNhbXBsZSBub25jZQ==
//   #frame?hex=81 85 37 fa 21 3d 7f 9f 4d 51 58&receiver=server
//   #frame?hex=c1 07 f2 48 cd c9 c9 07 00&receiver=client&deflate=1
//   #mask?key=37 fa 21 3d&payload=Hello&step=3     (or payloadHex=...)
//   #wire   #chat?nick=Ada   #tap?target=ws://127.0.0.1:3368/
//   #transcript/f3/b12                               (frame 3, byte 12 of the
//                                                     recorded session)
//
// When you change a field, the address follows (history.replaceState, so
// the Back button is not flooded).

import { loadCore } from "./core.js";
import { lang, setLang, t, applyTranslations, fillLanguageSelect, htmlLang } from "./i18n.js";
import { el, setText } from "./dom.js";
import { mount as mountAccept } from "./widgets/accept.js";
import { mount as mountHandshake } from "./widgets/handshake.js";
import { mount as mountFrame } from "./widgets/frame.js";
import { mount as mountBuilder } from "./widgets/builder.js";
import { mount as mountMask } from "./widgets/mask.js";
import { mount as mountEcho } from "./widgets/echo.js";
import { mount as mountChat } from "./widgets/chat.js";
import { mount as mountChecker } from "./widgets/checker.js";
import { mount as mountTap } from "./widgets/tap.js";
import { mount as mountTranscript } from "./widgets/transcript.js";

// Every module above has arrived and run: the timeline shows how long that took.
performance.mark("wsplay:app");

const PANELS = ["handshake", "frame", "mask", "wire", "chat", "check", "tap", "transcript"];

// ---- the address: "#panel?a=1&b=2" ----

function parseHash() {
  const h = location.hash.slice(1);
  const q = h.indexOf("?");
  // "#transcript/f3/b12": the panel, then a place inside it.
  const [name, ...place] = (q < 0 ? h : h.slice(0, q)).split("/");
  const params = {};
  if (q >= 0) {
    for (const part of h.slice(q + 1).split("&")) {
      if (!part) continue;
      const eq = part.indexOf("=");
      const k = eq < 0 ? part : part.slice(0, eq);
      params[decode(k)] = eq < 0 ? "" : decode(part.slice(eq + 1));
    }
  }
  return { panel: PANELS.includes(name) ? name : "handshake", params, place: place.join("/"), raw: h };
}

function decode(s) {
  try { return decodeURIComponent(s); } catch { return s; }
}

// The address text keeps hex and keys readable: only what would break the
// address (& # % ? = and spaces) is escaped.
function hashFor(panel, params) {
  const parts = Object.entries(params).filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${k}=${String(v).replace(/[%&#?=\s+]/g, (c) => encodeURIComponent(c))}`);
  return `#${panel}${parts.length ? "?" + parts.join("&") : ""}`;
}

// What each panel last showed, so a tab switch keeps it.
const lastHash = {};

function follow(panel) {
  return (params) => {
    const h = hashFor(panel, params);
    lastHash[panel] = h;
    if (parseHash().panel === panel && location.hash !== h) {
      history.replaceState(null, "", h);
    }
  };
}

// ---- mounting the panels ----

const mountPoint = (name) => document.querySelector(`[data-mount="${name}"]`);

// The tap panel is mounted once (it holds a connection); links update it.
let tapWidget = null;

function mountPanel(panel, params) {
  switch (panel) {
    case "handshake":
      mountAccept(mountPoint("accept"), { key: params.key, onChange: follow("handshake") });
      break;
    case "frame":
      mountFrame(mountPoint("frame"), {
        hex: params.hex ?? "81 85 37 fa 21 3d 7f 9f 4d 51 58",
        receiver: params.receiver, deflate: params.deflate === "1", onChange: follow("frame"),
      });
      break;
    case "mask":
      mountMask(mountPoint("mask"), {
        key: params.key, payload: params.payload, payloadHex: params.payloadHex,
        step: params.step, onChange: follow("mask"),
      });
      break;
    case "check":
      // A link may name the server to check; the run starts on a click.
      mountChecker(mountPoint("check"), { url: params.url, stage: params.stage, onChange: follow("check") });
      break;
    case "tap":
      // The tap keeps its connection; a link fills the URL, a click connects.
      if (!tapWidget) {
        tapWidget = mountTap(mountPoint("tap"), {
          target: params.target, onChange: follow("tap"),
          // "Read it as a transcript": the tapped session, in panel 8.
          onTranscript: (session) => { transcript?.show(session); location.hash = "#transcript"; },
        });
      }
      else tapWidget.setTarget(params.target);
      break;
    case "chat":
      // The chat keeps its connection; only a nickname in the link is used.
      if (params.nick) {
        const nick = mountPoint("chat").querySelector("[data-role=nick]");
        if (nick && !nick.disabled) nick.value = params.nick;
      }
      break;
  }
}

// The widget a link to a panel opens, to bring it into view.
const LINKED = { handshake: "accept", frame: "frame", mask: "mask", chat: "chat", check: "check", tap: "tap" };

let transcript = null; // the transcript widget, which follows its own "#transcript/…" places

function route(event) {
  const { panel, params, place } = parseHash();
  for (const p of PANELS) {
    document.getElementById(`panel-${p}`).hidden = p !== panel;
  }
  for (const a of document.querySelectorAll(".tabs a")) {
    if (a.dataset.panel === panel) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  // On a phone the tabs scroll sideways: bring the active one into view
  // (scrollLeft, not scrollIntoView, which would scroll the page too).
  const tabs = document.querySelector(".tabs");
  const active = tabs.querySelector(`a[data-panel="${panel}"]`);
  if (tabs.scrollWidth > tabs.clientWidth && active) {
    tabs.scrollLeft = active.offsetLeft - tabs.offsetLeft - (tabs.clientWidth - active.offsetWidth) / 2;
  }
  const h = location.hash;
  if (panel === "transcript") {
    transcript?.goTo(place); // a byte, a frame or the handshake
    return;
  }
  if (Object.keys(params).length > 0 && lastHash[panel] !== h) {
    mountPanel(panel, params); // a link with a state: show that state
    if (event) mountPoint(LINKED[panel])?.scrollIntoView({ block: "start" });
  } else if (lastHash[panel] && location.hash !== lastHash[panel]) {
    history.replaceState(null, "", lastHash[panel]); // a tab: keep its state in the address
  }
}

// ---- preferences: language, theme, large text ----

function setupPrefs() {
  const langSelect = document.getElementById("lang");
  fillLanguageSelect(langSelect);
  document.documentElement.lang = htmlLang();
  langSelect.addEventListener("change", () => setLang(langSelect.value));
  window.addEventListener("wsplay:lang", () => {
    langSelect.value = lang();
    applyTranslations(document);
  });

  const themeSelect = document.getElementById("theme");
  themeSelect.value = document.documentElement.dataset.theme || "auto";
  themeSelect.addEventListener("change", () => {
    const v = themeSelect.value;
    if (v === "auto") delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = v;
    try { localStorage.setItem("wsplay.theme", v); } catch { /* not remembered */ }
  });

  const large = document.getElementById("large");
  large.checked = document.documentElement.classList.contains("large");
  large.addEventListener("change", () => {
    document.documentElement.classList.toggle("large", large.checked);
    try { localStorage.setItem("wsplay.large", large.checked ? "1" : "0"); } catch { /* not remembered */ }
  });

  const copyBtn = document.getElementById("copy-link");
  const copyStatus = document.getElementById("copy-status");
  copyBtn.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(location.href);
      copyStatus.textContent = t("ui.copied");
    } catch {
      copyStatus.textContent = location.href; // no clipboard: show it to copy by hand
    }
  });
}

// ---- start ----

setupPrefs();
applyTranslations(document);

const start = parseHash();
for (const p of PANELS) {
  mountPanel(p, p === start.panel ? start.params : {});
}
mountHandshake(mountPoint("handshake"));
mountBuilder(mountPoint("builder"));
mountEcho(mountPoint("echo"), { endpoint: "/ws/inspect" });
mountChat(mountPoint("chat"), { nick: start.panel === "chat" ? start.params.nick : "", onChange: follow("chat") });
transcript = mountTranscript(mountPoint("transcript"), { place: start.panel === "transcript" ? start.place : "" });
if (Object.keys(start.params).length) lastHash[start.panel] = location.hash;
window.addEventListener("hashchange", route);
route();

const coreStatus = document.getElementById("core-status");
loadCore().then(() => {
  // setText moves the line's translation key from "loading" to "ready", so
  // a language switch translates what it says now.
  setText(coreStatus, "core.ready");
  coreStatus.classList.add("good");
  // The page is interactive: the widgets mounted above asked for the core
  // first, so their handlers have run and panel 1 shows the Accept value
  // the core computed. The browser tests measure up to this mark.
  performance.mark("wsplay:ready");
}, (err) => {
  // Say plainly what failed and what still works.
  delete coreStatus.dataset.i18n;
  coreStatus.replaceChildren(el("span", { i18n: "core.failed" }), " ", el("code", { text: err.message }));
  coreStatus.classList.add("bad");
});
