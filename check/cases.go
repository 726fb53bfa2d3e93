//go:build !js

package check

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"wsplay/core"
)

// Category is a group of cases, scored together in the summary.
type Category struct {
	ID    string
	Title core.Words
}

// Categories in the order the report lists them.
var Categories = []Category{
	{"handshake", tr("Opening handshake", "握手")},
	{"frames", tr("Single frames", "单个帧")},
	{"masking", tr("Masking", "掩码")},
	{"fragments", tr("Fragmented messages", "分片消息")},
	{"control", tr("Ping, pong and control frames", "ping、pong 和控制帧")},
	{"reserved", tr("Reserved bits and opcodes", "保留位和保留操作码")},
	{"utf8", tr("UTF-8", "UTF-8 校验")},
	{"compression", tr("Compression (permessage-deflate)", "压缩（permessage-deflate）")},
	{"close", tr("Closing handshake", "关闭握手")},
	{"large", tr("Large messages", "大消息")},
	{"chunks", tr("Partial reads", "分段读取")},
}

// Case is one check.
type Case struct {
	ID       string
	Category string
	// Stage is the id of the stage (Stages) the case belongs to.
	Stage string
	// Title says what the case checks, in one line, in each language.
	Title core.Words
	// Lesson is the slug of the lesson that explains the rule.
	Lesson string
	// Rule is the requirement checked; a verdict may name a more precise
	// one.
	Rule core.Rule
	// Explain is the paragraph a learner reads when the case fails or
	// warns, in each language.
	Explain core.Words
	// RawHandshake cases get a connection without the opening handshake.
	RawHandshake bool
	run          func(s *session) *verdict
}

// verdict is what a case decided.
type verdict struct {
	brief   bool // no evidence in the report: it is the same in every case
	status  Status
	got     core.Words
	rule    *core.Rule // when not the case's rule
	lesson  string     // when not the case's lesson
	explain core.Words // when not the case's paragraph
	diag    string     // the id of a classic mistake recognised (Diagnosis)
	silent  bool       // nothing came: a timeout or the TCP connection closed
}

// passf, warnf and failf make a verdict whose "got" is format, in each
// language, with a (see sayf).
func passf(format core.Words, a ...any) *verdict {
	return &verdict{status: Pass, got: sayf(format, a...)}
}
func warnf(format core.Words, a ...any) *verdict {
	return &verdict{status: Warn, got: sayf(format, a...)}
}
func failf(format core.Words, a ...any) *verdict {
	return &verdict{status: Fail, got: sayf(format, a...)}
}

func (v *verdict) withRule(r core.Rule) *verdict        { v.rule = &r; return v }
func (v *verdict) withLesson(slug string) *verdict      { v.lesson = slug; return v }
func (v *verdict) withExplain(text core.Words) *verdict { v.explain = text; return v }
func (v *verdict) withDiag(id string) *verdict          { v.diag = id; return v }
func (v *verdict) also(format core.Words, a ...any) *verdict {
	v.got = join(v.got, sayf(format, a...))
	return v
}

// Cases returns the cases a run with opts executes, in order.
func Cases(opts Options) []Case {
	opts = opts.withDefaults()
	var all []Case
	last := stageIndex(opts.Stage)
	for _, c := range allCases(opts) {
		if i := stageIndex(c.Stage); i >= 0 && i <= last {
			all = append(all, c)
		}
	}
	if len(opts.Run) == 0 {
		return all
	}
	var out []Case
	for _, c := range all {
		for _, w := range opts.Run {
			if w != "" && strings.Contains(c.ID, w) {
				out = append(out, c)
				break
			}
		}
	}
	return out
}

func allCases(opts Options) []Case {
	var cs []Case
	cs = append(cs, handshakeCases()...)
	cs = append(cs, frameCases()...)
	cs = append(cs, maskingCases()...)
	cs = append(cs, fragmentCases()...)
	cs = append(cs, controlCases()...)
	cs = append(cs, reservedCases()...)
	cs = append(cs, utf8Cases()...)
	cs = append(cs, compressionCases()...)
	cs = append(cs, closeCases()...)
	cs = append(cs, largeCases(opts.LargeSizes)...)
	cs = append(cs, chunkCases()...)
	for i := range cs {
		cs[i].Stage = stageOfCase(cs[i].ID)
	}
	// In the order of the stages; within a stage, in the order above.
	slices.SortStableFunc(cs, func(a, b Case) int { return stageIndex(a.Stage) - stageIndex(b.Stage) })
	return cs
}

// stageOfCase maps a case id to its stage: the stage whose lessons teach
// what the case needs.
func stageOfCase(id string) string {
	switch {
	case strings.HasPrefix(id, "handshake.") || id == "chunks.handshake":
		return "handshake"
	case id == "frame.unmasked" || strings.HasPrefix(id, "masking."):
		return "masking"
	case strings.HasPrefix(id, "frame.") || strings.HasPrefix(id, "large.") || strings.HasPrefix(id, "chunks.") || strings.HasPrefix(id, "reserved."):
		return "frames"
	case strings.HasPrefix(id, "fragments."):
		return "fragments"
	case strings.HasPrefix(id, "control."):
		return "control"
	case strings.HasPrefix(id, "close."):
		return "close"
	case strings.HasPrefix(id, "utf8."):
		return "utf8"
	case strings.HasPrefix(id, "compression."):
		return "compression"
	}
	return ""
}

// ---- expectations shared by the cases ----

// expectEcho reads the next message and checks it is payload with opcode op.
func (s *session) expectEcho(op core.Opcode, payload []byte) *verdict {
	ev := s.next(false)
	if ev.kind != evMessage {
		return s.unexpected(ev, sayf(tr("the %s message back", "发回的%s消息"), op))
	}
	if v := s.echoMistake(ev, payload); v != nil {
		return v
	}
	return compareEcho(ev, op, payload)
}

// recvSizes are the buffer sizes of a single recv call that learners'
// servers use; a reply cut at one of them was read with one call.
var recvSizes = []int{1024, 2048, 4096, 8192, 16384, 32768, 65536}

// echoMistake recognises two classic mistakes in a wrong echo: the payload
// sent back still masked, and a reply cut at the size of one recv.
func (s *session) echoMistake(ev event, payload []byte) *verdict {
	if bytes.Equal(ev.data, payload) {
		return nil
	}
	if len(ev.data) > 0 && bytes.Equal(ev.data, s.maskedData) && !bytes.Equal(s.maskedData, payload) {
		return failf(tr("a %d-byte %s message came back, but its bytes are exactly the masked bytes the check sent: the server echoed the payload without unmasking it (%s).",
			"发回了一条 %d 字节的%s消息，但它的字节正是检查发出的加了掩码的字节：服务器没有去掩码就把载荷发回来了（%s）。"), len(ev.data), ev.op, preview(ev.data)).
			withRule(core.RuleUnmaskPayload).withLesson("masking").withDiag(DiagEchoedMasked).
			withExplain(tr("A client masks every payload byte with its 4-byte masking key (byte i XOR key[i mod 4]), a fresh key per frame. The server must apply the same XOR again to get the data back before it uses it. This server sent the masked bytes back as they came, so the client reads noise. (The frames stage masks with the key 00 00 00 00, which changes nothing, so a server that does not unmask passes there and fails here.)",
				"客户端用 4 字节的掩码键给载荷的每个字节加掩码（第 i 个字节 XOR key[i mod 4]），每一帧都用新的掩码键。服务器必须再做一次同样的 XOR，取回数据之后才能使用。这个服务器把加了掩码的字节原样发回，客户端读到的只是乱码。（“帧”阶段用掩码键 00 00 00 00 加掩码，这不改变任何字节，所以不去掩码的服务器在那里能通过，在这里会失败。）"))
	}
	if len(ev.data) < len(payload) && (bytes.HasPrefix(payload, ev.data) || bytes.HasPrefix(s.maskedData, ev.data)) {
		hdr := core.FrameHeader{Length: uint64(len(payload)), Masked: true}.Size()
		for _, n := range recvSizes {
			if len(ev.data) == n || len(ev.data)+hdr == n {
				return failf(tr("a %d-byte message was sent; only its first %d bytes came back: with the %d-byte frame header that is %d bytes, the size of one recv(%d).",
					"发出了一条 %d 字节的消息，只发回了前 %d 字节：加上 %d 字节的帧头正好 %d 字节，即一次 recv(%d) 的大小。"), len(payload), len(ev.data), hdr, len(ev.data)+hdr, n).
					withRule(core.RuleByteStream).withLesson("mistakes").withDiag(DiagCutAtRecv).
					withExplain(sayf(tr("The reply stops where one read of %d bytes ended: the server read the frame with a single recv(%d) and sent back what that read returned. TCP delivers a stream of bytes, and a large frame arrives over many reads. Read until the whole header is there, then keep reading until you have as many payload bytes as the length field announced.",
						"回复停在一次 %d 字节的读取结束的地方：服务器只用一次 recv(%d) 读这一帧，并把这次读取的结果发了回来。TCP 传送的是字节流，大的帧要分多次读取才能到齐。先读到整个帧头，再一直读，直到载荷字节数达到长度字段所说的数目。"), n, n))
			}
		}
	}
	return nil
}

