//go:build !js

package main

import (
	"bufio"
	"math/rand/v2"
	"testing"
	"time"

	"wsplay/core"
)

// TestHostileServerLingersAfterFailing: when a client breaks a rule, the
// server sends its close frame and FIN, then must go on reading (and
// discarding) what the client still sends until the client closes its
// side or the close timeout passes; core's lingerClose documents this.
// Closing at once instead makes the kernel answer the client's next bytes
// with a reset, and a reset throws away what the server had not yet sent
// and what the client had not yet read: TestHostileFrames saw clients of
// /ws/inspect lose their close frame that way, now and then, under load.
// Here the client reads the close frame and the end of the stream, then
// keeps writing for a while, as a script that writes everything before it
// reads would: none of those writes may meet a reset.
func TestHostileServerLingersAfterFailing(t *testing.T) {
	ts := startServer(t, nil)
	for _, target := range []string{"/ws/echo", "/ws/inspect", "/ws/chat"} {
		nc := dialTCP(t, ts.addr)
		_, br, err := core.Handshake(nc, &core.ClientRequest{Host: ts.addr, Target: target})
		if err != nil {
			t.Fatal(err)
		}
		g := &hostileGen{r: rand.New(rand.NewPCG(1, 2)), maxMsg: 16 << 20}
		g.add(hostileFrame{fin: true, rsv: 0x40, op: 1, announced: -1, payload: []byte("RSV1 set")})
		if _, err := nc.Write(g.s.stream); err != nil {
			t.Fatal(err)
		}
		var res hostileResult
		readServerFrames(bufio.NewReader(br), &res)
		res.replies = nil // reports and chat events are not what is checked here
		want := wireVerdict{end: endClose, code: 1002, rule: "RSV bits"}
		if bad := judgeHostile("/ws/echo", want, res, defaultConfig().IdleTimeout); bad != "" {
			t.Fatalf("%s: %s", target, bad)
		}
		frame := g.wire(nil, hostileFrame{fin: true, op: 1, announced: -1, payload: []byte("still talking")})
		for i := range 20 {
			time.Sleep(10 * time.Millisecond)
			if _, err := nc.Write(frame); err != nil {
				t.Errorf("%s: write %d, %v after the close frame: %v (the server closed the socket instead of lingering)",
					target, i+1, time.Duration(i+1)*10*time.Millisecond, err)
				break
			}
		}
		nc.Close()
	}
}
