//go:build !js

package autobahn

import (
	"bytes"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"wsplay/core"
)

// Behaviors and close behaviors, spelled as in Autobahn's reports.
const (
	OK             = "OK"
	NonStrict      = "NON-STRICT"
	Informational  = "INFORMATIONAL"
	Unimplemented  = "UNIMPLEMENTED"
	Failed         = "FAILED"
	WrongCode      = "WRONG CODE"
	Unclean        = "UNCLEAN"
	FailedByClient = "FAILED BY CLIENT"
)

// Case is one Autobahn case: its id, its words, and the script that plays
// it on a Peer.
type Case struct {
	ID          string
	Description string
	Expectation string
	// ReportTime marks the performance cases, whose duration is the point.
	ReportTime bool
	// Unimplemented cases are listed, not run.
	Unimplemented bool
	// deflate, for sections 12 and 13, holds the permessage-deflate
	// offers the suite makes as a client and the answers it gives as a
	// server.
	deflate *deflateParams
	// checkID names the case of package check whose rule, explanation and
	// lesson explain a failure of this one.
	checkID string
	// rule, when set, is more precise than the check case's rule.
	rule *core.Rule
	// why, when set, explains a failure of rule in place of the check
	// case's paragraph (package check has no compression case).
	why string
	// limit bounds the whole case; past it the connection is dropped.
	limit time.Duration
	// wrongCodeFatal: a WRONG CODE close makes the case FAILED (7.x).
	wrongCodeFatal bool
	// informational: the outcome is reported, never graded (7.1.6, 7.13.x).
	informational bool
	// infoResult, when set, is the result text of an informational case.
	infoResult string
	play       func(p *Peer)
}

var (
	normal   = []core.StatusCode{core.StatusNormalClosure}
	protoErr = []core.StatusCode{core.StatusProtocolError}
	badData  = []core.StatusCode{core.StatusInvalidPayload}
	cleanOK  = ExpectedClose{ClosedByMe: true, Codes: normal, RequireClean: true}
	failedBy = ExpectedClose{ClosedByMe: false, Codes: protoErr}
)

func sec(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }

// frag is a frame of a fragmented message, or any frame with FIN as given.
func frag(op core.Opcode, fin bool, payload string) Frame {
	return Frame{Op: op, Fin: fin, Payload: []byte(payload)}
}

func chopped(fs []Frame, n int) []Frame {
	out := make([]Frame, len(fs))
	for i, f := range fs {
		f.Chop = n
		out[i] = f
	}
	return out
}

// sendAll is the common script: send the frames, then drop the connection
// after kill unless it ended before.
func sendAll(frames []Frame, kill time.Duration) func(p *Peer) {
	return func(p *Peer) {
		for _, f := range frames {
			p.Send(f)
		}
		p.KillAfter(kill)
	}
}

// expectEcho is a case whose frames must be echoed as want, then closed
// normally by us.
func expectEcho(id, desc, exp, checkID string, frames []Frame, kill time.Duration, want ...Event) Case {
	return Case{ID: id, Description: desc, Expectation: exp, checkID: checkID, play: func(p *Peer) {
		p.Expect(OK, want...)
		p.ExpectClose(cleanOK)
		sendAll(frames, kill)(p)
	}}
}

// expectFail is a case whose frames break a rule: the peer must fail the
// connection (after sending before, when given), or, NON-STRICT, before it
// even answered them.
func expectFail(id, desc, exp, checkID string, frames []Frame, nonStrict bool, before ...Event) Case {
	return Case{ID: id, Description: desc, Expectation: exp, checkID: checkID, play: func(p *Peer) {
		p.Expect(OK, before...)
		if nonStrict {
			p.Expect(NonStrict)
		}
		p.ExpectClose(failedBy)
		sendAll(frames, time.Second)(p)
	}}
}

// Cases returns every case in Autobahn's order.
func Cases() []Case {
	var all []Case
	all = append(all, framingCases()...)
	all = append(all, pingCases()...)
	all = append(all, reservedCases()...)
	all = append(all, opcodeCases()...)
	all = append(all, fragmentCases()...)
	all = append(all, utf8Cases()...)
	all = append(all, closeCases()...)
	all = append(all, performanceCases()...)
	all = append(all, autoFragmentCases()...)
	all = append(all, compressionCases()...)
	return all
}

// Section 1: text and binary messages on the length boundaries.
func framingCases() []Case {
	sizes := []int{0, 125, 126, 127, 128, 65535, 65536}
	var cs []Case
	for i, binary := range []bool{false, true} {
		kind, unit, op := "text", "*", core.OpText
		if binary {
			kind, unit, op = "binary", "\xfe", core.OpBinary
		}
		for j, n := range append(sizes, 65536) {
			payload := strings.Repeat(unit, n)
			desc := fmt.Sprintf("Send %s message with payload of length %d.", kind, n)
			if n == 0 {
				desc = fmt.Sprintf("Send %s message with payload 0.", kind)
			}
			exp := fmt.Sprintf("Receive echo'ed %s message (with payload as sent). Clean close with normal code.", kind)
			if n == 0 {
				exp = fmt.Sprintf("Receive echo'ed %s message (with empty payload). Clean close with normal code.", kind)
			}
			f := Frame{Op: op, Fin: true, Payload: []byte(payload)}
			checkID := "frame." + kind + "-126"
			switch {
			case n <= 125:
				checkID = "frame." + kind + "-125"
			case n >= 65536:
				checkID = "frame." + kind + "-65536"
			}
			if j == len(sizes) { // 1.x.8
				desc = fmt.Sprintf("Send %s message message with payload of length %d. Sent out data in chops of 997 octets.", kind, n)
				f.Chop = 997
				checkID = "chunks.frame"
			}
			kill := time.Second
			if n >= 65535 {
				kill = 10 * time.Second
			}
			cs = append(cs, expectEcho(fmt.Sprintf("1.%d.%d", i+1, j+1), desc, exp, checkID, []Frame{f}, kill, Msg(payload, binary)))
		}
	}
	return cs
}

