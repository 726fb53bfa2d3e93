// checker.js — "Check my server": run wsplay's graded suite against a
// server you wrote, and see every case as it finishes.
//
// The checking happens in the Go server, not in the page: a page cannot
// send a broken frame on purpose (the browser builds every frame itself), and
// most cases are exactly that — a reserved bit, a frame one byte per write, a
// close code that may not be sent. So the page opens /ws/check, sends
// {"url": "ws://127.0.0.1:PORT/PATH"} and shows the JSON events that come
// back (docs/server.md): "start", one "result" per case, then "done" — or
// "refused" with a reason. From the page only servers on this machine are
// checked; `wsplay check URL` on the command line reaches the local network.
//
// mount(element, {url})

import { el, setText, uid, wsURL, followLang } from "../dom.js";

export function mount(element, options = {}) {
  const urlId = uid("check-url");
  const urlInput = el("input", {
    id: urlId, value: options.url || "ws://127.0.0.1:9001/", spellcheck: "false",
    autocomplete: "off", "data-role": "url", class: "mono",
  });
  const runBtn = el("button", { type: "submit", class: "primary", i18n: "check.run", "data-role": "run" });
  const status = el("p", { class: "conn-status", role: "status", "data-role": "check-status" });
  const progress = el("progress", { max: "1", value: "0", hidden: true, "data-role": "progress" });
  const summary = el("p", { class: "check-summary", "data-role": "summary", hidden: true });
  const list = el("ol", { class: "check-results", "data-role": "results" });

  const board = boardFields(); // the class board's opt-in, below
  const root = el("div", { class: "widget checker-widget" },
    el("form", { class: "conn-bar", onsubmit: (e) => { e.preventDefault(); run(); } },
      el("label", { for: urlId, i18n: "check.url" }), urlInput, runBtn),
    board.fields, status, board.line, progress, summary, list);
  element.replaceChildren(root);
  followLang(root);
  setText(status, "check.idle");

  let ws = null;
  let done = 0;
  let ended = false; // the server said "done", "refused" or "busy"

  function run() {
    if (ws) ws.close(1000, "new run");
    list.replaceChildren();
    summary.hidden = true;
    status.className = "conn-status";
    done = 0;
    ended = false;
    runBtn.disabled = true;
    setText(status, "check.connecting");
    ws = new WebSocket(wsURL("/ws/check"));
    const mine = ws;
    board.line.hidden = true;
    ws.onopen = () => mine.send(JSON.stringify({ url: urlInput.value.trim(), ...board.request() }));
    ws.onmessage = (ev) => show(JSON.parse(ev.data));
    ws.onclose = () => {
      if (ws !== mine) return;
      runBtn.disabled = false;
      progress.hidden = true;
      if (!ended) setText(status, "check.lost");
      ws = null;
    };
    options.onChange?.({ url: urlInput.value.trim() });
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
        break;
      case "done": {
        ended = true;
        const r = e.report;
        summary.hidden = false;
        summary.className = "check-summary " + (r.fail > 0 ? "bad" : r.warn > 0 ? "warn" : "good");
        summary.replaceChildren(
          el("strong", { text: `${r.pass} PASS · ${r.warn} WARN · ${r.fail} FAIL` }), " ",
          el("span", { i18n: r.fail > 0 ? "check.someFailed" : "check.allPassed" }));
        summary.append(scoreTable(r.scores));
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

  // resultRow shows one case: its verdict and title; a WARN or FAIL opens
  // to what was sent and received, the rule, why, and the lesson.
  function resultRow(r) {
    const head = el("span", { class: "check-head" },
      el("span", { class: `verdict-tag ${r.status.toLowerCase()}`, "data-role": "status", text: r.status }), " ",
      el("code", { class: "case-id", text: r.id }), " ",
      el("span", { text: r.title }));
    if (r.status === "PASS") {
      return el("li", { class: "check-row pass", "data-id": r.id }, head);
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
      field("check.rule", `${r.rule.text} (${r.rule.source})`),
      r.explanation ? field("check.why", r.explanation) : null,
      r.lesson ? el("p", {}, el("a", { href: r.lesson, i18n: "check.lesson" })) : null);
    return el("li", { class: `check-row ${r.status.toLowerCase()}`, "data-id": r.id }, details);
  }

  function field(labelKey, value, mono = false) {
    return el("p", { class: "check-field" },
      labelKey ? el("span", { class: "label", i18n: labelKey }) : null,
      labelKey ? " " : null,
      el(mono ? "code" : "span", { class: mono ? "mono" : "", text: value }));
  }

  function scoreTable(scores) {
    return el("table", { class: "check-scores" },
      el("tbody", {}, scores.map((s) => el("tr", {},
        el("th", { scope: "row", text: s.title }),
        el("td", { text: `${s.pass}/${s.pass + s.warn + s.fail}` }),
        el("td", { class: s.fail > 0 ? "bad" : s.warn > 0 ? "warn" : "good", text: s.fail > 0 ? "FAIL" : s.warn > 0 ? "WARN" : "PASS" })))));
  }
}

// ---- the class board (/class): opt in with a nickname and the class code ----
//
// A student who types a nickname and the class code the teacher's server
// printed has each run's stage results shown on the teacher's board. Both
// are remembered in this browser (typed once); an empty nickname keeps the
// run off the board. The server answers {"type": "board", "nick"} when the
// results are on it, or {"type": "board", "reason"} when not.
function boardFields() {
  const remember = (key, input) => {
    try { input.value = localStorage.getItem(key) || ""; } catch { /* not remembered */ }
    input.addEventListener("change", () => {
      try { localStorage.setItem(key, input.value.trim()); } catch { /* not remembered */ }
    });
    return input;
  };
  const nickId = uid("board-nick");
  const codeId = uid("board-code");
  const nick = remember("wsplay.boardNick", el("input", { id: nickId, maxlength: "24", autocomplete: "nickname", "data-role": "board-nick" }));
  const code = remember("wsplay.boardCode", el("input", { id: codeId, size: "9", autocomplete: "off", spellcheck: "false", class: "mono", "data-role": "board-code" }));
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