func compareEcho(ev event, op core.Opcode, payload []byte) *verdict {
	if ev.op != op && len(ev.data) != len(payload) {
		return failf(tr("a %s message of %d bytes was sent; a %s message of %d bytes came back: the opcode is wrong and the payload is %s.",
			"发出了一条 %[2]d 字节的%[1]s消息，发回的是一条 %[4]d 字节的%[3]s消息：操作码错了，载荷%[5]s。"), op, len(payload), ev.op, len(ev.data), firstDiff(payload, ev.data))
	}
	if ev.op != op {
		return failf(tr("a %s message of %d bytes was sent; a %s message of %d bytes came back.",
			"发出了一条 %[2]d 字节的%[1]s消息，发回的是一条 %[4]d 字节的%[3]s消息。"), op, len(payload), ev.op, len(ev.data)).
			withRule(core.RuleEchoOpcode).withLesson("frame-anatomy").
			withExplain(tr("The opcode in the first byte of a frame says what the payload is: 0x1 text, 0x2 binary. A server that always replies with 0x81 (FIN and text) turns every binary message into text, which a browser then fails to decode as UTF-8. Send the reply with the opcode of the message received (and remember that the first frame's opcode is the message's; continuation frames carry 0x0).",
				"帧的第一个字节中的操作码说明载荷是什么：0x1 是文本，0x2 是二进制。总是用 0x81（FIN 加文本）回复的服务器会把每条二进制消息都变成文本，浏览器随后按 UTF-8 解码就会失败。回复时请用收到的消息的操作码（记住：第一帧的操作码就是消息的操作码，延续帧带的是 0x0）。"))
	}
	if !bytes.Equal(ev.data, payload) {
		return failf(tr("a %s message of %d bytes was sent; a %s message of %d bytes came back, %s: %s.",
			"发出了一条 %[2]d 字节的%[1]s消息，发回的是一条 %[4]d 字节的%[3]s消息，%[5]s：%[6]s。"), op, len(payload), ev.op, len(ev.data), firstDiff(payload, ev.data), preview(ev.data))
	}
	how := tr("in one frame", "用一帧")
	if ev.frames > 1 {
		how = sayf(tr("in %d frames", "用 %d 帧"), ev.frames)
	}
	return passf(tr("the %s message came back unchanged (%d bytes, %s).", "%s消息原样发回（%d 字节，%s）。"), op, len(payload), how)
}

// firstDiff says where got differs from want.
func firstDiff(want, got []byte) core.Words {
	n := min(len(want), len(got))
	for i := range n {
		if want[i] != got[i] {
			return sayf(tr("different from byte %d on", "从第 %d 个字节起不同"), i)
		}
	}
	if len(got) < len(want) {
		return sayf(tr("cut short after %d bytes", "在 %d 字节之后被截断"), len(got))
	}
	return sayf(tr("with %d extra bytes at the end", "末尾多了 %d 字节"), len(got)-len(want))
}

// unexpected describes an event that is not the one the case waited for.
func (s *session) unexpected(ev event, wanted core.Words) *verdict {
	switch ev.kind {
	case evMessage:
		return failf(tr("expected %s; a %s message of %d bytes came instead: %s.", "等待的是%s；来的却是一条 %[3]d 字节的%[2]s消息：%[4]s。"), wanted, ev.op, len(ev.data), preview(ev.data))
	case evPong:
		return failf(tr("expected %s; a pong came instead.", "等待的是%s；来的却是一个 pong。"), wanted)
	case evClose:
		if ev.badBody != nil {
			return failf(tr("expected %s; the server sent a close frame that breaks a rule: %v.", "等待的是%s；服务器发来的关闭帧违反了规则：%v。"), wanted, ev.badBody).withRule(firstRule(ev.badBody)).withLesson("closing")
		}
		return failf(tr("expected %s; the server closed the connection with %s instead%s.", "等待的是%s；服务器却以 %s 关闭了连接%s。"), wanted, ev.code, quoteReason(ev.reason))
	case evBadFrame:
		return s.badFrame(ev, wanted)
	case evError:
		return failf(tr("expected %s; %v.", "等待的是%s；%v。"), wanted, ev.err)
	case evTooBig:
		return failf(tr("expected %s; %v.", "等待的是%s；%v。"), wanted, ev.err).withRule(core.RuleMessageTooBig).
			withExplain(tr("The check keeps at most this many bytes of one message from the server, so that a server that sends without end cannot fill the checker's memory. No case asks for such a message: look at how your server builds its reply.",
				"对服务器发来的一条消息，检查最多保留这么多字节，免得一个无休止发送的服务器占满检查程序的内存。没有哪个用例要求这样的消息：请看看你的服务器是怎样构造回复的。"))
	}
	v := s.transportVerdict(ev.err, wanted)
	v.silent = ev.kind == evTimeout || ev.kind == evEnd
	return v
}

// badFrame reports a frame of the server's that breaks the rules: the
// FrameReader in the client role refused it.
func (s *session) badFrame(ev event, wanted core.Words) *verdict {
	r := firstRule(ev.err)
	lesson := "frame-anatomy"
	diag := ""
	if r == core.RuleServerNoMask {
		lesson, diag = "masking", DiagServerMasks
	}
	return failf(tr("expected %s; the server sent a frame that breaks the rules: %v.", "等待的是%s；服务器发来的帧违反了规则：%v。"), wanted, ev.err).withRule(r).withLesson(lesson).withDiag(diag).
		withExplain(tr("The client decodes the server's frames with the same rules the server applies to the client's. This frame would make a browser fail the connection. The decoded frame below shows which field is wrong.",
			"客户端用服务器检查客户端帧时的同一套规则来解码服务器的帧。这一帧会让浏览器使连接失败。下面解码出的帧显示了哪个字段有错。"))
}

func firstRule(err error) core.Rule {
	if pe, ok := err.(*core.ProtocolError); ok && len(pe.Rules) > 0 {
		return pe.Rules[0]
	}
	return core.RuleFrameError
}

func quoteReason(r string) core.Words {
	if r == "" {
		return core.Words{}
	}
	return sayf(tr(" (reason %q)", "（原因 %q）"), r)
}

// preview shows the start of a payload for a one-line message.
func preview(b []byte) string {
	const n = 40
	cut := b
	if len(cut) > n {
		cut = cut[:n]
	}
	s := strconv.Quote(string(cut))
	if len(b) > n {
		s += "…"
	}
	return s
}

