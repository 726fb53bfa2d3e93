//go:build !js

package main

import (
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"wsplay/core"
)

// wsConn is one open WebSocket with what the server needs to manage it:
// its wrapper for deadlines, its id for the logs and the close code the
// server chose, if it closed first.
type wsConn struct {
	conn     *core.Conn
	req      *core.Request // the opening handshake, kept only with keepHandshake (serveWS)
	raw      *recConn      // nil when served without recListener
	id       uint64
	endpoint string
	remote   string
	peer     netip.Addr // the client's address for the per-address limits; zero for the teacher's own machine
	counted  bool       // peer is counted in peerLimits: release it at the end
	head     []byte     // the request head as received, nil if unknown
	response []byte     // the 101 response as sent, nil if unknown

	mu          sync.Mutex
	closeCode   core.StatusCode // under mu: code of the close frame this end sent first, 0 if none
	closeReason string          // under mu
}

// close starts the closing handshake with code and reason, once: the first
// code chosen is the one logged. It blocks until the peer answers or the
// close timeout passes.
func (c *wsConn) close(code core.StatusCode, reason string) {
	c.mu.Lock()
	first := c.closeCode == 0
	if first {
		c.closeCode, c.closeReason = code, reason
	}
	c.mu.Unlock()
	if first {
		c.conn.Close(code, reason)
	}
}

// wsHandler is the body of an endpoint: it runs on the handler's goroutine
// after the upgrade and returns the error that ended the connection,
// usually what ReadMessage returned.
type wsHandler func(c *wsConn) error

// wsEndpoint prepares one connection before the upgrade: it returns the
// connection's configuration (its message limit, its frame observer) and
// the handler to run once upgraded.
type wsEndpoint func(r *http.Request) (core.Config, wsHandler)

// cutOff ends a connection whose peer does not read what it is sent: the
// writes in progress get a short deadline, so a writer blocked on a full
// TCP buffer returns at once instead of after the write timeout, and the
// close frame is tried in the meantime.
func (c *wsConn) cutOff(code core.StatusCode, reason string) {
	if c.raw != nil {
		c.raw.pinWriteDeadline(time.Now().Add(cutOffGrace))
	}
	go c.close(code, reason)
	// A peer that reads nothing will not answer the close frame either:
	// do not wait the whole close timeout for it.
	time.AfterFunc(4*cutOffGrace, func() { c.conn.CloseNow() })
}

// cutOffGrace is how long a client being cut off has to take its close frame.
const cutOffGrace = 500 * time.Millisecond

// refuseBusy answers an upgrade the server will not take right now, like
// core answers a refused handshake: a status and a plain-text reason.
func refuseBusy(w http.ResponseWriter, reason string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Retry-After", "5")
	w.WriteHeader(http.StatusServiceUnavailable)
	w.Write([]byte("wsplay: " + reason + "\n"))
}

// serveWS returns an http.Handler that upgrades with core.Upgrade and runs
// the endpoint's handler. It enforces the connection limit, the origin
// check, the message limit and the deadlines, pings an idle peer, tracks
// the connection for the shutdown and logs its opening and its close code.
//
// keepHandshake keeps the request head and the 101 response as they were
// on the wire, for an endpoint that shows them (/ws/inspect); the others
// save the memory.
func (s *Server) serveWS(endpoint string, prepare wsEndpoint, keepHandshake bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The address's own limits first: a student over them must not
		// take one of the class's slots even for a moment.
		peer, counted, status, reason := s.peers.admit(r)
		if status != 0 {
			s.log.Info("websocket refused", "endpoint", endpoint, "remote", r.RemoteAddr, "status", status, "err", reason)
			refuseLimit(w, status, reason)
			return
		}
		if n := s.open.Add(1); n > int64(s.cfg.MaxConns) {
			s.open.Add(-1)
			s.peers.release(peer, counted)
			refuseBusy(w, "too many WebSocket connections are open (the limit is "+strconv.Itoa(s.cfg.MaxConns)+", see -max-conns); try again later")
			return
		}
		s.mu.Lock()
		if s.closing {
			s.mu.Unlock()
			s.open.Add(-1)
			s.peers.release(peer, counted)
			refuseBusy(w, "the server is shutting down")
			return
		}
		s.handlers.Add(1)
		s.mu.Unlock()
		upgraded := false
		defer func() {
			if !upgraded {
				s.handlers.Done()
				s.open.Add(-1)
				s.peers.release(peer, counted)
			}
		}()

		raw := connFrom(r.Context())
		if raw != nil && keepHandshake {
			// core.Upgrade writes its 101 response in one call:
			// keep a copy for /ws/inspect.
			raw.captureNextWrite()
		}
		cfg, h := prepare(r)
		cfg.Budget = s.budget
		if raw != nil {
			// The Conn keeps the idle deadline itself (coarsely, so
			// that a busy connection rarely touches its timer).
			cfg.IdleTimeout = s.cfg.IdleTimeout
		}
		conn, req, err := core.Upgrade(w, r, core.UpgradeOptions{
			Config:      cfg,
			CheckOrigin: s.checkOrigin,
			Deflate:     s.deflateFor(endpoint),
		})
		if err != nil {
			s.log.Info("websocket refused", "endpoint", endpoint, "remote", r.RemoteAddr, "err", err.Error())
			return
		}
		c := &wsConn{conn: conn, raw: raw, id: s.nextID.Add(1), endpoint: endpoint, remote: r.RemoteAddr, peer: peer, counted: counted}
		if keepHandshake {
			c.req = req
			if raw != nil {
				c.head = raw.head(req.Method + " " + req.Target + " " + req.Proto)
				c.response = raw.captured()
			}
		}
		if raw != nil {
			raw.upgraded(s.cfg.WriteTimeout)
		}
		s.mu.Lock()
		s.conns[c] = struct{}{}
		if s.closing {
			// Shutdown began during the handshake and did not see
			// this connection: it gets its 1001 like the others.
			go c.close(core.StatusGoingAway, "the server is shutting down")
		}
		s.mu.Unlock()
		s.log.Info("websocket open", "id", c.id, "endpoint", endpoint, "remote", c.remote, "origin", req.Header.Get("Origin"))
		// The connection runs on a goroutine of its own and this
		// handler returns: net/http then lets go of what it kept for
		// the request (its read and write buffers, the request, its
		// context, a goroutine stack grown by HTTP parsing), which
		// would otherwise stay with every open WebSocket.
		upgraded = true
		go s.runWS(c, h)
	})
}

