//go:build !js

package main

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"

	"wsplay/check"
	"wsplay/core"
	"wsplay/reach"
)

// /ws/check runs the `wsplay check` suite for the page's "Check my server"
// panel and streams the results as they come.
//
// The page sends one text message, {"url": "ws://127.0.0.1:9001/",
// "stage": "frames", "lang": "zh"} ("stage" may be left out or "all": every
// stage; "lang", the page's language, "en" or "zh", may be left out for
// English: the titles, verdicts, explanations, rules and diagnosis of the
// results come in it, each rule with its id). The
// server answers with JSON text messages: {"type": "start", "cases": N},
// then {"type": "result", "result": {...}} after each case (the same Result
// as `wsplay check -json`), then {"type": "done", "report": {...}}. A URL it
// will not check (or an unknown stage) gets {"type": "refused", "reason":
// "..."}; a server already
// running as many checks as it allows gets {"type": "busy"}. The page may
// send another URL once a run is done; closing the connection cancels a run.
//
// The class board (class.go): with {"nick": "Ada", "code": "K7M-4QX"} beside
// the URL, the run's stage results go on the board, and {"type": "board",
// "nick": "Ada"} comes before "done". A refusal ({"type": "board",
// "reason": "..."}: a wrong class code, a nickname taken) comes before
// "start", and the run goes on without the board.
//
// The server connects on behalf of whoever has the page open, so a
// classroom server reachable by thirty laptops must not become a probe of
// the school network: a visitor on this machine may check servers on this
// machine (loopback), a visitor elsewhere only servers on its own address
// (reach.ForRequester). To check anything else, run `wsplay check URL` on
// the machine next to that server. And the page's runs stop at the first
// answer that is not a WebSocket handshake response, showing its status
// line only (check.Options.Page): the page must not read back the headers
// of other services on the machine.

// maxChecks is how many checks the server runs at once: each opens many
// connections and sends up to megabytes, so a class pressing "Check" at
// once waits its turn rather than loading the machine. maxChecksPerAddr is
// how many of them one client address may hold: one student (or one
// script) cannot take every slot.
const (
	maxChecks        = 8
	maxChecksPerAddr = 1
)

// checkRequest is what the page sends.
type checkRequest struct {
	URL   string `json:"url"`
	Stage string `json:"stage"` // a check.Stages id, "all" or ""
	Lang  string `json:"lang"`  // the page's language: "en", "zh" or "" (English)
	// Nick and Code put the run's stage results on the class board
	// (class.go) when Nick is not empty.
	Nick string `json:"nick,omitempty"`
	Code string `json:"code,omitempty"`
}

// checkEvent is what the server streams.
type checkEvent struct {
	Type   string        `json:"type"` // start, result, board, done, refused, busy
	Cases  int           `json:"cases,omitempty"`
	Result *check.Result `json:"result,omitempty"`
	Report *check.Report `json:"report,omitempty"`
	Reason string        `json:"reason,omitempty"`
	Nick   string        `json:"nick,omitempty"` // board: the nickname shown on the class board
}

// checkSlots counts the checks running, in all and per client address.
type checkSlots struct {
	mu     sync.Mutex
	total  int
	byAddr map[netip.Addr]int
}

// take reserves a slot for addr; it reports false when the server or the
// address already runs as many checks as it may.
func (cs *checkSlots) take(addr netip.Addr) (ok bool, why string) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	switch {
	case cs.byAddr[addr] >= maxChecksPerAddr:
		return false, "a check from your machine is already running (in another tab?); wait for it to end, or close that tab"
	case cs.total >= maxChecks:
		return false, "the server is running as many checks as it allows; try again in a minute"
	}
	if cs.byAddr == nil {
		cs.byAddr = map[netip.Addr]int{}
	}
	cs.total++
	cs.byAddr[addr]++
	return true, ""
}

// give frees the slot take reserved.
func (cs *checkSlots) give(addr netip.Addr) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.total--
	if cs.byAddr[addr]--; cs.byAddr[addr] <= 0 {
		delete(cs.byAddr, addr)
	}
}

