// bytes.js — bytes and opcodes as the page writes and reads them: the
// helpers the playground's widgets and the lesson pages share. No DOM, so
// Node tests call them as they are (site/test/).

// hex writes bytes as "81 85 37 fa".
export function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}

// hexToBytes reads hex as people write and paste it: "00 01 fe ff",
// "0001feff", "0x81,0x05", "81:05". Spaces, commas and colons separate
// groups, a group may start with 0x, and each group is whole bytes. It
// returns null when the text is not hex (as lessons/blocks.go parseHex and
// the WebAssembly bridge read it).
export function hexToBytes(s) {
  const groups = s.trim().split(/[\s,:]+/).filter(Boolean).map((g) => g.replace(/^0x/i, ""));
  if (groups.some((g) => g.length % 2 !== 0 || /[^0-9a-fA-F]/.test(g))) return null;
  const compact = groups.join("");
  const out = new Uint8Array(compact.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(compact.slice(2 * i, 2 * i + 2), 16);
  return out;
}

// normHex rewrites hex as hexToBytes reads it into the page's form,
// "81 05"; null when it is not hex.
export function normHex(s) {
  const b = hexToBytes(s);
  return b === null ? null : hex(b);
}

// spacedHex turns "37fa213d" into "37 fa 21 3d".
export function spacedHex(compact) {
  return (compact.match(/../g) || []).join(" ");
}

// base64ToBytes decodes the base64 the server's reports use.
export function base64ToBytes(b64) {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

// The opcodes' names (RFC 6455 §5.2, §11.8), as the core names them;
// 3-7 and 11-15 are reserved.
const OPCODE_NAMES = { 0: "continuation", 1: "text", 2: "binary", 8: "close", 9: "ping", 10: "pong" };

// opcodeName is the name of an opcode number, "reserved" for the others.
export function opcodeName(n) {
  return OPCODE_NAMES[n] || "reserved";
}

// parseOpcode reads an opcode as a learner writes it: a name ("text"), a
// number ("1", "0x1") or the core's "0x1 (text)"; null when it is none.
export function parseOpcode(s) {
  const v = s.trim().toLowerCase();
  for (const [n, name] of Object.entries(OPCODE_NAMES)) if (v === name) return Number(n);
  const m = v.match(/^(0x[0-9a-f]+|[0-9]+)\b/);
  if (!m) return null;
  const n = Number(m[1]);
  return n <= 15 ? n : null;
}
