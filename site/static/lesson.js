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

// The words of the verdicts, in the page's language. The rule texts come
// from the core in both languages (ruleCite); field meanings are English.
const WORDS = {
  en: {
    empty: () => "Type an answer first.",
    acceptRight: () => "Right: base64 of the SHA-1 of the key followed by the GUID (RFC 6455 §4.2.2).",
    acceptHex: () => "That is the SHA-1 digest written in hex. Encode its 20 bytes in base64 instead.",
    acceptLength: n => `An Accept value is 28 characters of base64 (20 bytes); yours has ${n}.`,
    acceptWrong: () => "Not the value the core computes. Hash the key's text (not its decoded bytes) followed by the exact GUID 258EAFA5-E914-47DA-95CA-C5AB0DC85B11, then base64 the 20-byte digest.",
    unreadable: () => "The core could not read this frame.",
    right: m => `Right: ${m}.`,
    opcodeForm: () => "Answer with a number (0x1, 1) or a name (text, binary, close, ping, pong, continuation).",
    opcodeWrong: () => "Not this one. The opcode is the low 4 bits of the first byte (RFC 6455 §5.2): write that byte in binary and read bits 4-7.",
    lengthForm: () => "Answer with the number of bytes, in decimal.",
    length7: n => `${n} is the 7-bit Payload len, and ${n} is not the length itself: it says how many bytes the real length takes (RFC 6455 §5.2).`,
    lengthWrong: () => "Not this one. Read the extended length as an unsigned big-endian number: the first byte is the most significant.",
    textRight: () => "Right: the payload bytes, read as UTF-8.",
    textWrong: () => "Not this text. Take the bytes after the header (unmask them first if MASK is 1) and read them as UTF-8.",
    bitForm: () => "Answer 1 or 0 (yes or no).",
    bitWrong: fin => `Not this one: look at the top bit of the ${fin ? "first" : "second"} byte.`,
    unknownField: f => `This exercise asks for an unknown field ${f}.`,
    maskForm: () => "Write the masked bytes in hex, e.g. 7f 9f 4d.",
    maskRight: () => "Right: byte i XOR key byte i mod 4 (RFC 6455 §5.3).",
    maskTooMany: (n, extra) => `The first ${n} bytes are right, but there are ${extra} too many.`,
    maskWrong: i => `${i === 0 ? "The first byte" : `The first ${i} byte${i === 1 ? " is" : "s are"} right; byte ${i}`} is not: XOR payload byte ${i} with key byte ${i % 4}.`,
    buildForm: () => "Write the frame in hex, e.g. 81 05 48 65 6c 6c 6f.",
    noHeader: () => "That is not even a whole header: a frame starts with at least 2 bytes.",
    opcodeIs: (got, want) => `the opcode is ${got}, not ${want}`,
    finZero: () => "FIN is 0, but the whole message is in this frame",
    maskZero: () => "MASK is 0, but a client's frame must be masked",
    maskOne: () => "MASK is 1, but a server's frame is never masked",
    cutShort: n => `the frame is cut short: ${n} more byte${n === 1 ? "" : "s"} needed`,
    after: n => `there are ${n} byte${n === 1 ? "" : "s"} after the frame: check the payload length`,
    payloadReads: (got, want) => `the payload reads ${got}, not ${want}`,
    buildRight: () => "Right: the core decodes your frame to exactly that, and it breaks no rule.",
    notYet: list => "Not yet: " + list.join("; ") + ".",
    unknownKind: k => `Unknown exercise kind ${k}.`,
    checking: () => "Checking with the WebAssembly core…",
    noCore: m => `The WebAssembly core did not load (${m}), so this answer cannot be checked here.`,
    done: () => "✓ Done: you solved this lesson's exercises.",
    solved: (n, total) => `${n} of ${total} exercises solved.`,
    courseDone: (n, total) => `${n} of ${total} lessons done.`,
  },
  zh: {
    empty: () => "请先输入答案。",
    acceptRight: () => "正确：密钥后接 GUID，取 SHA-1，再做 base64（RFC 6455 §4.2.2）。",
    acceptHex: () => "这是十六进制写出的 SHA-1 摘要。请改为对这 20 个字节做 base64 编码。",
    acceptLength: n => `Accept 值是 28 个 base64 字符（20 个字节）；你的答案有 ${n} 个。`,
    acceptWrong: () => "与核心计算的值不同。请对密钥的文本（不是解码后的字节）接上准确的 GUID 258EAFA5-E914-47DA-95CA-C5AB0DC85B11 计算 SHA-1，再对 20 字节的摘要做 base64。",
    unreadable: () => "核心无法读取这个帧。",
    right: m => `正确：${m}。`,
    opcodeForm: () => "请回答一个数字（0x1、1）或名称（text、binary、close、ping、pong、continuation）。",
    opcodeWrong: () => "不对。opcode 是第一个字节的低 4 位（RFC 6455 §5.2）：把这个字节写成二进制，读第 4–7 位。",
    lengthForm: () => "请用十进制写出字节数。",
    length7: n => `${n} 是 7 位的 Payload len，它不是长度本身：它说明真正的长度占几个字节（RFC 6455 §5.2）。`,
    lengthWrong: () => "不对。把扩展长度当作无符号大端序整数读取：第一个字节是最高位。",
    textRight: () => "正确：负载字节按 UTF-8 读出的文本。",
    textWrong: () => "文本不对。取帧头之后的字节（MASK 为 1 时先去掩码），按 UTF-8 读取。",
    bitForm: () => "请回答 1 或 0（是或否）。",
    bitWrong: fin => `不对：看${fin ? "第一个" : "第二个"}字节的最高位。`,
    unknownField: f => `这道练习要求一个未知字段 ${f}。`,
    maskForm: () => "请用十六进制写出掩码后的字节，例如 7f 9f 4d。",
    maskRight: () => "正确：第 i 个字节与掩码键第 i mod 4 个字节异或（RFC 6455 §5.3）。",
    maskTooMany: (n, extra) => `前 ${n} 个字节正确，但多了 ${extra} 个。`,
    maskWrong: i => `${i === 0 ? "第一个字节" : `前 ${i} 个字节正确；第 ${i} 个字节`}不对：把负载第 ${i} 个字节与掩码键第 ${i % 4} 个字节异或。`,
    buildForm: () => "请用十六进制写出整个帧，例如 81 05 48 65 6c 6c 6f。",
    noHeader: () => "这连完整的帧头都不是：一个帧至少有 2 个字节。",
    opcodeIs: (got, want) => `opcode 是 ${got}，不是 ${want}`,
    finZero: () => "FIN 为 0，但整条消息都在这个帧里",
    maskZero: () => "MASK 为 0，但客户端的帧必须加掩码",
    maskOne: () => "MASK 为 1，但服务器的帧从不加掩码",
    cutShort: n => `帧不完整：还需要 ${n} 个字节`,
    after: n => `帧之后还有 ${n} 个字节：检查负载长度`,
    payloadReads: (got, want) => `负载是 ${got}，不是 ${want}`,
    buildRight: () => "正确：核心把你的帧解码成的正是这些，而且没有违反任何规则。",
    notYet: list => "还不对：" + list.join("；") + "。",
    unknownKind: k => `未知的练习类型 ${k}。`,
    checking: () => "正在用 WebAssembly 核心检查…",
    noCore: m => `WebAssembly 核心没有加载（${m}），这里无法检查答案。`,
    done: () => "✓ 完成：你已解答本课的所有练习。",
    solved: (n, total) => `已解答 ${n} / ${total} 道练习。`,
    courseDone: (n, total) => `已完成 ${n} / ${total} 课。`,
  },
};

