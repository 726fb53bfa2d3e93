//go:build !js

package check

import (
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"wsplay/check/testdata/naive"
	"wsplay/core"
)

// startNaive serves the classic Python recipe, ported to Go (package
// naive), on 127.0.0.1 and returns its ws:// URL.
func startNaive(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go naive.Serve(ln)
	return "ws://" + ln.Addr().String() + "/"
}

// The recipe passes what it was written for (the handshake, short text)
// and fails the rest, each with the explanation a learner needs.
func TestNaiveServerFailsWithExplanations(t *testing.T) {
	opts := testOpts()
	opts.Timeout = time.Second // the recipe hangs in chunks.coalesced
	rep, byID := runAll(t, startNaive(t), opts)
	passes := map[string]bool{"handshake.status": true, "handshake.headers": true, "handshake.accept": true,
		"frame.text-0": true, "frame.text-125": true, "frame.text-126": true, "utf8.valid": true,
		"masking.text": true, "masking.text-126": true}
	for _, r := range rep.Results {
		if strings.HasPrefix(r.ID, "compression.") {
			// The recipe ignores the offers: it declines compression,
			// which a server may, and each case says "not offered" or
			// "declined".
			passes[r.ID] = true
		}
		switch {
		case passes[r.ID] && r.Status != Pass:
			t.Errorf("%s: %s, expected PASS: %s", r.ID, r.Status, r.Got)
		case r.ID == "utf8.invalid" && r.Status != Warn:
			t.Errorf("%s: %s, expected the pass-through WARN: %s", r.ID, r.Status, r.Got)
		case !passes[r.ID] && r.ID != "utf8.invalid" && r.Status != Fail:
			t.Errorf("%s: %s, expected FAIL: %s", r.ID, r.Status, r.Got)
		}
		if r.Rule.ID == "" || r.Stage == "" {
			t.Errorf("%s: no rule id or stage: %+v", r.ID, r)
		}
		if r.Status != Pass && (r.Explanation == "" || r.Rule.Source == "" || !strings.HasPrefix(r.Lesson, DefaultLessons+"/lessons/")) {
			t.Errorf("%s: incomplete explanation: %+v", r.ID, r)
		}
	}
	for _, w := range []struct {
		id, got, source, lesson string
	}{
		{"handshake.version", "101 Switching Protocols", core.RuleVersion.Source(), "handshake"},
		{"handshake.no-key", "closed the TCP connection", core.RuleKeyPresent.Source(), "handshake"},
		{"frame.text-65536", "the size of one recv(4096)", "RFC 9293 §2.2", "mistakes"},
		{"frame.binary-125", "a text message of 125 bytes came back", "RFC 6455 §5.6", "frame-anatomy"},
		{"frame.unmasked", "echoed it back", core.RuleClientMasks.Source(), "masking"},
		{"fragments.text", "cut short after 7 bytes", "RFC 6455 §5.4", "fragmentation"},
		{"control.ping", "expected a pong; a text message", "RFC 6455 §5.5.2", "control-frames"},
		{"reserved.rsv1", "echoed it back", core.RuleReservedBits.Source(), "frame-anatomy"},
		{"utf8.fail-fast", "as if it were a whole message", "RFC 6455 §5.4", "fragmentation"},
		{"close.normal", "expected a close frame in answer", "RFC 6455 §5.5.1", "closing"},
		{"large.1MiB", "the size of one recv(4096)", "RFC 9293 §2.2", "mistakes"},
		// One byte per read crashes the recipe (data[1] does not exist);
		// on a loaded machine two bytes may arrive together, and then it
		// answers an empty message: either way a FAIL.
		{"chunks.frame", "", "RFC 9293 §2.2", "mistakes"},
		{"chunks.coalesced", "the second is the one that got lost", "RFC 9293 §2.2", "mistakes"},
	} {
		r := byID[w.id]
		if !strings.Contains(r.Got, w.got) || r.Rule.Source != w.source || r.Lesson != DefaultLessons+"/lessons/"+w.lesson {
			t.Errorf("%s: got %q, rule %q, lesson %q; want %q, %q, %q", w.id, r.Got, r.Rule.Source, r.Lesson, w.got, w.source, w.lesson)
		}
	}
	// The recipe's reads of 4096 bytes are said once, at the top, with the
	// rule's id in each case.
	if d := rep.Diagnosis; d == nil || d.ID != DiagCutAtRecv || !strings.HasSuffix(d.Lesson, "/lessons/mistakes") ||
		!slices.Contains(d.Cases, "frame.text-65536") || byID["frame.text-65536"].Rule.ID != "byte-stream" {
		t.Errorf("diagnosis %+v, rule %+v", rep.Diagnosis, byID["frame.text-65536"].Rule)
	}
	// What was sent and what came back, decoded.
	r := byID["frame.binary-125"]
	if !strings.HasPrefix(r.Sent, "82 fd") || !strings.HasPrefix(r.Received, "81 7d") ||
		len(r.ReceivedFrames) != 1 || !strings.HasPrefix(r.ReceivedFrames[0], "text frame, FIN 1, not masked, 125-byte payload") {
		t.Errorf("frame.binary-125 evidence: sent %q, received %q %q", r.Sent, r.Received, r.ReceivedFrames)
	}
	if t.Failed() {
		logResults(t, rep)
	}
}
