// frame.js — one WebSocket frame, decoded field by field.
//
// Every WebSocket message travels in frames (RFC 6455 §5.2). A frame starts
// with two bytes of header bits, then maybe an extended length and a masking
// key, then the payload:
//
//   byte 0: FIN (1 bit), RSV1-3 (3 bits), opcode (4 bits)
//   byte 1: MASK (1 bit), Payload len (7 bits: 0-125, or 126 / 127 meaning
//           "the real length follows in 2 / 8 bytes")
//   then:   Extended payload length (0, 2 or 8 bytes)
//           Masking-key (4 bytes, only when MASK is 1)
//           Payload Data
//
// mount(element, {hex, receiver, input, onChange}) paints the frame's bytes
// coloured by field, the RFC's bit diagram, a table of the fields and every
// rule the frame breaks — all from wsplay.explainFrame, the core's
// explainer. receiver is "server" (the frame was sent by a client, so it
// must be masked) or "client". With input: false there is no hex field (the
// frame builder and the live wire show frames that way); compact: true
// leaves out the diagram and the table and links to the frame lab. The returned
// object's show(hex, receiver) shows another frame.

import { loadCore } from "../core.js";
import { el, uid, errorText, rfcLink, followLang } from "../dom.js";

// The field names as explainFrame (and the RFC's diagram) writes them, and
// the colour class of each.
const FIELD_CLASS = {
  "FIN": "f-fin", "RSV1": "f-rsv", "RSV2": "f-rsv", "RSV3": "f-rsv",
  "opcode": "f-op", "MASK": "f-mask", "Payload len": "f-len",
  "Extended payload length": "f-ext", "Masking-key": "f-key", "Payload Data": "f-data",
};

// The legend: one entry per colour.
const LEGEND = [
  ["f-fin", "FIN"], ["f-rsv", "RSV1-3"], ["f-op", "opcode"], ["f-mask", "MASK"],
  ["f-len", "Payload len"], ["f-ext", "Extended payload length"],
  ["f-key", "Masking-key"], ["f-data", "Payload Data"],
];

// How many payload bytes to paint before "… n more".
const MAX_PAYLOAD_CELLS = 96;

export function mount(element, options = {}) {
  let receiver = options.receiver === "client" ? "client" : "server";
  const withInput = options.input !== false;
  const hexId = uid("frame-hex");
  const recvId = uid("frame-receiver");
  const hexInput = el("textarea", {
    id: hexId, class: "mono", rows: "3", spellcheck: "false", autocomplete: "off",
    "data-role": "hex", "i18n-placeholder": "frame.hexPlaceholder",
  });
  hexInput.value = options.hex ?? "";
  const recvSelect = el("select", { id: recvId, "data-role": "receiver" },
    el("option", { value: "server", i18n: "frame.toServer" }),
    el("option", { value: "client", i18n: "frame.toClient" }));
  recvSelect.value = receiver;
  const out = el("div", { class: "frame-out", "data-role": "frame-out", "aria-live": "polite" });
  const root = el("div", { class: "widget frame-widget" },
    withInput && el("div", { class: "field-row" },
      el("label", { for: hexId, i18n: "frame.hexLabel" }), hexInput),
    withInput && el("div", { class: "field-row inline" },
      el("label", { for: recvId, i18n: "frame.receiverLabel" }), recvSelect,
      el("span", { class: "muted", i18n: "frame.receiverNote" })),
    out);
  element.replaceChildren(root);
  followLang(root);

  // Pointer or keyboard focus on any part of a field highlights that field
  // everywhere: in the bytes, in the bit diagram and in the table.
  function highlight(name) {
    for (const e of root.querySelectorAll(".hl")) e.classList.remove("hl");
    if (!name) return;
    for (const e of root.querySelectorAll("[data-field]")) {
      if (e.dataset.field === name) e.classList.add("hl");
    }
  }
  root.addEventListener("pointerover", (ev) => highlight(ev.target.closest("[data-field]")?.dataset.field));
  root.addEventListener("pointerleave", () => highlight(null));
  root.addEventListener("focusin", (ev) => highlight(ev.target.closest("[data-field]")?.dataset.field));

  let wsplay = null;
  function render() {
    if (!wsplay) return;
    const text = hexInput.value.trim();
    if (text === "") {
      out.replaceChildren(el("p", { class: "muted", i18n: "frame.empty" }));
      return;
    }
    const e = wsplay.explainFrame(text, receiver);
    if (e.error) {
      // Bad hex: the bridge says which character, where.
      out.replaceChildren(el("p", { class: "error", "data-role": "error", text: errorText(e) }));
      return;
    }
    out.replaceChildren(...(options.compact ? compactExplanation(e, text, receiver) : explanation(e)));
    if (withInput) options.onChange?.({ hex: text, receiver });
  }
  hexInput.addEventListener("input", render);
  recvSelect.addEventListener("change", () => { receiver = recvSelect.value; render(); });

  loadCore().then((w) => { wsplay = w; render(); },
    (err) => out.replaceChildren(el("p", { class: "error", text: err.message })));

  return {
    show(hexText, recv) {
      hexInput.value = hexText;
      if (recv) { receiver = recv; recvSelect.value = recv; }
      render();
    },
  };
}

