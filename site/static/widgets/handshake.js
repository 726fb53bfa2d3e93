// handshake.js — the opening handshake your browser really makes.
//
// A WebSocket starts as an HTTP/1.1 GET with "Upgrade: websocket" and a
// fresh random Sec-WebSocket-Key (RFC 6455 §4.1). The server answers
// "101 Switching Protocols" with Sec-WebSocket-Accept computed from the key
// (§4.2.2). The page cannot see these HTTP messages through the WebSocket
// API, so it connects to the server's /ws/inspect, which reports both
// byte for byte as its first message. The page then computes the Accept
// itself, with the Go core compiled to WebAssembly, and compares.
//
// mount(element, {}) shows a Connect button and, once connected, the
// request, the response and the two Accept values side by side.
// showHandshake(out, wsplay, {request: {raw}, response: {raw, headers}, key})
// paints that view from any request and response heads: the tap panel
// (tap.js) shows a learner's own server with it.

import { loadCore } from "../core.js";
import { el, wsURL, followLang, connectionBar, rfcLink } from "../dom.js";
import { explainExtensions } from "../deflate.js";

export function mount(element) {
  const btn = el("button", { type: "button", class: "primary", i18n: "live.connectHandshake", "data-role": "live-connect" });
  const bar = connectionBar({ button: btn, endpoint: "/ws/inspect", statusRole: "live-status" });
  const out = el("div", { class: "live-out", "data-role": "live-out" });
  const root = el("div", { class: "widget handshake-widget" }, bar.bar, out);
  element.replaceChildren(root);
  followLang(root);
  bar.setStatus("live.notConnected");
  const st = { bar, out, btn, wsplay: null };
  loadCore().then((w) => { st.wsplay = w; }, (err) => {
    btn.disabled = true;
    bar.setStatus("live.noCore", err.message);
  });
  btn.addEventListener("click", () => showLiveHandshake(st));
}

// showLiveHandshake connects to /ws/inspect, shows the handshake its first
// report gives, and closes again.
function showLiveHandshake(st) {
  const { bar } = st;
  bar.setStatus("live.connecting");
  let ws;
  try {
    ws = new WebSocket(wsURL("/ws/inspect"));
  } catch (err) {
    bar.status.textContent = err.message;
    return;
  }
  let got = false;
  ws.onmessage = (ev) => {
    if (got) return;
    got = true;
    try {
      showHandshake(st.out, st.wsplay, JSON.parse(ev.data));
      bar.setStatus("live.done", "", "good");
    } catch (err) {
      bar.status.textContent = err.message;
    }
    // The handshake is all this panel wanted; close politely.
    ws.close(1000, "seen the handshake");
  };
  ws.onclose = (ev) => {
    if (!got) {
      bar.setStatus("live.dropped", `${ev.code} ${ev.reason}`, "bad");
      bar.status.append(" ", el("button", { type: "button", class: "link", i18n: "live.reconnect", onclick: () => st.btn.click() }));
    }
  };
}

function header(headers, name) {
  const h = headers.find((x) => x.name.toLowerCase() === name.toLowerCase());
  return h ? h.value : "";
}

// allValues joins every line of a header field, as one list (RFC 9110
// §5.3): a client may send Sec-WebSocket-Extensions on several lines.
function allValues(headers, name) {
  return headers.filter((x) => x.name.toLowerCase() === name.toLowerCase()).map((x) => x.value).join(", ");
}

// extensionsView explains the Sec-WebSocket-Extensions offer and answer
// parameter by parameter (permessage-deflate, RFC 7692 §7.1).
function extensionsView(offer, answer) {
  const table = (value, side, role) => {
    const rows = explainExtensions(value, side, offer);
    if (rows.length === 0) return el("p", { class: "muted", "data-role": role, i18n: "deflate.noOffer" });
    return el("div", { class: "table-wrap" }, el("table", { class: "fields ext-params", "data-role": role },
      el("thead", {}, el("tr", {}, ["deflate.colParam", "deflate.colValue", "deflate.colMeaning"].map((k) => el("th", { scope: "col", i18n: k })), el("th", {}))),
      el("tbody", {}, rows.map((r) => el("tr", { "data-role": "ext-param", "data-param": r.param || r.extension },
        el("th", { scope: "row", class: "mono", text: r.param || r.extension }),
        el("td", { class: "mono", text: r.value ?? "—" }),
        el("td", { i18n: r.key, args: r.args }),
        el("td", {}, rfcLink(r.section, r.section.startsWith("RFC") ? r.section : undefined)))))));
  };
  return el("section", { class: "ext-explain", "data-role": "extensions-explained" },
    el("h4", { i18n: "deflate.title" }),
    el("p", {}, el("strong", { i18n: "deflate.offerTitle" }), " ", el("code", { "data-role": "ext-offer", text: offer || "—" })),
    table(offer, "offer", "ext-offer-table"),
    offer ? [el("p", {}, el("strong", { i18n: "deflate.answerTitle" }), " ", el("code", { "data-role": "ext-answer", text: answer || "—" })),
      table(answer, "answer", "ext-answer-table")] : "");
}

