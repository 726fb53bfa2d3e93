// Command gorilla is an echo server on /ws/echo built with
// gorilla/websocket, for the comparison benchmark. Its loop is the one of
// gorilla's own examples/echo: ReadMessage, then WriteMessage with the same
// message type, so text comes back as text and binary as binary. With
// -compress it negotiates permessage-deflate (EnableCompression; gorilla
// supports only its no-context-takeover form, which it always answers) and
// compresses what it writes.
package main

import (
	"flag"
	"log"
	"net/http"

	"github.com/gorilla/websocket"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "`host:port` to listen on")
	compress := flag.Bool("compress", false, "negotiate permessage-deflate (RFC 7692) when the client offers it")
	flag.Parse()
	upgrader := websocket.Upgrader{
		EnableCompression: *compress,
		// The load generator sends no Origin header; like a browser-less
		// client, it is accepted.
		CheckOrigin: func(*http.Request) bool { return true },
	}
	http.HandleFunc("/ws/echo", func(w http.ResponseWriter, r *http.Request) {
		c, err := upgrader.Upgrade(w, r, nil)
		if err != nil {
			return // Upgrade has answered the client with the error
		}
		defer c.Close()
		for {
			mt, msg, err := c.ReadMessage()
			if err != nil {
				return
			}
			if err := c.WriteMessage(mt, msg); err != nil {
				return
			}
		}
	})
	log.Fatal(http.ListenAndServe(*addr, nil))
}
