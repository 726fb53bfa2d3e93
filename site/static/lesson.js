// lesson.js — what the lesson pages do in the browser:
//
//   - keep the learner's progress in localStorage ("wsplay.lessons.progress")
//     and show it on /lessons/ and on each lesson;
//   - check exercises with wsplay's WebAssembly core (globalThis.wsplay);
//   - mount the live widgets with the playground's own modules
//     (/static/widgets/NAME.js), the same code as the playground page;
//   - remember the language switch ("wsplay.lang", as the playground does).
//
// Everything here is an addition to a page that already works: the server
// renders each widget's content (the accept steps, the frame's fields, the
// masking table) with the same core. If JavaScript, a widget module or the
// WebAssembly core is missing, that rendered content stays and nothing breaks.

const PROGRESS_KEY = "wsplay.lessons.progress";
const LANG_KEY = "wsplay.lang";

// ---- progress ---------------------------------------------------------------

// readProgress returns {slug: {solved: [exercise numbers], total, done}}.
export function readProgress() {
  try {
    const p = JSON.parse(localStorage.getItem(PROGRESS_KEY) || "{}");
    return p && typeof p === "object" ? p : {};
  } catch {
    return {};
  }
}

function saveProgress(p) {
  try {
    localStorage.setItem(PROGRESS_KEY, JSON.stringify(p));
  } catch {
    // Private mode or storage full: progress is a convenience, not a must.
  }
}

// solve records that exercise n of the lesson is solved; the lesson is done
// when all its exercises are.
export function solve(slug, n, total) {
  const p = readProgress();
  const entry = p[slug] || { solved: [] };
  if (!entry.solved.includes(n)) entry.solved.push(n);
  entry.total = total;
  entry.done = entry.solved.length >= total;
  if (entry.done && !entry.at) entry.at = new Date().toISOString();
  p[slug] = entry;
  saveProgress(p);
  return entry;
}

// ---- optional modules ---------------------------------------------------------

// optional imports a module, or returns null when it is not there (a page
// served without the playground's modules still works).
async function optional(path) {
  try {
    return await import(path);
  } catch (err) {
    console.info(`lesson.js: ${path} is not available (${err.message}); keeping the server-rendered content`);
    return null;
  }
}

let corePromise = null;

// getCore returns globalThis.wsplay: through the playground's core.js when
// it exists, else by loading the module the way wasm/README.md shows.
export function getCore() {
  if (!corePromise) {
    corePromise = (async () => {
      const mod = await optional("/static/core.js");
      if (mod && typeof mod.loadCore === "function") return await mod.loadCore();
      if (typeof globalThis.wsplay === "object" && globalThis.wsplay) return globalThis.wsplay;
      if (typeof Go !== "function") throw new Error("wasm_exec.js is not loaded");
      const go = new Go();
      const { instance } = await WebAssembly.instantiateStreaming(fetch("/static/wsplay.wasm"), go.importObject);
      go.run(instance); // not awaited: it resolves only when the module exits
      if (typeof globalThis.wsplay !== "object") throw new Error("the WebAssembly core did not start");
      return globalThis.wsplay;
    })();
    corePromise.catch(() => { corePromise = null; }); // let a later try start again
  }
  return corePromise;
}

// ---- checking answers ------------------------------------------------------------

const OPCODES = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 };

// normHex reads hex as people type it ("81 05", "0x81,0x05", "8105") into
// "81 05"; null when it is not hex.
export function normHex(s) {
  const groups = s.trim().split(/[\s,:]+/).filter(Boolean).map(g => g.replace(/^0x/i, ""));
  const joined = groups.join("");
  if (!/^[0-9a-fA-F]*$/.test(joined) || groups.some(g => g.length % 2)) return null;
  return joined.toLowerCase().match(/../g)?.join(" ") ?? "";
}

function parseBool(s) {
  const v = s.trim().toLowerCase();
  if (["1", "yes", "true", "set"].includes(v)) return true;
  if (["0", "no", "false", "clear", "unset"].includes(v)) return false;
  return null;
}

function parseOpcode(s) {
  const v = s.trim().toLowerCase();
  if (v in OPCODES) return OPCODES[v];
  const m = v.match(/^(0x[0-9a-f]+|[0-9]+)\b/);
  return m ? Number(m[1]) : null;
}

