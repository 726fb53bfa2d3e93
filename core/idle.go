package core

import "time"

// idleDeadline keeps a stream's read deadline at least IdleTimeout after
// the last byte that arrived. Moving a deadline costs a timer update, so it
// is moved only when less than IdleTimeout is left, and then an eighth
// further: a silent peer is cut off between IdleTimeout and 9/8 of it
// after its last byte, and a busy connection updates its timer about once
// per eighth of IdleTimeout, not once per read.
type idleDeadline struct {
	conn  interface{ SetReadDeadline(time.Time) error } // nil: no idle timeout
	idle  time.Duration
	until time.Time
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
	d.until = now.Add(d.idle + d.idle/8)
	d.conn.SetReadDeadline(d.until)
}