export function showHandshake(out, wsplay, report) {
  const req = report.request;
  const resp = report.response;
  // The browser's request, parsed and checked by the core as a server would.
  const parsed = wsplay.parseRequest(req.raw);
  const key = parsed.error ? report.key : parsed.key;
  const mine = wsplay.accept(key); // computed here, in WebAssembly
  const theirs = header(resp.headers, "Sec-WebSocket-Accept");
  const equal = mine === theirs;
  const exts = parsed.error ? [] : parsed.extensions;
  // Checked against the extensions offered: the server may only accept those.
  const verify = wsplay.verifyResponse(resp.raw, key, { extensions: exts.map((x) => x.text) });

  out.replaceChildren(
    el("div", { class: "compare", "data-role": "compare" },
      el("div", { class: "cmp" }, el("div", { class: "label", i18n: "live.browserKey" }), el("code", { "data-role": "live-key", text: key })),
      el("div", { class: "cmp" }, el("div", { class: "label", i18n: "live.acceptHere" }), el("code", { "data-role": "accept-here", text: mine })),
      el("div", { class: "cmp" }, el("div", { class: "label", i18n: "live.acceptServer" }), el("code", { "data-role": "accept-server", text: theirs })),
      el("div", { class: `cmp verdict-cell ${equal ? "good" : "bad"}`, "data-role": "accept-verdict" },
        el("strong", { text: equal ? "= " : "≠ " }), el("span", { i18n: equal ? "live.equal" : "live.notEqual" }))),
    el("p", { class: "muted" }, el("span", { i18n: "live.extensions" }), " ",
      el("span", { "data-role": "extensions", text: exts.length ? exts.map((x) => x.text).join(", ") : "—" }),
      " · ", el("span", { i18n: "live.verify" }), " ",
      el("span", { "data-role": "verify", text: verify === null ? "✓ 101" : (verify.cite || verify.message) })),
    el("div", { class: "http-pair" },
      el("figure", {}, el("figcaption", {},
        el("span", { class: "dir-tag sent", "data-role": "request-dir", i18n: "live.sent" }), " ",
        el("span", { i18n: "live.request" })),
      httpBlock(req.raw, "live-request", ["Sec-WebSocket-Key", "Sec-WebSocket-Extensions", "Upgrade", "Connection", "Sec-WebSocket-Version"])),
      el("figure", {}, el("figcaption", {},
        el("span", { class: "dir-tag received", "data-role": "response-dir", i18n: "live.received" }), " ",
        el("span", { i18n: "live.response" })),
      httpBlock(resp.raw, "live-response", ["Sec-WebSocket-Accept", "Sec-WebSocket-Extensions", "Upgrade", "Connection"]))),
    // The offer as the core parsed it from the request (parseRequest).
    extensionsView(exts.map((x) => x.text).join(", "), allValues(resp.headers || [], "Sec-WebSocket-Extensions")));
}

// httpBlock shows an HTTP head line by line, the lines that matter to
// WebSocket marked. Each CRLF line end is drawn as a small "CR LF" box:
// plain ASCII letters and a CSS border, so no font needs the ␍␊ symbols.
export function httpBlock(raw, role, important) {
  const pre = el("pre", { class: "http", "data-role": role });
  const lines = raw.split("\r\n");
  lines.forEach((line, i) => {
    if (i === lines.length - 1 && line === "") return;
    const name = line.split(":")[0];
    const mark = important.some((n) => n.toLowerCase() === name.toLowerCase());
    pre.append(el("span", { class: mark ? "line mark" : "line", text: line }), crlf(), "\n");
  });
  return pre;
}

// crlf is the drawn line end: the two bytes 0d 0a, named.
function crlf() {
  return el("span", { class: "crlf", title: "0d 0a", "aria-label": "CR LF" },
    el("span", { text: "CR" }), el("span", { text: "LF" }));
}
