//go:build !js

package tap

import (
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"wsplay/core"
)

// rsvCompressed is RSV1 as core.FrameHeader.Rsv holds it: permessage-
// deflate's "Per-Message Compressed" bit (RFC 7692 §6).
const rsvCompressed = 0x4

// startPayload decides, once a frame's header is whole, whether its
// payload belongs to a compressed message (RSV1 on the message's first
// frame, §6.1) and must be kept for inflating.
func (d *decoder) startPayload() {
	h := d.hdr
	d.collect = false
	if d.inflater == nil || h.Opcode.IsControl() || h.Opcode.IsReserved() {
		return
	}
	if h.Opcode != core.OpContinuation {
		d.endCompressed()
		d.compressed = h.Rsv&rsvCompressed != 0
		d.textMessage = h.Opcode == core.OpText
	}
	d.collect = d.compressed
}

// collectPayload keeps part, the next payload bytes of the current frame,
// unmasked, while the message's compressed bytes fit Limits.Inflate.
func (d *decoder) collectPayload(part []byte) {
	pos := d.hdr.Length - d.remaining // part's offset in the payload
	d.zLength += uint64(len(part))
	if d.zTooLarge {
		return
	}
	if len(d.z)+len(part) > d.maxInflate {
		d.zTooLarge, d.z = true, nil
		return
	}
	start := len(d.z)
	d.z = append(d.z, part...)
	if d.hdr.Masked {
		core.Mask(d.hdr.Key, int(pos%4), d.z[start:])
	}
}

// endCompressed forgets the compressed message that ended, keeping a
// modest buffer for the next.
func (d *decoder) endCompressed() {
	d.compressed, d.zLength, d.zTooLarge = false, 0, false
	if cap(d.z) > 64<<10 {
		d.z = nil
	}
	d.z = d.z[:0]
}

// inflate inflates the compressed message that ended, keeping of its
// inflated bytes only the first Keep and last Tail for the report, and
// returns the report and the rules the message broke.
func (d *decoder) inflate(text bool) (*Inflated, []Problem) {
	in := &Inflated{Compressed: d.zLength}
	if d.zTooLarge {
		d.windowLost = true
		in.NotInflated = "its compressed payload is larger than the tap inflates (" + strconv.Itoa(d.maxInflate) + " bytes, -max-inflate)"
		return in, nil
	}
	if d.windowLost && d.takeover {
		in.NotInflated = core.ErrWindowUnknown.Error()
		return in, nil
	}
	var head, tail []byte
	var check utf8Stream
	n, cut, err := d.inflater.Inflate(d.z, int64(d.maxInflate), func(b []byte) {
		if text {
			check.feed(b)
		}
		if room := d.keep - len(head); room > 0 {
			k := min(room, len(b))
			head = append(head, b[:k]...)
			b = b[k:]
		}
		switch {
		case len(b) >= d.tail:
			tail = append(tail[:0], b[len(b)-d.tail:]...)
		case len(b) > 0:
			tail = append(tail, b...)
			if extra := len(tail) - d.tail; extra > 0 {
				tail = append(tail[:0], tail[extra:]...)
			}
		}
	})
	in.Length, in.Cut = uint64(n), cut
	in.Saved = int64(n) - int64(d.zLength)
	in.Data = hex.EncodeToString(head)
	if len(tail) > 0 {
		in.Tail = hex.EncodeToString(tail)
		in.Omitted = uint64(n) - uint64(len(head)) - uint64(len(tail))
	}
	if text {
		shown := head
		if len(tail) > 0 || cut {
			shown = trimPartialRune(shown)
		}
		if utf8.Valid(shown) {
			in.Text = string(shown)
		}
	}
	var pe *core.ProtocolError
	switch {
	case errors.As(err, &pe):
		var probs []Problem
		for _, r := range pe.Rules {
			detail := strings.TrimSuffix(strings.TrimPrefix(r.Text[len(core.RuleInflate.Text):], " ("), ")")
			probs = append(probs, problem(core.RuleInflate, detail))
		}
		return in, probs
	case errors.Is(err, core.ErrWindowUnknown):
		in.NotInflated = err.Error()
		return in, nil
	case err != nil:
		in.NotInflated = err.Error()
		return in, nil
	}
	if text && !cut && !check.valid() {
		return in, []Problem{problem(core.RuleInvalidUTF8, "in the inflated message")}
	}
	return in, nil
}

// trimPartialRune drops the bytes of a UTF-8 sequence cut at b's end.
func trimPartialRune(b []byte) []byte {
	for i := len(b) - 1; i >= 0 && i >= len(b)-3; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return b[:i]
			}
			break
		}
	}
	return b
}

// utf8Stream checks that bytes fed in pieces are UTF-8 as a whole.
type utf8Stream struct {
	pend []byte // the start of a sequence cut at a piece's end
	bad  bool
}

func (u *utf8Stream) feed(b []byte) {
	if u.bad {
		return
	}
	if len(u.pend) > 0 {
		// Complete the pending sequence with this piece's first bytes.
		for len(b) > 0 && !utf8.FullRune(u.pend) {
			u.pend, b = append(u.pend, b[0]), b[1:]
		}
		if !utf8.FullRune(u.pend) {
			return
		}
		if !utf8.Valid(u.pend) {
			u.bad = true
			return
		}
		u.pend = u.pend[:0]
	}
	whole := trimPartialRune(b)
	if !utf8.Valid(whole) {
		u.bad = true
		return
	}
	u.pend = append(u.pend, b[len(whole):]...)
}

func (u *utf8Stream) valid() bool { return !u.bad && len(u.pend) == 0 }

// dropRule returns rules without r.
func dropRule(rules []core.Rule, r core.Rule) []core.Rule {
	out := rules[:0:0]
	for _, x := range rules {
		if x.ID != r.ID {
			out = append(out, x)
		}
	}
	return out
}
