//go:build !js

package tap

import (
	"encoding/hex"
	"strconv"
	"strings"

	"wsplay/core"
)

// decoder turns one direction's byte stream into frame reports. It is fed
// the stream as it was read, one TCP read at a time, so it can say in how
// many pieces a frame arrived; frames decode the same whatever the
// chunking. It keeps at most a frame's header, its first keep and last tail
// payload bytes: a frame of any size costs bounded memory.
type decoder struct {
	from     string    // "client" or "server": who sends this stream
	receiver core.Role // who reads it: the rules depend on it (§5.1)
	keep     int       // payload bytes kept from a frame's start
	tail     int       // payload bytes kept from a frame's end

	off       uint64 // stream offset of the next byte
	seq       uint64 // frames reported
	feeds     uint64 // feed calls so far: one per TCP read
	dead      bool   // the stream stopped decoding as frames
	inMessage bool   // a data frame with FIN 0 began a message (§5.4)

	// The frame being read.
	inFrame   bool
	start     uint64 // its first byte's offset
	pieces    int
	lastFeed  uint64 // the feed that last contributed to it
	hdrNeed   int    // header size: 2 until the first two bytes are known
	hdr       core.FrameHeader
	capture   []byte // header, then up to keep payload bytes
	tailBuf   []byte // the latest payload bytes after the kept ones
	remaining uint64 // payload bytes not yet read
	omitted   uint64 // payload bytes neither kept nor in tailBuf

	// permessage-deflate, when the handshake agreed it (inflater not nil).
	inflater    *core.Inflater
	takeover    bool // the sender takes context over (RFC 7692 §7.1.1)
	windowLost  bool // a message was not inflated: its window is unknown
	maxInflate  int  // Limits.Inflate
	compressed  bool // the message being read has RSV1 on its first frame
	textMessage bool // and is a text message
	collect     bool // the current frame's payload belongs to it
	z           []byte
	zLength     uint64 // the message's compressed bytes so far
	zTooLarge   bool   // more than maxInflate of them: z is not kept
}

func newDecoder(from string, lim Limits, deflate *core.DeflateParams) *decoder {
	d := &decoder{from: from, keep: lim.Keep, tail: lim.Tail, receiver: core.Client, maxInflate: lim.Inflate}
	sender := core.Server
	if from == "client" {
		d.receiver, sender = core.Server, core.Client
	}
	if deflate != nil {
		d.inflater = core.NewInflater(*deflate, sender)
		d.takeover = !deflate.ServerNoContextTakeover
		if sender == core.Client {
			d.takeover = !deflate.ClientNoContextTakeover
		}
	}
	return d
}

// feed decodes the bytes of one read and emits an event for every frame
// that ends in them, and one garbage event when the stream stops being
// frames.
func (d *decoder) feed(p []byte, emit func(Event)) {
	d.feeds++
	for len(p) > 0 && !d.dead {
		if !d.inFrame {
			d.inFrame, d.start, d.pieces, d.lastFeed, d.hdrNeed = true, d.off, 0, 0, 2
			d.capture, d.tailBuf, d.omitted = d.capture[:0], d.tailBuf[:0], 0
		}
		if d.lastFeed != d.feeds {
			d.lastFeed = d.feeds
			d.pieces++
		}
		if len(d.capture) < d.hdrNeed {
			n := min(d.hdrNeed-len(d.capture), len(p))
			d.capture = append(d.capture, p[:n]...)
			p, d.off = p[n:], d.off+uint64(n)
			if len(d.capture) == 2 {
				h, need, _ := core.ParseFrameHeader(d.capture)
				d.hdrNeed = need
				if need == 2 {
					d.hdr = h
				}
			} else if len(d.capture) == d.hdrNeed {
				d.hdr, _, _ = core.ParseFrameHeader(d.capture)
			}
			if len(d.capture) == d.hdrNeed {
				d.remaining = d.hdr.Length
				if d.garbage(emit) {
					return
				}
				d.startPayload()
				if d.remaining == 0 {
					d.done(emit, false)
				}
			}
			continue
		}
		n := len(p)
		if uint64(n) > d.remaining {
			n = int(d.remaining)
		}
		part := p[:n]
		if d.collect {
			d.collectPayload(part)
		}
		if room := d.hdrNeed + d.keep - len(d.capture); room > 0 {
			k := min(room, len(part))
			d.capture = append(d.capture, part[:k]...)
			part = part[k:]
		}
		if len(part) > 0 {
			d.tailBuf = append(d.tailBuf, part...)
			if extra := len(d.tailBuf) - d.tail; extra > 0 {
				d.omitted += uint64(extra)
				d.tailBuf = append(d.tailBuf[:0], d.tailBuf[extra:]...)
			}
		}
		p, d.off, d.remaining = p[n:], d.off+uint64(n), d.remaining-uint64(n)
		if d.remaining == 0 {
			d.done(emit, false)
		}
	}
	if d.dead {
		d.off += uint64(len(p))
	}
}

