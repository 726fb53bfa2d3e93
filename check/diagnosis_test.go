//go:build !js

package check

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"wsplay/core"
)

// A learner's server at some point of the course, on a real socket: it
// reads the handshake request, refuses a bad one the way lessons 2-3 teach
// (core's refusal), answers a good one with 101 and the Accept value that
// accept computes, then hands the connection to after.
type learnerServer struct {
	accept func(key string) string
	after  func(nc net.Conn, br *bufio.Reader)
}

// serveRaw serves every connection to a loopback listener with handle, on
// a goroutine of its own that closes the connection when handle returns,
// until the test ends; it returns the listener's ws:// URL. The tests'
// hand-made servers (a learner's, a broken one) are handle functions.
func serveRaw(t *testing.T, handle func(nc net.Conn, br *bufio.Reader)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer nc.Close()
				handle(nc, bufio.NewReader(nc))
			}()
		}
	}()
	return "ws://" + ln.Addr().String() + "/"
}

func (ls learnerServer) start(t *testing.T) string {
	t.Helper()
	return serveRaw(t, func(nc net.Conn, br *bufio.Reader) {
		req, err := core.ReadRequest(br, 0)
		if err != nil {
			return
		}
		if err := req.Validate(); err != nil {
			if he, ok := err.(*core.HandshakeError); ok {
				nc.Write(he.AppendErrorResponse(nil))
			}
			return
		}
		accept := core.Accept(req.Key())
		if ls.accept != nil {
			accept = ls.accept(req.Key())
		}
		io.WriteString(nc, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "+accept+"\r\n\r\n")
		if ls.after != nil {
			ls.after(nc, br)
		} else {
			io.Copy(io.Discard, br) // reads, never answers
		}
	})
}

// echoStillMasked is the classic first echo: it parses each frame's header
// right, refuses reserved bits and opcodes by dropping the connection (it
// knows no close frame yet), but sends the payload back as it came, still
// masked.
func echoStillMasked(nc net.Conn, br *bufio.Reader) {
	for {
		var h [2]byte
		if _, err := io.ReadFull(br, h[:]); err != nil {
			return
		}
		if op := h[0] & 0x0f; h[0]&0x70 != 0 || op > 2 && op < 8 || op > 0xa {
			return
		}
		n := uint64(h[1] & 0x7f)
		switch n {
		case 126:
			var b [2]byte
			io.ReadFull(br, b[:])
			n = uint64(binary.BigEndian.Uint16(b[:]))
		case 127:
			var b [8]byte
			io.ReadFull(br, b[:])
			n = binary.BigEndian.Uint64(b[:])
		}
		var key [4]byte
		io.ReadFull(br, key[:])
		p := make([]byte, n)
		if _, err := io.ReadFull(br, p); err != nil {
			return
		}
		out := core.AppendFrameHeader(nil, core.FrameHeader{Fin: true, Opcode: core.Opcode(h[0] & 0x0f), Length: n})
		nc.Write(append(out, p...))
	}
}

// A server that answers gets 5 s a case: under -race on a loaded machine a
// 1 MiB echo can take over a second. One that hangs (it never reads frames)
// gets 1 s, so its many timed-out cases stay quick.
func stageRun(t *testing.T, url, stage string, answers bool) (*Report, map[string]Result) {
	t.Helper()
	opts := testOpts()
	opts.Timeout = time.Second
	if answers {
		opts.Timeout = 5 * time.Second
	}
	opts.Stage = stage
	return runAll(t, url, opts)
}

// The mistakes of first servers are recognised from what came back, said
// once at the top with the lesson to read, and the cases carry the rule ids.
func TestDiagnosis(t *testing.T) {
	hexAccept := func(key string) string {
		s := sha1.Sum([]byte(key + core.GUID))
		return hex.EncodeToString(s[:])
	}
	decodedAccept := func(key string) string {
		raw, _ := base64.StdEncoding.DecodeString(key)
		s := sha1.Sum(append(raw, core.GUID...))
		return base64.StdEncoding.EncodeToString(s[:])
	}
	later := func(from string) []string {
		var ids []string
		for _, s := range Stages[stageIndex(from):] {
			ids = append(ids, s.ID)
		}
		return ids
	}
	for _, tc := range []struct {
		name     string
		server   learnerServer
		stage    string
		diag     string   // "" for none
		lesson   string   // of the diagnosis
		caseID   string   // a case that shows it …
		ruleID   string   // … with this rule id
		notTried []string // Report.NotTried
		notYet   string   // the stage reported as not yet, if any
	}{
		{name: "handshake only, graded on its stage", server: learnerServer{}, stage: "handshake",
			notTried: later("frames")},
		{name: "handshake only, every stage", server: learnerServer{}, stage: "all",
			diag: DiagHandshakeOnly, lesson: "frame-anatomy", caseID: "frame.text-125", ruleID: "length-7",
			notTried: later("masking"), notYet: "frames"},
		{name: "Accept in hex", server: learnerServer{accept: hexAccept}, stage: "all",
			diag: DiagAcceptHex, lesson: "accept", caseID: "handshake.accept", ruleID: "accept-value", notTried: later("frames")},
		{name: "Accept from the decoded key", server: learnerServer{accept: decodedAccept}, stage: "all",
			diag: DiagAcceptDecodedKey, lesson: "accept", caseID: "handshake.accept", ruleID: "accept-value", notTried: later("frames")},
		{name: "echoed still masked, graded up to frames", server: learnerServer{after: echoStillMasked}, stage: "frames",
			notTried: later("masking")},
		{name: "echoed still masked", server: learnerServer{after: echoStillMasked}, stage: "masking",
			diag: DiagEchoedMasked, lesson: "masking", caseID: "masking.text", ruleID: "unmask-payload", notTried: later("fragments"), notYet: "masking"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, byID := stageRun(t, tc.server.start(t), tc.stage, tc.server.after != nil)
			defer func() {
				if t.Failed() {
					logResults(t, rep)
				}
			}()
			if !slices.Equal(rep.NotTried, tc.notTried) {
				t.Errorf("not tried %v, want %v", rep.NotTried, tc.notTried)
			}
			if tc.diag == "" {
				if rep.Diagnosis != nil || rep.Fail != 0 {
					t.Errorf("want a clean pass, got %d failed, diagnosis %+v", rep.Fail, rep.Diagnosis)
				}
				// Before the close stage, a connection dropped without a
				// close frame is a warning, never a failure.
				for _, r := range rep.Results {
					if r.Status == Warn && r.Rule.ID != "fail-with-close" {
						t.Errorf("%s: WARN for %s", r.ID, r.Rule.ID)
					}
				}
				return
			}
			d := rep.Diagnosis
			if d == nil || d.ID != tc.diag || !strings.HasSuffix(d.Lesson, "/lessons/"+tc.lesson) || !slices.Contains(d.Cases, tc.caseID) && tc.diag != DiagHandshakeOnly {
				t.Fatalf("diagnosis %+v, want %s with lesson %s seen in %s", d, tc.diag, tc.lesson, tc.caseID)
			}
			if r := byID[tc.caseID]; r.Status != Fail || r.Rule.ID != tc.ruleID {
				t.Errorf("%s: %s, rule %+v; want FAIL with rule %s", tc.caseID, r.Status, r.Rule, tc.ruleID)
			}
			// A core rule comes with its Chinese text, for the page.
			if r := byID[tc.caseID]; r.Rule.ID == core.RuleAcceptValue.ID && r.Rule.TextZH != core.RuleAcceptValue.TextIn("zh") {
				t.Errorf("%s: Chinese text %q", tc.caseID, r.Rule.TextZH)
			}
			// Said once: the text report names it at the top, not per case.
			var b bytes.Buffer
			tw := &TextWriter{W: &b}
			tw.Diagnose(rep)
			for _, r := range rep.Results {
				tw.Result(r)
			}
			tw.Summary(rep)
			out := b.String()
			if !strings.HasPrefix(out, "\nFirst, this: ["+tc.diag+"]") || strings.Count(out, d.Text[:40]) != 1 {
				t.Errorf("text report:\n%s", out)
			}
			if tc.notYet != "" {
				var sc StageScore
				for _, s := range rep.Stages {
					if s.Stage == tc.notYet {
						sc = s
					}
				}
				fails := 0
				for _, r := range rep.Results {
					if r.Stage == tc.notYet && r.Status == Fail {
						fails++
					}
				}
				if sc.Status != StageNotYet || fails != 1 || sc.Skipped == 0 || !strings.Contains(out, "not yet") || !strings.Contains(out, "Not yet: ") {
					t.Errorf("stage %s: %+v with %d failures; want not yet with one failure", tc.notYet, sc, fails)
				}
			}
		})
	}
}

