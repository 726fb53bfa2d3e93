// checker.js — "Check my server": run wsplay's graded suite against a
// server you wrote, and see every case as it finishes.
//
// The checking happens in the Go server, not in the page: a page cannot
// send a broken frame on purpose (the browser builds every frame itself), and
// most cases are exactly that — a reserved bit, a frame one byte per write, a
// close code that may not be sent. So the page opens /ws/check, sends
// {"url": "ws://127.0.0.1:PORT/PATH", "stage": "frames"} and shows the JSON
// events that come back (docs/server.md): "start", one "result" per case,
// then "done" — or "refused" with a reason. From the page only servers on
// this machine are checked; `wsplay check URL` on the command line reaches
// the local network.
//
// The request carries the page's language ("lang": "en" or "zh"), and the
// server writes every title, verdict, rule, explanation and diagnosis of the
// run in it (the texts live in Go, in core and check, with their ids): the
// page shows them as they come. A run stays in the language it was made
// in; run it again after switching language to read it in the other one.
//
// The cases come in stages that follow the course (docs/check.md): the
// learner picks how far their server has come, and the row of stages shows
// each one as passed, failing, not yet (its first case got nothing back) or
// not tried. The best result of each stage is remembered in this browser
// (localStorage "wsplay.check.best"), so the row shows the learner's
// progress across runs. When the checker recognised a classic mistake (a
// diagnosis), it is said once, above the cases, with the lesson to read.
//
// mount(element, {url, stage})

import { el, setText, uid, wsURL, followLang } from "../dom.js";
import { t, lang } from "../i18n.js";

// STAGES are the ids of check.Stages, in order (a Go test keeps the two
// lists equal). Their names are the i18n keys "check.stage.ID".
export const STAGES = ["handshake", "frames", "masking", "fragments", "control", "close", "utf8", "compression"];

const BEST_KEY = "wsplay.check.best";
// RANK orders the states of a stage: a better state replaces a worse one as
// the best result.
const RANK = { "not-yet": 1, failing: 2, passed: 3 };

