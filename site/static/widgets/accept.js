// accept.js — how a Sec-WebSocket-Key becomes a Sec-WebSocket-Accept.
//
// RFC 6455 §4.2.2: the server appends the GUID
// 258EAFA5-E914-47DA-95CA-C5AB0DC85B11 to the key the client sent, hashes
// that text with SHA-1 and sends the base64 of the 20-byte digest back. A
// client that gets any other value knows the server did not understand
// WebSocket (or is a cache replaying an old answer), and gives up.
//
// mount(element, {key, onChange}) shows a key field and every step,
// computed by the Go core (wsplay.acceptSteps). onChange({key}) is called
// when the key changes, for the page's deep link.

import { loadCore } from "../core.js";
import { el, hex, uid, errorText, rfcLink, followLang } from "../dom.js";

export const RFC_SAMPLE_KEY = "dGhlIHNhbXBsZSBub25jZQ==";

export function mount(element, options = {}) {
  const ui = acceptControls(options);
  element.replaceChildren(ui.root);
  followLang(ui.root);
  loadCore().then((wsplay) => {
    const render = () => {
      showSteps(ui, wsplay.acceptSteps(ui.input.value.trim()));
      options.onChange?.({ key: ui.input.value.trim() });
    };
    ui.input.addEventListener("input", render);
    ui.randomBtn.addEventListener("click", () => { ui.input.value = wsplay.newKey(); render(); });
    ui.sampleBtn.addEventListener("click", () => { ui.input.value = RFC_SAMPLE_KEY; render(); });
    render();
  }, (err) => {
    ui.steps.replaceChildren(el("li", { class: "error", text: err.message }));
  });
}

// acceptControls builds the widget's elements: the key field and its
// buttons, the line for a bad key, the list of steps.
function acceptControls(options) {
  const id = uid("accept-key");
  const ui = {
    input: el("input", { id, class: "mono wide", value: options.key ?? RFC_SAMPLE_KEY, spellcheck: "false", autocomplete: "off", "data-role": "key" }),
    randomBtn: el("button", { type: "button", i18n: "accept.random" }),
    sampleBtn: el("button", { type: "button", i18n: "accept.sample" }),
    steps: el("ol", { class: "steps", "data-role": "steps" }),
    problem: el("p", { class: "problem", hidden: true, "data-role": "key-problem" }),
  };
  ui.root = el("div", { class: "widget accept-widget" },
    el("div", { class: "field-row" },
      el("label", { for: id, i18n: "accept.keyLabel" }),
      ui.input,
      el("div", { class: "buttons" }, ui.randomBtn, ui.sampleBtn)),
    ui.problem,
    ui.steps);
  return ui;
}

// showSteps shows the core's steps for a key (wsplay.acceptSteps): the
// four steps of §4.2.2, and what is wrong with the key, if anything. A
// lesson's no-JavaScript fallback (lessons/blocks.go, writeAcceptSteps)
// shows the same steps with the same words.
function showSteps(ui, s) {
  if (s.error) {
    ui.steps.replaceChildren(el("li", { class: "error", text: errorText(s) }));
    return;
  }
  ui.problem.hidden = !s.keyProblem;
  if (s.keyProblem) ui.problem.replaceChildren(...keyProblem(s.key, s.keyProblem));
  // The 16 bytes the key stands for: a client picks them at random
  // (§4.1). The server never decodes them; it hashes the text.
  const printable = Array.from(s.keyBytes, (b) => (b >= 32 && b < 127 ? String.fromCharCode(b) : "·")).join("");
  ui.steps.replaceChildren(
    step("accept.step1", "accept.step1Note", [
      el("code", { class: "bytes", "data-role": "key-bytes", text: hex(s.keyBytes) }),
      // A bad key shows what could be read, and says it is not 16 bytes.
      s.keyProblem
        ? el("span", { class: "error", "data-role": "key-bytes-count", i18n: "accept.bytesNot16", args: { n: s.keyBytes.length } })
        : el("span", { class: "muted", "data-role": "key-bytes-count", i18n: "accept.bytesCount", args: { n: s.keyBytes.length, text: printable } }),
    ]),
    step("accept.step2", "accept.step2Note", [
      el("code", { class: "concat", "data-role": "concatenated" },
        el("span", { class: "c-key", text: s.key }),
        el("span", { class: "c-guid", text: s.guid })),
    ]),
    step("accept.step3", "accept.step3Note", [
      el("code", { class: "bytes", "data-role": "sha1", text: s.sha1Hex }),
    ]),
    step("accept.step4", "accept.step4Note", [
      el("code", { class: "result", "data-role": "accept", text: s.accept }),
    ]),
  );
}

// keyProblem says what is wrong with a key: the core's rule, its section,
// and a hint when the base64 padding is missing.
function keyProblem(key, p) {
  // Base64 comes in groups of 4 characters, the last one padded with "=":
  // a key whose length is not a multiple of 4 has lost its padding, and
  // decoders that forgive it silently drop a byte.
  const unpadded = key.length % 4 !== 0 && /^[A-Za-z0-9+/]+$/.test(key);
  return [el("strong", { i18n: "accept.keyProblem" }), " ",
    p.rule ? el("span", { both: { en: p.rule, zh: p.ruleZh } }) : p.message, " ",
    rfcLink(p.section, p.source),
    p.detail ? el("span", { class: "detail", text: ` — ${p.detail}.` }) : null,
    unpadded ? el("span", { "data-role": "padding", class: "hint", i18n: "accept.padding",
      args: { n: key.length, pad: 4 - (key.length % 4) } }) : null].filter((x) => x !== null);
}

function step(titleKey, noteKey, value) {
  return el("li", {},
    el("div", { class: "step-title", i18n: titleKey }),
    el("div", { class: "step-value" }, value),
    el("div", { class: "step-note", i18n: noteKey }));
}
