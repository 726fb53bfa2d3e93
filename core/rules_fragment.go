package core

// Rules of fragmentation, RFC 6455 §5.4: how a message is split into
// frames and joined again.
var (
	RuleContinuationLone = Rule{ID: "continuation-lone", Section: "5.4",
		Text: "a continuation frame must follow a text or binary frame whose FIN bit was 0",
		ZH:   "延续帧必须跟在一个 FIN 位为 0 的文本帧或二进制帧之后"}
	RuleFragmentsNested = Rule{ID: "fragments-nested", Section: "5.4",
		Text: "a new text or binary frame must not start before the fragmented message in progress has ended",
		ZH:   "正在传输的分片消息结束之前，不得开始新的文本帧或二进制帧"}
	RuleFragmentsJoined = Rule{ID: "fragments-joined", Section: "5.4",
		Text: "a fragmented message is its fragments joined in order: FIN 0 on every frame but the last, and opcode 0x0 (continuation) after the first",
		ZH:   "分片消息就是按顺序拼接起来的各个分片：除最后一帧外每帧的 FIN 为 0，第一帧之后的操作码为 0x0（延续）"}
	RuleControlBetween = Rule{ID: "control-between-fragments", Section: "5.4",
		Text: "control frames may be injected in the middle of a fragmented message, and must be handled there",
		ZH:   "控制帧可以插在分片消息的中间，而且必须在那里得到处理"}
)
