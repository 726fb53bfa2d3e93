package core

import "time"

// idleDeadline keeps a stream's read deadline at least IdleTimeout after
// the last byte that arrived. Moving a deadline costs a timer update, so it
// is moved only when less than IdleTimeout is left, and then an eighth
// further: a silent peer is cut off between IdleTimeout and 9/8 of it
// after its last byte, and a busy connection updates its timer about once
// per eighth of IdleTimeout, not once per read.
//
// A message in progress has a deadline of its own: it must arrive whole
// within IdleTimeout (and an eighth) of its first frame, however often
// bytes arrive, so a peer that sends one byte now and then cannot keep a
// half-read message, and its memory, for ever.
type idleDeadline struct {
	conn     interface{ SetReadDeadline(time.Time) error } // nil: no idle timeout
	idle     time.Duration
	until    time.Time
	msgUntil time.Time // while a message is being read: when it must be whole
}

func newIdleDeadline(rw any, idle time.Duration) idleDeadline {
	d, ok := rw.(interface{ SetReadDeadline(time.Time) error })
	if !ok || idle <= 0 {
		return idleDeadline{}
	}
	return idleDeadline{conn: d, idle: idle}
}

// arrived is called when bytes have arrived (and once at the start).
func (d *idleDeadline) arrived() {
	if d.conn == nil {
		return
	}
	now := time.Now()
	if d.until.Sub(now) >= d.idle {
		return
	}
	until := now.Add(d.idle + d.idle/8)
	if !d.msgUntil.IsZero() {
		if !d.until.Before(d.msgUntil) {
			return // already at the message's deadline
		}
		until = minTime(until, d.msgUntil)
	}
	d.until = until
	d.conn.SetReadDeadline(d.until)
}

// messageStarted is called when the first frame of a message has arrived
// on the general path: from now the deadline does not move past the
// message's own. The read deadline already set needs no change: it was set
// at the latest now, to at most IdleTimeout and an eighth later, so it is
// not past the message's; arrived keeps it there.
func (d *idleDeadline) messageStarted() {
	if d.conn == nil || !d.msgUntil.IsZero() {
		return
	}
	d.msgUntil = time.Now().Add(d.idle + d.idle/8)
}

// messageDone is called when a message read on the general path ends: the
// idle deadline counts from its last byte again.
func (d *idleDeadline) messageDone() {
	if d.conn == nil || d.msgUntil.IsZero() {
		return
	}
	d.msgUntil = time.Time{}
	// As after any byte: the deadline moves only when less than
	// IdleTimeout is left, so a message read quickly costs no timer
	// update.
	d.arrived()
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