// garbage decides, once a header is whole, whether the stream still reads
// as frames. A reserved opcode, reserved bits or a 64-bit length with its
// top bit set is what bytes that are not frames look like (ASCII text sets
// the reserved bits): the tap reports the header's problems once and relays
// the rest without decoding it, since no frame boundary can be trusted.
func (d *decoder) garbage(emit func(Event)) bool {
	h := d.hdr
	rsv := h.Rsv
	if d.inflater != nil {
		rsv &^= rsvCompressed // a frame's rules say where RSV1 may be
	}
	if rsv == 0 && !h.Opcode.IsReserved() && h.Length>>63 == 0 {
		return false
	}
	d.dead = true
	var rules []core.Rule
	var detail string
	if rsv != 0 {
		rules = append(rules, core.RuleReservedBits)
		if rsv == rsvCompressed && !h.Opcode.IsReserved() {
			detail = "RSV1 is permessage-deflate's compressed bit (RFC 7692 §6), but the handshake did not agree permessage-deflate"
		}
	}
	if h.Opcode.IsReserved() {
		rules = append(rules, core.RuleReservedOpcode)
	}
	if h.Length>>63 != 0 {
		rules = append(rules, core.RuleLengthTopBit)
	}
	probs := problems(rules)
	if detail != "" {
		probs[0].Detail = detail
	}
	emit(Event{Type: "garbage", From: d.from, Garbage: &Garbage{Offset: d.start, Bytes: hex.EncodeToString(d.capture)},
		Problems: probs,
		Message: "the " + d.from + "'s bytes at offset " + strconv.FormatUint(d.start, 10) +
			" do not decode as a frame; from here on they are relayed without being decoded"})
	return true
}

// end reports a frame the stream ended in.
func (d *decoder) end(emit func(Event)) {
	if d.inFrame && !d.dead {
		d.done(emit, true)
	}
}

