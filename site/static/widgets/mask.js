// mask.js — the masking stepper.
//
// RFC 6455 §5.3: every frame a client sends is masked. The client picks 4
// random bytes, the masking key, writes them in the header, and XORs each
// payload byte i with key byte (i mod 4):
//
//   masked[i] = payload[i] XOR key[i mod 4]
//
// XOR twice with the same byte gives the original back, so the server
// unmasks with the very same loop. Masking is not encryption (the key is
// in the frame); it stops a page from choosing the bytes that cross the
// network, which could poison a badly written proxy's cache (§10.3).
//
// mount(element, {key, payload, payloadHex, step, onChange}): key is 4
// bytes in hex, payload text (or payloadHex bytes), step how many rows are
// revealed (default: all). onChange({key, payload | payloadHex, step}) is
// called when any of them changes, for the page's deep link.

import { loadCore } from "../core.js";
import { el, setText, uid, errorText, followLang, spacedHex } from "../dom.js";

export const RFC_KEY = "37 fa 21 3d";
// The table's columns, as keys of words.json; a lesson's no-JavaScript
// table (lessons/blocks.go, maskColumns) has the same ones.
export const MASK_COLUMNS = ["mask.colIndex", "mask.colKeyIndex", "mask.colKey", "mask.colIn", "mask.colXor", "mask.colOut", "mask.colChar"];
const MAX_ROWS = 64; // a big payload shows its first rows only
const PLAY_MS = 600;

// appendStepper appends to box the masking of a masked frame's payload: a
// link that opens it in the masking panel, then the stepper itself. e is
// the core's explanation of the frame (wsplay.explainFrame), linkRole the
// link's data-role, and note adds the line that says whose key it is. A
// text payload is easier to follow as text; anything else shows as bytes.
export function appendStepper(box, e, { linkRole, note = false }) {
  const key = spacedHex(e.header.keyHex.replace(/\s/g, ""));
  // A compressed payload is DEFLATE bytes, not text: it is masked as hex.
  const asText = e.header.opcodeName === "text" && typeof e.text === "string" && !e.compressed;
  const stepper = el("div");
  box.append(...[
    el("h4", { i18n: "echo.maskTitle" }),
    note ? el("p", { class: "muted", i18n: "echo.maskNote" }) : null,
    el("p", { class: "links" }, el("a", {
      href: asText ? `#mask?key=${encodeURIComponent(key)}&payload=${encodeURIComponent(e.text)}`
        : `#mask?key=${encodeURIComponent(key)}&payloadHex=${encodeURIComponent(e.unmaskedHex)}`,
      "data-role": linkRole, i18n: "echo.openMask",
    })),
    stepper].filter(Boolean));
  mount(stepper, asText ? { key, payload: e.text } : { key, payloadHex: e.unmaskedHex });
}

export function mount(element, options = {}) {
  const mode = options.payloadHex !== undefined && options.payload === undefined ? "hex" : "text";
  const ui = maskControls(options, mode);
  element.replaceChildren(ui.root);
  followLang(ui.root);
  // Everything the stepper's functions share: its elements, the core, the
  // core's answer for the current inputs, the rows revealed.
  const st = {
    ui, options, mode, wsplay: null, result: null, timer: null,
    step: Number.isInteger(Number(options.step)) && options.step !== undefined && options.step !== "" ? Number(options.step) : Infinity,
  };
  listen(st);
  loadCore().then((w) => { st.wsplay = w; compute(st); },
    (err) => { ui.error.hidden = false; ui.error.textContent = err.message; });
}

