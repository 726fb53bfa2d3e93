//go:build !js

package check

import (
	"bytes"
	"fmt"
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
	Title string
}

// Categories in the order the report lists them.
var Categories = []Category{
	{"handshake", "Opening handshake"},
	{"frames", "Single frames"},
	{"masking", "Masking"},
	{"fragments", "Fragmented messages"},
	{"control", "Ping, pong and control frames"},
	{"reserved", "Reserved bits and opcodes"},
	{"utf8", "UTF-8"},
	{"close", "Closing handshake"},
	{"large", "Large messages"},
	{"chunks", "Partial reads"},
}

// Case is one check.
type Case struct {
	ID       string
	Category string
	// Stage is the id of the stage (Stages) the case belongs to.
	Stage string
	Title string
	// Lesson is the slug of the lesson that explains the rule.
	Lesson string
	// Rule is the requirement checked; a verdict may name a more precise
	// one.
	Rule core.Rule
	// Explain is the paragraph a learner reads when the case fails or
	// warns.
	Explain string
	// RawHandshake cases get a connection without the opening handshake.
	RawHandshake bool
	run          func(s *session) *verdict
}

// verdict is what a case decided.
type verdict struct {
	brief   bool // no evidence in the report: it is the same in every case
	status  Status
	got     string
	rule    *core.Rule // when not the case's rule
	lesson  string     // when not the case's lesson
	explain string     // when not the case's paragraph
	diag    string     // the id of a classic mistake recognised (Diagnosis)
	silent  bool       // nothing came: a timeout or the TCP connection closed
}

func passf(format string, a ...any) *verdict {
	return &verdict{status: Pass, got: fmt.Sprintf(format, a...)}
}
func warnf(format string, a ...any) *verdict {
	return &verdict{status: Warn, got: fmt.Sprintf(format, a...)}
}
func failf(format string, a ...any) *verdict {
	return &verdict{status: Fail, got: fmt.Sprintf(format, a...)}
}

func (v *verdict) withRule(r core.Rule) *verdict    { v.rule = &r; return v }
func (v *verdict) withLesson(slug string) *verdict  { v.lesson = slug; return v }
func (v *verdict) withExplain(text string) *verdict { v.explain = text; return v }
func (v *verdict) withDiag(id string) *verdict      { v.diag = id; return v }
func (v *verdict) also(format string, a ...any) *verdict {
	v.got += " " + fmt.Sprintf(format, a...)
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
	}
	return ""
}

// ---- expectations shared by the cases ----

// expectEcho reads the next message and checks it is payload with opcode op.
func (s *session) expectEcho(op core.Opcode, payload []byte) *verdict {
	ev := s.next(false)
	if ev.kind != evMessage {
		return s.unexpected(ev, "the "+op.String()+" message back")
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
		return failf("a %d-byte %s message came back, but its bytes are exactly the masked bytes the check sent: the server echoed the payload without unmasking it (%s).", len(ev.data), ev.op, preview(ev.data)).
			withRule(core.RuleUnmaskPayload).withLesson("masking").withDiag(DiagEchoedMasked).
			withExplain("A client masks every payload byte with its 4-byte masking key (byte i XOR key[i mod 4]), a fresh key per frame. The server must apply the same XOR again to get the data back before it uses it. This server sent the masked bytes back as they came, so the client reads noise. (The frames stage masks with the key 00 00 00 00, which changes nothing, so a server that does not unmask passes there and fails here.)")
	}
	if len(ev.data) < len(payload) && (bytes.HasPrefix(payload, ev.data) || bytes.HasPrefix(s.maskedData, ev.data)) {
		hdr := core.FrameHeader{Length: uint64(len(payload)), Masked: true}.Size()
		for _, n := range recvSizes {
			if len(ev.data) == n || len(ev.data)+hdr == n {
				return failf("a %d-byte message was sent; only its first %d bytes came back: with the %d-byte frame header that is %d bytes, the size of one recv(%d).", len(payload), len(ev.data), hdr, len(ev.data)+hdr, n).
					withRule(core.RuleByteStream).withLesson("mistakes").withDiag(DiagCutAtRecv).
					withExplain(fmt.Sprintf("The reply stops where one read of %d bytes ended: the server read the frame with a single recv(%d) and sent back what that read returned. TCP delivers a stream of bytes, and a large frame arrives over many reads. Read until the whole header is there, then keep reading until you have as many payload bytes as the length field announced.", n, n))
			}
		}
	}
	return nil
}

