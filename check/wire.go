//go:build !js

package check

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"wsplay/core"
	"wsplay/reach"
)

// session is one case's connection: the raw TCP stream, the frame reader
// over it and the record of what went each way.
type session struct {
	t        *reach.Target
	opts     Options
	deadline time.Time

	nc   net.Conn
	br   *bufio.Reader
	fr   *core.FrameReader
	key  string
	resp *core.ServerResponse

	sent, recv         frameLog
	sentHead, recvHead string // HTTP heads, for the handshake cases
	writeErr           error
	pending            *event // an event read ahead, returned by the next call to next
	stop               func() bool

	// zeroKey masks every frame with the key 00 00 00 00 (the frames
	// stage): legal, the server cannot tell, and a server that does not
	// unmask yet still echoes right.
	zeroKey bool
	// maskedData is the payload of the data frames sent, as masked on the
	// wire, to recognise a server that echoes it still masked.
	maskedData []byte
	// status is the status code of the first response head read, and
	// statusLine its line; 0 and "" when none was.
	status     int
	statusLine string
	// dialRefused is set when nothing listened at the address.
	dialRefused bool
	// notHTTP is set when bytes came back that are not an HTTP response.
	notHTTP bool
	in      *countReader // the connection, counting the bytes read
	// inflater reads the server's compressed messages when the
	// handshake agreed permessage-deflate (the compression cases); nil
	// otherwise.
	inflater *core.Inflater
}

// countReader counts the bytes read through it.
type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// open dials the target and, when handshake is set, runs a valid opening
// handshake. It returns a verdict when the case cannot go on.
func (s *session) open(ctx context.Context, handshake bool) *verdict {
	nc, err := reach.Dial(ctx, s.t)
	if err != nil {
		if errors.Is(err, syscall.ECONNREFUSED) {
			s.dialRefused = true
		}
		return failf(tr("cannot connect to %s: %v. Is the server running? If it was, it may have crashed in an earlier case.", "无法连接到 %s：%v。服务器在运行吗？如果之前在运行，它可能在前面的某个用例中崩溃了。"), s.t.Addr, err)
	}
	nc.SetDeadline(s.deadline)
	s.nc = nc
	// Cancelling the run ends the case's waits at once.
	s.stop = context.AfterFunc(ctx, func() { nc.SetDeadline(time.Unix(1, 0)) })
	s.in = &countReader{r: nc}
	s.br = bufio.NewReaderSize(s.in, core.DefaultBufferSize)
	if !handshake {
		return nil
	}
	req := &core.ClientRequest{Host: s.t.Host, Target: s.t.Path}
	resp, err := s.handshake(req.AppendRequest(nil))
	s.key = req.Key
	if err != nil {
		return s.handshakeFailed(err)
	}
	if err := resp.Verify(req); err != nil {
		v := s.handshakeFailed(err)
		v.diag = acceptMistake(req.Key, resp.Header.Get("Sec-WebSocket-Accept"))
		return v
	}
	s.resp = resp
	s.fr = core.NewFrameReader(s.br, core.Client, 0)
	s.sentHead, s.recvHead = "", ""
	return nil
}

// handshake writes a request head (all at once) and reads the response head.
func (s *session) handshake(head []byte) (*core.ServerResponse, error) {
	s.sentHead = string(head)
	if _, err := s.nc.Write(head); err != nil {
		return nil, err
	}
	return s.readResponse()
}

func (s *session) readResponse() (*core.ServerResponse, error) {
	resp, err := core.ReadResponse(s.br, 0)
	if resp == nil && err != nil && s.in.n > 0 {
		s.notHTTP = true // bytes came, but not an HTTP response
	}
	if resp != nil {
		s.recvHead = responseHead(resp)
		if s.status == 0 {
			s.status = resp.Status
			s.statusLine = resp.Proto + " " + strconv.Itoa(resp.Status) + " " + resp.Reason
		}
	}
	return resp, err
}