// Section 2: pings and pongs.
func pingCases() []Case {
	pong := "Pong (with payload as sent) is sent in reply to Ping. Clean close with normal code."
	ping := func(payload string) Frame { return frag(core.OpPing, true, payload) }
	tenPings := func(chop int) ([]Frame, []Event) {
		var fs []Frame
		var es []Event
		for i := range 10 {
			pl := "payload-" + strconv.Itoa(i)
			f := ping(pl)
			f.Chop = chop
			fs = append(fs, f)
			es = append(es, Pong(pl))
		}
		return fs, es
	}
	f10, e10 := tenPings(0)
	f11, e11 := tenPings(1)
	b125 := strings.Repeat("\xfe", 125)
	chop := ping(b125)
	chop.Chop = 1
	unsolicited := func(id, desc, payload string) Case {
		return Case{ID: id, Description: desc, Expectation: "Nothing.", checkID: "control.unsolicited-pong", play: func(p *Peer) {
			p.Expect(OK)
			p.ExpectClose(cleanOK)
			p.Send(frag(core.OpPong, true, payload))
			p.SendClose(core.StatusNormalClosure)
			p.CloseAfter(time.Second)
		}}
	}
	return []Case{
		expectEcho("2.1", "Send ping without payload.", "Pong (with empty payload) is sent in reply to Ping. Clean close with normal code.", "control.ping", []Frame{ping("")}, time.Second, Pong("")),
		expectEcho("2.2", "Send ping with small text payload.", pong, "control.ping", []Frame{ping("Hello, world!")}, time.Second, Pong("Hello, world!")),
		expectEcho("2.3", "Send ping with small binary (non UTF-8) payload.", pong, "control.ping", []Frame{ping("\x00\xff\xfe\xfd\xfc\xfb\x00\xff")}, time.Second, Pong("\x00\xff\xfe\xfd\xfc\xfb\x00\xff")),
		expectEcho("2.4", "Send ping with binary payload of 125 octets.", pong, "control.ping-125", []Frame{ping(b125)}, time.Second, Pong(b125)),
		expectFail("2.5", "Send ping with binary payload of 126 octets.", "Connection is failed immediately (1002/Protocol Error), since control frames are only allowed to have payload up to and including 125 octets..", "control.ping-126", []Frame{ping(strings.Repeat("\xfe", 126))}, false),
		expectEcho("2.6", "Send ping with binary payload of 125 octets, send in octet-wise chops.", pong, "control.ping-125", []Frame{chop}, 2*time.Second, Pong(b125)),
		unsolicited("2.7", "Send unsolicited pong without payload. Verify nothing is received. Clean close with normal code.", ""),
		unsolicited("2.8", "Send unsolicited pong with payload. Verify nothing is received. Clean close with normal code.", "unsolicited pong payload"),
		expectEcho("2.9", "Send unsolicited pong with payload. Send ping with payload. Verify pong for ping is received.", "Nothing in reply to own Pong, but Pong with payload echo'ed in reply to Ping. Clean close with normal code.", "control.unsolicited-pong",
			[]Frame{frag(core.OpPong, true, "unsolicited pong payload"), ping("ping payload")}, time.Second, Pong("ping payload")),
		expectEcho("2.10", "Send 10 Pings with payload.", "Pongs for our Pings with all the payloads. Note: This is not required by the Spec .. but we check for this behaviour anyway. Clean close with normal code.", "control.ping", f10, 3*time.Second, e10...),
		expectEcho("2.11", "Send 10 Pings with payload. Send out octets in octet-wise chops.", "Pongs for our Pings with all the payloads. Note: This is not required by the Spec .. but we check for this behaviour anyway. Clean close with normal code.", "control.ping", f11, 3*time.Second, e11...),
	}
}

// Section 3: reserved bits. Autobahn's rsv=N puts N in the three RSV bits,
// so rsv=4 is RSV1 and rsv=1 is RSV3, which is how core spells them too.
func reservedCases() []Case {
	hello := "Hello, world!"
	rsv := func(op core.Opcode, bits byte, payload string) Frame {
		return Frame{Op: op, Fin: true, Rsv: bits, Payload: []byte(payload)}
	}
	failNow := "The connection is failed immediately, since RSV must be 0."
	echoThenFail := "Echo for first message is received, but then connection is failed immediately, since RSV must be 0, when no extension defining RSV meaning has been negotiated. The Pong is not received."
	three := func(id, desc string, bits byte, chop int) Case {
		fs := []Frame{Text(hello), rsv(core.OpText, bits, hello), frag(core.OpPing, true, "")}
		if chop > 0 {
			fs = chopped(fs, chop)
		}
		return expectFail(id, desc, echoThenFail, "reserved.rsv1", fs, true, Msg(hello, false))
	}
	return []Case{
		expectFail("3.1", "Send small text message with <b>RSV = 1</b>.", "The connection is failed immediately (1002/protocol error), since RSV must be 0, when no extension defining RSV meaning has been negotiated.", "reserved.rsv3", []Frame{rsv(core.OpText, 1, hello)}, false),
		three("3.2", "Send small text message, then send again with <b>RSV = 2</b>, then send Ping.", 2, 0),
		three("3.3", "Send small text message, then send again with <b>RSV = 3</b>, then send Ping. Octets are sent in frame-wise chops. Octets are sent in octet-wise chops.", 3, 0),
		three("3.4", "Send small text message, then send again with <b>RSV = 4</b>, then send Ping. Octets are sent in octet-wise chops.", 4, 1),
		expectFail("3.5", "Send small binary message with <b>RSV = 5</b>.", failNow, "reserved.rsv1", []Frame{rsv(core.OpBinary, 5, "\x00\xff\xfe\xfd\xfc\xfb\x00\xff")}, false),
		expectFail("3.6", "Send Ping with <b>RSV = 6</b>.", failNow, "reserved.rsv1", []Frame{rsv(core.OpPing, 6, hello)}, false),
		expectFail("3.7", "Send Close with <b>RSV = 7</b>.", failNow, "reserved.rsv1", []Frame{rsv(core.OpClose, 7, "")}, false),
	}
}

