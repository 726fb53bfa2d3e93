// Command 07-utf8 is milestone 7 of wsplay's build-your-own-server
// track in Go: UTF-8.
//
// Lesson 10: a text message, and a close frame's reason, must be UTF-8.
// Check each text fragment as it arrives, so that a character cut between
// two fragments passes and an impossible byte fails at once, with 1007
// (§8.1). This is the whole echo server of the track.
//
//	go run ./lessons/examples/track/go/07-utf8 3368
//	wsplay check -stage utf8 ws://127.0.0.1:3368/
//	wsplay tap -listen 127.0.0.1:9000 -target ws://127.0.0.1:3368/
package main

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"strings"
	"time"
	"unicode/utf8"
)

const (
	guid    = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11" // RFC 6455 §1.3
	maxHead = 8192                                   // bytes of request line and headers we accept
)

// Opcodes, RFC 6455 §5.2.
const (
	opCont   = 0x0
	opText   = 0x1
	opBinary = 0x2
	opClose  = 0x8
	opPing   = 0x9
	opPong   = 0xA
)

// protocolError is a rule the client broke: the connection fails with
// this close code.
type protocolError struct {
	code   uint16
	reason string
}

func (e *protocolError) Error() string { return e.reason }

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

// ---- Frames, RFC 6455 §5 ----

// A frame as read from the client.
type frame struct {
	fin     bool
	opcode  byte
	payload []byte
}

// unmask XORs byte i with key byte i mod 4 (§5.3).
func unmask(key [4]byte, data []byte) {
	for i := range data {
		data[i] ^= key[i%4]
	}
}

// readFrame reads one frame, field by field (§5.2). io.ReadFull reads
// exactly the bytes of each field, however TCP cut them.
func readFrame(r *bufio.Reader) (frame, error) {
	var f frame
	var b [8]byte
	if _, err := io.ReadFull(r, b[:2]); err != nil {
		return f, err
	}
	f.fin = b[0]&0x80 != 0
	f.opcode = b[0] & 0x0F
	if b[0]&0x70 != 0 {
		return f, &protocolError{1002, "reserved bits must be 0"}
	}
	switch f.opcode {
	case opCont, opText, opBinary, opClose, opPing, opPong:
	default:
		return f, &protocolError{1002, "reserved opcode"}
	}
	if b[1]&0x80 == 0 {
		return f, &protocolError{1002, "client frames must be masked"}
	}
	length := uint64(b[1] & 0x7F)
	switch length {
	case 126:
		if _, err := io.ReadFull(r, b[:2]); err != nil {
			return f, err
		}
		length = uint64(binary.BigEndian.Uint16(b[:2]))
		if length < 126 {
			return f, &protocolError{1002, "length not minimal"}
		}
	case 127:
		if _, err := io.ReadFull(r, b[:8]); err != nil {
			return f, err
		}
		length = binary.BigEndian.Uint64(b[:8])
		if length>>63 != 0 || length <= 0xFFFF {
			return f, &protocolError{1002, "bad 64-bit length"}
		}
	}
	if f.opcode >= opClose && (!f.fin || length > 125) {
		return f, &protocolError{1002, "control frames are final and at most 125 bytes"}
	}
	var key [4]byte
	if _, err := io.ReadFull(r, key[:]); err != nil {
		return f, err
	}
	// The buffer grows as the bytes arrive: a length is only a promise.
	var payload bytes.Buffer
	if _, err := io.CopyN(&payload, r, int64(length)); err != nil {
		return f, err
	}
	f.payload = payload.Bytes()
	unmask(key, f.payload)
	return f, nil
}

// writeFrame sends one frame: FIN set, not masked, the shortest length form.
func writeFrame(conn net.Conn, opcode byte, payload []byte) error {
	head := []byte{0x80 | opcode}
	n := len(payload)
	switch {
	case n <= 125:
		head = append(head, byte(n))
	case n <= 0xFFFF:
		head = binary.BigEndian.AppendUint16(append(head, 126), uint16(n))
	default:
		head = binary.BigEndian.AppendUint64(append(head, 127), uint64(n))
	}
	_, err := conn.Write(append(head, payload...))
	return err
}

