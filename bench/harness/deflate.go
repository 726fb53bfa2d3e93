package main

import (
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"wsplay/core"
)

// deflateOffer is the permessage-deflate offer the load generator sends in
// its compressed cells: the one Chromium and Firefox send (RFC 7692 §7.1),
// which lets the server bound the client's window and keeps context
// takeover in both directions allowed.
const deflateOffer = "permessage-deflate; client_max_window_bits"

// deflateServers are the servers whose echo negotiates permessage-deflate
// (started with -compress where that is a flag). gobwas is left out: its
// server is the low-level frame loop of gobwas's README, and compression
// (gobwas/ws/wsflate) needs a different, message-level loop around wsutil,
// which would no longer be the server measured in the other cells.
var deflateServers = map[string]bool{"wsplay": true, "gorilla": true, "coder": true, "gws": true}

// deflateState is a compressed connection's side of the extension: what
// the server agreed to, and the inflater for its echoes.
type deflateState struct {
	clientBits      int  // the window our messages must fit (client_max_window_bits)
	serverNoContext bool // the server starts every message afresh
	fr              io.ReadCloser
	src             bytes.Reader
	dict            []byte // the server's last 32 KiB when it takes over context
	out             bytes.Buffer
	wire            int64 // compressed payload bytes received
	plain           int64 // what they inflated to
	uncompressed    int64 // echoes the server sent without compressing
}

// parseDeflateAnswer reads the server's Sec-WebSocket-Extensions answer to
// deflateOffer: nil when it declined, an error when the answer is not one
// the offer allows (RFC 7692 §7.1).
func parseDeflateAnswer(h http.Header) (*deflateState, error) {
	exts, errs := core.ParseExtensionList(h.Values("Sec-WebSocket-Extensions"))
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(exts) == 0 {
		return nil, nil
	}
	if len(exts) > 1 || exts[0].Name != "permessage-deflate" {
		return nil, fmt.Errorf("the server answered extensions %v to an offer of %q (RFC 6455 §9.1)", exts, deflateOffer)
	}
	z := &deflateState{clientBits: 15}
	for _, p := range exts[0].Params {
		switch p.Name {
		case "server_no_context_takeover":
			z.serverNoContext = true
		case "client_no_context_takeover", "server_max_window_bits":
			// The first is what the load generator does anyway; the
			// second bounds the server's window, which 32 KiB of
			// dictionary covers whatever it is.
		case "client_max_window_bits":
			bits, err := strconv.Atoi(p.Value)
			if err != nil || bits < 8 || bits > 15 {
				return nil, fmt.Errorf("client_max_window_bits=%q is not 8–15 (RFC 7692 §7.1.2.2)", p.Value)
			}
			z.clientBits = bits
		default:
			return nil, fmt.Errorf("the server answered the parameter %q, which permessage-deflate does not define (RFC 7692 §7.1)", p.Name)
		}
	}
	z.fr = flate.NewReader(nil)
	return z, nil
}

// deflatePiece is the most text one DEFLATE stream of the load
// generator's message holds: the smallest window a server here asks of
// the client (wsplay's client_max_window_bits=12). Every server then gets
// the same bytes, so their figures compare their own work only.
const deflatePiece = 1 << 12

// deflateMessage compresses p as a permessage-deflate sender whose window
// is 2^bits bytes: compress/flate always looks back up to 32 KiB, so p is
// cut into pieces of at most the window's size (and deflatePiece), each
// compressed by a fresh stream and sync-flushed, and the streams are laid
// end to end. No match then reaches before its piece, so the result fits
// the window, and it refers to nothing sent before, so it is valid with
// or without context takeover. The last sync flush's 00 00 ff ff is
// removed (§7.2.1). Level 6, compress/flate's default, is what a
// browser's zlib uses.
func deflateMessage(p []byte, bits int) []byte {
	var out bytes.Buffer
	fw, _ := flate.NewWriter(&out, flate.DefaultCompression)
	piece := min(1<<bits, deflatePiece)
	for len(p) > 0 {
		n := min(len(p), piece)
		fw.Reset(&out) // a fresh stream: nothing before this piece to refer to
		fw.Write(p[:n])
		fw.Flush()
		p = p[n:]
	}
	return bytes.TrimSuffix(out.Bytes(), []byte{0, 0, 0xff, 0xff})
}

// preparedTexts caches jsonText and its compressed form by size and
// window, so that thousands of connections share one copy.
var preparedTexts sync.Map // [2]int{size, bits} → *preparedText

type preparedText struct{ plain, z []byte }

func preparedFor(size, bits int) *preparedText {
	if v, ok := preparedTexts.Load([2]int{size, bits}); ok {
		return v.(*preparedText)
	}
	t := &preparedText{plain: jsonText(size)}
	t.z = deflateMessage(t.plain, bits)
	v, _ := preparedTexts.LoadOrStore([2]int{size, bits}, t)
	return v.(*preparedText)
}

