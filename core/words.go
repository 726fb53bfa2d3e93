package core

import "strings"

// This file is the home of the core's words for a learner: the meaning of
// each frame field, the names of close codes, what each opcode means, the
// steps of the Accept computation and the two classic Accept mistakes, in
// every language of Langs. The explainers (explain.go) and StatusCode.Name
// render from here; wsplay check and the page cite the same entries by id
// instead of wording them again. Rules have their own home (rules.go).

// Words is one text a learner reads, in each language.
type Words struct {
	EN string // English
	ZH string // Simplified Chinese
}

// In returns the text in a language: "zh" for Simplified Chinese, anything
// else for English.
func (w Words) In(lang string) string {
	if lang == LangZH && w.ZH != "" {
		return w.ZH
	}
	return w.EN
}

// Say returns the words with the id in a language, with {1}, {2}, ...
// replaced by args in order. An unknown id is returned as it is, so that a
// missing entry shows (words_test.go fails on one).
func Say(id, lang string, args ...string) string {
	w, ok := words[id]
	if !ok {
		return id
	}
	return fill(w.In(lang), args)
}

// WordsOf returns the entry with the id, and whether there is one.
func WordsOf(id string) (Words, bool) {
	w, ok := words[id]
	return w, ok
}

// fill replaces {1}, {2}, ... in s by args.
func fill(s string, args []string) string {
	for i, a := range args {
		s = strings.ReplaceAll(s, "{"+string(rune('1'+i))+"}", a)
	}
	return s
}

// countBytes is "1 byte", "5 bytes", "5 字节"; more adds "more" in English
// ("5 more bytes").
func countBytes(lang string, n uint64, more bool) string {
	if lang == LangZH {
		return uitoa(n) + " 字节"
	}
	w := "byte"
	if more {
		w = "more byte"
	}
	return plural(n, w)
}