// Section 4: reserved opcodes, non-control (3-7) and control (11-15).
func opcodeCases() []Case {
	hello := "Hello, world!"
	var cs []Case
	for i, group := range []struct {
		kind string
		ops  []core.Opcode
	}{{"non-control", []core.Opcode{3, 4, 5, 6, 7}}, {"control", []core.Opcode{11, 12, 13, 14, 15}}} {
		for j, op := range group.ops {
			id := fmt.Sprintf("4.%d.%d", i+1, j+1)
			payload := ""
			with := ""
			if j != 0 && j != 2 {
				payload, with = "reserved opcode payload", " and non-empty payload"
			}
			bad := Frame{Op: op, Fin: true, Payload: []byte(payload)}
			// check has one case per kind of reserved opcode: 0x3 and 0xB.
			checkID := "reserved.opcode-" + strconv.FormatUint(uint64(group.ops[0]), 16)
			if j < 2 {
				cs = append(cs, expectFail(id, fmt.Sprintf("Send frame with reserved %s <b>Opcode = %d</b>%s.", group.kind, op, with),
					"The connection is failed immediately.", checkID, []Frame{bad}, false))
				continue
			}
			cs = append(cs, expectFail(id, fmt.Sprintf("Send small text message, then send frame with reserved %s <b>Opcode = %d</b>%s, then send Ping.", group.kind, op, with),
				"Echo for first message is received, but then connection is failed immediately, since reserved opcode frame is used. A Pong is not received.", checkID,
				[]Frame{Text(hello), bad, frag(core.OpPing, true, "")}, true, Msg(hello, false)))
		}
	}
	return cs
}

// Section 5: fragmentation.
func fragmentCases() []Case {
	two := []Frame{frag(core.OpText, false, "fragment1"), frag(core.OpContinuation, true, "fragment2")}
	withPing := []Frame{frag(core.OpText, false, "fragment1"), frag(core.OpPing, true, "ping payload"), frag(core.OpContinuation, true, "fragment2")}
	loneFin := []Frame{frag(core.OpContinuation, true, "non-continuation payload"), Text("Hello, world!")}
	loneNoFin := []Frame{frag(core.OpContinuation, false, "non-continuation payload"), Text("Hello, world!")}
	joined := Msg("fragment1fragment2", false)
	pinged := []Event{Pong("ping payload"), joined}
	failNow := "The connection is failed immediately, since there is no message to continue."
	repeated := func(first bool) []Frame {
		var fs []Frame
		for range 2 {
			fs = append(fs, frag(core.OpContinuation, first, "fragment1"), frag(core.OpText, false, "fragment2"), frag(core.OpContinuation, true, "fragment3"))
		}
		return fs
	}
	cs := []Case{
		expectFail("5.1", "Send Ping fragmented into 2 fragments.", "Connection is failed immediately, since control message MUST NOT be fragmented.", "control.fragmented-ping",
			[]Frame{frag(core.OpPing, false, "fragment1"), frag(core.OpContinuation, true, "fragment2")}, false),
		expectFail("5.2", "Send Pong fragmented into 2 fragments.", "Connection is failed immediately, since control message MUST NOT be fragmented.", "control.fragmented-ping",
			[]Frame{frag(core.OpPong, false, "fragment1"), frag(core.OpContinuation, true, "fragment2")}, false),
		expectEcho("5.3", "Send text Message fragmented into 2 fragments.", "Message is processed and echo'ed back to us.", "fragments.text", two, time.Second, joined),
		expectEcho("5.4", "Send text Message fragmented into 2 fragments, octets are sent in frame-wise chops.", "Message is processed and echo'ed back to us.", "fragments.text", two, time.Second, joined),
		expectEcho("5.5", "Send text Message fragmented into 2 fragments, octets are sent in octet-wise chops.", "Message is processed and echo'ed back to us.", "fragments.text", chopped(two, 1), time.Second, joined),
		expectEcho("5.6", "Send text Message fragmented into 2 fragments, one ping with payload in-between.", "A pong is received, then the message is echo'ed back to us.", "control.ping-between-fragments", withPing, time.Second, pinged...),
		expectEcho("5.7", "Send text Message fragmented into 2 fragments, one ping with payload in-between. Octets are sent in frame-wise chops.", "A pong is received, then the message is echo'ed back to us.", "control.ping-between-fragments", withPing, time.Second, pinged...),
		expectEcho("5.8", "Send text Message fragmented into 2 fragments, one ping with payload in-between. Octets are sent in octet-wise chops.", "A pong is received, then the message is echo'ed back to us.", "control.ping-between-fragments", chopped(withPing, 1), time.Second, pinged...),
		expectFail("5.9", "Send unfragmented Text Message after Continuation Frame with FIN = true, where there is no fragmented message ongoing.", failNow, "fragments.lone-continuation", loneFin, false),
		expectFail("5.10", "Send unfragmented Text Message after Continuation Frame with FIN = true, where there is no fragmented message ongoing, sent in per-frame chops.", failNow, "fragments.lone-continuation", loneFin, false),
		expectFail("5.11", "Send unfragmented Text Message after Continuation Frame with FIN = true, where there is no fragmented message ongoing, sent in octet-wise chops.", failNow, "fragments.lone-continuation", chopped(loneFin, 1), false),
		expectFail("5.12", "Send unfragmented Text Message after Continuation Frame with FIN = false, where there is no fragmented message ongoing.", failNow, "fragments.lone-continuation", loneNoFin, false),
		expectFail("5.13", "Send unfragmented Text Message after Continuation Frame with FIN = false, where there is no fragmented message ongoing, sent in per-frame chops.", failNow, "fragments.lone-continuation", loneNoFin, false),
		expectFail("5.14", "Send unfragmented Text Message after Continuation Frame with FIN = false, where there is no fragmented message ongoing, sent in octet-wise chops.", failNow, "fragments.lone-continuation", chopped(loneNoFin, 1), false),
		expectFail("5.15", "Send text Message fragmented into 2 fragments, then Continuation Frame with FIN = false where there is nothing to continue, then unfragmented Text Message, all sent in one chop.",
			"The connection is failed immediately, since there is no message to continue.", "fragments.lone-continuation",
			[]Frame{frag(core.OpText, false, "fragment1"), frag(core.OpContinuation, true, "fragment2"), frag(core.OpContinuation, false, "fragment3"), frag(core.OpText, true, "fragment4")}, true, joined),
		expectFail("5.16", "Repeated 2x: Continuation Frame with FIN = false (where there is nothing to continue), then text Message fragment, then Continuation Frame with FIN = true.", failNow, "fragments.lone-continuation", repeated(false), false),
		expectFail("5.17", "Repeated 2x: Continuation Frame with <b>FIN = true</b> (where there is nothing to continue), then text Message fragment, then Continuation Frame with FIN = true.", failNow, "fragments.lone-continuation", repeated(true), false),
		expectFail("5.18", "Send text Message fragmented into 2 fragments, with both frame opcodes set to text, sent in one chop.", "The connection is failed immediately, since all data frames after the initial data frame must have opcode 0.", "fragments.nested",
			[]Frame{frag(core.OpText, false, "fragment1"), frag(core.OpText, true, "fragment2")}, false),
	}
	for i, desc := range []string{"", " Octets are sent in frame-wise chops."} {
		cs = append(cs, Case{ID: "5." + strconv.Itoa(19+i), checkID: "control.ping-between-fragments",
			Description: "A fragmented text message is sent in multiple frames. After sending the first 2 frames of the text message, a Ping is sent. Then we wait 1s, then we send 2 more text fragments, another Ping and then the final text fragment. Everything is legal." + desc,
			Expectation: "The peer immediately answers the first Ping before it has received the last text message fragment. The peer pong's back the Ping's payload exactly, and echo's the payload of the fragmented message back to us.",
			play: func(p *Peer) {
				p.Expect(OK, Pong("pongme 1!"), Pong("pongme 2!"), Msg("fragment1fragment2fragment3fragment4fragment5", false))
				p.ExpectClose(cleanOK)
				p.Send(frag(core.OpText, false, "fragment1"))
				p.Send(frag(core.OpContinuation, false, "fragment2"))
				p.Send(frag(core.OpPing, true, "pongme 1!"))
				p.Wait(time.Second, "")
				p.Send(frag(core.OpContinuation, false, "fragment3"))
				p.Send(frag(core.OpContinuation, false, "fragment4"))
				p.Send(frag(core.OpPing, true, "pongme 2!"))
				p.Send(frag(core.OpContinuation, true, "fragment5"))
				p.CloseAfter(time.Second)
			}})
	}
	return cs
}

