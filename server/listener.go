//go:build !js

package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"wsplay/reach"
	"wsplay/tap"
)

// net/http parses a request into a map: the order of the header lines and
// the spelling of their names are lost. /ws/inspect must show the handshake
// exactly as the client sent it, so every accepted connection is wrapped in
// a recConn that keeps a copy of the bytes read while the connection still
// speaks HTTP. The handler finds the recording of its own connection through
// the request's context (http.Server.ConnContext puts it there).
//
// The same wrapper carries the WebSocket write deadline once the connection
// is upgraded: each write may take at most the write timeout, so a stuck
// peer cannot hold a goroutine forever (the read side's idle timeout is
// core.Config.IdleTimeout). Before the upgrade the wrapper leaves deadlines
// to net/http.

// recListener wraps accepted connections in recConn, and bounds the
// connections that still speak plain HTTP: in all (maxHTTP) and per client
// address (maxHTTPPerAddr). WebSockets are bounded by -max-conns instead,
// so a connection stops counting here once it is upgraded. Without this
// bound, clients that open connections and send nothing, or a request head
// and no body, hold a file descriptor each until the timeouts, and enough
// of them leave the server unable to accept anyone.
type recListener struct {
	net.Listener
	keep           int // how many of the latest HTTP bytes to keep per connection
	writeBuffer    int // when > 0, SO_SNDBUF of accepted TCP connections (tests)
	maxHTTP        int // most plain HTTP connections at once; 0: no limit
	maxHTTPPerAddr int // most plain HTTP connections from one address; 0: no limit

	mu     sync.Mutex
	open   int                // under mu: plain HTTP connections open
	byAddr map[netip.Addr]int // under mu: the same, per client address
}

// Accept wraps the next connection, or turns it away with 503 when the
// plain HTTP connections are at their limit.
func (l *recListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if tc, ok := c.(*net.TCPConn); ok && l.writeBuffer > 0 {
			tc.SetWriteBuffer(l.writeBuffer)
		}
		addr := reach.IPOf(c.RemoteAddr().String())
		if status, why := l.take(addr, addr == reach.IPOf(c.LocalAddr().String())); why != "" {
			go turnAway(c, status, why)
			continue
		}
		rc := &recConn{Conn: c, keep: l.keep, recording: true, l: l, addr: addr}
		rc.counted.Store(true)
		return rc, nil
	}
}

// httpConnsFor derives the -max-http-conns default from an open-file limit:
// the quarter of it that -max-conns leaves (see maxConnsFor), at least 64
// and at most 1,024 — so the two limits together stay within the
// descriptors the process has.
func httpConnsFor(files uint64) int {
	if files == 0 || files == ^uint64(0) || files > reservedFiles+4*1024 {
		return 1024
	}
	if files <= reservedFiles {
		return 64
	}
	return max(64, int((files-reservedFiles)/4))
}

// take counts a new plain HTTP connection from addr, or says why it may not
// be opened. The per-address cap is for fairness between the machines of a
// class, so it does not apply to this machine's own connections (local:
// both ends have the same address), whose user runs the server.
//
// Like the WebSocket limits, a limit of one address is answered 429 (Too
// Many Requests: that client should slow down) and the server-wide one 503.
func (l *recListener) take(addr netip.Addr, local bool) (status int, why string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !local && l.maxHTTPPerAddr > 0 && l.byAddr[addr] >= l.maxHTTPPerAddr {
		return 429, "your machine has " + strconv.Itoa(l.maxHTTPPerAddr) + " HTTP connections open to this server, the most one address may have (see -max-http-conns-per-addr)"
	}
	if l.maxHTTP > 0 && l.open >= l.maxHTTP {
		return 503, strconv.Itoa(l.maxHTTP) + " HTTP connections are open to this server, the most it takes (see -max-http-conns)"
	}
	if l.byAddr == nil {
		l.byAddr = map[netip.Addr]int{}
	}
	l.open++
	l.byAddr[addr]++
	return 0, ""
}

