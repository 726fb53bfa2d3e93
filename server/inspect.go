//go:build !js

package main

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"wsplay/core"
)

// /ws/inspect makes the wire visible. Its first message reports the opening
// handshake as the server received it and the response it sent; then every
// frame, in either direction, is reported with its exact wire bytes; and
// every data message is echoed, except the text message "wsplay:ping ...",
// which asks the server to send a ping (see pingCommand). docs/inspect.md
// documents the JSON.
//
// Reports are frames too, sent on the same connection. Reporting them
// would report the report of the report, forever, so the report messages
// (the handshake report and the frame reports) are the only frames not
// reported. Everything else is: the client's data frames (each fragment),
// the echoes, pings, pongs and the client's close frame. The server's own
// close frame cannot be reported: after it, nothing may follow on the wire
// (§5.5.1).
//
// One writer goroutine sends both reports and echoes, in the order the
// events happened. It is the only goroutine that writes data frames, so
// while it writes a report it knows that any data frame the observer sees
// is that report. Control frames (pongs from core's reader, the pinger's
// pings) can be written in between, and are reported.

// inspectReport is the handshake report, the first message.
type inspectReport struct {
	Type     string        `json:"type"` // "handshake"
	Time     string        `json:"time"`
	Request  inspectHead   `json:"request"`
	Response inspectHead   `json:"response"`
	Key      string        `json:"key"`
	Accept   string        `json:"accept"`
	Reported []string      `json:"reported"`
	Schema   string        `json:"schema"`
	Limits   inspectLimits `json:"limits"`
}

// inspectHead is an HTTP head: raw bytes, and the same split into lines.
type inspectHead struct {
	Raw       string        `json:"raw"`
	RawBase64 string        `json:"rawBase64"`
	Exact     bool          `json:"exact"`
	StartLine string        `json:"startLine"`
	Headers   []headerField `json:"headers"`
}

// headerField is one header line, in the order and spelling sent.
type headerField struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// inspectLimits tells the page what the server enforces.
type inspectLimits struct {
	MaxMessage  int64   `json:"maxMessage"`
	IdleTimeout float64 `json:"idleTimeoutSeconds"`
}

// frameReport reports one frame.
type frameReport struct {
	Type       string `json:"type"` // "frame"
	Seq        uint64 `json:"seq"`
	Time       string `json:"time"`
	From       string `json:"from"` // "client" or "server"
	Fin        bool   `json:"fin"`
	Opcode     byte   `json:"opcode"`
	OpcodeName string `json:"opcodeName"`
	Masked     bool   `json:"masked"`
	MaskingKey string `json:"maskingKey,omitempty"` // hex
	HeaderLen  int    `json:"headerLength"`
	PayloadLen uint64 `json:"payloadLength"`
	// Wire is base64 of the whole frame, or, for a frame larger than
	// reportWhole, of its header and first reportHead payload bytes;
	// then Truncated is set, WireTail holds the last reportTail bytes
	// and Omitted counts the bytes between.
	Wire      string `json:"wire"`
	Truncated bool   `json:"truncated,omitempty"`
	WireTail  string `json:"wireTail,omitempty"`
	Omitted   uint64 `json:"omitted,omitempty"`
	// Compressed is set on the last frame of a message that travelled
	// compressed (permessage-deflate, RFC 7692: RSV1 on its first frame),
	// whose wire bytes are compressed. Inflated is then base64 of the
	// message's payload inflated, InflatedLength its length; beyond
	// reportWhole bytes, Inflated holds the first reportHead bytes and
	// InflatedTail the last reportTail.
	Compressed     bool   `json:"compressed,omitempty"`
	Inflated       string `json:"inflated,omitempty"`
	InflatedLength int    `json:"inflatedLength,omitempty"`
	InflatedTail   string `json:"inflatedTail,omitempty"`
}

// A report of a large frame shows its start and its end: a learner reads
// the header and a few lines of payload, not megabytes of base64, and the
// server does not hold several encoded copies of every large message.
const (
	reportWhole = 64 << 10 // frames with up to this much payload are reported whole
	reportHead  = 1 << 10  // payload bytes reported at the start of a larger frame
	reportTail  = 256      // and at its end
)

