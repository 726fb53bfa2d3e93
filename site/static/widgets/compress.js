// compress.js — permessage-deflate (RFC 7692) seen from the wire.
//
// The browser compresses by itself: when the server accepts the
// permessage-deflate its WebSocket offers, every message the page sends
// travels compressed, and the page never sees a compressed byte. The
// server's /ws/inspect sees them: its report of a frame holds the frame as
// it was on the wire, and, on a compressed message's last frame, what the
// server inflated it to (docs/inspect.md: compressed, inflated,
// inflatedLength). This widget sends the learner's message twice on one
// connection and shows, for each send, RSV1, the compressed payload, its
// size against the text's, the bytes saved and the text inflated; the
// browser takes context over, so the second of two equal messages is
// shorter.
//
// mount(element, {text}) — text is the message the input starts with.
// The columns are those of the lesson's fallback (lessons/deflate.go,
// compressColumns), which computes the same table on the server.

import { el, setText, uid, wsURL, base64ToBytes, hex, followLang, connectionBar } from "../dom.js";

export const ENDPOINT = "/ws/inspect";

// COMPRESS_COLUMNS are the table's column headings, keys of words.json.
export const COMPRESS_COLUMNS = ["compress.colMessage", "compress.colRsv1", "compress.colPayload", "compress.colBytes", "compress.colSaved", "compress.colInflated"];

// MAX_HEX is how many payload bytes a row writes in hex; the size column
// has the whole count.
const MAX_HEX = 64;

export function mount(element, options = {}) {
  const ui = controls(options.text || "Hello");
  // st: the socket, the texts sent whose echo has not come back, the
  // message being put together from its frames, and the rows shown.
  const st = { ui, ws: null, pending: [], message: null, rows: 0, queued: [] };
  element.replaceChildren(ui.root);
  followLang(ui.root);
  ui.setStatus("live.notConnected");
  ui.send.addEventListener("click", () => sendTwice(st));
  ui.reset.addEventListener("click", () => reconnect(st));
}

// controls builds the widget's elements.
function controls(text) {
  const id = uid("c-text");
  const ui = {
    input: el("input", { id, value: text, "data-role": "text", spellcheck: "false" }),
    send: el("button", { type: "button", class: "primary", i18n: "compress.send", "data-role": "send" }),
    reset: el("button", { type: "button", i18n: "compress.newConnection", "data-role": "reconnect" }),
    offer: el("p", { class: "muted", "data-role": "offer" }),
    extension: el("p", { class: "compress-extension", "data-role": "extension" }),
    body: el("tbody"),
  };
  const bar = connectionBar({ button: ui.reset, endpoint: ENDPOINT, statusRole: "status" });
  ui.setStatus = bar.setStatus;
  ui.status = bar.status;
  ui.table = el("table", { class: "compress-table", "data-role": "compress-table" },
    el("caption", { i18n: "compress.caption.live" }),
    el("thead", {}, el("tr", {}, COMPRESS_COLUMNS.map((k) => el("th", { scope: "col", i18n: k })))),
    ui.body);
  ui.root = el("div", { class: "widget compress-widget" },
    bar.bar,
    el("form", { class: "send-grid", onsubmit: (e) => { e.preventDefault(); ui.send.click(); } },
      el("label", { for: id, i18n: "compress.textLabel" }), ui.input, ui.send),
    ui.offer, ui.extension,
    el("div", { class: "table-scroll" }, ui.table));
  return ui;
}

// reconnect drops the connection and its rows: the next send starts a new
// DEFLATE context, so its first message is long again.
function reconnect(st) {
  if (st.ws) {
    st.ws.onclose = null;
    st.ws.close(1000, "new connection");
  }
  st.ws = null;
  st.pending = [];
  st.message = null;
  st.rows = 0;
  st.ui.body.replaceChildren();
  st.ui.offer.textContent = "";
  setText(st.ui.extension, null);
  st.ui.setStatus("live.notConnected");
}

// sendTwice sends the input's text twice, connecting first if needed.
function sendTwice(st) {
  const text = st.ui.input.value;
  if (st.ws && st.ws.readyState === WebSocket.OPEN) {
    for (let i = 0; i < 2; i++) send(st, text);
    return;
  }
  st.queued.push(text, text);
  if (!st.ws) connect(st);
}