// Section 6: UTF-8 handling.
func utf8Cases() []Case {
	valid := func(id, desc, checkID string, frames []Frame, payload string) Case {
		return expectEcho(id, desc, "The message is echo'ed back to us.", checkID, frames, time.Second, Msg(payload, false))
	}
	bytewise := func(s string) []Frame {
		var fs []Frame
		for i := range len(s) {
			op := core.OpContinuation
			if i == 0 {
				op = core.OpText
			}
			fs = append(fs, frag(op, i == len(s)-1, s[i:i+1]))
		}
		return fs
	}
	hello := "Hello-\u00b5@\u00df\u00f6\u00e4\u00fc\u00e0\u00e1-UTF-8!!"
	kosme := "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5"
	bad := kosme + "\xed\xa0\x80" + "edited"
	invalid := func(id, desc string, frames []Frame) Case {
		return Case{ID: id, Description: desc, Expectation: "The connection is failed immediately, since the payload is not valid UTF-8.", checkID: "utf8.invalid", play: func(p *Peer) {
			p.Expect(OK)
			p.ExpectClose(ExpectedClose{Codes: badData, WrongEndpointFatal: true})
			sendAll(frames, time.Second)(p)
		}}
	}
	cs := []Case{
		valid("6.1.1", "Send text message of length 0.", "utf8.valid", []Frame{Text("")}, ""),
		valid("6.1.2", "Send fragmented text message, 3 fragments each of length 0.", "fragments.text",
			[]Frame{frag(core.OpText, false, ""), frag(core.OpContinuation, false, ""), frag(core.OpContinuation, true, "")}, ""),
		valid("6.1.3", "Send fragmented text message, 3 fragments, first and last of length 0, middle non-empty.", "fragments.text",
			[]Frame{frag(core.OpText, false, ""), frag(core.OpContinuation, false, "middle frame payload"), frag(core.OpContinuation, true, "")}, "middle frame payload"),
		valid("6.2.1", "Send a valid UTF-8 text message in one fragment.", "utf8.valid", []Frame{Text(hello)}, hello),
		valid("6.2.2", "Send a valid UTF-8 text message in two fragments, fragmented on UTF-8 code point boundary.", "utf8.split-character",
			[]Frame{frag(core.OpText, false, hello[:14]), frag(core.OpContinuation, true, hello[14:])}, hello),
		valid("6.2.3", "Send a valid UTF-8 text message in fragments of 1 octet, resulting in frames ending on positions which are not code point ends.", "utf8.split-character", bytewise(hello), hello),
		valid("6.2.4", "Send a valid UTF-8 text message in fragments of 1 octet, resulting in frames ending on positions which are not code point ends.", "utf8.split-character", bytewise(kosme), kosme),
		invalid("6.3.1", "Send invalid UTF-8 text message unfragmented.", []Frame{Text(bad)}),
		invalid("6.3.2", "Send invalid UTF-8 text message in fragments of 1 octet.", bytewise(bad)),
	}
	// 6.4: fail fast. The message's bytes arrive in three parts a second
	// apart; the second part makes it invalid, so the peer should fail at
	// once (OK), or at the latest when the message is complete (NON-STRICT).
	for j, asFrames := range []bool{true, false} {
		for i, parts := range [][3]string{
			{kosme, "\xf4\x90\x80\x80", "edited"},
			{kosme + "\xf4", "\x90", "\x80\x80edited"},
		} {
			id := fmt.Sprintf("6.4.%d", 2*j+i+1)
			desc := "Send invalid UTF-8 text message in 3 fragments (frames). First frame payload is valid, then wait, then 2nd frame which contains the payload making the sequence invalid, then wait, then 3rd frame with rest."
			if i == 1 {
				desc = "Same as Case 6.4.1, but in 2nd frame, we send only up to and including the octet making the complete payload invalid."
			}
			if !asFrames {
				desc = fmt.Sprintf("Same as Case 6.4.%d, but we send message not in 3 frames, but in 3 chops of the same message frame.", i+1)
			}
			desc += fmt.Sprintf("<br><br>MESSAGE PARTS:<br>PART1 = %x<br>PART2 = %x<br>PART3 = %x<br>", parts[0], parts[1], parts[2])
			cs = append(cs, Case{ID: id, Description: desc, checkID: "utf8.fail-fast", limit: 8 * time.Second,
				Expectation: "The first frame is accepted, we expect to timeout on the first wait. The 2nd frame should be rejected immediately (fail fast on UTF-8). If we timeout, we expect the connection is failed at least then, since the complete message payload is not valid UTF-8.",
				play:        failFast(parts, asFrames)})
		}
	}
	for gi, g := range utf8Groups() {
		for j, s := range g.seqs {
			id := fmt.Sprintf("6.%d.%d", gi+5, j+1)
			ok := utf8.ValidString(s)
			desc := "Send a text message with payload which is not valid UTF-8 in one fragment."
			if ok {
				desc = "Send a text message with payload which is valid UTF-8 in one fragment."
			}
			desc += fmt.Sprintf("<br><br>Payload: 0x%x", s)
			if ok {
				c := Case{ID: id, Description: desc, Expectation: "The message is echo'ed back to us.", checkID: "utf8.valid", play: func(p *Peer) {
					p.Expect(OK, Msg(s, false))
					p.ExpectClose(cleanOK)
					sendAll([]Frame{Text(s)}, sec(0.5))(p)
				}}
				cs = append(cs, c)
				continue
			}
			cs = append(cs, Case{ID: id, Description: desc, Expectation: "The connection is failed immediately, since the payload is not valid UTF-8.", checkID: "utf8.invalid", play: func(p *Peer) {
				p.Expect(OK)
				p.ExpectClose(ExpectedClose{Codes: badData, WrongEndpointFatal: true})
				sendAll([]Frame{Text(s)}, sec(0.5))(p)
			}})
		}
	}
	return cs
}

