//go:build !js

package soak

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"syscall"
	"testing"
	"time"

	"wsplay/core"
)

// deadline bounds every single network wait of a client: a server that
// stops answering fails the test instead of hanging it.
const deadline = 20 * time.Second

// dialOpts tunes a client connection.
type dialOpts struct {
	rcvbuf int    // when > 0, SO_RCVBUF set before connecting: a client that reads slowly fills up sooner
	from   string // when set, the loopback address to connect from: it stands in for another machine of the class
}

// dialer is the TCP dialer of every client connection: bounded by the
// deadline, from o.from when set.
func (o dialOpts) dialer() *net.Dialer {
	d := &net.Dialer{Timeout: deadline}
	if o.from != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(o.from)}
	}
	if o.rcvbuf > 0 {
		d.Control = func(_, _ string, rc syscall.RawConn) error {
			var serr error
			err := rc.Control(func(fd uintptr) {
				serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, o.rcvbuf)
			})
			return errors.Join(err, serr)
		}
	}
	return d
}

// tcpFrom opens a TCP connection to addr from the loopback address from,
// which stands in for another machine of the class.
func tcpFrom(from, addr string) (net.Conn, error) {
	return dialOpts{from: from}.dialer().Dial("tcp", addr)
}

// refusedError is an upgrade the server answered with a status other than
// 101 (a limit's 429 or 503, say).
type refusedError struct {
	status int
	err    error // what the core's client said of the answer
}

func (e *refusedError) Error() string { return fmt.Sprintf("refused with %d: %v", e.status, e.err) }

// refusedStatus returns the status of an upgrade the server refused, or 0
// when err is not a refusal (no answer, or none at all).
func refusedStatus(err error) int {
	var r *refusedError
	if errors.As(err, &r) {
		return r.status
	}
	return 0
}

// dialRaw opens a TCP connection and runs the opening handshake for
// target, returning the connection and the reader that holds what the
// server sent after its 101. A refused upgrade is a *refusedError.
func dialRaw(addr, target string, o dialOpts) (net.Conn, *bufio.Reader, error) {
	nc, err := o.dialer().Dial("tcp", addr)
	if err != nil {
		return nil, nil, err
	}
	nc.SetDeadline(time.Now().Add(deadline))
	resp, br, err := core.Handshake(nc, &core.ClientRequest{Host: addr, Target: target})
	if err != nil {
		nc.Close()
		if resp != nil && resp.Status != http.StatusSwitchingProtocols {
			err = &refusedError{status: resp.Status, err: err}
		}
		return nil, nil, err
	}
	nc.SetDeadline(time.Time{})
	return nc, br, nil
}

// client is a WebSocket client built on wsplay's core, with the TCP
// connection under it for deadlines and local address.
type client struct {
	*core.Conn
	nc net.Conn
}

// dial opens a WebSocket with wsplay's own client.
func dial(addr, target string) (*client, error) {
	return dialWith(addr, target, dialOpts{})
}

// dialWith is dial with options.
func dialWith(addr, target string, o dialOpts) (*client, error) {
	nc, br, err := dialRaw(addr, target, o)
	if err != nil {
		return nil, err
	}
	return &client{Conn: core.NewConn(nc, br, core.Client, core.Config{MaxMessageSize: 256 << 20}), nc: nc}, nil
}

// dialFrom opens a WebSocket from the loopback address ip, another machine
// of the class, and returns the status of the server's answer: 101, that
// of a refused upgrade, or 0 when none came.
func dialFrom(ip, addr, target string) (*client, int, error) {
	c, err := dialWith(addr, target, dialOpts{from: ip})
	if err != nil {
		return nil, refusedStatus(err), err
	}
	return c, http.StatusSwitchingProtocols, nil
}

// mustDial is dial for the test's goroutine; the connection is closed when
// the test ends.
func mustDial(t testing.TB, addr, target string) *client {
	t.Helper()
	c, err := dial(addr, target)
	if err != nil {
		t.Fatalf("dial %s: %v", target, err)
	}
	t.Cleanup(func() { c.CloseNow() })
	return c
}

// echo sends msg and checks that the same bytes come back, with the same
// opcode, within the deadline.
func (c *client) echo(op core.Opcode, msg []byte) error {
	c.nc.SetDeadline(time.Now().Add(deadline))
	defer c.nc.SetDeadline(time.Time{})
	if err := c.WriteMessage(op, msg); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	gotOp, got, err := c.ReadMessage(nil)
	if err != nil {
		return fmt.Errorf("read: %w", err)
	}
	if gotOp != op || string(got) != string(msg) {
		return fmt.Errorf("sent %v %d bytes, got back %v %d bytes that differ", op, len(msg), gotOp, len(got))
	}
	return nil
}

// frame appends a masked client frame to dst, as a client must send it
// (§5.3), with a fixed key: these tests build frames the core's writer
// would not (huge announced lengths, fragments by the thousand).
func frame(dst []byte, fin bool, op core.Opcode, payload []byte) []byte {
	return frameLen(dst, fin, op, uint64(len(payload)), payload)
}

// frameLen is frame with an announced length that may differ from the
// payload that follows (only a header and part of a payload, say).
func frameLen(dst []byte, fin bool, op core.Opcode, length uint64, payload []byte) []byte {
	key := [4]byte{0x37, 0xfa, 0x21, 0x3d}
	dst = core.AppendFrameHeader(dst, core.FrameHeader{Fin: fin, Opcode: op, Length: length, Masked: true, Key: key})
	n := len(dst)
	dst = append(dst, payload...)
	core.Mask(key, 0, dst[n:])
	return dst
}

// frameReader reads the server's frames on a raw connection.
type frameReader struct {
	fr *core.FrameReader
}

func newFrameReader(br *bufio.Reader) *frameReader {
	return &frameReader{fr: core.NewFrameReader(br, core.Client, 0)}
}

// next reads one frame and its payload.
func (r *frameReader) next() (core.FrameHeader, []byte, error) {
	h, err := r.fr.NextFrame()
	if err != nil {
		return h, nil, err
	}
	p := make([]byte, h.Length)
	if _, err := io.ReadFull(r.fr, p); err != nil {
		return h, nil, err
	}
	return h, p, nil
}

// untilClose reads frames until a close frame and returns its code and
// reason; skipped counts the frames before it.
func (r *frameReader) untilClose() (code core.StatusCode, reason string, skipped int, err error) {
	for {
		h, p, err := r.next()
		if err != nil {
			return 0, "", skipped, err
		}
		if h.Opcode == core.OpClose {
			code, reason, perr := core.ParseClosePayload(p)
			if perr != nil {
				return 0, "", skipped, perr
			}
			return code, reason, skipped, nil
		}
		skipped++
	}
}

// closeCode returns the close code in a read error of core's client: the
// code the server sent, or 1006 when the connection ended without one.
func closeCode(err error) core.StatusCode {
	var ce *core.CloseError
	if errors.As(err, &ce) {
		return ce.Code
	}
	return 0
}

// latencies collects durations and reports percentiles.
type latencies []time.Duration

// pct returns the p-th percentile (0 < p <= 100).
func (l latencies) pct(p float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	s := append(latencies(nil), l...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(float64(len(s))*p/100+0.5) - 1
	return s[max(0, min(i, len(s)-1))]
}

// mib formats a byte count in MiB.
func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
