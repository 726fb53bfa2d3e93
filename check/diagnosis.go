//go:build !js

package check

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"strings"

	"wsplay/core"
)

// Diagnosis is a classic mistake recognised from what came back, said once
// at the top of a report, before the case details: most first servers fail
// many cases for one reason, and the learner should read that reason first.
type Diagnosis struct {
	// ID names the mistake for programs and translations: one of the
	// Diag constants.
	ID string `json:"id"`
	// Text says what the server did and what to change, for a learner.
	Text string `json:"text"`
	// Lesson is the URL of the lesson to read.
	Lesson string `json:"lesson"`
	// Cases are the ids of the cases that showed the mistake.
	Cases []string `json:"cases,omitempty"`
}

// The mistakes the check recognises, most fundamental first: a report names
// the first of them that any case showed.
const (
	DiagNotListening     = "not-listening"      // nothing accepts connections at the address
	DiagStoppedListening = "stopped-listening"  // the server went away during the run
	DiagAcceptHex        = "accept-hex"         // Accept is the SHA-1 digest in hex
	DiagAcceptDecodedKey = "accept-decoded-key" // Accept hashed the base64-decoded key
	DiagHandshakeOnly    = "handshake-only"     // the handshake is answered, then nothing
	DiagServerMasks      = "server-masks"       // the server's frames have the MASK bit set
	DiagEchoedMasked     = "echoed-masked"      // the reply is the masked bytes sent
	DiagCutAtRecv        = "cut-at-recv"        // the reply stops at the size of one recv
)

// diagOrder is the priority of the diagnoses, with each one's lesson.
var diagOrder = []struct{ id, lesson string }{
	{DiagNotListening, "your-server"},
	{DiagStoppedListening, "your-server"},
	{DiagAcceptHex, "accept"},
	{DiagAcceptDecodedKey, "accept"},
	{DiagHandshakeOnly, "frame-anatomy"},
	{DiagServerMasks, "masking"},
	{DiagEchoedMasked, "masking"},
	{DiagCutAtRecv, "mistakes"},
}

// diagText returns the paragraph of a diagnosis in a language; addr is
// the address dialed. The Accept mistakes end with core's words for them
// (core/words.go), the one place they are written.
func diagText(id, addr, lang string) string {
	var w core.Words
	switch id {
	case DiagNotListening:
		w = tr("nothing listens on %s — is your server started? Start it, check the port in the URL, then run the check again.",
			"%s 上没有程序在监听——你的服务器启动了吗？请启动它，核对 URL 中的端口，然后再运行一次检查。")
	case DiagStoppedListening:
		w = tr("your server stopped accepting connections on %s during the run: it has probably crashed. Look at its output for the error; the cases after that one were not run.",
			"运行期间，你的服务器停止在 %s 上接受连接：它很可能崩溃了。请在它的输出中查找错误；之后的用例没有运行。")
	case DiagAcceptHex:
		w = join(tr("your Sec-WebSocket-Accept is the SHA-1 digest written in hex (40 characters).",
			"你的 Sec-WebSocket-Accept 是以十六进制写出的 SHA-1 摘要（40 个字符）。"), acceptWords("accept.base64-not-hex"))
	case DiagAcceptDecodedKey:
		w = join(tr("your Sec-WebSocket-Accept was computed from the base64-decoded key.",
			"你的 Sec-WebSocket-Accept 是用 base64 解码后的 Sec-WebSocket-Key 计算的。"), acceptWords("accept.hash-text"))
	case DiagHandshakeOnly:
		w = tr("your server answers the handshake, but nothing comes back after it: it does not read frames yet. Reading a frame and sending it back is what the lessons on frames and payload lengths add; until then, check it with -stage handshake.",
			"你的服务器回应了握手，但之后什么也没有发回：它还不会读帧。读取一帧并把它发回，是关于帧和载荷长度的课程要加上的；在那之前，请用 -stage handshake 检查。")
	case DiagServerMasks:
		w = tr("your server sets the MASK bit on the frames it sends. Only a client masks: a server's frames have MASK 0 and no masking key, and a browser fails the connection on a masked one.",
			"你的服务器在它发出的帧上设置了 MASK 位。只有客户端加掩码：服务器的帧 MASK 为 0，也没有掩码键，浏览器收到已加掩码的帧会使连接失败。")
	case DiagEchoedMasked:
		w = tr("your server sends the payload back still masked: the bytes that came back are exactly the masked bytes the check sent. Unmask each payload byte (byte i XOR key[i mod 4]) before you use or echo it.",
			"你的服务器发回的载荷仍然带着掩码：发回的字节正是检查发出的加了掩码的字节。在使用或回显之前，先去掉每个载荷字节的掩码（第 i 个字节 XOR key[i mod 4]）。")
	case DiagCutAtRecv:
		w = tr("your server's replies stop at the size of one recv: it reads each frame with a single recv call and sends back what that one read returned. Keep reading until the whole payload announced by the length field has arrived.",
			"你的服务器的回复停在一次 recv 的大小：它用一次 recv 调用读每一帧，并把这一次读取的结果发回。请一直读，直到长度字段所说的整个载荷都到齐。")
	default:
		return id
	}
	if strings.Contains(w.EN, "%s") {
		w = sayf(w, addr)
	}
	return w.In(lang)
}

// acceptWords returns core's words with the id (core/words.go).
func acceptWords(id string) core.Words {
	w, _ := core.WordsOf(id)
	return w
}

// acceptMistake recognises how a wrong Accept value was computed from key.
func acceptMistake(key, got string) string {
	sum := sha1.Sum([]byte(key + core.GUID))
	if strings.EqualFold(strings.TrimSpace(got), hex.EncodeToString(sum[:])) {
		return DiagAcceptHex
	}
	if raw, err := base64.StdEncoding.DecodeString(key); err == nil {
		d := sha1.Sum(append(raw, core.GUID...))
		if got == base64.StdEncoding.EncodeToString(d[:]) || strings.EqualFold(got, hex.EncodeToString(d[:])) {
			return DiagAcceptDecodedKey
		}
	}
	return ""
}

// acceptMistakeText is the sentence a case adds for a recognised Accept
// mistake: core's words for it.
func acceptMistakeText(id string) (core.Words, bool) {
	switch id {
	case DiagAcceptHex:
		return join(tr("It is the SHA-1 digest in hex.", "它是十六进制的 SHA-1 摘要。"), acceptWords("accept.base64-not-hex")), true
	case DiagAcceptDecodedKey:
		return join(tr("It was computed from the decoded key bytes.", "它是用解码后的 Sec-WebSocket-Key 字节计算的。"), acceptWords("accept.hash-text")), true
	}
	return core.Words{}, false
}

// diagnose picks the report's diagnosis from what the cases recognised.
func diagnose(found map[string][]string, addr, lessons, lang string) *Diagnosis {
	for _, d := range diagOrder {
		if ids, ok := found[d.id]; ok {
			return &Diagnosis{ID: d.id, Text: diagText(d.id, addr, lang), Lesson: LessonURL(lessons, d.lesson, lang), Cases: ids}
		}
	}
	return nil
}