func failFast(parts [3]string, asFrames bool) func(p *Peer) {
	return func(p *Peer) {
		p.Expect(OK, Mark("A"))
		p.Expect(NonStrict, Mark("A"), Mark("B"))
		p.ExpectClose(ExpectedClose{Codes: badData, WrongEndpointFatal: true})
		if asFrames {
			p.Send(frag(core.OpText, false, parts[0]))
			if !p.Wait(time.Second, "A") {
				return
			}
			p.Send(frag(core.OpContinuation, false, parts[1]))
			if !p.Wait(time.Second, "B") {
				return
			}
			p.Send(frag(core.OpContinuation, true, parts[2]))
			p.KillAfter(time.Second)
			return
		}
		// One frame whose payload is written in three parts: the header
		// announces the whole length.
		whole := []byte(parts[0] + parts[1] + parts[2])
		wire := p.frame(core.FrameHeader{Fin: true, Opcode: core.OpText}, whole)
		cut1 := len(wire) - len(whole) + len(parts[0])
		cut2 := cut1 + len(parts[1])
		p.conn.Write(wire[:cut1])
		if !p.Wait(time.Second, "A") {
			return
		}
		p.conn.Write(wire[cut1:cut2])
		if !p.Wait(time.Second, "B") {
			return
		}
		p.conn.Write(wire[cut2:])
		p.KillAfter(time.Second)
	}
}

type utf8Group struct {
	title string
	seqs  []string
}

