//go:build !js

package autobahn

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"wsplay/check"
	"wsplay/core"
)

// maxAgentName bounds the agent names clients may register, and
// maxAgents the number of agents kept in memory.
const (
	maxAgentName = 100
	maxAgents    = 64
	maxRunning   = 4
)

// FuzzingServer is the client suite: the server side of Autobahn's fuzzing
// server protocol, which existing client test drivers speak. Every
// endpoint is a WebSocket:
//
//	/getCaseCount                  one text message: the number of cases
//	/getCaseInfo?case=N            one text message: {"id": …, "description": …}
//	/runCase?case=N&agent=A        plays case N (1-based) against client A
//	/getCaseStatus?case=N&agent=A  one text message: {"behavior": …}
//	/updateReports?agent=A         writes the reports, then closes
//	/getReport?agent=A             one text message: A's report as text,
//	                               with an explanation for every failure
//	                               (wsplay's own, for drivers that show it)
//
// A driver connects to /getCaseCount, then to /runCase for 1…N, echoing
// every message it receives, then to /updateReports.
type FuzzingServer struct {
	// Cases are the cases offered, in order; case=1 is Cases[0].
	Cases []Case
	// Lessons is the base URL of the lesson links; "" means
	// check.DefaultLessons.
	Lessons string
	// Addr names the server in the reports, e.g. "127.0.0.1:9001".
	Addr string
	// OnUpdate is called on /updateReports with the reports of every
	// agent seen so far (also when agent=A names one); it writes them.
	OnUpdate func(reports []*Report) error
	// Ctx, when set, ends the cases in progress when it is done.
	Ctx context.Context
	// MaxAgents bounds the agents whose reports are kept; 0 means 64. A
	// new agent past it is refused with 503.
	MaxAgents int

	mu      sync.Mutex
	reports map[string]*Report
	running chan struct{}
}

// Reports returns the reports of every agent, in the order agents came.
func (s *FuzzingServer) Reports() []*Report {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*Report
	for _, rep := range s.reports {
		cp := *rep
		cp.Results = append([]Result(nil), rep.Results...)
		sort.Slice(cp.Results, func(i, j int) bool { return cp.Results[i].Case < cp.Results[j].Case })
		out = append(out, &cp)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Started.Before(out[j].Started) })
	return out
}

func (s *FuzzingServer) maxAgents() int {
	if s.MaxAgents > 0 {
		return s.MaxAgents
	}
	return maxAgents
}

func (s *FuzzingServer) busy() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.running) > 0
}

func (s *FuzzingServer) lessons() string {
	if s.Lessons == "" {
		return check.DefaultLessons
	}
	return s.Lessons
}

// ServeHTTP answers the fuzzing-server endpoints.
func (s *FuzzingServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	switch r.URL.Path {
	case "/getCaseCount":
		s.sendOne(w, r, strconv.Itoa(len(s.Cases)))
	case "/getCaseInfo":
		c, _, ok := s.caseOf(w, q.Get("case"))
		if ok {
			b, _ := json.Marshal(map[string]string{"id": c.ID, "description": plain(c.Description)})
			s.sendOne(w, r, string(b))
		}
	case "/getCaseStatus":
		c, _, ok := s.caseOf(w, q.Get("case"))
		if !ok {
			return
		}
		behavior := "UNKNOWN"
		s.mu.Lock()
		if rep := s.reports[q.Get("agent")]; rep != nil {
			for _, res := range rep.Results {
				if res.ID == c.ID {
					behavior = res.Behavior
				}
			}
		}
		s.mu.Unlock()
		b, _ := json.Marshal(map[string]string{"behavior": behavior})
		s.sendOne(w, r, string(b))
	case "/runCase":
		s.runCase(w, r)
	case "/getReport":
		agent := q.Get("agent")
		var text strings.Builder
		for _, rep := range s.Reports() {
			if rep.Agent == agent {
				WriteText(&text, rep, false)
			}
		}
		if text.Len() == 0 {
			text.WriteString("no case has run for agent " + strconv.Quote(agent) + " yet: run /runCase?case=N&agent=" + url.QueryEscape(agent) + " first\n")
		}
		s.sendOne(w, r, text.String())
	case "/updateReports":
		// A driver may ask as soon as its side of the last case ended,
		// before this side has graded it: wait for the cases running.
		for deadline := time.Now().Add(hardLimit); s.busy() && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
		}
		var err error
		if s.OnUpdate != nil {
			err = s.OnUpdate(s.Reports())
		}
		if err != nil {
			http.Error(w, "cannot write the reports: "+err.Error(), http.StatusInternalServerError)
			return
		}
		s.sendOne(w, r, "")
	default:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte("wsplay check -client: an Autobahn|Testsuite fuzzing server.\n" +
			"Connect a WebSocket client to /getCaseCount, then to /runCase?case=N&agent=NAME for N = 1 … count, " +
			"echoing every message back, then to /updateReports?agent=NAME; /getReport?agent=NAME sends the report as text.\n"))
	}
}

