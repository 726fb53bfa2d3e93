//go:build !js

package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"wsplay/core"
	"wsplay/reach"
	"wsplay/tap"
)

// The page's "Tap my server" panel lets the browser's own WebSocket talk to
// a learner's server through wsplay, byte for byte, and shows every frame.
// A browser's WebSocket cannot carry reports beside its own messages, so
// the panel opens two connections:
//
//  1. /ws/tap/watch, a WebSocket on which the server first sends
//     {"type": "watch", "id": ID, "limits": {...}}, then every report of
//     the taps opened with that id, as JSON text messages (the events of
//     package tap, the same objects as `wsplay tap -json`);
//  2. /ws/tap?target=URL&session=ID, the WebSocket the page really uses.
//     The server does not answer this handshake itself: it checks the
//     Origin (the server's origin rule, origin.go), the watch id (the
//     same machine must hold it) and the target under the page's policy
//     (reach.ForRequester: this machine may tap loopback, another machine
//     only its own address), then forwards the request head to the target
//     with the target's Host and path, relays the answer as it comes, and
//     from then on every byte both ways (tap.Session).
//
// A refused /ws/tap gets an HTTP error the browser does not show to the
// page; the reason goes to the watch as {"type": "refused", "message": ...}.
// A tap counts against -max-conns like any WebSocket, has the server's
// handshake, idle and write timeouts, and ends when its watch closes; a
// new tap on the same watch ends the one before. docs/tap.md has the rest.

// maxPageTaps is how many /ws/tap relays run at once, all pages together,
// and maxPageTapsPerAddr how many of them one client address may hold (a
// student taps one server at a time, two with a second tab): without it one
// student's script could hold all 16 and tap nothing for the class. The
// teacher's own machine has no per-address cap.
const (
	maxPageTaps        = 16
	maxPageTapsPerAddr = 2
)

// watchQueue is how many reports may wait for a watch that reads slowly;
// beyond it reports are dropped and counted, never the relay slowed.
const watchQueue = 256

// tapHub holds the open watches of one server.
type tapHub struct {
	mu      sync.Mutex
	watches map[string]*tapWatch
	running atomic.Int64       // relays running, for maxPageTaps
	perAddr map[netip.Addr]int // under mu: relays running per client address, for maxPageTapsPerAddr
}

// takeAddr counts a relay for the client address from, or reports false
// when that address holds maxPageTapsPerAddr already. The zero address
// (the teacher's own machine) is not counted.
func (h *tapHub) takeAddr(from netip.Addr) bool {
	if !from.IsValid() {
		return true
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.perAddr[from] >= maxPageTapsPerAddr {
		return false
	}
	if h.perAddr == nil {
		h.perAddr = map[netip.Addr]int{}
	}
	h.perAddr[from]++
	return true
}

// releaseAddr uncounts a relay takeAddr counted.
func (h *tapHub) releaseAddr(from netip.Addr) {
	if !from.IsValid() {
		return
	}
	h.mu.Lock()
	if h.perAddr[from]--; h.perAddr[from] <= 0 {
		delete(h.perAddr, from)
	}
	h.mu.Unlock()
}

// hubs gives each Server its hub without a field in Server.
var hubs sync.Map // *Server → *tapHub

func (s *Server) taps() *tapHub {
	h, _ := hubs.LoadOrStore(s, &tapHub{watches: map[string]*tapWatch{}})
	return h.(*tapHub)
}

// tapWatch is one open /ws/tap/watch.
type tapWatch struct {
	id        string
	requester netip.Addr
	queue     chan []byte
	dropped   atomic.Int64
	nextTap   atomic.Uint64

	mu     sync.Mutex
	cancel context.CancelFunc // ends the running tap, if any
	closed bool
}

// emit queues a report; a full queue drops it and counts it.
func (w *tapWatch) emit(e tap.Event) {
	select {
	case w.queue <- tap.MarshalJSON(e):
	default:
		w.dropped.Add(1)
	}
}

// start registers a new tap on the watch, ending the one before, and
// returns its context; ok is false when the watch has closed.
func (w *tapWatch) start() (context.Context, context.CancelFunc, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil, nil, false
	}
	if w.cancel != nil {
		w.cancel()
	}
	ctx, cancel := context.WithCancel(context.Background())
	w.cancel = cancel
	return ctx, cancel, true
}

// end closes the watch and the tap running on it.
func (w *tapWatch) end() {
	w.mu.Lock()
	w.closed = true
	if w.cancel != nil {
		w.cancel()
	}
	w.mu.Unlock()
}

