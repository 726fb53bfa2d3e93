// Command coder is an echo server on /ws/echo built with coder/websocket,
// for the comparison benchmark. Its loop is the one of coder's own echo
// example: Reader for the next message, Writer of the same type, io.Copy
// between them; text comes back as text and binary as binary. With
// -compress it negotiates permessage-deflate in coder's
// CompressionNoContextTakeover mode: its CompressionContextTakeover keeps a
// compressor (about 1 MiB) per connection, which an idle-memory test of
// thousands of connections cannot afford and no memory-bounded server uses.
package main

import (
	"context"
	"flag"
	"io"
	"log"
	"net/http"

	"github.com/coder/websocket"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "`host:port` to listen on")
	maxMessage := flag.Int64("max-message", 16<<20, "largest message in `bytes` (coder's default is 32768)")
	compress := flag.Bool("compress", false, "negotiate permessage-deflate (RFC 7692), without context takeover, when the client offers it")
	flag.Parse()
	opts := &websocket.AcceptOptions{}
	if *compress {
		opts.CompressionMode = websocket.CompressionNoContextTakeover
	}
	http.HandleFunc("/ws/echo", func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, opts)
		if err != nil {
			return // Accept has answered the client with the error
		}
		defer c.CloseNow()
		c.SetReadLimit(*maxMessage)
		ctx := r.Context()
		for {
			if err := echo(ctx, c); err != nil {
				return
			}
		}
	})
	log.Fatal(http.ListenAndServe(*addr, nil))
}

func echo(ctx context.Context, c *websocket.Conn) error {
	typ, r, err := c.Reader(ctx)
	if err != nil {
		return err
	}
	w, err := c.Writer(ctx, typ)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, r); err != nil {
		return err
	}
	return w.Close()
}
