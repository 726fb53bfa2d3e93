//go:build !js

// Command goserver is the Go version of lesson 11's echo server, built on
// wsplay's core: core.Upgrade runs the opening handshake (RFC 6455 §4.2)
// over net/http, and core.Conn does the protocol work of §5–§8 —
// reassembling fragments, answering pings, checking UTF-8, enforcing the
// size limit and running the closing handshake — so the program itself is
// only the echo loop.
//
// Run it from the repository root:
//
//	go run ./lessons/examples/goserver 127.0.0.1:9002
package main

import (
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"

	"wsplay/core"
)

func main() {
	addr := "127.0.0.1:9002"
	if len(os.Args) > 1 {
		addr = os.Args[1]
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("listening on", ln.Addr())
	srv := &http.Server{Handler: http.HandlerFunc(echo)}
	log.Fatal(srv.Serve(ln))
}

// echo upgrades the request and sends every message back unchanged.
func echo(w http.ResponseWriter, r *http.Request) {
	conn, _, err := core.Upgrade(w, r, core.UpgradeOptions{
		Config:      core.Config{MaxMessageSize: 16 << 20}, // larger: close 1009
		CheckOrigin: checkOrigin,
	})
	if err != nil {
		return // Upgrade has answered with the status and the rule broken
	}
	var buf []byte
	for {
		op, msg, err := conn.ReadMessage(buf[:0])
		if err != nil {
			// The peer closed (*core.CloseError), broke a rule
			// (*core.ProtocolError: the Conn has already sent the
			// close frame with 1002, 1007 or 1009) or vanished.
			var ce *core.CloseError
			if !errors.As(err, &ce) {
				log.Println(err)
			}
			return
		}
		if err := conn.WriteMessage(op, msg); err != nil {
			return
		}
		buf = msg
	}
}

// checkOrigin keeps pages from other sites out (RFC 6455 §10.2): it allows
// no Origin (not a browser), a page from this server (Origin's host and port
// equal Host) and pages served on this machine (loopback). Upgrade answers
// any other origin with 403.
func checkOrigin(r *core.Request) error {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return nil
	}
	u, err := url.Parse(origin)
	if err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		if strings.EqualFold(u.Host, r.Header.Get("Host")) {
			return nil
		}
		if ip := net.ParseIP(u.Hostname()); u.Hostname() == "localhost" || (ip != nil && ip.IsLoopback()) {
			return nil
		}
	}
	return errors.New("origin " + origin + " is not allowed")
}
