// echo.js — the live wire: talk to the server and see every frame.
//
// The browser's WebSocket API hides frames: you send and receive whole
// messages. The server's /ws/inspect endpoint shows them anyway. After the
// handshake it sends a JSON report of the handshake, then a report for
// every frame that crosses the connection in either direction, with the
// frame's exact bytes ("wire", base64) — including the masking key your
// browser chose at random for each frame it sent. It also echoes each
// message back. docs/inspect.md describes the reports.
//
// mount(element, {endpoint}) — endpoint "/ws/inspect" (default) shows
// frames; "/ws/echo" only echoes, so the log shows messages, and the
// server's frames are rebuilt by the core (a server's frames are not masked,
// so they are byte for byte what was sent).
//
// Browsers offer permessage-deflate (RFC 7692) and the server accepts it,
// so a message usually travels compressed: RSV1 set on its first frame,
// DEFLATE bytes as payload. The log reads frames knowing what the
// handshake negotiated (ws.extensions), and shows for a compressed message
// the wire bytes, the text the server inflated (the report's "inflated")
// and the bytes saved.

import { loadCore } from "../core.js";
import { el, setText, uid, errorText, wsURL, base64ToBytes, spacedHex, hex, followLang, selectable, connectionBar } from "../dom.js";
import { t } from "../i18n.js";
import { mount as mountFrame } from "./frame.js";
import { appendStepper } from "./mask.js";
import { negotiated, saving } from "../deflate.js";

export function mount(element, options = {}) {
  const endpoint = options.endpoint === "/ws/echo" ? "/ws/echo" : "/ws/inspect";
  // Everything the wire's functions share: its elements, the core, the
  // socket, the texts sent whose echo has not come back yet, the number of
  // rows in the log, and the close this page asked for ({code, reason}).
  const st = { endpoint, inspect: endpoint === "/ws/inspect", ui: wireControls(endpoint), wsplay: null, ws: null, pending: [], rows: 0, closing: null, deflate: false };
  element.replaceChildren(st.ui.root);
  followLang(st.ui.root);
  st.ui.detail.append(el("p", { class: "muted", i18n: "echo.pick" }));
  st.ui.log.append(el("li", { class: "row empty muted", i18n: "echo.empty" }));
  st.ui.setStatus("live.notConnected");
  updateButtons(st);
  listen(st);
  loadCore().then((w) => { st.wsplay = w; }, (err) => {
    st.ui.setStatus("live.noCore", err.message, "bad");
    st.ui.connectBtn.disabled = true;
  });
}

// wireControls builds the widget's elements: the connection bar, the send
// form, the note line, the log and the detail pane.
function wireControls(endpoint) {
  const ids = { text: uid("e-text"), bin: uid("e-bin"), code: uid("e-code"), reason: uid("e-reason") };
  const ui = {
    connectBtn: el("button", { type: "button", class: "primary", i18n: "live.connect", "data-role": "connect" }),
    textInput: el("input", { id: ids.text, value: "Hello", "data-role": "text" }),
    sendText: el("button", { type: "button", i18n: "echo.sendText", "data-role": "send-text" }),
    binInput: el("input", { id: ids.bin, class: "mono", value: "00 01 fe ff", "data-role": "binary" }),
    sendBin: el("button", { type: "button", i18n: "echo.sendBinary", "data-role": "send-binary" }),
    pingBtn: el("button", { type: "button", i18n: "echo.ping", "data-role": "ping" }),
    codeInput: el("input", { id: ids.code, type: "number", value: "1000", min: "0", max: "65535", class: "mono short", "data-role": "close-code" }),
    reasonInput: el("input", { id: ids.reason, value: "bye", "data-role": "close-reason" }),
    closeBtn: el("button", { type: "button", i18n: "echo.close", "data-role": "close" }),
    note: el("p", { class: "note", hidden: true, "data-role": "note" }),
    log: el("ol", { class: "wire-log", "data-role": "log", "aria-live": "polite" }),
    detail: el("div", { class: "wire-detail", "data-role": "detail" }),
  };
  const bar = connectionBar({ button: ui.connectBtn, endpoint, statusRole: "status" });
  ui.status = bar.status;
  ui.setStatus = bar.setStatus;
  ui.root = el("div", { class: "widget echo-widget" },
    bar.bar,
    el("form", { class: "send-grid", onsubmit: (e) => e.preventDefault() },
      el("label", { for: ids.text, i18n: "echo.textLabel" }), ui.textInput, ui.sendText,
      el("label", { for: ids.bin, i18n: "echo.binaryLabel" }), ui.binInput, ui.sendBin,
      el("label", { for: ids.code, i18n: "echo.closeLabel" }),
      el("div", { class: "inline" }, ui.codeInput,
        el("label", { for: ids.reason, class: "visually-hidden", i18n: "echo.reasonLabel" }), ui.reasonInput),
      el("div", { class: "inline" }, ui.closeBtn, ui.pingBtn)),
    ui.note,
    el("div", { class: "wire-split" },
      el("div", {}, el("h4", { i18n: "echo.log" }), ui.log),
      ui.detail));
  return ui;
}

