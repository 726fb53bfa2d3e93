package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"wsplay/core"
)

// client is one load-generating WebSocket connection: raw TCP, a
// bufio.Reader, and one pre-built masked frame whose first 8 payload bytes
// carry a sequence number, so that every echo can be checked against what
// was sent without building a frame per message.
type client struct {
	nc     net.Conn
	br     *bufio.Reader
	op     byte
	key    [4]byte
	frame  []byte        // the masked frame, rewritten in place for each sequence number
	off    int           // where the payload starts in frame
	want   []byte        // the unmasked payload, sequence number bytes aside
	buf    []byte        // receive buffer, as large as the payload
	sent   uint64        // sequence number of the next message to send
	echoed uint64        // sequence number of the next echo expected
	pieces int           // writes per frame: see cell.pieces
	gap    time.Duration // pause between those writes
	// z is permessage-deflate's state when it was negotiated; the frame
	// is then one compressed message, sent again and again, and each echo
	// is inflated and compared whole (no sequence number: its bytes are
	// compressed).
	z *deflateState
}

// dial opens a WebSocket to ws://addr/path with its own minimal opening
// handshake (RFC 6455 §4.1) and checks the server's answer (§4.2.2).
func dial(addr, path string) (*client, error) { return dialOffer(addr, path, "") }

// dialOffer is dial with a Sec-WebSocket-Extensions offer; an offer of
// permessage-deflate that the server accepts leaves c.z set.
func dialOffer(addr, path, offer string) (*client, error) {
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	key := core.NewKey()
	req := "GET " + path + " HTTP/1.1\r\nHost: " + addr + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n"
	if offer != "" {
		req += "Sec-WebSocket-Extensions: " + offer + "\r\n"
	}
	req += "\r\n"
	if _, err := nc.Write([]byte(req)); err != nil {
		nc.Close()
		return nil, err
	}
	br := bufio.NewReaderSize(nc, 64<<10)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("reading the handshake response: %w", err)
	}
	resp.Body.Close()
	switch {
	case resp.StatusCode != http.StatusSwitchingProtocols:
		err = fmt.Errorf("handshake answered %q, want 101 Switching Protocols (RFC 6455 §4.2.2)", resp.Status)
	case !strings.EqualFold(resp.Header.Get("Upgrade"), "websocket"):
		err = errors.New("handshake response has no \"Upgrade: websocket\" (RFC 6455 §4.2.2)")
	case resp.Header.Get("Sec-WebSocket-Accept") != core.Accept(key):
		err = fmt.Errorf("Sec-WebSocket-Accept is %q, want %q (RFC 6455 §4.2.2)", resp.Header.Get("Sec-WebSocket-Accept"), core.Accept(key))
	}
	var z *deflateState
	if err == nil && offer != "" {
		z, err = parseDeflateAnswer(resp.Header)
	} else if err == nil && resp.Header.Get("Sec-WebSocket-Extensions") != "" {
		err = fmt.Errorf("the server answered Sec-WebSocket-Extensions %q to a handshake that offered none (RFC 6455 §9.1)", resp.Header.Get("Sec-WebSocket-Extensions"))
	}
	if err != nil {
		nc.Close()
		return nil, err
	}
	nc.SetDeadline(time.Time{})
	c := &client{nc: nc, br: br, z: z}
	// Any masking key will do for a benchmark; §5.3's unpredictability
	// protects proxies, and there is none on loopback.
	binary.LittleEndian.PutUint32(c.key[:], uint32(time.Now().UnixNano())|1)
	return c, nil
}

// prepare builds the frame for messages of size bytes with opcode op. The
// payload is printable ASCII, valid UTF-8, so it can be sent as text too.
func (c *client) prepare(op byte, size int) {
	c.op = op
	c.want = make([]byte, size)
	for i := range c.want {
		c.want[i] = 'a' + byte(i%26)
	}
	c.frame, c.off = clientFrame(c.frame[:0], op, c.key, c.want)
	c.buf = make([]byte, size)
}

// seqBytes is how many payload bytes carry the sequence number.
func seqBytes(size int) int { return min(size, 8) }

// stamp writes sequence number seq, masked, into the frame. Payload
// offsets 0-7 use key bytes 0-3 twice (§5.3).
func (c *client) stamp(seq uint64) {
	for i := range seqBytes(len(c.want)) {
		c.frame[c.off+i] = byte(seq>>(8*i)) ^ c.key[i&3]
	}
}

// send writes the next message: in one write, or in c.pieces writes of
// about equal size, c.gap apart. The pause is what makes the server read
// each piece on its own (the load generator's socket has TCP_NODELAY, Go's
// default, so each write leaves at once).
func (c *client) send() error {
	if c.z == nil {
		c.stamp(c.sent)
	}
	c.sent++
	if c.pieces <= 1 {
		_, err := c.nc.Write(c.frame)
		return err
	}
	for i := range c.pieces {
		if i > 0 {
			time.Sleep(c.gap)
		}
		if _, err := c.nc.Write(c.frame[len(c.frame)*i/c.pieces : len(c.frame)*(i+1)/c.pieces]); err != nil {
			return err
		}
	}
	return nil
}

// receive reads the next echo and checks that it is, byte for byte, the
// message sent with the expected sequence number, with the same opcode.
func (c *client) receive() error {
	if c.z != nil {
		return c.receiveDeflate()
	}
	op, msg, err := readMessage(c.br, c.buf, len(c.want))
	if err != nil {
		return err
	}
	seq := c.echoed
	c.echoed++
	if op != c.op {
		return fmt.Errorf("echo of message %d has opcode %#x, sent %#x", seq, op, c.op)
	}
	if len(msg) != len(c.want) {
		return fmt.Errorf("echo of message %d has %d bytes, sent %d", seq, len(msg), len(c.want))
	}
	n := seqBytes(len(msg))
	for i := range n {
		if msg[i] != byte(seq>>(8*i)) {
			return fmt.Errorf("echo %d carries the wrong sequence number: bytes % x (lost, repeated or reordered message)", seq, msg[:n])
		}
	}
	if !bytes.Equal(msg[n:], c.want[n:]) {
		return fmt.Errorf("echo of message %d differs from what was sent", seq)
	}
	return nil
}

// roundTrip sends arbitrary payload p with opcode op and checks its echo;
// the start-up probe uses it, off the hot path.
func (c *client) roundTrip(op byte, p []byte) error {
	frame, _ := clientFrame(nil, op, c.key, p)
	if _, err := c.nc.Write(frame); err != nil {
		return err
	}
	gotOp, msg, err := readMessage(c.br, make([]byte, len(p)), len(p))
	switch {
	case err != nil:
		return err
	case gotOp != op:
		return fmt.Errorf("echo of a %d-byte message has opcode %#x, sent %#x (text must come back as text, binary as binary)", len(p), gotOp, op)
	case !bytes.Equal(msg, p):
		return fmt.Errorf("echo of a %d-byte message differs from what was sent", len(p))
	}
	return nil
}
