package core

// Rules of UTF-8, RFC 6455 §8.1: text messages are UTF-8 (the close
// frame's reason is in rules_close.go).
var (
	RuleInvalidUTF8 = Rule{ID: "invalid-utf8", Section: "8.1",
		Text: "a text message must be valid UTF-8",
		ZH:   "文本消息必须是有效的 UTF-8"}
)