function connected(st) {
  return st.ws && st.ws.readyState === WebSocket.OPEN;
}

function updateButtons(st) {
  const open = connected(st);
  for (const b of [st.ui.sendText, st.ui.sendBin, st.ui.closeBtn]) b.disabled = !open;
  setText(st.ui.connectBtn, open ? "live.disconnect" : (st.rows > 0 ? "live.reconnect" : "live.connect"));
}

// connect opens the socket to the endpoint.
function connect(st) {
  if (st.ws && st.ws.readyState <= WebSocket.OPEN) return;
  st.pending = [];
  st.closing = null;
  st.ui.setStatus("live.connecting");
  try {
    st.ws = new WebSocket(wsURL(st.endpoint));
  } catch (err) {
    st.ui.setStatus("live.failed", err.message, "bad");
    return;
  }
  st.ws.binaryType = "arraybuffer";
  const sock = st.ws;
  sock.onopen = () => {
    // What the handshake agreed: RSV1 means "compressed" only if it did.
    st.deflate = negotiated(sock.extensions);
    st.ui.setStatus("live.open", "", "good");
    updateButtons(st);
  };
  sock.onmessage = (ev) => onMessage(st, ev.data);
  sock.onerror = () => st.ui.setStatus("live.error", "", "bad");
  sock.onclose = (ev) => {
    if (sock !== st.ws) return;
    onClosed(st, ev);
    updateButtons(st);
  };
}

// onMessage sorts what the server sent: the echo of a text, a report of
// the handshake or of a frame (/ws/inspect), or a message (/ws/echo).
function onMessage(st, data) {
  if (typeof data === "string") {
    if (st.pending.length > 0 && st.pending[0] === data) {
      st.pending.shift(); // the echo of our text; its frame report follows
      if (!st.inspect) addMessageRow(st, "server", data);
      return;
    }
    let report = null;
    if (st.inspect) {
      try { report = JSON.parse(data); } catch { report = null; }
    }
    if (report && report.type === "handshake") {
      addHandshakeRow(st, report);
      return;
    }
    if (report && report.type === "frame") {
      addFrameRow(st, report);
      return;
    }
    if (!st.inspect) addMessageRow(st, "server", data);
    return;
  }
  // A binary message is always an echo: reports are text.
  if (!st.inspect) addMessageRow(st, "server", new Uint8Array(data));
}

