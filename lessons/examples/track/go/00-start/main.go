// Command 00-start is the starting point of wsplay's build-your-own-server
// track in Go: a TCP server, on package net only, that accepts connections
// and prints what a client sends. Point a browser at it
// (new WebSocket("ws://127.0.0.1:3368/") in the console) and you see the
// opening handshake of lesson 2, line by line. Each milestone of the track
// adds what one lesson teaches:
//
//	01-handshake  lessons 2-3   wsplay check -stage handshake
//	02-frames     lessons 4-5   wsplay check -stage frames
//	03-masking    lesson 6      wsplay check -stage masking
//	04-fragments  lesson 7      wsplay check -stage fragments
//	05-control    lesson 8      wsplay check -stage control
//	06-close      lesson 9      wsplay check -stage close
//	07-utf8       lesson 10     wsplay check -stage utf8
//
// Run it from the repository root:
//
//	go run ./lessons/examples/track/go/00-start 3368
package main

import (
	"fmt"
	"log"
	"net"
	"os"
)

func main() {
	port := "3368"
	if len(os.Args) > 1 {
		port = os.Args[1]
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", port)) // this machine only
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening on ws://%s/\n", ln.Addr())
	for {
		conn, err := ln.Accept()
		if err != nil {
			log.Fatal(err)
		}
		go handle(conn)
	}
}

// handle prints what one client sends until it closes the connection.
func handle(conn net.Conn) {
	defer conn.Close()
	buf := make([]byte, 65536)
	for {
		n, err := conn.Read(buf)
		os.Stdout.Write(buf[:n])
		if err != nil { // io.EOF: the client closed TCP
			return
		}
	}
}
