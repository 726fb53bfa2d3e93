package core

// Rules of the closing handshake and of failing a connection, RFC 6455
// §5.5.1, §7.1 and §7.4, with the limits a connection is failed for
// (1009, 1013).
var (
	RuleCloseLength = Rule{ID: "close-length", Section: "5.5.1",
		Text: "a close frame's body is empty or starts with a 2-byte status code",
		ZH:   "关闭帧的正文要么为空，要么以 2 字节的关闭码开头"}
	RuleCloseCode = Rule{ID: "close-code", Section: "7.4.1",
		Text: "a close frame must not carry a status code that is reserved or undefined",
		ZH:   "关闭帧不得携带保留的或未定义的关闭码"}
	RuleCloseReasonUTF8 = Rule{ID: "close-reason-utf8", Section: "5.5.1",
		Text: "the reason in a close frame must be valid UTF-8",
		ZH:   "关闭帧中的原因必须是有效的 UTF-8"}
	RuleCloseReply = Rule{ID: "close-reply", Section: "5.5.1",
		Text: "an endpoint that receives a close frame must answer with a close frame, usually echoing the status code it received",
		ZH:   "收到关闭帧的一端必须回一个关闭帧，通常带回它收到的关闭码"}
	RuleServerClosesTCP = Rule{ID: "server-closes-tcp", Section: "7.1.1",
		Text: "after the closing handshake the server should close the TCP connection first",
		ZH:   "关闭握手之后，应当由服务器先关闭 TCP 连接"}
	RuleFailWithClose = Rule{ID: "fail-with-close", Section: "7.1.7",
		Text: "an endpoint that fails the connection should first send a close frame whose status code says why",
		ZH:   "使连接失败的一端应当先发送一个关闭帧，用关闭码说明原因"}
	RuleNothingAfterClose = Rule{ID: "nothing-after-close", Section: "5.5.1",
		Text: "after sending a close frame an endpoint must not send any more data frames",
		ZH:   "发送关闭帧之后，一端不得再发送任何数据帧"}
	RuleMessageTooBig = Rule{ID: "message-too-big", Section: "7.4.1",
		Text: "the message is larger than this endpoint accepts",
		ZH:   "消息超过了本端接受的大小"}
	RuleServerBusy = Rule{ID: "server-busy", Section: "7.4.1",
		Text: "the server has no room for this message now: the memory it gives to messages being received is in use; try again later",
		ZH:   "服务器现在没有空间接收这条消息：分配给正在接收的消息的内存已被占满；请稍后再试"}
)