// A server that answers every case with nothing at all after its handshake
// gets a kind not yet in JSON, too: the stages and the diagnosis are there
// for a program.
func TestDiagnosisJSON(t *testing.T) {
	rep, _ := stageRun(t, learnerServer{}.start(t), "", false)
	var b bytes.Buffer
	if err := WriteJSON(&b, rep); err != nil {
		t.Fatal(err)
	}
	var back struct {
		Diagnosis struct{ ID string } `json:"diagnosis"`
		NotTried  []string            `json:"not_tried"`
		Stages    []struct{ Stage, Status string }
		Results   []struct {
			Stage string
			Rule  struct{ ID string }
		}
	}
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Diagnosis.ID != DiagHandshakeOnly || len(back.NotTried) != len(Stages)-2 || len(back.Stages) != 2 ||
		back.Stages[0].Status != StagePassed || back.Stages[1].Status != StageNotYet {
		t.Fatalf("%s", b.String())
	}
	for _, r := range back.Results {
		if r.Stage == "" || r.Rule.ID == "" {
			t.Errorf("a result without its stage or rule id: %+v", r)
		}
	}
}

// A hostile server that sends an endless fragmented message cannot grow
// the check's memory: the case fails at the check's own limit, named.
func TestEndlessMessageIsBounded(t *testing.T) {
	url := learnerServer{after: func(nc net.Conn, br *bufio.Reader) {
		chunk := make([]byte, 64<<10)
		nc.Write(core.AppendFrameHeader(nil, core.FrameHeader{Opcode: core.OpBinary, Length: uint64(len(chunk))}))
		nc.Write(chunk)
		h := core.AppendFrameHeader(nil, core.FrameHeader{Opcode: core.OpContinuation, Length: uint64(len(chunk))})
		for {
			if _, err := nc.Write(append(h, chunk...)); err != nil {
				return
			}
		}
	}}.start(t)
	opts := testOpts()
	opts.Run = []string{"frame.text-125"}
	opts.MaxMessage = 1 << 20
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	rep, byID := runAll(t, url, opts)
	runtime.ReadMemStats(&after)
	r := byID["frame.text-125"]
	if rep.Fail != 1 || r.Rule.ID != core.RuleMessageTooBig.ID || !strings.Contains(r.Got, "the check's own limit of 1048576 bytes") {
		t.Fatalf("%+v", r)
	}
	// The server sends as fast as loopback goes for as long as the check
	// reads; the check stops at about 1 MiB.
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 32<<20 {
		t.Errorf("the check allocated %d MiB against a 1 MiB limit", grew>>20)
	}
}