// inspector is the state of one /ws/inspect connection.
type inspector struct {
	s         *Server
	reporting atomic.Bool // the writer is sending a report

	// rsv holds the RSV bits the connection allows: RSV1 when
	// permessage-deflate was negotiated. Set by run before it reads.
	rsv byte

	mu       sync.Mutex
	inflated [2]*frameReport // under mu: by direction, a compressed message's payload waiting for its last frame's report
	seq      uint64          // under mu: number of the last frame report
	queue    []outMsg        // under mu
	queued   int             // under mu: bytes in queue
	overflow bool            // under mu
	inflight bool            // under mu: the writer took a message and is sending it
	wake     chan struct{}
	flushed  chan struct{} // the writer signals here when the queue is empty
	done     chan struct{} // closed when run returns
	stopped  chan struct{} // closed when the writer returns
}

// outMsg is a message waiting for the writer.
type outMsg struct {
	op     core.Opcode
	data   []byte
	report bool
}

// inspect prepares a /ws/inspect connection.
func (s *Server) inspect(r *http.Request) (core.Config, wsHandler) {
	in := &inspector{s: s, wake: make(chan struct{}, 1), flushed: make(chan struct{}, 1),
		done: make(chan struct{}), stopped: make(chan struct{})}
	return core.Config{MaxMessageSize: s.cfg.MaxMessage, OnFrame: in.onFrame, OnCompressed: in.onCompressed, ObserveEnds: reportWhole / 2}, in.run
}

// onCompressed is core.Config.OnCompressed: core calls it with a
// compressed message's payload inflated just before it reports the
// message's last frame, to whose report onFrame adds it.
func (in *inspector) onCompressed(dir core.Direction, payload []byte) {
	if dir == core.Sent && in.reporting.Load() {
		return // a report: see the comment at the top of the file
	}
	rep := &frameReport{Compressed: true, InflatedLength: len(payload)}
	if len(payload) > reportWhole {
		rep.Inflated = base64.StdEncoding.EncodeToString(payload[:reportHead])
		rep.InflatedTail = base64.StdEncoding.EncodeToString(payload[len(payload)-reportTail:])
	} else {
		rep.Inflated = base64.StdEncoding.EncodeToString(payload)
	}
	in.mu.Lock()
	in.inflated[dir] = rep
	in.mu.Unlock()
}

// maxQueued bounds the bytes waiting for the writer: reports of the
// largest message, its echo and the echo's report.
func (in *inspector) maxQueued() int {
	return int(4*in.s.cfg.MaxMessage) + 1<<20
}

// onFrame is core.Config.OnFrame: it turns each frame into a report.
func (in *inspector) onFrame(dir core.Direction, wire []byte) {
	h, n, err := core.ParseFrameHeader(wire)
	if err != nil {
		return
	}
	if dir == core.Sent && h.Opcode.IsData() && in.reporting.Load() {
		return // a report: see the comment at the top of the file
	}
	rep := frameReport{
		Type: "frame", Time: time.Now().UTC().Format(time.RFC3339Nano),
		From: "server", Fin: h.Fin, Opcode: byte(h.Opcode), OpcodeName: h.Opcode.String(),
		Masked: h.Masked, HeaderLen: n, PayloadLen: h.Length,
	}
	switch payload := len(wire) - n; {
	case h.Length > reportWhole && payload >= reportHead+reportTail:
		// core gave the frame's ends only (Config.ObserveEnds).
		rep.Wire = base64.StdEncoding.EncodeToString(wire[:n+reportHead])
		rep.WireTail = base64.StdEncoding.EncodeToString(wire[len(wire)-reportTail:])
		rep.Truncated, rep.Omitted = true, h.Length-reportHead-reportTail
	case h.Length > reportWhole:
		// A large frame reported as far as it was read (the header of
		// one refused for its size, say): all of it, and what is left.
		rep.Wire = base64.StdEncoding.EncodeToString(wire)
		rep.Truncated, rep.Omitted = true, h.Length-uint64(payload)
	default:
		rep.Wire = base64.StdEncoding.EncodeToString(wire)
	}
	if dir == core.Received {
		rep.From = "client"
	}
	if h.Masked {
		rep.MaskingKey = hex.EncodeToString(h.Key[:])
	}
	// The sequence number is taken under the queue's lock, so that
	// reports from the reader and from the writers are queued in the
	// order of their numbers.
	in.mu.Lock()
	if inf := in.inflated[dir]; inf != nil && h.Opcode.IsData() && h.Fin {
		rep.Compressed, rep.Inflated, rep.InflatedLength, rep.InflatedTail = true, inf.Inflated, inf.InflatedLength, inf.InflatedTail
		in.inflated[dir] = nil
	}
	in.seq++
	rep.Seq = in.seq
	in.pushLocked(outMsg{op: core.OpText, data: marshal(rep), report: true}, false)
	in.mu.Unlock()
	in.wakeWriter()
	if dir == core.Received && (h.Length > uint64(in.s.cfg.MaxMessage) || core.CheckFrameHeader(h, core.Server, in.rsv) != nil) {
		// A frame core is about to refuse: its report goes out before
		// the close frame that fails the connection, so the learner
		// sees what broke the rule.
		in.flush()
	}
	if dir == core.Received && h.Opcode == core.OpClose {
		// core answers the close frame as soon as this returns, and
		// nothing may follow that answer: send what is queued first.
		in.flush()
	}
}