// checkEndpoint prepares a /ws/check connection.
func (s *Server) checkEndpoint(r *http.Request) (core.Config, wsHandler) {
	// Lesson links in the results point at this server's own lessons.
	opts := check.Options{Lessons: "http://" + r.Host, Page: true}
	policy := requesterPolicy(r)
	from := reach.IPOf(r.RemoteAddr)
	opts.Policy = &policy
	return core.Config{MaxMessageSize: 4 << 10}, func(c *wsConn) error {
		// Deferred calls run last first: when the page goes away the
		// run is cancelled, then waited for (the other way round, a
		// run against a slow server held its slot for minutes after
		// the page had closed).
		var running sync.WaitGroup
		defer running.Wait()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		busy := make(chan struct{}, 1) // full while a run is under way
		for {
			op, msg, err := c.conn.ReadMessage(nil)
			if err != nil {
				return err // also ends a run: cancel, then wait for it
			}
			var req checkRequest
			if op != core.OpText || json.Unmarshal(msg, &req) != nil || req.URL == "" {
				sendEvent(c, checkEvent{Type: "refused", Reason: `send {"url": "ws://127.0.0.1:PORT/PATH"}`})
				continue
			}
			if err := check.ValidStage(req.Stage); err != nil {
				sendEvent(c, checkEvent{Type: "refused", Reason: "unknown stage; the stages are " + check.StageNames()})
				continue
			}
			if req.Lang != "" && !core.ValidLang(req.Lang) {
				sendEvent(c, checkEvent{Type: "refused", Reason: "unknown lang; the languages are " + strings.Join(core.Langs, ", ")})
				continue
			}
			select {
			case busy <- struct{}{}:
			default:
				sendEvent(c, checkEvent{Type: "refused", Reason: "a check is already running on this connection"})
				continue
			}
			running.Add(1)
			go func() {
				defer running.Done()
				o := opts
				o.Stage = req.Stage
				o.Lang = req.Lang
				nick := s.admitPage(c, req.Nick, req.Code, from) // the class board: class.go
				last := s.runCheck(ctx, c, req.URL, o)
				s.recordPage(c, nick, req.Code, from, last.Report)
				// Free the connection before the last event goes out: a
				// page that sends its next URL as soon as it reads the
				// answer must not be told a check is still running.
				<-busy
				sendEvent(c, last)
			}()
		}
	}
}

// runCheck runs one check, streams its start and results, and returns the
// last event: the report, or why the check did not run. The target is
// resolved once, inside check.Run, under the page's policy for the
// address the request came from (reach.ForRequester), and every case dials
// the address that was allowed.
func (s *Server) runCheck(ctx context.Context, c *wsConn, url string, opts check.Options) checkEvent {
	opts.LookupIP = s.cfg.lookup
	addr := reach.IPOf(c.remote)
	ok, why := s.checks.take(addr)
	if !ok {
		return checkEvent{Type: "busy", Reason: why}
	}
	defer s.checks.give(addr)
	opts.Started = func(cases int) { sendEvent(c, checkEvent{Type: "start", Cases: cases}) }
	rep, err := check.Run(ctx, url, opts, func(r check.Result) {
		sendEvent(c, checkEvent{Type: "result", Result: &r})
	})
	var refused *reach.RefusedError
	switch {
	case errors.As(err, &refused):
		return checkEvent{Type: "refused", Reason: refused.Reason}
	case err != nil:
		return checkEvent{Type: "refused", Reason: err.Error()}
	}
	return checkEvent{Type: "done", Report: rep}
}

// requesterPolicy is the page's rule of whom the server may connect to for
// the request r: the machine the request came from (reach.ForRequester).
func requesterPolicy(r *http.Request) reach.Policy {
	var local netip.Addr
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		local = reach.IPOf(a.String())
	}
	return reach.ForRequester(reach.IPOf(r.RemoteAddr), local)
}

// sendEvent writes one event; a failed write ends the connection, which
// cancels the run through the reader.
func sendEvent(c *wsConn, e checkEvent) {
	b, err := json.Marshal(e)
	if err != nil {
		return
	}
	c.conn.WriteMessage(core.OpText, b)
}
