package core

// Compressing and inflating messages, RFC 7692 §6 and §7.2: a compressed
// message has RSV1 (the "Per-Message Compressed" bit) set on its first
// frame only; its payload, across all its frames, is a raw DEFLATE stream
// (RFC 1951) that ends in a sync flush, with the flush's last four bytes,
// 00 00 ff ff, removed. The receiver appends them again and inflates.
// DeflateParams (extension.go) says how wsplay keeps memory small: fresh
// streams for what it sends, only the peer's window kept between the
// messages it receives, compressors and inflaters in pools.

import (
	"errors"
	"io"
	"strconv"
	"sync"
)

// rsvCompressed is RSV1 as FrameHeader.Rsv holds it: the Per-Message
// Compressed bit of RFC 7692 §6.
const rsvCompressed = 0x4

// deflateTail is what a sync flush ends with and what §7.2.1 removes from
// every compressed message: an empty stored block's LEN and NLEN.
var deflateTail = [4]byte{0x00, 0x00, 0xff, 0xff}

// inflateEnd is appended after the tail when inflating: an empty stored
// block with BFINAL set, so that the inflater ends the stream with io.EOF
// rather than asking for a block that will never come.
var inflateEnd = [5]byte{0x01, 0x00, 0x00, 0xff, 0xff}

// flateWriter and flateReader are what this file needs of compress/flate.
// The codec is registered by deflate_flate.go, outside the WebAssembly
// build: compress/flate would add about 150 KB to the page's module,
// which has no connection to compress.
type flateWriter interface {
	io.Writer
	Flush() error
	Reset(w io.Writer)
}

type flateReader interface {
	io.Reader
	Reset(r io.Reader, dict []byte) error
}

// flateCodec makes writers (huffmanOnly: Huffman coding without LZ77
// matches) and readers; nil when the build has none.
var flateCodec struct {
	newWriter func(w io.Writer, huffmanOnly bool) flateWriter
	newReader func(r io.Reader) flateReader
}

// deflateAvailable reports whether this build can compress.
func deflateAvailable() bool { return flateCodec.newWriter != nil }

// deflater is a pooled compressor with the buffer it writes into.
type deflater struct {
	fw  flateWriter
	out sliceWriter
}

// sliceWriter appends what it is written to b.
type sliceWriter struct{ b []byte }

