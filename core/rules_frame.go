package core

// Rules of the frame, RFC 6455 §5.1-5.3 and §5.6: the bits of the frame
// header, the three forms of the payload length, masking, and what a data
// frame's opcode says. RuleByteStream is TCP's, the one fact about the
// transport that every frame reader needs.
var (
	RuleReservedBits = Rule{ID: "reserved-bits", Section: "5.2",
		Text: "RSV1, RSV2 and RSV3 must be 0 unless an extension that defines them was negotiated",
		ZH:   "除非协商了定义它们的扩展，RSV1、RSV2 和 RSV3 必须为 0"}
	RuleReservedOpcode = Rule{ID: "reserved-opcode", Section: "5.2",
		Text: "opcodes 0x3-0x7 and 0xB-0xF are reserved and must not be used",
		ZH:   "操作码 0x3-0x7 和 0xB-0xF 是保留的，不得使用"}
	RuleLengthTopBit = Rule{ID: "length-top-bit", Section: "5.2",
		Text: "the most significant bit of a 64-bit payload length must be 0",
		ZH:   "64 位载荷长度的最高位必须为 0"}
	RuleMinimalLength = Rule{ID: "minimal-length", Section: "5.2",
		Text: "the payload length must be encoded in the minimal number of bytes",
		ZH:   "载荷长度必须用最少的字节数编码"}
	RuleLength7 = Rule{ID: "length-7", Section: "5.2",
		Text: "a payload of 0 to 125 bytes has its length in the 7-bit Payload len field",
		ZH:   "0 到 125 字节的载荷，其长度写在 7 位的 Payload len 字段中"}
	RuleLength16 = Rule{ID: "length-16", Section: "5.2",
		Text: "a payload of 126 to 65535 bytes has Payload len 126, then its length as a 16-bit unsigned integer in network byte order",
		ZH:   "126 到 65535 字节的载荷，Payload len 为 126，其后是以网络字节序写出的 16 位无符号整数长度"}
	RuleLength64 = Rule{ID: "length-64", Section: "5.2",
		Text: "a payload of 65536 bytes or more has Payload len 127, then its length as a 64-bit unsigned integer in network byte order",
		ZH:   "65536 字节及以上的载荷，Payload len 为 127，其后是以网络字节序写出的 64 位无符号整数长度"}
	RuleClientMasks = Rule{ID: "client-masks", Section: "5.1",
		Text: "a client must mask every frame it sends to the server",
		ZH:   "客户端必须给发往服务器的每一帧加掩码"}
	RuleServerNoMask = Rule{ID: "server-no-mask", Section: "5.1",
		Text: "a server must not mask any frame it sends to the client",
		ZH:   "服务器不得给发往客户端的帧加掩码"}
	RuleUnmaskPayload = Rule{ID: "unmask-payload", Section: "5.3",
		Text: "the receiver unmasks a masked payload: byte i XOR byte i mod 4 of the frame's masking key",
		ZH:   "接收方要去掉载荷的掩码：第 i 个字节与帧的掩码键的第 i mod 4 个字节做 XOR"}
	RuleEchoOpcode = Rule{ID: "echo-opcode", Section: "5.6",
		Text: "the opcode of a message's first frame says whether it is text (0x1) or binary (0x2); an echo sends it back with the same opcode",
		ZH:   "消息第一帧的操作码表明它是文本（0x1）还是二进制（0x2）；回显时要用同样的操作码发回"}
	RuleByteStream = Rule{ID: "byte-stream", Section: "RFC 9293 §2.2",
		Text: "TCP delivers a stream of bytes, not messages: a frame may arrive over many reads, and several frames in one read",
		ZH:   "TCP 传送的是字节流，而不是消息：一帧可能分多次读取才到齐，一次读取也可能包含好几帧"}
	RuleFrameError = Rule{ID: "frame-error", Section: "5",
		Text: "a frame must be complete and follow the framing of RFC 6455 §5",
		ZH:   "帧必须完整，并遵守 RFC 6455 §5 的分帧规则"}
)