// explanation returns the elements that explain one explainFrame result.
function explanation(e) {
  const parts = [];
  parts.push(verdict(e));
  parts.push(byteStrip(e));
  parts.push(legend());
  parts.push(diagram(e));
  parts.push(fieldTable(e));
  if (e.header && (e.text !== undefined && e.text !== "" || e.unmaskedHex)) parts.push(payloadView(e));
  return parts;
}

// compactExplanation: the verdict, the coloured bytes and the text, with a
// link to the whole explanation in the frame lab.
function compactExplanation(e, hexText, receiver) {
  return [
    verdict(e),
    byteStrip(e, 24),
    legend(),
    e.header ? payloadView(e) : null,
    el("p", { class: "links" }, el("a", {
      href: `#frame?hex=${encodeURIComponent(hexText)}&receiver=${receiver}`, i18n: "echo.openFrame",
    })),
  ].filter(Boolean);
}

// verdict: valid, or every rule broken, each with its RFC section.
function verdict(e) {
  const box = el("div", { class: "verdict", "data-role": "verdict" });
  if (!e.complete) {
    box.append(el("p", { class: "warn" },
      el("strong", { i18n: "frame.incomplete" }), " ",
      el("span", { "data-role": "missing", text: `${e.missing}` }), " ",
      el("span", { i18n: "frame.missingBytes" })));
  }
  if (e.problems.length === 0) {
    box.classList.add("ok");
    box.append(el("p", { class: "ok-line" }, el("strong", { i18n: "frame.valid" }), " ",
      el("span", { class: "muted", i18n: receiverNote(e) })));
  } else {
    box.classList.add("bad");
    box.append(el("p", {}, el("strong", { i18n: "frame.invalid" }), " ",
      el("span", { i18n: "frame.closeWith" }), " ",
      el("code", { "data-role": "close-code", text: `${e.code} (${e.codeName})` })));
    box.append(el("ul", { class: "problems", "data-role": "problems" },
      e.problems.map((p) => el("li", { class: "rule" },
        el("span", { class: "rule-text", text: p.text }), " ",
        rfcLink(p.section, p.source)))));
  }
  if (e.rest > 0) {
    box.append(el("p", { class: "muted" }, el("span", { text: `+${e.rest} ` }), el("span", { i18n: "frame.rest" })));
  }
  return box;
}

function receiverNote() {
  return "frame.validNote";
}

// fieldAt returns the field a bit (0 = top bit of byte 0) or a byte belongs
// to.
function fieldAtBit(fields, bit) {
  return fields.find((f) => bit >= f.bitOffset && bit < f.bitOffset + f.bits);
}
function fieldAtByte(fields, i) {
  return fields.find((f) => i >= f.offset && i < f.offset + f.size && f.offset >= 2);
}

// byteStrip paints the bytes: the two header bytes bit by bit, the others
// as hex, each coloured by the field it belongs to.
function byteStrip(e, maxPayload = MAX_PAYLOAD_CELLS) {
  const strip = el("div", { class: "bytestrip", "data-role": "bytes", role: "list", "i18n-aria-label": "frame.bytesLabel" });
  const bytes = e.bytes;
  const shown = Math.min(bytes.length, (e.headerSize || 2) + maxPayload);
  for (let i = 0; i < shown; i++) {
    const b = bytes[i];
    const hx = b.toString(16).padStart(2, "0");
    if (i < 2) {
      // A header byte: 8 bits, each in its field's colour.
      const bits = el("span", { class: "bits" });
      for (let j = 0; j < 8; j++) {
        const f = fieldAtBit(e.fields, i * 8 + j);
        const name = f ? f.name : "";
        bits.append(el("span", { class: `bit ${FIELD_CLASS[name] || ""}`, "data-field": name || null, title: name, text: (b >> (7 - j)) & 1 }));
      }
      strip.append(el("span", { class: "byte header-byte", role: "listitem", tabindex: "0", title: `byte ${i}` },
        el("span", { class: "hex", text: hx }), bits));
    } else {
      const f = fieldAtByte(e.fields, i);
      const name = f ? f.name : "";
      strip.append(el("span", {
        class: `byte ${FIELD_CLASS[name] || "f-none"}`, role: "listitem", tabindex: "0",
        "data-field": name || null, title: `byte ${i}: ${name}`,
      }, el("span", { class: "hex", text: hx })));
    }
  }
  if (bytes.length > shown) {
    strip.append(el("span", { class: "byte more", text: `… +${bytes.length - shown}` }));
  }
  return strip;
}