// validCloseCode reports whether a peer may send code (§7.4): 1005, 1006
// and 1015 never travel.
func validCloseCode(code uint16) bool {
	return code >= 1000 && code <= 1003 || code >= 1007 && code <= 1014 ||
		code >= 3000 && code <= 4999
}

// answerClose answers the client's close frame with its code (§5.5.1).
func answerClose(conn net.Conn, payload []byte) error {
	if len(payload) == 1 {
		return &protocolError{1002, "a close body is empty or starts with a code"}
	}
	if len(payload) > 0 {
		code := binary.BigEndian.Uint16(payload)
		if !validCloseCode(code) {
			return &protocolError{1002, "invalid close code"}
		}
		if !utf8.Valid(payload[2:]) {
			return &protocolError{1007, "the close reason must be UTF-8"}
		}
		payload = payload[:2]
	}
	return writeFrame(conn, opClose, payload)
}

// fail fails the connection (§7.1.7): it sends a close frame, then ends
// TCP. The client may still be sending the rest of a bad frame; closing a
// socket with unread bytes sends a reset, which can destroy our close
// frame. So stop writing, and read what still comes, for one second at
// most, before closing.
func fail(conn net.Conn, pe *protocolError) {
	payload := binary.BigEndian.AppendUint16(nil, pe.code)
	if writeFrame(conn, opClose, append(payload, pe.reason...)) != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.CloseWrite()
	}
	conn.SetReadDeadline(time.Now().Add(time.Second))
	io.Copy(io.Discard, conn)
}

// wholeRunes returns how many bytes at the start of b are whole UTF-8
// characters, and false when b cannot be the start of UTF-8 text: only a
// character cut at the very end may be incomplete.
func wholeRunes(b []byte) (int, bool) {
	n := 0
	for n < len(b) {
		r, size := utf8.DecodeRune(b[n:])
		if r == utf8.RuneError && size == 1 {
			return n, !utf8.FullRune(b[n:]) // cut short, or impossible
		}
		n += size
	}
	return n, true
}

// echo sends every message back, whole, with the opcode it started with.
func echo(conn net.Conn, r *bufio.Reader) error {
	inMessage := false
	var messageOp byte // the opcode of the message in progress
	var message []byte
	checked := 0 // bytes of the text message checked as UTF-8
	for {
		f, err := readFrame(r)
		if err != nil {
			return err
		}
		if f.opcode == opPing {
			if err := writeFrame(conn, opPong, f.payload); err != nil { // the same payload, §5.5.2
				return err
			}
			continue
		}
		if f.opcode == opPong {
			continue // an unsolicited pong is allowed, §5.5.3
		}
		if f.opcode == opClose {
			return answerClose(conn, f.payload) // then handle closes TCP: the server closes first
		}
		if f.opcode == opCont {
			if !inMessage {
				return &protocolError{1002, "continuation without a message"}
			}
		} else {
			if inMessage {
				return &protocolError{1002, "new message inside a fragmented one"}
			}
			inMessage, messageOp, message, checked = true, f.opcode, nil, 0
		}
		message = append(message, f.payload...)
		if messageOp == opText {
			n, ok := wholeRunes(message[checked:])
			checked += n
			if !ok || f.fin && checked < len(message) {
				return &protocolError{1007, "text must be UTF-8"}
			}
		}
		if f.fin {
			if err := writeFrame(conn, messageOp, message); err != nil {
				return err
			}
			inMessage = false
		}
	}
}

// handle serves one client, from its handshake to the end of its connection.
func handle(conn net.Conn) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	if !handshake(conn, r) {
		return
	}
	var pe *protocolError
	if err := echo(conn, r); errors.As(err, &pe) {
		fail(conn, pe)
	}
}