// give uncounts a plain HTTP connection: closed, or upgraded to a WebSocket.
func (l *recListener) give(addr netip.Addr) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.open--
	if l.byAddr[addr]--; l.byAddr[addr] <= 0 {
		delete(l.byAddr, addr)
	}
}

// turnAway answers a connection over the limits with status (429 or 503)
// and closes it, without reading its request: a client that does not read
// the answer gets a short write deadline, not a goroutine held for long.
func turnAway(c net.Conn, status int, why string) {
	defer c.Close()
	c.SetWriteDeadline(time.Now().Add(time.Second))
	body := "wsplay: " + why + "; try again in a moment\n"
	io.WriteString(c, "HTTP/1.1 "+strconv.Itoa(status)+" "+http.StatusText(status)+"\r\nContent-Type: text/plain; charset=utf-8\r\nRetry-After: 5\r\n"+
		"Connection: close\r\nContent-Length: "+strconv.Itoa(len(body))+"\r\n\r\n"+body)
}

// recConn records what is read until the connection is upgraded, then
// applies the WebSocket deadlines.
type recConn struct {
	net.Conn
	keep int
	l    *recListener // counts the connection while it speaks plain HTTP; nil in tests
	addr netip.Addr   // the client's address, for l

	counted atomic.Bool // false once uncounted from l (upgraded or closed)

	mu        sync.Mutex
	recording bool   // under mu: still HTTP, keep the bytes read
	rec       []byte // under mu: the latest bytes read, at most keep of them
	sent      []byte // under mu: the write captureNextWrite asked for

	write      atomic.Int64 // write deadline for each write, once upgraded (ns)
	writeUntil atomic.Int64 // the write deadline set last (unix ns)
	pinnedUnix atomic.Int64 // when set, a fixed write deadline that writes keep
	capturing  atomic.Bool  // copy the next write into sent
}

// Read reads from the connection, recording the bytes while it speaks HTTP.
// Once upgraded, core.Conn keeps the idle deadline and, on a socket, reads
// through SyscallConn instead.
func (c *recConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.mu.Lock()
		if c.recording {
			c.rec = append(c.rec, p[:n]...)
			if len(c.rec) > c.keep {
				// Keep the latest bytes only: the head of the request
				// being served is the last one read.
				c.rec = append(c.rec[:0], c.rec[len(c.rec)-c.keep:]...)
			}
		}
		c.mu.Unlock()
	}
	return n, err
}

// Write writes with the WebSocket write deadline, and copies the bytes when
// a capture was asked for (the 101 response, for /ws/inspect).
func (c *recConn) Write(p []byte) (int, error) {
	// writeDeadline's work, written out: as a call it cost every small
	// echo 18 instructions more (callgrind, make bench-cpu).
	if pin := c.pinnedUnix.Load(); pin != 0 {
		c.Conn.SetWriteDeadline(time.Unix(0, pin))
	} else if d := c.write.Load(); d > 0 {
		now := time.Now().UnixNano()
		if c.writeUntil.Load()-now < d {
			until := now + d + d/8
			c.writeUntil.Store(until)
			c.Conn.SetWriteDeadline(time.Unix(0, until))
		}
	}
	if c.capturing.CompareAndSwap(true, false) {
		c.mu.Lock()
		c.sent = append([]byte(nil), p...)
		c.mu.Unlock()
	}
	return c.Conn.Write(p)
}

// WriteBuffers writes v with the WebSocket write deadline, in one writev
// on a TCP connection: core.Conn sends a large frame's header and payload
// this way, without copying the payload. Only frames come this way, never
// the 101 response that a capture waits for.
func (c *recConn) WriteBuffers(v *net.Buffers) (int64, error) {
	c.writeDeadline()
	return v.WriteTo(c.Conn)
}

