//go:build !js

package autobahn

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"wsplay/check"
	"wsplay/core"
	"wsplay/reach"
)

// openHandshakeTimeout bounds connecting and the opening handshake of each
// case, as Autobahn's openHandshakeTimeout does.
const openHandshakeTimeout = 5 * time.Second

// hardLimit bounds a case with no limit of its own: every script ends
// itself within about ten seconds (1.1.6-1.1.8 and 10.1.1 wait 10 s for a
// 64 KiB echo), so this only stops a case whose peer keeps it busy.
const hardLimit = 15 * time.Second

// Options configure a run of the server suite.
type Options struct {
	// Agent names the server under test in the reports, e.g. "wsplay".
	Agent string
	// Cases are the cases to run, in order (Select picks them).
	Cases []Case
	// AllowRemote allows servers that are not on this machine or a private
	// network (reach.CommandLine).
	AllowRemote bool
	// Lookup resolves host names; nil is the system resolver. Tests pass a
	// stub.
	Lookup reach.Lookup
	// Lessons is the base URL of the lesson links; "" means
	// check.DefaultLessons.
	Lessons string
}

// Report is the outcome of a run for one agent.
type Report struct {
	Agent    string
	Target   string // the URL of the server, or the address the suite listened on
	IsServer bool   // wsplay played the server (the client suite)
	Started  time.Time
	Elapsed  time.Duration
	Results  []Result
	// Interrupted: the run was stopped before every case ran.
	Interrupted bool
}

// Count returns how many results have each outcome.
func (rep *Report) Count() map[string]int {
	n := map[string]int{}
	for _, r := range rep.Results {
		n[r.Outcome]++
	}
	return n
}

// Failed reports whether a case FAILED, or with strict, also whether one
// was NON-STRICT.
func (rep *Report) Failed(strict bool) bool {
	n := rep.Count()
	return n[Failed] > 0 || strict && n[NonStrict] > 0 || rep.Interrupted
}

// Run plays the cases against the WebSocket server at url, one new
// connection per case, and grades it. The URL must be allowed by
// reach.CommandLine; progress, when not nil, is called after each case.
func Run(ctx context.Context, url string, opts Options, progress func(Result)) (*Report, error) {
	t, err := reach.Resolve(ctx, url, reach.CommandLine(opts.AllowRemote), opts.Lookup)
	if err != nil {
		return nil, err
	}
	if opts.Agent == "" {
		opts.Agent = "server"
	}
	if opts.Lessons == "" {
		opts.Lessons = check.DefaultLessons
	}
	rep := &Report{Agent: opts.Agent, Target: url, Started: time.Now()}
	for i, c := range opts.Cases {
		if ctx.Err() != nil {
			rep.Interrupted = true
			break
		}
		r := runClientCase(ctx, t, c, i+1, opts)
		rep.Results = append(rep.Results, r)
		if progress != nil {
			progress(r)
		}
	}
	rep.Elapsed = time.Since(rep.Started)
	return rep, nil
}

func newResult(c Case, n int, agent string, isServer bool) Result {
	return Result{Agent: agent, Case: n, ID: c.ID, Description: c.Description, Expectation: c.Expectation,
		ReportTime: c.ReportTime, IsServer: isServer, Started: time.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
		Expected: map[string][][]any{}, Received: [][]any{}}
}

func unimplemented(c Case, n int, agent string, isServer bool) Result {
	r := newResult(c, n, agent, isServer)
	r.Behavior, r.BehaviorClose, r.Outcome = Unimplemented, Unimplemented, Unimplemented
	r.Result = c.Expectation
	r.ResultClose = c.Expectation
	return r
}

// notOpen is the result of a case whose connection never opened.
func notOpen(c Case, n int, agent string, isServer bool, err error, lessons string) Result {
	r := newResult(c, n, agent, isServer)
	r.Behavior, r.BehaviorClose, r.Outcome = Failed, Failed, Failed
	// The error may quote the server's status line as it came: escaped,
	// it can neither drive a terminal nor reorder the text (check.Clean).
	msg := check.Clean(err.Error())
	r.Result = "The WebSocket connection was never open: " + msg
	r.ResultClose = r.Result
	r.Broke = "did not complete the opening handshake: " + msg
	var he *core.HandshakeError
	if errors.As(err, &he) && he.Rule.ID != "" {
		r.Rule = ruleRef(he.Rule)
		r.Explanation = "The opening handshake must succeed before any case can run: " + he.Rule.Cite() + "."
		r.Lesson = strings.TrimRight(lessons, "/") + "/lessons/handshake"
	} else {
		r.Explanation = "Nothing answered the opening handshake in time: is the server running at that address, and does it answer every new connection?"
		r.Lesson = strings.TrimRight(lessons, "/") + "/lessons/your-server"
	}
	return r
}

