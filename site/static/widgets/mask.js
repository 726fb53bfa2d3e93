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
  const asText = e.header.opcodeName === "text" && typeof e.text === "string";
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
  const keyId = uid("mask-key");
  const payloadId = uid("mask-payload");
  const modeId = uid("mask-mode");
  const keyInput = el("input", { id: keyId, class: "mono", size: "13", value: options.key ?? RFC_KEY, spellcheck: "false", autocomplete: "off", "data-role": "key" });
  const payloadInput = el("textarea", { id: payloadId, rows: "2", spellcheck: "false", "data-role": "payload" });
  let mode = options.payloadHex !== undefined && options.payload === undefined ? "hex" : "text";
  payloadInput.value = mode === "hex" ? options.payloadHex : (options.payload ?? "Hello");
  const modeSelect = el("select", { id: modeId, "data-role": "mode" },
    el("option", { value: "text", i18n: "mask.asText" }), el("option", { value: "hex", i18n: "mask.asHex" }));
  modeSelect.value = mode;
  const randomBtn = el("button", { type: "button", i18n: "mask.randomKey" });
  const stepBtn = el("button", { type: "button", i18n: "mask.step", "data-role": "step" });
  const playBtn = el("button", { type: "button", i18n: "mask.play", "data-role": "play" });
  const resetBtn = el("button", { type: "button", i18n: "mask.reset", "data-role": "reset" });
  const allBtn = el("button", { type: "button", i18n: "mask.all", "data-role": "all" });
  const progress = el("span", { class: "progress mono", "data-role": "progress", "aria-live": "polite" });
  const table = el("table", { class: "mask-table", "data-role": "mask-table" });
  const note = el("p", { class: "muted", "data-role": "rows-note" });
  const twice = el("div", { class: "twice", "data-role": "twice" });
  const error = el("p", { class: "error", hidden: true, "data-role": "error" });

  const root = el("div", { class: "widget mask-widget" },
    el("div", { class: "field-grid" },
      el("label", { for: keyId, i18n: "mask.keyLabel" }),
      el("div", { class: "inline" }, keyInput, randomBtn),
      el("label", { for: payloadId, i18n: "mask.payloadLabel" }),
      el("div", { class: "inline" }, payloadInput,
        el("label", { for: modeId, class: "visually-hidden", i18n: "mask.modeLabel" }), modeSelect)),
    el("p", { class: "formula mono" }, "masked[i] = payload[i] XOR key[i mod 4]"),
    el("div", { class: "buttons player" }, stepBtn, playBtn, resetBtn, allBtn, progress),
    error,
    el("div", { class: "table-wrap" }, table),
    note,
    twice);
  element.replaceChildren(root);
  followLang(root);

  let wsplay = null;
  let result = null; // maskSteps' answer for the current inputs
  let step = Number.isInteger(Number(options.step)) && options.step !== undefined && options.step !== "" ? Number(options.step) : Infinity;
  let timer = null;

  function inputs() {
    const key = keyInput.value.trim();
    const payload = mode === "hex" ? { hex: payloadInput.value } : payloadInput.value;
    return { key, payload };
  }

  function compute() {
    if (!wsplay) return;
    const { key, payload } = inputs();
    const r = wsplay.maskSteps(key, payload);
    if (r.error) {
      result = null;
      error.hidden = false;
      // Which field is wrong, in the learner's words, then what is wrong.
      const label = r.error.argument === "key" ? "mask.keyLabel" : "mask.payloadLabel";
      error.replaceChildren(el("span", { i18n: label }), ": ", errorText(r));
      table.replaceChildren();
      twice.replaceChildren();
      note.textContent = "";
      progress.textContent = "";
      return;
    }
    error.hidden = true;
    result = r;
    paint();
  }

  function total() {
    return result ? Math.min(result.rows.length, MAX_ROWS) : 0;
  }

  // paint draws the table with rows < step revealed, the row being worked
  // on marked, and the demonstration below.
  function paint() {
    if (!result) return;
    const n = total();
    const shown = Math.min(step, n);
    const head = el("thead", {}, el("tr", {}, MASK_COLUMNS.map((k) => el("th", { scope: "col", i18n: k }))));
    const body = el("tbody");
    result.rows.slice(0, n).forEach((r, i) => {
      const done = i < shown;
      const tr = el("tr", { class: done ? (i === shown - 1 ? "done current" : "done") : "todo", "data-index": String(i) },
        el("td", { class: "mono", text: r.index }),
        el("td", { class: `mono k${r.keyIndex}`, text: r.keyIndex }),
        el("td", { class: `mono k${r.keyIndex}`, "data-role": "key-byte", text: byteText(r.keyByte) }),
        el("td", { class: "mono", "data-role": "in-byte" }, byteText(r.in), el("span", { class: "ch", text: ` ${r.inChar}` })),
        el("td", { class: "mono bin", text: done ? `${bin(r.in)} ⊕ ${bin(r.keyByte)}` : "" }),
        el("td", { class: "mono out", "data-role": "out-byte", text: done ? byteText(r.out) : "?" }),
        el("td", { class: "mono", "data-role": "out-char", text: done ? r.char : "" }));
      body.append(tr);
    });
    table.replaceChildren(head, body);
    progress.textContent = `${shown} / ${n}`;
    note.textContent = "";
    if (result.rows.length > MAX_ROWS) {
      note.append(el("span", { i18n: "mask.rowsLimited" }), ` (${MAX_ROWS} / ${result.rows.length})`);
    }
    demo();
    const cur = body.querySelector(".current");
    if (cur && timer) cur.scrollIntoView({ block: "nearest" });
    options.onChange?.(stateForLink());
  }

  // demo masks the masked bytes again with the same key: XOR is its own
  // inverse, so this gives the payload back.
  function demo() {
    const { key } = inputs();
    const again = wsplay.mask(key, result.masked);
    const original = wsplay.maskSteps(key, inputs().payload);
    const same = !again.error && again.hex === original.rows.map((r) => byteText(r.in)).join(" ");
    twice.replaceChildren(
      el("h4", { i18n: "mask.twiceTitle" }),
      el("dl", {},
        el("dt", { i18n: "mask.maskedOnce" }), el("dd", {}, el("code", { "data-role": "masked-hex", text: clip(result.maskedHex) })),
        el("dt", { i18n: "mask.maskedTwice" }), el("dd", {}, el("code", { "data-role": "twice-hex", text: again.error ? errorText(again) : clip(again.hex) }))),
      el("p", { class: same ? "ok-line" : "error", "data-role": "twice-verdict" },
        el("strong", { text: same ? "✓ " : "✗ " }), el("span", { i18n: same ? "mask.twiceSame" : "mask.twiceDiffer" })));
  }

  function stateForLink() {
    const { key } = inputs();
    const s = { key };
    if (mode === "hex") s.payloadHex = payloadInput.value.trim(); else s.payload = payloadInput.value;
    if (step !== Infinity && step < total()) s.step = String(step);
    return s;
  }

  function stop() {
    if (timer) { clearInterval(timer); timer = null; }
    setText(playBtn, "mask.play");
  }

  stepBtn.addEventListener("click", () => {
    stop();
    if (step >= total()) step = 0;
    step += 1;
    paint();
  });
  resetBtn.addEventListener("click", () => { stop(); step = 0; paint(); });
  allBtn.addEventListener("click", () => { stop(); step = Infinity; paint(); });
  playBtn.addEventListener("click", () => {
    if (timer) { stop(); return; }
    if (step >= total()) step = 0;
    setText(playBtn, "mask.pause");
    timer = setInterval(() => {
      step += 1;
      paint();
      if (step >= total()) stop();
    }, PLAY_MS);
  });
  for (const input of [keyInput, payloadInput]) input.addEventListener("input", () => { stop(); compute(); });
  modeSelect.addEventListener("change", () => {
    // Keep the same bytes when switching between text and hex.
    if (wsplay && result) {
      if (modeSelect.value === "hex") payloadInput.value = result.rows.map((r) => byteText(r.in)).join(" ");
      else payloadInput.value = new TextDecoder().decode(Uint8Array.from(result.rows, (r) => r.in));
    }
    mode = modeSelect.value;
    compute();
  });
  randomBtn.addEventListener("click", () => {
    const k = crypto.getRandomValues(new Uint8Array(4));
    keyInput.value = Array.from(k, byteText).join(" ");
    compute();
  });

  loadCore().then((w) => { wsplay = w; compute(); },
    (err) => { error.hidden = false; error.textContent = err.message; });
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
