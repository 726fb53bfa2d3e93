// tap.js — "Tap my server": your browser talks to YOUR server through
// wsplay, and every byte both ways shows up here.
//
// The browser's WebSocket API shows messages, never frames, and your server
// is not wsplay, so it cannot report what it sent. wsplay stands in the
// middle instead (docs/tap.md):
//
//   1. the page opens /ws/tap/watch, a report channel; its first message
//      is {"type": "watch", "id": ...};
//   2. the page opens its real WebSocket to
//      /ws/tap?target=YOUR_URL&session=ID. wsplay forwards the handshake to
//      your server (with your server's Host and path), passes its answer
//      back as it came, then relays every byte both ways, unchanged;
//   3. for each thing that crosses, the watch gets a report: the request
//      and response heads, every frame with its exact bytes, and every rule
//      either side broke, with the lesson that explains it.
//
// A row of the log opens the frame in the page's own frame view and, for a
// masked frame, the masking stepper (frame.js, mask.js); the handshake row
// opens the handshake view (handshake.js). Everything from the wire is put
// in the page with textContent, never as HTML.
//
// mount(element, {target, onChange}) — target fills the URL box (the
// deep link #tap?target=ws://127.0.0.1:3368/); onChange({target}) is
// called when it changes.

import { loadCore } from "../core.js";
import { el, setText, uid, wsURL, spacedHex, hexToBytes, followLang, selectable } from "../dom.js";
import { t } from "../i18n.js";
import { mount as mountFrame } from "./frame.js";
import { appendStepper } from "./mask.js";
import { showHandshake } from "./handshake.js";
import { negotiated } from "../deflate.js";

const DEFAULT_TARGET = "ws://127.0.0.1:3368/";

export function mount(element, options = {}) {
  // Everything the tap's functions share: its elements, the core, the
  // report channel of the current connection (watch), the page's WebSocket
  // to the learner's server through wsplay (ws), the request head report
  // until the response comes, and the session the transcript panel shows.
  const st = {
    options, onChange: options.onChange || (() => {}), ui: tapControls(options),
    wsplay: null, watch: null, ws: null, request: null, session: null,
  };
  element.replaceChildren(st.ui.root);
  followLang(st.ui.root);
  newSession(st);
  reset(st);
  setStatus(st, "tap.idle");
  updateButtons(st);
  listen(st);
  loadCore().then((w) => { st.wsplay = w; }, (err) => setStatus(st, "live.noCore", err.message, "bad"));
  return {
    // setTarget fills the URL box (a deep link opened while the page is up).
    setTarget(target) { if (target) st.ui.urlInput.value = target; },
  };
}

// tapControls builds the widget's elements: the URL and its button, the
// status line, the send form, the note, the log and the detail pane.
function tapControls(options) {
  const ids = { url: uid("t-url"), text: uid("t-text"), bin: uid("t-bin"), code: uid("t-code"), reason: uid("t-reason") };
  const ui = {
    urlInput: el("input", { id: ids.url, class: "mono", value: options.target || DEFAULT_TARGET, spellcheck: "false", autocomplete: "off", "data-role": "tap-url" }),
    connectBtn: el("button", { type: "button", class: "primary", i18n: "live.connect", "data-role": "tap-connect" }),
    status: el("p", { class: "conn-status", role: "status", "data-role": "tap-status" }),
    textInput: el("input", { id: ids.text, value: "Hello", "data-role": "tap-text" }),
    sendText: el("button", { type: "button", i18n: "echo.sendText", "data-role": "tap-send-text" }),
    binInput: el("input", { id: ids.bin, class: "mono", value: "00 01 fe ff", "data-role": "tap-binary" }),
    sendBin: el("button", { type: "button", i18n: "echo.sendBinary", "data-role": "tap-send-binary" }),
    codeInput: el("input", { id: ids.code, type: "number", value: "1000", min: "0", max: "65535", class: "mono short", "data-role": "tap-close-code" }),
    reasonInput: el("input", { id: ids.reason, value: "bye", "data-role": "tap-close-reason" }),
    closeBtn: el("button", { type: "button", i18n: "echo.close", "data-role": "tap-close" }),
    note: el("p", { class: "note", hidden: true, "data-role": "tap-note" }),
    // The whole tapped session, read top to bottom in the transcript panel
    // (transcript.js renders any session, recorded there or tapped here).
    toTranscript: el("button", { type: "button", i18n: "tap.toTranscript", "data-role": "tap-transcript", disabled: true }),
    log: el("ol", { class: "wire-log", "data-role": "tap-log", "aria-live": "polite" }),
    detail: el("div", { class: "wire-detail", "data-role": "tap-detail" }),
  };
  ui.root = el("div", { class: "widget tap-widget" },
    el("form", { class: "field-row", onsubmit: (e) => { e.preventDefault(); ui.connectBtn.click(); } },
      el("label", { for: ids.url, i18n: "tap.url" }), ui.urlInput, ui.connectBtn),
    ui.status,
    el("form", { class: "send-grid", onsubmit: (e) => e.preventDefault() },
      el("label", { for: ids.text, i18n: "echo.textLabel" }), ui.textInput, ui.sendText,
      el("label", { for: ids.bin, i18n: "echo.binaryLabel" }), ui.binInput, ui.sendBin,
      el("label", { for: ids.code, i18n: "echo.closeLabel" }),
      el("div", { class: "inline" }, ui.codeInput,
        el("label", { for: ids.reason, class: "visually-hidden", i18n: "echo.reasonLabel" }), ui.reasonInput),
      ui.closeBtn),
    ui.note,
    options.onTranscript ? el("p", { class: "buttons" }, ui.toTranscript) : null,
    el("div", { class: "wire-split" },
      el("div", {}, el("h4", { i18n: "echo.log" }), ui.log),
      ui.detail));
  return ui;
}

