package core

// Rules of extensions, RFC 6455 §9.1, and of permessage-deflate, RFC
// 7692. A server that finds one of the negotiation rules broken in an
// offer declines that offer (RFC 7692 §5); a client that finds one broken
// in the answer fails the connection (RFC 7692 §7.1). The compressed-bit
// and inflate rules apply to the messages (deflate.go).
var (
	RuleExtensionSyntax = Rule{ID: "extension-syntax", Section: "9.1",
		Text: "Sec-WebSocket-Extensions is a comma-separated list of extension names, each followed by parameters written ; name or ; name=value, the value a token or a quoted string holding a token",
		ZH:   "Sec-WebSocket-Extensions 是以逗号分隔的扩展名列表，每个扩展名后跟以 ; name 或 ; name=value 写出的参数，值是一个 token，或一个内容为 token 的带引号字符串"}
	RuleDeflateParam = Rule{ID: "deflate-param", Section: "RFC 7692 §7.1",
		Text: "permessage-deflate has four parameters only: server_no_context_takeover, client_no_context_takeover, server_max_window_bits and client_max_window_bits",
		ZH:   "permessage-deflate 只有四个参数：server_no_context_takeover、client_no_context_takeover、server_max_window_bits 和 client_max_window_bits"}
	RuleDeflateDuplicate = Rule{ID: "deflate-duplicate", Section: "RFC 7692 §7.1",
		Text: "a permessage-deflate parameter must not appear twice in one offer or answer",
		ZH:   "同一个提议或应答中，permessage-deflate 的参数不得出现两次"}
	RuleDeflateNoContext = Rule{ID: "deflate-no-context", Section: "RFC 7692 §7.1.1",
		Text: "server_no_context_takeover and client_no_context_takeover have no value",
		ZH:   "server_no_context_takeover 和 client_no_context_takeover 没有值"}
	RuleDeflateWindowBits = Rule{ID: "deflate-window-bits", Section: "RFC 7692 §7.1.2",
		Text: "a max_window_bits value is a decimal integer from 8 to 15 without leading zeros; server_max_window_bits always has one, client_max_window_bits has one in an answer",
		ZH:   "max_window_bits 的值是 8 到 15 的十进制整数，不带前导零；server_max_window_bits 总要带值，client_max_window_bits 在应答中要带值"}
	RuleDeflateServerBits = Rule{ID: "deflate-server-bits", Section: "RFC 7692 §7.1.2.1",
		Text: "a server that accepts an offer with server_max_window_bits must answer with server_max_window_bits, no larger than the value the client offered",
		ZH:   "服务器接受带有 server_max_window_bits 的提议时，应答必须带上 server_max_window_bits，且不得大于客户端提议的值"}
	RuleDeflateClientBits = Rule{ID: "deflate-client-bits", Section: "RFC 7692 §7.1.2.2",
		Text: "the server may answer client_max_window_bits only when the client offered it, and not with a larger value than offered",
		ZH:   "只有客户端提议了 client_max_window_bits，服务器才能在应答中给出它，且不得大于提议的值"}
	RuleDeflateAcceptOnce = Rule{ID: "deflate-accept-once", Section: "RFC 7692 §5",
		Text: "the server accepts at most one permessage-deflate offer",
		ZH:   "服务器最多接受一个 permessage-deflate 提议"}
	RuleCompressedBit = Rule{ID: "compressed-bit", Section: "RFC 7692 §6.1",
		Text: "the Per-Message Compressed bit (RSV1) may be set only on the first frame of a data message, never on a continuation or control frame",
		ZH:   "“消息已压缩”位（RSV1）只能出现在数据消息的第一帧上，不能出现在延续帧或控制帧上"}
	RuleInflate = Rule{ID: "inflate", Section: "RFC 7692 §7.2.2",
		Text: "the payload of a compressed message, with 00 00 ff ff appended, must be valid DEFLATE data",
		ZH:   "压缩消息的载荷在末尾补上 00 00 ff ff 后，必须是有效的 DEFLATE 数据"}
	RuleDeflateUnavailable = Rule{ID: "deflate-unavailable", Section: "RFC 7692 §5",
		Text: "this build of wsplay has no DEFLATE codec, so it declines permessage-deflate",
		ZH:   "这个 wsplay 构建没有 DEFLATE 编解码器，因此拒绝 permessage-deflate"}
)