// expectRefusal checks that the server fails the connection with want after
// a frame it must refuse (§7.1.7).
func (s *session) expectRefusal(want core.StatusCode) *verdict {
	ev := s.next(false)
	switch ev.kind {
	case evClose:
		switch {
		case ev.badBody != nil:
			return failf(tr("the server closed, but its close frame breaks a rule: %v.", "服务器关闭了连接，但它的关闭帧违反了规则：%v。"), ev.badBody).withRule(firstRule(ev.badBody)).withLesson("closing")
		case ev.code == want:
			return passf(tr("the server failed the connection with %s%s.", "服务器以 %s 使连接失败%s。"), ev.code, quoteReason(ev.reason))
		case want == core.StatusInvalidPayload && ev.code == core.StatusProtocolError:
			return warnf(tr("the server failed the connection with %s; %s is the code for data that does not match its type, such as invalid UTF-8.",
				"服务器以 %s 使连接失败；数据与其类型不符（例如无效的 UTF-8）时应该用的关闭码是 %s。"), ev.code, want).
				withExplain(tr("Refusing the message is what matters, and the server did. The status code tells the client why: 1002 says the framing was broken, 1007 says the framing was fine but the data was not valid for its type (RFC 6455 §7.4.1). Use 1007 for invalid UTF-8.",
					"关键是拒绝这条消息，服务器做到了。关闭码告诉客户端原因：1002 表示分帧出错，1007 表示分帧没问题但数据对其类型无效（RFC 6455 §7.4.1）。无效的 UTF-8 请用 1007。"))
		case ev.code == core.StatusNoStatusReceived:
			return warnf(tr("the server closed the connection, but its close frame has no status code; %s tells the client why.", "服务器关闭了连接，但它的关闭帧不带关闭码；%s 能告诉客户端原因。"), want).withRule(core.RuleFailWithClose)
		}
		return warnf(tr("the server closed the connection with %s%s; the code for this is %s.", "服务器以 %s 关闭了连接%s；这种情况的关闭码是 %s。"), ev.code, quoteReason(ev.reason), want).withRule(core.RuleFailWithClose)
	case evEnd:
		return warnf(tr("the server closed the TCP connection without sending a close frame first; a close frame with %s would tell the client why.", "服务器没有先发送关闭帧就关闭了 TCP 连接；带 %s 的关闭帧能告诉客户端原因。"), want).withRule(core.RuleFailWithClose).
			withExplain(tr("Refusing the frame is right, and the server did. But it dropped the TCP connection without a word, so the client only sees 1006 (abnormal closure) and cannot tell a refused frame from a crash. Failing the connection means: send a close frame with the status code (1002 for a broken framing rule, 1007 for invalid data), then close the TCP connection (RFC 6455 §7.1.7).",
				"拒绝这一帧是对的，服务器也做到了。但它一声不响地断掉了 TCP 连接，客户端只能看到 1006（异常关闭），分不清是帧被拒绝还是服务器崩溃了。使连接失败的做法是：先发送一个带关闭码的关闭帧（违反分帧规则用 1002，数据无效用 1007），再关闭 TCP 连接（RFC 6455 §7.1.7）。"))
	case evMessage:
		return failf(tr("the server accepted the frame and echoed it back as a %s message of %d bytes: %s. It must refuse it and close the connection with %s.",
			"服务器接受了这一帧，并把它作为一条 %[2]d 字节的%[1]s消息发了回来：%[3]s。它必须拒绝这一帧，并以 %[4]s 关闭连接。"), ev.op, len(ev.data), preview(ev.data), want)
	case evTimeout:
		v := failf(tr("the server neither refused the frame nor answered within the time limit (%s); it must close the connection with %s.", "服务器在时限（%s）内既没有拒绝这一帧，也没有回应；它必须以 %s 关闭连接。"), s.opts.Timeout, want)
		v.silent = true
		return v
	}
	return s.unexpected(ev, sayf(tr("a close frame with %s", "带 %s 的关闭帧"), want))
}

