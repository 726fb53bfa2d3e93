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

const DEFAULT_TARGET = "ws://127.0.0.1:3368/";

export function mount(element, options = {}) {
  const ids = { url: uid("t-url"), text: uid("t-text"), bin: uid("t-bin"), code: uid("t-code"), reason: uid("t-reason") };
  const onChange = options.onChange || (() => {});

  const urlInput = el("input", { id: ids.url, class: "mono", value: options.target || DEFAULT_TARGET, spellcheck: "false", autocomplete: "off", "data-role": "tap-url" });
  const connectBtn = el("button", { type: "button", class: "primary", i18n: "live.connect", "data-role": "tap-connect" });
  const status = el("p", { class: "conn-status", role: "status", "data-role": "tap-status" });
  const textInput = el("input", { id: ids.text, value: "Hello", "data-role": "tap-text" });
  const sendText = el("button", { type: "button", i18n: "echo.sendText", "data-role": "tap-send-text" });
  const binInput = el("input", { id: ids.bin, class: "mono", value: "00 01 fe ff", "data-role": "tap-binary" });
  const sendBin = el("button", { type: "button", i18n: "echo.sendBinary", "data-role": "tap-send-binary" });
  const codeInput = el("input", { id: ids.code, type: "number", value: "1000", min: "0", max: "65535", class: "mono short", "data-role": "tap-close-code" });
  const reasonInput = el("input", { id: ids.reason, value: "bye", "data-role": "tap-close-reason" });
  const closeBtn = el("button", { type: "button", i18n: "echo.close", "data-role": "tap-close" });
  const note = el("p", { class: "note", hidden: true, "data-role": "tap-note" });
  // The whole tapped session, read top to bottom in the transcript panel
  // (transcript.js renders any session, recorded there or tapped here).
  const toTranscript = el("button", { type: "button", i18n: "tap.toTranscript", "data-role": "tap-transcript", disabled: true });
  const log = el("ol", { class: "wire-log", "data-role": "tap-log", "aria-live": "polite" });
  const detail = el("div", { class: "wire-detail", "data-role": "tap-detail" });

  const root = el("div", { class: "widget tap-widget" },
    el("form", { class: "field-row", onsubmit: (e) => { e.preventDefault(); connectBtn.click(); } },
      el("label", { for: ids.url, i18n: "tap.url" }), urlInput, connectBtn),
    status,
    el("form", { class: "send-grid", onsubmit: (e) => e.preventDefault() },
      el("label", { for: ids.text, i18n: "echo.textLabel" }), textInput, sendText,
      el("label", { for: ids.bin, i18n: "echo.binaryLabel" }), binInput, sendBin,
      el("label", { for: ids.code, i18n: "echo.closeLabel" }),
      el("div", { class: "inline" }, codeInput,
        el("label", { for: ids.reason, class: "visually-hidden", i18n: "echo.reasonLabel" }), reasonInput),
      closeBtn),
    note,
    options.onTranscript ? el("p", { class: "buttons" }, toTranscript) : null,
    el("div", { class: "wire-split" },
      el("div", {}, el("h4", { i18n: "echo.log" }), log),
      detail));
  element.replaceChildren(root);
  followLang(root);

  let wsplay = null;
  let watch = null; // the report channel of the current connection
  let ws = null;    // the page's WebSocket to the learner's server, through wsplay
  let request = null; // the request head report, until the response comes
  let session = null; // what the transcript panel shows: the heads and every whole frame

  function newSession() {
    session = { endpoint: "/ws/tap", recordedAt: new Date().toISOString(), request: "", response: "", records: [] };
    toTranscript.disabled = true;
  }
  newSession();
  toTranscript.addEventListener("click", () => { if (session.response) options.onTranscript?.(session); });

  function reset() {
    log.replaceChildren(el("li", { class: "row empty muted", i18n: "tap.empty" }));
    detail.replaceChildren(el("p", { class: "muted", i18n: "echo.pick" }));
  }
  reset();

  function setStatus(key, extra = "", cls = "") {
    status.className = `conn-status ${cls}`;
    status.replaceChildren(el("span", { i18n: key }), extra ? ` ${extra}` : "");
  }
  setStatus("tap.idle");

  function open() { return ws && ws.readyState === WebSocket.OPEN; }
  function updateButtons() {
    for (const b of [sendText, sendBin, closeBtn]) b.disabled = !open();
    setText(connectBtn, ws && ws.readyState <= WebSocket.OPEN ? "live.disconnect" : "live.connect");
  }
  updateButtons();

  function showNote(text, bad) {
    note.hidden = false;
    note.className = bad ? "note error" : "note";
    note.textContent = text;
  }

  function connect() {
    if (watch) watch.close();
    reset();
    note.hidden = true;
    request = null;
    newSession();
    const target = urlInput.value.trim();
    onChange({ target });
    setStatus("live.connecting");
    const w = new WebSocket(wsURL("/ws/tap/watch"));
    watch = w;
    w.onmessage = (ev) => {
      if (w !== watch) return;
      let r;
      try { r = JSON.parse(ev.data); } catch { return; }
      if (r.type === "watch") openTap(target, r.id);
      else onReport(r);
    };
    w.onclose = () => {
      if (w === watch && (!ws || ws.readyState > WebSocket.OPEN)) watch = null;
    };
    w.onerror = () => setStatus("live.error", "", "bad");
  }

  function openTap(target, id) {
    const sock = new WebSocket(wsURL(`/ws/tap?target=${encodeURIComponent(target)}&session=${encodeURIComponent(id)}`));
    sock.binaryType = "arraybuffer";
    ws = sock;
    sock.onopen = () => { setStatus("tap.open", target, "good"); updateButtons(); };
    // The messages themselves are in the frame reports; nothing to do here.
    sock.onmessage = () => {};
    sock.onclose = (ev) => {
      if (sock !== ws) return;
      const reason = ev.reason ? ` “${ev.reason}”` : "";
      setStatus(ev.wasClean ? "live.closed" : "live.dropped", `${ev.code}${reason}`, ev.wasClean ? "" : "bad");
      updateButtons();
    };
    updateButtons();
  }

  // onReport adds one report of the watch to the log.
  function onReport(r) {
    switch (r.type) {
      case "request":
        request = r;
        if (r.problems) addInfo("client", r.problems.map((p) => p.id).join(", "), r.problems);
        break;
      case "response":
        addHandshake(request, r);
        session.request = request?.head?.forwarded || request?.head?.raw || "";
        session.response = r.head.raw;
        toTranscript.disabled = false;
        break;
      case "frame":
        addFrame(r);
        // A frame the report shortened or cut is not whole: the
        // transcript explains whole frames only.
        if (!r.frame.truncated && !r.frame.cut) session.records.push({ direction: r.from, bytes: hexToBytes(r.frame.wire), rebuilt: "" });
        break;
      case "refused":
        showNote(`${t("tap.refused")} ${r.message}`, true);
        addInfo("", r.message, null, "bad");
        break;
      case "garbage":
        addInfo(r.from, r.message, r.problems, "bad");
        break;
      case "note":
      case "end":
        addInfo(r.from || "", r.message, null);
        break;
    }
  }

  function appendRow(li) {
    log.querySelector(".empty")?.remove();
    log.append(li);
    li.scrollIntoView({ block: "nearest" });
  }

  function addInfo(from, message, problems, cls = "") {
    const li = el("li", { class: `row info ${from} ${cls}`, "data-role": "tap-info" },
      el("span", { class: "dir", text: from === "client" ? "↑" : from === "server" ? "↓" : "·" }),
      el("span", { class: "summary", text: message }),
      badges(problems));
    appendRow(li);
  }

  function addHandshake(req, resp) {
    const li = el("li", { class: "row handshake selectable", tabindex: "0", role: "button", "data-role": "tap-handshake" },
      el("span", { class: "dir", text: "⇄" }),
      el("span", { class: "op", text: "HTTP" }),
      el("span", { class: "summary", text: resp.head.startLine }),
      badges([...(req?.problems || []), ...(resp.problems || [])]));
    selectable(log, li, () => showHead(req, resp));
    appendRow(li);
  }

  function addFrame(r) {
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
    selectable(log, li, () => showFrame(r, hexText));
    appendRow(li);
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

  function showHead(req, resp) {
    const box = el("div");
    const rewrites = req?.head?.rewrites || [];
    detail.replaceChildren(...[
      el("h4", { i18n: "tap.handshakeTitle" }),
      problemList([...(req?.problems || []), ...(resp.problems || [])]),
      rewrites.length ? el("div", {},
        el("p", { class: "muted", i18n: "tap.rewrites" }),
        el("ul", { "data-role": "tap-rewrites" }, rewrites.map((w) =>
          el("li", {}, el("code", { text: w.what }), " ",
            el("code", { text: w.from }), w.to ? " → " : " ", w.to ? el("code", { text: w.to }) : el("span", { i18n: "tap.dropped" }))))) : null,
      box].filter(Boolean));
    if (!wsplay) return;
    // The view shows what the server received and what it answered.
    showHandshake(box, wsplay, {
      request: { raw: req?.head?.forwarded || req?.head?.raw || "" },
      response: { raw: resp.head.raw, headers: resp.head.headers },
      key: resp.head.accept?.key || "",
    });
  }

  function showFrame(r, hexText) {
    const f = r.frame;
    const receiver = r.from === "client" ? "server" : "client";
    const frameBox = el("div");
    detail.replaceChildren(...[
      el("h4", {}, el("span", { i18n: r.from === "client" ? "echo.fromBrowser" : "tap.fromServer" }), ` · ${f.opcodeName || "?"}`),
      el("p", { class: "muted", "data-role": "tap-where" },
        `${t("tap.offset")} ${f.offset} · ${f.size} B · ${f.pieces} ${t("tap.pieces")}`),
      f.truncated ? el("p", { class: "muted", "data-role": "tap-truncated" }, t("tap.truncated"), ` ${f.omitted} B`) : null,
      r.message ? el("p", { class: "note error", text: r.message }) : null,
      problemList(r.problems),
      el("p", { class: "links" }, el("a", { href: `#frame?hex=${encodeURIComponent(hexText)}&receiver=${receiver}`, "data-role": "tap-open-frame", i18n: "echo.openFrame" })),
      frameBox].filter(Boolean));
    mountFrame(frameBox, { input: false, hex: hexText, receiver });
    if (!wsplay || !f.masked) return;
    const e = wsplay.explainFrame(hexText, receiver);
    if (e.header && e.header.mask) appendStepper(detail, e, { linkRole: "tap-open-mask" });
  }

  connectBtn.addEventListener("click", () => {
    if (ws && ws.readyState <= WebSocket.OPEN) {
      ws.close(1000, "bye");
      return;
    }
    connect();
  });
  urlInput.addEventListener("change", () => onChange({ target: urlInput.value.trim() }));
  sendText.addEventListener("click", () => { if (open()) ws.send(textInput.value); });
  textInput.addEventListener("keydown", (ev) => { if (ev.key === "Enter") sendText.click(); });
  sendBin.addEventListener("click", () => {
    if (!open()) return;
    const bytes = hexToBytes(binInput.value);
    if (!bytes) { showNote(t("tap.badHex"), true); return; }
    note.hidden = true;
    ws.send(bytes);
  });
  closeBtn.addEventListener("click", () => {
    if (!open()) return;
    try {
      ws.close(Number(codeInput.value), reasonInput.value);
      note.hidden = true;
    } catch (err) {
      showNote(`${err.name}: ${err.message} — ${t("echo.closeRule")}`, true);
    }
  });

  loadCore().then((w) => { wsplay = w; }, (err) => setStatus("live.noCore", err.message, "bad"));

  return {
    // setTarget fills the URL box (a deep link opened while the page is up).
    setTarget(target) { if (target) urlInput.value = target; },
  };
}
