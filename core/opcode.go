package core

import "strconv"

// Opcode is the 4-bit frame type of RFC 6455 §5.2.
type Opcode byte

// The opcodes defined by RFC 6455 §5.2 (registry in §11.8).
const (
	OpContinuation Opcode = 0x0 // continues a fragmented message (§5.4)
	OpText         Opcode = 0x1 // a text message, UTF-8 (§5.6)
	OpBinary       Opcode = 0x2 // a binary message (§5.6)
	OpClose        Opcode = 0x8 // the closing handshake (§5.5.1)
	OpPing         Opcode = 0x9 // asks for a pong (§5.5.2)
	OpPong         Opcode = 0xA // answers a ping, or a heartbeat (§5.5.3)
)

// IsControl reports whether op is a control opcode (0x8-0xF, §5.5). Control
// frames may arrive between the fragments of a message.
func (op Opcode) IsControl() bool { return op&0x8 != 0 }

// IsData reports whether op is a data opcode (0x0-0x7, §5.6).
func (op Opcode) IsData() bool { return op&0x8 == 0 }

// IsReserved reports whether op is one of the opcodes RFC 6455 keeps for
// future use: 0x3-0x7 and 0xB-0xF.
func (op Opcode) IsReserved() bool {
	switch op {
	case OpContinuation, OpText, OpBinary, OpClose, OpPing, OpPong:
		return false
	}
	return true
}

// String returns the opcode's name as the RFC writes it, e.g. "text".
func (op Opcode) String() string {
	switch op {
	case OpContinuation:
		return "continuation"
	case OpText:
		return "text"
	case OpBinary:
		return "binary"
	case OpClose:
		return "close"
	case OpPing:
		return "ping"
	case OpPong:
		return "pong"
	}
	if op.IsControl() {
		return "reserved control 0x" + strconv.FormatUint(uint64(op), 16)
	}
	return "reserved data 0x" + strconv.FormatUint(uint64(op), 16)
}