func (w *sliceWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

// deflaters and huffmanDeflaters are shared by all connections: a writer
// of compress/flate's fastest level holds about 1 MiB, so a connection
// takes one only for the time it compresses one message.
var deflaters, huffmanDeflaters sync.Pool

func getDeflater(huffmanOnly bool) *deflater {
	pool := &deflaters
	if huffmanOnly {
		pool = &huffmanDeflaters
	}
	if d, ok := pool.Get().(*deflater); ok {
		return d
	}
	d := &deflater{}
	d.fw = flateCodec.newWriter(&d.out, huffmanOnly)
	return d
}

func putDeflater(d *deflater, huffmanOnly bool) {
	d.out.b = nil // the pool must not keep the caller's buffer
	if huffmanOnly {
		huffmanDeflaters.Put(d)
	} else {
		deflaters.Put(d)
	}
}

// AppendDeflate appends p compressed as permessage-deflate sends it
// (RFC 7692 §7.2.1): a fresh raw DEFLATE stream, sync-flushed, without
// the final 00 00 ff ff. window is the sender's max_window_bits: a message
// longer than 2^window bytes is compressed with Huffman coding only, so
// that no match reaches further back than the window (see DeflateParams).
// It panics in a build without a DEFLATE codec (the WebAssembly module).
func AppendDeflate(dst, p []byte, window int) []byte {
	huffmanOnly := window < MaxWindowBits && len(p) > 1<<window
	d := getDeflater(huffmanOnly)
	d.out.b = dst
	d.fw.Reset(&d.out)
	d.fw.Write(p) // a sliceWriter never fails
	d.fw.Flush()
	out := d.out.b
	putDeflater(d, huffmanOnly)
	// A sync flush always ends in the tail; remove it (§7.2.1).
	if n := len(out) - len(deflateTail); n >= len(dst) && [4]byte(out[n:]) == deflateTail {
		out = out[:n]
	}
	return out
}

// inflater is a pooled compress/flate reader with its source: the
// compressed payload, then deflateTail and inflateEnd.
type inflater struct {
	fr  flateReader
	src inflateSource
}

// inflateSource reads the compressed payload and then the bytes §7.2.2
// appends. It is an io.ByteReader, so compress/flate reads from it
// directly, without a bufio.Reader of its own.
type inflateSource struct {
	z   []byte
	pos int
}

func (s *inflateSource) at(i int) byte {
	if i < len(s.z) {
		return s.z[i]
	}
	i -= len(s.z)
	if i < len(deflateTail) {
		return deflateTail[i]
	}
	return inflateEnd[i-len(deflateTail)]
}

func (s *inflateSource) size() int { return len(s.z) + len(deflateTail) + len(inflateEnd) }

func (s *inflateSource) ReadByte() (byte, error) {
	// compress/flate calls this once per compressed byte: the payload's
	// own bytes take the short way, the nine appended ones the long.
	if s.pos < len(s.z) {
		b := s.z[s.pos]
		s.pos++
		return b, nil
	}
	if s.pos >= s.size() {
		return 0, io.EOF
	}
	s.pos++
	return s.at(s.pos - 1), nil
}

func (s *inflateSource) Read(p []byte) (int, error) {
	if s.pos >= s.size() {
		return 0, io.EOF
	}
	n := 0
	if s.pos < len(s.z) {
		n = copy(p, s.z[s.pos:])
	}
	for ; n < len(p) && s.pos+n < s.size(); n++ {
		p[n] = s.at(s.pos + n)
	}
	s.pos += n
	return n, nil
}

// inflaters are shared by all connections: a compress/flate reader holds
// its 32 KiB window and its Huffman tables, about 40 KiB.
var inflaters sync.Pool

func getInflater(z, dict []byte) *inflater {
	in, ok := inflaters.Get().(*inflater)
	if !ok {
		in = &inflater{}
		in.fr = flateCodec.newReader(&in.src)
	}
	in.src = inflateSource{z: z}
	in.fr.Reset(&in.src, dict)
	return in
}

func putInflater(in *inflater) {
	in.src = inflateSource{} // the pool must not keep the caller's buffer
	inflaters.Put(in)
}

// deflateState is a Conn's side of permessage-deflate.
type deflateState struct {
	params DeflateParams
	// sendBits is the window of what this end sends.
	sendBits int
	// peerTakeover: the peer may refer to its earlier messages, so the
	// last peerWindow bytes inflated are kept in dict.
	peerTakeover bool
	peerWindow   int
	dict         []byte
}

func newDeflateState(role Role, p DeflateParams) *deflateState {
	d := &deflateState{params: p, sendBits: p.ServerMaxWindowBits, peerTakeover: !p.ClientNoContextTakeover, peerWindow: 1 << p.ClientMaxWindowBits}
	if role == Client {
		d.sendBits, d.peerTakeover, d.peerWindow = p.ClientMaxWindowBits, !p.ServerNoContextTakeover, 1<<p.ServerMaxWindowBits
	}
	return d
}

// remember keeps the last peerWindow bytes of what the peer's stream has
// produced, msg being its latest message, as the dictionary of the next.
func (d *deflateState) remember(msg []byte) {
	if !d.peerTakeover {
		return
	}
	w := d.peerWindow
	if len(msg) >= w {
		msg = msg[len(msg)-w:]
	}
	keep := min(len(d.dict), w-len(msg))
	need := keep + len(msg)
	if cap(d.dict) < need {
		// Grow to what is needed, never past the window: the
		// dictionary is what an idle connection holds.
		nd := make([]byte, keep, min(w, max(need, 2*cap(d.dict))))
		copy(nd, d.dict[len(d.dict)-keep:])
		d.dict = append(nd, msg...)
		return
	}
	n := copy(d.dict, d.dict[len(d.dict)-keep:])
	d.dict = append(d.dict[:n], msg...)
}

// compressedWireLimit is the most compressed bytes a message of at most
// limit bytes may take on the wire: DEFLATE can expand data, by 5 bytes
// per 64 KiB stored, or by an eighth with fixed Huffman codes.
func compressedWireLimit(limit int64) int64 {
	return limit + limit/8 + 1024
}

// inflateMessage replaces the compressed payload in dst[start:] with its
// inflated bytes, checking the size limit (§7.4.1's 1009) and, for text,
// UTF-8 while the bytes come out, so that a small payload that inflates
// to gigabytes (a decompression bomb) costs no more than the limit. It
// returns the *ProtocolError for the caller to fail the connection with.
func (c *Conn) inflateMessage(dst []byte, start int, text bool) ([]byte, error) {
	d := c.deflate
	// The compressed bytes move to a scratch copy, so the message can be
	// inflated into the same buffer.
	charged := c.chargeCopy(len(dst) - start)
	defer c.unchargeCopy(charged)
	zp := deflateBuffers.Get().(*[]byte)
	z := append((*zp)[:0], dst[start:]...)
	defer func() {
		if cap(z) <= keepMessageBuffer {
			*zp = z[:0]
		}
		deflateBuffers.Put(zp)
	}()
	dst = dst[:start]
	var dict []byte
	if d.peerTakeover {
		dict = d.dict
	}
	in := getInflater(z, dict)
	defer putInflater(in)
	limit := c.cfg.MaxMessageSize
	for {
		if len(dst) == cap(dst) {
			var err error
			// Room doubles as bytes come out, up to one past the
			// limit: enough to tell a message that is too big.
			grow := min(max(len(dst)-start, c.cfg.ReadBufferSize), int(min(limit+1-int64(len(dst)-start), 1<<30)))
			if dst, err = c.growMessage(dst, grow); err != nil {
				return dst, err
			}
		}
		free := dst[len(dst):cap(dst)]
		if room := limit - int64(len(dst)-start) + 1; int64(len(free)) > room {
			free = free[:room]
		}
		n, err := in.fr.Read(free)
		dst = dst[:len(dst)+n]
		if int64(len(dst)-start) > limit {
			return dst, &ProtocolError{Code: StatusMessageTooBig, Rules: []Rule{{ID: RuleMessageTooBig.ID,
				Text: RuleMessageTooBig.Text + " (" + strconv.FormatInt(limit, 10) + " bytes, inflated)", Section: RuleMessageTooBig.Section}}}
		}
		if text && !c.utf8.feed(free[:n]) {
			return dst, newProtocolError(StatusInvalidPayload, RuleInvalidUTF8)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return dst, &ProtocolError{Code: StatusInvalidPayload, Rules: []Rule{{ID: RuleInflate.ID,
				Text: RuleInflate.Text + " (" + err.Error() + ")", Section: RuleInflate.Section}}}
		}
	}
	d.remember(dst[start:])
	return dst, nil
}

// deflateBuffers hold compressed messages: the one being sent, or the
// scratch copy of one being inflated.
var deflateBuffers = sync.Pool{New: func() any {
	b := make([]byte, 0, DefaultBufferSize)
	return &b
}}

// minCompressSize is the shortest message worth compressing. A DEFLATE
// block costs a few bytes of header and ends with the sync flush's
// empty block; compress/flate's fastest level stores data of up to 16
// bytes as it is and codes up to 128 without matches, so a shorter
// message never shrinks and the attempt would only cost time (a chat
// message is compressed once per reader).
const minCompressSize = 32

// writeCompressed sends p as one compressed message, in frames of at most
// size payload bytes when size > 0, RSV1 on the first only (§6.1). When
// compressing does not make p smaller (short or random data), p goes out
// uncompressed, which §6 allows for any message.
func (c *Conn) writeCompressed(op Opcode, p []byte, size int) error {
	if len(p) < minCompressSize {
		c.writeMu.Lock()
		defer c.writeMu.Unlock()
		return c.writeFramesLocked(op, p, size)
	}
	zp := deflateBuffers.Get().(*[]byte)
	z := AppendDeflate((*zp)[:0], p, c.deflate.sendBits)
	defer func() {
		if cap(z) <= keepMessageBuffer {
			*zp = z[:0]
		}
		deflateBuffers.Put(zp)
	}()
	return c.writeDeflated(op, p, z, size)
}

// writeDeflated sends p, whose compressed form is z, as writeCompressed
// says.
func (c *Conn) writeDeflated(op Opcode, p, z []byte, size int) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	if len(z) >= len(p) {
		return c.writeFramesLocked(op, p, size)
	}
	if c.cfg.OnCompressed != nil && c.writeErr == nil && !c.closing.sent.Load() {
		c.cfg.OnCompressed(Sent, p)
	}
	c.sendRSV = rsvCompressed
	err := c.writeFramesLocked(op, z, size)
	c.sendRSV = 0
	return err
}