func responseHead(resp *core.ServerResponse) string {
	var b strings.Builder
	b.WriteString(resp.Proto + " " + strconv.Itoa(resp.Status) + " " + resp.Reason + "\r\n")
	for _, f := range resp.Header {
		b.WriteString(f.Name + ": " + f.Value + "\r\n")
	}
	return b.String()
}

// handshakeFailed turns a failed opening handshake into a verdict.
func (s *session) handshakeFailed(err error) *verdict {
	var he *core.HandshakeError
	if errors.As(err, &he) {
		v := failf(tr("the opening handshake failed: %s", "握手失败：%s"), core.Words{EN: he.Rule.Text, ZH: he.Rule.TextIn(core.LangZH)})
		if he.Detail != "" {
			v.got = core.Words{EN: v.got.EN + ": " + he.Detail, ZH: v.got.ZH + "：" + he.Detail}
		}
		v.rule = &he.Rule
		v.lesson = "handshake"
		if he.Rule == core.RuleAcceptValue {
			v.lesson = "accept"
		}
		v.explain = tr("Every case starts with the opening handshake, and this server's answer broke a rule, so the case could not go on. The handshake cases at the top of the report show the exchange and what to fix first.",
			"每个用例都从握手开始，而这个服务器的回应违反了规则，所以用例无法继续。报告开头的握手用例展示了这次交换，以及首先要修正什么。")
		v.brief = true
		return v
	}
	var v *verdict
	if s.in != nil && s.in.n > 0 && s.status == 0 {
		// Bytes came, then the stream ended or stalled before a whole
		// HTTP head: the server speaks another protocol.
		v = failf(tr("the server sent %d bytes that do not make an HTTP response head, then %s: it does not answer like an HTTP server", "服务器发送了 %d 个构不成 HTTP 响应头的字节，然后%s：它的回应不像 HTTP 服务器"), s.in.n, endWord(err))
	} else {
		v = s.transportVerdict(err, tr("the answer to the opening handshake", "握手的回应"))
	}
	v.lesson = "handshake"
	return v
}

// transportVerdict describes a read or write that failed: a hang, a closed
// or reset connection.
func (s *session) transportVerdict(err error, waitingFor core.Words) *verdict {
	switch {
	case isTimeout(err):
		return failf(tr("nothing came within the time limit (%s) while waiting for %s: the server hangs, perhaps waiting for bytes that were already sent", "等待%[2]s时，在时限（%[1]s）内什么也没有来：服务器挂起了，也许在等待早已发出的字节"), s.opts.Timeout, waitingFor)
	case isClosed(err):
		return failf(tr("the server closed the TCP connection while the check waited for %s, without a close frame: it may have crashed (look at its output)", "检查在等待%s时，服务器没有发送关闭帧就关闭了 TCP 连接：它可能崩溃了（请看它的输出）"), waitingFor)
	}
	return failf(tr("reading %s failed: %v", "读取%s失败：%v"), waitingFor, err)
}

// endWord says how a read ended.
func endWord(err error) core.Words {
	switch {
	case isTimeout(err):
		return tr("nothing more within the time limit", "在时限内再没有别的")
	case isClosed(err):
		return tr("it closed the connection", "关闭了连接")
	}
	return sayf(tr("the read failed (%s)", "读取失败（%s）"), err.Error())
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

func isClosed(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, net.ErrClosed)
}

func (s *session) close() {
	if s.stop != nil {
		s.stop()
	}
	if s.nc != nil {
		s.nc.Close()
	}
}

// frameSpec describes a frame the check sends.
type frameSpec struct {
	fin      bool
	rsv      byte
	op       core.Opcode
	payload  []byte
	unmasked bool // send it without a mask, breaking §5.1 on purpose
}

func text(fin bool, p string) frameSpec {
	return frameSpec{fin: fin, op: core.OpText, payload: []byte(p)}
}

