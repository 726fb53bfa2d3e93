// grade-client.js — lesson 15: have wsplay grade a WebSocket client with
// the Autobahn|Testsuite cases. Plain ES module; no dependencies.
//
// wsplay serve offers the cases at /ws/client (and `wsplay check -client`
// on a port of its own). The protocol is Autobahn's fuzzing server's, so
// this is also how any client test driver talks to it:
//   1. /getCaseCount sends one message: the number of cases;
//   2. /runCase?case=N&agent=NAME, for N = 1 … count: the server plays
//      case N — frames, fragments, pings, bad UTF-8, close frames — and the
//      client answers as it would any server: it echoes every message back;
//   3. /updateReports?agent=NAME: the server grades what it saw;
//   4. /getReport?agent=NAME (wsplay's own): the report as text.
// What is graded is the browser's WebSocket *and* your onMessage: a
// handler that drops binary messages, or sends text back as binary, fails
// the cases that send them.

// echo answers a message with the same message: text as text, binary as
// binary (an ArrayBuffer, because runCase sets binaryType).
export function echo(ws, event) {
  ws.send(event.data);
}

// receiveOne opens url and resolves with the last message it received when
// the server closes (the count, the report), or "" when there was none.
function receiveOne(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    let last = "";
    ws.onmessage = (event) => { last = event.data; };
    ws.onerror = () => reject(new Error("cannot open " + url));
    ws.onclose = () => resolve(last);
  });
}

// runCase opens one case and hands every message to onMessage until the
// server closes. A case ends with a close, whatever happened: an error
// event is followed by a close event, so it needs no handler of its own.
function runCase(url, onMessage) {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    // Without this, binary messages arrive as Blobs: they could be echoed
    // too, but a handler that looks at the bytes needs an ArrayBuffer.
    ws.binaryType = "arraybuffer";
    ws.onmessage = (event) => onMessage(ws, event);
    ws.onclose = () => resolve();
  });
}

// gradeClient runs every case against the handler onMessage (echo by
// default) as client `agent`, and resolves with wsplay's report. base is
// the suite's WebSocket URL, e.g. "ws://127.0.0.1:8080/ws/client".
// onProgress(n, count) is called after each case.
export async function gradeClient(base, agent, { onMessage = echo, onProgress = () => {} } = {}) {
  const name = encodeURIComponent(agent);
  const count = Number(await receiveOne(base + "/getCaseCount"));
  if (!(count > 0)) {
    throw new Error(base + "/getCaseCount did not send a number of cases");
  }
  for (let n = 1; n <= count; n++) {
    await runCase(base + "/runCase?case=" + n + "&agent=" + name, onMessage);
    onProgress(n, count);
  }
  await receiveOne(base + "/updateReports?agent=" + name);
  return receiveOne(base + "/getReport?agent=" + name);
}
