// transcript.js — one real WebSocket session, read top to bottom, every
// byte explained.
//
// "Record a session" opens a connection to the server's /ws/inspect and
// plays a short script: the handshake, a text message and its echo, a binary
// message and its echo, a ping the server sends on request and the pong the
// browser answers by itself, then the close. /ws/inspect reports the
// handshake as it crossed the wire and every frame's exact bytes
// (docs/inspect.md), so the transcript holds real bytes — except the two
// close frames, which no page can capture (see closeRecords below): they are
// rebuilt, and marked so.
//
// A session is plain data, so sessions recorded elsewhere (the tap, a file)
// render the same way:
//
//   { request: "GET /… HTTP/1.1\r\n…\r\n\r\n",      the client's handshake head
//     response: "HTTP/1.1 101 …\r\n…\r\n\r\n",       the server's
//     records: [{direction: "client" | "server",  who sent the frame
//                bytes: Uint8Array,                one whole frame
//                rebuilt: "" | "browser-close" | "server-close"}],
//     endpoint, recordedAt }
//
//   renderTranscript(wsplay, session) → an element; every value in it comes
//   from the Go core (wsplay.explainFrame, maskSteps, acceptSteps,
//   parseClose), none is computed here.
//
// Every byte has an id, "transcript/f3/b12" (frame 3, byte 12), so
// "#transcript/f3/b12" opens the playground at that byte; the handshake is
// "#transcript/request", "#transcript/response", "#transcript/accept".
//
// mount(element, {place}) — the panel: record, open/close all, print, save
// as HTML (one self-contained file, styles inside) and as JSON. The last
// session is kept in localStorage ("wsplay.transcript") so a reload or a
// deep link shows it again. Returns {goTo(place), show(session)}.

import { loadCore } from "../core.js";
import { el, hex, wsURL, base64ToBytes, followLang, rfcLink, errorText } from "../dom.js";
import { t, htmlLang } from "../i18n.js";
import { httpBlock } from "./handshake.js";
import { FIELD_CLASS } from "./frame.js";
import { negotiated } from "../deflate.js";

const STORE = "wsplay.transcript";
const FORMAT = "wsplay-transcript/1";
const STEP_TIMEOUT_MS = 8000;