func (s *FuzzingServer) caseOf(w http.ResponseWriter, v string) (Case, int, bool) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > len(s.Cases) {
		http.Error(w, "case must be a number from 1 to "+strconv.Itoa(len(s.Cases))+" (see /getCaseCount)", http.StatusBadRequest)
		return Case{}, 0, false
	}
	return s.Cases[n-1], n, true
}

// sendOne upgrades the request, sends msg as a text message (when not
// empty) and closes normally.
func (s *FuzzingServer) sendOne(w http.ResponseWriter, r *http.Request, msg string) {
	c, _, err := core.Upgrade(w, r, core.UpgradeOptions{Config: core.Config{CloseTimeout: 2 * time.Second}})
	if err != nil {
		return // Upgrade answered the request with the rule it broke
	}
	if msg != "" {
		c.WriteMessage(core.OpText, []byte(msg))
	}
	c.Close(core.StatusNormalClosure, "")
}

func (s *FuzzingServer) runCase(w http.ResponseWriter, r *http.Request) {
	c, n, ok := s.caseOf(w, r.URL.Query().Get("case"))
	if !ok {
		return
	}
	agent := r.URL.Query().Get("agent")
	if agent == "" || len(agent) > maxAgentName {
		http.Error(w, "agent must name the client under test in 1 to 100 characters, e.g. agent=myclient", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	if s.running == nil {
		s.running = make(chan struct{}, maxRunning)
	}
	if s.reports == nil {
		s.reports = map[string]*Report{}
	}
	if s.reports[agent] == nil {
		if len(s.reports) >= s.maxAgents() {
			s.mu.Unlock()
			http.Error(w, "too many agents ("+strconv.Itoa(s.maxAgents())+"); reuse an agent name, or restart wsplay check -client", http.StatusServiceUnavailable)
			return
		}
		// The agent counts from its first case, not from its first
		// result: a driver that starts the next agent as soon as a case
		// closes must not slip past MaxAgents.
		s.reports[agent] = &Report{Agent: agent, Target: s.Addr, IsServer: true, Started: time.Now()}
	}
	s.mu.Unlock()
	recorded := false
	defer func() {
		if recorded {
			return
		}
		// Refused before it ran: an agent with no result is forgotten.
		s.mu.Lock()
		if rep := s.reports[agent]; rep != nil && len(rep.Results) == 0 {
			delete(s.reports, agent)
		}
		s.mu.Unlock()
	}()
	select {
	case s.running <- struct{}{}:
		// Released after the result is recorded (deferred first, runs last).
		defer func() { <-s.running }()
	default:
		http.Error(w, "too many cases running at once; run them one after the other", http.StatusServiceUnavailable)
		return
	}
	start := time.Now()
	var res Result
	if c.Unimplemented {
		res = unimplemented(c, n, agent, true)
	} else {
		req := core.FromHTTP(r)
		if err := req.Validate(); err != nil {
			status := http.StatusBadRequest
			var he *core.HandshakeError
			if errors.As(err, &he) && he.Status != 0 {
				status = he.Status
			}
			http.Error(w, err.Error(), status)
			return
		}
		hj, ok := w.(http.Hijacker)
		if !ok {
			http.Error(w, "this connection cannot be taken over", http.StatusInternalServerError)
			return
		}
		conn, brw, err := hj.Hijack()
		if err != nil {
			return
		}
		conn.SetDeadline(time.Time{})
		var ro core.ResponseOptions
		var dp *core.DeflateParams
		if c.deflate != nil {
			// Answer the client's offers as the case does (13.x tries
			// several answers in turn); none that fits leaves the case
			// UNIMPLEMENTED.
			ro.Extensions = func(offers []core.Extension) []core.Extension {
				ans, p := c.deflate.answer(offers)
				if ans == nil {
					return nil
				}
				dp = p
				return []core.Extension{*ans}
			}
		}
		if _, err := conn.Write(req.NewResponse(ro).AppendResponse(nil)); err != nil {
			conn.Close()
			return
		}
		ctx := s.Ctx
		if ctx == nil {
			// Not the request's context: net/http may cancel it once
			// the connection is hijacked, which would cut every case.
			ctx = context.Background()
		}
		res = play(ctx, c, n, agent, core.Server, conn, brw.Reader, start, s.lessons(), dp)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	recorded = true
	rep := s.reports[agent]
	if rep == nil {
		rep = &Report{Agent: agent, Target: s.Addr, IsServer: true, Started: start}
		s.reports[agent] = rep
	}
	for i := range rep.Results {
		if rep.Results[i].ID == res.ID {
			rep.Results[i] = res
			rep.Elapsed = time.Since(rep.Started)
			return
		}
	}
	rep.Results = append(rep.Results, res)
	rep.Elapsed = time.Since(rep.Started)
}