// maskControls builds the stepper's elements: the key and payload fields,
// the player's buttons, the table, the demonstration.
function maskControls(options, mode) {
  const ids = { key: uid("mask-key"), payload: uid("mask-payload"), mode: uid("mask-mode") };
  const ui = {
    keyInput: el("input", { id: ids.key, class: "mono", size: "13", value: options.key ?? RFC_KEY, spellcheck: "false", autocomplete: "off", "data-role": "key" }),
    payloadInput: el("textarea", { id: ids.payload, rows: "2", spellcheck: "false", "data-role": "payload" }),
    modeSelect: el("select", { id: ids.mode, "data-role": "mode" },
      el("option", { value: "text", i18n: "mask.asText" }), el("option", { value: "hex", i18n: "mask.asHex" })),
    randomBtn: el("button", { type: "button", i18n: "mask.randomKey" }),
    stepBtn: el("button", { type: "button", i18n: "mask.step", "data-role": "step" }),
    playBtn: el("button", { type: "button", i18n: "mask.play", "data-role": "play" }),
    resetBtn: el("button", { type: "button", i18n: "mask.reset", "data-role": "reset" }),
    allBtn: el("button", { type: "button", i18n: "mask.all", "data-role": "all" }),
    progress: el("span", { class: "progress mono", "data-role": "progress", "aria-live": "polite" }),
    table: el("table", { class: "mask-table", "data-role": "mask-table" }),
    note: el("p", { class: "muted", "data-role": "rows-note" }),
    twice: el("div", { class: "twice", "data-role": "twice" }),
    error: el("p", { class: "error", hidden: true, "data-role": "error" }),
  };
  ui.payloadInput.value = mode === "hex" ? options.payloadHex : (options.payload ?? "Hello");
  ui.modeSelect.value = mode;
  ui.root = el("div", { class: "widget mask-widget" },
    el("div", { class: "field-grid" },
      el("label", { for: ids.key, i18n: "mask.keyLabel" }),
      el("div", { class: "inline" }, ui.keyInput, ui.randomBtn),
      el("label", { for: ids.payload, i18n: "mask.payloadLabel" }),
      el("div", { class: "inline" }, ui.payloadInput,
        el("label", { for: ids.mode, class: "visually-hidden", i18n: "mask.modeLabel" }), ui.modeSelect)),
    el("p", { class: "formula mono" }, "masked[i] = payload[i] XOR key[i mod 4]"),
    el("div", { class: "buttons player" }, ui.stepBtn, ui.playBtn, ui.resetBtn, ui.allBtn, ui.progress),
    ui.error,
    el("div", { class: "table-wrap" }, ui.table),
    ui.note,
    ui.twice);
  return ui;
}

// inputs are the key and the payload as the core takes them.
function inputs(st) {
  const key = st.ui.keyInput.value.trim();
  const payload = st.mode === "hex" ? { hex: st.ui.payloadInput.value } : st.ui.payloadInput.value;
  return { key, payload };
}

// compute asks the core for the masking of the current inputs, then paints
// it, or says which field is wrong.
function compute(st) {
  if (!st.wsplay) return;
  const { ui } = st;
  const { key, payload } = inputs(st);
  const r = st.wsplay.maskSteps(key, payload);
  if (r.error) {
    st.result = null;
    ui.error.hidden = false;
    // Which field is wrong, in the learner's words, then what is wrong.
    const label = r.error.argument === "key" ? "mask.keyLabel" : "mask.payloadLabel";
    ui.error.replaceChildren(el("span", { i18n: label }), ": ", errorText(r));
    ui.table.replaceChildren();
    ui.twice.replaceChildren();
    ui.note.textContent = "";
    ui.progress.textContent = "";
    return;
  }
  ui.error.hidden = true;
  st.result = r;
  paint(st);
}

// total is the number of rows the table shows.
function total(st) {
  return st.result ? Math.min(st.result.rows.length, MAX_ROWS) : 0;
}

// paint draws the table with rows < step revealed, the row being worked
// on marked, and the demonstration below.
function paint(st) {
  if (!st.result) return;
  const { ui } = st;
  const n = total(st);
  const shown = Math.min(st.step, n);
  const head = el("thead", {}, el("tr", {}, MASK_COLUMNS.map((k) => el("th", { scope: "col", i18n: k }))));
  const body = el("tbody");
  st.result.rows.slice(0, n).forEach((r, i) => body.append(row(r, i, shown)));
  ui.table.replaceChildren(head, body);
  ui.progress.textContent = `${shown} / ${n}`;
  ui.note.textContent = "";
  if (st.result.rows.length > MAX_ROWS) {
    ui.note.append(el("span", { i18n: "mask.rowsLimited" }), ` (${MAX_ROWS} / ${st.result.rows.length})`);
  }
  demo(st);
  const cur = body.querySelector(".current");
  if (cur && st.timer) cur.scrollIntoView({ block: "nearest" });
  st.options.onChange?.(stateForLink(st));
}