func uitoa(n uint64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

// words holds every entry, by id. Ids are stable: the page and the check
// refer to them.
var words = map[string]Words{
	// The Accept computation, §4.2.2 item 5.4 (AcceptExplanation.Steps).
	"accept.step.key": {"Sec-WebSocket-Key, as the client sent it",
		"Sec-WebSocket-Key，即客户端发来的原文"},
	"accept.step.check": {"only checked: the key decodes to 16 bytes (the hash does not use them)",
		"只做检查：Sec-WebSocket-Key 解码后是 16 字节（哈希不用这些字节）"},
	"accept.step.guid": {"the GUID of RFC 6455 §1.3",
		"RFC 6455 §1.3 规定的 GUID"},
	"accept.step.concatenated": {"key + GUID: the text that is hashed",
		"Sec-WebSocket-Key + GUID：被哈希的文本"},
	"accept.step.sha1": {"SHA-1 of that text: 20 bytes, shown in hex",
		"该文本的 SHA-1：20 字节，以十六进制显示"},
	"accept.step.accept": {"base64 of those 20 bytes: Sec-WebSocket-Accept",
		"这 20 字节的 base64：Sec-WebSocket-Accept"},
	// The two classic mistakes, said once here: wsplay check's diagnosis
	// and its handshake case cite them.
	"accept.hash-text": {"Hash the key's text exactly as it arrived (its 24 characters) followed by the GUID; do not base64-decode it first.",
		"对收到的 Sec-WebSocket-Key 文本原样（24 个字符）接上 GUID 再做哈希；不要先做 base64 解码。"},
	"accept.base64-not-hex": {"Send the 20 raw bytes of the SHA-1 digest in base64, not the digest in hex: base64(SHA-1(key + GUID)) is 28 characters and ends with \"=\".",
		"发送 SHA-1 摘要那 20 个原始字节的 base64 编码，而不是十六进制的摘要：base64(SHA-1(key + GUID)) 共 28 个字符，以“=”结尾。"},

	// The meaning of each field of a frame (Field.Meaning).
	"field.fin.final":   {"1: the final frame of its message", "1：所在消息的最后一帧"},
	"field.fin.more":    {"0: more frames of this message follow", "0：这条消息后面还有帧"},
	"field.fin.control": {"0: more frames follow, which a control frame may not say (RFC 6455 §5.5)", "0：后面还有帧，而控制帧不得分片（RFC 6455 §5.5）"},
	"field.rsv.clear":   {"reserved bit, 0: no extension uses it", "保留位，0：没有扩展使用它"},
	"field.rsv.set":     {"reserved bit set: only allowed when a negotiated extension defines it (RFC 6455 §5.2)", "保留位为 1：只有协商好的扩展定义了它时才允许（RFC 6455 §5.2）"},
	// RSV1 when permessage-deflate was negotiated (ExplainOptions.Deflate).
	"field.rsv1.compressed":    {"1: Per-Message Compressed (RFC 7692 §6.1): the message's payload is DEFLATE data, inflated by the receiver", "1：消息已压缩（RFC 7692 §6.1）：这条消息的载荷是 DEFLATE 数据，由接收方解压"},
	"field.rsv1.clear":         {"0: Per-Message Compressed bit (RFC 7692 §6.1) clear: this frame does not start a compressed message", "0：“消息已压缩”位（RFC 7692 §6.1）未置位：这一帧不是一条压缩消息的开头"},
	"field.rsv1.misplaced":     {"1: Per-Message Compressed (RFC 7692 §6.1), which only the first frame of a data message may say", "1：消息已压缩（RFC 7692 §6.1），而只有数据消息的第一帧才能这样标记"},
	"field.mask.clear":         {"0: the payload is not masked (server-to-client frames)", "0：载荷未加掩码（服务器发往客户端的帧）"},
	"field.mask.set":           {"1: a 4-byte masking key follows the length (client-to-server frames)", "1：长度之后是 4 字节的掩码键（客户端发往服务器的帧）"},
	"field.len.16":             {"126: the real length is in the next 2 bytes", "126：真正的长度在后面 2 个字节中"},
	"field.len.64":             {"127: the real length is in the next 8 bytes", "127：真正的长度在后面 8 个字节中"},
	"field.len.7":              {"{1}: the payload is {2} (lengths 0-125 fit here)", "{1}：载荷为 {2}（0-125 的长度直接写在这里）"},
	"field.ext-length":         {"the payload is {1}, as a {2}-bit unsigned integer in network byte order (big-endian)", "载荷为 {1}，以 {2} 位无符号整数按网络字节序（大端序）写出"},
	"field.masking-key":        {"payload byte i is XORed with key byte i mod 4", "载荷的第 i 个字节与掩码键的第 i mod 4 个字节做 XOR"},
	"field.payload.close":      {"status code {1}, then the reason as UTF-8", "关闭码 {1}，然后是 UTF-8 编码的原因"},
	"field.payload.no-body":    {"no body: the close carries no status code (reported as 1005)", "没有正文：这个关闭帧不带关闭码（报告为 1005）"},
	"field.payload.text":       {"UTF-8 text", "UTF-8 文本"},
	"field.payload.compressed": {"{1} of DEFLATE data: with 00 00 ff ff appended, they inflate to the message (RFC 7692 §7.2.2)", "{1} 的 DEFLATE 数据：末尾补上 00 00 ff ff 后解压即得到消息（RFC 7692 §7.2.2）"},
	"field.payload.masked":     {"{1}, shown unmasked; on the wire it is masked with the key", "{1}，这里显示的是去掩码后的内容；线路上它用掩码键加了掩码"},
	"field.payload.missing":    {"{1}; {2} needed", "{1}；还需要 {2}"},

	// What each opcode means (§5.2, §5.5, §5.6).
	"opcode.prefix":           {"opcode 0x{1}: ", "操作码 0x{1}："},
	"opcode.continuation":     {"continuation frame: the next fragment of a message", "延续帧：消息的下一个分片"},
	"opcode.text":             {"text frame: the payload is UTF-8 text", "文本帧：载荷是 UTF-8 文本"},
	"opcode.binary":           {"binary frame: the payload is bytes for the application", "二进制帧：载荷是交给应用的字节"},
	"opcode.close":            {"close frame: starts or answers the closing handshake", "关闭帧：发起或回应关闭握手"},
	"opcode.ping":             {"ping: the receiver must answer with a pong", "ping：接收方必须回一个 pong"},
	"opcode.pong":             {"pong: the answer to a ping, or a one-way heartbeat", "pong：对 ping 的回应，或单向的心跳"},
	"opcode.reserved-data":    {"reserved data 0x{1}, reserved for future use (RFC 6455 §5.2)", "保留的数据帧操作码 0x{1}，留给将来使用（RFC 6455 §5.2）"},
	"opcode.reserved-control": {"reserved control 0x{1}, reserved for future use (RFC 6455 §5.2)", "保留的控制帧操作码 0x{1}，留给将来使用（RFC 6455 §5.2）"},

	// The names of close codes (§7.4.1 and the IANA registry, §11.7).
	"close.1000":      {"normal closure", "正常关闭"},
	"close.1001":      {"going away", "离开"},
	"close.1002":      {"protocol error", "协议错误"},
	"close.1003":      {"unsupported data", "不支持的数据"},
	"close.1004":      {"reserved", "保留"},
	"close.1005":      {"no status received", "未收到关闭码"},
	"close.1006":      {"abnormal closure", "异常关闭"},
	"close.1007":      {"invalid payload data", "无效的载荷数据"},
	"close.1008":      {"policy violation", "违反策略"},
	"close.1009":      {"message too big", "消息过大"},
	"close.1010":      {"mandatory extension", "缺少必需的扩展"},
	"close.1011":      {"internal error", "内部错误"},
	"close.1012":      {"service restart", "服务重启"},
	"close.1013":      {"try again later", "稍后再试"},
	"close.1014":      {"bad gateway", "网关错误"},
	"close.1015":      {"TLS handshake failure", "TLS 握手失败"},
	"close.unused":    {"not used", "不使用"},
	"close.protocol":  {"reserved for the protocol", "保留给协议"},
	"close.libraries": {"registered by libraries and frameworks", "由库和框架注册"},
	"close.private":   {"private use", "私有使用"},
	"close.undefined": {"undefined", "未定义"},
}