function send(st, text) {
  st.pending.push(text);
  st.ws.send(text);
}

function connect(st) {
  const ws = new WebSocket(wsURL(ENDPOINT));
  st.ws = ws;
  st.ui.setStatus("live.connecting");
  ws.onopen = () => {
    st.ui.setStatus("live.open", "", "good");
    for (const text of st.queued.splice(0)) send(st, text);
  };
  ws.onerror = () => st.ui.setStatus("live.failed", "", "bad");
  ws.onclose = (ev) => {
    if (st.ws !== ws) return;
    st.ws = null;
    st.queued = [];
    st.ui.setStatus("live.closed", String(ev.code), "bad");
  };
  ws.onmessage = (ev) => receive(st, ev.data);
}

// receive sorts what the server sends: the echo of a text sent (ignored:
// the reports say more), the handshake report, and frame reports.
function receive(st, data) {
  if (typeof data !== "string") return;
  if (st.pending.length > 0 && data === st.pending[0]) {
    st.pending.shift();
    return;
  }
  let rep;
  try {
    rep = JSON.parse(data);
  } catch {
    return;
  }
  if (rep.type === "handshake") showHandshake(st, rep);
  else if (rep.type === "frame" && rep.from === "client") addFrame(st, rep);
}

// header is the value of a header field in a report's headers, or "".
function header(head, name) {
  const h = (head && head.headers || []).find((x) => x.name.toLowerCase() === name);
  return h ? h.value : "";
}

function showHandshake(st, rep) {
  const offer = header(rep.request, "sec-websocket-extensions");
  const answer = header(rep.response, "sec-websocket-extensions");
  st.ui.offer.replaceChildren(offer ? el("span", { i18n: "compress.offered", args: { offer } }) : "");
  st.ui.extension.replaceChildren(answer
    ? el("span", { i18n: "compress.negotiated", args: { ext: answer } })
    : el("span", { class: "bad", i18n: "compress.none" }));
}

// addFrame adds a frame the browser sent to the message being put
// together; a message's last frame adds its row.
function addFrame(st, rep) {
  if (rep.opcode >= 8) return; // control frames are never compressed (§6)
  const wire = base64ToBytes(rep.wire);
  const key = rep.maskingKey ? Uint8Array.from(rep.maskingKey.match(/../g), (h) => parseInt(h, 16)) : null;
  const payload = wire.slice(rep.headerLength);
  if (key) for (let i = 0; i < payload.length; i++) payload[i] ^= key[i % 4];
  if (rep.opcode !== 0 || !st.message) {
    st.message = { rsv1: (wire[0] & 0x40) !== 0, bytes: [], length: 0 };
  }
  st.message.bytes.push(...payload);
  st.message.length += rep.payloadLength;
  if (!rep.fin) return;
  const m = st.message;
  st.message = null;
  let text, length;
  if (rep.compressed) {
    text = new TextDecoder().decode(base64ToBytes(rep.inflated || ""));
    length = rep.inflatedLength;
  } else {
    text = new TextDecoder().decode(Uint8Array.from(m.bytes));
    length = m.length;
  }
  addRow(st, m, text, length, rep.compressed);
}

function addRow(st, m, text, length, compressed) {
  st.rows += 1;
  let shown = hex(m.bytes.slice(0, MAX_HEX));
  if (m.bytes.length > MAX_HEX || m.length > m.bytes.length) shown += " …";
  st.ui.body.append(el("tr", { "data-role": "row", "data-compressed": compressed ? "true" : "false" },
    el("td", { class: "mono", text: String(st.rows) }),
    el("td", { class: "mono", text: m.rsv1 ? "1" : "0" }),
    el("td", { class: "mono", "data-role": "payload" }, shown,
      compressed ? null : el("span", { class: "muted" }, " (", el("span", { i18n: "compress.notCompressed" }), ")")),
    el("td", { class: "mono", i18n: "compress.bytes", args: { z: String(m.length), n: String(length) } }),
    el("td", { class: "mono", text: String(length - m.length) }),
    el("td", { "data-role": "inflated", text })));
}