// row is the table's row i: revealed when i < shown, the current one when
// it is the last revealed.
function row(r, i, shown) {
  const done = i < shown;
  return el("tr", { class: done ? (i === shown - 1 ? "done current" : "done") : "todo", "data-index": String(i) },
    el("td", { class: "mono", text: r.index }),
    el("td", { class: `mono k${r.keyIndex}`, text: r.keyIndex }),
    el("td", { class: `mono k${r.keyIndex}`, "data-role": "key-byte", text: byteText(r.keyByte) }),
    el("td", { class: "mono", "data-role": "in-byte" }, byteText(r.in), el("span", { class: "ch", text: ` ${r.inChar}` })),
    el("td", { class: "mono bin", text: done ? `${bin(r.in)} ⊕ ${bin(r.keyByte)}` : "" }),
    el("td", { class: "mono out", "data-role": "out-byte", text: done ? byteText(r.out) : "?" }),
    el("td", { class: "mono", "data-role": "out-char", text: done ? r.char : "" }));
}

// demo masks the masked bytes again with the same key: XOR is its own
// inverse, so this gives the payload back.
function demo(st) {
  const { key, payload } = inputs(st);
  const again = st.wsplay.mask(key, st.result.masked);
  const original = st.wsplay.maskSteps(key, payload);
  const same = !again.error && again.hex === original.rows.map((r) => byteText(r.in)).join(" ");
  st.ui.twice.replaceChildren(
    el("h4", { i18n: "mask.twiceTitle" }),
    el("dl", {},
      el("dt", { i18n: "mask.maskedOnce" }), el("dd", {}, el("code", { "data-role": "masked-hex", text: clip(st.result.maskedHex) })),
      el("dt", { i18n: "mask.maskedTwice" }), el("dd", {}, el("code", { "data-role": "twice-hex", text: again.error ? errorText(again) : clip(again.hex) }))),
    el("p", { class: same ? "ok-line" : "error", "data-role": "twice-verdict" },
      el("strong", { text: same ? "✓ " : "✗ " }), el("span", { i18n: same ? "mask.twiceSame" : "mask.twiceDiffer" })));
}

// stateForLink is what the page's deep link keeps.
function stateForLink(st) {
  const { key } = inputs(st);
  const s = { key };
  if (st.mode === "hex") s.payloadHex = st.ui.payloadInput.value.trim(); else s.payload = st.ui.payloadInput.value;
  if (st.step !== Infinity && st.step < total(st)) s.step = String(st.step);
  return s;
}

// stop stops the player.
function stop(st) {
  if (st.timer) { clearInterval(st.timer); st.timer = null; }
  setText(st.ui.playBtn, "mask.play");
}

// play reveals a row every PLAY_MS, from the first when all are shown; a
// second press pauses.
function play(st) {
  if (st.timer) { stop(st); return; }
  if (st.step >= total(st)) st.step = 0;
  setText(st.ui.playBtn, "mask.pause");
  st.timer = setInterval(() => {
    st.step += 1;
    paint(st);
    if (st.step >= total(st)) stop(st);
  }, PLAY_MS);
}

// switchMode keeps the same bytes when the payload switches between text
// and hex.
function switchMode(st) {
  const { ui } = st;
  if (st.wsplay && st.result) {
    if (ui.modeSelect.value === "hex") ui.payloadInput.value = st.result.rows.map((r) => byteText(r.in)).join(" ");
    else ui.payloadInput.value = new TextDecoder().decode(Uint8Array.from(st.result.rows, (r) => r.in));
  }
  st.mode = ui.modeSelect.value;
  compute(st);
}

// listen wires the controls.
function listen(st) {
  const { ui } = st;
  ui.stepBtn.addEventListener("click", () => {
    stop(st);
    if (st.step >= total(st)) st.step = 0;
    st.step += 1;
    paint(st);
  });
  ui.resetBtn.addEventListener("click", () => { stop(st); st.step = 0; paint(st); });
  ui.allBtn.addEventListener("click", () => { stop(st); st.step = Infinity; paint(st); });
  ui.playBtn.addEventListener("click", () => play(st));
  for (const input of [ui.keyInput, ui.payloadInput]) input.addEventListener("input", () => { stop(st); compute(st); });
  ui.modeSelect.addEventListener("change", () => switchMode(st));
  ui.randomBtn.addEventListener("click", () => {
    const k = crypto.getRandomValues(new Uint8Array(4));
    ui.keyInput.value = Array.from(k, byteText).join(" ");
    compute(st);
  });
}

function byteText(b) {
  return b.toString(16).padStart(2, "0");
}
function bin(b) {
  return b.toString(2).padStart(8, "0");
}
function clip(s, n = 3 * 64) {
  return s.length > n ? s.slice(0, n) + "…" : s;
}
