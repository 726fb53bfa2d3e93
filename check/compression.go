//go:build !js

package check

import (
	"bytes"
	"compress/flate"
	"strconv"
	"strings"
	"sync"

	"wsplay/core"
)

// The compression stage: permessage-deflate (RFC 7692). Compression is
// optional: a server that declines every offer passes each case that
// needs it with "not offered" in its verdict (graded PASS, never a
// failure), and is still checked for declining the offers it must not
// accept.

// browserOffer is what Chromium and Firefox offer.
var browserOffer = core.Extension{Name: core.DeflateName, Params: []core.HeaderField{{Name: "client_max_window_bits"}}}

// plainOffer lets the client use a 32 KiB window (the cases that send
// large compressed messages) and take context over.
var plainOffer = core.Extension{Name: core.DeflateName}

// offerDeflate sends an opening handshake that offers offers, on a
// connection the case opened without one (RawHandshake), and reads the
// answer.
func (s *session) offerDeflate(offers ...core.Extension) (*core.ClientRequest, *core.ServerResponse, error) {
	req := &core.ClientRequest{Host: s.t.Host, Target: s.t.Path, Extensions: offers}
	resp, err := s.handshake(req.AppendRequest(nil))
	s.key = req.Key
	return req, resp, err
}

// openDeflate runs a valid opening handshake that offers offer and, when
// the server accepts it, readies the session to read compressed messages.
// params is nil when the server declined; v is set when the handshake
// failed or the answer broke a rule.
func (s *session) openDeflate(offer core.Extension) (params *core.DeflateParams, answer string, v *verdict) {
	req, resp, err := s.offerDeflate(offer)
	if err != nil {
		return nil, "", s.handshakeFailed(err)
	}
	if err := resp.Verify(req); err != nil {
		v := s.handshakeFailed(err)
		v.brief = false
		if he, ok := err.(*core.HandshakeError); ok && strings.HasPrefix(he.Rule.ID, "deflate-") {
			v.got = sayf(tr("the server's answer %q to the offer %q breaks a rule of RFC 7692: %s",
				"服务器对提议 %[2]q 的应答 %[1]q 违反了 RFC 7692 的规则：%[3]s"), strings.Join(resp.Header.Values("Sec-WebSocket-Extensions"), ", "), offer.String(),
				core.Words{EN: he.Detail, ZH: he.Detail})
			v.explain = answerExplain
		}
		return nil, "", v
	}
	s.resp = resp
	params, _ = resp.Deflate(req)
	var rsv byte
	if params != nil {
		rsv = 0x4
		s.inflater = core.NewInflater(*params, core.Server)
	}
	s.fr = core.NewFrameReader(s.br, core.Client, rsv)
	s.sentHead, s.recvHead = "", ""
	return params, strings.Join(resp.Header.Values("Sec-WebSocket-Extensions"), ", "), nil
}

// openCompressed is openDeflate for a case that needs compression: it
// returns the agreement, or the verdict when the handshake failed or the
// server declined (compression is optional, so that is "not offered",
// never a failure).
func (s *session) openCompressed(offer core.Extension) (*core.DeflateParams, *verdict) {
	params, _, v := s.openDeflate(offer)
	switch {
	case v != nil:
		return nil, v
	case params == nil:
		return nil, notOffered()
	}
	return params, nil
}

var answerExplain = tr("A server accepts at most one of the client's permessage-deflate offers and answers with the parameters it agreed to. Its answer may only hold what the offer allows: client_max_window_bits only when the client offered it (browsers do, other clients may not), server_max_window_bits no larger than the client asked for, and every parameter at most once (RFC 7692 §7.1). A client that gets any other answer must fail the connection, so a browser would never talk to this server.",
	"服务器最多接受客户端的一个 permessage-deflate 提议，并在应答中给出它同意的参数。应答只能包含提议所允许的内容：只有客户端提议了 client_max_window_bits（浏览器会，其他客户端不一定），应答才能带它；server_max_window_bits 不得大于客户端要求的值；每个参数最多出现一次（RFC 7692 §7.1）。收到其他应答的客户端必须使连接失败，所以浏览器根本无法与这个服务器通信。")

// notOffered is the verdict of a case that needs compression when the
// server declined it: allowed, so not a failure.
func notOffered() *verdict {
	return passf(tr("not offered: the server declined permessage-deflate, which it may (compression is optional, RFC 7692 §5); nothing to check here.",
		"未启用：服务器拒绝了 permessage-deflate，这是允许的（压缩是可选的，RFC 7692 §5）；这里没有需要检查的内容。"))
}

