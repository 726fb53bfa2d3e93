package core

// Rules of control frames, RFC 6455 §5.5: their size, and ping and pong.
// The close frame's rules are in rules_close.go.
var (
	RuleControlFinal = Rule{ID: "control-final", Section: "5.5",
		Text: "control frames must not be fragmented",
		ZH:   "控制帧不得分片"}
	RuleControlLength = Rule{ID: "control-length", Section: "5.5",
		Text: "control frames must have a payload length of 125 bytes or less",
		ZH:   "控制帧的载荷长度必须不超过 125 字节"}
	RulePongPayload = Rule{ID: "pong-payload", Section: "5.5.2",
		Text: "an endpoint that receives a ping must answer with a pong carrying the same payload",
		ZH:   "收到 ping 的一端必须回一个载荷相同的 pong"}
	RulePongUnsolicited = Rule{ID: "pong-unsolicited", Section: "5.5.3",
		Text: "a pong may be sent unsolicited, as a heartbeat; no answer is expected",
		ZH:   "pong 可以不经请求主动发送，作为心跳；不需要回应"}
)