// push queues a message for the writer; front puts it first.
func (in *inspector) push(m outMsg, front bool) {
	in.mu.Lock()
	in.pushLocked(m, front)
	in.mu.Unlock()
	in.wakeWriter()
}

// pushLocked queues a message, or notes the overflow.
func (in *inspector) pushLocked(m outMsg, front bool) {
	if in.queued+len(m.data) > in.maxQueued() {
		in.overflow = true
	} else if front {
		in.queue = append([]outMsg{m}, in.queue...)
		in.queued += len(m.data)
	} else {
		in.queue = append(in.queue, m)
		in.queued += len(m.data)
	}
}

// wakeWriter tells the writer there is work.
func (in *inspector) wakeWriter() {
	select {
	case in.wake <- struct{}{}:
	default:
	}
}

// flush waits, up to the write timeout, until the writer has sent
// everything queued.
func (in *inspector) flush() {
	t := time.NewTimer(in.s.cfg.WriteTimeout + time.Second)
	defer t.Stop()
	for {
		in.mu.Lock()
		empty := len(in.queue) == 0 && !in.inflight
		in.mu.Unlock()
		if empty {
			return
		}
		select {
		case <-in.flushed:
		case <-in.stopped:
			return // nothing more can be sent (our close frame went out)
		case <-t.C:
			return
		}
	}
}

// run reads messages and queues their echoes; the writer sends them.
func (in *inspector) run(c *wsConn) error {
	if c.conn.Deflate() != nil {
		in.rsv = 0x4 // RSV1, the Per-Message Compressed bit (RFC 7692 §6)
	}
	in.push(outMsg{op: core.OpText, data: marshal(in.handshakeReport(c)), report: true}, true)
	go func() { defer close(in.stopped); in.writer(c) }()
	defer func() { close(in.done); <-in.stopped }()
	for {
		op, msg, err := c.conn.ReadMessage(nil)
		if err != nil {
			return err
		}
		if payload, ok := pingCommand(op, msg); ok {
			in.push(outMsg{op: core.OpPing, data: payload}, false)
			continue
		}
		in.push(outMsg{op: op, data: msg}, false)
	}
}

// pingPrefix starts the one text message /ws/inspect does not echo. A
// browser cannot send a ping (its WebSocket API has no ping()), but it must
// answer one (RFC 6455 §5.5.2); so a page asks the server to ping it, and
// the learner sees the server's ping and the browser's automatic pong in
// the reports.
const pingPrefix = "wsplay:ping"

// pingCommand reports whether a message is the ping command, "wsplay:ping"
// or "wsplay:ping PAYLOAD", and returns the ping's payload: the text after
// the space, cut to the 125 bytes a control frame may carry (§5.5) without
// splitting a UTF-8 character.
func pingCommand(op core.Opcode, msg []byte) ([]byte, bool) {
	if op != core.OpText || !bytes.HasPrefix(msg, []byte(pingPrefix)) {
		return nil, false
	}
	rest := msg[len(pingPrefix):]
	if len(rest) > 0 && rest[0] != ' ' {
		return nil, false // e.g. "wsplay:pinged": an ordinary message
	}
	payload := bytes.TrimPrefix(rest, []byte(" "))
	if len(payload) > core.MaxControlPayload {
		n := core.MaxControlPayload
		for n > 0 && payload[n]&0xC0 == 0x80 {
			n-- // do not cut a UTF-8 character in two
		}
		payload = payload[:n]
	}
	return append([]byte(nil), payload...), true
}