export function mount(element, options = {}) {
  const message = el("input", { value: "Hello", "data-role": "transcript-message", id: "transcript-message" });
  const recordBtn = el("button", { type: "button", class: "primary", i18n: "transcript.record", "data-role": "record" });
  const status = el("p", { class: "conn-status", role: "status", "data-role": "transcript-status" });
  const openAll = el("button", { type: "button", i18n: "transcript.expand", "data-role": "open-all" });
  const closeAll = el("button", { type: "button", i18n: "transcript.collapse", "data-role": "close-all" });
  const printBtn = el("button", { type: "button", i18n: "transcript.print", "data-role": "print" });
  const htmlLink = el("a", { class: "button-link", download: "wsplay-session.html", "data-role": "download-html", i18n: "transcript.exportHTML" });
  const jsonLink = el("a", { class: "button-link", download: "wsplay-session.json", "data-role": "download-json", i18n: "transcript.exportJSON" });
  const tools = el("div", { class: "buttons transcript-tools", hidden: true }, openAll, closeAll, printBtn, htmlLink, jsonLink);
  const out = el("div", { class: "transcript-out", "data-role": "transcript" });
  const root = el("div", { class: "widget transcript-widget" },
    el("div", { class: "conn-bar transcript-controls" },
      el("label", { for: "transcript-message", i18n: "transcript.message" }), message, recordBtn, status),
    tools, out);
  element.replaceChildren(root);
  followLang(root);
  status.replaceChildren(el("span", { i18n: "transcript.none" }));

  let wsplay = null;
  let session = null;
  let place = options.place || "";
  let urls = [];

  function show(s) {
    session = s;
    out.replaceChildren(renderTranscript(wsplay, s));
    tools.hidden = false;
    exportFiles();
    if (place) goTo(place);
  }

  // The two files follow the session and the language.
  async function exportFiles() {
    if (!session) return;
    for (const u of urls) URL.revokeObjectURL(u);
    const json = JSON.stringify(toJSON(session), null, 2);
    const html = await exportHTML(out.firstElementChild);
    urls = [URL.createObjectURL(new Blob([json], { type: "application/json" })),
      URL.createObjectURL(new Blob([html], { type: "text/html" }))];
    jsonLink.href = urls[0];
    htmlLink.href = urls[1];
  }
  window.addEventListener("wsplay:lang", () => { if (root.isConnected) exportFiles(); });

  // goTo opens the frame of a place and brings it into view, marked.
  function goTo(p) {
    place = p || "";
    if (!place || !session) return;
    const target = document.getElementById(`transcript/${place}`);
    if (!target) return;
    for (let d = target.closest("details"); d; d = d.parentElement?.closest("details")) d.open = true;
    for (const e of out.querySelectorAll(".target")) e.classList.remove("target");
    target.classList.add("target");
    target.scrollIntoView({ block: "center" });
  }

  // A click on a byte puts its place in the address, to copy onto a slide.
  out.addEventListener("click", (ev) => {
    const b = ev.target.closest("[data-byte], [data-place]");
    if (!b || !b.id) return;
    history.replaceState(null, "", `#${b.id}`);
    goTo(b.id.slice("transcript/".length));
  });

  openAll.addEventListener("click", () => { for (const d of out.querySelectorAll("details")) d.open = true; });
  closeAll.addEventListener("click", () => { for (const d of out.querySelectorAll("details")) d.open = false; });
  printBtn.addEventListener("click", () => window.print());
  // A printed handout shows everything, whatever was folded on screen.
  let folded = [];
  window.addEventListener("beforeprint", () => {
    folded = [...out.querySelectorAll("details:not([open])")];
    for (const d of folded) d.open = true;
  });
  window.addEventListener("afterprint", () => { for (const d of folded) d.open = false; folded = []; });

  recordBtn.addEventListener("click", async () => {
    if (!wsplay) return;
    recordBtn.disabled = true;
    status.className = "conn-status";
    status.replaceChildren(el("span", { i18n: "transcript.recording" }));
    try {
      const s = await record(wsplay, { message: message.value || "Hello" });
      try { localStorage.setItem(STORE, JSON.stringify(toJSON(s))); } catch { /* kept for this page only */ }
      place = "";
      show(s);
      status.className = "conn-status good";
      status.replaceChildren(el("span", { i18n: "transcript.recorded" }));
    } catch (err) {
      status.className = "conn-status bad";
      status.replaceChildren(el("span", { i18n: "transcript.failed" }), ` ${err.message}`);
    } finally {
      recordBtn.disabled = false;
    }
  });

  loadCore().then((w) => {
    wsplay = w;
    let saved = null;
    try { saved = JSON.parse(localStorage.getItem(STORE) || "null"); } catch { saved = null; }
    const s = saved && fromJSON(saved);
    if (s) show(s);
  }, (err) => {
    recordBtn.disabled = true;
    status.replaceChildren(el("span", { i18n: "live.noCore" }), ` ${err.message}`);
  });

  return { goTo, show: (s) => { if (wsplay) show(s); } };
}

// ---- recording ----

