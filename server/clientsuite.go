//go:build !js

package main

import (
	"context"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"

	"wsplay/autobahn"
	"wsplay/reach"
)

// The client suite on the playground: /ws/client/… speaks Autobahn's
// fuzzing-server protocol (autobahn.FuzzingServer), so a learner's client
// — a page using the browser's WebSocket, or a program — is graded by the
// same cases as `wsplay check -client`, without a second command:
//
//	/ws/client/getCaseCount
//	/ws/client/runCase?case=N&agent=A
//	/ws/client/updateReports?agent=A
//	/ws/client/getReport?agent=A     (the report as text, with explanations)
//
// Why it is safe to open to every page and every origin: these endpoints
// only send frames to the client that connected and grade what it sends
// back; they connect to nobody, and read nothing of the server or of
// other machines. A student's reports are kept apart by the address the
// request came from, so one student cannot read or spoil another's.
//
// What it may cost is bounded: the cases that send 16 MiB (9.x, the
// performance cases) are left out, and of the compression sections 12
// and 13 only the first case of each group is kept (1000 messages of 16
// bytes; the others weigh up to 128 MB); each address keeps the reports of at
// most clientSuiteAgents agents and runs at most four cases at once, at
// most clientSuiteAddrs addresses are kept (the oldest is forgotten), and
// every connection counts toward -max-conns and -max-conns-per-addr. It
// takes no token of -handshake-rate, which would stop a driver that runs
// the cases one after the other as fast as they end (a few dozen a
// second); the per-address cap on open sockets bounds it instead.
const (
	clientSuitePrefix = "/ws/client"
	clientSuiteAgents = 4
	clientSuiteAddrs  = 256
)

// clientSuiteCases are the cases the playground offers: Autobahn's
// fuzzing-server cases without 9.x (each sends up to 16 MiB, too much for
// a class's shared server; `wsplay check -client` runs them), and of the
// compression sections 12 and 13 the first case of each group, 12.x.1
// and 13.x.1: 1000 messages of 16 bytes, compressed, for every data set
// and every parameter combination. The other 204 (messages of 64 bytes
// to 128 KiB, up to 128 MB a case) would keep a class's server, and a
// browser's page, inflating and compressing for minutes per student;
// Chromium takes about half a second for each of the twelve.
var clientSuiteCases = sync.OnceValue(func() []autobahn.Case {
	cs, err := autobahn.Select(autobahn.Cases(), nil, []string{"9.*", "1[23].*.[2-9]", "1[23].*.1?"})
	if err != nil {
		panic("clientSuiteCases: " + err.Error()) // the patterns are constants
	}
	return cs
})

// clientSuites holds one fuzzing server per client address.
type clientSuites struct {
	mu     sync.Mutex
	byAddr map[netip.Addr]*autobahn.FuzzingServer
	order  []netip.Addr    // first use, oldest first
	ctx    context.Context // ends with the server's Shutdown: cuts the cases in progress
}

// suiteFor returns the fuzzing server of the address from, making it on
// first use; lessons is the base URL of the reports' lesson links, and
// stop the server's shutdown signal.
func (cs *clientSuites) suiteFor(from netip.Addr, lessons string, stop <-chan struct{}) *autobahn.FuzzingServer {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if fs := cs.byAddr[from]; fs != nil {
		return fs
	}
	if cs.ctx == nil {
		ctx, cancel := context.WithCancel(context.Background())
		go func() { <-stop; cancel() }()
		cs.ctx = ctx
	}
	if cs.byAddr == nil {
		cs.byAddr = map[netip.Addr]*autobahn.FuzzingServer{}
	}
	if len(cs.order) >= clientSuiteAddrs {
		delete(cs.byAddr, cs.order[0])
		cs.order = cs.order[1:]
	}
	fs := &autobahn.FuzzingServer{
		Cases:     clientSuiteCases(),
		Lessons:   lessons,
		Addr:      "wsplay serve",
		Ctx:       cs.ctx,
		MaxAgents: clientSuiteAgents,
	}
	cs.byAddr[from] = fs
	cs.order = append(cs.order, from)
	return fs
}

// serveClientSuite answers /ws/client/…: the server's own limits first,
// then the requesting address's fuzzing server.
func (s *Server) serveClientSuite(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, clientSuitePrefix)
	switch name {
	case "/getCaseCount", "/getCaseInfo", "/getCaseStatus", "/runCase", "/updateReports", "/getReport":
	default:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte("wsplay: " + clientSuitePrefix + " grades a WebSocket client with Autobahn|Testsuite's cases.\n" +
			"Connect to " + clientSuitePrefix + "/getCaseCount, then to " + clientSuitePrefix + "/runCase?case=N&agent=NAME for N = 1 … count, " +
			"echoing every message back, then to " + clientSuitePrefix + "/updateReports?agent=NAME; " +
			clientSuitePrefix + "/getReport?agent=NAME sends the report as text. Lesson 15 has a page that does it.\n"))
		return
	}
	peer, counted, status, reason := s.peers.admitOpen(r)
	if status != 0 {
		refuseLimit(w, status, reason)
		return
	}
	defer s.peers.release(peer, counted)
	if n := s.open.Add(1); n > int64(s.cfg.MaxConns) {
		s.open.Add(-1)
		refuseBusy(w, "too many WebSocket connections are open (the limit is "+strconv.Itoa(s.cfg.MaxConns)+", see -max-conns); try again later")
		return
	}
	defer s.open.Add(-1)
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		refuseBusy(w, "the server is shutting down")
		return
	}
	s.handlers.Add(1)
	s.mu.Unlock()
	defer s.handlers.Done()

	// Reports are kept by the address the request came from, the
	// teacher's own machine included (admitOpen gives it no address,
	// since it has no limits).
	fs := s.clients.suiteFor(reach.IPOf(r.RemoteAddr), "http://"+r.Host, s.stopBG)
	r2 := r.Clone(r.Context())
	r2.URL.Path = name
	fs.ServeHTTP(w, r2)
}