// onClosed adds the close frames the reports cannot show, rebuilt by the
// core, and says how the connection ended.
function onClosed(st, ev) {
  const { wsplay } = st;
  // The browser's own close frame: the server reports it before it
  // answers, but a closing browser drops every message it receives, so
  // the report never reaches the page. Rebuild it from the code and
  // reason the page gave. The browser masked it with a key it never
  // shows; an all-zero key stands in for it, so the payload reads as is.
  if (wsplay && st.closing) {
    const { closing } = st;
    const body = closing.code === undefined ? { bytes: new Uint8Array(0) } : wsplay.closePayload(closing.code, closing.reason);
    const f = wsplay.buildFrame({ opcode: "close", mask: true, key: "00 00 00 00", payload: body.bytes });
    if (!f.error) {
      addRow(st, { from: "client", opcodeName: "close", payloadLength: body.bytes.length, hex: f.hex, rebuilt: true,
        browserClose: true, label: closing.code === undefined ? "" : `${closing.code} ${closing.reason}` });
    }
    st.closing = null;
  }
  // The server's close frame is never reported (nothing may follow a
  // close frame, §5.5.1), and a browser drops messages once it is
  // closing. The close event tells the code and reason, and a server's
  // frame is not masked, so the core rebuilds its exact bytes.
  if (wsplay && ev.code !== 1005 && ev.code !== 1006) {
    const body = wsplay.closePayload(ev.code, ev.reason);
    const f = wsplay.buildFrame({ opcode: "close", payload: body.bytes });
    if (!f.error) addRow(st, { from: "server", opcodeName: "close", payloadLength: body.bytes.length, hex: f.hex, rebuilt: true, label: `${ev.code} ${ev.reason}` });
  }
  const code = wsplay ? wsplay.statusCode(ev.code).text : String(ev.code);
  st.ui.setStatus(ev.wasClean ? "live.closed" : "live.dropped", `${code}${ev.reason ? " “" + ev.reason + "”" : ""}`, ev.wasClean ? "" : "bad");
  st.ui.status.append(" ", el("button", { type: "button", class: "link", i18n: "live.reconnect", onclick: () => connect(st) }));
}

function addHandshakeRow(st, r) {
  const answer = (r.response?.headers || []).find((h) => h.name.toLowerCase() === "sec-websocket-extensions")?.value || "";
  if (negotiated(answer)) st.deflate = true;
  const li = el("li", { class: "row handshake" },
    el("span", { class: "dir", text: "⇄" }),
    el("span", { class: "op", text: "HTTP" }),
    el("span", { class: "summary" }, el("span", { i18n: "echo.handshake" }), " ",
      el("code", { text: `Sec-WebSocket-Key: ${r.key}` }),
      answer ? [" ", el("code", { "data-role": "extensions-answer", text: `Sec-WebSocket-Extensions: ${answer}` })] : ""));
  appendRow(st, li);
}

// appendRow adds a row to the log (the first one replaces the hint).
function appendRow(st, li) {
  st.ui.log.querySelector(".empty")?.remove();
  st.ui.log.append(li);
  st.rows++;
  li.scrollIntoView({ block: "nearest" });
}

function addFrameRow(st, r) {
  const bytes = base64ToBytes(r.wire);
  // A frame of more than 64 KiB is reported by its start (header and
  // first 1 KiB) and its end: the row says so instead of "incomplete".
  const label = r.truncated ? t("echo.truncated", { omitted: r.omitted }) : undefined;
  // The last frame of a compressed message carries what the server
  // inflated; beyond 64 KiB, its start only (inflatedLength is the whole).
  const inflated = r.compressed && typeof r.inflated === "string" ? { bytes: base64ToBytes(r.inflated), length: r.inflatedLength } : null;
  addRow(st, { from: r.from, seq: r.seq, opcodeName: r.opcodeName, payloadLength: r.payloadLength, hex: hex(bytes), maskingKey: r.maskingKey, fin: r.fin, label, inflated });
}

function addMessageRow(st, from, data) {
  // /ws/echo: no reports. Rebuild the server's frame (unmasked, so
  // exact); a sent frame's real masking key is not visible here.
  const text = typeof data === "string";
  const f = st.wsplay.buildFrame({ opcode: text ? "text" : "binary", payload: data });
  addRow(st, { from, opcodeName: text ? "text" : "binary", payloadLength: data.length, hex: f.hex, rebuilt: true });
}