func compareEcho(ev event, op core.Opcode, payload []byte) *verdict {
	if ev.op != op && len(ev.data) != len(payload) {
		return failf("a %s message of %d bytes was sent; a %s message of %d bytes came back: the opcode is wrong and the payload is %s.", op, len(payload), ev.op, len(ev.data), firstDiff(payload, ev.data))
	}
	if ev.op != op {
		return failf("a %s message of %d bytes was sent; a %s message of %d bytes came back.", op, len(payload), ev.op, len(ev.data)).
			withRule(core.RuleEchoOpcode).withLesson("frame-anatomy").
			withExplain("The opcode in the first byte of a frame says what the payload is: 0x1 text, 0x2 binary. A server that always replies with 0x81 (FIN and text) turns every binary message into text, which a browser then fails to decode as UTF-8. Send the reply with the opcode of the message received (and remember that the first frame's opcode is the message's; continuation frames carry 0x0).")
	}
	if !bytes.Equal(ev.data, payload) {
		return failf("a %s message of %d bytes was sent; a %s message of %d bytes came back, %s: %s.", op, len(payload), ev.op, len(ev.data), firstDiff(payload, ev.data), preview(ev.data))
	}
	how := "in one frame"
	if ev.frames > 1 {
		how = "in " + strconv.Itoa(ev.frames) + " frames"
	}
	return passf("the %s message came back unchanged (%d bytes, %s).", op, len(payload), how)
}

// firstDiff says where got differs from want.
func firstDiff(want, got []byte) string {
	n := min(len(want), len(got))
	for i := range n {
		if want[i] != got[i] {
			return "different from byte " + strconv.Itoa(i) + " on"
		}
	}
	if len(got) < len(want) {
		return "cut short after " + strconv.Itoa(len(got)) + " bytes"
	}
	return "with " + strconv.Itoa(len(got)-len(want)) + " extra bytes at the end"
}

// unexpected describes an event that is not the one the case waited for.
func (s *session) unexpected(ev event, wanted string) *verdict {
	switch ev.kind {
	case evMessage:
		return failf("expected %s; a %s message of %d bytes came instead: %s.", wanted, ev.op, len(ev.data), preview(ev.data))
	case evPong:
		return failf("expected %s; a pong came instead.", wanted)
	case evClose:
		if ev.badBody != nil {
			return failf("expected %s; the server sent a close frame that breaks a rule: %v.", wanted, ev.badBody).withRule(firstRule(ev.badBody)).withLesson("closing")
		}
		return failf("expected %s; the server closed the connection with %s instead%s.", wanted, ev.code, quoteReason(ev.reason))
	case evBadFrame:
		return s.badFrame(ev, wanted)
	case evError:
		return failf("expected %s; %v.", wanted, ev.err)
	case evTooBig:
		return failf("expected %s; %v.", wanted, ev.err).withRule(core.RuleMessageTooBig).
			withExplain("The check keeps at most this many bytes of one message from the server, so that a server that sends without end cannot fill the checker's memory. No case asks for such a message: look at how your server builds its reply.")
	}
	v := s.transportVerdict(ev.err, wanted)
	v.silent = ev.kind == evTimeout || ev.kind == evEnd
	return v
}

// badFrame reports a frame of the server's that breaks the rules: the
// FrameReader in the client role refused it.
func (s *session) badFrame(ev event, wanted string) *verdict {
	r := firstRule(ev.err)
	lesson := "frame-anatomy"
	diag := ""
	if r == core.RuleServerNoMask {
		lesson, diag = "masking", DiagServerMasks
	}
	return failf("expected %s; the server sent a frame that breaks the rules: %v.", wanted, ev.err).withRule(r).withLesson(lesson).withDiag(diag).
		withExplain("The client decodes the server's frames with the same rules the server applies to the client's. This frame would make a browser fail the connection. The decoded frame below shows which field is wrong.")
}

func firstRule(err error) core.Rule {
	if pe, ok := err.(*core.ProtocolError); ok && len(pe.Rules) > 0 {
		return pe.Rules[0]
	}
	return core.RuleFrameError
}

