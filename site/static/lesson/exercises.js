// exercises.js — checking a lesson's exercises with wsplay's core.
//
// check(core, exercise, answer, lang) returns {ok, reason}: the expected
// answer is computed by the core (globalThis.wsplay) from the exercise's
// question, never written in the page. reason is in lang, from words.json;
// a rule the answer breaks is the core's own text of it, with its section,
// shown once.

import { text } from "../catalog.js";
import { normHex, parseOpcode } from "../bytes.js";

// parseBool reads yes/no answers: 1, yes, true, set / 0, no, false, clear.
export function parseBool(s) {
  const v = String(s).trim().toLowerCase();
  if (["1", "yes", "true", "set"].includes(v)) return true;
  if (["0", "no", "false", "clear", "unset"].includes(v)) return false;
  return null;
}

function field(e, name) {
  return (e.fields || []).find((f) => f.name === name);
}

// ruleText is a broken rule as the core gives it, in lang when the core has
// that language (textZh, …), else in English, with its section.
export function ruleText(p, lang) {
  const key = "text" + lang.charAt(0).toUpperCase() + lang.slice(1);
  return `${(lang !== "en" && p[key]) || p.text} (${p.source})`;
}

// check returns {ok, reason} for an answer to an exercise. ex holds the
// exercise's data- attributes: kind, and key, hex, field, receiver,
// payload, opcode, text or masked as the kind needs.
export function check(core, ex, answer, lang) {
  const say = (key, args) => text(lang, key, args);
  const no = (key, args) => ({ ok: false, reason: say(key, args) });
  const yes = (key, args) => ({ ok: true, reason: say(key, args) });
  const a = answer.trim();
  if (a === "") return no("exercise.empty");
  switch (ex.kind) {
    case "accept": {
      const s = core.acceptSteps(ex.key);
      if (a === s.accept) return yes("exercise.acceptRight");
      if (a.toLowerCase() === s.sha1Hex) return no("exercise.acceptHex");
      if (a.length !== 28) return no("exercise.acceptLength", { n: a.length });
      return no("exercise.acceptWrong");
    }
    case "decode":
      return checkDecode(core, ex, a, say);
    case "mask": {
      const got = normHex(a);
      if (got === null) return no("exercise.maskForm");
      const want = core.mask(ex.key, { text: ex.payload }).hex;
      if (got === want) return yes("exercise.maskRight");
      const g = got.split(" "), w = want.split(" ");
      let i = 0;
      while (i < g.length && i < w.length && g[i] === w[i]) i++;
      if (i === w.length) return no("exercise.maskTooMany", { n: w.length, extra: g.length - w.length });
      return i === 0 ? no("exercise.maskWrongFirst") : no("exercise.maskWrong", { n: i, j: i % 4 });
    }
    case "build":
      return checkBuild(core, ex, a, lang, say);
  }
  return no("exercise.unknownKind", { kind: ex.kind });
}

// checkDecode checks the answer to "what is this field of this frame?".
function checkDecode(core, ex, a, say) {
  const no = (key, args) => ({ ok: false, reason: say(key, args) });
  const right = (f) => ({ ok: true, reason: say("exercise.right", { meaning: f.meaning }) });
  const e = core.explainFrame(ex.hex, ex.receiver || "server");
  if (e.error || !e.header) return no("exercise.unreadable");
  const h = e.header;
  switch (ex.field) {
    case "opcode": {
      const got = parseOpcode(a);
      if (got === null) return no("exercise.opcodeForm");
      return got === h.opcode ? right(field(e, "opcode")) : no("exercise.opcodeWrong");
    }
    case "length": {
      if (!/^[0-9]+$/.test(a)) return no("exercise.lengthForm");
      if (a === h.lengthText) return right(field(e, "Extended payload length") || field(e, "Payload len"));
      const len7 = Number(field(e, "Payload len").value);
      if (len7 >= 126 && Number(a) === len7) return no("exercise.length7", { n: len7 });
      return no("exercise.lengthWrong");
    }
    case "text": {
      // A ping's or pong's payload is text too when it is UTF-8.
      let text = e.text;
      if (!text && h.opcode !== 1 && h.opcode !== 0) {
        try { text = new TextDecoder("utf-8", { fatal: true }).decode(e.unmasked); } catch { text = null; }
      }
      return a === text ? { ok: true, reason: say("exercise.textRight") } : no("exercise.textWrong");
    }
    case "masked":
    case "fin": {
      const got = parseBool(a);
      const fin = ex.field === "fin";
      if (got === null) return no("exercise.bitForm");
      if (got === (fin ? h.fin : h.mask)) return right(field(e, fin ? "FIN" : "MASK"));
      return no(fin ? "exercise.bitWrongFin" : "exercise.bitWrongMask");
    }
  }
  return no("exercise.unknownField", { field: ex.field });
}

// checkBuild checks a frame the learner wrote in hex against what the
// exercise asks for. What the core finds wrong with the frame (a client's
// frame not masked, a server's masked, a reserved bit set…) is said once,
// in the core's words; the list adds only what the core cannot know: the
// message the exercise asked for.
function checkBuild(core, ex, a, lang, say) {
  if (normHex(a) === null) return { ok: false, reason: say("exercise.buildForm") };
  const masked = parseBool(ex.masked);
  // A masked frame is one a client sends: a server receives it.
  const e = core.explainFrame(a, masked ? "server" : "client");
  if (e.error) return { ok: false, reason: e.error.message };
  if (!e.header) return { ok: false, reason: say("exercise.noHeader") };
  const h = e.header;
  const wrong = [];
  if (h.opcode !== parseOpcode(ex.opcode) && h.opcodeName !== ex.opcode) wrong.push(say("exercise.opcodeIs", { got: h.opcodeName, want: ex.opcode }));
  if (!h.fin) wrong.push(say("exercise.finZero"));
  if (!e.complete) wrong.push(say("exercise.cutShort", { n: e.missing }));
  if (e.rest > 0) wrong.push(say("exercise.after", { n: e.rest }));
  if (e.complete && e.text !== ex.text) wrong.push(say("exercise.payloadReads", { got: JSON.stringify(e.text || e.unmaskedHex), want: JSON.stringify(ex.text) }));
  for (const p of e.problems || []) wrong.push(ruleText(p, lang));
  return wrong.length === 0
    ? { ok: true, reason: say("exercise.buildRight") }
    : { ok: false, reason: say("exercise.notYet", { list: [...new Set(wrong)].join(say("exercise.listSep")) }) };
}
