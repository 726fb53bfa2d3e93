// Command gobwas is an echo server on /ws/echo built with gobwas/ws, for
// the comparison benchmark. It uses gobwas's low-level API, not wsutil, with
// the loop of gobwas's README: ws.ReadHeader and io.ReadFull straight from
// the connection (no bufio), ws.Cipher to unmask, ws.WriteHeader and Write
// for the reply. Text comes back as text and binary as binary. Like the
// README's loop it answers each frame on its own (a fragmented message
// goes back as the same fragments), replies to a close frame by closing,
// and does not validate UTF-8.
package main

import (
	"flag"
	"io"
	"log"
	"net/http"

	"github.com/gobwas/ws"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "`host:port` to listen on")
	flag.Parse()
	http.HandleFunc("/ws/echo", func(w http.ResponseWriter, r *http.Request) {
		conn, _, _, err := ws.UpgradeHTTP(r, w)
		if err != nil {
			return // UpgradeHTTP has answered the client with the error
		}
		go func() {
			defer conn.Close()
			for {
				header, err := ws.ReadHeader(conn)
				if err != nil {
					return
				}
				payload := make([]byte, header.Length)
				if _, err := io.ReadFull(conn, payload); err != nil {
					return
				}
				if header.Masked {
					ws.Cipher(payload, header.Mask, 0)
				}
				// The reply from a server is not masked (RFC 6455 §5.1).
				header.Masked = false
				if err := ws.WriteHeader(conn, header); err != nil {
					return
				}
				if _, err := conn.Write(payload); err != nil {
					return
				}
				if header.OpCode == ws.OpClose {
					return
				}
			}
		}()
	})
	log.Fatal(http.ListenAndServe(*addr, nil))
}
