package core

// Rules the client checks in the server's answer to the opening handshake,
// RFC 6455 §4.1 and §4.2.2.
var (
	RuleStatusLine = Rule{ID: "status-line", Section: "RFC 9112 §4",
		Text: "the status line is the HTTP version, a 3-digit status code and a reason",
		ZH:   "状态行由 HTTP 版本、3 位状态码和原因短语组成"}
	RuleStatus101 = Rule{ID: "status-101", Section: "4.1",
		Text: "a server that accepts the handshake answers 101 Switching Protocols",
		ZH:   "接受握手的服务器以 101 Switching Protocols 作答"}
	RuleResponseUpgrade = Rule{ID: "response-upgrade", Section: "4.1",
		Text: `the response must have an Upgrade header with the value "websocket"`,
		ZH:   `响应必须带有值为 "websocket" 的 Upgrade 头字段`}
	RuleResponseConnection = Rule{ID: "response-connection", Section: "4.1",
		Text: `the response must have a Connection header that contains the token "Upgrade"`,
		ZH:   `响应必须带有包含 "Upgrade" 的 Connection 头字段`}
	RuleAcceptValue = Rule{ID: "accept-value", Section: "4.1",
		Text: "Sec-WebSocket-Accept must be base64(SHA-1(key + 258EAFA5-E914-47DA-95CA-C5AB0DC85B11))",
		ZH:   "Sec-WebSocket-Accept 必须等于 base64(SHA-1(key + 258EAFA5-E914-47DA-95CA-C5AB0DC85B11))"}
	RuleResponseProtocol = Rule{ID: "response-protocol", Section: "4.1",
		Text: "the server may only choose a subprotocol that the client offered",
		ZH:   "服务器只能选择客户端提供过的子协议"}
	RuleResponseExtension = Rule{ID: "response-extension", Section: "4.1",
		Text: "the server may only accept an extension that the client offered",
		ZH:   "服务器只能接受客户端提供过的扩展"}
)
