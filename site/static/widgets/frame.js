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
//
// deflate: true reads the frame on a connection that negotiated
// permessage-deflate (RFC 7692): RSV1 on the first frame of a message then
// says "compressed" and is valid (§6.1), and the payload is inflated. It is
// a visible choice, like the receiver: the bytes alone cannot tell. With
// inflated: {bytes, length} (the live wire passes what /ws/inspect
// reported) the server's inflated message is shown instead of inflating
// here, since with context takeover one message's bytes may refer back to
// earlier messages the frame lab does not have.

import { loadCore } from "../core.js";
import { el, uid, errorText, rfcLink, followLang, hex } from "../dom.js";
import { inflate, saving } from "../deflate.js";

// The field names as explainFrame (and the RFC's diagram) writes them, and
// the colour class of each (the transcript colours its bytes with it too).
export const FIELD_CLASS = {
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

// The field table's columns, as keys of words.json; a lesson's
// no-JavaScript table (lessons/blocks.go, frameColumns) has the same ones.
export const FRAME_COLUMNS = ["frame.colField", "frame.colWhere", "frame.colBits", "frame.colValue", "frame.colMeaning"];

export function mount(element, options = {}) {
  // Who receives the frame decides the masking rule (§5.1): a server must
  // get masked frames, a client unmasked ones. It is always shown, and a
  // choice: given by the caller or the link, or picked by the learner;
  // until then it follows the bytes' own context, the MASK bit (a masked
  // frame comes from a client), so RFC 6455 §5.7's unmasked "Hello" from a
  // server reads as the valid frame it is.
  let chosen = options.receiver === "client" || options.receiver === "server" ? options.receiver : null;
  let receiver = chosen || "server";
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
  const recvWhy = el("span", { class: "muted", "data-role": "receiver-why" });
  // What RSV1 means depends on the handshake, which the bytes do not show.
  let deflate = options.deflate === true;
  let given = options.inflated || null;
  const rsvId = uid("frame-rsv1");
  const rsvSelect = el("select", { id: rsvId, "data-role": "rsv1" },
    el("option", { value: "reserved", i18n: "deflate.rsv1Reserved" }),
    el("option", { value: "compressed", i18n: "deflate.rsv1Compressed" }));
  rsvSelect.value = deflate ? "compressed" : "reserved";
  // Without the hex field the receiver is still on screen, as a line.
  const recvLine = el("p", { class: "receiver-line muted", "data-role": "receiver-line" });
  const out = el("div", { class: "frame-out", "data-role": "frame-out", "aria-live": "polite" });
  const root = el("div", { class: "widget frame-widget" },
    withInput && el("div", { class: "field-row" },
      el("label", { for: hexId, i18n: "frame.hexLabel" }), hexInput),
    withInput && el("div", { class: "field-row inline" },
      el("label", { for: recvId, i18n: "frame.receiverLabel" }), recvSelect, recvWhy),
    withInput && el("div", { class: "field-row inline" },
      el("label", { for: rsvId, i18n: "deflate.rsv1Label" }), rsvSelect,
      el("span", { class: "muted", i18n: "deflate.rsv1Note" })),
    !withInput && recvLine,
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

  // showReceiver says who reads the frame, and why when the bytes chose.
  function showReceiver(maskBit) {
    recvSelect.value = receiver;
    if (chosen) {
      recvWhy.replaceChildren(el("span", { i18n: "frame.receiverNote" }));
    } else {
      recvWhy.replaceChildren(el("span", { i18n: maskBit === "1" ? "frame.autoMasked" : maskBit === "0" ? "frame.autoUnmasked" : "frame.receiverNote" }));
    }
    recvLine.replaceChildren(el("span", { i18n: "frame.receiverLabel" }), ": ",
      el("strong", { "data-role": "receiver-text", i18n: receiver === "server" ? "frame.toServer" : "frame.toClient" }),
      ...(deflate ? [" · ", el("span", { i18n: "deflate.rsv1Label" }), " ",
        el("strong", { "data-role": "rsv1-text", i18n: "deflate.rsv1Compressed" })] : []));
  }

  let wsplay = null;
  function render() {
    if (!wsplay) return;
    const text = hexInput.value.trim();
    if (text === "") {
      showReceiver(null);
      out.replaceChildren(el("p", { class: "muted", i18n: "frame.empty" }));
      return;
    }
    const explain = () => wsplay.explainFrame(text, receiver, "en", { deflate });
    let e = explain();
    if (e.error) {
      // Bad hex: the bridge says which character, where.
      out.replaceChildren(el("p", { class: "error", "data-role": "error" },
        el("span", { i18n: "frame.hexLabel" }), ": ", errorText(e)));
      return;
    }
    const maskBit = e.fields.find((f) => f.name === "MASK")?.value ?? null;
    if (!chosen) {
      const want = maskBit === "0" ? "client" : "server";
      if (want !== receiver) {
        receiver = want;
        e = explain();
      }
    }
    showReceiver(maskBit);
    // The core words each field's meaning in every language; the table
    // shows the page's and follows a change of language.
    e.meaningsZh = wsplay.explainFrame(text, receiver, "zh", { deflate }).fields?.map((f) => f.meaning) ?? [];
    const ctx = { deflate, given };
    const missing = e.complete ? null : whatIsMissing(wsplay, e, receiver);
    out.replaceChildren(...(options.compact ? compactExplanation(e, text, receiver, missing, ctx) : explanation(e, missing, ctx)));
    if (withInput) options.onChange?.({ hex: text, receiver: chosen || undefined, deflate: deflate ? "1" : undefined });
  }
  hexInput.addEventListener("input", () => { given = null; render(); });
  recvSelect.addEventListener("change", () => { chosen = receiver = recvSelect.value; render(); });
  rsvSelect.addEventListener("change", () => { deflate = rsvSelect.value === "compressed"; render(); });

  loadCore().then((w) => { wsplay = w; render(); },
    (err) => out.replaceChildren(el("p", { class: "error", text: err.message })));

  return {
    // show(hex, receiver): another frame; without a receiver, the bytes
    // choose it again.
    show(hexText, recv) {
      hexInput.value = hexText;
      given = null;
      chosen = recv === "client" || recv === "server" ? recv : null;
      if (chosen) receiver = chosen;
      render();
    },
  };
}

// whatIsMissing says what a cut-short frame still lacks, field by field:
// {parts: [{name, n}], total, lengthKnown}. The core's own count (missing)
// reaches only to the next point where the header can be read further, so
// the header is completed with zero bytes and read again by the core, as
// often as needed; the fields that then fall past the real bytes are what
// is missing. When the length itself is among them, the payload's size is
// not known yet.
function whatIsMissing(wsplay, e, receiver) {
  const have = e.size;
  let probe = e;
  const padded = Array.from(e.bytes);
  for (let i = 0; i < 4 && !probe.header; i++) {
    for (let j = 0; j < Math.max(1, probe.missing); j++) padded.push(0);
    probe = wsplay.explainFrame(new Uint8Array(padded), receiver);
    if (probe.error) return null;
  }
  if (!probe.header) return null;
  const parts = [];
  let lengthKnown = true;
  if (have < 2) {
    // Byte 1 holds MASK and the 7-bit length.
    parts.push({ name: "MASK, Payload len", n: 2 - have });
    lengthKnown = false;
  }
  for (const f of probe.fields) {
    if (f.offset < 2 || f.name === "Payload Data") continue; // the bit fields are counted above
    const n = f.offset + f.size - Math.max(have, f.offset);
    if (n <= 0) continue;
    parts.push({ name: f.name, n });
    if (f.name === "Extended payload length") lengthKnown = false;
  }
  if (lengthKnown) {
    const payloadHave = Math.max(0, have - probe.headerSize);
    const n = probe.header.length - payloadHave;
    if (n > 0) parts.push({ name: "Payload Data", n });
  }
  const total = parts.reduce((sum, p) => sum + p.n, 0);
  // The frame's shape (which fields it has, where) once byte 1 is there.
  return { parts, total, lengthKnown, shape: have >= 2 ? probe.fields : null };
}

// explanation returns the elements that explain one explainFrame result.
function explanation(e, missing, ctx) {
  const parts = [];
  // A frame cut short is drawn with the fields it will have, so the bytes
  // that are there get their colours and the diagram lights the right rows.
  const shaped = missing?.shape ? { ...e, fields: missing.shape } : e;
  parts.push(verdict(e, missing));
  parts.push(byteStrip(shaped));
  parts.push(legend());
  parts.push(diagram(shaped));
  parts.push(fieldTable(e));
  if (e.header && (e.text !== undefined && e.text !== "" || e.unmaskedHex)) parts.push(payloadView(e));
  parts.push(...compressionParts(e, ctx));
  return parts;
}

// compressionParts: for a compressed frame, its DEFLATE bytes, the message
// they inflate to and the bytes saved; for a frame with RSV1 read without
// the extension, a pointer to the choice that reads it as compressed.
function compressionParts(e, ctx) {
  if (!e.header) return [];
  if (!ctx.deflate) {
    return e.header.rsv1 && !e.header.control ? [el("p", { class: "note", "data-role": "rsv1-hint", i18n: "deflate.rsv1Hint" })] : [];
  }
  if (!e.compressed) return [];
  const box = el("div", { class: "payload-view inflate-view", "data-role": "inflate" },
    el("p", {}, el("span", { class: "tag", i18n: "deflate.tag" }), " ", el("span", { i18n: "deflate.compressedBytes" }), " ",
      el("code", { class: "bytes", "data-role": "compressed-hex", text: short(e.unmaskedHex) })));
  const result = el("div", { "data-role": "inflate-result" });
  box.append(result);
  if (!e.complete) return [box];
  const show = (bytes, length, sourceKey) => {
    let text = null;
    if (e.header.opcode === 1) {
      // The server reports a long message by its start, which may end
      // inside a character.
      try { text = new TextDecoder("utf-8", { fatal: bytes.length >= length }).decode(bytes); } catch { text = null; }
    }
    const s = saving(e.header.length, length);
    result.replaceChildren(
      el("p", {}, el("span", { i18n: sourceKey }), " ", text !== null
        ? el("q", { class: "payload-text", "data-role": "inflated-text", text: text.length > 2000 ? text.slice(0, 2000) + "…" : text })
        : el("code", { class: "bytes", "data-role": "inflated-hex", text: short(hex(bytes)) })),
      el("p", { class: s.saved >= 0 ? "good" : "muted", "data-role": "saved", "data-saved": String(s.saved), "data-inflated": String(length),
        i18n: s.saved >= 0 ? "deflate.saved" : "deflate.grew",
        args: { wire: s.wire, inflated: s.inflated, saved: s.saved, percent: s.percent, more: -s.saved } }));
  };
  if (ctx.given) {
    show(ctx.given.bytes, ctx.given.length ?? ctx.given.bytes.length, "deflate.inflatedServer");
    return [box];
  }
  result.append(el("p", { class: "muted", i18n: "deflate.inflating" }));
  inflate(e.unmasked).then((bytes) => show(bytes, bytes.length, "deflate.inflatedHere"), (err) => {
    result.replaceChildren(el("p", { class: "error", "data-role": "inflate-error" },
      el("span", { i18n: "deflate.inflateError" }), " ", el("span", { text: err.message })),
    el("p", { class: "muted", i18n: "deflate.inflateContext" }));
  });
  return [box];
}

// compactExplanation: the verdict, the coloured bytes and the text, with a
// link to the whole explanation in the frame lab.
function compactExplanation(e, hexText, receiver, missing, ctx) {
  return [
    verdict(e, missing),
    byteStrip(e, 24),
    legend(),
    e.header ? payloadView(e) : null,
    ...compressionParts(e, ctx),
    el("p", { class: "links" }, el("a", {
      href: `#frame?hex=${encodeURIComponent(hexText)}&receiver=${receiver}${ctx.deflate ? "&deflate=1" : ""}`, i18n: "echo.openFrame",
    })),
  ].filter(Boolean);
}

// verdict: valid; or every rule broken, each with its RFC section; or,
// for a frame cut short that breaks no rule so far, neither: exactly what is
// missing, since a receiver simply waits for the rest.
function verdict(e, missing) {
  const box = el("div", { class: "verdict", "data-role": "verdict" });
  if (!e.complete) {
    const line = el("p", { class: "warn", "data-role": "incomplete", "data-missing": missing ? String(missing.total) : String(e.missing) },
      el("strong", { i18n: "frame.incomplete" }), " ");
    if (missing) {
      line.append(
        el("span", { i18n: missing.lengthKnown ? "frame.needs" : "frame.needsAtLeast", args: { n: missing.total } }), " ",
        el("span", { "data-role": "missing-parts" }, missing.parts.map((p, i) => [
          i ? el("span", { i18n: "frame.listSep" }) : "", el("span", { i18n: "frame.needsPart", args: { n: p.n, field: p.name } })])),
        missing.lengthKnown ? el("span", { i18n: "frame.listEnd" }) : [el("span", { i18n: "frame.listThen" }), el("span", { i18n: "frame.thenPayload" })]);
    } else {
      line.append(el("span", { "data-role": "missing", text: `${e.missing}` }), " ", el("span", { i18n: "frame.missingBytes" }));
    }
    box.append(line);
  }
  if (e.problems.length === 0 && !e.complete) {
    box.classList.add("pending");
    box.append(el("p", { class: "muted", i18n: "frame.incompleteNote" }));
  } else if (e.problems.length === 0) {
    box.classList.add("ok");
    box.append(el("p", { class: "ok-line" }, el("strong", { i18n: "frame.valid" }), " ",
      el("span", { class: "muted", i18n: "frame.validNote" })));
  } else {
    box.classList.add("bad");
    box.append(el("p", {}, el("strong", { i18n: "frame.invalid" }), " ",
      el("span", { i18n: "frame.closeWith" }), " ",
      el("code", { "data-role": "close-code", text: `${e.code} (${e.codeName})` })));
    box.append(el("ul", { class: "problems", "data-role": "problems" },
      e.problems.map((p) => el("li", { class: "rule" },
        el("span", { class: "rule-text", both: { en: p.text, zh: p.textZh } }), " ",
        rfcLink(p.section, p.source)))));
  }
  if (e.rest > 0) {
    box.append(el("p", { class: "muted" }, el("span", { text: `+${e.rest} ` }), el("span", { i18n: "frame.rest" })));
  }
  return box;
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
      // One tab stop per field (its first byte), not one per byte: a
      // 300-byte frame must not put a hundred stops before the next control.
      strip.append(el("span", {
        class: `byte ${FIELD_CLASS[name] || "f-none"}`, role: "listitem", tabindex: f && f.offset === i ? "0" : null,
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
  // dimmed. The RFC draws the 64-bit length; a 16-bit length (Payload len
  // 126) fills only the first row's part, so the rest is dimmed and not
  // part of the field then.
  const present = new Set(e.fields.map((f) => f.name));
  const len7 = e.fields.find((f) => f.name === "Payload len")?.value;
  const ext64 = len7 === "127";
  const EXT64 = "Extended payload length (64-bit)";
  const rows = [
    [["FIN", 1, "F\nI\nN"], ["RSV1", 1, "R\nS\nV\n1"], ["RSV2", 1, "R\nS\nV\n2"], ["RSV3", 1, "R\nS\nV\n3"],
      ["opcode", 4, "opcode\n(4)"], ["MASK", 1, "M\nA\nS\nK"], ["Payload len", 7, "Payload len\n(7)"],
      ["Extended payload length", 16, "Extended payload length\n(16/64)\n(if payload len==126/127)"]],
    [[EXT64, 32, "Extended payload length continued, if payload len == 127"]],
    [[EXT64, 16, "… continued"], ["Masking-key", 16, "Masking-key, if MASK set to 1"]],
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
      const isExt64 = name === EXT64;
      const field = isExt64 ? "Extended payload length" : name;
      const here = isExt64 ? ext64 && present.has(field) : present.has(field);
      grid.append(el("span", {
        class: `cell ${FIELD_CLASS[field]}${here ? "" : " absent"}${isExt64 ? " ext64" : ""}`,
        "data-field": here ? field : null,
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
  e.fields.forEach((f, i) => {
    const raw = f.name === "Payload Data" && f.raw.length > 48 ? f.raw.slice(0, 48) + "…" : f.raw;
    // A long payload's value (hex of a binary or compressed payload) is
    // cut the same way, so that the meaning column stays on screen.
    const value = f.name === "Payload Data" && !String(f.value).startsWith("\"") && String(f.value).length > 48 ? String(f.value).slice(0, 48) + "…" : String(f.value);
    body.append(el("tr", { "data-field": f.name, tabindex: "0" },
      el("th", { scope: "row" }, el("span", { class: `swatch ${FIELD_CLASS[f.name] || ""}` }), f.name),
      el("td", { class: "mono" }, where(f)),
      el("td", { class: "mono raw", text: raw }),
      el("td", { class: "mono", text: value }),
      el("td", { both: { en: f.meaning, zh: e.meaningsZh?.[i] || f.meaning } })));
  });
  return el("div", { class: "table-wrap" }, el("table", { class: "fields", "data-role": "fields" },
    el("thead", {}, el("tr", {}, FRAME_COLUMNS.map((k) => el("th", { scope: "col", i18n: k })))),
    body));
}

// where a field is: bytes for whole-byte fields, bits for the others (as
// the lessons' fallback, lessons/blocks.go fieldWhere, writes it).
export function where(f) {
  if (f.bits % 8 === 0) {
    if (f.size === 0) return el("span", { text: "—" });
    return f.size === 1 ? el("span", { i18n: "frame.whereByte", args: { from: f.offset } })
      : el("span", { i18n: "frame.whereBytes", args: { from: f.offset, to: f.offset + f.size - 1 } });
  }
  return f.bits === 1 ? el("span", { i18n: "frame.whereBit", args: { from: f.bitOffset } })
    : el("span", { i18n: "frame.whereBits", args: { from: f.bitOffset, to: f.bitOffset + f.bits - 1 } });
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
