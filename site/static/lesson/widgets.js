// widgets.js — the lesson's live widgets: the playground's own modules
// (/static/widgets/NAME.js), mounted over the server-rendered fallback of
// each ```wsplay block.

import { loadCore } from "../core.js";

// widgetOptions are the options each widget's mount() takes, from the
// block's data- attributes (lessons/blocks.go writes them).
export function widgetOptions(data) {
  switch (data.widget) {
    case "accept": return { key: data.key };
    case "frame": return { hex: data.hex, receiver: data.receiver || "server" };
    case "mask": return { key: data.key, payload: data.payload };
    case "tap": return { target: data.target };
    case "compress": return { text: data.text };
    case "checker": return { url: data.url, stage: data.stage };
    default: return {};
  }
}

// optional imports a widget's module, or returns null when it is not there:
// the fallback stays.
async function optional(path) {
  try {
    return await import(path);
  } catch (err) {
    console.info(`lesson: ${path} is not available (${err.message}); keeping the server-rendered content`);
    return null;
  }
}

// mountOne mounts the widget of one block next to its fallback, which the
// stylesheet hides once the widget is there; a widget that fails is
// removed and the fallback stays.
async function mountOne(block) {
  const mod = await optional(`/static/widgets/${block.dataset.widget}.js`);
  if (!mod || typeof mod.mount !== "function") return;
  const live = document.createElement("div");
  live.className = "widget-live";
  block.append(live);
  try {
    await mod.mount(live, widgetOptions(block.dataset));
    block.classList.add("widget-mounted");
  } catch (err) {
    console.warn(`lesson: the ${block.dataset.widget} widget failed (${err.message}); keeping the server-rendered content`);
    live.remove();
  }
}

// mountWidgets mounts every widget of the page. The widgets compute
// everything with the core; without it, the server-rendered content (the
// core's own, computed on the server) is better than a widget that can
// only say the core is missing.
export async function mountWidgets() {
  const blocks = document.querySelectorAll(".widget[data-widget]");
  if (blocks.length === 0) return;
  try {
    await loadCore();
  } catch (err) {
    console.info(`lesson: no WebAssembly core (${err.message}); keeping the server-rendered widgets`);
    return;
  }
  for (const block of blocks) await mountOne(block);
}