// watchHello is the first message of a watch.
type watchHello struct {
	Type   string      `json:"type"` // "watch"
	ID     string      `json:"id"`
	Limits watchLimits `json:"limits"`
}

type watchLimits struct {
	Keep               int     `json:"keep"`
	Tail               int     `json:"tail"`
	IdleTimeoutSeconds float64 `json:"idleTimeoutSeconds"`
	MaxTaps            int     `json:"maxTaps"`
}

// tapLimits are the limits of the page's taps: the server's own.
func (s *Server) tapLimits() tap.Limits {
	return tap.Limits{HandshakeTimeout: s.cfg.HandshakeTimeout, IdleTimeout: s.cfg.IdleTimeout,
		WriteTimeout: s.cfg.WriteTimeout, MaxHead: int(s.cfg.MaxHeaderBytes)}
}

// tapWatchEndpoint prepares a /ws/tap/watch connection.
func (s *Server) tapWatchEndpoint(r *http.Request) (core.Config, wsHandler) {
	requester := reach.IPOf(r.RemoteAddr)
	return core.Config{MaxMessageSize: 1 << 10}, func(c *wsConn) error {
		var idb [16]byte
		rand.Read(idb[:])
		w := &tapWatch{id: hex.EncodeToString(idb[:]), requester: requester, queue: make(chan []byte, watchQueue)}
		hub := s.taps()
		hub.mu.Lock()
		hub.watches[w.id] = w
		hub.mu.Unlock()
		defer func() {
			hub.mu.Lock()
			delete(hub.watches, w.id)
			hub.mu.Unlock()
			w.end()
		}()
		lim := s.tapLimits()
		hello, _ := json.Marshal(watchHello{Type: "watch", ID: w.id, Limits: watchLimits{
			Keep: tap.DefaultLimits.Keep, Tail: tap.DefaultLimits.Tail, IdleTimeoutSeconds: lim.IdleTimeout.Seconds(), MaxTaps: maxPageTaps}})
		if err := c.conn.WriteMessage(core.OpText, hello); err != nil {
			return err
		}
		done := make(chan struct{})
		defer close(done)
		go func() {
			for {
				select {
				case b := <-w.queue:
					if c.conn.WriteMessage(core.OpText, b) != nil {
						c.conn.CloseNow()
						return
					}
					if n := w.dropped.Swap(0); n > 0 {
						note := tap.MarshalJSON(tap.Event{Type: "note", Time: time.Now().UTC(),
							Message: strconv.FormatInt(n, 10) + " reports were dropped: the page did not read them fast enough (the bytes were relayed)"})
						c.conn.WriteMessage(core.OpText, note)
					}
				case <-done:
					return
				}
			}
		}()
		// The page sends nothing; reading keeps the close handshake and
		// the idle timeout working.
		for {
			if _, _, err := c.conn.ReadMessage(nil); err != nil {
				return err
			}
		}
	}
}