// record plays the script on /ws/inspect and resolves to a session.
export function record(wsplay, { message = "Hello", binary = [0x00, 0x01, 0xfe, 0xff], ping = "ping" } = {}) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsURL("/ws/inspect"));
    ws.binaryType = "arraybuffer";
    const frames = []; // frame reports, in the order they came
    let handshake = null;
    let waiting = null; // {test, resolve} for the next step
    let closed = null;
    let timer = null;

    const fail = (err) => { clearTimeout(timer); try { ws.close(); } catch { /* closing anyway */ } reject(err); };
    // until resolves when a report passes test (or the close, for null).
    const until = (test) => new Promise((res) => {
      clearTimeout(timer);
      timer = setTimeout(() => fail(new Error(`no answer from /ws/inspect within ${STEP_TIMEOUT_MS / 1000} s`)), STEP_TIMEOUT_MS);
      waiting = { test, resolve: res };
      check();
    });
    function check() {
      if (!waiting) return;
      const test = waiting.test;
      const found = test === null ? closed : test === "handshake" ? handshake : frames.find(test);
      if (found) {
        clearTimeout(timer);
        const w = waiting;
        waiting = null;
        w.resolve(found);
      }
    }
    ws.onmessage = (ev) => {
      if (typeof ev.data !== "string") return; // a binary echo
      let r = null;
      try { r = JSON.parse(ev.data); } catch { return; } // a text echo
      if (r && r.type === "handshake" && !handshake) handshake = r;
      else if (r && r.type === "frame" && typeof r.wire === "string") frames.push(r);
      check();
    };
    ws.onclose = (ev) => { closed = ev; check(); if (!handshake) fail(new Error(`closed before the handshake report (${ev.code})`)); };
    ws.onerror = () => { if (!handshake) fail(new Error("could not connect to /ws/inspect")); };

    const is = (from, op) => (r) => r.from === from && r.opcodeName === op;
    const after = (n, test) => (r) => frames.indexOf(r) >= n && test(r);
    (async () => {
      await until("handshake");
      let n = frames.length;
      ws.send(message);
      await until(after(n, is("server", "text")));
      n = frames.length;
      ws.send(new Uint8Array(binary));
      await until(after(n, is("server", "binary")));
      n = frames.length;
      // The page cannot ping; this text asks the server to (docs/inspect.md).
      ws.send(`wsplay:ping ${ping}`);
      await until(after(n, is("client", "pong")));
      ws.close(1000, "bye");
      const ev = await until(null);
      const records = frames.slice().sort((a, b) => a.seq - b.seq)
        .map((r) => ({ direction: r.from === "client" ? "client" : "server", bytes: base64ToBytes(r.wire), rebuilt: "" }));
      records.push(...closeRecords(wsplay, { code: 1000, reason: "bye" }, ev));
      resolve({
        endpoint: "/ws/inspect", recordedAt: new Date().toISOString(),
        request: handshake.request.raw, response: handshake.response.raw, records,
      });
    })().catch(fail);
  });
}

// closeRecords rebuilds the two close frames, which a page cannot capture:
// the server reports the browser's close before answering it, but a
// closing browser drops every message it receives; and nothing may follow
// the server's close frame (§5.5.1), so it is never reported. The server's
// frame is unmasked, so its rebuilt bytes are exact; the browser masked its
// own with a key it never shows, which an all-zero key stands in for.
function closeRecords(wsplay, sent, ev) {
  const out = [];
  const mine = wsplay.buildFrame({ opcode: "close", mask: true, key: "00 00 00 00", payload: wsplay.closePayload(sent.code, sent.reason).bytes });
  if (!mine.error) out.push({ direction: "client", bytes: mine.bytes, rebuilt: "browser-close" });
  if (ev && ev.code !== 1005 && ev.code !== 1006) {
    const theirs = wsplay.buildFrame({ opcode: "close", payload: wsplay.closePayload(ev.code, ev.reason).bytes });
    if (!theirs.error) out.push({ direction: "server", bytes: theirs.bytes, rebuilt: "server-close" });
  }
  return out;
}

// ---- the session as a file ----

// toJSON is the session as the JSON file holds it: bytes in hex.
export function toJSON(s) {
  return {
    format: FORMAT, endpoint: s.endpoint, recordedAt: s.recordedAt, request: s.request, response: s.response,
    records: s.records.map((r) => ({ direction: r.direction, hex: hex(r.bytes), ...(r.rebuilt ? { rebuilt: r.rebuilt } : {}) })),
  };
}

// fromJSON reads toJSON's form back (null when it is not one).
export function fromJSON(j) {
  if (!j || j.format !== FORMAT || !Array.isArray(j.records)) return null;
  const bytes = (h) => new Uint8Array((String(h).match(/[0-9a-f]{2}/gi) || []).map((x) => parseInt(x, 16)));
  return {
    endpoint: j.endpoint || "", recordedAt: j.recordedAt || "", request: String(j.request || ""), response: String(j.response || ""),
    records: j.records.map((r) => ({ direction: r.direction === "server" ? "server" : "client", bytes: bytes(r.hex), rebuilt: r.rebuilt || "" })),
  };
}