function newSession(st) {
  st.session = { endpoint: "/ws/tap", recordedAt: new Date().toISOString(), request: "", response: "", records: [] };
  st.ui.toTranscript.disabled = true;
}

function reset(st) {
  st.ui.log.replaceChildren(el("li", { class: "row empty muted", i18n: "tap.empty" }));
  st.ui.detail.replaceChildren(el("p", { class: "muted", i18n: "echo.pick" }));
}

function setStatus(st, key, extra = "", cls = "") {
  st.ui.status.className = `conn-status ${cls}`;
  st.ui.status.replaceChildren(el("span", { i18n: key }), extra ? ` ${extra}` : "");
}

function isOpen(st) { return st.ws && st.ws.readyState === WebSocket.OPEN; }

function updateButtons(st) {
  for (const b of [st.ui.sendText, st.ui.sendBin, st.ui.closeBtn]) b.disabled = !isOpen(st);
  setText(st.ui.connectBtn, st.ws && st.ws.readyState <= WebSocket.OPEN ? "live.disconnect" : "live.connect");
}

function showNote(st, text, bad) {
  st.ui.note.hidden = false;
  st.ui.note.className = bad ? "note error" : "note";
  st.ui.note.textContent = text;
}

// connect opens the report channel (/ws/tap/watch); once it has given the
// session's id, openTap connects to the learner's server through the tap.
function connect(st) {
  if (st.watch) st.watch.close();
  reset(st);
  st.ui.note.hidden = true;
  st.request = null;
  newSession(st);
  const target = st.ui.urlInput.value.trim();
  st.onChange({ target });
  setStatus(st, "live.connecting");
  const w = new WebSocket(wsURL("/ws/tap/watch"));
  st.watch = w;
  w.onmessage = (ev) => {
    if (w !== st.watch) return;
    let r;
    try { r = JSON.parse(ev.data); } catch { return; }
    if (r.type === "watch") openTap(st, target, r.id);
    else onReport(st, r);
  };
  w.onclose = () => {
    if (w === st.watch && (!st.ws || st.ws.readyState > WebSocket.OPEN)) st.watch = null;
  };
  w.onerror = () => setStatus(st, "live.error", "", "bad");
}

function openTap(st, target, id) {
  const sock = new WebSocket(wsURL(`/ws/tap?target=${encodeURIComponent(target)}&session=${encodeURIComponent(id)}`));
  sock.binaryType = "arraybuffer";
  st.ws = sock;
  sock.onopen = () => { setStatus(st, "tap.open", target, "good"); updateButtons(st); };
  // The messages themselves are in the frame reports; nothing to do here.
  sock.onmessage = () => {};
  sock.onclose = (ev) => {
    if (sock !== st.ws) return;
    const reason = ev.reason ? ` “${ev.reason}”` : "";
    setStatus(st, ev.wasClean ? "live.closed" : "live.dropped", `${ev.code}${reason}`, ev.wasClean ? "" : "bad");
    updateButtons(st);
  };
  updateButtons(st);
}