// What a hostile server sends can neither drive the terminal nor reorder
// the text: control characters and bidi overrides come out escaped in the
// text, JSON and HTML reports.
func TestServerTextIsEscaped(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer nc.Close()
				core.ReadRequest(bufio.NewReader(nc), 0)
				io.WriteString(nc, "HTTP/1.1 403 No\x1b]0;pwned\x07\x1b[2J\u202eSSAP\r\nX-Evil: \x1b[32mPASS every case\x9b\u2066\r\n\r\n")
			}()
		}
	}()
	for _, page := range []bool{false, true} {
		opts := testOpts()
		opts.Page = page // the page's runs rewrite the result: escaped too
		rep, err := Run(context.Background(), "ws://"+ln.Addr().String()+"/", opts, nil)
		if err != nil || len(rep.Results) == 0 {
			t.Fatalf("page %v: %v %+v", page, err, rep)
		}
		checkEscaped(t, rep, page)
	}
}

func checkEscaped(t *testing.T, rep *Report, page bool) {
	t.Helper()
	var text, js, html bytes.Buffer
	tw := &TextWriter{W: &text}
	tw.Diagnose(rep)
	for _, r := range rep.Results {
		tw.Result(r)
	}
	tw.Summary(rep)
	WriteJSON(&js, rep)
	WriteHTML(&html, rep)
	var decoded Report
	json.Unmarshal(js.Bytes(), &decoded)
	decodedText, _ := json.Marshal(decoded.Results) // JSON escapes; look at the strings it carries
	for name, out := range map[string]string{"text": text.String(), "json": string(decodedText), "html": html.String()} {
		for _, bad := range []string{"\x1b", "\x07", "\u202e", "\u2066", "\u009b"} {
			if strings.Contains(out, bad) {
				t.Errorf("page %v: %s report contains %q", page, name, bad)
			}
		}
	}
	for _, r := range decoded.Results {
		for _, f := range append([]string{r.Got}, r.ReceivedFrames...) {
			for _, bad := range []string{"\x1b", "\x07", "\u202e", "\u2066", "\u009b"} {
				if strings.Contains(f, bad) {
					t.Errorf("page %v: %s: %q", page, r.ID, f)
				}
			}
		}
	}
	if !strings.Contains(text.String(), `\x1b[2J`) || !strings.Contains(text.String(), `\u202e`) {
		t.Errorf("page %v: the escapes are not shown:\n%s", page, text.String())
	}
}