// ruleCite is a broken rule with its section, in the page's language: the
// core gives each rule in English and Simplified Chinese.
function ruleCite(p) {
  const zh = WORDS[document.documentElement.lang] === WORDS.zh;
  return `${zh && p.textZh ? p.textZh : p.text} (${p.source})`;
}

// say returns a verdict's words in the page's language.
function say(key, ...args) {
  const words = WORDS[document.documentElement.lang] || WORDS.en;
  return words[key](...args);
}

// check returns {ok, reason} for an answer to an exercise, computed by the
// core: the expected answer is never in the page.
export function check(core, ex, answer) {
  const a = answer.trim();
  if (a === "") return { ok: false, reason: say("empty") };
  switch (ex.kind) {
    case "accept": {
      const s = core.acceptSteps(ex.key);
      if (a === s.accept) return { ok: true, reason: say("acceptRight") };
      if (a.toLowerCase() === s.sha1Hex) return { ok: false, reason: say("acceptHex") };
      if (a.length !== 28) return { ok: false, reason: say("acceptLength", a.length) };
      return { ok: false, reason: say("acceptWrong") };
    }
    case "decode": {
      const e = core.explainFrame(ex.hex, ex.receiver || "server");
      if (e.error || !e.header) return { ok: false, reason: say("unreadable") };
      const h = e.header;
      switch (ex.field) {
        case "opcode": {
          const got = parseOpcode(a);
          if (got === null) return { ok: false, reason: say("opcodeForm") };
          return got === h.opcode
            ? { ok: true, reason: say("right", field(e, "opcode").meaning) }
            : { ok: false, reason: say("opcodeWrong") };
        }
        case "length": {
          if (!/^[0-9]+$/.test(a)) return { ok: false, reason: say("lengthForm") };
          if (a === h.lengthText) return { ok: true, reason: say("right", (field(e, "Extended payload length") || field(e, "Payload len")).meaning) };
          const len7 = Number(field(e, "Payload len").value);
          if (len7 >= 126 && Number(a) === len7) return { ok: false, reason: say("length7", len7) };
          return { ok: false, reason: say("lengthWrong") };
        }
        case "text": {
          // A ping's or pong's payload is text too when it is UTF-8.
          let text = e.text;
          if (!text && h.opcode !== 1 && h.opcode !== 0) {
            try { text = new TextDecoder("utf-8", { fatal: true }).decode(e.unmasked); } catch { text = null; }
          }
          return a === text
            ? { ok: true, reason: say("textRight") }
            : { ok: false, reason: say("textWrong") };
        }
        case "masked":
        case "fin": {
          const got = parseBool(a);
          const want = ex.field === "fin" ? h.fin : h.mask;
          if (got === null) return { ok: false, reason: say("bitForm") };
          return got === want
            ? { ok: true, reason: say("right", field(e, ex.field === "fin" ? "FIN" : "MASK").meaning) }
            : { ok: false, reason: say("bitWrong", ex.field === "fin") };
        }
      }
      return { ok: false, reason: say("unknownField", ex.field) };
    }
    case "mask": {
      const got = normHex(a);
      if (got === null) return { ok: false, reason: say("maskForm") };
      const want = core.mask(ex.key, { text: ex.payload }).hex;
      if (got === want) return { ok: true, reason: say("maskRight") };
      const g = got.split(" "), w = want.split(" ");
      let i = 0;
      while (i < g.length && i < w.length && g[i] === w[i]) i++;
      if (i === w.length) return { ok: false, reason: say("maskTooMany", w.length, g.length - w.length) };
      return { ok: false, reason: say("maskWrong", i) };
    }
    case "build": {
      if (normHex(a) === null) return { ok: false, reason: say("buildForm") };
      const masked = parseBool(ex.masked);
      // A masked frame is one a client sends: a server receives it.
      const e = core.explainFrame(a, masked ? "server" : "client");
      if (e.error) return { ok: false, reason: e.error.message };
      if (!e.header) return { ok: false, reason: say("noHeader") };
      const h = e.header;
      const wrong = [];
      if (h.opcode !== OPCODES[ex.opcode] && h.opcodeName !== ex.opcode) wrong.push(say("opcodeIs", h.opcodeName, ex.opcode));
      if (!h.fin) wrong.push(say("finZero"));
      if (h.mask !== masked) wrong.push(say(masked ? "maskZero" : "maskOne"));
      if (!e.complete) wrong.push(say("cutShort", e.missing));
      if (e.rest > 0) wrong.push(say("after", e.rest));
      if (e.complete && e.text !== ex.text) wrong.push(say("payloadReads", JSON.stringify(e.text || e.unmaskedHex), JSON.stringify(ex.text)));
      for (const p of e.problems || []) wrong.push(ruleCite(p));
      return wrong.length === 0
        ? { ok: true, reason: say("buildRight") }
        : { ok: false, reason: say("notYet", [...new Set(wrong)]) };
    }
  }
  return { ok: false, reason: say("unknownKind", ex.kind) };
}

// ---- the lesson page ----------------------------------------------------------------

function setupExercises(slug) {
  const exercises = [...document.querySelectorAll(".exercise[data-exercise]")];
  const status = document.querySelector("[data-progress-status]");
  const showStatus = entry => {
    if (!status || !entry) return;
    status.hidden = false;
    status.textContent = entry.done ? say("done") : say("solved", entry.solved.length, exercises.length);
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
      result.textContent = say("checking");
      let core;
      try {
        core = await getCore();
      } catch (err) {
        result.textContent = say("noCore", err.message);
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
    case "tap": return { target: d.target };
    case "checker": return { url: d.url, stage: d.stage };
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
    summary.textContent = say("courseDone", done, items.length);
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
