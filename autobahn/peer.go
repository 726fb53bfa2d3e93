//go:build !js

package autobahn

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"wsplay/core"
)

// Autobahn's timeouts, which its cases rely on: the time a peer has to
// answer our close frame, and the time a server has to close the TCP
// connection after the closing handshake.
const (
	closeHandshakeTimeout = time.Second
	serverDropTimeout     = time.Second
)

// Event is one thing the peer under test sent that a case expects or not:
// a message, a ping, a pong, or a "timeout" marker a case records when a
// wait ended with the connection still open.
type Event struct {
	Kind    string // "message", "ping", "pong" or "timeout"
	Payload []byte
	Binary  bool
}

// Msg is the event of a message with payload p, binary or text.
func Msg(p string, binary bool) Event {
	return Event{Kind: "message", Payload: []byte(p), Binary: binary}
}

// Pong is the event of a pong with payload p.
func Pong(p string) Event { return Event{Kind: "pong", Payload: []byte(p)} }

// Mark is the event a case records when a wait named name ends and the
// connection is still open.
func Mark(name string) Event { return Event{Kind: "timeout", Payload: []byte(name)} }

func (e Event) equal(o Event) bool {
	return e.Kind == o.Kind && e.Binary == o.Binary && bytes.Equal(e.Payload, o.Payload)
}

// ExpectedClose is how a case expects the connection to end.
type ExpectedClose struct {
	// ClosedByMe: the closing handshake is started by the suite (true) or
	// by the peer under test (false), e.g. when it must fail the
	// connection.
	ClosedByMe bool
	// Codes are the close codes the peer may send; none is accepted too.
	Codes []core.StatusCode
	// RequireClean: the closing handshake must be completed, not the TCP
	// connection dropped.
	RequireClean bool
	// WrongEndpointFatal makes the case FAILED when the wrong endpoint
	// closed: for UTF-8, it means the peer did not see the bad payload.
	WrongEndpointFatal bool
}

type expectation struct {
	behavior string
	events   []Event
}

// Frame is a frame to send, as the case wants it on the wire: any opcode,
// RSV bits and FIN, so that cases can break the rules.
type Frame struct {
	Op      core.Opcode
	Fin     bool
	Rsv     byte // RSV1..RSV3 as the bits 4, 2, 1, as in Autobahn's rsv=
	Payload []byte
	Len     int // when > len(Payload), Payload is repeated up to Len bytes
	Chop    int // when > 0, the frame's bytes are written Chop bytes at a time
}

type state int

const (
	stateOpen state = iota
	stateClosing
	stateClosed
)

type inbound struct {
	op      core.Opcode
	payload []byte
	err     error
}

// Peer plays one case on one connection. Its methods are what case scripts
// call; they run on the goroutine that calls Play, and incoming frames are
// handled between the script's steps and during its waits, as in
// Autobahn's event loop.
type Peer struct {
	role  core.Role // our role: core.Client masks its frames
	conn  net.Conn
	br    io.Reader
	in    chan inbound
	done  chan struct{}
	ctx   context.Context
	limit atomic.Int64 // read by readLoop, set by Send

	expected      []expectation
	expectedClose ExpectedClose
	suppressClose bool
	received      []Event
	onMessage     func(p *Peer, e Event)
	onPong        func(p *Peer, e Event)

	// set by custom hooks (performance cases) instead of the comparison
	customBehavior string
	customResult   string

	st                 state
	handshakeDone      bool
	closedByMe         bool
	droppedByMe        bool
	failedByMe         bool
	wasClean           bool
	serverDropTimedOut bool
	closeTimedOut      bool
	notClean           string
	remoteCode         *int
	remoteReason       string
	localCode          *int
	closeBody          []byte              // the payload of the close frame we started with
	broke              *core.ProtocolError // a rule the peer under test broke
	brokeWhat          string

	killAt, closeAt, closeHSAt, dropAt, hardAt time.Time

	txFrames, rxFrames int
	txBytes, rxBytes   int64

	// deflate is the permessage-deflate agreement of the opening
	// handshake, nil when there is none (sections 12 and 13).
	deflate *peerDeflate
}

func newPeer(ctx context.Context, role core.Role, conn net.Conn, br io.Reader, hard time.Time, dp *core.DeflateParams) *Peer {
	p := &Peer{role: role, conn: conn, br: br, ctx: ctx, in: make(chan inbound, 64), done: make(chan struct{}), hardAt: hard}
	if dp != nil {
		p.deflate = newPeerDeflate(role, *dp)
	}
	p.limit.Store(1 << 20)
	conn.SetWriteDeadline(hard)
	go p.readLoop()
	return p
}