// wire encodes a frame as a client sends it: masked with a fresh random key,
// or with 00 00 00 00 when zeroKey is set.
func (f frameSpec) wire(zeroKey bool) []byte {
	h := core.FrameHeader{Fin: f.fin, Rsv: f.rsv, Opcode: f.op, Length: uint64(len(f.payload)), Masked: !f.unmasked}
	if h.Masked && !zeroKey {
		for h.Key == ([4]byte{}) { // a random key that shows masking
			rand.Read(h.Key[:])
		}
	}
	return core.AppendFrame(make([]byte, 0, h.Size()+len(f.payload)), h, f.payload)
}

// encode encodes a frame for this session, logs it, and keeps its masked
// payload when it is a data frame.
func (s *session) encode(f frameSpec) []byte {
	b := f.wire(s.zeroKey)
	s.sent.add(b)
	if !f.op.IsControl() && len(s.maskedData) < maxKeptMasked {
		if _, n, err := core.ParseFrameHeader(b); err == nil {
			s.maskedData = append(s.maskedData, b[n:]...)
		}
	}
	return b
}

// maxKeptMasked bounds maskedData: the largest message the masking cases
// send fits.
const maxKeptMasked = 1 << 20

// send writes frames, each in one write. A write error is kept: the read
// that follows reports what the server did.
func (s *session) send(frames ...frameSpec) {
	for _, f := range frames {
		s.write(s.encode(f))
	}
}

// sendTogether writes frames in a single write.
func (s *session) sendTogether(frames ...frameSpec) {
	var all []byte
	for _, f := range frames {
		all = append(all, s.encode(f)...)
	}
	s.write(all)
}

// sendChunked writes a frame one byte per write, pausing between writes so
// that the server gets the bytes in many reads.
func (s *session) sendChunked(f frameSpec) {
	s.writeChunked(s.encode(f))
}

func (s *session) writeChunked(b []byte) {
	for i := range b {
		if !s.write(b[i : i+1]) {
			return
		}
		time.Sleep(s.opts.ChunkDelay)
	}
}

func (s *session) write(b []byte) bool {
	if s.writeErr != nil {
		return false
	}
	_, s.writeErr = s.nc.Write(b)
	return s.writeErr == nil
}

// event is what the server did next, as seen by the check.
type event struct {
	kind       eventKind
	op         core.Opcode // message: its opcode
	data       []byte      // message or pong payload (a compressed message inflated)
	frames     int         // message: how many frames it came in
	wireLen    int         // compressed message: its payload bytes on the wire
	compressed bool        // message: it came compressed (RSV1 on its first frame)
	code       core.StatusCode
	reason     string
	badBody    error // close: its body broke a rule
	err        error // transport or protocol error
}

type eventKind int

const (
	evMessage eventKind = iota
	evPong
	evClose
	evEnd // the stream ended or was reset, without a close frame
	evTimeout
	evBadFrame // the server's frame broke a rule; err is the *core.ProtocolError
	evError
	evTooBig // the server's message passed the check's own limit; err says so
)

// maxMessage is the check's own limit on a message from the server, in
// bytes: Options.MaxMessage, or twice the largest message the check sends
// plus 1 MiB. A frame or a message that would pass it fails the case
// instead of growing the check's memory (a hostile server may send an
// endless fragmented message).
func (s *session) maxMessage() uint64 {
	if s.opts.MaxMessage > 0 {
		return uint64(s.opts.MaxMessage)
	}
	m := uint64(1 << 20)
	for _, n := range s.opts.LargeSizes {
		m = max(m, uint64(n))
	}
	return 2*m + 1<<20
}

// tooBig is the event of a server message past maxMessage.
func (s *session) tooBig(what string) event {
	return event{kind: evTooBig, err: errors.New(what + ", more than the check's own limit of " + strconv.FormatUint(s.maxMessage(), 10) +
		" bytes for one message (twice the largest message it sent, plus 1 MiB); the check stops reading rather than hold it")}
}

