// deflate.js — permessage-deflate (RFC 7692) as the page shows it: the
// Sec-WebSocket-Extensions offer and answer read parameter by parameter,
// a compressed payload inflated, and the bytes compression saved. No DOM,
// so Node tests call it as it is (site/test/deflate.test.mjs).

// The WebAssembly core has no inflater: Go's compress/flate would add
// about 150 KB to the module (the core's WebAssembly build declines
// compression for that reason, core/deflate.go), so the page inflates
// with the browser's own DecompressionStream("deflate-raw"). It does what
// the core's Go inflater does on the server (core/deflate.go inflateEnd):
// append the 00 00 ff ff that the sender removed after its sync flush
// (RFC 7692 §7.2.2), then an empty final stored block (01 00 00 ff ff),
// so that the DEFLATE stream ends and the decoder does not wait for more.
const SYNC_TAIL = [0x00, 0x00, 0xff, 0xff];
const END_BLOCK = [0x01, 0x00, 0x00, 0xff, 0xff];

// InflateError is thrown by inflate when the bytes are not valid DEFLATE:
// the rule it names is RFC 7692 §7.2.2.
export class InflateError extends Error {
  constructor(detail) {
    super(`not valid DEFLATE data (RFC 7692 §7.2.2): ${detail}`);
    this.name = "InflateError";
    this.section = "RFC 7692 §7.2.2";
    this.detail = detail;
  }
}

// inflate returns the message a compressed payload (as on the wire after
// unmasking, without the 00 00 ff ff tail) holds. It is the payload of one
// message on its own: a message that refers back to an earlier one
// (context takeover, RFC 7692 §7.1.1) does not inflate without it, and the
// error says the bytes are not valid on their own.
export async function inflate(payload) {
  if (typeof DecompressionStream !== "function") throw new Error("this browser has no DecompressionStream");
  const input = new Uint8Array(payload.length + SYNC_TAIL.length + END_BLOCK.length);
  input.set(payload, 0);
  input.set(SYNC_TAIL, payload.length);
  input.set(END_BLOCK, payload.length + SYNC_TAIL.length);
  let ds;
  try {
    ds = new DecompressionStream("deflate-raw");
  } catch (err) {
    throw new Error(`this browser's DecompressionStream has no deflate-raw: ${err.message}`);
  }
  const writer = ds.writable.getWriter();
  // Errors surface on the readable side; the writer's are the same ones.
  writer.write(input).catch(() => {});
  writer.close().catch(() => {});
  const chunks = [];
  let total = 0;
  const reader = ds.readable.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.length;
    }
  } catch (err) {
    throw new InflateError(err.message);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}

// saving compares a message's payload on the wire with its inflated
// length: {wire, inflated, saved, percent}; saved is negative when
// compression made a short message longer.
export function saving(wireLength, inflatedLength) {
  const saved = inflatedLength - wireLength;
  const percent = inflatedLength > 0 ? Math.round((100 * saved) / inflatedLength) : 0;
  return { wire: wireLength, inflated: inflatedLength, saved, percent };
}

// parseExtensions reads a Sec-WebSocket-Extensions value (RFC 6455 §9.1)
// into [{name, params: [{name, value}]}]; value is null for a parameter
// without one, and a quoted value is unquoted. It reads, it does not judge:
// the core checks offers (parseRequest's extensions) and answers.
export function parseExtensions(value) {
  const out = [];
  for (const element of splitOutsideQuotes(value || "", ",")) {
    const [name, ...params] = splitOutsideQuotes(element, ";");
    if (!name) continue;
    out.push({
      name,
      params: params.filter(Boolean).map((p) => {
        const eq = p.indexOf("=");
        if (eq < 0) return { name: p, value: null };
        let v = p.slice(eq + 1).trim();
        if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1).replace(/\\(.)/g, "$1");
        return { name: p.slice(0, eq).trim(), value: v };
      }),
    });
  }
  return out;
}

function splitOutsideQuotes(s, sep) {
  const parts = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "\\" && quoted && i + 1 < s.length) { cur += c + s[++i]; continue; }
    if (c === '"') quoted = !quoted;
    if (c === sep && !quoted) { parts.push(cur.trim()); cur = ""; continue; }
    cur += c;
  }
  parts.push(cur.trim());
  return parts.filter((p) => p !== "");
}

// The parameters of permessage-deflate (RFC 7692 §7.1) and where each is
// defined.
export const DEFLATE_PARAMS = {
  server_no_context_takeover: "7.1.1.1",
  client_no_context_takeover: "7.1.1.2",
  server_max_window_bits: "7.1.2.1",
  client_max_window_bits: "7.1.2.2",
};

// explainExtensions lists what each part of an offer ("offer", the
// client's request) or an answer ("answer", the server's response) says:
// [{extension, param, value, key, args, section}], key a words.json key.
// For an answer, offered (the offer's value) lets the answer's absence of
// permessage-deflate read as "declined".
export function explainExtensions(value, side, offered = "") {
  const rows = [];
  const exts = parseExtensions(value);
  for (const x of exts) {
    if (x.name.toLowerCase() !== "permessage-deflate") {
      rows.push({ extension: x.name, param: "", value: null, key: "deflate.otherExtension", args: { name: x.name }, section: "9.1" });
      continue;
    }
    rows.push({ extension: x.name, param: "", value: null, key: `deflate.${side}.name`, args: {}, section: "RFC 7692 §7" });
    for (const p of x.params) {
      const section = DEFLATE_PARAMS[p.name];
      if (!section) {
        rows.push({ extension: x.name, param: p.name, value: p.value, key: "deflate.unknownParam", args: { name: p.name }, section: "RFC 7692 §7.1" });
        continue;
      }
      const bits = p.value === null ? null : Number(p.value);
      const withValue = p.name.endsWith("_bits") && p.value !== null;
      rows.push({
        extension: x.name, param: p.name, value: p.value,
        key: `deflate.${side}.${p.name}${p.name === "client_max_window_bits" && !withValue ? ".bare" : ""}`,
        args: withValue ? { bits: p.value, window: windowText(bits) } : {},
        section: `RFC 7692 §${section}`,
      });
    }
  }
  if (side === "answer" && !exts.some((x) => x.name.toLowerCase() === "permessage-deflate") &&
      parseExtensions(offered).some((x) => x.name.toLowerCase() === "permessage-deflate")) {
    rows.push({ extension: "permessage-deflate", param: "", value: null, key: "deflate.answer.declined", args: {}, section: "RFC 7692 §5" });
  }
  return rows;
}

// windowText is an LZ77 window of 2^bits bytes, e.g. "4096 B"; "?" when
// bits is not a number from 8 to 15.
function windowText(bits) {
  if (!Number.isInteger(bits) || bits < 8 || bits > 15) return "?";
  return `${2 ** bits} B`;
}

// negotiated reports whether a Sec-WebSocket-Extensions value (the
// server's answer, or WebSocket.extensions) accepted permessage-deflate.
export function negotiated(value) {
  return parseExtensions(value).some((x) => x.name.toLowerCase() === "permessage-deflate");
}