// writeFramesLocked sends p as one message in frames of at most size
// payload bytes (one frame when size <= 0), the RSV bits of c.sendRSV on
// the first frame only. The caller holds writeMu.
func (c *Conn) writeFramesLocked(op Opcode, p []byte, size int) error {
	if size <= 0 || size >= len(p) {
		return c.writeFrameLocked(true, op, p, false)
	}
	rsv := c.sendRSV
	defer func() { c.sendRSV = rsv }()
	for first := true; first || len(p) > 0; first = false {
		n := min(size, len(p))
		frameOp := OpContinuation
		if first {
			frameOp = op
		} else {
			c.sendRSV = 0
		}
		if err := c.writeFrameLocked(n == len(p), frameOp, p[:n], false); err != nil {
			return err
		}
		p = p[n:]
	}
	return nil
}

// PreparedMessage is a message for many connections, compressed once for
// all of them: wsplay starts every compressed message afresh (see
// DeflateParams), so its compressed bytes are the same on every
// connection that negotiated permessage-deflate. A chat room that sends
// each message to every member compresses it once, not once per member.
type PreparedMessage struct {
	op   Opcode
	data []byte
	// z holds the compressed forms, made on first use: [0] as usual,
	// [1] with Huffman coding only, for a peer whose window is smaller
	// than the message.
	once [2]sync.Once
	z    [2][]byte
}

