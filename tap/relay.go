//go:build !js

package tap

import (
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"wsplay/core"
	"wsplay/reach"
)

// Limits bound what one session may take. The zero value of a field means
// its default (DefaultLimits).
type Limits struct {
	// HandshakeTimeout bounds reading each head and dialing the target.
	HandshakeTimeout time.Duration
	// IdleTimeout ends a session with no byte either way for that long.
	IdleTimeout time.Duration
	// WriteTimeout bounds each write to either side: a peer that stops
	// reading ends the session instead of holding it.
	WriteTimeout time.Duration
	// MaxHead is the largest request or response head, in bytes.
	MaxHead int
	// Keep and Tail are the payload bytes a frame report shows from the
	// frame's start and from its end; the frame itself is relayed whole.
	// A compressed message's report shows as many of its inflated bytes.
	Keep, Tail int
	// Inflate bounds what the tap inflates of one compressed message
	// (permessage-deflate): it holds at most this many compressed bytes
	// of the message, and stops inflating after this many inflated ones
	// (the report then says the message was cut). The message itself is
	// relayed whole.
	Inflate int
}

// DefaultLimits are the limits of `wsplay tap` and /ws/tap.
var DefaultLimits = Limits{
	HandshakeTimeout: 10 * time.Second,
	IdleTimeout:      60 * time.Second,
	WriteTimeout:     10 * time.Second,
	MaxHead:          16 << 10,
	Keep:             1024,
	Tail:             64,
	Inflate:          1 << 20,
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	if l.HandshakeTimeout > 0 {
		d.HandshakeTimeout = l.HandshakeTimeout
	}
	if l.IdleTimeout > 0 {
		d.IdleTimeout = l.IdleTimeout
	}
	if l.WriteTimeout > 0 {
		d.WriteTimeout = l.WriteTimeout
	}
	if l.MaxHead > 0 {
		d.MaxHead = l.MaxHead
	}
	if l.Keep > 0 {
		d.Keep = max(l.Keep, 125) // a control frame is always shown whole
	}
	if l.Tail > 0 {
		d.Tail = l.Tail
	}
	if l.Inflate > 0 {
		d.Inflate = l.Inflate
	}
	return d
}

// relayBuffer is the size of each direction's read buffer.
const relayBuffer = 32 << 10

// lingerAfterEnd is how long the other direction may go on once one side
// has closed its end: long enough for a closing handshake to finish.
const lingerAfterEnd = 5 * time.Second

// Session is one client connection relayed to the target.
type Session struct {
	// ID numbers the session in its reports.
	ID uint64
	// Client is the client's connection; Head is its request head as
	// read, and Pre any bytes read after the head.
	Client net.Conn
	Head   []byte
	Pre    []byte
	// Target is where to relay, already resolved and checked
	// (reach.Resolve); the session dials exactly Target.Addr.
	Target *reach.Target
	Limits Limits
	// Emit receives every report; see the package doc.
	Emit func(Event)
	// Compress forwards the client's permessage-deflate offers (see
	// RewriteRequestCompressed) and shows the compressed messages
	// inflated. Without it every offer is dropped and nothing can be
	// compressed.
	Compress bool

	counts   [2]atomic.Uint64 // bytes relayed: from the client, from the server
	lastSeen atomic.Int64     // unix ns of the last byte either way
}

func (s *Session) emit(e Event) {
	e.Session = s.ID
	if e.Time.IsZero() {
		e.Time = time.Now().UTC()
	}
	s.Emit(e)
}