// utf8Groups are the sequences of Markus Kuhn's UTF-8 decoder stress test
// (https://www.cl.cam.ac.uk/~mgk25/ucs/examples/UTF-8-test.txt) in the
// groups and order Autobahn numbers as 6.5 to 6.23. Whether each is valid
// is decided by Go's own UTF-8 validator, which follows RFC 3629.
func utf8Groups() []utf8Group {
	kosme := "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5"
	var prefixes []string
	for i := 1; i <= len(kosme); i++ {
		prefixes = append(prefixes, kosme[:i])
	}
	cont := []string{"\x80", "\xbf", "\x80\xbf", "\x80\xbf\x80", "\x80\xbf\x80\xbf", "\x80\xbf\x80\xbf\x80", "\x80\xbf\x80\xbf\x80\xbf"}
	var all bytes.Buffer
	for b := 0x80; b < 0xbf; b++ {
		all.WriteByte(byte(b))
	}
	cont = append(cont, all.String())
	var lonely []string
	for _, r := range [][2]int{{0xc0, 0xdf}, {0xe0, 0xef}, {0xf0, 0xf7}, {0xf8, 0xfb}, {0xfc, 0xfd}} {
		var s bytes.Buffer
		for b := r[0]; b < r[1]; b++ {
			s.WriteByte(byte(b))
			s.WriteByte(' ')
		}
		lonely = append(lonely, s.String())
	}
	missing := []string{"\xc0", "\xe0\x80", "\xf0\x80\x80", "\xf8\x80\x80\x80", "\xfc\x80\x80\x80\x80",
		"\xdf", "\xef\xbf", "\xf7\xbf\xbf", "\xfb\xbf\xbf\xbf", "\xfd\xbf\xbf\xbf\xbf"}
	nonchars := []string{"\xef\xbf\xbe", "\xef\xbf\xbf"}
	for _, z1 := range []byte{0xf0, 0xf1, 0xf2, 0xf3, 0xf4} {
		for _, z2 := range []byte{0x8f, 0x9f, 0xaf, 0xbf} {
			if z1 == 0xf4 && z2 != 0x8f {
				continue // above U+10FFFF
			}
			for _, z3 := range []byte{0xbe, 0xbf} {
				if z1 == 0xf0 && z2 == 0x8f {
					continue // overlong
				}
				nonchars = append(nonchars, string([]byte{z1, z2, 0xbf, z3}))
			}
		}
	}
	return []utf8Group{
		{"Some valid UTF-8 sequences", []string{"hello\x24world", "hello\xc2\xa2world", "hello\xe2\x82\xacworld", "hello\xf0\xa4\xad\xa2world", kosme}},
		{"All prefixes of a valid UTF-8 string that contains multi-byte code points", prefixes},
		{"First possible sequence of a certain length", []string{"\x00", "\xc2\x80", "\xe0\xa0\x80", "\xf0\x90\x80\x80"}},
		{"First possible sequence length 5/6 (invalid codepoints)", []string{"\xf8\x88\x80\x80\x80", "\xfc\x84\x80\x80\x80\x80"}},
		{"Last possible sequence of a certain length", []string{"\x7f", "\xdf\xbf", "\xef\xbf\xbf", "\xf4\x8f\xbf\xbf"}},
		{"Last possible sequence length 4/5/6 (invalid codepoints)", []string{"\xf7\xbf\xbf\xbf", "\xfb\xbf\xbf\xbf\xbf", "\xfd\xbf\xbf\xbf\xbf\xbf"}},
		{"Other boundary conditions", []string{"\xed\x9f\xbf", "\xee\x80\x80", "\xef\xbf\xbd", "\xf4\x8f\xbf\xbf", "\xf4\x90\x80\x80"}},
		{"Unexpected continuation bytes", cont},
		{"Lonely start characters", lonely},
		{"Sequences with last continuation byte missing", missing},
		{"Concatenation of incomplete sequences", []string{strings.Join(missing, "")}},
		{"Impossible bytes", []string{"\xfe", "\xff", "\xfe\xfe\xff\xff"}},
		{"Examples of an overlong ASCII character", []string{"\xc0\xaf", "\xe0\x80\xaf", "\xf0\x80\x80\xaf", "\xf8\x80\x80\x80\xaf", "\xfc\x80\x80\x80\x80\xaf"}},
		{"Maximum overlong sequences", []string{"\xc1\xbf", "\xe0\x9f\xbf", "\xf0\x8f\xbf\xbf", "\xf8\x87\xbf\xbf\xbf", "\xfc\x83\xbf\xbf\xbf\xbf"}},
		{"Overlong representation of the NUL character", []string{"\xc0\x80", "\xe0\x80\x80", "\xf0\x80\x80\x80", "\xf8\x80\x80\x80\x80", "\xfc\x80\x80\x80\x80\x80"}},
		{"Single UTF-16 surrogates", []string{"\xed\xa0\x80", "\xed\xad\xbf", "\xed\xae\x80", "\xed\xaf\xbf", "\xed\xb0\x80", "\xed\xbe\x80", "\xed\xbf\xbf"}},
		{"Paired UTF-16 surrogates", []string{"\xed\xa0\x80\xed\xb0\x80", "\xed\xa0\x80\xed\xbf\xbf", "\xed\xad\xbf\xed\xb0\x80", "\xed\xad\xbf\xed\xbf\xbf",
			"\xed\xae\x80\xed\xb0\x80", "\xed\xae\x80\xed\xbf\xbf", "\xed\xaf\xbf\xed\xb0\x80", "\xed\xaf\xbf\xed\xbf\xbf"}},
		{"Non-character code points (valid UTF-8)", nonchars},
		{"Unicode specials (i.e. replacement char)", []string{"\xef\xbf\xb9", "\xef\xbf\xba", "\xef\xbf\xbb", "\xef\xbf\xbc", "\xef\xbf\xbd", "\xef\xbf\xbe", "\xef\xbf\xbf"}},
	}
}

