//go:build !js

// Package tap is a man-in-the-middle on purpose: it relays one WebSocket
// connection between any client and a learner's server, byte for byte in
// both directions, and reports what crossed it — the opening handshake, the
// Accept value recomputed step by step, and every frame decoded by the
// core's explainer, with every rule either side broke.
//
// Read the files in this order: event.go (what is reported, the JSON
// schema of docs/tap.md), head.go (the opening handshake: how the request
// head is rewritten, how the response is checked), decode.go (the frames
// of one direction, whatever the TCP chunking), relay.go (one session),
// tap.go (the listener of `wsplay tap`), text.go (the terminal output).
//
// # Byte for byte
//
// The relay never re-frames: every byte read from one side is written to
// the other as read, in the same chunks. The reports are made from a copy.
// Only the request head is changed, and every change is reported (see
// RewriteRequest): the Host header and the request-target become the
// target's, and the extension offers are dropped so that payloads stay
// readable (a compressed payload is not text a learner can follow).
// With Session.Compress the permessage-deflate offers are forwarded
// instead, and inflate.go shows each compressed message inflated, with
// core's inflater, within Limits.Inflate.
//
// # Safety
//
// A session has a handshake timeout (both heads), an idle timeout (no byte
// either way), a write timeout per write, and fixed buffers: a 32 KiB relay
// buffer per direction and, per frame being decoded, its header plus at
// most Limits.Keep first and Limits.Tail last payload bytes. A frame of any
// size is relayed in full but reported by those bytes and its length. A
// stream that stops decoding as frames (garbage) is reported once and then
// relayed raw. The listener caps concurrent sessions.
//
// # Concurrency
//
// A Session runs on the caller's goroutine plus one goroutine per
// direction. The Emit hook is called from both directions' goroutines and
// must be safe for concurrent use; it should not block long, since the
// relay waits for it (reports come before the bytes they describe are
// forwarded, so that their order follows the conversation).
package tap