// compressedEndpoints are the endpoints that negotiate permessage-deflate
// when -compress is on: those a browser page talks to with its own
// messages. /ws/check and the tap relay bytes or grade a learner's server,
// the board carries a few short updates.
var compressedEndpoints = map[string]bool{"/ws/echo": true, "/ws/inspect": true, "/ws/chat": true}

// deflateFor returns the permessage-deflate policy of an endpoint, nil when
// it declines every offer. The server asks a client whose offer lets it
// choose for a 4 KiB window (core.DefaultClientMaxWindowBits): it keeps
// that much of each idle connection's last messages, not 32 KiB.
func (s *Server) deflateFor(endpoint string) *core.DeflateOptions {
	if !s.cfg.Compress || !compressedEndpoints[endpoint] {
		return nil
	}
	return &core.DeflateOptions{}
}

// runWS runs an upgraded connection's handler, then ends the connection
// and logs how it ended.
func (s *Server) runWS(c *wsConn, h wsHandler) {
	defer s.open.Add(-1)
	defer s.peers.release(c.peer, c.counted)
	defer s.handlers.Done()
	start := time.Now()
	var pinger *time.Timer
	if s.cfg.IdleTimeout > 0 && c.raw != nil {
		pinger = s.startPinger(c)
	}
	err := h(c)
	if pinger != nil {
		pinger.Stop()
	}
	c.conn.CloseNow()

	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	code, reason, by := closeInfo(c, err)
	s.log.Info("websocket close", "id", c.id, "endpoint", c.endpoint, "remote", c.remote,
		"code", int(code), "status", code.Name(), "reason", reason, "by", by, "duration", time.Since(start).Round(time.Millisecond))
}

// startPinger pings the peer every half idle timeout: a browser answers
// pings without its page doing anything, so a live but quiet connection
// keeps sending bytes and its read deadline keeps moving. A timer rather
// than a goroutine: an idle connection then costs no goroutine stack for
// its pings.
func (s *Server) startPinger(c *wsConn) *time.Timer {
	var t *time.Timer
	t = time.AfterFunc(s.cfg.IdleTimeout/2, func() {
		if c.conn.Ping([]byte("wsplay")) == nil {
			t.Reset(s.cfg.IdleTimeout / 2)
		}
	})
	return t
}

// closeInfo says how a connection ended, for the log: the close code, its
// reason and which side chose it.
func closeInfo(c *wsConn, err error) (core.StatusCode, string, string) {
	c.mu.Lock()
	code, reason := c.closeCode, c.closeReason
	c.mu.Unlock()
	if code != 0 {
		return code, reason, "server"
	}
	var ce *core.CloseError
	var pe *core.ProtocolError
	var ne net.Error
	switch {
	case errors.As(err, &ce):
		if ce.Code == core.StatusAbnormalClosure {
			return ce.Code, ce.Reason, "network"
		}
		return ce.Code, ce.Reason, "client"
	case errors.As(err, &pe):
		return pe.Code, pe.Error(), "server"
	case errors.As(err, &ne) && ne.Timeout():
		return core.StatusAbnormalClosure, "no data within the idle or write timeout", "server"
	case err != nil:
		return core.StatusAbnormalClosure, err.Error(), "network"
	}
	return core.StatusNormalClosure, "", "server"
}