// next reads until the server's next message, pong (when wantPong), close
// frame or the end of the stream. It answers the server's pings, as a client
// must (§5.5.2), and skips pongs unless wantPong.
func (s *session) next(wantPong bool) event {
	if s.pending != nil {
		ev := *s.pending
		s.pending = nil
		return ev
	}
	var msg event
	inMsg := false
	for {
		h, err := s.fr.NextFrame()
		if err != nil {
			var pe *core.ProtocolError
			if errors.As(err, &pe) {
				s.recv.add(s.fr.HeaderBytes())
				return event{kind: evBadFrame, err: pe}
			}
			return s.ioEvent(err)
		}
		if h.Length > s.maxMessage() {
			s.recv.add(s.fr.HeaderBytes())
			return s.tooBig("the server announced a frame of " + strconv.FormatUint(h.Length, 10) + " bytes")
		}
		if inMsg && !h.Opcode.IsControl() && uint64(len(msg.data))+h.Length > s.maxMessage() {
			s.recv.add(s.fr.HeaderBytes())
			return s.tooBig("the server's message grew past " + strconv.Itoa(len(msg.data)) + " bytes in " + strconv.Itoa(msg.frames) + " frames and went on")
		}
		wire := append([]byte(nil), s.fr.HeaderBytes()...)
		payload, err := io.ReadAll(s.fr)
		s.recv.add(append(wire, payload...))
		if err != nil {
			return s.ioEvent(err)
		}
		if s.inflater != nil && h.Rsv != 0 && (h.Opcode.IsControl() || h.Opcode == core.OpContinuation) {
			// RFC 7692 §6.1; the FrameReader allows RSV1 on any frame.
			return event{kind: evBadFrame, err: &core.ProtocolError{Code: core.StatusProtocolError, Rules: []core.Rule{core.RuleCompressedBit}}}
		}
		switch h.Opcode {
		case core.OpPing:
			s.send(frameSpec{fin: true, op: core.OpPong, payload: payload})
			continue
		case core.OpPong:
			if wantPong {
				return event{kind: evPong, data: payload}
			}
			continue
		case core.OpClose:
			code, reason, err := core.ParseClosePayload(payload)
			return event{kind: evClose, code: code, reason: reason, badBody: err, data: payload}
		}
		if !inMsg {
			msg = event{kind: evMessage, op: h.Opcode, compressed: h.Rsv != 0 && s.inflater != nil}
			inMsg = true
		}
		msg.data = append(msg.data, payload...)
		msg.frames++
		if h.Fin {
			if msg.compressed {
				return s.inflate(msg)
			}
			return msg
		}
	}
}

func (s *session) ioEvent(err error) event {
	switch {
	case isTimeout(err):
		return event{kind: evTimeout, err: err}
	case isClosed(err):
		return event{kind: evEnd, err: err}
	}
	return event{kind: evError, err: err}
}

// waitEnd reads until the server closes the TCP connection, after the
// closing handshake. It returns the event that ended the wait: evEnd when the
// server closed it.
func (s *session) waitEnd() event {
	buf := make([]byte, 512)
	for {
		n, err := s.br.Read(buf)
		if n > 0 {
			s.recv.add(buf[:n])
			return event{kind: evMessage, data: buf[:n]}
		}
		if err != nil {
			return s.ioEvent(err)
		}
	}
}

// frameLog keeps the first frames that went one way, each cut after a few
// dozen payload bytes, for the report.
type frameLog struct {
	frames [][]byte
	sizes  []int
	total  int
}

const (
	logFrames       = 8  // frames kept
	logPayloadBytes = 48 // payload bytes kept per frame
)