func runClientCase(ctx context.Context, t *reach.Target, c Case, n int, opts Options) Result {
	if c.Unimplemented {
		return unimplemented(c, n, opts.Agent, false)
	}
	start := time.Now()
	dctx, cancel := context.WithTimeout(ctx, openHandshakeTimeout)
	conn, err := reach.Dial(dctx, t)
	cancel()
	if err != nil {
		return notOpen(c, n, opts.Agent, false, err, opts.Lessons)
	}
	conn.SetDeadline(start.Add(openHandshakeTimeout))
	req := &core.ClientRequest{Host: t.Host, Target: t.Path, Header: core.Headers{{Name: "User-Agent", Value: "wsplay-autobahn"}}}
	if c.deflate != nil {
		for _, o := range c.deflate.offers {
			req.Extensions = append(req.Extensions, o.extension())
		}
	}
	resp, br, err := core.Handshake(conn, req)
	var dp *core.DeflateParams
	if err == nil && c.deflate != nil {
		// Handshake has checked the answer against the offers.
		dp, err = resp.Deflate(req)
	}
	if err != nil {
		conn.Close()
		return notOpen(c, n, opts.Agent, false, err, opts.Lessons)
	}
	conn.SetDeadline(time.Time{})
	return play(ctx, c, n, opts.Agent, core.Client, conn, br, start, opts.Lessons, dp)
}

// play runs case c on an open connection and grades it.
// dp is the permessage-deflate agreement of the handshake, nil for none.
func play(ctx context.Context, c Case, n int, agent string, role core.Role, conn net.Conn, br io.Reader, start time.Time, lessons string, dp *core.DeflateParams) Result {
	limit := c.limit
	if limit == 0 {
		limit = hardLimit
	}
	r := newResult(c, n, agent, role == core.Server)
	p := newPeer(ctx, role, conn, br, start.Add(limit), dp)
	c.play(p)
	p.serve(start.Add(limit + time.Second))
	p.drop()
	// Wait for the reader to end, so its counters can be read.
	close(p.done)
	for range p.in {
	}
	r.duration = time.Since(start)
	r.Duration = r.duration.Milliseconds()
	r.Behavior, r.Result, r.BehaviorClose, r.ResultClose = grade(c, p)
	r.Outcome = outcome(r.Behavior, r.BehaviorClose)
	for _, e := range p.expected {
		r.Expected[e.behavior] = eventsJSON(e.events)
	}
	ec := p.expectedClose
	var codes []int
	for _, k := range ec.Codes {
		codes = append(codes, int(k))
	}
	r.ExpectedClosingBehavior = map[string]any{"closedByMe": ec.ClosedByMe, "closeCode": codes, "requireClean": ec.RequireClean}
	r.Received = eventsJSON(p.received)
	r.ClosedByMe, r.DroppedByMe, r.FailedByMe, r.WasClean = p.closedByMe, p.droppedByMe, p.failedByMe, p.wasClean
	if !p.wasClean && p.notClean != "" {
		s := p.notClean
		r.WasNotCleanReason = &s
	}
	r.WasCloseHandshakeTimout, r.WasServerDropTimeout = p.closeTimedOut, p.serverDropTimedOut
	r.LocalCloseCode, r.RemoteCloseCode = p.localCode, p.remoteCode
	if p.remoteCode != nil {
		s := p.remoteReason
		r.RemoteCloseReason = &s
	}
	r.TxFrames, r.RxFrames, r.TxOctets, r.RxOctets = p.txFrames, p.rxFrames, p.txBytes, p.rxBytes
	if p.broke != nil {
		r.Broke = p.brokeWhat
	}
	r.explain(c, p.broke, lessons)
	return r
}

// Summary is the one-line verdict of a case for text output, e.g.
// "FAILED (behavior FAILED, close WRONG CODE: 1000)".
func (r *Result) Summary() string {
	s := r.Outcome
	if r.Outcome != r.Behavior || r.BehaviorClose != OK && r.BehaviorClose != r.Behavior {
		s += fmt.Sprintf(" (behavior %s, close %s)", r.Behavior, r.BehaviorClose)
	}
	return s
}