// addRow adds one frame to the log, decoded by the core.
function addRow(st, fr) {
  const receiver = fr.from === "client" ? "server" : "client";
  const e = st.wsplay.explainFrame(fr.hex, receiver, "en", { deflate: st.deflate });
  let summary = "";
  const inflatedText = fr.inflated && fr.opcodeName === "text" ? utf8(fr.inflated.bytes, fr.inflated.bytes.length < fr.inflated.length) : null;
  if (fr.label) summary = fr.label;
  else if (inflatedText !== null) summary = `“${inflatedText.length > 200 ? inflatedText.slice(0, 200) + "…" : inflatedText}”`;
  else if (fr.inflated) summary = hex(fr.inflated.bytes.subarray(0, 12)) + (fr.inflated.length > 12 ? "…" : "");
  else if (typeof e.text === "string" && e.text !== "") summary = `“${e.text}”`;
  else if (e.unmaskedHex) summary = e.unmaskedHex.length > 36 ? e.unmaskedHex.slice(0, 36) + "…" : e.unmaskedHex;
  const li = el("li", {
    class: `row ${fr.from}`, tabindex: "0", role: "button", "data-role": "frame-row",
    "data-from": fr.from, "data-opcode": fr.opcodeName, "data-hex": fr.hex,
    "data-compressed": e.compressed || fr.inflated ? "1" : null,
  },
    el("span", { class: "dir", title: fr.from, text: fr.from === "client" ? "↑" : "↓" }),
    el("span", { class: "op", text: fr.opcodeName }),
    el("span", { class: "len mono", text: `${fr.payloadLength} B` }),
    // A compressed message: the wire's bytes, then the message's.
    fr.inflated ? el("span", { class: "len mono", "data-role": "row-inflated", title: t("deflate.inflatedServer"),
      "data-saved": String(saving(fr.payloadLength, fr.inflated.length).saved), text: `→ ${fr.inflated.length} B` }) : null,
    e.compressed || fr.inflated ? el("span", { class: "tag", "data-role": "compressed-tag", i18n: "deflate.tag" }) : null,
    el("span", { class: "summary", "data-role": "row-text", text: summary }),
    fr.maskingKey ? el("span", { class: "key mono", title: "masking key", text: `key ${spacedHex(fr.maskingKey)}` }) : null,
    fr.rebuilt ? el("span", { class: "tag", i18n: "echo.rebuilt" }) : null,
    el("code", { class: "wire mono", text: fr.hex.length > 48 ? fr.hex.slice(0, 48) + "…" : fr.hex }));
  selectable(st.ui.log, li, () => showDetail(st, fr, e, receiver));
  appendRow(st, li);
}

// showDetail opens a frame in the frame view and, for a masked frame, in
// the masking stepper with the key the browser chose.
function showDetail(st, fr, e, receiver) {
  const frameBox = el("div");
  const frameLink = `#frame?hex=${encodeURIComponent(fr.hex)}&receiver=${receiver}${st.deflate ? "&deflate=1" : ""}`;
  st.ui.detail.replaceChildren(...[
    el("h4", {}, el("span", { i18n: fr.from === "client" ? "echo.fromBrowser" : "echo.fromServer" }), ` · ${fr.opcodeName}`),
    fr.rebuilt ? el("p", { class: "muted", "data-role": "rebuilt-note",
      i18n: fr.browserClose ? "echo.rebuiltBrowserClose" : fr.opcodeName === "close" ? "echo.rebuiltClose" : "echo.rebuiltNote" }) : null,
    el("p", { class: "links" }, el("a", { href: frameLink, "data-role": "open-frame", i18n: "echo.openFrame" })),
    frameBox].filter(Boolean));
  mountFrame(frameBox, { input: false, hex: fr.hex, receiver, deflate: st.deflate, inflated: fr.inflated });
  // (Not for the rebuilt close frame: its key is a stand-in, not the
  // browser's.)
  if (e.header && e.header.mask && !fr.browserClose) appendStepper(st.ui.detail, e, { linkRole: "open-mask", note: true });
}

