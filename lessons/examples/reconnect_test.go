//go:build !js

package examples_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// reconnectCheck drives js/reconnect.js in Node with a stand-in WebSocket
// class and fake timers: what lesson 15 says of it must hold.
const reconnectCheck = `
import { backoffDelay, connect } from "./js/reconnect.js";
const fail = (msg) => { console.log("FAIL " + msg); process.exit(1); };

// Full jitter: never below 0, never at or above min(cap, base*2^attempt).
for (const [attempt, ceiling] of [[0, 500], [1, 1000], [3, 4000], [6, 30000], [40, 30000]]) {
  if (backoffDelay(attempt, 500, 30000, () => 0) !== 0) fail("attempt " + attempt + ": random 0 must wait 0");
  const top = backoffDelay(attempt, 500, 30000, () => 0.999999);
  if (top !== ceiling - 1) fail("attempt " + attempt + ": top wait " + top + ", want " + (ceiling - 1));
}

// connect(): fake timers and sockets.
let timers = [];
globalThis.setTimeout = (f, ms) => { timers.push({ f, ms }); return timers.length; };
globalThis.clearTimeout = (id) => { if (timers[id - 1]) timers[id - 1].f = null; };
const sockets = [];
globalThis.WebSocket = class { constructor(url, protocols) { this.url = url; this.protocols = protocols; sockets.push(this); } close(code, reason) { this.closedWith = [code, reason]; } };
const states = [];
const stop = connect("ws://127.0.0.1:9/", { onMessage() {}, onState: (s) => states.push(s), protocols: ["chat.v1"] });
if (sockets.length !== 1 || sockets[0].binaryType !== "arraybuffer") fail("first socket: binaryType " + sockets[0].binaryType);
sockets[0].onclose({ code: 1006, reason: "" });
if (!/^waiting \d+ ms$/.test(states.at(-1))) fail("after 1006: state " + states.at(-1));
const retry = timers.at(-1);
if (retry.ms < 0 || retry.ms >= 500) fail("first retry after " + retry.ms + " ms, want 0-499");
retry.f();
if (sockets.length !== 2) fail("no second socket after the retry timer");
sockets[1].onclose({ code: 1008, reason: "not allowed" });
if (states.at(-1) !== "stopped: 1008 not allowed") fail("after 1008: state " + states.at(-1));
const before = timers.length;
stop();
if (timers.length !== before) fail("stop() scheduled something");
if (String(sockets[1].closedWith) !== "1000,bye") fail("stop() closed with " + sockets[1].closedWith);
console.log("ok");
`

func TestReconnectModule(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("REQUIRE_NODE") == "1" {
			t.Fatal("node is not on PATH and REQUIRE_NODE=1")
		}
		t.Skip("node is not on PATH; install Node.js to run lesson 15's reconnect.js check")
	}
	cmd := exec.Command(node, "--input-type=module", "-e", reconnectCheck)
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("reconnect.js: %v\n%s", err, out)
	}
}