// inflate decompresses one compressed message of at most limit bytes.
func (z *deflateState) inflate(payload []byte, limit int) ([]byte, error) {
	z.wire += int64(len(payload))
	z.src.Reset(append(payload, 0x00, 0x00, 0xff, 0xff, 0x01, 0x00, 0x00, 0xff, 0xff))
	var dict []byte
	if !z.serverNoContext {
		dict = z.dict
	}
	if err := z.fr.(flate.Resetter).Reset(&z.src, dict); err != nil {
		return nil, err
	}
	z.out.Reset()
	n, err := io.Copy(&z.out, io.LimitReader(z.fr, int64(limit)+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("inflating an echo: %w (RFC 7692 §7.2.2)", err)
	case n > int64(limit):
		return nil, fmt.Errorf("an echo inflates to more than the %d bytes sent", limit)
	}
	msg := z.out.Bytes()
	z.plain += int64(len(msg))
	if !z.serverNoContext {
		z.keepWindow(msg)
	}
	return msg, nil
}

// keepWindow keeps the last 32 KiB the server sent, the most a DEFLATE
// match can reach back.
func (z *deflateState) keepWindow(msg []byte) {
	const window = 32 << 10
	z.dict = append(z.dict, msg...)
	if len(z.dict) > window {
		z.dict = append(z.dict[:0], z.dict[len(z.dict)-window:]...)
	}
}

// jsonText returns size bytes of JSON-like text, as chat or telemetry
// messages look: repeated keys and structure, varying values. It
// compresses to about a fifth, like such traffic does.
func jsonText(size int) []byte {
	r := rand.New(rand.NewPCG(7692, uint64(size)))
	words := []string{"status", "update", "online", "typing", "delivered", "read", "joined", "left", "ping", "price", "order", "filled"}
	var b strings.Builder
	b.WriteByte('[')
	for i := 0; b.Len() < size; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":%d,"user":"user-%d","event":"%s","room":"room-%d","ts":%d,"value":%.2f,"text":"%s %s %s"}`,
			1000+i, r.IntN(500), words[r.IntN(len(words))], r.IntN(20), 1733300000000+r.Int64N(1e6),
			r.Float64()*1000, words[r.IntN(len(words))], words[r.IntN(len(words))], words[r.IntN(len(words))])
	}
	s := b.String()[:size-1] + "]"
	return []byte(s)
}

// prepareDeflate builds the compressed text frame for messages of size
// bytes of jsonText, once; every message of the connection is this frame.
func (c *client) prepareDeflate(size int) {
	c.op = opText
	t := preparedFor(size, c.z.clientBits)
	c.want = t.plain
	c.frame, c.off = clientFrame(c.frame[:0], opText, c.key, t.z)
	c.frame[0] |= 0x40 // RSV1: the message is compressed (RFC 7692 §6)
	c.buf = make([]byte, 0, size+size/4+1024)
}

// receiveDeflate reads the next echo, inflates it when compressed, and
// checks that it is, byte for byte, the message sent.
func (c *client) receiveDeflate() error {
	limit := len(c.want) + len(c.want)/4 + 1024 // a server may send what does not compress larger
	op, rsv1, msg, err := readMessageRSV(c.br, c.buf, limit, true)
	if err != nil {
		return err
	}
	seq := c.echoed
	c.echoed++
	if op != c.op {
		return fmt.Errorf("echo of message %d has opcode %#x, sent %#x", seq, op, c.op)
	}
	if rsv1 {
		if msg, err = c.z.inflate(msg, len(c.want)); err != nil {
			return err
		}
	} else {
		c.z.wire += int64(len(msg))
		c.z.plain += int64(len(msg))
		c.z.uncompressed++
	}
	if !bytes.Equal(msg, c.want) {
		return fmt.Errorf("echo of message %d differs from what was sent (%d bytes, sent %d)", seq, len(msg), len(c.want))
	}
	return nil
}

// probeDeflate checks, before any load, that the server accepts the offer
// and echoes compressed text of each size byte for byte.
func probeDeflate(addr string, sizes []int) error {
	c, err := dialCell(addr, cell{deflate: true})
	if err != nil {
		return err
	}
	defer c.nc.Close()
	c.nc.SetDeadline(time.Now().Add(10 * time.Second))
	for _, size := range sizes {
		c.prepareDeflate(size)
		for range 3 { // more than once: an inflater that keeps a window must keep the right one
			if err := errors.Join(c.send(), c.receive()); err != nil {
				return fmt.Errorf("compressed %s: %w", sizeName(size), err)
			}
		}
	}
	return nil
}

// plainRows returns the rows of the cells without compression: the chart
// compares those only.
func plainRows(rows []row) []row {
	return slices.DeleteFunc(slices.Clone(rows), func(r row) bool { return r.cell.deflate })
}