// compressedFrames returns p compressed (a fresh stream, for a sender
// whose window is 2^bits) as the frames of one message, split into
// pieces of at most size bytes (one frame when size is 0), RSV1 on the
// first only (RFC 7692 §6.1).
func compressedFrames(op core.Opcode, p []byte, bits, size int) []frameSpec {
	return splitCompressed(op, core.AppendDeflate(nil, p, bits), size)
}

func splitCompressed(op core.Opcode, z []byte, size int) []frameSpec {
	if size <= 0 || size >= len(z) {
		return []frameSpec{{fin: true, rsv: 0x4, op: op, payload: z}}
	}
	var fs []frameSpec
	for i := 0; i < len(z); i += size {
		f := frameSpec{fin: i+size >= len(z), op: core.OpContinuation, payload: z[i:min(i+size, len(z))]}
		if i == 0 {
			f.op, f.rsv = op, 0x4
		}
		fs = append(fs, f)
	}
	return fs
}

// deflateWithDict compresses p as a client that takes context over does:
// its matches may refer to dict, the end of the messages sent before.
func deflateWithDict(p, dict []byte) []byte {
	var b bytes.Buffer
	w, _ := flate.NewWriterDict(&b, flate.BestCompression, dict)
	w.Write(p)
	w.Flush()
	return bytes.TrimSuffix(b.Bytes(), []byte{0, 0, 0xff, 0xff})
}

// bombs holds the compressed zeros of the bomb cases, made once.
var bombs struct {
	once        sync.Once
	small, huge []byte
}

// bombSizes: a message a server should take, and one it should refuse.
const (
	smallBomb = 64 << 10
	hugeBomb  = 64 << 20
)

func bombPayloads() (small, huge []byte) {
	bombs.once.Do(func() {
		bombs.small = core.AppendDeflate(nil, make([]byte, smallBomb), core.MaxWindowBits)
		// Compressing 64 MiB takes seconds; a DEFLATE stream may go on
		// with the blocks of another stream that was sync-flushed, so
		// 64 copies of 1 MiB of zeros, compressed once, make the same
		// message in milliseconds. Each copy but the last keeps the
		// 00 00 ff ff that ends its flush (§7.2.1 removes only the
		// message's last one).
		mib := core.AppendDeflate(nil, make([]byte, 1<<20), core.MaxWindowBits)
		for range hugeBomb>>20 - 1 {
			bombs.huge = append(append(bombs.huge, mib...), 0, 0, 0xff, 0xff)
		}
		bombs.huge = append(bombs.huge, mib...)
	})
	return bombs.small, bombs.huge
}

// inflate replaces a compressed message's payload with its inflated
// bytes, at most the check's own limit of them.
func (s *session) inflate(msg event) event {
	var out []byte
	_, cut, err := s.inflater.Inflate(msg.data, int64(s.maxMessage()), func(b []byte) { out = append(out, b...) })
	switch {
	case cut:
		return s.tooBig("the server's compressed message of " + strconv.Itoa(len(msg.data)) + " bytes inflated past " + strconv.FormatUint(s.maxMessage(), 10) + " bytes")
	case err != nil:
		return event{kind: evBadFrame, err: err}
	}
	msg.wireLen, msg.data = len(msg.data), out
	return msg
}

var compressionExplain = tr("With permessage-deflate agreed, a message may travel compressed: RSV1 set on its first frame (never on a continuation or control frame), its payload, across all its frames, a raw DEFLATE stream whose last four bytes 00 00 FF FF are left off. The receiver appends them, inflates, and handles the result as the message. A server that agrees to compression must read compressed messages, whatever the client chose to compress.",
	"协商了 permessage-deflate 之后，消息可以压缩后传输：它的第一帧设置 RSV1（延续帧和控制帧上永远不设置），它所有帧的载荷合起来是一个原始 DEFLATE 流，去掉了最后四个字节 00 00 FF FF。接收方把它们补回去，解压，再把结果当作这条消息处理。同意压缩的服务器必须能读取压缩消息，无论客户端选择压缩哪些消息。")