// serveTap is the /ws/tap handler.
func (s *Server) serveTap(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	hub := s.taps()
	hub.mu.Lock()
	watch := hub.watches[q.Get("session")]
	hub.mu.Unlock()
	if watch != nil && watch.requester != reach.IPOf(r.RemoteAddr) {
		watch = nil // another machine's id: not this request's watch
	}
	if n := s.open.Add(1); n > int64(s.cfg.MaxConns) {
		s.open.Add(-1)
		w.Header().Set("Retry-After", "5")
		refuseTap(w, http.StatusServiceUnavailable, watch, "too many WebSocket connections are open (the limit is "+strconv.Itoa(s.cfg.MaxConns)+", see -max-conns); try again later")
		return
	}
	defer s.open.Add(-1)
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		refuseTap(w, http.StatusServiceUnavailable, watch, "the server is shutting down")
		return
	}
	s.handlers.Add(1)
	s.mu.Unlock()
	defer s.handlers.Done()

	if watch == nil {
		refuseTap(w, http.StatusForbidden, nil, "no watch with this session id from your machine: open /ws/tap/watch first and pass the id it sends as ?session=ID")
		return
	}
	origins := r.Header.Values("Origin")
	if len(origins) > 1 || (len(origins) == 1 && !originAllowed(origins[0], r.Host, s.cfg.Origins)) {
		refuseTap(w, http.StatusForbidden, watch, "the Origin "+strconv.Quote(strings.Join(origins, ", "))+
			" is neither this server's origin nor a loopback origin ("+core.RuleOrigin.Cite()+")")
		return
	}
	if !core.Headers(headerFields(r)).HasToken("Upgrade", "websocket") {
		refuseTap(w, http.StatusBadRequest, watch, "/ws/tap relays a WebSocket: the request must have an Upgrade header that contains the token \"websocket\" ("+core.RuleUpgrade.Source()+")")
		return
	}
	target := q.Get("target")
	lim := s.tapLimits()
	rctx, cancel := context.WithTimeout(r.Context(), lim.HandshakeTimeout)
	tgt, err := reach.Resolve(rctx, target, requesterPolicy(r), s.cfg.lookup)
	cancel()
	if err != nil {
		reason := err.Error()
		if re, ok := err.(*reach.RefusedError); ok {
			reason = "refusing " + strconv.Quote(target) + ": " + re.Reason
		}
		refuseTap(w, http.StatusForbidden, watch, reason)
		return
	}
	if n := hub.running.Add(1); n > maxPageTaps {
		hub.running.Add(-1)
		refuseTap(w, http.StatusServiceUnavailable, watch, "the server is relaying as many taps as it allows ("+strconv.Itoa(maxPageTaps)+"); try again in a minute")
		return
	}
	defer hub.running.Add(-1)
	from, own := exempt(r)
	if own {
		from = netip.Addr{}
	}
	if !hub.takeAddr(from) {
		refuseTap(w, http.StatusTooManyRequests, watch, "your address "+from.String()+" is already relaying "+strconv.Itoa(maxPageTapsPerAddr)+
			" taps, the most one machine may; end one (close its tab) and try again")
		return
	}
	defer hub.releaseAddr(from)

	head := s.tapHead(r)
	hj, ok := w.(http.Hijacker)
	if !ok {
		refuseTap(w, http.StatusInternalServerError, watch, "this server cannot hand the connection over to the tap")
		return
	}
	ctx, stop, ok := watch.start()
	if !ok {
		refuseTap(w, http.StatusForbidden, nil, "the watch has closed")
		return
	}
	defer stop()
	conn, brw, err := hj.Hijack()
	if err != nil {
		return
	}
	if raw := connFrom(r.Context()); raw != nil {
		raw.upgraded(0) // the session keeps its own deadlines
	}
	conn.SetDeadline(time.Time{})
	var pre []byte
	if n := brw.Reader.Buffered(); n > 0 {
		pre, _ = brw.Reader.Peek(n)
		pre = append([]byte(nil), pre...)
	}
	sess := &tap.Session{ID: watch.nextTap.Add(1), Client: conn, Head: head, Pre: pre, Target: tgt, Limits: lim, Emit: watch.emit}
	s.log.Info("tap open", "remote", r.RemoteAddr, "target", tgt.URL, "addr", tgt.Addr)
	sess.Run(ctx)
	s.log.Info("tap close", "remote", r.RemoteAddr, "target", tgt.URL)
}

// tapHead returns the request head as the client sent it: the recording of
// the connection (listener.go) when the server has one, else the head
// rebuilt from the parsed request (the header order is then sorted, the
// names canonical).
func (s *Server) tapHead(r *http.Request) []byte {
	if raw := connFrom(r.Context()); raw != nil {
		if h := raw.head(r.Method + " " + r.RequestURI + " " + r.Proto); h != nil {
			return h
		}
	}
	b := []byte(r.Method + " " + r.RequestURI + " " + r.Proto + "\r\nHost: " + r.Host + "\r\n")
	for _, f := range headerFields(r) {
		b = append(b, f.Name+": "+f.Value+"\r\n"...)
	}
	return append(b, "\r\n"...)
}

// headerFields lists a parsed request's header fields, sorted by name.
func headerFields(r *http.Request) []core.HeaderField {
	var names []string
	for n := range r.Header {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []core.HeaderField
	for _, n := range names {
		for _, v := range r.Header[n] {
			out = append(out, core.HeaderField{Name: n, Value: v})
		}
	}
	return out
}

// refuseTap answers a /ws/tap request the server will not relay, and tells
// the watch why: the browser does not show the page an HTTP error.
func refuseTap(w http.ResponseWriter, status int, watch *tapWatch, reason string) {
	if watch != nil {
		watch.emit(tap.Event{Type: "refused", Time: time.Now().UTC(), Message: reason})
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write([]byte("wsplay: " + reason + "\n"))
}
