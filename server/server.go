//go:build !js

package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"wsplay/core"
	"wsplay/reach"
)

// Config holds every setting of `wsplay serve`. Each field is a flag; see
// flags in main.go for the defaults and the words -help prints.
type Config struct {
	Addr    string   // host:port to listen on
	Origins []string // allowed origins beyond the server's own and loopback ones
	Hosts   []string // Host names served beyond loopback and the machine's own (see host.go)

	MaxMessage       int64         // largest WebSocket message on /ws/echo and /ws/inspect, bytes
	MaxInFlight      int64         // bytes of half-read messages all connections may hold (see memory.go)
	MaxConns         int           // most WebSocket connections open at once
	MaxHTTPConns     int           // most plain HTTP connections open at once
	MaxHTTPPerAddr   int           // most plain HTTP connections open from one client address
	MaxHeaderBytes   int64         // largest request head, bytes
	HandshakeTimeout time.Duration // time to read a request head (slowloris)
	IdleTimeout      time.Duration // a WebSocket silent this long is closed; pings every half of it
	WriteTimeout     time.Duration // longest single write to a WebSocket peer
	HTTPWriteTimeout time.Duration // longest time to write an HTTP response
	ShutdownTimeout  time.Duration // how long shutdown waits for WebSockets to close

	ChatRate    float64 // messages per second a chat client may send, on average
	ChatBurst   int     // messages a chat client may send at once
	ChatMaxSize int64   // largest chat message, bytes
	ChatQueue   int     // messages waiting for a chat client before it is cut off

	Compress bool // permessage-deflate (RFC 7692) on /ws/echo, /ws/inspect and /ws/chat

	classroom // per-address limits and the class board: class.go

	LogJSON bool

	// lookup resolves the host names of the URLs the page asks the server
	// to connect to (/ws/check); nil means the system resolver. Tests
	// replace it, so that no test asks the machine's DNS.
	lookup reach.Lookup

	// writeBuffer, when > 0, sets SO_SNDBUF of accepted connections. Tests
	// use it to make a stuck client fill the server's buffers quickly.
	writeBuffer int
}

// defaultConfig returns the defaults that the flags show.
func defaultConfig() Config {
	return Config{
		Addr:             "127.0.0.1:8080",
		MaxMessage:       16 << 20,
		MaxInFlight:      64 << 20,
		MaxConns:         maxConnsFor(fileLimit()),
		MaxHTTPConns:     httpConnsFor(fileLimit()),
		MaxHTTPPerAddr:   32,
		MaxHeaderBytes:   8 << 10,
		HandshakeTimeout: 10 * time.Second,
		IdleTimeout:      60 * time.Second,
		WriteTimeout:     10 * time.Second,
		HTTPWriteTimeout: 60 * time.Second,
		ShutdownTimeout:  5 * time.Second,
		ChatRate:         5,
		ChatBurst:        10,
		ChatMaxSize:      4 << 10,
		ChatQueue:        256,
		Compress:         true,
		classroom:        defaultClassroom(),
	}
}

// Server is the wsplay companion server: the page, the static files and the
// WebSocket endpoints, with their limits.
type Server struct {
	cfg     Config
	log     *slog.Logger
	http    *http.Server
	static  *staticFiles
	lessons *lessonPages
	chat    *room
	checks  checkSlots // the page's checks running, for /ws/check
	budget  *core.Budget
	// gaveBack counts the times memory was given back (memory.go).
	gaveBack atomic.Int64
	stopBG   chan struct{} // closed by Shutdown: ends background work
	peers    *peerLimits   // per-address WebSocket limits: peers.go
	class    *classBoard   // the class board: class.go
	clients  clientSuites  // the client suite's reports per address: clientsuite.go

	mu       sync.Mutex
	conns    map[*wsConn]struct{} // open WebSockets, for the shutdown
	closing  bool                 // under mu: shutdown started, refuse new WebSockets
	handlers sync.WaitGroup       // WebSocket handlers still running
	open     atomic.Int64         // WebSockets open or being opened, for MaxConns
	nextID   atomic.Uint64
}

// NewServer builds a server from cfg. Call Serve to start it.
func NewServer(cfg Config, log *slog.Logger) (*Server, error) {
	st, err := newStaticFiles()
	if err != nil {
		return nil, err
	}
	lp, err := newLessonPages()
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: log, static: st, lessons: lp, conns: map[*wsConn]struct{}{},
		budget: core.NewBudget(cfg.MaxInFlight), stopBG: make(chan struct{})}
	go s.giveBackMemory(s.stopBG)
	s.chat = newRoom(s)
	s.peers, s.class = newPeerLimits(cfg), newClassBoard(cfg)
	s.http = &http.Server{
		Handler:           newHostGuard(cfg.Hosts).wrap(withSecurityHeaders(contentSecurityPolicy(lp.course), s.routes())),
		ReadHeaderTimeout: cfg.HandshakeTimeout,
		// The whole request, body included: a request whose body never
		// arrives must not hold its connection (no route takes a body).
		ReadTimeout:    cfg.HandshakeTimeout,
		IdleTimeout:    cfg.IdleTimeout,
		WriteTimeout:   cfg.HTTPWriteTimeout,
		MaxHeaderBytes: int(cfg.MaxHeaderBytes),
		ConnContext:    withConn,
		ErrorLog:       slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
	return s, nil
}

// Handler returns the server's routes, for use with any http.Server. Only
// Serve adds the listener wrapper that /ws/inspect and the WebSocket
// deadlines need.
func (s *Server) Handler() http.Handler { return s.http.Handler }

// Serve accepts connections on ln until Shutdown. It returns nil after a
// Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	// net/http reads up to MaxHeaderBytes plus 4096 bytes of slack, in
	// chunks of 4096: keeping that much of the latest bytes is enough to
	// hold the whole head of the request being served.
	keep := int(s.cfg.MaxHeaderBytes) + 8192
	err := s.http.Serve(&recListener{Listener: ln, keep: keep, writeBuffer: s.cfg.writeBuffer,
		maxHTTP: s.cfg.MaxHTTPConns, maxHTTPPerAddr: s.cfg.MaxHTTPPerAddr})
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops the server gracefully: it stops accepting connections,
// sends a close frame with 1001 (going away) to every open WebSocket, and
// waits for the WebSockets and the HTTP requests in flight to end, until
// ctx is done; then it cuts what is left.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	if !s.closing {
		close(s.stopBG)
	}
	s.closing = true
	conns := make([]*wsConn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()

	httpDone := make(chan error, 1)
	go func() { httpDone <- s.http.Shutdown(ctx) }()
	for _, c := range conns {
		go c.close(core.StatusGoingAway, "the server is shutting down")
	}

	wsDone := make(chan struct{})
	go func() { s.handlers.Wait(); close(wsDone) }()
	var err error
	select {
	case <-wsDone:
	case <-ctx.Done():
		err = ctx.Err()
		s.mu.Lock()
		for c := range s.conns {
			c.conn.CloseNow()
		}
		s.mu.Unlock()
		// Cut, the handlers return at once and log how each connection
		// ended; without this wait the process exits first and the log
		// misses the close line of every connection cut here.
		select {
		case <-wsDone:
		case <-time.After(cutHandlersGrace):
		}
	}
	if herr := <-httpDone; err == nil {
		err = herr
	}
	return err
}

// cutHandlersGrace bounds the wait, after Shutdown cut the connections
// left at its deadline, for their handlers to return and log their close.
const cutHandlersGrace = 500 * time.Millisecond