// exportHTML is one self-contained file: the transcript as shown, with the
// page's stylesheet inside, no script, nothing to fetch.
async function exportHTML(node) {
  let css = "";
  try { css = await (await fetch("/static/style.css")).text(); } catch { /* unstyled, still complete */ }
  const copy = node.cloneNode(true);
  for (const d of copy.querySelectorAll("details")) d.setAttribute("open", "");
  const l = htmlLang();
  return `<!doctype html>\n<html lang="${l}">\n<head>\n<meta charset="utf-8">\n` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">\n` +
    `<title>wsplay — ${escapeHTML(t("transcript.title"))}</title>\n<style>\n${css}\n</style>\n</head>\n` +
    `<body class="transcript-file">\n<main>\n<h1>${escapeHTML(t("transcript.title"))}</h1>\n${copy.outerHTML}\n</main>\n</body>\n</html>\n`;
}

function escapeHTML(s) {
  return s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

// ---- rendering ----

// renderTranscript draws a session: the two handshake heads with the
// Accept derivation between them, then every frame, byte by byte.
export function renderTranscript(wsplay, s) {
  const total = s.records.reduce((n, r) => n + r.bytes.length, 0);
  const root = el("article", { class: "transcript", "data-role": "transcript-body" },
    el("p", { class: "muted transcript-meta" },
      s.recordedAt ? [el("span", { i18n: "transcript.recordedAt" }), ` ${s.recordedAt.replace("T", " ").replace(/\.\d+Z$/, " UTC")} · `] : null,
      s.endpoint ? [el("code", { text: s.endpoint }), " · "] : null,
      el("span", { "data-role": "transcript-summary", i18n: "transcript.summary", args: { frames: s.records.length, bytes: total } })));
  root.append(headBlock("request", "transcript.request", s.request, "client"));
  root.append(headBlock("response", "transcript.response", s.response, "server"));
  root.append(acceptBlock(wsplay, s));
  // The handshake's answer decides what RSV1 means (RFC 7692 §6.1).
  const deflate = negotiated(header(s.response || "", "Sec-WebSocket-Extensions"));
  s.records.forEach((r, i) => root.append(frameBlock(wsplay, r, i + 1, deflate)));
  return root;
}

// headBlock is a handshake head, line by line, each line end drawn.
function headBlock(name, titleKey, raw, from) {
  const pre = httpBlock(raw, `transcript-${name}`, ["Sec-WebSocket-Key", "Sec-WebSocket-Accept", "Upgrade", "Connection", "Sec-WebSocket-Version"]);
  return el("details", { open: true, class: `t-head ${from}`, id: `transcript/${name}`, "data-place": name },
    el("summary", {}, el("span", { class: `dir-tag ${from === "client" ? "sent" : "received"}`, i18n: from === "client" ? "live.sent" : "live.received" }),
      " ", el("span", { i18n: titleKey }), el("a", { class: "t-anchor", href: `#transcript/${name}`, "aria-label": "#", text: "#" })),
    pre);
}

// acceptBlock derives the response's Accept from the request's key, with
// the core (acceptSteps), and compares.
function acceptBlock(wsplay, s) {
  // The key as the core's server side reads it, and the response checked as
  // the core's client side checks it (status, Upgrade, Connection, Accept).
  const parsed = wsplay.parseRequest(s.request);
  const key = parsed.error || !parsed.key ? header(s.request, "Sec-WebSocket-Key") : parsed.key;
  // The extensions offered: the server may only accept one of them.
  const verify = wsplay.verifyResponse(s.response, key, { extensions: parsed.error ? [] : parsed.extensions.map((x) => x.text) });
  const st = wsplay.acceptSteps(key);
  const box = el("details", { open: true, class: "t-accept", id: "transcript/accept", "data-place": "accept" },
    el("summary", {}, el("span", { i18n: "transcript.acceptTitle" }), el("a", { class: "t-anchor", href: "#transcript/accept", "aria-label": "#", text: "#" })));
  if (st.error) {
    box.append(el("p", { class: "error", text: errorText(st) }));
    return box;
  }
  const equal = verify === null;
  box.append(el("ol", { class: "steps" },
    el("li", {}, el("div", { class: "step-title", i18n: "transcript.acceptKey" }), el("code", { class: "c-key", text: st.key })),
    el("li", {}, el("div", { class: "step-title", i18n: "transcript.acceptConcat" }),
      el("code", { class: "concat" }, el("span", { class: "c-key", text: st.key }), el("span", { class: "c-guid", text: st.guid }))),
    el("li", {}, el("div", { class: "step-title", i18n: "transcript.acceptSha1" }), el("code", { text: st.sha1Hex })),
    el("li", {}, el("div", { class: "step-title", i18n: "transcript.acceptBase64" }),
      el("code", { class: "result", "data-role": "transcript-accept", text: st.accept }))),
    el("p", { class: equal ? "ok-line" : "error", "data-role": "transcript-accept-verdict" },
      el("strong", { text: equal ? "= " : "≠ " }), el("span", { i18n: equal ? "transcript.acceptMatch" : "transcript.acceptMismatch" }),
      verify && !verify.error ? el("span", { text: ` (${verify.cite || verify.message})` }) : null,
      " ", rfcLink("4.2.2")));
  return box;
}

// header is a header line's value, for a head the core could not parse.
function header(raw, name) {
  const line = raw.split("\r\n").find((l) => l.toLowerCase().startsWith(name.toLowerCase() + ":"));
  return line ? line.slice(name.length + 1).trim() : "";
}

// frameBlock explains one frame: a row for each header byte's fields, one
// for each longer header field, and one for each payload byte. Every byte
// of the frame is in exactly one row.
function frameBlock(wsplay, r, n, deflate) {
  const receiver = r.direction === "client" ? "server" : "client";
  const e = wsplay.explainFrame(r.bytes, receiver, "en", { deflate });
  const id = `transcript/f${n}`;
  const byteSpan = (i) => el("span", {
    class: `tb ${fieldClass(e, i)}`, id: `${id}/b${i}`, "data-frame": String(n), "data-byte": String(i), title: `#${id}/b${i}`,
    text: r.bytes[i].toString(16).padStart(2, "0"),
  });
  const opName = e.header ? e.header.opcodeName : "?";
  let gist = "";
  if (typeof e.text === "string" && e.text !== "" && opName !== "close") gist = `“${e.text}”`;
  const close = opName === "close" && e.header ? wsplay.parseClose(e.unmasked) : null;
  if (close && !close.error) gist = `${close.code} (${close.codeName})${close.reason ? ` “${close.reason}”` : ""}`;

  const box = el("details", { open: true, class: `t-frame ${r.direction}`, id, "data-place": `f${n}`, "data-frame-block": String(n) },
    el("summary", {},
      el("span", { class: "t-n", i18n: "transcript.frame", args: { n } }), " · ",
      el("span", { i18n: r.direction === "client" ? "transcript.toServer" : "transcript.toClient" }), " · ",
      el("code", { text: opName }), " · ",
      el("span", { i18n: "transcript.bytes", args: { n: r.bytes.length } }),
      gist ? [" · ", el("span", { class: "t-gist", text: gist })] : null,
      r.rebuilt ? [" ", el("span", { class: "tag", i18n: "echo.rebuilt" })] : null,
      el("a", { class: "t-anchor", href: `#${id}`, "aria-label": "#", text: "#" })));
  if (r.rebuilt) {
    box.append(el("p", { class: "muted" }, el("strong", { i18n: "transcript.rebuilt" }), " ",
      el("span", { i18n: r.rebuilt === "browser-close" ? "echo.rebuiltBrowserClose" : "echo.rebuiltClose" })));
  }
  if (e.problems.length === 0 && e.complete) {
    box.append(el("p", { class: "ok-line t-verdict" }, el("strong", { i18n: "transcript.valid" }), " ", el("span", { class: "muted", i18n: "frame.validNote" })));
  } else {
    box.append(el("ul", { class: "problems t-verdict" }, e.problems.map((p) => el("li", { class: "rule error" },
      el("span", { both: { en: p.text, zh: p.textZh } }), " ", rfcLink(p.section, p.source)))));
  }

  const body = el("tbody");
  const head = el("table", { class: "t-table" },
    el("thead", {}, el("tr", {},
      el("th", { scope: "col", i18n: "transcript.colBytes" }), el("th", { scope: "col", i18n: "transcript.colField" }),
      el("th", { scope: "col", i18n: "transcript.colValue" }), el("th", { scope: "col", i18n: "transcript.colMeaning" }))),
    body);
  // Bytes 0 and 1 hold several fields each: one row per field, the byte
  // itself once, spanning them.
  for (const b of [0, 1]) {
    if (b >= r.bytes.length) break;
    const fs = e.fields.filter((f) => f.offset === b && f.bits % 8 !== 0);
    fs.forEach((f, k) => body.append(el("tr", { class: k === 0 ? "t-first" : null },
      k === 0 ? el("td", { class: "t-bytes", rowspan: String(fs.length) }, byteSpan(b)) : null,
      el("th", { scope: "row" }, el("span", { class: `swatch ${fieldClassName(f.name)}` }), f.name, el("span", { class: "muted t-bits", text: ` ${f.raw}` })),
      el("td", { class: "mono", text: String(f.value) }),
      el("td", { class: "t-meaning", text: f.meaning }))));
  }
  // The extended length and the masking key: one row each.
  for (const f of e.fields.filter((f) => f.offset >= 2 && f.name !== "Payload Data")) {
    const spans = [];
    for (let i = f.offset; i < f.offset + f.size && i < r.bytes.length; i++) spans.push(byteSpan(i), " ");
    body.append(el("tr", { class: "t-first" }, el("td", { class: "t-bytes" }, spans),
      el("th", { scope: "row" }, el("span", { class: `swatch ${fieldClassName(f.name)}` }), f.name),
      el("td", { class: "mono", text: String(f.value) }),
      el("td", { class: "t-meaning", text: f.meaning })));
  }
  box.append(el("div", { class: "table-wrap" }, head));

  // The payload, byte by byte: for a masked frame the XOR with its key
  // byte (the core's maskSteps), for an unmasked one the byte as sent.
  const start = e.headerSize || 0;
  const count = Math.max(0, r.bytes.length - start);
  if (e.header && count > 0) {
    const data = e.fields.find((f) => f.name === "Payload Data");
    const steps = e.header.mask ? wsplay.maskSteps(e.header.key, e.unmasked) : wsplay.maskSteps("00 00 00 00", e.unmasked);
    const pbody = el("tbody");
    for (let i = 0; i < count; i++) {
      const row = steps.rows[i];
      const plain = row ? row.in : r.bytes[start + i];
      const ch = row && row.inChar !== "·" ? ` “${row.inChar}”` : "";
      const meaning = e.header.mask && row
        ? el("span", { i18n: "transcript.maskedByte", args: { masked: hx(row.out), j: row.keyIndex, key: hx(row.keyByte), plain: hx(row.in) } })
        : el("span", { i18n: "transcript.plainByte" });
      pbody.append(el("tr", { class: "t-first" },
        el("td", { class: "t-bytes" }, byteSpan(start + i)),
        el("th", { scope: "row" }, el("span", { class: "swatch f-data" }), el("span", { i18n: "transcript.payloadByte", args: { i } })),
        el("td", { class: "mono", text: `${hx(plain)}${ch}` }),
        el("td", { class: "t-meaning" }, meaning)));
    }
    const pid = `${id}/payload`;
    box.append(el("details", { open: count <= 64, class: "t-payload", id: pid, "data-place": `f${n}/payload` },
      el("summary", {}, el("span", { class: "swatch f-data" }), "Payload Data",
        data ? el("span", { class: "muted", text: ` — ${data.meaning}` }) : null),
      el("div", { class: "table-wrap" }, el("table", { class: "t-table" },
        el("thead", {}, el("tr", {},
          el("th", { scope: "col", i18n: "transcript.colBytes" }), el("th", { scope: "col", i18n: "transcript.colField" }),
          el("th", { scope: "col", i18n: "transcript.colValue" }), el("th", { scope: "col", i18n: "transcript.colMeaning" }))),
        pbody)),
      close && !close.error ? el("p", { class: "muted" }, el("code", { text: gist })) : null));
  }
  return box;
}

function hx(b) {
  return b.toString(16).padStart(2, "0");
}

// The colour of a byte: the field it belongs to, as in the frame lab.
function fieldClassName(name) {
  return FIELD_CLASS[name] || "f-none";
}
function fieldClass(e, i) {
  if (i < 2) return "f-head";
  const f = e.fields.find((x) => i >= x.offset && i < x.offset + x.size && x.offset >= 2);
  return f ? fieldClassName(f.name) : "f-data";
}