// payloadOf returns n bytes: text when op is OpText (ASCII, so every cut is
// valid UTF-8), else bytes from a fixed pseudo-random sequence.
func payloadOf(op core.Opcode, n int) []byte {
	b := make([]byte, n)
	if op == core.OpText {
		const alphabet = "wsplay checks every length form. "
		for i := range b {
			b[i] = alphabet[i%len(alphabet)]
		}
		return b
	}
	r := rand.New(rand.NewPCG(6455, uint64(n)))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// ---- the opening handshake ----

func handshakeCases() []Case {
	verify := func(stage int) func(s *session) *verdict {
		return func(s *session) *verdict {
			req := &core.ClientRequest{Host: s.t.Host, Target: s.t.Path}
			resp, err := s.handshake(req.AppendRequest(nil))
			if err != nil {
				return s.handshakeFailed(err).withExplain(core.Words{})
			}
			err = resp.Verify(req)
			he, _ := err.(*core.HandshakeError)
			if he != nil {
				// The stage at which each rule is checked; the others
				// (subprotocol, extensions) count with the Accept value.
				at := map[core.Rule]int{core.RuleStatus101: 0, core.RuleStatusLine: 0, core.RuleResponseUpgrade: 1, core.RuleResponseConnection: 1}
				if st, ok := at[he.Rule]; !ok && stage == 2 || ok && st <= stage {
					v := failf(tr("the server's answer breaks the rule.", "服务器的回应违反了这条规则。"))
					if he.Detail != "" {
						v.got = core.Words{EN: he.Detail + ".", ZH: he.Detail + "。"}
					}
					if he.Rule == core.RuleAcceptValue {
						v.diag = acceptMistake(req.Key, resp.Header.Get("Sec-WebSocket-Accept"))
						if t, ok := acceptMistakeText(v.diag); ok {
							v.got = join(v.got, t)
						}
					}
					return v.withRule(he.Rule)
				}
			}
			switch stage {
			case 0:
				return passf(tr("the server answered %s %d %s.", "服务器回应 %s %d %s。"), resp.Proto, resp.Status, resp.Reason)
			case 1:
				return passf(tr("Upgrade: %s and Connection: %s.", "响应带有 Upgrade: %s 和 Connection: %s。"), resp.Header.Get("Upgrade"), strings.Join(resp.Header.Values("Connection"), ", "))
			}
			return passf(tr("Sec-WebSocket-Accept: %s is right for the key %s.", "Sec-WebSocket-Accept: %s 对 Sec-WebSocket-Key %s 是正确的。"), resp.Header.Get("Sec-WebSocket-Accept"), req.Key)
		}
	}
	refusal := func(head func(s *session) string, want int, wantHeader bool) func(s *session) *verdict {
		return func(s *session) *verdict {
			resp, err := s.handshake([]byte(head(s)))
			if err != nil {
				if he, ok := err.(*core.HandshakeError); ok {
					return failf(tr("the answer is not HTTP: %v.", "回应不是 HTTP：%v。"), he).withRule(he.Rule)
				}
				return s.transportVerdict(err, tr("an HTTP error status", "一个 HTTP 错误状态"))
			}
			version := resp.Header.Get("Sec-WebSocket-Version")
			switch {
			case resp.Status == 101:
				return failf(tr("the server accepted the request with 101 Switching Protocols; it must refuse it with %d.", "服务器以 101 Switching Protocols 接受了这个请求；它必须以 %d 拒绝。"), want)
			case resp.Status < 400 || resp.Status > 499:
				return failf(tr("the server answered %d %s; a request the server must refuse gets a 4xx status, here %d.", "服务器回应 %d %s；服务器必须拒绝的请求应得到 4xx 状态，这里是 %d。"), resp.Status, resp.Reason, want)
			case wantHeader && !resp.Header.HasToken("Sec-WebSocket-Version", core.Version):
				return failf(tr("the server refused with %d %s but without Sec-WebSocket-Version: 13, so the client cannot learn which version to use.", "服务器以 %d %s 拒绝了，但没有带 Sec-WebSocket-Version: 13，客户端无从知道该用哪个版本。"), resp.Status, resp.Reason)
			case resp.Status != want:
				v := warnf(tr("the server refused with %d %s; %d is the status the RFC names for this.", "服务器以 %d %s 拒绝了；RFC 为这种情况指定的状态是 %d。"), resp.Status, resp.Reason, want)
				if wantHeader {
					v.also(tr("It did send Sec-WebSocket-Version: %s.", "它确实发送了 Sec-WebSocket-Version: %s。"), version)
				}
				return v
			}
			v := passf(tr("the server refused with %d %s", "服务器以 %d %s 拒绝了"), resp.Status, resp.Reason)
			if wantHeader {
				v.also(tr("and Sec-WebSocket-Version: %s.", "，并带有 Sec-WebSocket-Version: %s。"), version)
			}
			return v
		}
	}
	head := func(s *session, version, key string) string {
		h := "GET " + s.t.Path + " HTTP/1.1\r\nHost: " + s.t.Host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
		if key != "" {
			h += "Sec-WebSocket-Key: " + key + "\r\n"
		}
		return h + "Sec-WebSocket-Version: " + version + "\r\n\r\n"
	}
	return []Case{
		{ID: "handshake.status", Category: "handshake", Lesson: "handshake", RawHandshake: true,
			Title: tr("a valid request gets the status line HTTP/1.1 101 Switching Protocols",
				"有效的请求得到状态行 HTTP/1.1 101 Switching Protocols"),
			Rule: core.RuleStatus101,
			Explain: tr("The opening handshake is an HTTP request that asks to switch protocols. The server accepts with the status line \"HTTP/1.1 101 Switching Protocols\" and from then on both sides speak WebSocket frames on the same TCP connection. Any other status means the handshake failed, and a browser gives up. Check the exact text of your status line and that it ends with \\r\\n.",
				"握手是一个请求切换协议的 HTTP 请求。服务器用状态行“HTTP/1.1 101 Switching Protocols”表示接受，此后双方在同一条 TCP 连接上使用 WebSocket 帧通信。任何其他状态都表示握手失败，浏览器会放弃连接。请核对状态行的确切文字，并确认它以 \\r\\n 结尾。"),
			run: verify(0)},
		{ID: "handshake.headers", Category: "handshake", Lesson: "handshake", RawHandshake: true,
			Title: tr("the 101 response has Upgrade: websocket and Connection: Upgrade",
				"101 响应带有 Upgrade: websocket 和 Connection: Upgrade"),
			Rule: core.RuleResponseUpgrade,
			Explain: tr("A 101 response must say which protocol the connection switches to (Upgrade: websocket) and that the Connection header applies to this hop (Connection: Upgrade). A browser checks both and fails the handshake if either is missing. Every header line ends with \\r\\n, and an empty line ends the response.",
				"101 响应必须说明连接切换到哪个协议（Upgrade: websocket），并说明 Connection 头字段作用于这一跳（Connection: Upgrade）。浏览器会检查这两项，缺了任何一项都会让握手失败。每个头字段行以 \\r\\n 结尾，响应以一个空行结束。"),
			run: verify(1)},
		{ID: "handshake.accept", Category: "handshake", Lesson: "accept", RawHandshake: true,
			Title: tr("Sec-WebSocket-Accept is base64(SHA-1(key + GUID)) for a fresh random key",
				"对一个新的随机 Sec-WebSocket-Key，Sec-WebSocket-Accept 是 base64(SHA-1(key + GUID))"),
			Rule: core.RuleAcceptValue,
			// The two classic mistakes are core's words (core/words.go).
			Explain: join(tr("The Accept value proves that the server read this client's key: SHA-1 of the key followed by the GUID 258EAFA5-E914-47DA-95CA-C5AB0DC85B11, in base64.",
				"Accept 值证明服务器读了这个客户端的 Sec-WebSocket-Key：对它接上 GUID 258EAFA5-E914-47DA-95CA-C5AB0DC85B11 后做 SHA-1，再做 base64。"),
				join(join(acceptWords("accept.hash-text"), acceptWords("accept.base64-not-hex")),
					tr("The check sends a fresh random key, so a value copied from the RFC's example fails here.",
						"检查每次都发送新的随机 Sec-WebSocket-Key，所以照抄 RFC 示例的值在这里会失败。"))),
			run: verify(2)},
		{ID: "handshake.version", Category: "handshake", Lesson: "handshake", RawHandshake: true,
			Title: tr("a request with Sec-WebSocket-Version: 8 is refused with 426 and Sec-WebSocket-Version: 13",
				"带 Sec-WebSocket-Version: 8 的请求被以 426 和 Sec-WebSocket-Version: 13 拒绝"),
			Rule: core.RuleVersion,
			Explain: tr("Only version 13 of the protocol exists in RFC 6455. A server that accepts any version may be talking to a client that frames differently. It must refuse the handshake with an error status (426 Upgrade Required is the one the RFC names) and a Sec-WebSocket-Version header listing the versions it speaks, so that the client can retry with one of them.",
				"RFC 6455 中只有协议版本 13。接受任意版本的服务器可能在和一个分帧方式不同的客户端通信。它必须以错误状态（RFC 指定的是 426 Upgrade Required）拒绝握手，并用 Sec-WebSocket-Version 头字段列出它支持的版本，让客户端用其中之一重试。"),
			run: refusal(func(s *session) string { return head(s, "8", core.NewKey()) }, 426, true)},
		{ID: "handshake.no-key", Category: "handshake", Lesson: "handshake", RawHandshake: true,
			Title: tr("a request without Sec-WebSocket-Key is refused with 400 Bad Request",
				"不带 Sec-WebSocket-Key 的请求被以 400 Bad Request 拒绝"),
			Rule: core.RuleKeyPresent,
			Explain: tr("Without a Sec-WebSocket-Key there is nothing to compute the Accept value from: the request is not a WebSocket handshake, and the server must answer with an HTTP error (400 Bad Request) instead of crashing or hanging. A server that looks the header up without checking that it is there usually dies here with an exception.",
				"没有 Sec-WebSocket-Key，就无从计算 Accept 值：这个请求不是 WebSocket 握手，服务器必须以 HTTP 错误（400 Bad Request）作答，而不是崩溃或挂起。不先确认头字段存在就去读取它的服务器，通常会在这里抛出异常而退出。"),
			run: refusal(func(s *session) string { return head(s, core.Version, "") }, 400, false)},
	}
}

// ---- single frames ----

func frameCases() []Case {
	var cs []Case
	for _, op := range []core.Opcode{core.OpText, core.OpBinary} {
		for _, n := range []int{0, 125, 126, 65535, 65536} {
			rule, form := core.RuleLength7, tr("the 7-bit length", "7 位长度")
			switch {
			case n > 65535:
				rule, form = core.RuleLength64, tr("Payload len 127 and a 64-bit length", "Payload len 127 加 64 位长度")
			case n > 125:
				rule, form = core.RuleLength16, tr("Payload len 126 and a 16-bit length", "Payload len 126 加 16 位长度")
			}
			cs = append(cs, Case{
				ID: "frame." + op.String() + "-" + strconv.Itoa(n), Category: "frames", Lesson: "payload-length", Rule: rule,
				Title: sayf(tr("a %d-byte %s message (%s) comes back unchanged", "%d 字节的%s消息（%s）原样发回"), n, op, form),
				Explain: join(tr("The length of a payload has three forms: up to 125 bytes it sits in the 7 bits of Payload len; from 126 to 65535, Payload len is 126 and the next 2 bytes hold the length; from 65536 on, Payload len is 127 and the next 8 bytes hold it, both in network byte order (big-endian). The masking key comes after the length, so a wrong length form also shifts the key and garbles the payload. Test your server at the edges: 125, 126, 65535 and 65536 bytes. A reply cut to about 4 KB means the server read the frame with a single recv(4096): keep reading until the whole payload has arrived.",
					"载荷长度有三种写法：不超过 125 字节时直接写在 Payload len 的 7 位里；126 到 65535 时 Payload len 为 126，后面 2 个字节是长度；65536 及以上时 Payload len 为 127，后面 8 个字节是长度，两者都按网络字节序（大端序）写出。掩码键在长度之后，所以长度写法错了，掩码键的位置也跟着错，载荷就成了乱码。请在边界上测试你的服务器：125、126、65535 和 65536 字节。回复被截在 4 KB 左右，说明服务器只用一次 recv(4096) 读这一帧：要一直读，直到整个载荷都到齐。"), zeroKeyNote),
				run: func(s *session) *verdict {
					p := payloadOf(op, n)
					s.send(frameSpec{fin: true, op: op, payload: p})
					return s.expectEcho(op, p)
				},
			})
		}
	}
	// An ordinary message first: it is the stage's probe, and a server
	// that answers nothing to it does not read frames yet (an empty
	// message is an edge case, not a probe).
	for i, c := range cs {
		if c.ID == "frame.text-125" {
			cs = append(append([]Case{c}, cs[:i]...), cs[i+1:]...)
			break
		}
	}
	return cs
}

// zeroKeyNote tells a learner why the frames stage passes a server that
// does not unmask yet.
var zeroKeyNote = tr("In the frames stage the check masks every frame with the key 00 00 00 00, which is legal (the server cannot tell a zero key from another) and leaves the payload unchanged, so a server that does not unmask yet still echoes right; the masking stage sends random keys.",
	"在“帧”阶段，检查用掩码键 00 00 00 00 给每一帧加掩码，这是有效的（服务器分不出全零的掩码键和别的掩码键），而且不改变载荷，所以还不会去掩码的服务器也能正确回显；“掩码”阶段才发送随机的掩码键。")

// ---- masking ----

func maskingCases() []Case {
	explain := tr("Every frame a client sends is masked: the MASK bit is 1, a 4-byte masking key follows the length, and each payload byte i is XORed with key[i mod 4]. The key is fresh for every frame. The server reads the key and applies the same XOR to get the data back. These cases use random keys, so a server that skips unmasking sends back noise.",
		"客户端发出的每一帧都已加掩码：MASK 位为 1，长度之后是 4 字节的掩码键，载荷的第 i 个字节与 key[i mod 4] 做 XOR。每一帧都用新的掩码键。服务器读出掩码键，再做同样的 XOR 取回数据。这些用例使用随机的掩码键，所以跳过去掩码这一步的服务器发回的是乱码。")
	var cs []Case
	for _, m := range []struct {
		id      string
		op      core.Opcode
		n       int
		chunked bool
	}{{"masking.text", core.OpText, 32, false}, {"masking.text-126", core.OpText, 126, false}, {"masking.text-65536", core.OpText, 65536, false}, {"masking.chunked", core.OpText, 40, true}} {
		title := sayf(tr("a %d-byte %s message masked with a random key comes back unmasked", "用随机掩码键加了掩码的 %d 字节%s消息去掩码后发回"), m.n, m.op)
		if m.chunked {
			title = tr("a frame masked with a random key, written one byte per write, comes back unmasked", "用随机掩码键加了掩码、每次写入一个字节的帧去掩码后发回")
		}
		cs = append(cs, Case{
			ID: m.id, Category: "masking", Lesson: "masking", Rule: core.RuleUnmaskPayload, Explain: explain, Title: title,
			run: func(s *session) *verdict {
				p := payloadOf(m.op, m.n)
				if m.chunked {
					s.sendChunked(frameSpec{fin: true, op: m.op, payload: p})
				} else {
					s.send(frameSpec{fin: true, op: m.op, payload: p})
				}
				return s.expectEcho(m.op, p)
			},
		})
	}
	cs = append(cs, Case{
		ID: "frame.unmasked", Category: "masking", Lesson: "masking", Rule: core.RuleClientMasks,
		Title: tr("a client frame without a mask is refused with 1002", "未加掩码的客户端帧被以 1002 拒绝"),
		Explain: tr("Every frame a client sends must be masked (MASK bit 1 and a 4-byte key), and a server must fail the connection when one is not: masking protects proxies that would otherwise read attacker-chosen bytes as HTTP. Read the MASK bit; do not assume the key is there.",
			"客户端发出的每一帧都必须加掩码（MASK 位为 1，带 4 字节的掩码键），遇到未加掩码的帧，服务器必须使连接失败：掩码保护的是代理，否则它们可能把攻击者选定的字节当作 HTTP 来读。请读取 MASK 位，不要假定掩码键一定存在。"),
		run: func(s *session) *verdict {
			s.send(frameSpec{fin: true, op: core.OpText, payload: []byte("not masked"), unmasked: true})
			return s.expectRefusal(core.StatusProtocolError)
		},
	})
	return cs
}

// ---- fragmented messages ----

func fragmentCases() []Case {
	explain := tr("A message may come in several frames: the first has the message's opcode and FIN 0, the next ones opcode 0x0 (continuation), and the last has FIN 1. A server must join the fragments before it handles the message. The classic recipe ignores the FIN bit and answers each frame as a message of its own.",
		"一条消息可以分成几帧发送：第一帧带消息的操作码且 FIN 为 0，后面的帧操作码为 0x0（延续），最后一帧 FIN 为 1。服务器必须先把分片拼接起来，再处理这条消息。经典教程的写法忽略 FIN 位，把每一帧都当作一条独立的消息来回应。")
	return []Case{
		{ID: "fragments.text", Category: "fragments", Lesson: "fragmentation", Rule: core.RuleFragmentsJoined,
			Title: tr("a text message in 3 fragments comes back as one message", "分成 3 个分片的文本消息作为一条消息发回"), Explain: explain,
			run: func(s *session) *verdict {
				s.send(text(false, "Hello, "), frameSpec{op: core.OpContinuation, payload: []byte("fragmented ")}, frameSpec{fin: true, op: core.OpContinuation, payload: []byte("world")})
				return s.expectEcho(core.OpText, []byte("Hello, fragmented world"))
			}},
		{ID: "fragments.binary", Category: "fragments", Lesson: "fragmentation", Rule: core.RuleFragmentsJoined,
			Title: tr("a binary message in 2 fragments comes back as one message", "分成 2 个分片的二进制消息作为一条消息发回"), Explain: explain,
			run: func(s *session) *verdict {
				p := payloadOf(core.OpBinary, 300)
				s.send(frameSpec{op: core.OpBinary, payload: p[:100]}, frameSpec{fin: true, op: core.OpContinuation, payload: p[100:]})
				return s.expectEcho(core.OpBinary, p)
			}},
		{ID: "fragments.lone-continuation", Category: "fragments", Lesson: "fragmentation", Rule: core.RuleContinuationLone,
			Title: tr("a continuation frame with no message to continue is refused with 1002", "没有消息可延续的延续帧被以 1002 拒绝"),
			Explain: tr("A continuation frame (opcode 0x0) only makes sense after a text or binary frame with FIN 0. Arriving alone, it continues nothing, and the server must fail the connection with 1002 (protocol error) rather than guess.",
				"延续帧（操作码 0x0）只有跟在 FIN 为 0 的文本帧或二进制帧之后才有意义。单独到来时它什么也延续不了，服务器必须以 1002（协议错误）使连接失败，而不是去猜。"),
			run: func(s *session) *verdict {
				s.send(frameSpec{fin: true, op: core.OpContinuation, payload: []byte("continues nothing")})
				return s.expectRefusal(core.StatusProtocolError)
			}},
		{ID: "fragments.nested", Category: "fragments", Lesson: "fragmentation", Rule: core.RuleFragmentsNested,
			Title: tr("a new text frame in the middle of a fragmented message is refused with 1002", "分片消息中间出现的新文本帧被以 1002 拒绝"),
			Explain: tr("Messages cannot interleave: once a message has started with FIN 0, only continuation frames (and control frames) may follow until the frame with FIN 1. A text or binary frame in between is a protocol error, 1002.",
				"消息不能交错：一条消息以 FIN 0 开始之后，直到 FIN 为 1 的那一帧为止，后面只能是延续帧（和控制帧）。夹在中间的文本帧或二进制帧是协议错误，1002。"),
			run: func(s *session) *verdict {
				s.send(text(false, "first, "), text(true, "second"))
				return s.expectRefusal(core.StatusProtocolError)
			}},
	}
}

// ---- ping, pong and control frames ----

func controlCases() []Case {
	pongExplain := tr("A ping (opcode 0x9) asks the other side to prove it is alive: the answer is a pong (opcode 0xA) with exactly the ping's payload, not a text message. Browsers answer pings by themselves, and servers are expected to as well; a server that echoes the ping as text, or ignores it, looks dead to a client that pings.",
		"ping（操作码 0x9）要求对方证明自己还活着：回应是一个载荷与 ping 完全相同的 pong（操作码 0xA），而不是文本消息。浏览器会自动回应 ping，服务器也应当如此；把 ping 当作文本回显、或者不理睬它的服务器，在发 ping 的客户端看来就是死了。")
	pingPong := func(payload []byte) func(s *session) *verdict {
		return func(s *session) *verdict {
			s.send(frameSpec{fin: true, op: core.OpPing, payload: payload})
			ev := s.next(true)
			if ev.kind != evPong {
				return s.unexpected(ev, tr("a pong", "一个 pong"))
			}
			if !bytes.Equal(ev.data, payload) {
				return failf(tr("a pong came back with %d bytes %s; the ping carried %d bytes %s.", "发回的 pong 带有 %d 字节 %s；ping 带的是 %d 字节 %s。"), len(ev.data), preview(ev.data), len(payload), preview(payload))
			}
			return passf(tr("a pong came back with the ping's %d-byte payload.", "发回了一个 pong，带着 ping 的 %d 字节载荷。"), len(payload))
		}
	}
	return []Case{
		{ID: "control.ping", Category: "control", Lesson: "control-frames", Rule: core.RulePongPayload, Explain: pongExplain,
			Title: tr("a ping is answered with a pong carrying the same payload", "ping 得到载荷相同的 pong 回应"), run: pingPong([]byte("wsplay check ping"))},
		{ID: "control.ping-125", Category: "control", Lesson: "control-frames", Rule: core.RulePongPayload, Explain: pongExplain,
			Title: tr("a ping with the largest control payload (125 bytes) is answered with the same pong", "带最大控制帧载荷（125 字节）的 ping 得到相同的 pong 回应"), run: pingPong(payloadOf(core.OpBinary, 125))},
		{ID: "control.ping-between-fragments", Category: "control", Lesson: "control-frames", Rule: core.RuleControlBetween,
			Title: tr("a ping between two fragments is answered, and the message still comes back whole", "两个分片之间的 ping 得到回应，消息仍然完整发回"),
			Explain: tr("Control frames may arrive between the fragments of a message, so that a long message does not delay a ping or a close. The server must answer the ping at once and keep collecting the message. A server that treats every frame as the start of a message gets confused here.",
				"控制帧可以夹在一条消息的分片之间到来，这样长消息就不会耽误 ping 或关闭。服务器必须立即回应 ping，并继续收集这条消息。把每一帧都当作新消息开头的服务器会在这里出错。"),
			run: func(s *session) *verdict {
				s.send(text(false, "Hello, "), frameSpec{fin: true, op: core.OpPing, payload: []byte("between")})
				s.send(frameSpec{fin: true, op: core.OpContinuation, payload: []byte("fragments")})
				var gotPong bool
				var msg *event
				for !gotPong || msg == nil {
					ev := s.next(true)
					switch {
					case ev.kind == evPong && !gotPong:
						if !bytes.Equal(ev.data, []byte("between")) {
							return failf(tr("a pong came back with %s; the ping carried \"between\".", "发回的 pong 带有 %s；ping 带的是 \"between\"。"), preview(ev.data)).withRule(core.RulePongPayload)
						}
						gotPong = true
					case ev.kind == evMessage && msg == nil:
						msg = &ev
						if v := compareEcho(ev, core.OpText, []byte("Hello, fragments")); v.status != Pass {
							return v
						}
					default:
						want := tr("the pong", "那个 pong")
						if gotPong {
							want = tr("the text message \"Hello, fragments\"", "文本消息 \"Hello, fragments\"")
						}
						return s.unexpected(ev, want)
					}
				}
				return passf(tr("the pong and the whole message (\"Hello, fragments\") came back.", "pong 和完整的消息（\"Hello, fragments\"）都发回了。"))
			}},
		{ID: "control.unsolicited-pong", Category: "control", Lesson: "control-frames", Rule: core.RulePongUnsolicited,
			Title: tr("an unsolicited pong is ignored: only the text message after it comes back", "主动发来的 pong 被忽略：只有它后面的文本消息发回"),
			Explain: tr("A pong may arrive without a ping, as a heartbeat. It needs no answer, and it is not a message: a server must not echo it or pass it to the application as data.",
				"pong 可以不经 ping 请求而到来，作为心跳。它不需要回应，也不是消息：服务器不得回显它，也不得把它当作数据交给应用。"),
			run: func(s *session) *verdict {
				s.send(frameSpec{fin: true, op: core.OpPong, payload: []byte("heartbeat")}, text(true, "after the pong"))
				return s.expectEcho(core.OpText, []byte("after the pong"))
			}},
		{ID: "control.fragmented-ping", Category: "control", Lesson: "control-frames", Rule: core.RuleControlFinal,
			Title: tr("a ping with FIN 0 is refused with 1002", "FIN 为 0 的 ping 被以 1002 拒绝"),
			Explain: tr("Control frames (close, ping, pong) must fit in one frame: their FIN bit is always 1. A control frame with FIN 0 is a protocol error, and the server must fail the connection with 1002.",
				"控制帧（关闭、ping、pong）必须放在一帧之内：它们的 FIN 位总是 1。FIN 为 0 的控制帧是协议错误，服务器必须以 1002 使连接失败。"),
			run: func(s *session) *verdict {
				s.send(frameSpec{fin: false, op: core.OpPing, payload: []byte("fragmented ping")})
				return s.expectRefusal(core.StatusProtocolError)
			}},
		{ID: "control.ping-126", Category: "control", Lesson: "control-frames", Rule: core.RuleControlLength,
			Title: tr("a ping with a 126-byte payload is refused with 1002", "载荷为 126 字节的 ping 被以 1002 拒绝"),
			Explain: tr("A control frame's payload is at most 125 bytes, so that its length always fits in the 7-bit field and it can be handled without waiting for a long payload. A ping of 126 bytes breaks the rule, and the server must fail the connection with 1002.",
				"控制帧的载荷最多 125 字节，这样它的长度总能写进 7 位的字段，处理它时也不必等待很长的载荷。126 字节的 ping 违反了这条规则，服务器必须以 1002 使连接失败。"),
			run: func(s *session) *verdict {
				s.send(frameSpec{fin: true, op: core.OpPing, payload: payloadOf(core.OpText, 126)})
				return s.expectRefusal(core.StatusProtocolError)
			}},
	}
}

// ---- reserved bits and opcodes ----

func reservedCases() []Case {
	rsvExplain := tr("The three RSV bits after FIN are reserved for extensions, such as permessage-deflate, and only an extension negotiated in the handshake may set them. With none negotiated, a frame with any RSV bit set must fail the connection with 1002: the server cannot know what the bit changes in the payload.",
		"FIN 之后的三个 RSV 位保留给扩展（例如 permessage-deflate），只有在握手中协商好的扩展才能设置它们。没有协商扩展时，任何一个 RSV 位为 1 的帧都必须以 1002 使连接失败：服务器无从知道这个位改变了载荷的什么。")
	opExplain := tr("Opcodes 0x3-0x7 (data) and 0xB-0xF (control) are reserved for future versions. A server cannot know what such a frame means, so it must fail the connection with 1002 rather than treat it as text.",
		"操作码 0x3-0x7（数据）和 0xB-0xF（控制）保留给将来的版本。服务器无从知道这样的帧是什么意思，所以必须以 1002 使连接失败，而不是把它当作文本。")
	var cs []Case
	for i, bitv := range []byte{4, 2, 1} {
		cs = append(cs, Case{
			ID: "reserved.rsv" + strconv.Itoa(i+1), Category: "reserved", Lesson: "frame-anatomy", Rule: core.RuleReservedBits, Explain: rsvExplain,
			Title: sayf(tr("a text frame with RSV%d set is refused with 1002", "RSV%d 为 1 的文本帧被以 1002 拒绝"), i+1),
			run: func(s *session) *verdict {
				s.send(frameSpec{fin: true, rsv: bitv, op: core.OpText, payload: []byte("reserved bit")})
				return s.expectRefusal(core.StatusProtocolError)
			},
		})
	}
	for _, op := range []core.Opcode{0x3, 0xB} {
		cs = append(cs, Case{
			ID: "reserved.opcode-" + strconv.FormatUint(uint64(op), 16), Category: "reserved", Lesson: "frame-anatomy", Rule: core.RuleReservedOpcode, Explain: opExplain,
			Title: sayf(tr("a frame with the %s opcode is refused with 1002", "带 %s 操作码的帧被以 1002 拒绝"), op.String()),
			run: func(s *session) *verdict {
				s.send(frameSpec{fin: true, op: op, payload: []byte("reserved opcode")})
				return s.expectRefusal(core.StatusProtocolError)
			},
		})
	}
	return cs
}

// ---- UTF-8 ----

// invalidUTF8 is "κόσμε" followed by an encoded UTF-16 surrogate (ED A0 80),
// which is not valid UTF-8, then ASCII.
var invalidUTF8 = []byte("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80edited")

var utf8Explain = tr("A text message must be valid UTF-8, and the receiver must check: when the bytes are not, it fails the connection with 1007 (invalid payload data). Check as the bytes arrive, not only at the end: a fragment that already holds an impossible sequence can be refused at once. Decoding with a library that replaces bad bytes by U+FFFD hides the problem instead of refusing it.",
	"文本消息必须是有效的 UTF-8，接收方必须检查：字节无效时，以 1007（无效的载荷数据）使连接失败。要在字节到来时就检查，而不是等到最后：一个分片里已经出现不可能的字节序列时，就可以立即拒绝。用把坏字节替换成 U+FFFD 的库来解码，只是掩盖了问题，而不是拒绝它。")

var passThroughExplain = tr("The server sent the invalid bytes back in a text frame: it does not validate UTF-8, and a browser receiving that frame now fails the connection with 1007. RFC 6455 §8.1 requires the check. Some widely used libraries (coder/websocket, for one) deliberately leave it to the application, which is why wsplay reports this as a warning and not a failure; a server that wants to pass must validate text and close with 1007.",
	"服务器把无效的字节放在文本帧里发了回来：它不校验 UTF-8，而收到这一帧的浏览器会以 1007 使连接失败。RFC 6455 §8.1 要求做这项检查。一些广泛使用的库（例如 coder/websocket）有意把它留给应用去做，所以 wsplay 把这报告为警告而不是失败；想要通过的服务器必须校验文本，并以 1007 关闭。")

func utf8Cases() []Case {
	refuseInvalid := func(s *session) *verdict {
		ev := s.next(false)
		if ev.kind == evMessage && ev.op == core.OpText && bytes.Equal(ev.data, invalidUTF8) {
			return warnf(echoedInvalid).withExplain(passThroughExplain)
		}
		return s.refusalFrom(ev, core.StatusInvalidPayload)
	}
	return []Case{
		{ID: "utf8.valid", Category: "utf8", Lesson: "utf8", Rule: core.RuleInvalidUTF8, Explain: utf8Explain,
			Title: tr("text with 2-, 3- and 4-byte UTF-8 characters comes back unchanged", "含 2、3、4 字节 UTF-8 字符的文本原样发回"),
			run: func(s *session) *verdict {
				p := []byte("héllo wörld ✓ κόσμε 🌍")
				s.send(frameSpec{fin: true, op: core.OpText, payload: p})
				return s.expectEcho(core.OpText, p)
			}},
		{ID: "utf8.split-character", Category: "utf8", Lesson: "utf8", Rule: core.RuleInvalidUTF8,
			Title: tr("a character split between two fragments is valid: the message comes back", "被拆在两个分片之间的字符是有效的：消息发回"),
			Explain: tr("UTF-8 is checked over the whole message, not frame by frame: a character may start at the end of one fragment and end in the next (here é is C3 in one frame and A9 in the next). A server that validates each fragment alone refuses a valid message.",
				"UTF-8 是针对整条消息检查的，而不是逐帧检查：一个字符可以从一个分片的末尾开始，在下一个分片里结束（这里 é 的 C3 在一帧，A9 在下一帧）。单独校验每个分片的服务器会拒绝有效的消息。"),
			run: func(s *session) *verdict {
				s.send(frameSpec{op: core.OpText, payload: []byte("caf\xc3")}, frameSpec{fin: true, op: core.OpContinuation, payload: []byte("\xa9!")})
				return s.expectEcho(core.OpText, []byte("café!"))
			}},
		{ID: "utf8.invalid", Category: "utf8", Lesson: "utf8", Rule: core.RuleInvalidUTF8, Explain: utf8Explain,
			Title: tr("a text message with invalid UTF-8 is refused with 1007", "含无效 UTF-8 的文本消息被以 1007 拒绝"),
			run: func(s *session) *verdict {
				s.send(frameSpec{fin: true, op: core.OpText, payload: invalidUTF8})
				return refuseInvalid(s)
			}},
		{ID: "utf8.fail-fast", Category: "utf8", Lesson: "utf8", Rule: core.RuleInvalidUTF8, Explain: utf8Explain,
			Title: tr("invalid UTF-8 in the first fragment is refused before the message ends", "第一个分片中的无效 UTF-8 在消息结束前就被拒绝"),
			run: func(s *session) *verdict {
				s.send(frameSpec{op: core.OpText, payload: invalidUTF8})
				// Give the server a moment to refuse the first fragment.
				wait := min(s.opts.Timeout/2, time.Second)
				s.nc.SetReadDeadline(time.Now().Add(wait))
				ev := s.next(false)
				if ev.kind == evMessage {
					return failf(tr("the server answered the first fragment (FIN 0) at once with a %s message of %d bytes, as if it were a whole message: %s.",
						"服务器对第一个分片（FIN 0）立即回了一条 %[2]d 字节的%[1]s消息，好像它是一条完整的消息：%[3]s。"), ev.op, len(ev.data), preview(ev.data)).
						withRule(core.RuleFragmentsJoined).withLesson("fragmentation").
						withExplain(tr("This fragment had FIN 0: the message was not over. A server that reads the FIN bit waits for the continuation frames before it handles the message; this one answered the fragment on its own, and also passed on the invalid UTF-8 in it.",
							"这个分片的 FIN 为 0：消息还没有结束。读取 FIN 位的服务器会等延续帧到齐后再处理消息；这个服务器单独回应了这个分片，还把其中无效的 UTF-8 传了出去。"))
				}
				if ev.kind != evTimeout {
					return s.refusalFrom(ev, core.StatusInvalidPayload)
				}
				s.nc.SetReadDeadline(s.deadline)
				s.send(frameSpec{fin: true, op: core.OpContinuation, payload: []byte(" end")})
				ev = s.next(false)
				switch {
				case ev.kind == evMessage && ev.op == core.OpText && bytes.HasPrefix(ev.data, invalidUTF8):
					return warnf(echoedInvalid).withExplain(passThroughExplain)
				case ev.kind == evClose && (ev.code == core.StatusInvalidPayload || ev.code == core.StatusProtocolError):
					return warnf(tr("the server waited for the end of the message (%s) and then closed with %s; it could have refused the first fragment at once.",
						"服务器等到消息结束（%s）才以 %s 关闭；它本可以立即拒绝第一个分片。"), wait, ev.code).
						withExplain(tr("Refusing the message is what matters, and the server did, but only after the last fragment. The bytes ED A0 80 can never be part of valid UTF-8, so a validator that checks bytes as they arrive fails the connection as soon as it sees them, without buffering a message that will be refused anyway (the Autobahn testsuite calls this fail-fast).",
							"关键是拒绝这条消息，服务器做到了，但要等到最后一个分片之后。字节 ED A0 80 永远不可能出现在有效的 UTF-8 中，所以边到达边检查的校验器一看到它们就会使连接失败，而不必缓存一条反正要被拒绝的消息（Autobahn 测试套件称之为 fail-fast）。"))
				}
				return s.refusalFrom(ev, core.StatusInvalidPayload)
			}},
	}
}

// echoedInvalid is the verdict on invalid UTF-8 that came back as text.
var echoedInvalid = tr("the server echoed the invalid UTF-8 back in a text message instead of closing with 1007.",
	"服务器把无效的 UTF-8 放在文本消息里回显了，而没有以 1007 关闭。")

// refusalFrom grades an event that was already read as the answer to a frame
// the server must refuse with want.
func (s *session) refusalFrom(ev event, want core.StatusCode) *verdict {
	s.pending = &ev
	return s.expectRefusal(want)
}

// ---- the closing handshake ----

func closeCases() []Case {
	closeAndWait := func(body []byte, acceptCodes ...core.StatusCode) func(s *session) *verdict {
		return func(s *session) *verdict {
			s.send(frameSpec{fin: true, op: core.OpClose, payload: body})
			ev := s.next(false)
			if ev.kind != evClose {
				return s.unexpected(ev, tr("a close frame in answer", "作为回应的关闭帧"))
			}
			if ev.badBody != nil {
				return failf(tr("the server answered with a close frame that breaks a rule: %v.", "服务器回应的关闭帧违反了规则：%v。"), ev.badBody).withRule(firstRule(ev.badBody))
			}
			var v *verdict
			ok := false
			for _, c := range acceptCodes {
				ok = ok || ev.code == c
			}
			switch {
			case ok:
				v = passf(tr("the server answered with %s", "服务器回应了%s"), closeFrameName(ev.code))
			case ev.code == core.StatusNoStatusReceived:
				v = warnf(tr("the server answered with a close frame without a status code; echoing %s is what endpoints usually do.", "服务器回应的关闭帧不带关闭码；通常的做法是带回 %s。"), acceptCodes[0]).
					withExplain(tr("Answering the close frame is what the RFC requires, and the server did. Its answer carries no status code, which is allowed, but the usual answer echoes the code received (RFC 6455 §5.5.1), so that the client sees the closing was understood.",
						"RFC 要求回应关闭帧，服务器做到了。它的回应不带关闭码，这是允许的，但通常的回应会带回收到的关闭码（RFC 6455 §5.5.1），让客户端看到关闭请求已被理解。"))
			default:
				v = warnf(tr("the server answered with a close frame carrying %s; echoing %s is what endpoints usually do.", "服务器回应的关闭帧带的是 %s；通常的做法是带回 %s。"), ev.code, acceptCodes[0]).
					withExplain(tr("Answering the close frame is what the RFC requires, and the server did, but with another code than the one it received. The usual answer echoes the code (RFC 6455 §5.5.1).",
						"RFC 要求回应关闭帧，服务器做到了，但用的关闭码和它收到的不同。通常的回应会带回收到的关闭码（RFC 6455 §5.5.1）。"))
			}
			// Now the server should close the TCP connection (§7.1.1).
			end := s.waitEnd()
			switch end.kind {
			case evEnd:
				if v.status == Pass {
					v.got = core.Words{EN: v.got.EN + " and closed the TCP connection.", ZH: v.got.ZH + "，并关闭了 TCP 连接。"}
				} else {
					v.also(tr("It then closed the TCP connection.", "随后它关闭了 TCP 连接。"))
				}
				return v
			case evTimeout:
				if v.status == Pass {
					return warnf(tr("the server answered with %s but did not close the TCP connection within the time limit (%s).", "服务器回应了%s，但没有在时限（%s）内关闭 TCP 连接。"), closeFrameName(ev.code), s.opts.Timeout).withRule(core.RuleServerClosesTCP).
						withExplain(tr("After the close frames have crossed, the server should close the TCP connection first, so that the waiting TIME_WAIT state stays on the server and the client is not left waiting. Close the socket right after sending your close frame.",
							"双方的关闭帧交换完之后，应当由服务器先关闭 TCP 连接，这样 TIME_WAIT 等待状态留在服务器一侧，客户端也不必干等。发送关闭帧之后立即关闭套接字。"))
				}
				return v.also(tr("It did not close the TCP connection either.", "它也没有关闭 TCP 连接。"))
			case evMessage:
				return failf(tr("after its close frame the server sent more bytes: %s.", "服务器在它的关闭帧之后又发送了字节：%s。"), spaced(end.data)).withRule(core.RuleNothingAfterClose)
			}
			return v
		}
	}
	explain := tr("To close, one side sends a close frame (opcode 0x8) whose payload is a 2-byte status code and an optional reason; the other side answers with a close frame, usually echoing the code, and then the server closes the TCP connection. A server that treats the close frame as data echoes it as text, and the client waits for an answer that never comes.",
		"关闭时，一方发送关闭帧（操作码 0x8），其载荷是 2 字节的关闭码和可选的原因；另一方回一个关闭帧，通常带回同一个关闭码，然后由服务器关闭 TCP 连接。把关闭帧当作数据的服务器会把它当作文本回显，客户端则一直等待一个永远不会来的回应。")
	return []Case{
		{ID: "close.normal", Category: "close", Lesson: "closing", Rule: core.RuleCloseReply, Explain: explain,
			Title: tr("a close frame with 1000 is answered with a close frame with 1000, then the server closes TCP", "带 1000 的关闭帧得到带 1000 的关闭帧回应，然后服务器关闭 TCP"),
			run:   closeAndWait(core.AppendClosePayload(nil, core.StatusNormalClosure, "bye"), core.StatusNormalClosure)},
		{ID: "close.empty", Category: "close", Lesson: "closing", Rule: core.RuleCloseReply, Explain: explain,
			Title: tr("a close frame without a body is answered with a close frame, then the server closes TCP", "没有正文的关闭帧得到关闭帧回应，然后服务器关闭 TCP"),
			run:   closeAndWait(nil, core.StatusNoStatusReceived, core.StatusNormalClosure)},
		{ID: "close.invalid-code", Category: "close", Lesson: "closing", Rule: core.RuleCloseCode,
			Title: tr("a close frame with code 1005, which may never be sent, is refused with 1002", "带关闭码 1005（永远不得发送）的关闭帧被以 1002 拒绝"),
			Explain: tr("Some status codes exist only to report what happened locally and must never be sent: 1005 (no status received), 1006 (abnormal closure), 1015 (TLS failure); others are reserved or undefined. A server must check the code in a close frame it receives and answer one of these with 1002 (protocol error), not echo it.",
				"有些关闭码只用于报告本地发生的情况，永远不得发送：1005（未收到关闭码）、1006（异常关闭）、1015（TLS 握手失败）；还有一些是保留的或未定义的。服务器必须检查收到的关闭帧中的关闭码，遇到这些关闭码要以 1002（协议错误）回应，而不是回显它。"),
			run: func(s *session) *verdict {
				s.send(frameSpec{fin: true, op: core.OpClose, payload: []byte{0x03, 0xed}})
				return s.expectRefusal(core.StatusProtocolError)
			}},
	}
}

// closeFrameName says what a close frame carried.
func closeFrameName(code core.StatusCode) core.Words {
	if code == core.StatusNoStatusReceived {
		return tr("an empty close frame", "一个空的关闭帧")
	}
	return sayf(tr("a close frame with %s", "一个带 %s 的关闭帧"), code)
}

// ---- large messages ----

func largeCases(sizes []int) []Case {
	var cs []Case
	for _, n := range sizes {
		cs = append(cs, Case{
			ID: "large." + sizeName(n), Category: "large", Lesson: "payload-length", Rule: core.RuleLength64,
			Title: sayf(tr("a %s binary message comes back unchanged", "%s 的二进制消息原样发回"), sizeName(n)),
			Explain: tr("A large message arrives in many TCP reads: the server must keep reading until it has the whole payload announced by the length field, unmask it across the reads with the key position carried over, and send it back with the 64-bit length form. A server that reads once, or with a fixed buffer, returns a piece of it.",
				"大消息要经过多次 TCP 读取才能到齐：服务器必须一直读，直到拿到长度字段所说的整个载荷，跨多次读取去掩码时要接着上次的掩码键位置，再用 64 位长度的写法发回。只读一次、或者用固定大小缓冲区读取的服务器，只会发回其中一段。"),
			run: func(s *session) *verdict {
				p := payloadOf(core.OpBinary, n)
				s.send(frameSpec{fin: true, op: core.OpBinary, payload: p})
				return s.expectEcho(core.OpBinary, p)
			},
		})
	}
	return cs
}

func sizeName(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.Itoa(n>>20) + "MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.Itoa(n>>10) + "KiB"
	}
	return strconv.Itoa(n) + "B"
}