export function mount(element, options = {}) {
  const urlId = uid("check-url");
  const stageId = uid("check-stage");
  const urlInput = el("input", {
    id: urlId, value: options.url || "ws://127.0.0.1:9001/", spellcheck: "false",
    autocomplete: "off", "data-role": "url", class: "mono",
  });
  const stageSelect = el("select", { id: stageId, "data-role": "stage" },
    el("option", { value: "all", i18n: "check.stage.all" }),
    STAGES.map((id, i) => el("option", { value: id, text: `${i + 1} ${t("check.stage." + id)}`, "data-stage-name": id })));
  const saved = remembered("wsplay.check.stage");
  stageSelect.value = STAGES.includes(options.stage) ? options.stage : STAGES.includes(saved) ? saved : "all";
  const runBtn = el("button", { type: "submit", class: "primary", i18n: "check.run", "data-role": "run" });
  const status = el("p", { class: "conn-status", role: "status", "data-role": "check-status" });
  const stagesRow = el("p", { class: "check-stages", "data-role": "stages", "aria-live": "polite" });
  const progress = el("progress", { max: "1", value: "0", hidden: true, "data-role": "progress" });
  const diagnosis = el("div", { class: "check-summary bad", "data-role": "diagnosis", hidden: true });
  const summary = el("p", { class: "check-summary", "data-role": "summary", hidden: true });
  const list = el("ol", { class: "check-results", "data-role": "results" });

  const board = boardFields(); // the class board's opt-in, below
  const root = el("div", { class: "widget checker-widget" },
    el("form", { class: "conn-bar", onsubmit: (e) => { e.preventDefault(); run(); } },
      el("label", { for: urlId, i18n: "check.url" }), urlInput,
      el("label", { for: stageId, i18n: "check.stage" }), stageSelect, runBtn),
    board.fields, stagesRow, status, board.line, progress, diagnosis, summary, list);
  element.replaceChildren(root);
  followLang(root);
  setText(status, "check.idle");

  let ws = null;
  let done = 0;
  let ended = false; // the server said "done", "refused" or "busy"
  let report = null; // the last report, to render again in another language
  let runLang = "en"; // the language the server writes this run in
  const live = {};   // stage → its state in the run under way

  // Texts built from parts (a stage's number and name, a diagnosis with
  // an address) are rendered again when the language changes.
  const relabel = () => {
    if (!root.isConnected) {
      window.removeEventListener("wsplay:lang", relabel);
      return;
    }
    for (const o of stageSelect.querySelectorAll("option[data-stage-name]")) {
      o.textContent = `${STAGES.indexOf(o.dataset.stageName) + 1} ${t("check.stage." + o.dataset.stageName)}`;
    }
    renderStages();
    if (report) renderDiagnosis(report);
  };
  window.addEventListener("wsplay:lang", relabel);
  renderStages();

  function run() {
    if (ws) ws.close(1000, "new run");
    list.replaceChildren();
    summary.hidden = true;
    diagnosis.hidden = true;
    report = null;
    for (const k of Object.keys(live)) delete live[k];
    status.className = "conn-status";
    done = 0;
    ended = false;
    runBtn.disabled = true;
    setText(status, "check.connecting");
    const stage = stageSelect.value;
    remember("wsplay.check.stage", stage);
    renderStages();
    ws = new WebSocket(wsURL("/ws/check"));
    const mine = ws;
    board.line.hidden = true;
    runLang = lang();
    list.lang = diagnosis.lang = runLang === "zh" ? "zh-Hans" : "en";
    ws.onopen = () => mine.send(JSON.stringify({ url: urlInput.value.trim(), stage, lang: runLang, ...board.request() }));
    ws.onmessage = (ev) => show(JSON.parse(ev.data));
    ws.onclose = () => {
      if (ws !== mine) return;
      runBtn.disabled = false;
      progress.hidden = true;
      if (!ended) setText(status, "check.lost");
      ws = null;
    };
    options.onChange?.({ url: urlInput.value.trim(), stage: stage === "all" ? undefined : stage });
  }

  function show(e) {
    switch (e.type) {
      case "start":
        progress.max = String(e.cases);
        progress.value = "0";
        progress.hidden = false;
        setText(status, "check.running");
        break;
      case "result":
        done++;
        progress.value = String(done);
        list.append(resultRow(e.result));
        // The row follows the run: a stage is failing from its first FAIL.
        if (e.result.status === "FAIL") live[e.result.stage] = "failing";
        else if (!live[e.result.stage]) live[e.result.stage] = "running";
        renderStages();
        break;
      case "done": {
        ended = true;
        const r = e.report;
        report = r;
        for (const s of r.stages || []) {
          live[s.stage] = s.status;
          keepBest(s.stage, s.status);
        }
        for (const id of r.not_tried || []) live[id] = "not-tried";
        renderStages();
        renderDiagnosis(r);
        summary.hidden = false;
        // Failures only in stages that are not there yet are not a
        // wall of red: everything the server does so far passes.
        const onlyNotYet = r.fail > 0 && (r.stages || []).every((s) => s.status !== "failing");
        summary.className = "check-summary " + (onlyNotYet ? "warn" : r.fail > 0 ? "bad" : r.warn > 0 ? "warn" : "good");
        summary.replaceChildren(
          el("strong", { text: `${r.pass} PASS · ${r.warn} WARN · ${r.fail} FAIL` }), " ",
          el("span", { i18n: onlyNotYet ? "check.onlyNotYet" : r.fail > 0 ? "check.someFailed" : "check.allPassed" }));
        summary.append(stageTable(r.stages || []));
        if ((r.not_tried || []).length > 0) {
          summary.append(el("p", { "data-role": "not-tried" },
            el("span", { i18n: "check.notTried" }), " ",
            el("span", { text: r.not_tried.join(", ") })));
        }
        setText(status, "check.finished");
        progress.hidden = true;
        ws.close(1000, "done");
        break;
      }
      case "board":
        board.show(e);
        break;
      case "refused":
      case "busy":
        ended = true;
        runBtn.disabled = false;
        status.className = "conn-status bad";
        status.textContent = e.reason; // the server's words, as text
        ws.close(1000, "refused");
        break;
    }
  }

  // renderStages draws the row: each stage with its state in this run and,
  // when it was better once, the learner's best.
  function renderStages() {
    const best = bestResults();
    const last = stageSelect.value === "all" ? STAGES.length - 1 : STAGES.indexOf(stageSelect.value);
    stagesRow.replaceChildren(el("span", { class: "label", i18n: "check.progress" }), " ",
      ...STAGES.flatMap((id, i) => {
        const state = live[id] || (i > last ? "not-tried" : "");
        const tag = { passed: "pass", failing: "fail", "not-yet": "warn" }[state] || "";
        let text = `${i + 1} ${t("check.stage." + id)}`;
        if (state && state !== "running") text += ` · ${t("check.state." + state)}`;
        if (best[id] && RANK[best[id]] > (RANK[state] || 0)) text += ` (${t("check.best")} ${t("check.state." + best[id])})`;
        const span = el("span", { class: `verdict-tag ${tag}`, "data-stage": id, "data-state": state, "data-best": best[id] || "", text });
        return i === 0 ? [span] : [" → ", span];
      }));
  }

  // renderDiagnosis says the classic mistake once, above the cases, with
  // the lesson to read: its text is the server's, in the run's language.
  function renderDiagnosis(r) {
    const d = r.diagnosis;
    diagnosis.hidden = !d;
    if (!d) return;
    const text = d.text;
    diagnosis.dataset.id = d.id;
    diagnosis.replaceChildren(
      el("strong", { i18n: "check.diagTitle" }), " ",
      el("span", { text, "data-role": "diagnosis-text" }), " ",
      el("a", { href: d.lesson, i18n: "check.lesson" }));
  }

  // resultRow shows one case: its verdict and title; a WARN or FAIL opens
  // to what was sent and received, the rule, why, and the lesson.
  function resultRow(r) {
    const head = el("span", { class: "check-head" },
      el("span", { class: `verdict-tag ${r.status.toLowerCase()}`, "data-role": "status", text: r.status }), " ",
      el("code", { class: "case-id", text: r.id }), " ",
      el("span", { text: r.title }));
    if (r.status === "PASS") {
      return el("li", { class: "check-row pass", "data-id": r.id, "data-stage": r.stage }, head);
    }
    // The first failure opens by itself: it is usually the cause of the
    // ones after it (a server that cannot read 126-byte lengths fails
    // every larger case too).
    const first = r.status === "FAIL" && !list.querySelector("details[open]");
    const details = el("details", { open: first },
      el("summary", {}, head),
      field("check.got", r.got),
      r.sent ? field("check.sent", r.sent, true) : null,
      ...(r.sent_frames || []).map((f) => field(null, f, true)),
      r.received ? field("check.received", r.received, true) : null,
      ...(r.received_frames || []).map((f) => field(null, f, true)),
      ruleField(r.rule),
      r.explanation ? field("check.why", r.explanation) : null,
      r.lesson ? el("p", {}, el("a", { href: r.lesson, i18n: "check.lesson" })) : null);
    return el("li", { class: `check-row ${r.status.toLowerCase()}`, "data-id": r.id, "data-stage": r.stage }, details);
  }

  // ruleField shows the rule in the run's language, with its RFC section
  // and id (the same in every language).
  function ruleField(rule) {
    const tail = ` (${rule.source})${rule.id ? ` [${rule.id}]` : ""}`;
    return el("p", { class: "check-field" },
      el("span", { class: "label", i18n: "check.rule" }), " ",
      el("span", { "data-role": "rule", "data-rule": rule.id || "", text: rule.text + tail }));
  }

  function field(labelKey, value, mono = false) {
    return el("p", { class: "check-field" },
      labelKey ? el("span", { class: "label", i18n: labelKey }) : null,
      labelKey ? " " : null,
      el(mono ? "code" : "span", { class: mono ? "mono" : "", text: value }));
  }

  // stageTable scores each stage that ran; a stage that is not yet there
  // links to the lesson that adds it.
  function stageTable(stages) {
    return el("table", { class: "check-scores", "data-role": "scores" },
      el("tbody", {}, stages.map((s) => el("tr", { "data-stage": s.stage },
        el("th", { scope: "row", i18n: "check.stage." + s.stage }),
        el("td", { text: `${s.pass}/${s.pass + s.warn + s.fail}` }),
        el("td", { class: s.status === "passed" ? "good" : "bad", i18n: "check.state." + s.status }),
        s.status === "not-yet" && s.lessons?.length
          ? el("td", {}, el("a", { href: s.lessons[0], i18n: "check.notYetLesson" }))
          : el("td")))));
  }
}