// done reports the current frame: whole, or cut when the stream ended.
func (d *decoder) done(emit func(Event), cut bool) {
	d.inFrame = false
	d.seq++
	hdrLen := min(d.hdrNeed, len(d.capture))
	f := &Frame{Seq: d.seq, Offset: d.start, Pieces: d.pieces, Cut: cut, HeaderLength: hdrLen,
		Wire: hex.EncodeToString(d.capture)}
	if len(d.capture) < d.hdrNeed {
		// Cut inside the header: what arrived is all there is.
		f.Size, f.Missing = uint64(len(d.capture)), uint64(d.hdrNeed-len(d.capture))
		e := core.ExplainFrame(d.capture, d.receiver)
		f.Fields = fields(e.Fields)
		emit(Event{Type: "frame", From: d.from, Frame: f,
			Message: "the connection ended inside a frame header: " + strconv.Itoa(len(d.capture)) + " of its " +
				strconv.Itoa(d.hdrNeed) + " bytes arrived"})
		return
	}
	h := d.hdr
	f.Fin, f.Rsv, f.Opcode, f.OpcodeName, f.Masked, f.Length = h.Fin, h.Rsv, byte(h.Opcode), h.Opcode.String(), h.Masked, h.Length
	if h.Masked {
		f.MaskingKey = hex.EncodeToString(h.Key[:])
	}
	f.Size = uint64(d.hdrNeed) + h.Length
	if cut {
		f.Missing = d.remaining
	}
	if d.omitted > 0 || len(d.tailBuf) > 0 {
		f.Truncated, f.Omitted, f.WireTail = true, d.omitted, hex.EncodeToString(d.tailBuf)
	}
	e := core.ExplainFrame(d.capture, d.receiver)
	f.Fields = fields(e.Fields)
	if n := len(f.Fields); f.Truncated && n > 0 && f.Fields[n-1].Name == "Payload Data" {
		// The explainer saw the kept bytes only: say so instead of "more
		// bytes needed", which would be wrong for a frame that came whole.
		m := f.Fields[n-1].Meaning
		if i := strings.Index(m, "; "); i >= 0 {
			m = m[:i]
		}
		f.Fields[n-1].Meaning = m + "; the first " + strconv.Itoa(len(d.capture)-d.hdrNeed) + " of " +
			strconv.FormatUint(h.Length, 10) + " bytes (the report keeps the start and the end of a large payload)"
	}
	f.Text = e.Text
	rules := e.Problems
	if d.inflater != nil && h.Rsv&^rsvCompressed == 0 {
		// RSV1 is the extension's bit: compressed-bit says where it
		// may be, instead of reserved-bits.
		rules = dropRule(rules, core.RuleReservedBits)
		if h.Rsv != 0 && (h.Opcode.IsControl() || h.Opcode == core.OpContinuation) {
			rules = append(rules, core.RuleCompressedBit)
		}
	}
	if d.collect {
		// The payload is DEFLATE data, not the message's text: the
		// message is shown inflated on its last frame.
		f.Compressed, f.Text = true, ""
		rules = dropRule(rules, core.RuleInvalidUTF8)
	}
	// The explainer reads each frame alone; the order of fragments
	// (§5.4) needs the frames before it, which the decoder knows.
	if !h.Opcode.IsReserved() && h.Opcode.IsData() {
		switch {
		case h.Opcode == core.OpContinuation && !d.inMessage:
			rules = append(rules, core.RuleContinuationLone)
		case h.Opcode != core.OpContinuation && d.inMessage:
			rules = append(rules, core.RuleFragmentsNested)
		default:
			d.inMessage = !h.Fin
		}
	}
	if h.Opcode == core.OpClose && !cut {
		body := e.Unmasked
		switch {
		case len(body) == 0:
			f.Close = &CloseBody{NoCode: true}
		case len(body) >= 2:
			code := core.StatusCode(uint16(body[0])<<8 | uint16(body[1]))
			f.Close = &CloseBody{Code: int(code), Name: code.Name(), Reason: string(body[2:])}
		}
	}
	var inflateProblems []Problem
	if d.collect {
		d.collect = false
		if h.Fin {
			if !cut {
				f.Inflated, inflateProblems = d.inflate(h.Opcode == core.OpText || d.textMessage)
			}
			d.endCompressed()
		}
	}
	ev := Event{Type: "frame", From: d.from, Frame: f, Problems: append(problems(rules), inflateProblems...)}
	if cut {
		ev.Message = "the connection ended inside this frame: " + strconv.FormatUint(f.Size-f.Missing, 10) + " of its " +
			strconv.FormatUint(f.Size, 10) + " bytes arrived"
	}
	emit(ev)
}

func fields(in []core.Field) []Field {
	out := make([]Field, 0, len(in))
	for _, f := range in {
		raw := f.Raw
		if len(raw) > 256 {
			raw = raw[:256] + "…"
		}
		value := f.Value
		if len(value) > 256 {
			value = value[:256] + "…"
		}
		out = append(out, Field{Name: f.Name, Offset: f.Offset, Size: f.Size, Raw: raw, Value: value, Meaning: f.Meaning})
	}
	return out
}
