//go:build !js

// Package naive is a faithful Go port of the classic "WebSocket server in
// Python from scratch" blog recipe: the server many learners write first,
// kept here so that wsplay check has a server whose mistakes are known. It
// is for tests only.
package naive

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"net"
	"strings"
)

// The recipe, for reference of the classic "WebSocket server in Python
// from scratch" blog recipe, the server many learners write first:
//
//	data = conn.recv(1024)                      # the handshake, in one read
//	key = headers['Sec-WebSocket-Key']          # KeyError if it is missing
//	conn.send(101 response with the Accept value)
//	while True:
//	    data = conn.recv(4096)                  # one read per frame
//	    length = data[1] & 127                  # FIN, RSV, opcode, MASK ignored
//	    if length == 126: length = unpack('>H', data[2:4]); i = 4
//	    elif length == 127: length = unpack('>Q', data[2:10]); i = 10
//	    else: i = 2
//	    mask = data[i:i+4]; payload = data[i+4:i+4+length]
//	    message = bytes(b ^ mask[j % 4] for j, b in enumerate(payload))
//	    conn.send(text frame with message)      # always 0x81
//
// Python's slices never fail: a slice past the end is just shorter, so a
// frame cut by the 4096-byte read gives a shorter message. Indexing does
// fail, and an exception ends the connection's thread, which closes it.

// Serve runs the recipe on ln until ln is closed.
func Serve(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go naiveConn(c)
	}
}

// pySlice is Python's b[i:j] for 0 <= i <= j: clipped to the bytes there.
func pySlice(b []byte, i, j int) []byte {
	i, j = min(i, len(b)), min(j, len(b))
	return b[i:j]
}

func naiveConn(c net.Conn) {
	defer c.Close() // what an uncaught exception amounts to
	buf := make([]byte, 1024)
	n, err := c.Read(buf)
	if err != nil {
		return
	}
	key := ""
	for _, line := range strings.Split(string(buf[:n]), "\r\n") {
		if name, value, ok := strings.Cut(line, ": "); ok && name == "Sec-WebSocket-Key" {
			key = value
		}
	}
	if key == "" {
		return // KeyError
	}
	sum := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	c.Write([]byte("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
		base64.StdEncoding.EncodeToString(sum[:]) + "\r\n\r\n"))
	for {
		data := make([]byte, 4096)
		n, err := c.Read(data)
		if err != nil || n == 0 {
			return
		}
		data = data[:n]
		if len(data) < 2 {
			return // IndexError on data[1]
		}
		length := int(data[1] & 127)
		i := 2
		switch length {
		case 126:
			if len(data) < 4 {
				return // struct.error
			}
			length, i = int(binary.BigEndian.Uint16(data[2:4])), 4
		case 127:
			if len(data) < 10 {
				return
			}
			length, i = int(min(binary.BigEndian.Uint64(data[2:10]), 1<<40)), 10
		}
		mask := pySlice(data, i, i+4)
		payload := pySlice(data, i+4, i+4+length)
		msg := make([]byte, len(payload))
		for j, b := range payload {
			if j%4 >= len(mask) {
				return // IndexError on mask[j % 4]: the frame was cut in its key
			}
			msg[j] = b ^ mask[j%4]
		}
		var reply []byte
		switch l := len(msg); {
		case l <= 125:
			reply = []byte{0x81, byte(l)}
		case l <= 65535:
			reply = binary.BigEndian.AppendUint16([]byte{0x81, 126}, uint16(l))
		default:
			reply = binary.BigEndian.AppendUint64([]byte{0x81, 127}, uint64(l))
		}
		if _, err := c.Write(append(reply, msg...)); err != nil {
			return
		}
	}
}