function legend() {
  return el("ul", { class: "legend", "i18n-aria-label": "frame.legend" },
    LEGEND.map(([cls, name]) => el("li", { "data-field": name === "RSV1-3" ? "RSV1" : name },
      el("span", { class: `swatch ${cls}` }), name)));
}

// diagram is the base framing diagram of RFC 6455 §5.2, one cell per field,
// 32 bits to a row.
function diagram(e) {
  // Fields this frame does not have (no extended length, no key) are
  // dimmed.
  const present = new Set(e.fields.map((f) => f.name));
  const rows = [
    [["FIN", 1, "F\nI\nN"], ["RSV1", 1, "R\nS\nV\n1"], ["RSV2", 1, "R\nS\nV\n2"], ["RSV3", 1, "R\nS\nV\n3"],
      ["opcode", 4, "opcode\n(4)"], ["MASK", 1, "M\nA\nS\nK"], ["Payload len", 7, "Payload len\n(7)"],
      ["Extended payload length", 16, "Extended payload length\n(16/64)\n(if payload len==126/127)"]],
    [["Extended payload length", 32, "Extended payload length continued, if payload len == 127"]],
    [["Extended payload length", 16, "… continued"], ["Masking-key", 16, "Masking-key, if MASK set to 1"]],
    [["Masking-key", 16, "Masking-key (continued)"], ["Payload Data", 16, "Payload Data"]],
    [["Payload Data", 32, "Payload Data continued …"]],
  ];
  const grid = el("div", { class: "diagram", "data-role": "diagram", "aria-hidden": "true" });
  // Bit numbers as the RFC writes them: tens above units.
  for (let b = 0; b < 32; b++) {
    if (b % 10 === 0) grid.append(el("span", { class: "bitno", text: b / 10, style: `grid-row: 1; grid-column: ${b + 1}` }));
    grid.append(el("span", { class: "bitno", text: b % 10, style: `grid-row: 2; grid-column: ${b + 1}` }));
  }
  let row = 3;
  for (const cells of rows) {
    let col = 1;
    for (const [name, bits, label] of cells) {
      grid.append(el("span", {
        class: `cell ${FIELD_CLASS[name]}${present.has(name) ? "" : " absent"}`, "data-field": name,
        style: `grid-row: ${row}; grid-column: ${col} / span ${bits}`, text: label,
      }));
      col += bits;
    }
    row++;
  }
  return el("figure", { class: "diagram-fig" }, grid,
    el("figcaption", { class: "muted", i18n: "frame.diagramCaption" }));
}

function fieldTable(e) {
  const body = el("tbody");
  for (const f of e.fields) {
    const raw = f.name === "Payload Data" && f.raw.length > 48 ? f.raw.slice(0, 48) + "…" : f.raw;
    body.append(el("tr", { "data-field": f.name, tabindex: "0" },
      el("th", { scope: "row" }, el("span", { class: `swatch ${FIELD_CLASS[f.name] || ""}` }), f.name),
      el("td", { class: "mono", text: where(f) }),
      el("td", { class: "mono raw", text: raw }),
      el("td", { class: "mono", text: String(f.value) }),
      el("td", { text: f.meaning })));
  }
  return el("div", { class: "table-wrap" }, el("table", { class: "fields", "data-role": "fields" },
    el("thead", {}, el("tr", {},
      el("th", { scope: "col", i18n: "frame.colField" }), el("th", { scope: "col", i18n: "frame.colWhere" }),
      el("th", { scope: "col", i18n: "frame.colBits" }), el("th", { scope: "col", i18n: "frame.colValue" }),
      el("th", { scope: "col", i18n: "frame.colMeaning" }))),
    body));
}

// where a field is: bytes for whole-byte fields, bits for the others.
function where(f) {
  if (f.bits % 8 === 0) {
    if (f.size === 0) return "—";
    return f.size === 1 ? `byte ${f.offset}` : `bytes ${f.offset}–${f.offset + f.size - 1}`;
  }
  return f.bits === 1 ? `bit ${f.bitOffset}` : `bits ${f.bitOffset}–${f.bitOffset + f.bits - 1}`;
}

function payloadView(e) {
  const box = el("div", { class: "payload-view" });
  if (e.header.mask) {
    box.append(el("p", {}, el("span", { i18n: "frame.unmasked" }), " ",
      el("code", { class: "bytes", "data-role": "unmasked-hex", text: short(e.unmaskedHex) })));
  }
  if (typeof e.text === "string" && e.text !== "") {
    box.append(el("p", {}, el("span", { i18n: "frame.asText" }), " ",
      el("q", { class: "payload-text", "data-role": "payload-text", text: e.text })));
  }
  return box;
}

function short(s, n = 3 * 64) {
  return s.length > n ? s.slice(0, n) + "…" : s;
}