// writeDeadline sets the write deadline before a write, once upgraded
// (Write has its own copy).
func (c *recConn) writeDeadline() {
	if pin := c.pinnedUnix.Load(); pin != 0 {
		c.Conn.SetWriteDeadline(time.Unix(0, pin))
	} else if d := c.write.Load(); d > 0 {
		// Like the Conn's idle deadline: move it only when less than
		// the write timeout is left, then an eighth further, so a busy
		// connection rarely touches its timer and every write still
		// has at least the write timeout.
		now := time.Now().UnixNano()
		if c.writeUntil.Load()-now < d {
			until := now + d + d/8
			c.writeUntil.Store(until)
			c.Conn.SetWriteDeadline(time.Unix(0, until))
		}
	}
}

// SyscallConn gives core.Conn.ReadLoop the socket itself: its reads then
// bypass Read, which only records while the connection speaks HTTP.
func (c *recConn) SyscallConn() (syscall.RawConn, error) {
	sc, ok := c.Conn.(syscall.Conn)
	if !ok {
		return nil, errors.ErrUnsupported
	}
	return sc.SyscallConn()
}

// CloseWrite half-closes a TCP connection. net/http calls it, when the
// connection has it, before hanging up on a bad request (431, 400), so the
// client reads the error response before the connection is reset; the
// embedded net.Conn would hide it.
func (c *recConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// Close closes the connection and, if it still spoke plain HTTP, frees its
// place among the HTTP connections.
func (c *recConn) Close() error {
	c.uncount()
	return c.Conn.Close()
}

// uncount frees the connection's place among the plain HTTP connections,
// once.
func (c *recConn) uncount() {
	if c.l != nil && c.counted.CompareAndSwap(true, false) {
		c.l.give(c.addr)
	}
}

// captureNextWrite asks for a copy of the next write: the 101 response that
// core.Upgrade writes in one call.
func (c *recConn) captureNextWrite() {
	c.mu.Lock()
	c.sent = nil
	c.mu.Unlock()
	c.capturing.Store(true)
}

// captured returns the copy made by captureNextWrite.
func (c *recConn) captured() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sent
}

// upgraded stops the recording and turns on the write deadline (0 leaves
// it off). The read side's idle deadline is the core.Conn's.
func (c *recConn) upgraded(write time.Duration) {
	c.mu.Lock()
	c.recording, c.rec = false, nil
	c.mu.Unlock()
	c.write.Store(int64(write))
	c.uncount()
}

// pinWriteDeadline makes every write, the one in progress included, end by
// t. It is how a stuck client is cut off: its writer is blocked in a write
// that would otherwise wait for the full write timeout.
func (c *recConn) pinWriteDeadline(t time.Time) {
	c.pinnedUnix.Store(t.UnixNano())
	c.Conn.SetWriteDeadline(t)
}

// head returns the head (request line and header lines, up to and including
// the empty line) of the request whose request line is reqLine, as the
// client sent it: the last occurrence in the bytes recorded so far. It
// returns nil when the head is not in the recording (a head larger than the
// recording, or a connection that was not wrapped).
func (c *recConn) head(reqLine string) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	i := bytes.LastIndex(c.rec, []byte(reqLine+"\r\n"))
	if i < 0 {
		i = bytes.LastIndex(c.rec, []byte(reqLine+"\n"))
	}
	if i < 0 {
		return nil
	}
	rest := c.rec[i:]
	end := tap.HeadEnd(rest)
	if end < 0 {
		return nil
	}
	return append([]byte(nil), rest[:end]...)
}

// connKey is the context key under which ConnContext stores the *recConn.
type connKey struct{}

// withConn is the http.Server.ConnContext hook.
func withConn(ctx context.Context, c net.Conn) context.Context {
	if rc, ok := c.(*recConn); ok {
		return context.WithValue(ctx, connKey{}, rc)
	}
	return ctx
}

// connFrom returns the request's connection wrapper, or nil when the server
// was started without recListener (for example behind httptest).
func connFrom(ctx context.Context) *recConn {
	rc, _ := ctx.Value(connKey{}).(*recConn)
	return rc
}
