//go:build !js

package autobahn

import (
	"context"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"wsplay/core"
)

// compressionSample is a part of sections 12 and 13 that a test can run
// in a few seconds: every data set and every parameter combination, with
// small and fragmented messages. The whole of 12 and 13 sends 1000
// messages of up to 128 KiB per case, 216 cases: minutes, not seconds
// (TestCompressionFull).
//
// Under -race on two cores compress/flate runs some 30 times slower (4 KiB
// × 1000 took minutes), so the sample keeps every offer at 16 bytes, two
// data sets, one fragmented case and one of 1 KiB.
var compressionSample = []string{"12.1.1", "12.5.1", "12.1.11", "13.*.1", "13.7.4"}

// wsplay's own echo with permessage-deflate negotiated as /ws/echo does:
// every sampled case OK, and the messages travelled compressed.
func TestCompressionWsplayEcho(t *testing.T) {
	start := time.Now()
	rep, _ := run(t, startCoreEcho(t), "wsplay", compressionSample, nil)
	t.Logf("%d compression cases in %s: %v", len(rep.Results), time.Since(start), rep.Count())
	if len(rep.Results) != 3+7+1 {
		t.Fatalf("%d cases ran, want 11", len(rep.Results))
	}
	for _, r := range rep.Results {
		// TestCompressionOnTheWire shows the messages travel compressed.
		if r.Outcome != OK || !r.ReportTime {
			t.Errorf("%s: %s: %s", r.ID, r.Summary(), r.Result)
		}
	}
}

// A compressed message is smaller on the wire than the same message sent
// plain, both ways: the suite compresses what it sends and inflates what
// it receives (a bug there would fail the echo comparison, checked above).
func TestCompressionOnTheWire(t *testing.T) {
	_, on := run(t, startCoreEcho(t), "wsplay", []string{"12.1.5"}, nil)
	if r := on["12.1.5"]; r.Outcome != OK {
		t.Fatalf("12.1.5: %s: %s", r.Summary(), r.Result)
	}
	// 1000 messages of 4096 JSON bytes: compressed, both directions
	// take less than half of the 4 MB they carry.
	if r := on["12.1.5"]; r.TxOctets > 2_000_000 || r.RxOctets > 2_000_000 {
		t.Errorf("12.1.5 sent %d and received %d octets for 4 096 000 bytes of JSON each way: not compressed", r.TxOctets, r.RxOctets)
	}
}

// A server that declines compression (-compress=false) leaves every case
// of 12 and 13 UNIMPLEMENTED, as in Autobahn: not passed, not failed,
// and the run's exit status is 0.
func TestCompressionDeclined(t *testing.T) {
	for name, url := range map[string]string{"core": startCoreEchoDeflate(t, nil), "coder": startCoderEcho(t)} {
		rep, _ := run(t, url, name, []string{"12.1.1", "12.5.18", "13.7.1"}, nil)
		for _, r := range rep.Results {
			if r.Outcome != Unimplemented || r.Behavior != Unimplemented || r.BehaviorClose != OK || r.Result == "" {
				t.Errorf("%s %s: %s (%s | %s); want UNIMPLEMENTED with a clean close", name, r.ID, r.Summary(), r.Result, r.ResultClose)
			}
		}
		if rep.Failed(true) {
			t.Errorf("%s: a declined offer made the run fail: %v", name, rep.Count())
		}
	}
}

// coder/websocket's echo with compression (context takeover, its richer
// mode) passes 12.1.1 and the first cases of 13.1, 13.2 and 13.7. It
// declines the offers that bound its window to 8 bits (13.3, 13.5):
// UNIMPLEMENTED, as Autobahn grades a declined offer. To an offer of
// server_max_window_bits=15 (13.4, 13.6) it answers without the
// parameter, which RFC 7692 §7.1.2.1 does not allow: the handshake
// fails, with the rule.
func TestCompressionCoderEcho(t *testing.T) {
	rep, _ := run(t, startCoderEchoMode(t, websocket.CompressionContextTakeover), "coder/websocket", []string{"12.1.1", "13.*.1"}, nil)
	for _, r := range rep.Results {
		want := OK
		switch {
		case strings.HasPrefix(r.ID, "13.3.") || strings.HasPrefix(r.ID, "13.5."):
			want = Unimplemented
		case strings.HasPrefix(r.ID, "13.4.") || strings.HasPrefix(r.ID, "13.6."):
			want = Failed
			if r.Rule == nil || !strings.Contains(r.Rule.Source, "RFC 7692") {
				t.Errorf("%s: rule %v, want one of RFC 7692", r.ID, r.Rule)
			}
		}
		if r.Outcome != want {
			t.Errorf("%s: %s, want %s: %s", r.ID, r.Summary(), want, r.Result)
		}
	}
}