// utf8 decodes bytes that must be UTF-8, or returns null; the start of a
// longer message (cut) may end inside a character.
function utf8(bytes, cut = false) {
  try { return new TextDecoder("utf-8", { fatal: !cut }).decode(bytes); } catch { return null; }
}

function sendTextMessage(st) {
  if (!connected(st)) return;
  const text = st.ui.textInput.value;
  st.pending.push(text);
  st.ws.send(text);
  if (!st.inspect) addMessageRow(st, "client", text);
}

function sendBinaryMessage(st) {
  if (!connected(st)) return;
  // The core reads the hex the way people paste it.
  const r = st.wsplay.mask("00 00 00 00", st.ui.binInput.value);
  if (r.error) { showNote(st, `${t("echo.binaryLabel")}: ${errorText(r)}`, true); return; }
  hideNote(st);
  st.ws.send(r.bytes);
  if (!st.inspect) addMessageRow(st, "client", r.bytes);
}

// ping asks the server for a ping, or shows what a client's ping looks
// like. The browser's WebSocket API has no ping(): browsers answer pings
// but never send one. /ws/inspect pings us when asked with the text message
// "wsplay:ping PAYLOAD"; the browser's pong then appears in the log,
// masked with a key it chose (RFC 6455 §5.5.2, docs/inspect.md).
function ping(st) {
  if (st.inspect && connected(st)) {
    st.ws.send("wsplay:ping " + (st.ui.textInput.value || "ping"));
    showNote(st, t("echo.pingAsked"), false);
    return;
  }
  showNote(st, t("echo.pingNote"), false);
  const key = crypto.getRandomValues(new Uint8Array(4));
  const f = st.wsplay.buildFrame({ opcode: "ping", mask: true, key, payload: "ping" });
  if (!f.error) showDetail(st, { from: "client", opcodeName: "ping", hex: f.hex, rebuilt: true }, st.wsplay.explainFrame(f.hex, "server"), "server");
}

function closeWith(st) {
  if (!connected(st)) return;
  const code = Number(st.ui.codeInput.value);
  try {
    st.ws.close(code, st.ui.reasonInput.value);
    st.closing = { code, reason: st.ui.reasonInput.value };
    hideNote(st);
  } catch (err) {
    // Browsers only let a page send 1000 or 3000-4999 (the others are
    // for the protocol itself, §7.4), and a reason of at most 123
    // bytes, so that the close frame stays a small control frame
    // (§5.5: control payloads are at most 125 bytes).
    showNote(st, `${err.name}: ${err.message} — ${t("echo.closeRule")}`, true);
  }
}

// listen wires the controls.
function listen(st) {
  const { ui } = st;
  ui.connectBtn.addEventListener("click", () => {
    if (connected(st)) {
      st.closing = { code: 1000, reason: "bye" };
      st.ws.close(1000, "bye");
    } else connect(st);
  });
  ui.sendText.addEventListener("click", () => sendTextMessage(st));
  ui.textInput.addEventListener("keydown", (ev) => { if (ev.key === "Enter") ui.sendText.click(); });
  ui.sendBin.addEventListener("click", () => sendBinaryMessage(st));
  ui.pingBtn.addEventListener("click", () => ping(st));
  ui.closeBtn.addEventListener("click", () => closeWith(st));
}

function showNote(st, text, bad) {
  st.ui.note.hidden = false;
  st.ui.note.className = bad ? "note error" : "note";
  st.ui.note.textContent = text;
}

function hideNote(st) { st.ui.note.hidden = true; }