func quoteReason(r string) string {
	if r == "" {
		return ""
	}
	return " (reason " + strconv.Quote(r) + ")"
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
			return failf("the server closed, but its close frame breaks a rule: %v.", ev.badBody).withRule(firstRule(ev.badBody)).withLesson("closing")
		case ev.code == want:
			return passf("the server failed the connection with %s%s.", ev.code, quoteReason(ev.reason))
		case want == core.StatusInvalidPayload && ev.code == core.StatusProtocolError:
			return warnf("the server failed the connection with %s; %s is the code for data that does not match its type, such as invalid UTF-8.", ev.code, want).
				withExplain("Refusing the message is what matters, and the server did. The status code tells the client why: 1002 says the framing was broken, 1007 says the framing was fine but the data was not valid for its type (RFC 6455 §7.4.1). Use 1007 for invalid UTF-8.")
		case ev.code == core.StatusNoStatusReceived:
			return warnf("the server closed the connection, but its close frame has no status code; %s tells the client why.", want).withRule(core.RuleFailWithClose)
		}
		return warnf("the server closed the connection with %s%s; the code for this is %s.", ev.code, quoteReason(ev.reason), want).withRule(core.RuleFailWithClose)
	case evEnd:
		return warnf("the server closed the TCP connection without sending a close frame first; a close frame with %s would tell the client why.", want).withRule(core.RuleFailWithClose).
			withExplain("Refusing the frame is right, and the server did. But it dropped the TCP connection without a word, so the client only sees 1006 (abnormal closure) and cannot tell a refused frame from a crash. Failing the connection means: send a close frame with the status code (1002 for a broken framing rule, 1007 for invalid data), then close the TCP connection (RFC 6455 §7.1.7).")
	case evMessage:
		return failf("the server accepted the frame and echoed it back as a %s message of %d bytes: %s. It must refuse it and close the connection with %s.", ev.op, len(ev.data), preview(ev.data), want)
	case evTimeout:
		v := failf("the server neither refused the frame nor answered within the time limit (%s); it must close the connection with %s.", s.opts.Timeout, want)
		v.silent = true
		return v
	}
	return s.unexpected(ev, "a close frame with "+want.String())
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
				return s.handshakeFailed(err).withExplain("")
			}
			err = resp.Verify(req)
			he, _ := err.(*core.HandshakeError)
			if he != nil {
				// The stage at which each rule is checked; the others
				// (subprotocol, extensions) count with the Accept value.
				at := map[core.Rule]int{core.RuleStatus101: 0, core.RuleStatusLine: 0, core.RuleResponseUpgrade: 1, core.RuleResponseConnection: 1}
				if st, ok := at[he.Rule]; !ok && stage == 2 || ok && st <= stage {
					v := failf("the server's answer breaks the rule.")
					if he.Detail != "" {
						v.got = he.Detail + "."
					}
					if he.Rule == core.RuleAcceptValue {
						v.diag = acceptMistake(req.Key, resp.Header.Get("Sec-WebSocket-Accept"))
						if t := acceptMistakeText(v.diag); t != "" {
							v.also("%s", t)
						}
					}
					return v.withRule(he.Rule)
				}
			}
			switch stage {
			case 0:
				return passf("the server answered %s %d %s.", resp.Proto, resp.Status, resp.Reason)
			case 1:
				return passf("Upgrade: %s and Connection: %s.", resp.Header.Get("Upgrade"), strings.Join(resp.Header.Values("Connection"), ", "))
			}
			return passf("Sec-WebSocket-Accept: %s is right for the key %s.", resp.Header.Get("Sec-WebSocket-Accept"), req.Key)
		}
	}
	refusal := func(head func(s *session) string, want int, wantHeader bool) func(s *session) *verdict {
		return func(s *session) *verdict {
			resp, err := s.handshake([]byte(head(s)))
			if err != nil {
				if he, ok := err.(*core.HandshakeError); ok {
					return failf("the answer is not HTTP: %v.", he).withRule(he.Rule)
				}
				return s.transportVerdict(err, "an HTTP error status")
			}
			version := resp.Header.Get("Sec-WebSocket-Version")
			switch {
			case resp.Status == 101:
				return failf("the server accepted the request with 101 Switching Protocols; it must refuse it with %d.", want)
			case resp.Status < 400 || resp.Status > 499:
				return failf("the server answered %d %s; a request the server must refuse gets a 4xx status, here %d.", resp.Status, resp.Reason, want)
			case wantHeader && !resp.Header.HasToken("Sec-WebSocket-Version", core.Version):
				return failf("the server refused with %d %s but without Sec-WebSocket-Version: 13, so the client cannot learn which version to use.", resp.Status, resp.Reason)
			case resp.Status != want:
				v := warnf("the server refused with %d %s; %d is the status the RFC names for this.", resp.Status, resp.Reason, want)
				if wantHeader {
					v.also("It did send Sec-WebSocket-Version: %s.", version)
				}
				return v
			}
			v := passf("the server refused with %d %s", resp.Status, resp.Reason)
			if wantHeader {
				v.also("and Sec-WebSocket-Version: %s.", version)
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
			Title:   "a valid request gets the status line HTTP/1.1 101 Switching Protocols",
			Rule:    core.RuleStatus101,
			Explain: "The opening handshake is an HTTP request that asks to switch protocols. The server accepts with the status line \"HTTP/1.1 101 Switching Protocols\" and from then on both sides speak WebSocket frames on the same TCP connection. Any other status means the handshake failed, and a browser gives up. Check the exact text of your status line and that it ends with \\r\\n.",
			run:     verify(0)},
		{ID: "handshake.headers", Category: "handshake", Lesson: "handshake", RawHandshake: true,
			Title:   "the 101 response has Upgrade: websocket and Connection: Upgrade",
			Rule:    core.RuleResponseUpgrade,
			Explain: "A 101 response must say which protocol the connection switches to (Upgrade: websocket) and that the Connection header applies to this hop (Connection: Upgrade). A browser checks both and fails the handshake if either is missing. Every header line ends with \\r\\n, and an empty line ends the response.",
			run:     verify(1)},
		{ID: "handshake.accept", Category: "handshake", Lesson: "accept", RawHandshake: true,
			Title:   "Sec-WebSocket-Accept is base64(SHA-1(key + GUID)) for a fresh random key",
			Rule:    core.RuleAcceptValue,
			Explain: "The Accept value proves that the server read this client's key: take the Sec-WebSocket-Key text exactly as received (do not decode it), append the GUID 258EAFA5-E914-47DA-95CA-C5AB0DC85B11, hash with SHA-1, and send the 20 raw bytes of the digest in base64 (not the hex digest). The check sends a fresh random key, so a value copied from the RFC's example fails here.",
			run:     verify(2)},
		{ID: "handshake.version", Category: "handshake", Lesson: "handshake", RawHandshake: true,
			Title:   "a request with Sec-WebSocket-Version: 8 is refused with 426 and Sec-WebSocket-Version: 13",
			Rule:    core.RuleVersion,
			Explain: "Only version 13 of the protocol exists in RFC 6455. A server that accepts any version may be talking to a client that frames differently. It must refuse the handshake with an error status (426 Upgrade Required is the one the RFC names) and a Sec-WebSocket-Version header listing the versions it speaks, so that the client can retry with one of them.",
			run:     refusal(func(s *session) string { return head(s, "8", core.NewKey()) }, 426, true)},
		{ID: "handshake.no-key", Category: "handshake", Lesson: "handshake", RawHandshake: true,
			Title:   "a request without Sec-WebSocket-Key is refused with 400 Bad Request",
			Rule:    core.RuleKeyPresent,
			Explain: "Without a Sec-WebSocket-Key there is nothing to compute the Accept value from: the request is not a WebSocket handshake, and the server must answer with an HTTP error (400 Bad Request) instead of crashing or hanging. A server that looks the header up without checking that it is there usually dies here with an exception.",
			run:     refusal(func(s *session) string { return head(s, core.Version, "") }, 400, false)},
	}
}