// bestResults returns the remembered best state of each stage.
function bestResults() {
  try {
    const v = JSON.parse(localStorage.getItem(BEST_KEY) || "{}");
    return v && typeof v === "object" ? v : {};
  } catch {
    return {};
  }
}

// keepBest remembers state as the stage's best when it is better.
function keepBest(stage, state) {
  const best = bestResults();
  if ((RANK[state] || 0) > (RANK[best[stage]] || 0)) {
    best[stage] = state;
    remember(BEST_KEY, JSON.stringify(best));
  }
}

function remembered(key) {
  try { return localStorage.getItem(key); } catch { return null; }
}

function remember(key, value) {
  try { localStorage.setItem(key, value); } catch { /* not remembered, still shown */ }
}

// ---- the class board (/class): opt in with a nickname and the class code ----
//
// A student who types a nickname and the class code the teacher's server
// printed has each run's stage results shown on the teacher's board. Both
// are remembered in this browser (typed once); an empty nickname keeps the
// run off the board. The server answers {"type": "board", "nick"} when the
// results are on it, or {"type": "board", "reason"} when not.
function boardFields() {
  const kept = (key, input) => {
    input.value = remembered(key) || "";
    input.addEventListener("change", () => remember(key, input.value.trim()));
    return input;
  };
  const nickId = uid("board-nick");
  const codeId = uid("board-code");
  const nick = kept("wsplay.boardNick", el("input", { id: nickId, maxlength: "24", autocomplete: "nickname", "data-role": "board-nick" }));
  const code = kept("wsplay.boardCode", el("input", { id: codeId, size: "9", autocomplete: "off", spellcheck: "false", class: "mono", "data-role": "board-code" }));
  const line = el("p", { class: "conn-status", "data-role": "board-status", hidden: true });
  const fields = el("p", { class: "conn-bar board-optin" },
    el("label", { for: nickId, i18n: "check.boardNick" }), nick,
    el("label", { for: codeId, i18n: "check.boardCode" }), code);
  return {
    fields, line,
    request: () => (nick.value.trim() ? { nick: nick.value.trim(), code: code.value.trim() } : {}),
    show(e) {
      line.hidden = false;
      line.className = "conn-status " + (e.nick ? "good" : "bad");
      line.replaceChildren(el("span", { i18n: e.nick ? "check.onBoard" : "check.boardRefused" }), " ",
        el(e.nick ? "strong" : "span", { text: e.nick || e.reason })); // the server's words, as text
    },
  };
}
