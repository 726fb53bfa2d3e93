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

import { loadCore } from "../core.js";
import { el, setText, uid, errorText, wsURL, base64ToBytes, spacedHex, hex, followLang, selectable } from "../dom.js";
import { t } from "../i18n.js";
import { mount as mountFrame } from "./frame.js";
import { appendStepper } from "./mask.js";

export function mount(element, options = {}) {
  const endpoint = options.endpoint === "/ws/echo" ? "/ws/echo" : "/ws/inspect";
  const inspect = endpoint === "/ws/inspect";
  const ids = { text: uid("e-text"), bin: uid("e-bin"), code: uid("e-code"), reason: uid("e-reason") };

  const status = el("p", { class: "conn-status", role: "status", "data-role": "status" });
  const connectBtn = el("button", { type: "button", class: "primary", i18n: "live.connect", "data-role": "connect" });
  const textInput = el("input", { id: ids.text, value: "Hello", "data-role": "text" });
  const sendText = el("button", { type: "button", i18n: "echo.sendText", "data-role": "send-text" });
  const binInput = el("input", { id: ids.bin, class: "mono", value: "00 01 fe ff", "data-role": "binary" });
  const sendBin = el("button", { type: "button", i18n: "echo.sendBinary", "data-role": "send-binary" });
  const pingBtn = el("button", { type: "button", i18n: "echo.ping", "data-role": "ping" });
  const codeInput = el("input", { id: ids.code, type: "number", value: "1000", min: "0", max: "65535", class: "mono short", "data-role": "close-code" });
  const reasonInput = el("input", { id: ids.reason, value: "bye", "data-role": "close-reason" });
  const closeBtn = el("button", { type: "button", i18n: "echo.close", "data-role": "close" });
  const note = el("p", { class: "note", hidden: true, "data-role": "note" });
  const log = el("ol", { class: "wire-log", "data-role": "log", "aria-live": "polite" });
  const detail = el("div", { class: "wire-detail", "data-role": "detail" });

  const root = el("div", { class: "widget echo-widget" },
    el("div", { class: "conn-bar" }, connectBtn, el("code", { class: "muted", text: endpoint }), status),
    el("form", { class: "send-grid", onsubmit: (e) => e.preventDefault() },
      el("label", { for: ids.text, i18n: "echo.textLabel" }), textInput, sendText,
      el("label", { for: ids.bin, i18n: "echo.binaryLabel" }), binInput, sendBin,
      el("label", { for: ids.code, i18n: "echo.closeLabel" }),
      el("div", { class: "inline" }, codeInput,
        el("label", { for: ids.reason, class: "visually-hidden", i18n: "echo.reasonLabel" }), reasonInput),
      el("div", { class: "inline" }, closeBtn, pingBtn)),
    note,
    el("div", { class: "wire-split" },
      el("div", {}, el("h4", { i18n: "echo.log" }), log),
      detail));
  element.replaceChildren(root);
  followLang(root);
  detail.append(el("p", { class: "muted", i18n: "echo.pick" }));
  log.append(el("li", { class: "row empty muted", i18n: "echo.empty" }));

  let wsplay = null;
  let ws = null;
  let pending = []; // texts we sent whose echo has not come back yet
  let rows = 0;
  let closing = null; // {code, reason} of the close this page asked for

  function setStatus(key, extra = "", cls = "") {
    status.className = `conn-status ${cls}`;
    status.replaceChildren(el("span", { i18n: key }), extra ? ` ${extra}` : "");
  }
  setStatus("live.notConnected");

  function connected() {
    return ws && ws.readyState === WebSocket.OPEN;
  }
  function updateButtons() {
    const open = connected();
    for (const b of [sendText, sendBin, closeBtn]) b.disabled = !open;
    setText(connectBtn, open ? "live.disconnect" : (rows > 0 ? "live.reconnect" : "live.connect"));
  }
  updateButtons();

  function connect() {
    if (ws && ws.readyState <= WebSocket.OPEN) return;
    pending = [];
    closing = null;
    setStatus("live.connecting");
    try {
      ws = new WebSocket(wsURL(endpoint));
    } catch (err) {
      setStatus("live.failed", err.message, "bad");
      return;
    }
    ws.binaryType = "arraybuffer";
    const sock = ws;
    sock.onopen = () => { setStatus("live.open", "", "good"); updateButtons(); };
    sock.onmessage = (ev) => onMessage(ev.data);
    sock.onerror = () => setStatus("live.error", "", "bad");
    sock.onclose = (ev) => {
      if (sock !== ws) return;
      onClosed(ev);
      updateButtons();
    };
  }

  function onMessage(data) {
    if (typeof data === "string") {
      if (pending.length > 0 && pending[0] === data) {
        pending.shift(); // the echo of our text; its frame report follows
        if (!inspect) addMessageRow("server", data);
        return;
      }
      let report = null;
      if (inspect) {
        try { report = JSON.parse(data); } catch { report = null; }
      }
      if (report && report.type === "handshake") {
        addHandshakeRow(report);
        return;
      }
      if (report && report.type === "frame") {
        addFrameRow(report);
        return;
      }
      if (!inspect) addMessageRow("server", data);
      return;
    }
    // A binary message is always an echo: reports are text.
    if (!inspect) addMessageRow("server", new Uint8Array(data));
  }

  function onClosed(ev) {
    // The browser's own close frame: the server reports it before it
    // answers, but a closing browser drops every message it receives, so
    // the report never reaches the page. Rebuild it from the code and
    // reason the page gave. The browser masked it with a key it never
    // shows; an all-zero key stands in for it, so the payload reads as is.
    if (wsplay && closing) {
      const body = closing.code === undefined ? { bytes: new Uint8Array(0) } : wsplay.closePayload(closing.code, closing.reason);
      const f = wsplay.buildFrame({ opcode: "close", mask: true, key: "00 00 00 00", payload: body.bytes });
      if (!f.error) {
        addRow({ from: "client", opcodeName: "close", payloadLength: body.bytes.length, hex: f.hex, rebuilt: true,
          browserClose: true, label: closing.code === undefined ? "" : `${closing.code} ${closing.reason}` });
      }
      closing = null;
    }
    // The server's close frame is never reported (nothing may follow a
    // close frame, §5.5.1), and a browser drops messages once it is
    // closing. The close event tells the code and reason, and a server's
    // frame is not masked, so the core rebuilds its exact bytes.
    if (wsplay && ev.code !== 1005 && ev.code !== 1006) {
      const body = wsplay.closePayload(ev.code, ev.reason);
      const f = wsplay.buildFrame({ opcode: "close", payload: body.bytes });
      if (!f.error) addRow({ from: "server", opcodeName: "close", payloadLength: body.bytes.length, hex: f.hex, rebuilt: true, label: `${ev.code} ${ev.reason}` });
    }
    const code = wsplay ? wsplay.statusCode(ev.code).text : String(ev.code);
    setStatus(ev.wasClean ? "live.closed" : "live.dropped", `${code}${ev.reason ? " “" + ev.reason + "”" : ""}`, ev.wasClean ? "" : "bad");
    status.append(" ", el("button", { type: "button", class: "link", i18n: "live.reconnect", onclick: connect }));
  }

  function addHandshakeRow(r) {
    const li = el("li", { class: "row handshake" },
      el("span", { class: "dir", text: "⇄" }),
      el("span", { class: "op", text: "HTTP" }),
      el("span", { class: "summary" }, el("span", { i18n: "echo.handshake" }), " ",
        el("code", { text: `Sec-WebSocket-Key: ${r.key}` })));
    appendRow(li);
  }

  // appendRow adds a row to the log (the first one replaces the hint).
  function appendRow(li) {
    log.querySelector(".empty")?.remove();
    log.append(li);
    rows++;
    li.scrollIntoView({ block: "nearest" });
  }

  function addFrameRow(r) {
    const bytes = base64ToBytes(r.wire);
    // A frame of more than 64 KiB is reported by its start (header and
    // first 1 KiB) and its end: the row says so instead of "incomplete".
    const label = r.truncated ? t("echo.truncated", { omitted: r.omitted }) : undefined;
    addRow({ from: r.from, seq: r.seq, opcodeName: r.opcodeName, payloadLength: r.payloadLength, hex: hex(bytes), maskingKey: r.maskingKey, fin: r.fin, label });
  }

  function addMessageRow(from, data) {
    // /ws/echo: no reports. Rebuild the server's frame (unmasked, so
    // exact); a sent frame's real masking key is not visible here.
    const text = typeof data === "string";
    const f = wsplay.buildFrame({ opcode: text ? "text" : "binary", payload: data });
    addRow({ from, opcodeName: text ? "text" : "binary", payloadLength: data.length, hex: f.hex, rebuilt: true });
  }

  // addRow adds one frame to the log, decoded by the core.
  function addRow(fr) {
    const receiver = fr.from === "client" ? "server" : "client";
    const e = wsplay.explainFrame(fr.hex, receiver);
    let summary = "";
    if (fr.label) summary = fr.label;
    else if (typeof e.text === "string" && e.text !== "") summary = `“${e.text}”`;
    else if (e.unmaskedHex) summary = e.unmaskedHex.length > 36 ? e.unmaskedHex.slice(0, 36) + "…" : e.unmaskedHex;
    const li = el("li", {
      class: `row ${fr.from}`, tabindex: "0", role: "button", "data-role": "frame-row",
      "data-from": fr.from, "data-opcode": fr.opcodeName, "data-hex": fr.hex,
    },
      el("span", { class: "dir", title: fr.from, text: fr.from === "client" ? "↑" : "↓" }),
      el("span", { class: "op", text: fr.opcodeName }),
      el("span", { class: "len mono", text: `${fr.payloadLength} B` }),
      el("span", { class: "summary", "data-role": "row-text", text: summary }),
      fr.maskingKey ? el("span", { class: "key mono", title: "masking key", text: `key ${spacedHex(fr.maskingKey)}` }) : null,
      fr.rebuilt ? el("span", { class: "tag", i18n: "echo.rebuilt" }) : null,
      el("code", { class: "wire mono", text: fr.hex.length > 48 ? fr.hex.slice(0, 48) + "…" : fr.hex }));
    selectable(log, li, () => showDetail(fr, e, receiver));
    appendRow(li);
  }

  // showDetail opens a frame in the frame view and, for a masked frame, in
  // the masking stepper with the key the browser chose.
  function showDetail(fr, e, receiver) {
    const frameBox = el("div");
    const frameLink = `#frame?hex=${encodeURIComponent(fr.hex)}&receiver=${receiver}`;
    detail.replaceChildren(...[
      el("h4", {}, el("span", { i18n: fr.from === "client" ? "echo.fromBrowser" : "echo.fromServer" }), ` · ${fr.opcodeName}`),
      fr.rebuilt ? el("p", { class: "muted", "data-role": "rebuilt-note",
        i18n: fr.browserClose ? "echo.rebuiltBrowserClose" : fr.opcodeName === "close" ? "echo.rebuiltClose" : "echo.rebuiltNote" }) : null,
      el("p", { class: "links" }, el("a", { href: frameLink, "data-role": "open-frame", i18n: "echo.openFrame" })),
      frameBox].filter(Boolean));
    mountFrame(frameBox, { input: false, hex: fr.hex, receiver });
    // (Not for the rebuilt close frame: its key is a stand-in, not the
    // browser's.)
    if (e.header && e.header.mask && !fr.browserClose) appendStepper(detail, e, { linkRole: "open-mask", note: true });
  }

  connectBtn.addEventListener("click", () => {
    if (connected()) {
      closing = { code: 1000, reason: "bye" };
      ws.close(1000, "bye");
    } else connect();
  });
  sendText.addEventListener("click", () => {
    if (!connected()) return;
    pending.push(textInput.value);
    ws.send(textInput.value);
    if (!inspect) addMessageRow("client", textInput.value);
  });
  textInput.addEventListener("keydown", (ev) => { if (ev.key === "Enter") sendText.click(); });
  sendBin.addEventListener("click", () => {
    if (!connected()) return;
    // The core reads the hex the way people paste it.
    const r = wsplay.mask("00 00 00 00", binInput.value);
    if (r.error) { showNote(`${t("echo.binaryLabel")}: ${errorText(r)}`, true); return; }
    hideNote();
    ws.send(r.bytes);
    if (!inspect) addMessageRow("client", r.bytes);
  });
  pingBtn.addEventListener("click", () => {
    // The browser's WebSocket API has no ping(): browsers answer pings but
    // never send one. /ws/inspect pings us when asked with the text message
    // "wsplay:ping PAYLOAD"; the browser's pong then appears in the log,
    // masked with a key it chose (RFC 6455 §5.5.2, docs/inspect.md).
    if (inspect && connected()) {
      ws.send("wsplay:ping " + (textInput.value || "ping"));
      showNote(t("echo.pingAsked"), false);
      return;
    }
    showNote(t("echo.pingNote"), false);
    const key = crypto.getRandomValues(new Uint8Array(4));
    const f = wsplay.buildFrame({ opcode: "ping", mask: true, key, payload: "ping" });
    if (!f.error) showDetail({ from: "client", opcodeName: "ping", hex: f.hex, rebuilt: true }, wsplay.explainFrame(f.hex, "server"), "server");
  });
  closeBtn.addEventListener("click", () => {
    if (!connected()) return;
    const code = Number(codeInput.value);
    try {
      ws.close(code, reasonInput.value);
      closing = { code, reason: reasonInput.value };
      hideNote();
    } catch (err) {
      // Browsers only let a page send 1000 or 3000-4999 (the others are
      // for the protocol itself, §7.4), and a reason of at most 123
      // bytes, so that the close frame stays a small control frame
      // (§5.5: control payloads are at most 125 bytes).
      showNote(`${err.name}: ${err.message} — ${t("echo.closeRule")}`, true);
    }
  });

  function showNote(text, bad) {
    note.hidden = false;
    note.className = bad ? "note error" : "note";
    note.textContent = text;
  }
  function hideNote() { note.hidden = true; }

  loadCore().then((w) => { wsplay = w; }, (err) => {
    setStatus("live.noCore", err.message, "bad");
    connectBtn.disabled = true;
  });
}