// onReport adds one report of the watch to the log.
function onReport(st, r) {
  switch (r.type) {
    case "request":
      st.request = r;
      if (r.problems) addInfo(st, "client", r.problems.map((p) => p.id).join(", "), r.problems);
      break;
    case "response":
      addHandshake(st, st.request, r);
      st.session.request = st.request?.head?.forwarded || st.request?.head?.raw || "";
      st.session.response = r.head.raw;
      st.ui.toTranscript.disabled = false;
      break;
    case "frame":
      addFrame(st, r);
      // A frame the report shortened or cut is not whole: the
      // transcript explains whole frames only.
      if (!r.frame.truncated && !r.frame.cut) st.session.records.push({ direction: r.from, bytes: hexToBytes(r.frame.wire), rebuilt: "" });
      break;
    case "refused":
      showNote(st, `${t("tap.refused")} ${r.message}`, true);
      addInfo(st, "", r.message, null, "bad");
      break;
    case "garbage":
      addInfo(st, r.from, r.message, r.problems, "bad");
      break;
    case "note":
    case "end":
      addInfo(st, r.from || "", r.message, null);
      break;
  }
}

function appendRow(st, li) {
  st.ui.log.querySelector(".empty")?.remove();
  st.ui.log.append(li);
  li.scrollIntoView({ block: "nearest" });
}

function addInfo(st, from, message, problems, cls = "") {
  const li = el("li", { class: `row info ${from} ${cls}`, "data-role": "tap-info" },
    el("span", { class: "dir", text: from === "client" ? "↑" : from === "server" ? "↓" : "·" }),
    el("span", { class: "summary", text: message }),
    badges(problems));
  appendRow(st, li);
}

function addHandshake(st, req, resp) {
  const li = el("li", { class: "row handshake selectable", tabindex: "0", role: "button", "data-role": "tap-handshake" },
    el("span", { class: "dir", text: "⇄" }),
    el("span", { class: "op", text: "HTTP" }),
    el("span", { class: "summary", text: resp.head.startLine }),
    badges([...(req?.problems || []), ...(resp.problems || [])]));
  selectable(st.ui.log, li, () => showHead(st, req, resp));
  appendRow(st, li);
}

function addFrame(st, r) {
  const f = r.frame;
  const hexText = spacedHex(f.wire);
  let summary = "";
  if (f.close) summary = f.close.noCode ? t("tap.noCode") : `${f.close.code} ${f.close.reason}`;
  else if (f.text) summary = `“${f.text}”`;
  const li = el("li", {
    class: `row ${r.from}`, tabindex: "0", role: "button", "data-role": "tap-row",
    "data-from": r.from, "data-opcode": f.opcodeName || "", "data-hex": hexText,
    "data-rules": (r.problems || []).map((p) => p.id).join(","), "data-pieces": String(f.pieces),
  },
    el("span", { class: "dir", title: r.from, text: r.from === "client" ? "↑" : "↓" }),
    el("span", { class: "op", text: f.opcodeName || "?" }),
    el("span", { class: "len mono", text: `${f.length} B` }),
    el("span", { class: "summary", "data-role": "row-text", text: summary }),
    f.pieces > 1 ? el("span", { class: "tag", text: `${f.pieces} ${t("tap.pieces")}` }) : null,
    f.truncated ? el("span", { class: "tag", i18n: "tap.truncatedTag" }) : null,
    f.cut ? el("span", { class: "tag bad", i18n: "tap.cutTag" }) : null,
    badges(r.problems),
    el("code", { class: "wire mono", text: hexText.length > 48 ? hexText.slice(0, 48) + "…" : hexText }));
  selectable(st.ui.log, li, () => showFrame(st, r, hexText));
  appendRow(st, li);
}

// badges shows the ids of broken rules on a row.
function badges(problems) {
  if (!problems || problems.length === 0) return null;
  return el("span", { class: "tap-rules" }, problems.map((p) => el("span", { class: "tag bad", "data-role": "rule", text: p.id })));
}

// problemList explains broken rules: the rule in the page's language,
// its RFC section and the lesson.
function problemList(problems) {
  if (!problems || problems.length === 0) return null;
  return el("ul", { class: "tap-problems", "data-role": "tap-problems" }, problems.map((p) =>
    el("li", {},
      el("code", { text: p.id }), " ",
      el("span", { both: { en: p.text, zh: p.textZh } }),
      p.detail ? `: ${p.detail}` : "",
      ` (${p.source}) `,
      el("a", { href: `/lessons/${encodeURIComponent(p.lesson)}`, i18n: "check.lesson" }))));
}