// Section 7: the closing handshake.
func closeCases() []Case {
	code := func(c core.StatusCode) *core.StatusCode { return &c }
	closing := func(id, desc, exp, checkID string, want ExpectedClose, play func(p *Peer)) Case {
		return Case{ID: id, Description: desc, Expectation: exp, checkID: checkID, wrongCodeFatal: true, play: func(p *Peer) {
			p.suppressClose = true
			p.Expect(OK)
			p.ExpectClose(want)
			play(p)
			p.KillAfter(time.Second)
		}}
	}
	closeNormal := func(p *Peer) { p.SendClose(core.StatusNormalClosure) }
	protoOrDrop := ExpectedClose{ClosedByMe: true, Codes: protoErr}
	cs := []Case{
		{ID: "7.1.1", Description: "Send a message followed by a close frame", Expectation: "Echoed message followed by clean close with normal code.", checkID: "close.normal", play: func(p *Peer) {
			p.Expect(OK, Msg("Hello World!", false))
			p.ExpectClose(cleanOK)
			p.Send(Text("Hello World!"))
			p.SendClose(core.StatusNormalClosure)
			p.KillAfter(time.Second)
		}},
		closing("7.1.2", "Send two close frames", "Clean close with normal code. Second close frame ignored.", "close.normal", cleanOK, func(p *Peer) {
			closeNormal(p)
			p.Send(Frame{Op: core.OpClose, Fin: true, Payload: core.AppendClosePayload(nil, core.StatusNormalClosure, "")})
		}),
		closing("7.1.3", "Send a ping after close message", "Clean close with normal code, no pong.", "close.normal", cleanOK, func(p *Peer) {
			closeNormal(p)
			p.Send(frag(core.OpPing, true, ""))
		}),
		closing("7.1.4", "Send text message after sending a close frame", "Clean close with normal code. Text message ignored.", "close.normal", cleanOK, func(p *Peer) {
			closeNormal(p)
			p.Send(Text("Hello World!"))
		}),
		closing("7.1.5", "Send message fragment1 followed by close then fragment", "Clean close with normal code.", "close.normal", cleanOK, func(p *Peer) {
			p.Send(frag(core.OpText, false, "fragment1"))
			closeNormal(p)
			p.Send(frag(core.OpContinuation, true, "fragment2"))
		}),
		{ID: "7.1.6", Description: "Send 256K message followed by close then a ping", checkID: "close.normal", informational: true,
			Expectation: "Case outcome depends on implementation defined close behavior. Message and close frame are sent back to back. If the close frame is processed before the text message write is complete (as can happen in asynchronous processing models) the close frame is processed first and the text message may not be received or may only be partially received.",
			play: func(p *Peer) {
				p.suppressClose = true
				p.Expect(OK, Msg("Hello World!", false))
				p.Expect(NonStrict)
				p.ExpectClose(cleanOK)
				p.Send(Frame{Op: core.OpText, Fin: true, Payload: []byte("BAsd7&jh23"), Len: 256 << 10})
				p.Send(Text("Hello World!"))
				p.SendClose(core.StatusNormalClosure)
				p.Send(frag(core.OpPing, true, ""))
				p.KillAfter(time.Second)
			}},
		closing("7.3.1", "Send a close frame with payload length 0 (no close code, no close reason)", "Clean close with normal code.", "close.empty", cleanOK, func(p *Peer) {
			p.SendCloseFrame(nil, nil)
		}),
		closing("7.3.2", "Send a close frame with payload length 1", "Clean close with protocol error or drop TCP.", "close.invalid-code", protoOrDrop, func(p *Peer) {
			p.SendCloseFrame(nil, []byte("a"))
		}),
		closing("7.3.3", "Send a close frame with payload length 2 (regular close with a code)", "Clean close with normal code.", "close.normal", cleanOK, closeNormal),
		closing("7.3.4", "Send a close frame with close code and close reason", "Clean close with normal code.", "close.normal", cleanOK, func(p *Peer) {
			p.SendCloseFrame(code(core.StatusNormalClosure), []byte("Hello World!"))
		}),
		closing("7.3.5", "Send a close frame with close code and close reason of maximum length (123)", "Clean close with normal code.", "close.normal", cleanOK, func(p *Peer) {
			p.SendCloseFrame(code(core.StatusNormalClosure), bytes.Repeat([]byte("*"), 123))
		}),
		closing("7.3.6", "Send a close frame with close code and close reason which is too long (124) - total frame payload 126 octets", "Clean close with protocol error code or dropped TCP connection.", "control.ping-126", protoOrDrop, func(p *Peer) {
			p.SendCloseFrame(code(core.StatusNormalClosure), bytes.Repeat([]byte("*"), 124))
		}),
		closing("7.5.1", "Send a close frame with invalid UTF8 payload", "Clean close with protocol error or invalid utf8 code or dropped TCP.", "close.invalid-code",
			ExpectedClose{ClosedByMe: true, Codes: []core.StatusCode{core.StatusProtocolError, core.StatusInvalidPayload}}, func(p *Peer) {
				p.SendCloseFrame(code(core.StatusNormalClosure), []byte("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80\x65\x64\x69\x74\x65\x64"))
			}),
	}
	for i, c := range []core.StatusCode{1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999} {
		cs = append(cs, closing(fmt.Sprintf("7.7.%d", i+1), fmt.Sprintf("Send close with valid close code %d", c), "Clean close with normal or echoed code", "close.normal",
			ExpectedClose{ClosedByMe: true, Codes: []core.StatusCode{core.StatusNormalClosure, c}, RequireClean: true}, func(p *Peer) { p.SendClose(c) }))
	}
	for i, c := range []core.StatusCode{0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999} {
		cs = append(cs, closing(fmt.Sprintf("7.9.%d", i+1), fmt.Sprintf("Send close with invalid close code %d", c), "Clean close with protocol error code or drop TCP", "close.invalid-code",
			protoOrDrop, func(p *Peer) { p.SendClose(c) }))
	}
	for i, c := range []core.StatusCode{5000, 65535} {
		cs = append(cs, Case{ID: fmt.Sprintf("7.13.%d", i+1), Description: fmt.Sprintf("Send close with close code %d", c), Expectation: "Actual events are undefined by the spec.",
			checkID: "close.invalid-code", informational: true, infoResult: "Actual events are undefined by the spec.", play: func(p *Peer) {
				p.suppressClose = true
				p.Expect(OK)
				p.ExpectClose(ExpectedClose{ClosedByMe: true, Codes: []core.StatusCode{core.StatusNormalClosure, c, core.StatusProtocolError}})
				p.SendClose(c)
				p.KillAfter(time.Second)
			}})
	}
	return cs
}

func sizeName(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.Itoa(n>>20) + "M"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.Itoa(n>>10) + "k"
	}
	return strconv.Itoa(n)
}

func sizeExpr(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d * 2**20 (%s)", n>>20, sizeName(n))
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d * 2**10 (%s)", n>>10, sizeName(n))
	}
	return strconv.Itoa(n)
}

