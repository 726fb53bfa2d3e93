//go:build !js

package main

import (
	"net/http"

	"github.com/gorilla/mux"
)

// routes builds the server's router: the page and its files, the lessons,
// and the WebSocket endpoints.
func (s *Server) routes() http.Handler {
	r := mux.NewRouter()
	page := []string{http.MethodGet, http.MethodHead}

	r.Handle("/", s.static).Methods(page...)
	r.PathPrefix("/static/").Handler(s.static).Methods(page...)

	r.Handle("/lessons", http.RedirectHandler("/lessons/", http.StatusMovedPermanently))
	r.HandleFunc("/lessons/", s.lessons.index).Methods(page...)
	r.HandleFunc("/lessons/{slug}", s.lessons.lesson).Methods(page...)

	// No method restriction here: core answers a POST with 405 and the
	// rule it breaks, which teaches more than the router's refusal.
	r.Handle("/ws/echo", s.serveWS("/ws/echo", s.echo, false))
	r.Handle("/ws/inspect", s.serveWS("/ws/inspect", s.inspect, true))
	r.Handle("/ws/chat", s.serveWS("/ws/chat", s.chatEndpoint, false))
	r.Handle("/ws/check", s.serveWS("/ws/check", s.checkEndpoint, false))
	r.Handle("/ws/tap/watch", s.serveWS("/ws/tap/watch", s.tapWatchEndpoint, false))
	r.HandleFunc("/ws/tap", s.serveTap)
	r.PathPrefix(clientSuitePrefix + "/").HandlerFunc(s.serveClientSuite)
	r.HandleFunc("/class", s.handleBoardPage).Methods(page...)
	r.HandleFunc("/class/report", s.handleReport).Methods(http.MethodPost)
	r.Handle("/ws/class", s.serveWS("/ws/class", s.boardEndpoint, false))

	r.NotFoundHandler = http.HandlerFunc(notFound)
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "405 method not allowed: this page answers GET and HEAD", http.StatusMethodNotAllowed)
	})
	return r
}