// NewPreparedMessage prepares data to be sent as one message of opcode op
// (OpText or OpBinary). It keeps data: the caller must not change it
// afterwards.
func NewPreparedMessage(op Opcode, data []byte) *PreparedMessage {
	return &PreparedMessage{op: op, data: data}
}

// Data returns the message's payload.
func (pm *PreparedMessage) Data() []byte { return pm.data }

// compressed returns the message compressed for a sender whose window is
// 2^bits bytes.
func (pm *PreparedMessage) compressed(bits int) []byte {
	i, window := 0, MaxWindowBits
	if bits < MaxWindowBits && len(pm.data) > 1<<bits {
		i, window = 1, minWindowBits
	}
	pm.once[i].Do(func() { pm.z[i] = AppendDeflate(nil, pm.data, window) })
	return pm.z[i]
}

// WritePreparedMessage sends pm as WriteMessage sends its payload: one
// frame, compressed when permessage-deflate was negotiated and that makes
// it smaller. Any number of connections may send the same pm at once.
func (c *Conn) WritePreparedMessage(pm *PreparedMessage) error {
	if c.deflate == nil || len(pm.data) < minCompressSize {
		return c.WriteMessage(pm.op, pm.data)
	}
	return c.writeDeflated(pm.op, pm.data, pm.compressed(c.deflate.sendBits), 0)
}

// ErrWindowUnknown is Inflater.Inflate's error for a message that takes
// context over when an earlier message of the same sender was not
// inflated to its end: the window it refers to is not known.
var ErrWindowUnknown = errors.New("the sender's window is unknown: an earlier message was not inflated to its end")

// Inflater inflates, outside a Conn, the compressed messages that one end
// of a connection sends, as the Conn that receives them does: the same
// pooled inflaters, and the sender's window kept between messages when it
// takes context over (see DeflateParams). A tap that watches both
// directions of a connection needs one per direction.
type Inflater struct {
	d    *deflateState
	lost bool // a message was cut or broken: the window is unknown
	buf  []byte
}

// NewInflater returns an Inflater for the messages that sender sends on a
// connection that agreed p.
func NewInflater(p DeflateParams, sender Role) *Inflater {
	// deflateState is made for the receiving end.
	receiver := Server
	if sender == Server {
		receiver = Client
	}
	return &Inflater{d: newDeflateState(receiver, p)}
}

// Inflate inflates z, one compressed message's payload (its frames'
// payloads, unmasked, in order, without the 00 00 ff ff of §7.2.1), and
// passes the inflated bytes to out in pieces as they come out; out must
// not keep a piece. It stops once more than limit bytes came out, so that
// a small payload that inflates to gigabytes costs no more than the
// limit: cut then says the message is larger, n counts the bytes passed
// (limit + 1 at most). Data that is not valid DEFLATE is a
// *ProtocolError naming RuleInflate, as a Conn fails with. After a cut or
// broken message, a message that takes context over is refused with
// ErrWindowUnknown; one that does not is inflated as usual. Like
// AppendDeflate, it panics in a build without a DEFLATE codec (the
// WebAssembly module).
func (f *Inflater) Inflate(z []byte, limit int64, out func([]byte)) (n int64, cut bool, err error) {
	if f.lost && f.d.peerTakeover {
		return 0, false, ErrWindowUnknown
	}
	if f.buf == nil {
		f.buf = make([]byte, 16<<10)
	}
	var dict []byte
	if f.d.peerTakeover {
		dict = f.d.dict
	}
	in := getInflater(z, dict)
	defer putInflater(in)
	for {
		free := f.buf
		if room := limit + 1 - n; int64(len(free)) > room {
			free = free[:room]
		}
		k, rerr := in.fr.Read(free)
		if k > 0 {
			n += int64(k)
			out(free[:k])
			f.d.remember(free[:k])
		}
		if n > limit {
			f.lost = true
			return n, true, nil
		}
		if rerr == io.EOF {
			return n, false, nil
		}
		if rerr != nil {
			f.lost = true
			return n, false, &ProtocolError{Code: StatusInvalidPayload, Rules: []Rule{{ID: RuleInflate.ID,
				Text: RuleInflate.Text + " (" + rerr.Error() + ")", Section: RuleInflate.Section, ZH: RuleInflate.ZH}}}
		}
	}
}