function field(e, name) {
  return (e.fields || []).find(f => f.name === name);
}

// check returns {ok, reason} for an answer to an exercise, computed by the
// core: the expected answer is never in the page.
export function check(core, ex, answer) {
  const a = answer.trim();
  if (a === "") return { ok: false, reason: "Type an answer first." };
  switch (ex.kind) {
    case "accept": {
      const s = core.acceptSteps(ex.key);
      if (a === s.accept) return { ok: true, reason: "Right: base64 of the SHA-1 of the key followed by the GUID (RFC 6455 §4.2.2)." };
      if (a.toLowerCase() === s.sha1Hex) return { ok: false, reason: "That is the SHA-1 digest written in hex. Encode its 20 bytes in base64 instead." };
      if (a.length !== 28) return { ok: false, reason: `An Accept value is 28 characters of base64 (20 bytes); yours has ${a.length}.` };
      return { ok: false, reason: "Not the value the core computes. Hash the key's text (not its decoded bytes) followed by the exact GUID 258EAFA5-E914-47DA-95CA-C5AB0DC85B11, then base64 the 20-byte digest." };
    }
    case "decode": {
      const e = core.explainFrame(ex.hex, ex.receiver || "server");
      if (e.error || !e.header) return { ok: false, reason: "The core could not read this frame." };
      const h = e.header;
      switch (ex.field) {
        case "opcode": {
          const got = parseOpcode(a);
          if (got === null) return { ok: false, reason: "Answer with a number (0x1, 1) or a name (text, binary, close, ping, pong, continuation)." };
          return got === h.opcode
            ? { ok: true, reason: `Right: ${field(e, "opcode").meaning}.` }
            : { ok: false, reason: "Not this one. The opcode is the low 4 bits of the first byte (RFC 6455 §5.2): write that byte in binary and read bits 4-7." };
        }
        case "length": {
          if (!/^[0-9]+$/.test(a)) return { ok: false, reason: "Answer with the number of bytes, in decimal." };
          if (a === h.lengthText) return { ok: true, reason: `Right: ${field(e, "Extended payload length")?.meaning || field(e, "Payload len").meaning}.` };
          const len7 = Number(field(e, "Payload len").value);
          if (Number(a) === len7) return { ok: false, reason: `${len7} is the 7-bit Payload len, and ${len7} is not the length itself: it says how many bytes the real length takes (RFC 6455 §5.2).` };
          return { ok: false, reason: "Not this one. Read the extended length as an unsigned big-endian number: the first byte is the most significant." };
        }
        case "text": {
          // A ping's or pong's payload is text too when it is UTF-8.
          let text = e.text;
          if (!text && h.opcode !== 1 && h.opcode !== 0) {
            try { text = new TextDecoder("utf-8", { fatal: true }).decode(e.unmasked); } catch { text = null; }
          }
          return a === text
            ? { ok: true, reason: "Right: the payload bytes, read as UTF-8." }
            : { ok: false, reason: "Not this text. Take the bytes after the header (unmask them first if MASK is 1) and read them as UTF-8." };
        }
        case "masked":
        case "fin": {
          const got = parseBool(a);
          const want = ex.field === "fin" ? h.fin : h.mask;
          if (got === null) return { ok: false, reason: "Answer 1 or 0 (yes or no)." };
          return got === want
            ? { ok: true, reason: `Right: ${field(e, ex.field === "fin" ? "FIN" : "MASK").meaning}.` }
            : { ok: false, reason: `Not this one: look at the ${ex.field === "fin" ? "top bit of the first byte" : "top bit of the second byte"}.` };
        }
      }
      return { ok: false, reason: `This exercise asks for an unknown field ${ex.field}.` };
    }
    case "mask": {
      const got = normHex(a);
      if (got === null) return { ok: false, reason: "Write the masked bytes in hex, e.g. 7f 9f 4d." };
      const want = core.mask(ex.key, { text: ex.payload }).hex;
      if (got === want) return { ok: true, reason: "Right: byte i XOR key byte i mod 4 (RFC 6455 §5.3)." };
      const g = got.split(" "), w = want.split(" ");
      let i = 0;
      while (i < g.length && i < w.length && g[i] === w[i]) i++;
      if (i === w.length) return { ok: false, reason: `The first ${w.length} bytes are right, but there are ${g.length - w.length} too many.` };
      return { ok: false, reason: `${i === 0 ? "The first byte" : `The first ${i} byte${i === 1 ? "" : "s"} are right; byte ${i}`} is not: XOR payload byte ${i} with key byte ${i % 4}.` };
    }
    case "build": {
      if (normHex(a) === null) return { ok: false, reason: "Write the frame in hex, e.g. 81 05 48 65 6c 6c 6f." };
      const masked = parseBool(ex.masked);
      // A masked frame is one a client sends: a server receives it.
      const e = core.explainFrame(a, masked ? "server" : "client");
      if (e.error) return { ok: false, reason: e.error.message };
      const wrong = [];
      if (!e.header) return { ok: false, reason: "That is not even a whole header: a frame starts with at least 2 bytes." };
      const h = e.header;
      if (h.opcode !== OPCODES[ex.opcode] && h.opcodeName !== ex.opcode) wrong.push(`the opcode is ${h.opcodeName}, not ${ex.opcode}`);
      if (!h.fin) wrong.push("FIN is 0, but the whole message is in this frame");
      if (h.mask !== masked) wrong.push(masked ? "MASK is 0, but a client's frame must be masked" : "MASK is 1, but a server's frame is never masked");
      if (!e.complete) wrong.push(`the frame is cut short: ${e.missing} more byte${e.missing === 1 ? "" : "s"} needed`);
      if (e.rest > 0) wrong.push(`there are ${e.rest} byte${e.rest === 1 ? "" : "s"} after the frame: check the payload length`);
      if (e.complete && e.text !== ex.text) wrong.push(`the payload reads ${JSON.stringify(e.text || e.unmaskedHex)}, not ${JSON.stringify(ex.text)}`);
      for (const p of e.problems || []) wrong.push(p.cite);
      return wrong.length === 0
        ? { ok: true, reason: "Right: the core decodes your frame to exactly that, and it breaks no rule." }
        : { ok: false, reason: "Not yet: " + [...new Set(wrong)].join("; ") + "." };
    }
  }
  return { ok: false, reason: `Unknown exercise kind ${ex.kind}.` };
}