// Expect adds an acceptable sequence of events with the behavior it earns.
func (p *Peer) Expect(behavior string, events ...Event) {
	p.expected = append(p.expected, expectation{behavior, events})
}

// ExpectClose sets how the connection should end.
func (p *Peer) ExpectClose(c ExpectedClose) { p.expectedClose = c }

// Send writes f now, whatever the state of the connection (a case may send
// after a close frame on purpose).
func (p *Peer) Send(f Frame) {
	if p.st == stateClosed {
		return
	}
	payload := f.Payload
	if f.Len > len(payload) && len(payload) > 0 {
		payload = bytes.Repeat(payload, f.Len/len(payload)+1)[:f.Len]
	}
	// An echo is at most what was sent: incoming messages are bounded by
	// twice all we sent plus 1 MiB, so a peer cannot make us buffer
	// without end.
	p.limit.Store(2*(p.txBytes+int64(len(payload))) + 1<<20)
	wire := p.frame(core.FrameHeader{Fin: f.Fin, Rsv: f.Rsv, Opcode: f.Op}, payload)
	p.txFrames++
	p.txBytes += int64(len(wire))
	if f.Chop <= 0 {
		p.conn.Write(wire) // an error shows as the read side ending
		return
	}
	for len(wire) > 0 {
		n := min(f.Chop, len(wire))
		if _, err := p.conn.Write(wire[:n]); err != nil {
			return
		}
		wire = wire[n:]
	}
}

// frame encodes a frame of ours with h's FIN, RSV and opcode around
// payload: masked with a fresh random key when we are the client (§5.3),
// never when we are the server. payload is not changed.
func (p *Peer) frame(h core.FrameHeader, payload []byte) []byte {
	h.Length = uint64(len(payload))
	if p.role == core.Client {
		h.Masked = true
		rand.Read(h.Key[:])
	}
	return core.AppendFrame(make([]byte, 0, h.Size()+len(payload)), h, payload)
}

// SendMessage sends a message of op with payload, compressed when the
// handshake agreed on permessage-deflate (RSV1 on its first frame), cut
// into frames of at most frag bytes of wire payload when frag > 0, as
// Autobahn's autoFragmentSize does.
func (p *Peer) SendMessage(op core.Opcode, payload []byte, frag int) {
	var rsv byte
	if p.deflate != nil {
		payload = p.deflate.compress(payload)
		rsv = rsvCompressed
	}
	fs := []Frame{{Op: op, Fin: true, Payload: payload}}
	if frag > 0 {
		fs = fragments(op, payload, frag)
	}
	fs[0].Rsv = rsv
	for _, f := range fs {
		p.Send(f)
	}
}

// Text is a frame of one whole text message.
func Text(s string) Frame { return Frame{Op: core.OpText, Fin: true, Payload: []byte(s)} }

// Binary is a frame of one whole binary message.
func Binary(b []byte) Frame { return Frame{Op: core.OpBinary, Fin: true, Payload: b} }

// SendClose starts the closing handshake with code, when the connection is
// open (Autobahn's sendClose).
func (p *Peer) SendClose(code core.StatusCode) {
	p.SendCloseFrame(&code, nil)
}

// SendCloseFrame sends a close frame with an optional code and a reason of
// any bytes, when the connection is open, and starts waiting for the
// answer. The payload may break the rules on purpose (a 1-byte body, a
// reason that is not UTF-8).
func (p *Peer) SendCloseFrame(code *core.StatusCode, reason []byte) {
	if p.st != stateOpen {
		return
	}
	var body []byte
	if code != nil {
		body = append(body, byte(*code>>8), byte(*code))
		c := int(*code)
		p.localCode = &c
	}
	body = append(body, reason...)
	if len(body) > 0 {
		p.closeBody = body
	}
	p.closedByMe = true
	p.st = stateClosing
	p.closeHSAt = time.Now().Add(closeHandshakeTimeout)
	p.Send(Frame{Op: core.OpClose, Fin: true, Payload: body})
}

// KillAfter drops the TCP connection after d unless it ended before.
func (p *Peer) KillAfter(d time.Duration) { p.killAt = time.Now().Add(d) }