// The client suite plays the server of 12.x and 13.x: a coder/websocket
// client that offers compression gets the cases whose answer fits its
// offer, and the others are UNIMPLEMENTED. Its offer has neither
// client_no_context_takeover nor client_max_window_bits, so the server
// may ask nothing of it: 12.x's and 13.1's answer (accept as offered)
// fit, and 13.7's last try, the same.
func TestClientSuiteCompression(t *testing.T) {
	cs, err := Select(Cases(), []string{"12.1.1", "12.5.1", "13.*.1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan []*Report, 1)
	fs := &FuzzingServer{Cases: cs, Addr: "test", OnUpdate: func(r []*Report) error { got <- r; return nil }}
	url := serveHTTP(t, fs)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := coderDriver(ctx, url, "coder-client", websocket.CompressionContextTakeover); err != nil {
		t.Fatal(err)
	}
	reps := <-got
	if len(reps) != 1 || len(reps[0].Results) != len(cs) {
		t.Fatalf("%d reports, want one with %d results", len(reps), len(cs))
	}
	for _, r := range reps[0].Results {
		want := Unimplemented
		if strings.HasPrefix(r.ID, "12.") || r.ID == "13.1.1" || r.ID == "13.7.1" {
			want = OK
		}
		if r.Outcome != want {
			t.Errorf("%s: %s, want %s: %s", r.ID, r.Summary(), want, r.Result)
		}
	}
}

// The answers wsplay gives as a server, row by row of section 13, to the
// offers Autobahn's client makes for that row, each parameter as RFC 7692
// §7.1 lets a server answer it.
func TestDeflateAnswers(t *testing.T) {
	want := []string{
		"permessage-deflate", // 13.1: accept as offered, ask nothing
		"permessage-deflate; server_no_context_takeover; client_no_context_takeover",
		"permessage-deflate; server_max_window_bits=8; client_max_window_bits=8",
		"permessage-deflate; server_max_window_bits=15; client_max_window_bits=15",
		"permessage-deflate; server_no_context_takeover; server_max_window_bits=8; client_no_context_takeover; client_max_window_bits=8",
		"permessage-deflate; server_no_context_takeover; server_max_window_bits=15; client_no_context_takeover; client_max_window_bits=15",
		"permessage-deflate; server_no_context_takeover; server_max_window_bits=8; client_no_context_takeover; client_max_window_bits=8",
	}
	for i, row := range section13 {
		var offers []core.Extension
		for _, o := range row.offers {
			offers = append(offers, o.extension())
		}
		ans, p := row.answer(offers)
		if ans == nil || extString(*ans) != want[i] {
			t.Errorf("13.%d: answer %v, want %q", i+1, ans, want[i])
			continue
		}
		// The agreement is what the answer says, checked by core's
		// client side as a client under test would check it. Every
		// offer of Autobahn's carries client_no_context_takeover, which
		// core's client keeps to even when not asked (§7.1.1.2); the
		// suite's server keeps the client's window all the same, which
		// is right either way.
		resp := &core.ServerResponse{Header: core.Headers{{Name: "Sec-WebSocket-Extensions", Value: extString(*ans)}}}
		got, err := resp.Deflate(&core.ClientRequest{Extensions: offers})
		if err == nil && !p.ClientNoContextTakeover {
			got.ClientNoContextTakeover = false
		}
		if err != nil || *got != *p {
			t.Errorf("13.%d: core reads the answer as %+v (%v), the suite plays %+v", i+1, got, err, *p)
		}
	}
	// A browser offers "permessage-deflate; client_max_window_bits": an
	// answer that must ask client_no_context_takeover (13.2) declines it.
	browser := []core.Extension{{Name: core.DeflateName, Params: []core.HeaderField{{Name: "client_max_window_bits"}}}}
	if ans, _ := section13[1].answer(browser); ans != nil {
		t.Errorf("13.2 answered a browser's offer with %q; want declined", extString(*ans))
	}
	if ans, _ := section13[2].answer(browser); ans == nil || extString(*ans) != "permessage-deflate; client_max_window_bits=8" {
		t.Errorf("13.3 answered a browser's offer with %v; want client_max_window_bits=8", ans)
	}
}

func extString(e core.Extension) string {
	s := e.Name
	for _, p := range e.Params {
		s += "; " + p.Name
		if p.Value != "" {
			s += "=" + p.Value
		}
	}
	return s
}

// TestCompressionFull runs every case of 12 and 13 when
// AUTOBAHN_FULL_COMPRESSION names the echo to grade (wsplay or coder):
// how docs/autobahn's compression figures are made. Minutes long.
func TestCompressionFull(t *testing.T) {
	which := os.Getenv("AUTOBAHN_FULL_COMPRESSION")
	if which == "" {
		t.Skip("set AUTOBAHN_FULL_COMPRESSION=wsplay or coder to run all 216 compression cases")
	}
	url, agent := startCoreEcho(t), "wsplay"
	if strings.HasPrefix(which, "coder") {
		url, agent = startCoderEchoMode(t, websocket.CompressionContextTakeover), "coder-websocket-v1.8.15"
	}
	cs, err := Select(Cases(), []string{"12.*", "13.*"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	rep, err := Run(context.Background(), url, Options{Agent: agent, Cases: cs, Lessons: "http://127.0.0.1:8080"}, func(r Result) {
		t.Logf("%s %s %d ms %s", r.ID, r.Outcome, r.Duration, r.Result)
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %d cases in %s: %v", agent, len(rep.Results), time.Since(start), rep.Count())
	writeSummary(t, rep)
}

// An echo that negotiates compression but sends back another message
// fails the case, and the report says why and where to read about it.
func TestCompressionFailureExplained(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _, err := core.Upgrade(w, r, core.UpgradeOptions{Deflate: &core.DeflateOptions{}})
		if err != nil {
			return
		}
		c.ReadLoop(func(op core.Opcode, msg []byte) error {
			return c.WriteMessage(op, append([]byte("x"), msg[1:]...))
		})
	})
	_, byID := run(t, serveHTTP(t, h)+"/", "mangler", []string{"12.1.1"}, nil)
	r := byID["12.1.1"]
	if r.Outcome != Failed || r.Rule == nil || r.Rule.ID != core.RuleInflate.ID || r.Explanation != deflateWhy ||
		r.Lesson != "http://127.0.0.1:8080/lessons/frame-anatomy" || !strings.Contains(r.Result, "contents differs") {
		t.Errorf("12.1.1: %s (%s), rule %v, lesson %q, why %q", r.Summary(), r.Result, r.Rule, r.Lesson, r.Explanation)
	}
}
