// chat.js — the chat room on /ws/chat.
//
// Connect to /ws/chat?nick=NAME; every line you send is one text message.
// The room answers with JSON events (docs/server.md): "welcome", "message",
// "join", "leave". Each event arrives as one text frame from the server.
//
// A message's text is whatever someone typed — maybe "<img src=x
// onerror=alert(1)>". It is put on the page with textContent, which shows
// those characters and never runs them. (innerHTML would run them.)
//
// "Show the frame" rebuilds the frame that carried an event with the Go
// core: a server's frames are not masked and carry the event's JSON as
// they are, so the rebuilt bytes are the bytes that arrived.
//
// mount(element, {nick})

import { loadCore } from "../core.js";
import { el, setText, uid, wsURL, followLang } from "../dom.js";
import { mount as mountFrame } from "./frame.js";

export function mount(element, options = {}) {
  const nickId = uid("chat-nick");
  const msgId = uid("chat-msg");
  const nickInput = el("input", { id: nickId, value: options.nick || "", maxlength: "24", autocomplete: "nickname", "data-role": "nick", "i18n-placeholder": "chat.nickPlaceholder" });
  const joinBtn = el("button", { type: "submit", class: "primary", i18n: "chat.join", "data-role": "join" });
  const status = el("p", { class: "conn-status", role: "status", "data-role": "chat-status" });
  const online = el("span", { class: "online muted", "data-role": "online" });
  const list = el("ol", { class: "chat-log", "data-role": "chat-log", "aria-live": "polite" });
  const msgInput = el("input", { id: msgId, autocomplete: "off", disabled: true, "data-role": "message", "i18n-placeholder": "chat.messagePlaceholder" });
  const sendBtn = el("button", { type: "submit", disabled: true, i18n: "chat.send", "data-role": "send" });

  const root = el("div", { class: "widget chat-widget" },
    el("form", { class: "conn-bar", onsubmit: (e) => { e.preventDefault(); toggle(); } },
      el("label", { for: nickId, i18n: "chat.nick" }), nickInput, joinBtn, online),
    status,
    list,
    el("form", { class: "chat-send", onsubmit: (e) => { e.preventDefault(); send(); } },
      el("label", { for: msgId, class: "visually-hidden", i18n: "chat.message" }), msgInput, sendBtn));
  element.replaceChildren(root);
  followLang(root);
  setText(status, "live.notConnected");

  let wsplay = null;
  let ws = null;
  let me = "";
  loadCore().then((w) => { wsplay = w; }, () => { /* the chat works without the core; only "show the frame" needs it */ });

  function open() {
    return ws && ws.readyState === WebSocket.OPEN;
  }
  function setConnected(yes) {
    msgInput.disabled = !yes;
    sendBtn.disabled = !yes;
    setText(joinBtn, yes ? "chat.leave" : "chat.join");
  }

  function toggle() {
    if (open()) { ws.close(1000, "left"); return; }
    const nick = nickInput.value.trim();
    const url = wsURL("/ws/chat" + (nick ? `?nick=${encodeURIComponent(nick)}` : ""));
    setText(status, "live.connecting");
    status.className = "conn-status";
    const sock = new WebSocket(url);
    ws = sock;
    sock.onopen = () => { setConnected(true); setText(status, "live.open"); status.className = "conn-status good"; msgInput.focus(); };
    sock.onmessage = (ev) => { if (sock === ws) onEvent(ev.data); };
    sock.onclose = (ev) => {
      if (sock !== ws) return;
      setConnected(false);
      // Nobody is counted online for a page that left the room.
      online.replaceChildren();
      status.className = ev.wasClean && ev.code === 1000 ? "conn-status" : "conn-status bad";
      status.replaceChildren(el("span", { i18n: ev.code === 1000 ? "live.closed" : "live.dropped" }),
        ` ${ev.code}${ev.reason ? " “" + ev.reason + "”" : ""} `,
        el("button", { type: "button", class: "link", i18n: "live.reconnect", onclick: toggle }));
    };
  }

  function send() {
    if (!open() || msgInput.value === "") return;
    ws.send(msgInput.value);
    msgInput.value = "";
    msgInput.focus();
  }

  function onEvent(raw) {
    let ev;
    try { ev = JSON.parse(raw); } catch { return; }
    if (typeof ev.online === "number") {
      online.replaceChildren(`${ev.online} `, el("span", { i18n: "chat.online" }));
    }
    if (ev.type === "welcome") {
      // A (re)joined room replays its history after the welcome: start the
      // log afresh so a reconnect does not show every message twice.
      list.replaceChildren();
      me = ev.nick;
      nickInput.value = ev.nick;
      options.onChange?.({ nick: ev.nick });
      return;
    }
    let li;
    if (ev.type === "message") {
      li = el("li", { class: `msg${ev.nick === me ? " mine" : ""}${ev.history ? " history" : ""}`, "data-role": "chat-message" },
        el("span", { class: "nick", text: ev.nick }), // textContent, always
        el("span", { class: "text", "data-role": "chat-text", text: ev.text }),
        el("time", { class: "muted", datetime: ev.time, text: shortTime(ev.time) }));
    } else if (ev.type === "join" || ev.type === "leave") {
      li = el("li", { class: "event muted" },
        el("span", { class: "nick", text: ev.nick }), " ",
        el("span", { i18n: ev.type === "join" ? "chat.joined" : "chat.left" }),
        ev.reason ? el("span", { text: ` (${ev.reason})` }) : null);
    } else {
      return;
    }
    const btn = el("button", { type: "button", class: "link show-frame", i18n: "chat.showFrame", "data-role": "show-frame", "aria-expanded": "false" });
    const box = el("div", { class: "frame-box", hidden: true });
    btn.addEventListener("click", () => {
      const opening = box.hidden;
      box.hidden = !opening;
      btn.setAttribute("aria-expanded", String(opening));
      if (opening && !box.firstChild) {
        if (!wsplay) { box.append(el("p", { class: "error", i18n: "core.failedShort" })); return; }
        const f = wsplay.buildFrame({ opcode: "text", payload: raw });
        const view = el("div");
        box.append(el("p", { class: "muted", i18n: "chat.frameNote" }), view);
        mountFrame(view, { input: false, compact: true, hex: f.hex, receiver: "client" });
      }
    });
    li.append(btn, box);
    list.append(li);
    li.scrollIntoView({ block: "nearest" });
  }
}

function shortTime(iso) {
  const d = new Date(iso);
  return isNaN(d) ? "" : d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}
