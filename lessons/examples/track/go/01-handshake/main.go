// Command 01-handshake is milestone 1 of wsplay's build-your-own-server
// track in Go: the opening handshake.
//
// Lessons 2 and 3: read the request up to the empty line, check it as
// RFC 6455 §4.2.1 says, and answer 101 with the Accept value, or refuse
// it. After the 101 the client sends frames; this milestone prints their
// bytes in hex, and lesson 4 reads them.
//
//	go run ./lessons/examples/track/go/01-handshake 3368
//	wsplay check -stage handshake ws://127.0.0.1:3368/
//	wsplay tap -listen 127.0.0.1:9000 -target ws://127.0.0.1:3368/
package main

import (
	"bufio"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"log"
	"net"
	"os"
	"strings"
)

const (
	guid    = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11" // RFC 6455 §1.3
	maxHead = 8192                                   // bytes of request line and headers we accept
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

// ---- The opening handshake, RFC 6455 §4.2 ----

var errTooLarge = errors.New("the request head is too large")

// readHead reads the request line and the headers, up to the empty line,
// which is the last line it returns. The bufio.Reader keeps whatever
// follows: it is already frames. TCP is a stream of bytes, and one Read is
// not one request or one frame.
func readHead(r *bufio.Reader) ([]string, error) {
	var lines []string
	size := 0
	for {
		line, err := r.ReadSlice('\n') // at most the reader's 4096 bytes
		if err == bufio.ErrBufferFull {
			return nil, errTooLarge
		} else if err != nil {
			return nil, err
		}
		size += len(line)
		if size > maxHead {
			return nil, errTooLarge
		}
		lines = append(lines, strings.TrimRight(string(line), "\r\n"))
		if lines[len(lines)-1] == "" {
			return lines, nil
		}
	}
}

// tokens splits a header such as Connection: keep-alive, Upgrade into its
// tokens, in lower case.
func tokens(value string) []string {
	var out []string
	for _, t := range strings.Split(value, ",") {
		out = append(out, strings.ToLower(strings.TrimSpace(t)))
	}
	return out
}

func has(list []string, token string) bool {
	for _, t := range list {
		if t == token {
			return true
		}
	}
	return false
}

func validKey(key string) bool {
	b, err := base64.StdEncoding.DecodeString(key)
	return err == nil && len(b) == 16
}

// acceptValue is lesson 3: base64 of the SHA-1 of the key followed by the GUID.
func acceptValue(key string) string {
	sum := sha1.Sum([]byte(key + guid))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// refuse answers a request that is not a valid opening handshake.
func refuse(conn net.Conn, status, why string) bool {
	extra := ""
	if strings.HasPrefix(status, "426") {
		extra = "Sec-WebSocket-Version: 13\r\n"
	}
	fmt.Fprintf(conn, "HTTP/1.1 %s\r\n%sContent-Type: text/plain\r\n"+
		"Content-Length: %d\r\nConnection: close\r\n\r\n%s\n",
		status, extra, len(why)+1, why)
	return false
}

// handshake answers 101 and returns true, or refuses the request and
// returns false.
func handshake(conn net.Conn, r *bufio.Reader) bool {
	lines, err := readHead(r)
	if err == errTooLarge {
		return refuse(conn, "431 Request Header Fields Too Large", err.Error())
	} else if err != nil {
		return false // the client went away
	}
	request := strings.Split(lines[0], " ")
	headers := map[string]string{}
	for _, line := range lines[1:] {
		// The first colon ends the name, the spaces around the value are
		// optional, and names ignore case (RFC 9112 §5).
		name, value, _ := strings.Cut(line, ":")
		headers[strings.ToLower(strings.TrimSpace(name))] = strings.TrimSpace(value)
	}
	if len(request) != 3 || request[0] != "GET" || request[2] != "HTTP/1.1" {
		return refuse(conn, "400 Bad Request", "the handshake is a GET over HTTP/1.1")
	}
	if _, ok := headers["host"]; !ok {
		return refuse(conn, "400 Bad Request", "the request must have a Host")
	}
	if !has(tokens(headers["upgrade"]), "websocket") {
		return refuse(conn, "400 Bad Request", "Upgrade must contain websocket")
	}
	if !has(tokens(headers["connection"]), "upgrade") {
		return refuse(conn, "400 Bad Request", "Connection must contain Upgrade")
	}
	if headers["sec-websocket-version"] != "13" {
		return refuse(conn, "426 Upgrade Required", "Sec-WebSocket-Version must be 13")
	}
	key := headers["sec-websocket-key"]
	if !validKey(key) {
		return refuse(conn, "400 Bad Request", "Sec-WebSocket-Key must be base64 of 16 bytes")
	}
	fmt.Fprintf(conn, "HTTP/1.1 101 Switching Protocols\r\n"+
		"Upgrade: websocket\r\n"+
		"Connection: Upgrade\r\n"+
		"Sec-WebSocket-Accept: %s\r\n\r\n", acceptValue(key))
	return true
}

// handle serves one client, from its handshake to the end of its connection.
func handle(conn net.Conn) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	if !handshake(conn, r) {
		return
	}
	// Lesson 4 reads these bytes as frames; for now, show them.
	buf := make([]byte, 65536)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			fmt.Printf("% x\n", buf[:n])
		}
		if err != nil {
			return // the client went away
		}
	}
}
