package core

import "strings"

// Rules lists every Rule the core can report, in the order of the RFC's
// sections as they appear in this package: frame rules, handshake rules
// (server side), answer rules (client side). Pages and tools use it to show
// or translate the rules.
func Rules() []Rule {
	return []Rule{
		RuleReservedBits, RuleReservedOpcode, RuleLengthTopBit, RuleMinimalLength,
		RuleClientMasks, RuleServerNoMask, RuleControlFinal, RuleControlLength,
		RuleContinuationLone, RuleFragmentsNested, RuleInvalidUTF8, RuleCloseLength,
		RuleCloseCode, RuleCloseReasonUTF8, RuleMessageTooBig, RuleServerBusy,
		RuleRequestLine, RuleHeaderLine, RuleHeaderFolding, RuleHeaderTooLarge,
		RuleMethodGet, RuleNoBody, RuleHTTPVersion, RuleHost, RuleUpgrade, RuleConnection,
		RuleKeyPresent, RuleKeyLength, RuleVersion, RuleOrigin,
		RuleStatusLine, RuleStatus101, RuleResponseUpgrade, RuleResponseConnection,
		RuleAcceptValue, RuleResponseProtocol, RuleResponseExtension,
		RuleExtensionSyntax, RuleDeflateParam, RuleDeflateDuplicate, RuleDeflateNoContext,
		RuleDeflateWindowBits, RuleDeflateServerBits, RuleDeflateClientBits, RuleDeflateAcceptOnce,
		RuleCompressedBit, RuleInflate, RuleDeflateUnavailable,
	}
}

// TextIn returns the rule's text in a language: "zh" for Simplified
// Chinese, anything else for English. Details the core added to the English
// text after the rule itself, such as " (1048576 bytes)", are kept.
func (r Rule) TextIn(lang string) string {
	zh, ok := rulesZH[r.ID]
	if lang != "zh" || !ok {
		return r.Text
	}
	if rest, found := strings.CutPrefix(r.Text, rulesByID[r.ID].Text); found {
		return zh + rest
	}
	return zh
}

// rulesByID indexes Rules(), built once: TextIn looks up a rule's own
// English text there to find a detail the core appended to it.
var rulesByID = func() map[string]Rule {
	m := map[string]Rule{}
	for _, r := range Rules() {
		m[r.ID] = r
	}
	return m
}()

// rulesZH holds the Simplified Chinese text of each rule, by ID. The
// protocol's own names (FIN, RSV1, opcode, Sec-WebSocket-Key, ...) stay in
// English so that a learner can find them in the RFC and in code.
var rulesZH = map[string]string{
	"reserved-bits":       "除非协商了定义它们的扩展，RSV1、RSV2 和 RSV3 必须为 0",
	"reserved-opcode":     "操作码 0x3-0x7 和 0xB-0xF 是保留的，不得使用",
	"length-top-bit":      "64 位载荷长度的最高位必须为 0",
	"minimal-length":      "载荷长度必须用最少的字节数编码",
	"client-masks":        "客户端发往服务器的每一帧都必须掩码",
	"server-no-mask":      "服务器发往客户端的帧不得掩码",
	"control-final":       "控制帧不得分片",
	"control-length":      "控制帧的载荷长度必须不超过 125 字节",
	"continuation-lone":   "延续帧必须跟在一个 FIN 位为 0 的文本帧或二进制帧之后",
	"fragments-nested":    "正在传输的分片消息结束之前，不得开始新的文本帧或二进制帧",
	"invalid-utf8":        "文本消息必须是有效的 UTF-8",
	"close-length":        "关闭帧的主体要么为空，要么以 2 字节的状态码开头",
	"close-code":          "关闭帧不得携带保留或未定义的状态码",
	"close-reason-utf8":   "关闭帧中的原因必须是有效的 UTF-8",
	"message-too-big":     "消息超过了本端接受的大小",
	"server-busy":         "服务器现在没有空间接收这条消息：分配给正在接收的消息的内存已被占满；请稍后再试",
	"request-line":        "请求行由方法、目标和 HTTP 版本组成，以单个空格分隔",
	"header-line":         "每个首部行由名称、冒号和值组成",
	"header-folding":      "首部值不得续写到下一行（已废弃的行折叠）",
	"header-too-large":    "请求行和首部的总大小必须在服务器的限制之内",
	"method-get":          "开始握手必须是 HTTP GET 请求",
	"no-body":             "开始握手请求不得带有消息体（Content-Length 或 Transfer-Encoding）：头部之后的字节是 WebSocket 帧",
	"http-version":        "开始握手必须使用 HTTP/1.1 或更高版本",
	"host":                "请求必须带有 Host 首部",
	"upgrade":             `请求必须带有包含 "websocket" 的 Upgrade 首部`,
	"connection":          `请求必须带有包含 "Upgrade" 的 Connection 首部`,
	"key-present":         "请求必须恰好带有一个 Sec-WebSocket-Key 首部",
	"key-length":          "Sec-WebSocket-Key 必须是解码后正好 16 字节的 base64",
	"version":             "Sec-WebSocket-Version 必须为 13；对其他版本，服务器以 426 和它支持的版本作答",
	"origin":              "服务器拒绝了请求的 Origin",
	"status-line":         "状态行由 HTTP 版本、3 位状态码和原因短语组成",
	"status-101":          "接受握手的服务器以 101 Switching Protocols 作答",
	"response-upgrade":    `响应必须带有值为 "websocket" 的 Upgrade 首部`,
	"response-connection": `响应必须带有包含 "Upgrade" 的 Connection 首部`,
	"accept-value":        "Sec-WebSocket-Accept 必须等于 base64(SHA-1(key + 258EAFA5-E914-47DA-95CA-C5AB0DC85B11))",
	"response-protocol":   "服务器只能选择客户端提供过的子协议",
	"response-extension":  "服务器只能接受客户端提供过的扩展",
	"extension-syntax":    "Sec-WebSocket-Extensions 是以逗号分隔的扩展名列表，每个扩展名后跟以 ; name 或 ; name=value 写出的参数，值是一个 token，或一个内容为 token 的带引号字符串",
	"deflate-param":       "permessage-deflate 只有四个参数：server_no_context_takeover、client_no_context_takeover、server_max_window_bits 和 client_max_window_bits",
	"deflate-duplicate":   "同一个提议或应答中，permessage-deflate 的参数不得出现两次",
	"deflate-no-context":  "server_no_context_takeover 和 client_no_context_takeover 没有值",
	"deflate-window-bits": "max_window_bits 的值是 8 到 15 的十进制整数，不带前导零；server_max_window_bits 总要带值，client_max_window_bits 在应答中要带值",
	"deflate-server-bits": "服务器的 server_max_window_bits 不得大于客户端提议的值",
	"deflate-client-bits": "只有客户端提议了 client_max_window_bits，服务器才能在应答中给出它，且不得大于提议的值",
	"deflate-accept-once": "服务器最多接受一个 permessage-deflate 提议",
	"compressed-bit":      "“消息已压缩”位（RSV1）只能出现在数据消息的第一帧上，不能出现在延续帧或控制帧上",
	"inflate":             "压缩消息的载荷在末尾补上 00 00 ff ff 后，必须是有效的 DEFLATE 数据",
	"deflate-unavailable": "这个 wsplay 构建没有 DEFLATE 编解码器，因此拒绝 permessage-deflate",
}