func (l *frameLog) add(b []byte) {
	l.total += len(b)
	if len(l.frames) >= logFrames {
		return
	}
	keep := len(b)
	if _, n, err := core.ParseFrameHeader(b); err == nil {
		keep = min(len(b), n+logPayloadBytes)
	}
	l.frames = append(l.frames, append([]byte(nil), b[:keep]...))
	l.sizes = append(l.sizes, len(b))
}

// hex returns the kept bytes in hex, a frame per group, with what was cut,
// said in lang.
func (l *frameLog) hex(lang string) string {
	if len(l.frames) == 0 {
		return ""
	}
	var parts []string
	for i, f := range l.frames {
		s := spaced(f)
		if l.sizes[i] > len(f) {
			s += " … " + sayf(tr("(%d bytes)", "（%d 字节）"), l.sizes[i]).In(lang)
		}
		parts = append(parts, s)
	}
	if n := len(l.frames); l.total > sum(l.sizes) {
		parts = append(parts, sayf(tr("… and %d more bytes after these %d frames", "……这 %[2]d 帧之后还有 %[1]d 字节"), l.total-sum(l.sizes), n).In(lang))
	}
	return strings.Join(parts, " | ")
}

func sum(xs []int) int {
	t := 0
	for _, x := range xs {
		t += x
	}
	return t
}

func spaced(b []byte) string {
	h := hex.EncodeToString(b)
	var sb strings.Builder
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString(h[i : i+2])
	}
	return sb.String()
}

// describe decodes each kept frame with core.ExplainFrame, as receiver reads
// it: one line per frame, with the rules it breaks.
func (l *frameLog) describe(receiver core.Role, lang string) []string {
	var out []string
	for i, f := range l.frames {
		out = append(out, describeFrame(core.ExplainFrameIn(f, receiver, lang), l.sizes[i], lang))
	}
	return out
}

func describeFrame(e core.FrameExplanation, size int, lang string) string {
	zh := lang == core.LangZH
	say := func(en, cn string) string {
		if zh {
			return cn
		}
		return en
	}
	if e.HeaderSize == 0 {
		return say("a partial frame header: ", "不完整的帧头：") + spaced(e.Payload)
	}
	h := e.Header
	s := h.Opcode.String() + " frame, FIN " + bit(h.Fin)
	if zh {
		kind := messageKind(h.Opcode, lang)
		if kind == h.Opcode.String() {
			kind += " "
		}
		s = kind + "帧，FIN " + bit(h.Fin)
	}
	if h.Rsv != 0 {
		s += say(", RSV bits ", "，RSV 位 ") + strconv.Itoa(int(h.Rsv>>2&1)) + strconv.Itoa(int(h.Rsv>>1&1)) + strconv.Itoa(int(h.Rsv&1))
	}
	if h.Masked {
		s += say(", masked", "，已加掩码")
	} else {
		s += say(", not masked", "，未加掩码")
	}
	s += say(", "+strconv.FormatUint(h.Length, 10)+"-byte payload", "，载荷 "+strconv.FormatUint(h.Length, 10)+" 字节")
	if len(e.Fields) > 0 {
		if f := e.Fields[len(e.Fields)-1]; f.Name == "Payload Data" && h.Length > 0 {
			v := f.Value
			if len(v) > 2*logPayloadBytes+2 {
				v = v[:2*logPayloadBytes] + "…"
			}
			s += say(": ", "：") + v
			if !e.Complete {
				s += say(" (first "+strconv.Itoa(len(e.Payload))+" bytes shown)", "（只显示前 "+strconv.Itoa(len(e.Payload))+" 字节）")
			}
		}
	}
	for _, r := range e.Problems {
		s += say("; breaks: ", "；违反：") + r.CiteIn(lang)
	}
	return s
}

func bit(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// headLines splits an HTTP head into its lines, for the report.
func headLines(head string) []string {
	return strings.Split(strings.TrimRight(head, "\r\n"), "\r\n")
}