// CloseAfter starts the closing handshake after d unless it ended before.
func (p *Peer) CloseAfter(d time.Duration) { p.closeAt = time.Now().Add(d) }

// Wait handles what arrives for d. It reports whether the connection is
// still open afterwards; if so it records Mark(name), like Autobahn's
// continueLater with a marker.
func (p *Peer) Wait(d time.Duration, name string) bool {
	p.serve(time.Now().Add(d))
	if p.st != stateOpen {
		return false
	}
	if name != "" {
		p.received = append(p.received, Mark(name))
	}
	return true
}

// Open reports whether the connection is open (no close frame sent or
// received).
func (p *Peer) Open() bool { return p.st == stateOpen }

func (p *Peer) readLoop() {
	defer close(p.in)
	var rsv byte
	if p.deflate != nil {
		rsv = rsvCompressed
	}
	fr := core.NewFrameReader(p.br, p.role, rsv)
	var msg []byte
	var msgOp core.Opcode
	var compressed bool
	send := func(ev inbound) bool {
		select {
		case p.in <- ev:
			return true
		case <-p.done:
			return false
		}
	}
	for {
		h, err := fr.NextFrame()
		if err != nil {
			send(inbound{err: err})
			return
		}
		p.rxFrames++
		if h.Rsv&rsvCompressed != 0 && (h.Opcode.IsControl() || h.Opcode == core.OpContinuation) {
			send(inbound{err: &core.ProtocolError{Code: core.StatusProtocolError, Rules: []core.Rule{core.RuleCompressedBit}}})
			return
		}
		if int64(len(msg))+int64(h.Length) > p.limit.Load() {
			send(inbound{err: &core.ProtocolError{Code: core.StatusMessageTooBig, Rules: []core.Rule{core.RuleMessageTooBig}}})
			return
		}
		buf := make([]byte, h.Length)
		if _, err := io.ReadFull(fr, buf); err != nil {
			send(inbound{err: err})
			return
		}
		p.rxBytes += int64(h.Length)
		if h.Opcode.IsControl() {
			if !send(inbound{op: h.Opcode, payload: buf}) {
				return
			}
			continue
		}
		if h.Opcode != core.OpContinuation {
			msgOp, msg, compressed = h.Opcode, nil, h.Rsv&rsvCompressed != 0
		}
		msg = append(msg, buf...)
		if h.Fin && compressed {
			if msg, err = p.deflate.inflate(msg, p.limit.Load()); err != nil {
				send(inbound{err: err})
				return
			}
		}
		if h.Fin {
			if !send(inbound{op: msgOp, payload: msg}) {
				return
			}
			msg = nil
		}
	}
}

// serve handles incoming frames and timers until `until` or until the
// connection is closed.
func (p *Peer) serve(until time.Time) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for p.st != stateClosed {
		now := time.Now()
		p.fireTimers(now)
		if p.st == stateClosed || !now.Before(until) {
			return
		}
		next := until
		for _, t := range []time.Time{p.killAt, p.closeAt, p.closeHSAt, p.dropAt, p.hardAt} {
			if !t.IsZero() && t.Before(next) {
				next = t
			}
		}
		timer.Reset(time.Until(next))
		select {
		case ev, ok := <-p.in:
			if !ok {
				p.lost()
				return
			}
			p.handle(ev)
		case <-timer.C:
		case <-p.ctx.Done():
			p.notClean = "the run was interrupted"
			p.drop()
		}
	}
}

func (p *Peer) fireTimers(now time.Time) {
	due := func(t *time.Time) bool {
		if !t.IsZero() && !now.Before(*t) {
			*t = time.Time{}
			return true
		}
		return false
	}
	if due(&p.hardAt) {
		p.notClean = "the case's time limit passed"
		p.drop()
		return
	}
	if due(&p.closeHSAt) && p.st == stateClosing && !p.handshakeDone {
		p.closeTimedOut = true
		p.notClean = "no close frame came back within " + closeHandshakeTimeout.String() + " of ours"
		p.drop()
		return
	}
	if due(&p.dropAt) && p.st != stateClosed {
		p.serverDropTimedOut = true
		p.drop()
		return
	}
	if due(&p.killAt) && p.st != stateClosed {
		if p.notClean == "" && !p.handshakeDone {
			p.notClean = "the case dropped the connection when its time was up"
		}
		p.drop()
		return
	}
	if due(&p.closeAt) {
		p.SendClose(core.StatusNormalClosure)
	}
}

