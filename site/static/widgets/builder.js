// builder.js — build a frame from its fields and see its bytes.
//
// Set FIN, the RSV bits, the opcode, the MASK bit and key, and the payload;
// the Go core (wsplay.buildFrame) writes the header exactly as the server
// would, and the frame view below explains the result. The builder lets you
// make invalid frames on purpose (a reserved opcode, a fragmented ping, an
// unmasked frame from a client) to see which rule each one breaks.
//
// Who sends the frame is a choice of its own ("Sent by"): it decides the
// masking rule the frame is judged by (§5.1). Choosing the sender sets MASK
// to what that sender must do; unchecking MASK afterwards keeps the sender,
// so a client's unmasked frame shows "a client must mask".
//
// mount(element, {onChange}) — onChange({hex}) after each build.

import { loadCore } from "../core.js";
import { el, uid, errorText, followLang, opcodeName } from "../dom.js";
import { mount as mountFrame } from "./frame.js";

// Every opcode a header can hold, reserved ones included (RFC 6455 §5.2).
const OPCODES = Array.from({ length: 16 }, (_, n) => [n, opcodeName(n)]);

export function mount(element, options = {}) {
  const ids = { fin: uid("b-fin"), rsv1: uid("b-rsv1"), rsv2: uid("b-rsv2"), rsv3: uid("b-rsv3"), op: uid("b-op"), mask: uid("b-mask"), key: uid("b-key"), payload: uid("b-payload"), mode: uid("b-mode"), recv: uid("b-recv") };
  const check = (id, checked, role) => el("input", { type: "checkbox", id, checked, "data-role": role });
  const fin = check(ids.fin, true, "fin");
  const rsv1 = check(ids.rsv1, false, "rsv1");
  const rsv2 = check(ids.rsv2, false, "rsv2");
  const rsv3 = check(ids.rsv3, false, "rsv3");
  const opcode = el("select", { id: ids.op, "data-role": "opcode" },
    OPCODES.map(([n, name]) => el("option", { value: String(n), text: `${n} (0x${n.toString(16)}) ${name}` })));
  opcode.value = "1";
  const mask = check(ids.mask, true, "mask");
  const sender = el("select", { id: ids.recv, "data-role": "sender" },
    el("option", { value: "client", i18n: "builder.fromClient" }),
    el("option", { value: "server", i18n: "builder.fromServer" }));
  sender.value = "client";
  const key = el("input", { id: ids.key, class: "mono", value: "37 fa 21 3d", size: "12", spellcheck: "false", "data-role": "key" });
  const randomKey = el("button", { type: "button", i18n: "mask.randomKey" });
  const payload = el("textarea", { id: ids.payload, rows: "2", spellcheck: "false", "data-role": "payload" });
  payload.value = "Hello";
  const mode = el("select", { id: ids.mode, "data-role": "mode" },
    el("option", { value: "text", i18n: "mask.asText" }), el("option", { value: "hex", i18n: "mask.asHex" }));
  const hexOut = el("output", { class: "mono hex-out", "data-role": "built-hex", for: Object.values(ids).join(" ") });
  const error = el("p", { class: "error", hidden: true, "data-role": "error" });
  const view = el("div");

  const root = el("div", { class: "widget builder-widget" },
    el("fieldset", { class: "builder-fields" },
      el("legend", { i18n: "builder.fields" }),
      el("div", { class: "checks" },
        el("label", { for: ids.fin, class: "check" }, fin, " FIN"),
        el("label", { for: ids.rsv1, class: "check" }, rsv1, " RSV1"),
        el("label", { for: ids.rsv2, class: "check" }, rsv2, " RSV2"),
        el("label", { for: ids.rsv3, class: "check" }, rsv3, " RSV3"),
        el("label", { for: ids.mask, class: "check" }, mask, " MASK")),
      el("div", { class: "field-grid" },
        el("label", { for: ids.recv, i18n: "builder.sender" }), sender,
        el("label", { for: ids.op, text: "opcode" }), opcode,
        el("label", { for: ids.key, i18n: "mask.keyLabel" }), el("div", { class: "inline" }, key, randomKey),
        el("label", { for: ids.payload, i18n: "builder.payload" }),
        el("div", { class: "inline" }, payload,
          el("label", { for: ids.mode, class: "visually-hidden", i18n: "mask.modeLabel" }), mode))),
    el("div", { class: "built" }, el("span", { class: "label", i18n: "builder.bytes" }), " ", hexOut,
      el("a", { class: "button-link", href: "#frame", "data-role": "open-decoder", i18n: "builder.openDecoder" })),
    error,
    view);
  element.replaceChildren(root);
  followLang(root);

  const frameView = mountFrame(view, { input: false, receiver: "server" });
  const openLink = root.querySelector("[data-role=open-decoder]");

  let wsplay = null;
  function build() {
    if (!wsplay) return;
    key.disabled = !mask.checked;
    const opts = {
      fin: fin.checked, rsv1: rsv1.checked, rsv2: rsv2.checked, rsv3: rsv3.checked,
      opcode: Number(opcode.value), mask: mask.checked,
      payload: mode.value === "hex" ? { hex: payload.value } : payload.value,
    };
    if (mask.checked) opts.key = key.value;
    const r = wsplay.buildFrame(opts);
    if (r.error) {
      error.hidden = false;
      // Which field is wrong, in the learner's words, then what is wrong.
      const label = { key: "mask.keyLabel", payload: "builder.payload" }[r.error.argument] || "builder.fields";
      error.replaceChildren(el("span", { i18n: label }), ": ", errorText(r));
      return;
    }
    error.hidden = true;
    hexOut.textContent = r.hex;
    // The other side receives it, and judges it by its rules.
    const receiver = sender.value === "client" ? "server" : "client";
    frameView.show(r.hex, receiver);
    openLink.href = `#frame?hex=${encodeURIComponent(r.hex)}&receiver=${receiver}`;
    options.onChange?.({ hex: r.hex });
  }
  for (const e of [fin, rsv1, rsv2, rsv3, opcode, mask, mode]) e.addEventListener("change", build);
  sender.addEventListener("change", () => {
    mask.checked = sender.value === "client"; // what this sender must do (§5.1)
    build();
  });
  for (const e of [key, payload]) e.addEventListener("input", build);
  randomKey.addEventListener("click", () => {
    key.value = Array.from(crypto.getRandomValues(new Uint8Array(4)), (b) => b.toString(16).padStart(2, "0")).join(" ");
    build();
  });
  loadCore().then((w) => { wsplay = w; build(); },
    (err) => { error.hidden = false; error.textContent = err.message; });
}