// ---- single frames ----

func frameCases() []Case {
	var cs []Case
	for _, op := range []core.Opcode{core.OpText, core.OpBinary} {
		for _, n := range []int{0, 125, 126, 65535, 65536} {
			rule, form := core.RuleLength7, "the 7-bit length"
			switch {
			case n > 65535:
				rule, form = core.RuleLength64, "Payload len 127 and a 64-bit length"
			case n > 125:
				rule, form = core.RuleLength16, "Payload len 126 and a 16-bit length"
			}
			cs = append(cs, Case{
				ID: "frame." + op.String() + "-" + strconv.Itoa(n), Category: "frames", Lesson: "payload-length", Rule: rule,
				Title:   fmt.Sprintf("a %d-byte %s message (%s) comes back unchanged", n, op, form),
				Explain: "The length of a payload has three forms: up to 125 bytes it sits in the 7 bits of Payload len; from 126 to 65535, Payload len is 126 and the next 2 bytes hold the length; from 65536 on, Payload len is 127 and the next 8 bytes hold it, both in network byte order (big-endian). The masking key comes after the length, so a wrong length form also shifts the key and garbles the payload. Test your server at the edges: 125, 126, 65535 and 65536 bytes. A reply cut to about 4 KB means the server read the frame with a single recv(4096): keep reading until the whole payload has arrived. " + zeroKeyNote,
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
const zeroKeyNote = "In the frames stage the check masks every frame with the key 00 00 00 00, which is legal (the server cannot tell a zero key from another) and leaves the payload unchanged, so a server that does not unmask yet still echoes right; the masking stage sends random keys."

// ---- masking ----

func maskingCases() []Case {
	explain := "Every frame a client sends is masked: the MASK bit is 1, a 4-byte masking key follows the length, and each payload byte i is XORed with key[i mod 4]. The key is fresh for every frame. The server reads the key and applies the same XOR to get the data back. These cases use random keys, so a server that skips unmasking sends back noise."
	var cs []Case
	for _, m := range []struct {
		id      string
		op      core.Opcode
		n       int
		chunked bool
	}{{"masking.text", core.OpText, 32, false}, {"masking.text-126", core.OpText, 126, false}, {"masking.text-65536", core.OpText, 65536, false}, {"masking.chunked", core.OpText, 40, true}} {
		title := fmt.Sprintf("a %d-byte %s message masked with a random key comes back unmasked", m.n, m.op)
		if m.chunked {
			title = "a frame masked with a random key, written one byte per write, comes back unmasked"
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
		Title:   "a client frame without a mask is refused with 1002",
		Explain: "Every frame a client sends must be masked (MASK bit 1 and a 4-byte key), and a server must fail the connection when one is not: masking protects proxies that would otherwise read attacker-chosen bytes as HTTP. Read the MASK bit; do not assume the key is there.",
		run: func(s *session) *verdict {
			s.send(frameSpec{fin: true, op: core.OpText, payload: []byte("not masked"), unmasked: true})
			return s.expectRefusal(core.StatusProtocolError)
		},
	})
	return cs
}

// ---- fragmented messages ----

func fragmentCases() []Case {
	explain := "A message may come in several frames: the first has the message's opcode and FIN 0, the next ones opcode 0x0 (continuation), and the last has FIN 1. A server must join the fragments before it handles the message. The classic recipe ignores the FIN bit and answers each frame as a message of its own."
	return []Case{
		{ID: "fragments.text", Category: "fragments", Lesson: "fragmentation", Rule: core.RuleFragmentsJoined,
			Title: "a text message in 3 fragments comes back as one message", Explain: explain,
			run: func(s *session) *verdict {
				s.send(text(false, "Hello, "), frameSpec{op: core.OpContinuation, payload: []byte("fragmented ")}, frameSpec{fin: true, op: core.OpContinuation, payload: []byte("world")})
				return s.expectEcho(core.OpText, []byte("Hello, fragmented world"))
			}},
		{ID: "fragments.binary", Category: "fragments", Lesson: "fragmentation", Rule: core.RuleFragmentsJoined,
			Title: "a binary message in 2 fragments comes back as one message", Explain: explain,
			run: func(s *session) *verdict {
				p := payloadOf(core.OpBinary, 300)
				s.send(frameSpec{op: core.OpBinary, payload: p[:100]}, frameSpec{fin: true, op: core.OpContinuation, payload: p[100:]})
				return s.expectEcho(core.OpBinary, p)
			}},
		{ID: "fragments.lone-continuation", Category: "fragments", Lesson: "fragmentation", Rule: core.RuleContinuationLone,
			Title:   "a continuation frame with no message to continue is refused with 1002",
			Explain: "A continuation frame (opcode 0x0) only makes sense after a text or binary frame with FIN 0. Arriving alone, it continues nothing, and the server must fail the connection with 1002 (protocol error) rather than guess.",
			run: func(s *session) *verdict {
				s.send(frameSpec{fin: true, op: core.OpContinuation, payload: []byte("continues nothing")})
				return s.expectRefusal(core.StatusProtocolError)
			}},
		{ID: "fragments.nested", Category: "fragments", Lesson: "fragmentation", Rule: core.RuleFragmentsNested,
			Title:   "a new text frame in the middle of a fragmented message is refused with 1002",
			Explain: "Messages cannot interleave: once a message has started with FIN 0, only continuation frames (and control frames) may follow until the frame with FIN 1. A text or binary frame in between is a protocol error, 1002.",
			run: func(s *session) *verdict {
				s.send(text(false, "first, "), text(true, "second"))
				return s.expectRefusal(core.StatusProtocolError)
			}},
	}
}

// ---- ping, pong and control frames ----

func controlCases() []Case {
	pongExplain := "A ping (opcode 0x9) asks the other side to prove it is alive: the answer is a pong (opcode 0xA) with exactly the ping's payload, not a text message. Browsers answer pings by themselves, and servers are expected to as well; a server that echoes the ping as text, or ignores it, looks dead to a client that pings."
	pingPong := func(payload []byte) func(s *session) *verdict {
		return func(s *session) *verdict {
			s.send(frameSpec{fin: true, op: core.OpPing, payload: payload})
			ev := s.next(true)
			if ev.kind != evPong {
				return s.unexpected(ev, "a pong")
			}
			if !bytes.Equal(ev.data, payload) {
				return failf("a pong came back with %d bytes %s; the ping carried %d bytes %s.", len(ev.data), preview(ev.data), len(payload), preview(payload))
			}
			return passf("a pong came back with the ping's %d-byte payload.", len(payload))
		}
	}
	return []Case{
		{ID: "control.ping", Category: "control", Lesson: "control-frames", Rule: core.RulePongPayload, Explain: pongExplain,
			Title: "a ping is answered with a pong carrying the same payload", run: pingPong([]byte("wsplay check ping"))},
		{ID: "control.ping-125", Category: "control", Lesson: "control-frames", Rule: core.RulePongPayload, Explain: pongExplain,
			Title: "a ping with the largest control payload (125 bytes) is answered with the same pong", run: pingPong(payloadOf(core.OpBinary, 125))},
		{ID: "control.ping-between-fragments", Category: "control", Lesson: "control-frames", Rule: core.RuleControlBetween,
			Title:   "a ping between two fragments is answered, and the message still comes back whole",
			Explain: "Control frames may arrive between the fragments of a message, so that a long message does not delay a ping or a close. The server must answer the ping at once and keep collecting the message. A server that treats every frame as the start of a message gets confused here.",
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
							return failf("a pong came back with %s; the ping carried \"between\".", preview(ev.data)).withRule(core.RulePongPayload)
						}
						gotPong = true
					case ev.kind == evMessage && msg == nil:
						msg = &ev
						if v := compareEcho(ev, core.OpText, []byte("Hello, fragments")); v.status != Pass {
							return v
						}
					default:
						want := "the pong"
						if gotPong {
							want = "the text message \"Hello, fragments\""
						}
						return s.unexpected(ev, want)
					}
				}
				return passf("the pong and the whole message (\"Hello, fragments\") came back.")
			}},
		{ID: "control.unsolicited-pong", Category: "control", Lesson: "control-frames", Rule: core.RulePongUnsolicited,
			Title:   "an unsolicited pong is ignored: only the text message after it comes back",
			Explain: "A pong may arrive without a ping, as a heartbeat. It needs no answer, and it is not a message: a server must not echo it or pass it to the application as data.",
			run: func(s *session) *verdict {
				s.send(frameSpec{fin: true, op: core.OpPong, payload: []byte("heartbeat")}, text(true, "after the pong"))
				return s.expectEcho(core.OpText, []byte("after the pong"))
			}},
		{ID: "control.fragmented-ping", Category: "control", Lesson: "control-frames", Rule: core.RuleControlFinal,
			Title:   "a ping with FIN 0 is refused with 1002",
			Explain: "Control frames (close, ping, pong) must fit in one frame: their FIN bit is always 1. A control frame with FIN 0 is a protocol error, and the server must fail the connection with 1002.",
			run: func(s *session) *verdict {
				s.send(frameSpec{fin: false, op: core.OpPing, payload: []byte("fragmented ping")})
				return s.expectRefusal(core.StatusProtocolError)
			}},
		{ID: "control.ping-126", Category: "control", Lesson: "control-frames", Rule: core.RuleControlLength,
			Title:   "a ping with a 126-byte payload is refused with 1002",
			Explain: "A control frame's payload is at most 125 bytes, so that its length always fits in the 7-bit field and it can be handled without waiting for a long payload. A ping of 126 bytes breaks the rule, and the server must fail the connection with 1002.",
			run: func(s *session) *verdict {
				s.send(frameSpec{fin: true, op: core.OpPing, payload: payloadOf(core.OpText, 126)})
				return s.expectRefusal(core.StatusProtocolError)
			}},
	}
}

// ---- reserved bits and opcodes ----

func reservedCases() []Case {
	rsvExplain := "The three RSV bits after FIN are reserved for extensions, such as permessage-deflate, and only an extension negotiated in the handshake may set them. With none negotiated, a frame with any RSV bit set must fail the connection with 1002: the server cannot know what the bit changes in the payload."
	opExplain := "Opcodes 0x3-0x7 (data) and 0xB-0xF (control) are reserved for future versions. A server cannot know what such a frame means, so it must fail the connection with 1002 rather than treat it as text."
	var cs []Case
	for i, bitv := range []byte{4, 2, 1} {
		cs = append(cs, Case{
			ID: "reserved.rsv" + strconv.Itoa(i+1), Category: "reserved", Lesson: "frame-anatomy", Rule: core.RuleReservedBits, Explain: rsvExplain,
			Title: fmt.Sprintf("a text frame with RSV%d set is refused with 1002", i+1),
			run: func(s *session) *verdict {
				s.send(frameSpec{fin: true, rsv: bitv, op: core.OpText, payload: []byte("reserved bit")})
				return s.expectRefusal(core.StatusProtocolError)
			},
		})
	}
	for _, op := range []core.Opcode{0x3, 0xB} {
		cs = append(cs, Case{
			ID: "reserved.opcode-" + strconv.FormatUint(uint64(op), 16), Category: "reserved", Lesson: "frame-anatomy", Rule: core.RuleReservedOpcode, Explain: opExplain,
			Title: fmt.Sprintf("a frame with the %s opcode is refused with 1002", op),
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

const utf8Explain = "A text message must be valid UTF-8, and the receiver must check: when the bytes are not, it fails the connection with 1007 (invalid payload data). Check as the bytes arrive, not only at the end: a fragment that already holds an impossible sequence can be refused at once. Decoding with a library that replaces bad bytes by U+FFFD hides the problem instead of refusing it."

const passThroughExplain = "The server sent the invalid bytes back in a text frame: it does not validate UTF-8, and a browser receiving that frame now fails the connection with 1007. RFC 6455 §8.1 requires the check. Some widely used libraries (coder/websocket, for one) deliberately leave it to the application, which is why wsplay reports this as a warning and not a failure; a server that wants to pass must validate text and close with 1007."

func utf8Cases() []Case {
	refuseInvalid := func(s *session) *verdict {
		ev := s.next(false)
		if ev.kind == evMessage && ev.op == core.OpText && bytes.Equal(ev.data, invalidUTF8) {
			return warnf("the server echoed the invalid UTF-8 back in a text message instead of closing with 1007.").withExplain(passThroughExplain)
		}
		return s.refusalFrom(ev, core.StatusInvalidPayload)
	}
	return []Case{
		{ID: "utf8.valid", Category: "utf8", Lesson: "utf8", Rule: core.RuleInvalidUTF8, Explain: utf8Explain,
			Title: "text with 2-, 3- and 4-byte UTF-8 characters comes back unchanged",
			run: func(s *session) *verdict {
				p := []byte("héllo wörld ✓ κόσμε 🌍")
				s.send(frameSpec{fin: true, op: core.OpText, payload: p})
				return s.expectEcho(core.OpText, p)
			}},
		{ID: "utf8.split-character", Category: "utf8", Lesson: "utf8", Rule: core.RuleInvalidUTF8,
			Title:   "a character split between two fragments is valid: the message comes back",
			Explain: "UTF-8 is checked over the whole message, not frame by frame: a character may start at the end of one fragment and end in the next (here é is C3 in one frame and A9 in the next). A server that validates each fragment alone refuses a valid message.",
			run: func(s *session) *verdict {
				s.send(frameSpec{op: core.OpText, payload: []byte("caf\xc3")}, frameSpec{fin: true, op: core.OpContinuation, payload: []byte("\xa9!")})
				return s.expectEcho(core.OpText, []byte("café!"))
			}},
		{ID: "utf8.invalid", Category: "utf8", Lesson: "utf8", Rule: core.RuleInvalidUTF8, Explain: utf8Explain,
			Title: "a text message with invalid UTF-8 is refused with 1007",
			run: func(s *session) *verdict {
				s.send(frameSpec{fin: true, op: core.OpText, payload: invalidUTF8})
				return refuseInvalid(s)
			}},
		{ID: "utf8.fail-fast", Category: "utf8", Lesson: "utf8", Rule: core.RuleInvalidUTF8, Explain: utf8Explain,
			Title: "invalid UTF-8 in the first fragment is refused before the message ends",
			run: func(s *session) *verdict {
				s.send(frameSpec{op: core.OpText, payload: invalidUTF8})
				// Give the server a moment to refuse the first fragment.
				wait := min(s.opts.Timeout/2, time.Second)
				s.nc.SetReadDeadline(time.Now().Add(wait))
				ev := s.next(false)
				if ev.kind == evMessage {
					return failf("the server answered the first fragment (FIN 0) at once with a %s message of %d bytes, as if it were a whole message: %s.", ev.op, len(ev.data), preview(ev.data)).
						withRule(core.RuleFragmentsJoined).withLesson("fragmentation").
						withExplain("This fragment had FIN 0: the message was not over. A server that reads the FIN bit waits for the continuation frames before it handles the message; this one answered the fragment on its own, and also passed on the invalid UTF-8 in it.")
				}
				if ev.kind != evTimeout {
					return s.refusalFrom(ev, core.StatusInvalidPayload)
				}
				s.nc.SetReadDeadline(s.deadline)
				s.send(frameSpec{fin: true, op: core.OpContinuation, payload: []byte(" end")})
				ev = s.next(false)
				switch {
				case ev.kind == evMessage && ev.op == core.OpText && bytes.HasPrefix(ev.data, invalidUTF8):
					return warnf("the server echoed the invalid UTF-8 back in a text message instead of closing with 1007.").withExplain(passThroughExplain)
				case ev.kind == evClose && (ev.code == core.StatusInvalidPayload || ev.code == core.StatusProtocolError):
					return warnf("the server waited for the end of the message (%s) and then closed with %s; it could have refused the first fragment at once.", wait, ev.code).
						withExplain("Refusing the message is what matters, and the server did, but only after the last fragment. The bytes ED A0 80 can never be part of valid UTF-8, so a validator that checks bytes as they arrive fails the connection as soon as it sees them, without buffering a message that will be refused anyway (the Autobahn testsuite calls this fail-fast).")
				}
				return s.refusalFrom(ev, core.StatusInvalidPayload)
			}},
	}
}

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
				return s.unexpected(ev, "a close frame in answer")
			}
			if ev.badBody != nil {
				return failf("the server answered with a close frame that breaks a rule: %v.", ev.badBody).withRule(firstRule(ev.badBody))
			}
			var v *verdict
			ok := false
			for _, c := range acceptCodes {
				ok = ok || ev.code == c
			}
			switch {
			case ok:
				v = passf("the server answered with %s", closeFrameName(ev.code))
			case ev.code == core.StatusNoStatusReceived:
				v = warnf("the server answered with a close frame without a status code; echoing %s is what endpoints usually do.", acceptCodes[0]).
					withExplain("Answering the close frame is what the RFC requires, and the server did. Its answer carries no status code, which is allowed, but the usual answer echoes the code received (RFC 6455 §5.5.1), so that the client sees the closing was understood.")
			default:
				v = warnf("the server answered with a close frame carrying %s; echoing %s is what endpoints usually do.", ev.code, acceptCodes[0]).
					withExplain("Answering the close frame is what the RFC requires, and the server did, but with another code than the one it received. The usual answer echoes the code (RFC 6455 §5.5.1).")
			}
			// Now the server should close the TCP connection (§7.1.1).
			end := s.waitEnd()
			switch end.kind {
			case evEnd:
				if v.status == Pass {
					v.got += " and closed the TCP connection."
				} else {
					v.got += " It then closed the TCP connection."
				}
				return v
			case evTimeout:
				if v.status == Pass {
					return warnf("the server answered with %s but did not close the TCP connection within the time limit (%s).", closeFrameName(ev.code), s.opts.Timeout).withRule(core.RuleServerClosesTCP).
						withExplain("After the close frames have crossed, the server should close the TCP connection first, so that the waiting TIME_WAIT state stays on the server and the client is not left waiting. Close the socket right after sending your close frame.")
				}
				return v.also("It did not close the TCP connection either.")
			case evMessage:
				return failf("after its close frame the server sent more bytes: %s.", spaced(end.data)).withRule(core.RuleNothingAfterClose)
			}
			return v
		}
	}
	explain := "To close, one side sends a close frame (opcode 0x8) whose payload is a 2-byte status code and an optional reason; the other side answers with a close frame, usually echoing the code, and then the server closes the TCP connection. A server that treats the close frame as data echoes it as text, and the client waits for an answer that never comes."
	return []Case{
		{ID: "close.normal", Category: "close", Lesson: "closing", Rule: core.RuleCloseReply, Explain: explain,
			Title: "a close frame with 1000 is answered with a close frame with 1000, then the server closes TCP",
			run:   closeAndWait(core.AppendClosePayload(nil, core.StatusNormalClosure, "bye"), core.StatusNormalClosure)},
		{ID: "close.empty", Category: "close", Lesson: "closing", Rule: core.RuleCloseReply, Explain: explain,
			Title: "a close frame without a body is answered with a close frame, then the server closes TCP",
			run:   closeAndWait(nil, core.StatusNoStatusReceived, core.StatusNormalClosure)},
		{ID: "close.invalid-code", Category: "close", Lesson: "closing", Rule: core.RuleCloseCode,
			Title:   "a close frame with code 1005, which may never be sent, is refused with 1002",
			Explain: "Some status codes exist only to report what happened locally and must never be sent: 1005 (no status received), 1006 (abnormal closure), 1015 (TLS failure); others are reserved or undefined. A server must check the code in a close frame it receives and answer one of these with 1002 (protocol error), not echo it.",
			run: func(s *session) *verdict {
				s.send(frameSpec{fin: true, op: core.OpClose, payload: []byte{0x03, 0xed}})
				return s.expectRefusal(core.StatusProtocolError)
			}},
	}
}

// closeFrameName says what a close frame carried.
func closeFrameName(code core.StatusCode) string {
	if code == core.StatusNoStatusReceived {
		return "an empty close frame"
	}
	return "a close frame with " + code.String()
}

// ---- large messages ----

func largeCases(sizes []int) []Case {
	var cs []Case
	for _, n := range sizes {
		cs = append(cs, Case{
			ID: "large." + sizeName(n), Category: "large", Lesson: "payload-length", Rule: core.RuleLength64,
			Title:   fmt.Sprintf("a %s binary message comes back unchanged", sizeName(n)),
			Explain: "A large message arrives in many TCP reads: the server must keep reading until it has the whole payload announced by the length field, unmask it across the reads with the key position carried over, and send it back with the 64-bit length form. A server that reads once, or with a fixed buffer, returns a piece of it.",
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
	explain := "TCP is a stream of bytes, not of messages: one read returns whatever has arrived, which may be a single byte of a frame, or two frames at once. The classic recipe does one recv(4096) per frame and parses it as if it held exactly one whole frame. Keep a buffer: read until it holds a whole header, then until it holds the whole payload, and keep any bytes after the frame for the next one."
	return []Case{
		{ID: "chunks.frame", Category: "chunks", Lesson: "mistakes", Rule: core.RuleByteStream, Explain: explain,
			Title: "a frame written one byte per write comes back unchanged",
			run: func(s *session) *verdict {
				s.sendChunked(text(true, "one byte at a time"))
				return s.expectEcho(core.OpText, []byte("one byte at a time"))
			}},
		{ID: "chunks.handshake", Category: "chunks", Lesson: "mistakes", Rule: core.RuleByteStream, RawHandshake: true,
			Title:   "a handshake request written one byte per write is answered with 101 and the right Accept",
			Explain: "The handshake request, too, can arrive in pieces: a server must read until the empty line that ends the HTTP head (\\r\\n\\r\\n), not parse whatever the first read returned.",
			run: func(s *session) *verdict {
				req := &core.ClientRequest{Host: s.t.Host, Target: s.t.Path}
				head := req.AppendRequest(nil)
				s.sentHead = string(head)
				s.writeChunked(head)
				resp, err := s.readResponse()
				if err != nil {
					v := s.handshakeFailed(err).withExplain("")
					if _, ok := err.(*core.HandshakeError); !ok {
						v.lesson = "" // the case's own lesson: partial reads
					}
					return v
				}
				if err := resp.Verify(req); err != nil {
					return s.handshakeFailed(err).withExplain("")
				}
				return passf("the request arrived in %d one-byte writes and the server answered 101 with the right Accept value.", len(head))
			}},
		{ID: "chunks.coalesced", Category: "chunks", Lesson: "mistakes", Rule: core.RuleByteStream, Explain: explain,
			Title: "two frames written in one write both come back",
			run: func(s *session) *verdict {
				s.sendTogether(text(true, "first"), text(true, "second"))
				if v := s.expectEcho(core.OpText, []byte("first")); v.status != Pass {
					return v
				}
				if v := s.expectEcho(core.OpText, []byte("second")); v.status != Pass {
					return v.also("(The first message came back; the second is the one that got lost.)")
				}
				return passf("both messages came back, in order.")
			}},
	}
}
