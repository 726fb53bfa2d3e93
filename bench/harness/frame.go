package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Opcodes the load generator sends or must recognise (RFC 6455 §5.2).
const (
	opContinuation = 0x0
	opText         = 0x1
	opBinary       = 0x2
	opClose        = 0x8
	opPing         = 0x9
	opPong         = 0xA
)

// frameHeader is what the load generator needs from a server's frame.
type frameHeader struct {
	fin    bool
	rsv1   bool // permessage-deflate's Per-Message Compressed bit (RFC 7692 §6)
	opcode byte
	length uint64
}

// readHeader parses one frame header sent by a server. It is deliberately
// small: it checks only what tells a broken echo from a working one, and
// names the rule in its errors. With deflate (the extension was
// negotiated) it accepts RSV1 on a data frame.
func readHeader(br *bufio.Reader, deflate bool) (frameHeader, error) {
	var b [8]byte
	if _, err := io.ReadFull(br, b[:2]); err != nil {
		return frameHeader{}, err
	}
	h := frameHeader{fin: b[0]&0x80 != 0, opcode: b[0] & 0x0F, rsv1: b[0]&0x40 != 0}
	if deflate && h.rsv1 && h.opcode < opClose {
		b[0] &^= 0x40
	}
	if b[0]&0x70 != 0 {
		return h, fmt.Errorf("frame from the server has RSV bits %#x set, but no extension was negotiated (RFC 6455 §5.2)", b[0]&0x70)
	}
	if b[1]&0x80 != 0 {
		return h, errors.New("frame from the server is masked; a server must not mask (RFC 6455 §5.1)")
	}
	switch n := b[1] & 0x7F; n {
	case 126:
		if _, err := io.ReadFull(br, b[:2]); err != nil {
			return h, unexpectedEOF(err)
		}
		h.length = uint64(binary.BigEndian.Uint16(b[:2]))
	case 127:
		if _, err := io.ReadFull(br, b[:8]); err != nil {
			return h, unexpectedEOF(err)
		}
		h.length = binary.BigEndian.Uint64(b[:8])
		if h.length>>63 != 0 {
			return h, errors.New("frame from the server has a 64-bit length with its top bit set (RFC 6455 §5.2)")
		}
	default:
		h.length = uint64(n)
	}
	if h.opcode >= opClose && (h.length > 125 || !h.fin) {
		return h, errors.New("control frame from the server is fragmented or longer than 125 bytes (RFC 6455 §5.5)")
	}
	return h, nil
}

func unexpectedEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// readMessage reads the next data message from a server into buf (grown
// when too small, up to limit) and returns its opcode and payload. It
// reassembles fragments and skips pings and pongs, which an echo server
// may send between messages; a close frame is reported as an error.
func readMessage(br *bufio.Reader, buf []byte, limit int) (byte, []byte, error) {
	op, _, msg, err := readMessageRSV(br, buf, limit, false)
	return op, msg, err
}

// readMessageRSV is readMessage that, when deflate is true, accepts RSV1
// on a message's first frame, and reports it: the payload is then
// compressed (RFC 7692 §6).
func readMessageRSV(br *bufio.Reader, buf []byte, limit int, deflate bool) (op byte, compressed bool, msg []byte, err error) {
	msg = buf[:0]
	for {
		h, err := readHeader(br, deflate)
		if err != nil {
			return 0, false, msg, err
		}
		if h.rsv1 && (h.opcode == opContinuation || h.opcode >= opClose) {
			return 0, false, msg, errors.New("RSV1 set on a continuation or control frame from the server (RFC 7692 §6.1)")
		}
		if h.rsv1 {
			compressed = true
		}
		if h.opcode >= opClose {
			var ctrl [125]byte
			if _, err := io.ReadFull(br, ctrl[:h.length]); err != nil {
				return 0, false, msg, unexpectedEOF(err)
			}
			switch h.opcode {
			case opPing, opPong:
				continue
			case opClose:
				return 0, false, msg, closeError(ctrl[:h.length])
			}
			return 0, false, msg, fmt.Errorf("frame from the server has the reserved opcode %#x (RFC 6455 §5.2)", h.opcode)
		}
		switch {
		case h.opcode == opContinuation && op == 0:
			return 0, false, msg, errors.New("continuation frame from the server with no message to continue (RFC 6455 §5.4)")
		case h.opcode != opContinuation && op != 0:
			return 0, false, msg, errors.New("new message from the server before the previous one's last fragment (RFC 6455 §5.4)")
		case h.opcode != opContinuation && h.opcode != opText && h.opcode != opBinary:
			return 0, false, msg, fmt.Errorf("frame from the server has the reserved opcode %#x (RFC 6455 §5.2)", h.opcode)
		case h.opcode != opContinuation:
			op = h.opcode
		}
		if h.length > uint64(limit-len(msg)) {
			return 0, false, msg, fmt.Errorf("message from the server is longer than the %d bytes sent", limit)
		}
		start := len(msg)
		msg = append(msg, make([]byte, h.length)...)[:start+int(h.length)]
		if _, err := io.ReadFull(br, msg[start:]); err != nil {
			return 0, false, msg, unexpectedEOF(err)
		}
		if h.fin {
			return op, compressed, msg, nil
		}
	}
}

func closeError(p []byte) error {
	if len(p) < 2 {
		return errors.New("the server sent a close frame with no status code")
	}
	return fmt.Errorf("the server closed the connection: %d %q", binary.BigEndian.Uint16(p), p[2:])
}

// clientFrame appends a masked client frame (RFC 6455 §5.3) carrying
// payload, with the masking key key, to dst. It returns the frame and the
// offset of the payload in it.
func clientFrame(dst []byte, op byte, key [4]byte, payload []byte) ([]byte, int) {
	dst = append(dst, 0x80|op)
	switch n := len(payload); {
	case n <= 125:
		dst = append(dst, 0x80|byte(n))
	case n <= 0xFFFF:
		dst = append(dst, 0x80|126)
		dst = binary.BigEndian.AppendUint16(dst, uint16(n))
	default:
		dst = append(dst, 0x80|127)
		dst = binary.BigEndian.AppendUint64(dst, uint64(n))
	}
	dst = append(dst, key[:]...)
	start := len(dst)
	for i, c := range payload {
		dst = append(dst, c^key[i&3])
	}
	return dst, start
}
