// lesson.js — what the lesson pages do in the browser, with the
// playground's own modules:
//
//   - lesson/page.js: the exercises, checked by wsplay's WebAssembly core
//     (lesson/exercises.js); the learner's progress, kept in localStorage
//     (lesson/progress.js) and shown on /lessons/ and on each lesson; the
//     language switch, with the playground's one rule (i18n.js);
//   - lesson/widgets.js: the live widgets, the playground's
//     /static/widgets/NAME.js mounted over each block.
//
// Everything here is an addition to a page that already works: the server
// renders each widget's content (the accept steps, the frame's fields, the
// masking table) with the same core and the same words (words.json). If
// JavaScript, a widget module or the WebAssembly core is missing, that
// rendered content stays and nothing breaks.

import { setupExercises, setupLanguage, showIndexProgress } from "./lesson/page.js";
import { mountWidgets } from "./lesson/widgets.js";

async function main() {
  const root = document.documentElement;
  root.classList.add("js");
  if (!setupLanguage()) return; // going to the page in the visitor's language
  if (root.dataset.page === "index") {
    showIndexProgress();
  } else if (root.dataset.page === "lesson") {
    setupExercises(root.dataset.lesson);
    await mountWidgets();
  }
  root.dataset.ready = "true";
}

main();
