//go:build !js

package tap

import (
	"context"
	"errors"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"wsplay/reach"
)

// DefaultMaxSessions is how many clients `wsplay tap` relays at once.
const DefaultMaxSessions = 16

// Tap accepts clients on a listener and relays each to one target.
type Tap struct {
	// Target is the resolved, checked target (reach.Resolve once, at
	// start: every session dials the same address).
	Target *reach.Target
	Limits Limits
	// MaxSessions caps the sessions relayed at once; a client over the
	// cap gets 503 and a refused event. 0 means DefaultMaxSessions.
	MaxSessions int
	// Emit receives every report of every session.
	Emit func(Event)
	// Compress is Session.Compress for every session.
	Compress bool

	next    atomic.Uint64
	running atomic.Int64
}

// Serve accepts clients until ctx ends or ln fails, and waits for the
// sessions to end before it returns (ctx ending cuts them).
func (t *Tap) Serve(ctx context.Context, ln net.Listener) error {
	max := t.MaxSessions
	if max <= 0 {
		max = DefaultMaxSessions
	}
	lim := t.Limits.withDefaults()
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				time.Sleep(10 * time.Millisecond)
				continue
			}
			return err
		}
		if n := t.running.Add(1); n > int64(max) {
			t.running.Add(-1)
			reason := "too many clients at once (the limit is " + strconv.Itoa(max) + ", see -max-sessions); try again later"
			t.Emit(Event{Type: "refused", Time: time.Now().UTC(), Client: c.RemoteAddr().String(), Message: reason})
			wg.Add(1)
			go func() {
				defer wg.Done()
				c.SetDeadline(time.Now().Add(lim.WriteTimeout))
				c.Write(httpError(503, "Service Unavailable", reason))
				c.Close()
			}()
			continue
		}
		id := t.next.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer t.running.Add(-1)
			t.serveClient(ctx, c, id, lim)
		}()
	}
}

// serveClient reads a client's request head and relays the session.
func (t *Tap) serveClient(ctx context.Context, c net.Conn, id uint64, lim Limits) {
	head, rest, err := readHead(c, lim.MaxHead, time.Now().Add(lim.HandshakeTimeout))
	if err != nil {
		defer c.Close()
		var reason string
		status, text := 400, "Bad Request"
		var ne net.Error
		switch {
		case errors.Is(err, errHeadTooLarge):
			status, text = 431, "Request Header Fields Too Large"
			reason = "the request head is larger than " + strconv.Itoa(lim.MaxHead) + " bytes"
		case errors.As(err, &ne) && ne.Timeout():
			status, text = 408, "Request Timeout"
			reason = "no complete request head within " + lim.HandshakeTimeout.String()
		default:
			reason = "the client closed the connection before its request head ended"
		}
		t.Emit(Event{Type: "refused", Session: id, Time: time.Now().UTC(), Client: c.RemoteAddr().String(),
			Message: reason + " (" + strconv.Itoa(len(rest)) + " bytes came)"})
		c.SetWriteDeadline(time.Now().Add(lim.WriteTimeout))
		c.Write(httpError(status, text, reason))
		return
	}
	s := &Session{ID: id, Client: c, Head: head, Pre: rest, Target: t.Target, Limits: lim, Emit: t.Emit, Compress: t.Compress}
	s.Run(ctx)
}