// ---- partial reads ----

func chunkCases() []Case {
	explain := tr("TCP is a stream of bytes, not of messages: one read returns whatever has arrived, which may be a single byte of a frame, or two frames at once. The classic recipe does one recv(4096) per frame and parses it as if it held exactly one whole frame. Keep a buffer: read until it holds a whole header, then until it holds the whole payload, and keep any bytes after the frame for the next one.",
		"TCP 是字节流，而不是消息流：一次读取返回的是已经到达的所有字节，可能只是一帧中的一个字节，也可能一下子是两帧。经典教程的写法每帧做一次 recv(4096)，并假定读到的正好是一整帧。请维护一个缓冲区：先读到它包含完整的帧头，再读到它包含完整的载荷，帧之后多出的字节留给下一帧。")
	return []Case{
		{ID: "chunks.frame", Category: "chunks", Lesson: "mistakes", Rule: core.RuleByteStream, Explain: explain,
			Title: tr("a frame written one byte per write comes back unchanged", "每次写入一个字节的帧原样发回"),
			run: func(s *session) *verdict {
				s.sendChunked(text(true, "one byte at a time"))
				return s.expectEcho(core.OpText, []byte("one byte at a time"))
			}},
		{ID: "chunks.handshake", Category: "chunks", Lesson: "mistakes", Rule: core.RuleByteStream, RawHandshake: true,
			Title: tr("a handshake request written one byte per write is answered with 101 and the right Accept", "每次写入一个字节的握手请求得到 101 和正确的 Accept 回应"),
			Explain: tr("The handshake request, too, can arrive in pieces: a server must read until the empty line that ends the HTTP head (\\r\\n\\r\\n), not parse whatever the first read returned.",
				"握手请求同样可能分段到达：服务器必须一直读到结束 HTTP 头的空行（\\r\\n\\r\\n），而不是解析第一次读取返回的任何内容。"),
			run: func(s *session) *verdict {
				req := &core.ClientRequest{Host: s.t.Host, Target: s.t.Path}
				head := req.AppendRequest(nil)
				s.sentHead = string(head)
				s.writeChunked(head)
				resp, err := s.readResponse()
				if err != nil {
					v := s.handshakeFailed(err).withExplain(core.Words{})
					if _, ok := err.(*core.HandshakeError); !ok {
						v.lesson = "" // the case's own lesson: partial reads
					}
					return v
				}
				if err := resp.Verify(req); err != nil {
					return s.handshakeFailed(err).withExplain(core.Words{})
				}
				return passf(tr("the request arrived in %d one-byte writes and the server answered 101 with the right Accept value.", "请求分 %d 次、每次一个字节到达，服务器以 101 和正确的 Accept 值作答。"), len(head))
			}},
		{ID: "chunks.coalesced", Category: "chunks", Lesson: "mistakes", Rule: core.RuleByteStream, Explain: explain,
			Title: tr("two frames written in one write both come back", "一次写入的两帧都发回"),
			run: func(s *session) *verdict {
				s.sendTogether(text(true, "first"), text(true, "second"))
				if v := s.expectEcho(core.OpText, []byte("first")); v.status != Pass {
					return v
				}
				if v := s.expectEcho(core.OpText, []byte("second")); v.status != Pass {
					return v.also(tr("(The first message came back; the second is the one that got lost.)", "（第一条消息发回了，丢失的是第二条。）"))
				}
				return passf(tr("both messages came back, in order.", "两条消息都按顺序发回了。"))
			}},
	}
}