// Run relays the session until both sides are done, a timeout fires or ctx
// ends, and closes the client's connection. It reports the request, the
// response, every frame and how the session ended.
func (s *Session) Run(ctx context.Context) {
	lim := s.Limits.withDefaults()
	defer s.Client.Close()
	s.emit(Event{Type: "open", Client: s.Client.RemoteAddr().String(), Target: s.Target.URL, Addr: s.Target.Addr})

	req, probs := requestProblems(s.Head)
	head := newHead(s.Head)
	rewrite := RewriteRequest
	if s.Compress {
		rewrite = RewriteRequestCompressed
	}
	fwd, rewrites := rewrite(s.Head, s.Target)
	head.Forwarded, head.Rewrites = string(fwd), rewrites
	s.emit(Event{Type: "request", From: "client", Head: head, Problems: probs})

	dctx, cancel := context.WithTimeout(ctx, lim.HandshakeTimeout)
	server, err := reach.Dial(dctx, s.Target)
	cancel()
	if err != nil {
		reason := "cannot connect to " + s.Target.URL + ": " + err.Error()
		s.Client.SetWriteDeadline(time.Now().Add(lim.WriteTimeout))
		s.Client.Write(httpError(502, "Bad Gateway", reason))
		s.emit(Event{Type: "end", Message: reason, Bytes: &Counts{}})
		return
	}
	defer server.Close()
	// ctx ending (the page's watch closed, the tap stops) cuts both.
	stop := context.AfterFunc(ctx, func() { s.Client.Close(); server.Close() })
	defer stop()

	server.SetWriteDeadline(time.Now().Add(lim.WriteTimeout))
	if _, err := server.Write(append(fwd, s.Pre...)); err != nil {
		s.emit(Event{Type: "end", Message: "cannot send the request to the server: " + err.Error(), Bytes: &Counts{}})
		return
	}
	respHead, rest, err := readHead(server, lim.MaxHead, time.Now().Add(lim.HandshakeTimeout))
	if err != nil {
		// Whatever came is the client's, as it came.
		s.Client.SetWriteDeadline(time.Now().Add(lim.WriteTimeout))
		s.Client.Write(rest)
		s.emit(Event{Type: "end", From: "server", Message: noResponse(err, len(rest), lim), Bytes: &Counts{Server: uint64(len(rest))}})
		return
	}
	var offers []core.Extension
	if fr, err := core.ParseRequest(fwd); err == nil {
		offers, _ = core.ParseExtensionList(fr.Header.Values("Sec-WebSocket-Extensions"))
	}
	rh, probs, deflate := responseReport(respHead, req, offers)
	resp := Event{Type: "response", From: "server", Head: rh, Problems: probs}
	if deflate != nil && rh.Status == 101 {
		resp.Message = "the server accepted permessage-deflate (RFC 7692): a message whose first frame has RSV1 set travels compressed, and is shown inflated on its last frame"
	}
	s.emit(resp)
	s.Client.SetWriteDeadline(time.Now().Add(lim.WriteTimeout))
	if _, err := s.Client.Write(respHead); err != nil {
		s.emit(Event{Type: "end", Message: "cannot send the response to the client: " + err.Error(), Bytes: &Counts{}})
		return
	}

	// After a 101 both sides speak frames; after any other status the
	// server's bytes are an HTTP body, relayed without decoding.
	frames := rh.Status == 101
	if !frames {
		s.emit(Event{Type: "note", From: "server", Message: "the server did not switch protocols (status " +
			strconv.Itoa(rh.Status) + "): what follows is relayed without being decoded as frames"})
	}
	s.lastSeen.Store(time.Now().UnixNano())
	var wg sync.WaitGroup
	reasons := make([]string, 2)
	wg.Add(2)
	go func() {
		defer wg.Done()
		reasons[0] = s.pump(server, s.Client, 0, newDecoder("client", lim, deflate), nil, frames, lim)
	}()
	go func() {
		defer wg.Done()
		reasons[1] = s.pump(s.Client, server, 1, newDecoder("server", lim, deflate), rest, frames, lim)
	}()
	wg.Wait()
	s.emit(Event{Type: "end", Message: "client: " + reasons[0] + "; server: " + reasons[1],
		Bytes: &Counts{Client: s.counts[0].Load(), Server: s.counts[1].Load()}})
}

// noResponse says why no response head came.
func noResponse(err error, got int, lim Limits) string {
	var ne net.Error
	switch {
	case errors.Is(err, errHeadTooLarge):
		return "the server's response head is larger than " + strconv.Itoa(lim.MaxHead) + " bytes; the tap gave up"
	case errors.As(err, &ne) && ne.Timeout():
		return "the server sent no complete response head within " + lim.HandshakeTimeout.String() +
			" (" + strconv.Itoa(got) + " bytes came)"
	case errors.Is(err, io.EOF):
		return "the server closed the connection without answering the handshake"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the server closed the connection in the middle of its response head (" + strconv.Itoa(got) + " bytes came)"
	}
	return "the server's response could not be read: " + err.Error()
}

// pump relays src to dst until src ends, and reports what it relays:
// dir 0 is the client's stream, 1 the server's. first holds bytes already
// read from src. It returns how the stream ended, in words.
func (s *Session) pump(dst, src net.Conn, dir int, d *decoder, first []byte, frames bool, lim Limits) string {
	emit := func(e Event) { s.emit(e) }
	forward := func(p []byte) error {
		if frames {
			d.feed(p, emit) // the report goes first: see the package doc
		}
		dst.SetWriteDeadline(time.Now().Add(lim.WriteTimeout))
		_, err := dst.Write(p)
		s.counts[dir].Add(uint64(len(p)))
		s.lastSeen.Store(time.Now().UnixNano())
		return err
	}
	other := [2]string{"server", "client"}[dir]
	// However the stream ends, a frame it ended in is reported as cut.
	if frames {
		defer d.end(emit)
	}
	if len(first) > 0 {
		if err := forward(first); err != nil {
			src.Close()
			dst.Close()
			return "the " + other + " stopped reading (" + err.Error() + ")"
		}
	}
	buf := make([]byte, relayBuffer)
	for {
		src.SetReadDeadline(time.Unix(0, s.lastSeen.Load()).Add(lim.IdleTimeout))
		n, err := src.Read(buf)
		if n > 0 {
			if werr := forward(buf[:n]); werr != nil {
				src.Close()
				dst.Close()
				return "the " + other + " stopped reading (" + werr.Error() + ")"
			}
		}
		if err == nil {
			continue
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			if time.Since(time.Unix(0, s.lastSeen.Load())) < lim.IdleTimeout {
				continue // the other direction was busy: not idle
			}
			src.Close()
			dst.Close()
			return "no byte either way for " + lim.IdleTimeout.String() + " (idle timeout)"
		}
		if errors.Is(err, io.EOF) {
			// Pass the end on, and give the other direction a little
			// time to finish (the closing handshake) before cutting.
			if cw, ok := dst.(interface{ CloseWrite() error }); ok {
				cw.CloseWrite()
			} else {
				dst.Close()
			}
			src.SetReadDeadline(time.Time{})
			time.AfterFunc(lingerAfterEnd, func() { dst.Close() })
			return "closed the connection after " + strconv.FormatUint(s.counts[dir].Load(), 10) + " bytes"
		}
		dst.Close()
		src.Close()
		return "the connection ended: " + err.Error()
	}
}