func compressionCases() []Case {
	badOffer := func(offer core.Extension) func(s *session) *verdict {
		return func(s *session) *verdict {
			_, _, declined := core.NegotiateDeflate([]string{offer.String()}, core.DeflateOptions{})
			rule := core.RuleDeflateParam
			if len(declined) > 0 {
				if he, ok := declined[0].(*core.HandshakeError); ok {
					rule = he.Rule
				}
			}
			_, resp, err := s.offerDeflate(offer)
			if err != nil {
				return s.handshakeFailed(err)
			}
			exts, _ := core.ParseExtensionList(resp.Header.Values("Sec-WebSocket-Extensions"))
			accepted := false
			for _, e := range exts {
				accepted = accepted || e.Name == core.DeflateName
			}
			switch {
			case resp.Status == 101 && accepted:
				return failf(tr("the server accepted the offer %q, answering %q; the offer breaks a rule, so the server must decline it.",
					"服务器接受了提议 %q，应答为 %q；这个提议违反了规则，服务器必须拒绝它。"), offer.String(), strings.Join(resp.Header.Values("Sec-WebSocket-Extensions"), ", ")).withRule(rule)
			case resp.Status == 101:
				return passf(tr("the server declined the offer %q and opened the connection without compression.", "服务器拒绝了提议 %q，在不压缩的情况下建立了连接。"), offer.String())
			case resp.Status >= 400 && resp.Status <= 499:
				return passf(tr("the server refused the handshake with %d %s.", "服务器以 %d %s 拒绝了握手。"), resp.Status, resp.Reason)
			}
			return failf(tr("the server answered %d %s to an offer it must decline.", "对一个必须拒绝的提议，服务器回应了 %d %s。"), resp.Status, resp.Reason).withRule(rule)
		}
	}
	badOfferExplain := tr("A server must decline a permessage-deflate offer that breaks a rule, by leaving it out of its answer (or refuse the handshake): a parameter other than the four RFC 7692 defines, one given twice, a value on server_no_context_takeover or client_no_context_takeover, a window size outside 8-15. Declining costs nothing: the connection simply goes on without compression. Accepting it agrees to something the client did not validly ask for.",
		"对违反规则的 permessage-deflate 提议，服务器必须拒绝：在应答中不提它（或者拒绝握手）。违反规则的情况包括：RFC 7692 定义的四个参数以外的参数、出现两次的参数、server_no_context_takeover 或 client_no_context_takeover 带了值、窗口大小不在 8 到 15 之间。拒绝没有代价：连接只是不使用压缩。接受它，就是同意了客户端并未有效提出的东西。")
	offerParams := func(params ...core.HeaderField) core.Extension {
		return core.Extension{Name: core.DeflateName, Params: params}
	}
	answerCase := func(offer core.Extension) func(s *session) *verdict {
		return func(s *session) *verdict {
			params, answer, v := s.openDeflate(offer)
			switch {
			case v != nil:
				return v
			case params == nil:
				return notOffered()
			}
			return passf(tr("to the offer %q the server answered %q, which the offer allows.", "对提议 %q，服务器应答 %q，这是提议所允许的。"), offer.String(), answer)
		}
	}
	// echo sends a message as frames and checks the echo.
	echo := func(op core.Opcode, p []byte, size int) func(s *session) *verdict {
		return func(s *session) *verdict {
			params, v := s.openCompressed(browserOffer)
			if v != nil {
				return v
			}
			frames := compressedFrames(op, p, params.ClientMaxWindowBits, size)
			s.send(frames...)
			v = s.expectEcho(op, p)
			if v.status == Pass {
				v.also(tr("It was sent compressed, %d bytes in %d frames.", "它是压缩后发送的：%d 字节，%d 帧。"), len(core.AppendDeflate(nil, p, params.ClientMaxWindowBits)), len(frames))
			}
			return v
		}
	}
	refuse := func(want core.StatusCode, frames func(bits int) []frameSpec) func(s *session) *verdict {
		return func(s *session) *verdict {
			params, v := s.openCompressed(browserOffer)
			if v != nil {
				return v
			}
			s.send(frames(params.ClientMaxWindowBits)...)
			return s.expectRefusal(want)
		}
	}
	hello := []byte(strings.Repeat("permessage-deflate compresses this text. ", 20))
	return []Case{
		{ID: "compression.negotiate", Category: "compression", Lesson: "compression", Rule: core.RuleDeflateClientBits, RawHandshake: true,
			Title:   tr("a browser's offer (permessage-deflate; client_max_window_bits) gets a valid answer, or is declined", "浏览器的提议（permessage-deflate; client_max_window_bits）得到有效的应答，或被拒绝"),
			Explain: answerExplain,
			run: func(s *session) *verdict {
				params, answer, v := s.openDeflate(browserOffer)
				switch {
				case v != nil:
					return v
				case params == nil:
					return passf(tr("not offered: the server declined permessage-deflate (its answer has no Sec-WebSocket-Extensions naming it), which it may: compression is optional (RFC 7692 §5). The cases that need compression say \"not offered\" and pass.",
						"未启用：服务器拒绝了 permessage-deflate（它的应答中没有提到它的 Sec-WebSocket-Extensions），这是允许的：压缩是可选的（RFC 7692 §5）。需要压缩的用例都会写“未启用”并通过。"))
				}
				return passf(tr("the server accepted: %q.", "服务器接受了：%q。"), answer)
			}},
		{ID: "compression.bad-window-bits", Category: "compression", Lesson: "compression", Rule: core.RuleDeflateWindowBits, RawHandshake: true,
			Title:   tr("an offer with server_max_window_bits=16 is declined", "带 server_max_window_bits=16 的提议被拒绝"),
			Explain: badOfferExplain,
			run:     badOffer(offerParams(core.HeaderField{Name: "server_max_window_bits", Value: "16"}))},
		{ID: "compression.unknown-param", Category: "compression", Lesson: "compression", Rule: core.RuleDeflateParam, RawHandshake: true,
			Title:   tr("an offer with an unknown parameter is declined", "带未知参数的提议被拒绝"),
			Explain: badOfferExplain,
			run:     badOffer(offerParams(core.HeaderField{Name: "client_max_window_bits"}, core.HeaderField{Name: "max_window_bits", Value: "10"}))},
		{ID: "compression.duplicate-param", Category: "compression", Lesson: "compression", Rule: core.RuleDeflateDuplicate, RawHandshake: true,
			Title:   tr("an offer that gives a parameter twice is declined", "同一个参数出现两次的提议被拒绝"),
			Explain: badOfferExplain,
			run:     badOffer(offerParams(core.HeaderField{Name: "client_no_context_takeover"}, core.HeaderField{Name: "client_no_context_takeover"}))},
		{ID: "compression.no-context-value", Category: "compression", Lesson: "compression", Rule: core.RuleDeflateNoContext, RawHandshake: true,
			Title:   tr("an offer with a value on server_no_context_takeover is declined", "server_no_context_takeover 带值的提议被拒绝"),
			Explain: badOfferExplain,
			run:     badOffer(offerParams(core.HeaderField{Name: "server_no_context_takeover", Value: "1"}))},
		{ID: "compression.answer-client-bits", Category: "compression", Lesson: "compression", Rule: core.RuleDeflateClientBits, RawHandshake: true,
			Title:   tr("an offer without client_max_window_bits gets no client_max_window_bits in the answer", "不带 client_max_window_bits 的提议，应答中也没有 client_max_window_bits"),
			Explain: answerExplain,
			run:     answerCase(plainOffer)},
		{ID: "compression.answer-server-bits", Category: "compression", Lesson: "compression", Rule: core.RuleDeflateServerBits, RawHandshake: true,
			Title:   tr("an offer of server_max_window_bits=10 gets at most 10 in the answer", "提议 server_max_window_bits=10，应答中的值不超过 10"),
			Explain: answerExplain,
			run:     answerCase(offerParams(core.HeaderField{Name: "server_max_window_bits", Value: "10"}))},
		{ID: "compression.echo-text", Category: "compression", Lesson: "compression", Rule: core.RuleInflate, RawHandshake: true,
			Title:   tr("a compressed text message comes back unchanged", "压缩的文本消息原样发回"),
			Explain: compressionExplain,
			run:     echo(core.OpText, hello, 0)},
		{ID: "compression.echo-binary", Category: "compression", Lesson: "compression", Rule: core.RuleInflate, RawHandshake: true,
			Title:   tr("a compressed binary message comes back unchanged", "压缩的二进制消息原样发回"),
			Explain: compressionExplain,
			run:     echo(core.OpBinary, bytes.Repeat([]byte{0, 1, 2, 3, 4, 5, 6, 7}, 500), 0)},
		{ID: "compression.echo-fragmented", Category: "compression", Lesson: "compression", Rule: core.RuleCompressedBit, RawHandshake: true,
			Title: tr("a compressed message in 3 fragments (RSV1 on the first only) comes back unchanged", "分成 3 个分片的压缩消息（只有第一个分片带 RSV1）原样发回"),
			Explain: tr("A compressed message may be fragmented like any other: the DEFLATE stream is cut anywhere, RSV1 is set on the first frame only, and the receiver joins the payloads before it inflates them (RFC 7692 §6.1). A server that inflates each frame alone, or expects RSV1 on every frame, fails here.",
				"压缩消息和其他消息一样可以分片：DEFLATE 流可以在任意位置切开，只有第一帧设置 RSV1，接收方先把各帧载荷拼起来再解压（RFC 7692 §6.1）。单独解压每一帧、或者期望每一帧都带 RSV1 的服务器会在这里失败。"),
			run: func(s *session) *verdict {
				params, v := s.openCompressed(browserOffer)
				if v != nil {
					return v
				}
				z := core.AppendDeflate(nil, hello, params.ClientMaxWindowBits)
				s.send(splitCompressed(core.OpText, z, (len(z)+2)/3)...)
				return s.expectEcho(core.OpText, hello)
			}},
		{ID: "compression.context-takeover", Category: "compression", Lesson: "compression", Rule: core.RuleInflate, RawHandshake: true,
			Title: tr("a compressed message that refers back to the one before (context takeover) comes back unchanged", "引用前一条消息的压缩消息（上下文接管）原样发回"),
			Explain: tr("Unless the server answers client_no_context_takeover, the client may keep its compression window from one message to the next: a message can then refer back to bytes of the messages before it (RFC 7692 §7.1.1). The server must keep the last bytes it inflated (2^client_max_window_bits of them) and inflate the next message with them as its dictionary. This second message is only a few bytes, most of them a reference into the first one.",
				"除非服务器应答了 client_no_context_takeover，客户端可以把压缩窗口从一条消息保留到下一条：这样一条消息可以引用之前消息中的字节（RFC 7692 §7.1.1）。服务器必须保留它最后解压出的字节（2^client_max_window_bits 个），并把它们作为下一条消息的字典来解压。这里的第二条消息只有几个字节，大部分是对第一条消息的引用。"),
			run: func(s *session) *verdict {
				params, v := s.openCompressed(browserOffer)
				switch {
				case v != nil:
					return v
				case params.ClientNoContextTakeover:
					return passf(tr("not offered: the server answered client_no_context_takeover, so the client starts every message afresh; nothing to check here.",
						"未启用：服务器应答了 client_no_context_takeover，所以客户端每条消息都重新开始压缩；这里没有需要检查的内容。"))
				}
				first := hello[:400]
				s.send(splitCompressed(core.OpText, deflateWithDict(first, nil), 0)...)
				if v := s.expectEcho(core.OpText, first); v.status != Pass {
					return v
				}
				again := hello[:420]
				z := deflateWithDict(again, first)
				s.send(splitCompressed(core.OpText, z, 0)...)
				v = s.expectEcho(core.OpText, again)
				if v.status == Pass {
					v.also(tr("The second message took %d bytes compressed, referring back to the first.", "第二条消息压缩后只有 %d 字节，引用了第一条消息。"), len(z))
				}
				return v
			}},
		{ID: "compression.rsv1-continuation", Category: "compression", Lesson: "compression", Rule: core.RuleCompressedBit, RawHandshake: true,
			Title:   tr("RSV1 on a continuation frame is refused with 1002", "延续帧上的 RSV1 被以 1002 拒绝"),
			Explain: tr("RSV1 marks a compressed message, so it belongs on the message's first frame only; on a continuation frame it means nothing the two ends agreed, and the receiver must fail the connection with 1002 (RFC 7692 §6.1, RFC 6455 §5.2).", "RSV1 标记压缩消息，所以它只属于消息的第一帧；出现在延续帧上，它表示的不是双方约定的任何东西，接收方必须以 1002 使连接失败（RFC 7692 §6.1，RFC 6455 §5.2）。"),
			run: refuse(core.StatusProtocolError, func(bits int) []frameSpec {
				fs := compressedFrames(core.OpText, hello, bits, 40)
				fs[1].rsv = 0x4
				return fs
			})},
		{ID: "compression.rsv1-control", Category: "compression", Lesson: "compression", Rule: core.RuleCompressedBit, RawHandshake: true,
			Title:   tr("RSV1 on a ping is refused with 1002", "ping 上的 RSV1 被以 1002 拒绝"),
			Explain: tr("permessage-deflate compresses data messages only: a control frame is never compressed, and RSV1 on one breaks RFC 7692 §6.1. The receiver must fail the connection with 1002 rather than answer the ping.", "permessage-deflate 只压缩数据消息：控制帧永远不压缩，控制帧上的 RSV1 违反了 RFC 7692 §6.1。接收方必须以 1002 使连接失败，而不是回应这个 ping。"),
			run: refuse(core.StatusProtocolError, func(int) []frameSpec {
				return []frameSpec{{fin: true, rsv: 0x4, op: core.OpPing, payload: []byte("compressed?")}}
			})},
		{ID: "compression.invalid-data", Category: "compression", Lesson: "compression", Rule: core.RuleInflate, RawHandshake: true,
			Title:   tr("RSV1 on bytes that are not DEFLATE data is refused with 1007", "带 RSV1 但不是 DEFLATE 数据的字节被以 1007 拒绝"),
			Explain: tr("This message has RSV1 set, but its payload was never compressed: read as DEFLATE, its first byte announces a stored block whose length and its complement do not match. A server must check what the inflater says and fail the connection with 1007 (the data does not match its type), never pass on whatever came out.", "这条消息设置了 RSV1，但它的载荷从未被压缩：按 DEFLATE 读取，第一个字节声明了一个存储块，而块的长度与其反码对不上。服务器必须检查解压器的结果，并以 1007（数据与其类型不符）使连接失败，决不能把解压出来的任何东西传下去。"),
			run: refuse(core.StatusInvalidPayload, func(int) []frameSpec {
				return []frameSpec{{fin: true, rsv: 0x4, op: core.OpText, payload: []byte("Hello, these bytes were never compressed")}}
			})},
		{ID: "compression.small-bomb", Category: "compression", Lesson: "compression", Rule: core.RuleMessageTooBig, RawHandshake: true,
			Title:   tr("64 KiB of zeros, compressed to about 100 bytes, comes back", "64 KiB 的零，压缩到约 100 字节，原样发回"),
			Explain: bombExplain,
			run: func(s *session) *verdict {
				_, v := s.openCompressed(plainOffer)
				if v != nil {
					return v
				}
				small, _ := bombPayloads()
				s.send(splitCompressed(core.OpBinary, small, 0)...)
				ev := s.next(false)
				if ev.kind == evClose && ev.code == core.StatusMessageTooBig {
					return passf(tr("the server refused it with %s: its limit is below 64 KiB, which it may choose.", "服务器以 %s 拒绝了它：它的上限低于 64 KiB，这是它可以选择的。"), ev.code)
				}
				s.pending = &ev
				return s.expectEcho(core.OpBinary, make([]byte, smallBomb))
			}},
		{ID: "compression.bomb", Category: "compression", Lesson: "compression", Rule: core.RuleMessageTooBig, RawHandshake: true,
			Title:   tr("64 MiB of zeros, compressed to about 80 KiB, is refused with 1009", "64 MiB 的零，压缩到约 80 KiB，被以 1009 拒绝"),
			Explain: bombExplain,
			run: func(s *session) *verdict {
				_, v := s.openCompressed(plainOffer)
				if v != nil {
					return v
				}
				_, huge := bombPayloads()
				s.send(splitCompressed(core.OpBinary, huge, 16<<10)...)
				ev := s.next(false)
				switch ev.kind {
				case evMessage, evTooBig:
					return failf(tr("a message of %d compressed bytes that inflates to %d bytes was not refused: the server inflated it and sent it back.",
						"一条压缩后 %d 字节、解压后 %d 字节的消息没有被拒绝：服务器解压了它并把它发了回来。"), len(huge), hugeBomb)
				}
				s.pending = &ev
				return s.expectRefusal(core.StatusMessageTooBig)
			}},
	}
}

var bombExplain = tr("A few bytes of DEFLATE can stand for a thousand times more: a server that inflates a message whole before it looks at its size can be made to allocate gigabytes by a client that sends kilobytes (a decompression bomb). The limit on a message's size must apply to the inflated bytes, checked while they come out: stop at the limit and fail the connection with 1009 (message too big, RFC 6455 §7.4.1).",
	"几个字节的 DEFLATE 可以代表一千倍的数据：先把消息整个解压、再看它有多大的服务器，会被一个只发送几 KB 的客户端逼着分配几 GB 内存（解压炸弹）。消息大小的上限必须作用于解压后的字节，并在解压的过程中检查：到达上限就停下，并以 1009（消息过大，RFC 6455 §7.4.1）使连接失败。")
