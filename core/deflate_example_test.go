package core_test

import (
	"fmt"
	"net"
	"strings"

	"wsplay/core"
)

func ExampleNegotiateDeflate() {
	// A browser's offer, as Chromium and Firefox send it.
	offer := []string{"permessage-deflate; client_max_window_bits"}
	answer, params, declined := core.NegotiateDeflate(offer, core.DeflateOptions{})
	fmt.Println(answer)
	fmt.Printf("%+v %d\n", *params, len(declined))

	// An offer that breaks a rule is declined, with the rule.
	_, params, declined = core.NegotiateDeflate([]string{"permessage-deflate; server_max_window_bits=16"}, core.DeflateOptions{})
	fmt.Println(params == nil, declined[0])
	// Output:
	// permessage-deflate; server_no_context_takeover; client_max_window_bits=12
	// {ServerNoContextTakeover:true ClientNoContextTakeover:false ServerMaxWindowBits:15 ClientMaxWindowBits:12} 0
	// true websocket: handshake: a max_window_bits value is a decimal integer from 8 to 15 without leading zeros; server_max_window_bits always has one, client_max_window_bits has one in an answer (RFC 7692 §7.1.2): the parameter was "server_max_window_bits" with the value "16" in "permessage-deflate; server_max_window_bits=16"
}

func ExampleAppendDeflate() {
	// RFC 7692 §7.2.3.6: an empty message compresses to a single 00.
	fmt.Printf("% x\n", core.AppendDeflate(nil, nil, core.MaxWindowBits))
	// Repetitive text shrinks: 1000 bytes to under a tenth.
	z := core.AppendDeflate(nil, []byte(strings.Repeat("la", 500)), core.MaxWindowBits)
	fmt.Println(len(z) < 100)
	// Output:
	// 00
	// true
}

func ExampleConfig_deflate() {
	// Both ends with the agreement a handshake reached: messages then
	// travel compressed when that makes them smaller.
	params := &core.DeflateParams{ServerNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 12}
	c, s := net.Pipe()
	client := core.NewConn(c, nil, core.Client, core.Config{Deflate: params})
	server := core.NewConn(s, nil, core.Server, core.Config{Deflate: params, OnFrame: func(d core.Direction, wire []byte) {
		fmt.Printf("%s: RSV1 %v, under 100 bytes on the wire: %v\n", d, wire[0]&0x40 != 0, len(wire) < 100)
	}})
	go client.WriteMessage(core.OpText, []byte(strings.Repeat("echo ", 200)))
	_, msg, _ := server.ReadMessage(nil)
	fmt.Println(len(msg), "bytes inflated")
	// Output:
	// received: RSV1 true, under 100 bytes on the wire: true
	// 1000 bytes inflated
}

func ExamplePreparedMessage() {
	// A message for a room: compressed at most once, whatever the number
	// of members that negotiated compression.
	pm := core.NewPreparedMessage(core.OpText, []byte(strings.Repeat("to everyone ", 50)))
	params := &core.DeflateParams{ServerNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 12}
	for range 3 {
		c, s := net.Pipe()
		member := core.NewConn(c, nil, core.Client, core.Config{Deflate: params})
		server := core.NewConn(s, nil, core.Server, core.Config{Deflate: params})
		go server.WritePreparedMessage(pm)
		_, msg, _ := member.ReadMessage(nil)
		fmt.Println(len(msg))
	}
	// Output:
	// 600
	// 600
	// 600
}

func ExampleInflater() {
	// RFC 7692 §7.2.3.2: a client that takes context over sends "Hello"
	// twice; the second message refers back to the first.
	p := core.DeflateParams{ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}
	in := core.NewInflater(p, core.Client)
	for _, z := range [][]byte{{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}, {0xf2, 0x00, 0x11, 0x00, 0x00}} {
		var msg []byte
		n, cut, err := in.Inflate(z, 1<<20, func(b []byte) { msg = append(msg, b...) })
		fmt.Println(string(msg), n, cut, err)
	}
	// Output:
	// Hello 5 false <nil>
	// Hello 5 false <nil>
}
