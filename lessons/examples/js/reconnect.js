// reconnect.js — lesson 15: keep a page connected, without stampeding the
// server when it comes back. Plain ES module; no dependencies.

// backoffDelay is the wait, in milliseconds, before reconnection attempt
// number `attempt` (0 for the first retry): "full jitter" — a random time
// between 0 and min(cap, base * 2^attempt). The randomness spreads out the
// clients that all lost their connection at the same moment.
export function backoffDelay(attempt, base = 500, cap = 30000, random = Math.random) {
  const ceiling = Math.min(cap, base * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

// Close codes after which trying again is pointless: the server refused
// this client on purpose (1008 policy violation, 1003 unsupported data,
// 1009 too big) or the page itself asked to stop (1000). 4000-4999 are for
// applications to agree on; here 4001 means "log in again first".
const FINAL = new Set([1000, 1003, 1008, 1009, 4001]);

// connect opens url and opens it again whenever the connection ends, until
// the returned stop() is called or the server closes with a final code.
// onMessage gets every message; onState gets "open", "waiting 1234 ms"
// or "stopped: <reason>".
export function connect(url, { onMessage, onState = () => {}, protocols = [] }) {
  let attempt = 0;
  let ws = null;
  let timer = null;
  let stopped = false;

  function open() {
    ws = new WebSocket(url, protocols);
    ws.binaryType = "arraybuffer";        // binary messages as ArrayBuffer, not Blob
    ws.onopen = () => {
      onState("open");
      // Only a connection that stayed up a while resets the backoff: a
      // server that accepts and drops at once must not be hammered.
      timer = setTimeout(() => { attempt = 0; }, 10000);
    };
    ws.onmessage = (event) => onMessage(event.data);
    ws.onclose = (event) => {
      clearTimeout(timer);
      if (stopped) return;
      if (FINAL.has(event.code)) {
        stopped = true;
        onState(`stopped: ${event.code} ${event.reason}`);
        return;
      }
      // 1006 (no close frame: network gone, server crashed, or the
      // handshake failed — the page cannot tell which) and 1001, 1011,
      // 1012, 1013: try again later.
      const wait = backoffDelay(attempt++);
      onState(`waiting ${wait} ms`);
      timer = setTimeout(open, wait);
    };
  }

  open();
  return function stop() {
    stopped = true;
    clearTimeout(timer);
    if (ws) ws.close(1000, "bye");
  };
}