// writer sends queued messages in order until the connection ends.
func (in *inspector) writer(c *wsConn) {
	for {
		in.mu.Lock()
		if in.overflow {
			in.mu.Unlock()
			c.cutOff(core.StatusPolicyViolation, "inspect: the client does not read its reports fast enough")
			return
		}
		if len(in.queue) == 0 {
			in.mu.Unlock()
			select {
			case in.flushed <- struct{}{}:
			default:
			}
			select {
			case <-in.wake:
				continue
			case <-in.done:
				return
			}
		}
		m := in.queue[0]
		in.queue[0] = outMsg{}
		in.queue = in.queue[1:]
		in.queued -= len(m.data)
		in.inflight = true
		in.mu.Unlock()

		in.reporting.Store(m.report)
		var err error
		if m.op == core.OpPing {
			err = c.conn.Ping(m.data)
		} else {
			err = c.conn.WriteMessage(m.op, m.data)
		}
		in.reporting.Store(false)
		in.mu.Lock()
		in.inflight = false
		in.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// handshakeReport describes the handshake as received and as answered.
func (in *inspector) handshakeReport(c *wsConn) inspectReport {
	rep := inspectReport{
		Type: "handshake", Time: time.Now().UTC().Format(time.RFC3339Nano),
		Key: c.req.Key(), Accept: core.Accept(c.req.Key()),
		Reported: []string{"client data frames, each fragment", "echo frames", "ping", "pong", "client close"},
		Schema:   "docs/inspect.md",
		Limits:   inspectLimits{MaxMessage: in.s.cfg.MaxMessage, IdleTimeout: in.s.cfg.IdleTimeout.Seconds()},
	}
	if c.head != nil {
		rep.Request = headReport(redactHead(c.head), true)
	} else {
		// Not recorded: rebuild it from what net/http parsed, which has
		// lost the order and spelling of the names; say so.
		rep.Request = inspectHead{Exact: false, StartLine: c.req.Method + " " + c.req.Target + " " + c.req.Proto, Headers: []headerField{}}
		for _, f := range c.req.Header {
			v := f.Value
			if secretHeader(f.Name) {
				v = redacted(len(v))
			}
			rep.Request.Headers = append(rep.Request.Headers, headerField{f.Name, v})
		}
	}
	resp := c.response
	exact := resp != nil
	if !exact {
		resp = c.req.NewResponse(core.ResponseOptions{}).AppendResponse(nil)
	}
	rep.Response = headReport(resp, exact)
	return rep
}

// Cookies are not scoped by port: a page on any loopback port, which the
// origin rule lets open /ws/inspect, would read in the reflected head the
// cookies of every other web application on localhost, HttpOnly ones
// included. So the values of the credential fields are replaced by their
// length: a learner still sees that they were sent, and how big they are.

// secretHeader reports whether a request field's value is withheld.
func secretHeader(name string) bool {
	switch strings.ToLower(name) {
	case "cookie", "authorization", "proxy-authorization":
		return true
	}
	return false
}

// redacted is what a withheld value is shown as.
func redacted(n int) string { return "(withheld by wsplay: " + strconv.Itoa(n) + " bytes)" }

// redactHead returns raw with the values of the secret fields replaced.
func redactHead(raw []byte) []byte {
	lines := bytes.SplitAfter(raw, []byte("\n"))
	var out []byte
	for _, l := range lines {
		name, value, ok := bytes.Cut(l, []byte(":"))
		if ok && secretHeader(string(name)) {
			end := []byte("\n")
			if bytes.HasSuffix(value, []byte("\r\n")) {
				end = []byte("\r\n")
			}
			v := bytes.TrimSpace(value)
			l = append(append(append(append([]byte(nil), name...), ": "...), redacted(len(v))...), end...)
		}
		out = append(out, l...)
	}
	return out
}

// headReport splits an HTTP head into its start line and header fields,
// keeping their order and spelling.
func headReport(raw []byte, exact bool) inspectHead {
	h := inspectHead{Raw: string(raw), RawBase64: base64.StdEncoding.EncodeToString(raw), Exact: exact}
	lines := bytes.Split(raw, []byte("\n"))
	for _, l := range lines {
		l = bytes.TrimSuffix(l, []byte("\r"))
		if len(l) == 0 {
			if h.StartLine == "" {
				continue
			}
			break
		}
		if h.StartLine == "" {
			h.StartLine = string(l)
			continue
		}
		name, value, _ := bytes.Cut(l, []byte(":"))
		h.Headers = append(h.Headers, headerField{Name: string(name), Value: string(bytes.Trim(value, " \t"))})
	}
	if h.Headers == nil {
		h.Headers = []headerField{}
	}
	return h
}

// marshal encodes v as JSON without escaping <, > and &: the reports are
// read by learners, and a payload's text should look as it was typed.
func marshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}
