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
  const id = uid("accept-key");
  const input = el("input", {
    id, class: "mono wide", value: options.key ?? RFC_SAMPLE_KEY,
    spellcheck: "false", autocomplete: "off", "data-role": "key",
  });
  const randomBtn = el("button", { type: "button", i18n: "accept.random" });
  const sampleBtn = el("button", { type: "button", i18n: "accept.sample" });
  const steps = el("ol", { class: "steps", "data-role": "steps" });
  const problem = el("p", { class: "problem", hidden: true, "data-role": "key-problem" });
  const root = el("div", { class: "widget accept-widget" },
    el("div", { class: "field-row" },
      el("label", { for: id, i18n: "accept.keyLabel" }),
      input,
      el("div", { class: "buttons" }, randomBtn, sampleBtn)),
    problem,
    steps);
  element.replaceChildren(root);
  followLang(root);

  loadCore().then((wsplay) => {
    function render() {
      const key = input.value.trim();
      const s = wsplay.acceptSteps(key);
      if (s.error) {
        steps.replaceChildren(el("li", { class: "error", text: errorText(s) }));
        return;
      }
      problem.hidden = !s.keyProblem;
      if (s.keyProblem) {
        // Base64 comes in groups of 4 characters, the last one padded
        // with "=": a key whose length is not a multiple of 4 has lost its
        // padding, and decoders that forgive it silently drop a byte.
        const unpadded = key.length % 4 !== 0 && /^[A-Za-z0-9+/]+$/.test(key);
        problem.replaceChildren(el("strong", { i18n: "accept.keyProblem" }), " ",
          s.keyProblem.rule ? el("span", { both: { en: s.keyProblem.rule, zh: s.keyProblem.ruleZh } }) : s.keyProblem.message, " ",
          rfcLink(s.keyProblem.section, s.keyProblem.source),
          s.keyProblem.detail ? el("span", { class: "detail", text: ` — ${s.keyProblem.detail}.` }) : null,
          unpadded ? el("span", { "data-role": "padding", class: "hint", i18n: "accept.padding",
            args: { n: key.length, pad: 4 - (key.length % 4) } }) : null);
      }
      // The 16 bytes the key stands for: a client picks them at random
      // (§4.1). The server never decodes them; it hashes the text.
      const printable = Array.from(s.keyBytes, (b) => (b >= 32 && b < 127 ? String.fromCharCode(b) : "·")).join("");
      steps.replaceChildren(
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
      options.onChange?.({ key });
    }
    input.addEventListener("input", render);
    randomBtn.addEventListener("click", () => { input.value = wsplay.newKey(); render(); });
    sampleBtn.addEventListener("click", () => { input.value = RFC_SAMPLE_KEY; render(); });
    render();
  }, (err) => {
    steps.replaceChildren(el("li", { class: "error", text: err.message }));
  });
}

function step(titleKey, noteKey, value) {
  return el("li", {},
    el("div", { class: "step-title", i18n: titleKey }),
    el("div", { class: "step-value" }, value),
    el("div", { class: "step-note", i18n: noteKey }));
}
