package lessons

import "wsplay/core"

// blockWords are the words of the server-rendered blocks (the widgets'
// fallbacks, worked examples, exercises) in one language, so that a
// printed Chinese handout is Chinese throughout. Rule texts come from the
// core in both languages (core.Rule.TextIn); the core's field meanings are
// English only for now.
type blockWords struct {
	lang           string
	acceptCaption  string
	acceptSteps    [6]string
	keyBytesNote   string
	maskHeads      []string
	frameHeads     []string
	echoNote       string
	builderNote    string
	tapNote        string
	checkerNote    string
	exercise       string
	yourAnswer     string
	check          string
	noJS           string
	maskCaption    func(payload, key string) string // payload and key are HTML-escaped
	frameCaption   func(hex string, role core.Role) string
	frameOK        func(role core.Role) string
	frameFails     func(role core.Role, code string) string
	exampleCaption func(kind string) string
}

var blockWordsByLang = map[string]blockWords{
	"en": {
		lang:          "en",
		acceptCaption: "From Sec-WebSocket-Key to Sec-WebSocket-Accept (RFC 6455 §4.2.2)",
		acceptSteps: [6]string{"1. Sec-WebSocket-Key", "2. only checked: the key decodes to 16 bytes (it is not hashed decoded)", "3. the GUID (§1.3)",
			"4. key + GUID: the text hashed", "5. SHA-1 of that text (20 bytes)", "6. base64 of the digest: Sec-WebSocket-Accept"},
		keyBytesNote: " bytes; checked, not hashed",
		maskHeads:    []string{"i", "j = i mod 4", "key byte j", "original byte i", "XOR: masked byte i"},
		frameHeads:   []string{"bits", "field", "on the wire", "value", "meaning"},
		echoNote:     "A live echo box: what you type is sent to the server's <code>/ws/echo</code> endpoint and comes back unchanged, with every frame shown. It needs JavaScript and the running wsplay server.",
		builderNote:  "A frame builder: choose FIN, the opcode, the mask and the payload, and see the frame's bytes as the core encodes them. It needs JavaScript.",
		tapNote:      "Tap your server: your browser talks to your own server through wsplay, and every byte both ways is shown and explained. It needs JavaScript and the running wsplay server; in a terminal the same tap is:",
		checkerNote:  "Check your server: wsplay runs its graded cases against your own server and explains every failure. It needs JavaScript and the running wsplay server; in a terminal the same check is:",
		exercise:     "Exercise",
		yourAnswer:   "Your answer",
		check:        "Check",
		noJS:         "The page checks your answer with wsplay's WebAssembly core: it needs JavaScript. On paper, work it out and compare with the playground.",
		maskCaption: func(payload, key string) string {
			return "Masking <q>" + payload + "</q> with key <code>" + key + "</code> (RFC 6455 §5.3)"
		},
		frameCaption: func(hex string, role core.Role) string {
			return "The frame <code>" + hex + "</code> as a " + role.String() + " reads it (RFC 6455 §5.2)"
		},
		frameOK: func(role core.Role) string {
			return "A " + role.String() + " accepts this frame: it breaks no rule of RFC 6455 §5."
		},
		frameFails: func(role core.Role, code string) string {
			return "A " + role.String() + " fails the connection with close code " + code + "."
		},
		exampleCaption: func(kind string) string { return "Worked example (" + kind + "), checked against wsplay's core" },
	},
	"zh": {
		lang:          "zh",
		acceptCaption: "从 Sec-WebSocket-Key 到 Sec-WebSocket-Accept（RFC 6455 §4.2.2）",
		acceptSteps: [6]string{"1. Sec-WebSocket-Key", "2. 只做检查：密钥解码后是 16 字节（哈希的不是解码后的字节）", "3. GUID（§1.3）",
			"4. 密钥 + GUID：被哈希的文本", "5. 该文本的 SHA-1（20 字节）", "6. 摘要的 base64：Sec-WebSocket-Accept"},
		keyBytesNote: " 字节；只检查，不参与哈希",
		maskHeads:    []string{"i", "j = i mod 4", "密钥字节 j", "原始字节 i", "异或：掩码后字节 i"},
		frameHeads:   []string{"位", "字段", "线路上", "值", "含义"},
		echoNote:     "实时回显框：你输入的内容会发送到服务器的 <code>/ws/echo</code> 端点并原样返回，每一帧都会显示出来。需要 JavaScript 和正在运行的 wsplay 服务器。",
		builderNote:  "帧构造器：选择 FIN、操作码、掩码和载荷，查看核心编码出的帧字节。需要 JavaScript。",
		tapNote:      "抓包你的服务器：浏览器经由 wsplay 与你自己的服务器通信，双向的每个字节都会显示并加以解释。需要 JavaScript 和正在运行的 wsplay 服务器；在终端里，同样的抓包是：",
		checkerNote:  "检查你的服务器：wsplay 对你自己的服务器运行评分用例，并解释每个失败。需要 JavaScript 和正在运行的 wsplay 服务器；在终端里，同样的检查是：",
		exercise:     "练习",
		yourAnswer:   "你的答案",
		check:        "检查",
		noJS:         "页面用 wsplay 的 WebAssembly 核心检查你的答案，需要 JavaScript。在纸上做题时，请把结果与演练场对照。",
		maskCaption: func(payload, key string) string {
			return "用密钥 <code>" + key + "</code> 对 <q>" + payload + "</q> 加掩码（RFC 6455 §5.3）"
		},
		frameCaption: func(hex string, role core.Role) string {
			return "由" + roleZH(role) + "读取的帧 <code>" + hex + "</code>（RFC 6455 §5.2）"
		},
		frameOK: func(role core.Role) string {
			return roleZH(role) + "接受这个帧：它没有违反 RFC 6455 §5 的任何规则。"
		},
		frameFails: func(role core.Role, code string) string {
			return roleZH(role) + "会以关闭码 " + code + " 使连接失败。"
		},
		exampleCaption: func(kind string) string { return "示例（" + kind + "），已由 wsplay 的核心验证" },
	},
}

func roleZH(r core.Role) string {
	if r == core.Client {
		return "客户端"
	}
	return "服务器"
}

// blockWordsIn returns the words for lang, English when it has none.
func blockWordsIn(lang string) blockWords {
	if w, ok := blockWordsByLang[lang]; ok {
		return w
	}
	return blockWordsByLang["en"]
}
