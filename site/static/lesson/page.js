// page.js — the lesson pages' own parts: the exercises' forms, the
// progress on a lesson and on the index, and the language switch.

import { loadCore } from "../core.js";
import { lang, setLang, t } from "../i18n.js";
import { check } from "./exercises.js";
import { readProgress, solve, forgetProgress, courseDone } from "./progress.js";

// setupExercises makes each exercise's form check its answer with the core
// and record the progress.
export function setupExercises(slug) {
  const boxes = [...document.querySelectorAll(".exercise[data-exercise]")];
  const status = document.querySelector("[data-progress-status]");
  const showStatus = (entry) => {
    if (!status || !entry) return;
    status.hidden = false;
    status.textContent = entry.done ? t("exercise.done") : t("exercise.solved", { n: entry.solved.length, total: boxes.length });
    status.classList.toggle("done", !!entry.done);
  };
  showStatus(readProgress()[slug]);
  boxes.forEach((box, n) => {
    box.classList.add("exercise-live");
    if (readProgress()[slug]?.solved?.includes(n)) box.classList.add("solved");
    box.querySelector("form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      answerExercise(box, ev.target.elements.answer.value).then((ok) => {
        if (ok) showStatus(solve(slug, n, boxes.length));
      });
    });
  });
}

// answerExercise checks one answer and shows the verdict; it resolves to
// whether the answer is right.
async function answerExercise(box, answer) {
  const result = box.querySelector(".exercise-result");
  result.className = "exercise-result";
  result.textContent = t("exercise.checking");
  let core;
  try {
    core = await loadCore();
  } catch (err) {
    result.textContent = t("exercise.noCore", { reason: err.message });
    result.classList.add("unavailable");
    return false;
  }
  const { ok, reason } = check(core, { kind: box.dataset.exercise, ...box.dataset }, answer, lang());
  result.textContent = (ok ? "✓ " : "✗ ") + reason;
  result.classList.add(ok ? "right" : "wrong");
  if (ok) box.classList.add("solved");
  return ok;
}

// setupLanguage makes the switch remember the choice, and follows the
// language the one rule picks (i18n.js lang(): the address, then the
// remembered choice, then the browser) when the address does not choose
// one and this lesson has that translation.
export function setupLanguage() {
  const root = document.documentElement;
  for (const a of document.querySelectorAll("[data-lang-switch]")) {
    if (a.tagName === "A") {
      a.addEventListener("click", () => setLang(a.dataset.langSwitch));
    } else {
      // No translation of this lesson yet: say so when it is chosen.
      a.tabIndex = 0;
      a.setAttribute("role", "note");
    }
  }
  const want = lang();
  const params = new URLSearchParams(location.search);
  const have = (root.dataset.translated || "").split(" ");
  if (want !== root.dataset.lang && !params.has("lang") && (root.dataset.page === "index" || have.includes(want))) {
    params.set("lang", want);
    if (want === "en") params.delete("lang");
    const q = params.toString();
    location.replace(location.pathname + (q ? "?" + q : "") + location.hash);
    return false;
  }
  return true;
}

// showIndexProgress marks the lessons done or started on the index.
export function showIndexProgress() {
  const p = readProgress();
  const items = [...document.querySelectorAll(".course-item[data-slug]")];
  for (const li of items) {
    const entry = p[li.dataset.slug];
    li.classList.toggle("done", !!entry?.done);
    li.classList.toggle("started", !entry?.done && !!entry?.solved?.length);
    const mark = li.querySelector("[data-done-mark]");
    if (mark) mark.hidden = !entry?.done;
  }
  const reset = document.querySelector("[data-reset-progress]");
  if (reset) {
    reset.hidden = Object.keys(p).length === 0;
    reset.onclick = () => {
      forgetProgress();
      showIndexProgress();
    };
  }
  const summary = document.querySelector("[data-course-progress]");
  if (summary) {
    summary.hidden = false;
    summary.textContent = t("exercise.courseDone", { n: courseDone(p, items.map((li) => li.dataset.slug)), total: items.length });
  }
}