// ---- the lesson page ----------------------------------------------------------------

function setupExercises(slug) {
  const exercises = [...document.querySelectorAll(".exercise[data-exercise]")];
  const status = document.querySelector("[data-progress-status]");
  const showStatus = entry => {
    if (!status || !entry) return;
    status.hidden = false;
    status.textContent = entry.done
      ? "✓ Done: you solved this lesson's exercises."
      : `${entry.solved.length} of ${exercises.length} exercises solved.`;
    status.classList.toggle("done", !!entry.done);
  };
  showStatus(readProgress()[slug]);
  exercises.forEach((box, n) => {
    box.classList.add("exercise-live");
    if (readProgress()[slug]?.solved?.includes(n)) box.classList.add("solved");
    const form = box.querySelector("form");
    const result = box.querySelector(".exercise-result");
    form.addEventListener("submit", async ev => {
      ev.preventDefault();
      const answer = form.elements.answer.value;
      result.className = "exercise-result";
      result.textContent = "Checking with the WebAssembly core…";
      let core;
      try {
        core = await getCore();
      } catch (err) {
        result.textContent = `The WebAssembly core did not load (${err.message}), so this answer cannot be checked here.`;
        result.classList.add("unavailable");
        return;
      }
      const ex = { kind: box.dataset.exercise, ...box.dataset };
      const { ok, reason } = check(core, ex, answer);
      result.textContent = (ok ? "✓ " : "✗ ") + reason;
      result.classList.add(ok ? "right" : "wrong");
      if (ok) {
        box.classList.add("solved");
        showStatus(solve(slug, n, exercises.length));
      }
    });
  });
}

// widgetOptions are the options each widget's mount() takes, from the
// block's data- attributes.
function widgetOptions(el) {
  const d = el.dataset;
  switch (d.widget) {
    case "accept": return { key: d.key };
    case "frame": return { hex: d.hex, receiver: d.receiver || "server" };
    case "mask": return { key: d.key, payload: d.payload };
    default: return {};
  }
}