// In the page's runs the check stops at the first answer that is not a
// WebSocket handshake response and reports its status line only: the
// service's headers and body never reach the page. The command line keeps
// them.
func TestPageStopsAtANonWebSocketAnswer(t *testing.T) {
	for _, tc := range []struct {
		name, answer, line string
	}{
		{"HTTP service", "HTTP/1.1 200 OK\r\nSet-Cookie: session=SECRET-COOKIE\r\nX-Api-Token: SECRET-TOKEN\r\nContent-Length: 11\r\n\r\nSECRET-BODY", "HTTP/1.1 200 OK"},
		{"not HTTP", "SSH-2.0-OpenSSH_9.2 SECRET-BANNER\r\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			accepted := make(chan struct{}, 100)
			go func() {
				for {
					nc, err := ln.Accept()
					if err != nil {
						return
					}
					accepted <- struct{}{}
					go func() {
						defer nc.Close()
						core.ReadRequest(bufio.NewReader(nc), 0)
						io.WriteString(nc, tc.answer)
					}()
				}
			}()
			url := "ws://" + ln.Addr().String() + "/admin?x=1"
			for _, page := range []bool{true, false} {
				opts := testOpts()
				opts.Page = page
				rep, err := Run(context.Background(), url, opts, nil)
				if err != nil {
					t.Fatal(err)
				}
				js, _ := json.Marshal(rep)
				leaks := strings.Contains(string(js), "SECRET-")
				if page {
					r := rep.Results[0]
					var want []string
					if tc.line != "" {
						want = []string{tc.line}
					}
					if len(rep.Results) != 1 || leaks || !slices.Equal(r.ReceivedFrames, want) ||
						!strings.Contains(r.Got, "not a WebSocket handshake response") || len(rep.NotTried) != len(Stages)-1 {
						t.Fatalf("page: %s", js)
					}
					if n := len(accepted); n != 1 {
						t.Errorf("page: %d connections, want 1", n)
					}
				} else if !leaks && tc.line != "" {
					t.Errorf("command line: the details are missing: %s", js)
				} else if tc.line == "" && !strings.Contains(rep.Results[0].Got, "bytes that do not make an HTTP response head") {
					t.Errorf("command line: %q", rep.Results[0].Got)
				}
				for len(accepted) > 0 {
					<-accepted
				}
			}
		})
	}
}
