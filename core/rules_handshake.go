package core

// Rules of the opening handshake as a server reads the client's request,
// RFC 6455 §4.1 and §4.2.1, and of the HTTP that carries it.
var (
	RuleRequestLine = Rule{ID: "request-line", Section: "RFC 9112 §3",
		Text: "the request line is a method, a target and the HTTP version, separated by single spaces",
		ZH:   "请求行由方法、目标和 HTTP 版本组成，以单个空格分隔"}
	RuleHeaderLine = Rule{ID: "header-line", Section: "RFC 9112 §5",
		Text: "every header line is a name, a colon and a value",
		ZH:   "每个头字段行由名称、冒号和值组成"}
	RuleHeaderFolding = Rule{ID: "header-folding", Section: "RFC 9112 §5.2",
		Text: "header values must not be continued on the next line (obsolete line folding)",
		ZH:   "头字段的值不得续写到下一行（已废弃的行折叠）"}
	RuleHeaderTooLarge = Rule{ID: "header-too-large", Section: "RFC 6585 §5",
		Text: "the request line and headers must fit the server's limit",
		ZH:   "请求行和头字段的总大小必须在服务器的限制之内"}
	RuleMethodGet = Rule{ID: "method-get", Section: "4.1",
		Text: "the opening handshake must be an HTTP GET request",
		ZH:   "发起握手必须使用 HTTP GET 请求"}
	RuleNoBody = Rule{ID: "no-body", Section: "RFC 9110 §9.3.1",
		Text: "the opening handshake request must not have a body (Content-Length or Transfer-Encoding): the bytes after its head are WebSocket frames",
		ZH:   "发起握手的请求不得带有正文（Content-Length 或 Transfer-Encoding）：请求头之后的字节是 WebSocket 帧"}
	RuleHTTPVersion = Rule{ID: "http-version", Section: "4.1",
		Text: "the opening handshake must use HTTP/1.1 or later",
		ZH:   "发起握手必须使用 HTTP/1.1 或更高版本"}
	RuleHost = Rule{ID: "host", Section: "4.1",
		Text: "the request must have a Host header",
		ZH:   "请求必须带有 Host 头字段"}
	RuleUpgrade = Rule{ID: "upgrade", Section: "4.2.1",
		Text: `the request must have an Upgrade header that contains the token "websocket"`,
		ZH:   `请求必须带有包含 "websocket" 的 Upgrade 头字段`}
	RuleConnection = Rule{ID: "connection", Section: "4.2.1",
		Text: `the request must have a Connection header that contains the token "Upgrade"`,
		ZH:   `请求必须带有包含 "Upgrade" 的 Connection 头字段`}
	RuleKeyPresent = Rule{ID: "key-present", Section: "4.2.1",
		Text: "the request must have exactly one Sec-WebSocket-Key header",
		ZH:   "请求必须恰好带有一个 Sec-WebSocket-Key 头字段"}
	RuleKeyLength = Rule{ID: "key-length", Section: "4.2.1",
		Text: "Sec-WebSocket-Key must be base64 that decodes to exactly 16 bytes",
		ZH:   "Sec-WebSocket-Key 必须是解码后正好 16 字节的 base64"}
	RuleVersion = Rule{ID: "version", Section: "4.2.2",
		Text: "Sec-WebSocket-Version must be 13; a server answers any other version with 426 and the versions it supports",
		ZH:   "Sec-WebSocket-Version 必须为 13；对其他版本，服务器以 426 和它支持的版本作答"}
	RuleOrigin = Rule{ID: "origin", Section: "10.2",
		Text: "the server refused the request's Origin",
		ZH:   "服务器拒绝了请求的 Origin"}
	RuleHijacker = Rule{ID: "hijacker", Section: "RFC 8441 §1",
		Text: "the HTTP server must let the handler take over the connection (http.Hijacker); HTTP/2 cannot carry RFC 6455",
		ZH:   "HTTP 服务器必须允许处理函数接管连接（http.Hijacker）；HTTP/2 无法承载 RFC 6455"}
)