func (p *Peer) drop() {
	if p.st == stateClosed {
		return
	}
	p.droppedByMe = true
	p.st = stateClosed
	p.conn.Close()
}

func (p *Peer) lost() {
	if p.st == stateClosed {
		return
	}
	if !p.handshakeDone && p.notClean == "" {
		p.notClean = "the peer dropped the TCP connection without a closing handshake"
	}
	p.st = stateClosed
	p.conn.Close()
}

// fail fails the connection because the peer broke a rule: a close frame
// with the code that says why (Autobahn's failConnection).
func (p *Peer) fail(pe *core.ProtocolError, what string) {
	if p.broke == nil {
		p.broke, p.brokeWhat = pe, what
	}
	if p.st != stateOpen {
		p.drop()
		return
	}
	p.failedByMe = true
	code := pe.Code
	p.SendCloseFrame(&code, nil)
}

func (p *Peer) handle(ev inbound) {
	if ev.err != nil {
		var pe *core.ProtocolError
		if errors.As(ev.err, &pe) {
			p.fail(pe, "sent a frame that breaks a rule: "+pe.Error())
			return
		}
		p.lost()
		return
	}
	switch ev.op {
	case core.OpText, core.OpBinary:
		if p.closeBody != nil && bytes.Equal(ev.payload, p.closeBody) {
			// The classic mistake: the close frame read as data and
			// echoed as a message.
			cc, _ := explainer("close.normal")
			p.fail(&core.ProtocolError{Code: core.StatusProtocolError, Rules: []core.Rule{cc.Rule}},
				"answered our close frame with a data message carrying the close frame's payload: it echoed the close frame as data")
			return
		}
		if ev.op == core.OpText && !utf8.Valid(ev.payload) {
			p.fail(&core.ProtocolError{Code: core.StatusInvalidPayload, Rules: []core.Rule{core.RuleInvalidUTF8}}, "sent a text message that is not valid UTF-8")
			return
		}
		e := Event{Kind: "message", Payload: ev.payload, Binary: ev.op == core.OpBinary}
		if p.onMessage != nil {
			p.onMessage(p, e)
			return
		}
		p.received = append(p.received, e)
		p.finishWhenDone()
	case core.OpPing:
		p.received = append(p.received, Event{Kind: "ping", Payload: ev.payload})
		if p.st == stateOpen {
			p.Send(Frame{Op: core.OpPong, Fin: true, Payload: ev.payload})
		}
		p.finishWhenDone()
	case core.OpPong:
		e := Event{Kind: "pong", Payload: ev.payload}
		if p.onPong != nil {
			p.onPong(p, e)
			return
		}
		p.received = append(p.received, e)
		p.finishWhenDone()
	case core.OpClose:
		p.closeReceived(ev.payload)
	}
}

func (p *Peer) closeReceived(body []byte) {
	code, reason, err := core.ParseClosePayload(body)
	if err != nil {
		var pe *core.ProtocolError
		if errors.As(err, &pe) {
			p.fail(pe, "sent a close frame that breaks a rule: "+pe.Error())
		} else {
			p.lost()
		}
		return
	}
	if code != core.StatusNoStatusReceived {
		c := int(code)
		p.remoteCode, p.remoteReason = &c, reason
	}
	if p.handshakeDone {
		return
	}
	p.wasClean = true
	p.handshakeDone = true
	if p.st == stateOpen {
		// The peer starts the closing handshake: answer with its code.
		p.st = stateClosing
		var reply []byte
		if code != core.StatusNoStatusReceived {
			reply = core.AppendClosePayload(nil, code, "")
			c := int(code)
			p.localCode = &c
		}
		p.Send(Frame{Op: core.OpClose, Fin: true, Payload: reply})
	}
	if p.role == core.Server {
		// A server closes the TCP connection first (§7.1.1).
		p.drop()
		return
	}
	p.dropAt = time.Now().Add(serverDropTimeout)
}

// finishWhenDone starts the closing handshake once what was received
// matches every expected outcome, when the case expects to close.
func (p *Peer) finishWhenDone() {
	for _, e := range p.expected {
		if !eventsEqual(p.received, e.events) {
			return
		}
	}
	if p.expectedClose.ClosedByMe && !p.suppressClose && len(p.expectedClose.Codes) > 0 {
		p.SendClose(p.expectedClose.Codes[0])
	}
}

func eventsEqual(a, b []Event) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].equal(b[i]) {
			return false
		}
	}
	return true
}
