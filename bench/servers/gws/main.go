// Command gws is an echo server on /ws/echo built with lxzan/gws, for the
// comparison benchmark. Its handler is the one of gws's own echo example
// (examples/echo): ReadLoop on the upgraded socket, and OnMessage writing
// each message back with its own opcode, so text comes back as text and
// binary as binary; pings are answered with pongs. Like wsplay it checks
// that text is UTF-8 (CheckUtf8Enabled). It negotiates no compression
// unless started with -compress: then PermessageDeflate with gws's
// defaults, no context takeover in either direction (gws keeps no
// compressor per connection then).
package main

import (
	"flag"
	"log"
	"net/http"

	"github.com/lxzan/gws"
)

// handler echoes every message, as in gws's example.
type handler struct {
	gws.BuiltinEventHandler
}

func (handler) OnPing(socket *gws.Conn, payload []byte) { _ = socket.WritePong(payload) }

func (handler) OnMessage(socket *gws.Conn, message *gws.Message) {
	defer message.Close() // gives its buffer back to gws's pool
	_ = socket.WriteMessage(message.Opcode, message.Bytes())
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "`host:port` to listen on")
	maxMessage := flag.Int("max-message", 16<<20, "largest message in `bytes` (gws's default is 16 MiB)")
	compress := flag.Bool("compress", false, "negotiate permessage-deflate (RFC 7692), without context takeover, when the client offers it")
	flag.Parse()
	opt := &gws.ServerOption{
		CheckUtf8Enabled:   true,
		ReadMaxPayloadSize: *maxMessage,
	}
	opt.PermessageDeflate.Enabled = *compress
	upgrader := gws.NewUpgrader(handler{}, opt)
	http.HandleFunc("/ws/echo", func(w http.ResponseWriter, r *http.Request) {
		socket, err := upgrader.Upgrade(w, r)
		if err != nil {
			return // Upgrade has answered the client with the error
		}
		go socket.ReadLoop()
	})
	log.Fatal(http.ListenAndServe(*addr, nil))
}