async function mountWidgets() {
  const widgets = document.querySelectorAll(".widget[data-widget]");
  if (widgets.length === 0) return;
  // The widgets compute everything with the core; without it, the
  // server-rendered content (the core's own, computed on the server) is
  // better than a widget that can only say the core is missing.
  try {
    await getCore();
  } catch (err) {
    console.info(`lesson.js: no WebAssembly core (${err.message}); keeping the server-rendered widgets`);
    return;
  }
  for (const el of widgets) {
    const mod = await optional(`/static/widgets/${el.dataset.widget}.js`);
    if (!mod || typeof mod.mount !== "function") continue;
    const live = document.createElement("div");
    live.className = "widget-live";
    el.append(live);
    try {
      await mod.mount(live, widgetOptions(el));
      el.classList.add("widget-mounted");
    } catch (err) {
      console.warn(`lesson.js: the ${el.dataset.widget} widget failed (${err.message}); keeping the server-rendered content`);
      live.remove();
    }
  }
}

// ---- language -----------------------------------------------------------------------

async function setupLanguage() {
  const root = document.documentElement;
  const i18n = await optional("/static/i18n.js");
  const setLang = l => {
    if (i18n && typeof i18n.setLang === "function") i18n.setLang(l);
    else try { localStorage.setItem(LANG_KEY, l); } catch { /* ignore */ }
  };
  for (const a of document.querySelectorAll("[data-lang-switch]")) {
    if (a.tagName === "A") {
      a.addEventListener("click", () => setLang(a.dataset.langSwitch));
    } else {
      // No translation of this lesson yet: say so when it is chosen.
      a.tabIndex = 0;
      a.setAttribute("role", "note");
    }
  }
  // Follow the remembered language when the URL does not choose one and
  // this lesson has that translation.
  let want = null;
  try {
    want = i18n && typeof i18n.lang === "function" ? i18n.lang() : localStorage.getItem(LANG_KEY);
  } catch { /* ignore */ }
  const params = new URLSearchParams(location.search);
  const have = (root.dataset.translated || "").split(" ");
  if (want && want !== root.dataset.lang && !params.has("lang") &&
      (root.dataset.page === "index" || have.includes(want))) {
    params.set("lang", want);
    if (want === "en") params.delete("lang");
    const q = params.toString();
    location.replace(location.pathname + (q ? "?" + q : "") + location.hash);
  }
}

// ---- the index ------------------------------------------------------------------------

function showIndexProgress() {
  const p = readProgress();
  const items = [...document.querySelectorAll(".course-item[data-slug]")];
  let done = 0;
  for (const li of items) {
    const entry = p[li.dataset.slug];
    const mark = li.querySelector("[data-done-mark]");
    if (entry?.done) {
      done++;
      li.classList.add("done");
      if (mark) mark.hidden = false;
    } else if (entry?.solved?.length) {
      li.classList.add("started");
    }
  }
  const reset = document.querySelector("[data-reset-progress]");
  if (reset && Object.keys(p).length > 0) {
    reset.hidden = false;
    reset.onclick = () => {
      try { localStorage.removeItem(PROGRESS_KEY); } catch { /* ignore */ }
      for (const li of items) {
        li.classList.remove("done", "started");
        const mark = li.querySelector("[data-done-mark]");
        if (mark) mark.hidden = true;
      }
      reset.hidden = true;
      showIndexProgress();
    };
  }
  const summary = document.querySelector("[data-course-progress]");
  if (summary) {
    summary.hidden = false;
    summary.textContent = document.documentElement.lang === "zh"
      ? `已完成 ${done} / ${items.length} 课。`
      : `${done} of ${items.length} lessons done.`;
  }
}

// ---- start ---------------------------------------------------------------------------

async function main() {
  const root = document.documentElement;
  root.classList.add("js");
  await setupLanguage();
  if (root.dataset.page === "index") {
    showIndexProgress();
  } else if (root.dataset.page === "lesson") {
    setupExercises(root.dataset.lesson);
    await mountWidgets();
  }
  root.dataset.ready = "true";
}

main();
