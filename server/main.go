//go:build !js

// Command wsplay is the companion server of the WebSocket playground.
//
//	wsplay [serve] [-addr 127.0.0.1:8080]
//
// It serves the playground page, with wsplay's core compiled to WebAssembly,
// on loopback by default.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"net/http"
	"os"
	"time"

	"wsplay/site"
)

func main() {
	args := os.Args[1:]
	if len(args) > 0 && args[0] == "serve" {
		args = args[1:]
	}
	fl := flag.NewFlagSet("wsplay serve", flag.ExitOnError)
	addr := fl.String("addr", "127.0.0.1:8080", "`host:port` to listen on; the default accepts connections from this machine only")
	fl.Usage = func() {
		fmt.Fprintf(fl.Output(), "wsplay: a WebSocket (RFC 6455) playground.\n\nUsage: wsplay [serve] [flags]\n\nFlags:\n")
		fl.PrintDefaults()
		fmt.Fprintf(fl.Output(), "\nLimits: request headers are read within 10s and may be 8 KiB at most.\n")
	}
	fl.Parse(args)

	files, _ := fs.Sub(site.Files, ".")
	srv := &http.Server{
		Addr:              *addr,
		Handler:           http.FileServerFS(files),
		ReadHeaderTimeout: 10 * time.Second,
		MaxHeaderBytes:    8 << 10,
	}
	fmt.Printf("wsplay: open http://%s/\n", *addr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatalf("wsplay: %v", err)
	}
}
