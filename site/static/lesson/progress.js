// progress.js — the learner's progress through the course, kept in this
// browser's localStorage ("wsplay.lessons.progress") as
// {slug: {solved: [exercise numbers], total, done, at}}.

const PROGRESS_KEY = "wsplay.lessons.progress";

// readProgress returns the stored progress, {} when there is none or it
// cannot be read.
export function readProgress(storage = globalThis.localStorage) {
  try {
    const p = JSON.parse(storage.getItem(PROGRESS_KEY) || "{}");
    return p && typeof p === "object" ? p : {};
  } catch {
    return {};
  }
}

// forgetProgress removes it (the index's button, for a shared computer).
export function forgetProgress(storage = globalThis.localStorage) {
  try { storage.removeItem(PROGRESS_KEY); } catch { /* nothing stored */ }
}

// record returns progress p with exercise n of the lesson slug solved: the
// lesson is done when all its total exercises are, and at says when it
// first was. p is not changed.
export function record(p, slug, n, total, now = new Date()) {
  const old = p[slug] || { solved: [] };
  const entry = { ...old, solved: old.solved.includes(n) ? [...old.solved] : [...old.solved, n], total };
  entry.done = entry.solved.length >= total;
  if (entry.done && !entry.at) entry.at = now.toISOString();
  return { ...p, [slug]: entry };
}

// solve records and stores that exercise n of the lesson is solved, and
// returns the lesson's entry.
export function solve(slug, n, total, storage = globalThis.localStorage) {
  const p = record(readProgress(storage), slug, n, total);
  try {
    storage.setItem(PROGRESS_KEY, JSON.stringify(p));
  } catch {
    // Private mode or storage full: progress is a convenience, not a must.
  }
  return p[slug];
}

// courseDone counts the lessons of slugs that p marks done.
export function courseDone(p, slugs) {
  return slugs.filter((s) => p[s]?.done).length;
}