// Section 9: limits and performance, timed. Each case waits for the echo
// up to its own time limit, as in Autobahn.
func performanceCases() []Case {
	var cs []Case
	kinds := []struct {
		name    string
		op      core.Opcode
		payload string
	}{{"text", core.OpText, "BAsd7&jh23"}, {"binary", core.OpBinary, "\x00\xfe\x23\xfa\xf0"}}
	big := func(id, desc string, op core.Opcode, n int, wait time.Duration, frames func() []Frame) Case {
		kind := "text"
		if op == core.OpBinary {
			kind = "binary"
		}
		return Case{ID: id, Description: desc, Expectation: fmt.Sprintf("Receive echo'ed %s message (with payload as sent).", kind),
			ReportTime: true, checkID: "large.1MiB", limit: wait + 5*time.Second,
			play: func(p *Peer) {
				p.ExpectClose(cleanOK)
				p.customBehavior = Failed
				p.customResult = fmt.Sprintf("Did not receive message within %d seconds.", int(wait.Seconds()))
				p.onMessage = func(p *Peer, e Event) {
					switch {
					case e.Binary != (op == core.OpBinary):
						p.customResult = fmt.Sprintf("Expected %s message with payload, but got the other kind.", kind)
					case len(e.Payload) != n:
						p.customResult = fmt.Sprintf("Expected %s message with payload of length %d, but got %d.", kind, n, len(e.Payload))
					default:
						p.customBehavior = OK
						p.customResult = fmt.Sprintf("Received %s message of length %d.", kind, len(e.Payload))
					}
					p.SendClose(core.StatusNormalClosure)
				}
				for _, f := range frames() {
					p.Send(f)
				}
				p.CloseAfter(wait)
			}}
	}
	for i, k := range kinds {
		for j, s := range []struct {
			n    int
			wait int
		}{{64 << 10, 10}, {256 << 10, 10}, {1 << 20, 20}, {4 << 20, 60}, {8 << 20, 100}, {16 << 20, 200}} {
			cs = append(cs, big(fmt.Sprintf("9.%d.%d", i+1, j+1), fmt.Sprintf("Send %s message message with payload of length %s.", k.name, sizeExpr(s.n)), k.op, s.n, time.Duration(s.wait)*time.Second,
				func() []Frame { return []Frame{{Op: k.op, Fin: true, Payload: []byte(k.payload), Len: s.n}} }))
		}
	}
	for i, k := range kinds {
		for j, fragSize := range []int{64, 256, 1 << 10, 4 << 10, 16 << 10, 64 << 10, 256 << 10, 1 << 20, 4 << 20} {
			n := 4 << 20
			cs = append(cs, big(fmt.Sprintf("9.%d.%d", i+3, j+1), fmt.Sprintf("Send fragmented %s message message with message payload of length %s. Sent out in fragments of %s.", k.name, sizeExpr(n), sizeName(fragSize)), k.op, n, 100*time.Second,
				func() []Frame {
					return fragments(k.op, bytes.Repeat([]byte(k.payload), n/len(k.payload)+1)[:n], fragSize)
				}))
		}
	}
	for i, k := range kinds {
		for j, chop := range []int{64, 128, 256, 512, 1024, 2048} {
			n := 1 << 20
			cs = append(cs, big(fmt.Sprintf("9.%d.%d", i+5, j+1), fmt.Sprintf("Send %s message message with payload of length %s. Sent out data in chops of %d octets.", k.name, sizeExpr(n), chop), k.op, n, 100*time.Second,
				func() []Frame { return []Frame{{Op: k.op, Fin: true, Payload: []byte(k.payload), Len: n, Chop: chop}} }))
		}
	}
	for i, k := range kinds {
		for j, n := range []int{0, 16, 64, 256, 1024, 4096} {
			cs = append(cs, Case{ID: fmt.Sprintf("9.%d.%d", i+7, j+1), ReportTime: true, checkID: "frame." + k.name + "-125", limit: 65 * time.Second,
				Description: fmt.Sprintf("Send 1000 %s messages of payload size %d to measure implementation/network RTT (round trip time) / latency.", k.name, n),
				Expectation: fmt.Sprintf("Receive echo'ed %s messages (with payload as sent). Timeout case after 60 secs.", k.name),
				play:        roundTrips(k.op, bytes.Repeat([]byte{'*'}, n), 1000, 60*time.Second)})
		}
	}
	return cs
}

func fragments(op core.Opcode, payload []byte, size int) []Frame {
	var fs []Frame
	for off := 0; off < len(payload) || off == 0; off += size {
		end := min(off+size, len(payload))
		f := Frame{Op: core.OpContinuation, Fin: end == len(payload), Payload: payload[off:end]}
		if off == 0 {
			f.Op = op
		}
		fs = append(fs, f)
		if end == len(payload) {
			break
		}
	}
	return fs
}

func roundTrips(op core.Opcode, payload []byte, count int, wait time.Duration) func(p *Peer) {
	return func(p *Peer) {
		p.ExpectClose(cleanOK)
		p.customBehavior = Failed
		p.customResult = fmt.Sprintf("Case did not finish within %d seconds.", int(wait.Seconds()))
		sent := 0
		sendOne := func() {
			p.Send(Frame{Op: op, Fin: true, Payload: payload})
			sent++
		}
		p.onMessage = func(p *Peer, e Event) {
			if e.Binary != (op == core.OpBinary) || !bytes.Equal(e.Payload, payload) {
				p.customResult = "Echo'ed message differs from the message sent."
				p.SendClose(core.StatusNormalClosure)
				return
			}
			if sent < count {
				sendOne()
				return
			}
			p.customBehavior = OK
			p.customResult = "Ok, received all echo'ed messages in time."
			p.SendClose(core.StatusNormalClosure)
		}
		p.CloseAfter(wait)
		sendOne()
	}
}

// Section 10: a message fragmented by the sender into 1300-byte frames.
func autoFragmentCases() []Case {
	payload := strings.Repeat("*", 65536)
	return []Case{expectEcho("10.1.1", "Send text message with payload of length 65536 auto-fragmented with <b>autoFragmentSize = 1300</b>.",
		"Receive echo'ed text message (with payload as sent and transmitted frame counts as expected). Clean close with normal code.", "fragments.text",
		fragments(core.OpText, []byte(payload), 1300), 10*time.Second, Msg(payload, false))}
}

// Select returns the cases whose id matches one of the patterns in include
// (all when include is empty) and none in exclude. A pattern is a case id
// with * wildcards as in Autobahn's configuration, e.g. "1.*" or "6.4.1".
func Select(all []Case, include, exclude []string) ([]Case, error) {
	for _, pat := range append(append([]string{}, include...), exclude...) {
		if _, err := path.Match(pat, "1.1.1"); err != nil {
			return nil, fmt.Errorf("bad case pattern %q: %v", pat, err)
		}
	}
	match := func(pats []string, id string) bool {
		for _, pat := range pats {
			// Ids have no '/', so path.Match's * spans dots: "1.*"
			// matches 1.1.1 as in Autobahn.
			if ok, _ := path.Match(pat, id); ok {
				return true
			}
		}
		return false
	}
	var out []Case
	for _, c := range all {
		if (len(include) == 0 || match(include, c.ID)) && !match(exclude, c.ID) {
			out = append(out, c)
		}
	}
	return out, nil
}