function showHead(st, req, resp) {
  const box = el("div");
  const rewrites = req?.head?.rewrites || [];
  st.ui.detail.replaceChildren(...[
    el("h4", { i18n: "tap.handshakeTitle" }),
    problemList([...(req?.problems || []), ...(resp.problems || [])]),
    rewrites.length ? el("div", {},
      el("p", { class: "muted", i18n: "tap.rewrites" }),
      el("ul", { "data-role": "tap-rewrites" }, rewrites.map((w) =>
        el("li", {}, el("code", { text: w.what }), " ",
          el("code", { text: w.from }), w.to ? " → " : " ", w.to ? el("code", { text: w.to }) : el("span", { i18n: "tap.dropped" }))))) : null,
    box].filter(Boolean));
  if (!st.wsplay) return;
  // The view shows what the server received and what it answered.
  showHandshake(box, st.wsplay, {
    request: { raw: req?.head?.forwarded || req?.head?.raw || "" },
    response: { raw: resp.head.raw, headers: resp.head.headers },
    key: resp.head.accept?.key || "",
  });
}

function showFrame(st, r, hexText) {
  const f = r.frame;
  const receiver = r.from === "client" ? "server" : "client";
  // What RSV1 means: the server's answer says (RFC 7692 §6.1).
  const answer = (st.session?.response || "").split("\r\n").filter((l) => /^sec-websocket-extensions:/i.test(l)).map((l) => l.slice(l.indexOf(":") + 1)).join(",");
  const deflate = negotiated(answer);
  const frameBox = el("div");
  st.ui.detail.replaceChildren(...[
    el("h4", {}, el("span", { i18n: r.from === "client" ? "echo.fromBrowser" : "tap.fromServer" }), ` · ${f.opcodeName || "?"}`),
    el("p", { class: "muted", "data-role": "tap-where" },
      `${t("tap.offset")} ${f.offset} · ${f.size} B · ${f.pieces} ${t("tap.pieces")}`),
    f.truncated ? el("p", { class: "muted", "data-role": "tap-truncated" }, t("tap.truncated"), ` ${f.omitted} B`) : null,
    r.message ? el("p", { class: "note error", text: r.message }) : null,
    problemList(r.problems),
    el("p", { class: "links" }, el("a", { href: `#frame?hex=${encodeURIComponent(hexText)}&receiver=${receiver}${deflate ? "&deflate=1" : ""}`, "data-role": "tap-open-frame", i18n: "echo.openFrame" })),
    frameBox].filter(Boolean));
  mountFrame(frameBox, { input: false, hex: hexText, receiver, deflate });
  if (!st.wsplay || !f.masked) return;
  const e = st.wsplay.explainFrame(hexText, receiver, "en", { deflate });
  if (e.header && e.header.mask) appendStepper(st.ui.detail, e, { linkRole: "tap-open-mask" });
}

// listen wires the controls.
function listen(st) {
  const { ui } = st;
  ui.toTranscript.addEventListener("click", () => { if (st.session.response) st.options.onTranscript?.(st.session); });
  ui.connectBtn.addEventListener("click", () => {
    if (st.ws && st.ws.readyState <= WebSocket.OPEN) {
      st.ws.close(1000, "bye");
      return;
    }
    connect(st);
  });
  ui.urlInput.addEventListener("change", () => st.onChange({ target: ui.urlInput.value.trim() }));
  ui.sendText.addEventListener("click", () => { if (isOpen(st)) st.ws.send(ui.textInput.value); });
  ui.textInput.addEventListener("keydown", (ev) => { if (ev.key === "Enter") ui.sendText.click(); });
  ui.sendBin.addEventListener("click", () => {
    if (!isOpen(st)) return;
    const bytes = hexToBytes(ui.binInput.value);
    if (!bytes) { showNote(st, t("tap.badHex"), true); return; }
    ui.note.hidden = true;
    st.ws.send(bytes);
  });
  ui.closeBtn.addEventListener("click", () => {
    if (!isOpen(st)) return;
    try {
      st.ws.close(Number(ui.codeInput.value), ui.reasonInput.value);
      ui.note.hidden = true;
    } catch (err) {
      showNote(st, `${err.name}: ${err.message} — ${t("echo.closeRule")}`, true);
    }
  });
}
