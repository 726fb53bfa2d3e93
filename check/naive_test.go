//go:build !js

package check

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"net"
	"strings"
	"testing"
	"time"

	"wsplay/core"
)

// This file is a faithful Go port of the classic "WebSocket server in Python
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

// serveNaive runs the recipe on ln until ln is closed.
func serveNaive(ln net.Listener) {
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
			if len(mask) == 0 {
				return // ZeroDivisionError / IndexError on mask[j % 4]
			}
			msg[j] = b ^ mask[j%len(mask)]
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

// startNaive serves the recipe on 127.0.0.1 and returns its ws:// URL.
func startNaive(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go serveNaive(ln)
	return "ws://" + ln.Addr().String() + "/"
}

// The recipe passes what it was written for (the handshake, short text)
// and fails the rest, each with the explanation a learner needs.
func TestNaiveServerFailsWithExplanations(t *testing.T) {
	opts := testOpts()
	opts.Timeout = time.Second // the recipe hangs in chunks.coalesced
	rep, byID := runAll(t, startNaive(t), opts)
	passes := map[string]bool{"handshake.status": true, "handshake.headers": true, "handshake.accept": true,
		"frame.text-0": true, "frame.text-125": true, "frame.text-126": true, "utf8.valid": true}
	for _, r := range rep.Results {
		switch {
		case passes[r.ID] && r.Status != Pass:
			t.Errorf("%s: %s, expected PASS: %s", r.ID, r.Status, r.Got)
		case r.ID == "utf8.invalid" && r.Status != Warn:
			t.Errorf("%s: %s, expected the pass-through WARN: %s", r.ID, r.Status, r.Got)
		case !passes[r.ID] && r.ID != "utf8.invalid" && r.Status != Fail:
			t.Errorf("%s: %s, expected FAIL: %s", r.ID, r.Status, r.Got)
		}
		if r.Status != Pass && (r.Explanation == "" || r.Rule.Source == "" || !strings.HasPrefix(r.Lesson, DefaultLessons+"/lessons/")) {
			t.Errorf("%s: incomplete explanation: %+v", r.ID, r)
		}
	}
	for _, w := range []struct {
		id, got, source, lesson string
	}{
		{"handshake.version", "101 Switching Protocols", core.RuleVersion.Source(), "handshake"},
		{"handshake.no-key", "closed the TCP connection", core.RuleKeyPresent.Source(), "handshake"},
		{"frame.text-65536", "cut short after", "RFC 6455 §5.2", "payload-length"},
		{"frame.binary-125", "a text message of 125 bytes came back", "RFC 6455 §5.6", "frame-anatomy"},
		{"frame.unmasked", "echoed it back", core.RuleClientMasks.Source(), "masking"},
		{"fragments.text", "cut short after 7 bytes", "RFC 6455 §5.4", "fragmentation"},
		{"control.ping", "expected a pong; a text message", "RFC 6455 §5.5.2", "control-frames"},
		{"reserved.rsv1", "echoed it back", core.RuleReservedBits.Source(), "frame-anatomy"},
		{"utf8.fail-fast", "as if it were a whole message", "RFC 6455 §5.4", "fragmentation"},
		{"close.normal", "expected a close frame in answer", "RFC 6455 §5.5.1", "closing"},
		{"large.1MiB", "came back", "RFC 6455 §5.2", "payload-length"},
		{"chunks.frame", "closed the TCP connection", "RFC 9293 §2.2", "mistakes"},
		{"chunks.coalesced", "the second is the one that got lost", "RFC 9293 §2.2", "mistakes"},
	} {
		r := byID[w.id]
		if !strings.Contains(r.Got, w.got) || r.Rule.Source != w.source || r.Lesson != DefaultLessons+"/lessons/"+w.lesson {
			t.Errorf("%s: got %q, rule %q, lesson %q; want %q, %q, %q", w.id, r.Got, r.Rule.Source, r.Lesson, w.got, w.source, w.lesson)
		}
	}
	// What was sent and what came back, decoded.
	r := byID["frame.binary-125"]
	if !strings.HasPrefix(r.Sent, "82 fd") || !strings.HasPrefix(r.Received, "81 7d") ||
		len(r.ReceivedFrames) != 1 || !strings.HasPrefix(r.ReceivedFrames[0], "text frame, FIN 1, not masked, 125-byte payload") {
		t.Errorf("frame.binary-125 evidence: sent %q, received %q %q", r.Sent, r.Received, r.ReceivedFrames)
	}
	if t.Failed() {
		logResults(t, rep)
	}
}
