//go:build !js

package check

import "wsplay/core"

// Rules the check cites that core does not define (yet): what an echo must
// preserve, and the requirements on answers (pong, close reply) that core
// implements but never has to report as a peer's fault. They are core.Rule
// values so that they print like the core's own; moving them into
// core/errors.go would let the page and the lessons cite them too.
var (
	ruleLength7        = core.Rule{ID: "length-7", Text: "a payload of 0 to 125 bytes has its length in the 7-bit Payload len field", Section: "5.2"}
	ruleLength16       = core.Rule{ID: "length-16", Text: "a payload of 126 to 65535 bytes has Payload len 126, then its length as a 16-bit unsigned integer in network byte order", Section: "5.2"}
	ruleLength64       = core.Rule{ID: "length-64", Text: "a payload of 65536 bytes or more has Payload len 127, then its length as a 64-bit unsigned integer in network byte order", Section: "5.2"}
	ruleOpcodeKept     = core.Rule{ID: "echo-opcode", Text: "the opcode of a message's first frame says whether it is text (0x1) or binary (0x2); an echo sends it back with the same opcode", Section: "5.6"}
	ruleFragments      = core.Rule{ID: "fragments-joined", Text: "a fragmented message is its fragments joined in order: FIN 0 on every frame but the last, and opcode 0x0 (continuation) after the first", Section: "5.4"}
	ruleControlBetween = core.Rule{ID: "control-between-fragments", Text: "control frames may be injected in the middle of a fragmented message, and must be handled there", Section: "5.4"}
	rulePong           = core.Rule{ID: "pong-payload", Text: "an endpoint that receives a ping must answer with a pong carrying the same payload", Section: "5.5.2"}
	ruleUnsolicitedPng = core.Rule{ID: "pong-unsolicited", Text: "a pong may be sent unsolicited, as a heartbeat; no answer is expected", Section: "5.5.3"}
	ruleCloseReply     = core.Rule{ID: "close-reply", Text: "an endpoint that receives a close frame must answer with a close frame, usually echoing the status code it received", Section: "5.5.1"}
	ruleServerCloses   = core.Rule{ID: "server-closes-tcp", Text: "after the closing handshake the server should close the TCP connection first", Section: "7.1.1"}
	ruleFailWithClose  = core.Rule{ID: "fail-with-close", Text: "an endpoint that fails the connection should first send a close frame whose status code says why", Section: "7.1.7"}
	ruleNothingAfter   = core.Rule{ID: "nothing-after-close", Text: "after sending a close frame an endpoint must not send any more data frames", Section: "5.5.1"}
	ruleUnmask         = core.Rule{ID: "unmask-payload", Text: "the receiver unmasks a masked payload: byte i XOR byte i mod 4 of the frame's masking key", Section: "5.3"}
	ruleByteStream     = core.Rule{ID: "byte-stream", Text: "TCP delivers a stream of bytes, not messages: a frame may arrive over many reads, and several frames in one read", Section: "RFC 9293 §2.2"}
)
