package core_test

import (
	"bufio"
	"fmt"
	"net"
	"strings"

	"wsplay/core"
)

// The expected outputs below come from RFC 6455: the handshake of §1.3 and
// §4.2.2, and the frames of §5.7.

// printHead prints an HTTP head a line at a time, without the CRLFs.
func printHead(raw []byte) {
	head, _, _ := strings.Cut(string(raw), "\r\n\r\n")
	for _, l := range strings.Split(head, "\r\n") {
		fmt.Println(l)
	}
}

func ExampleAccept() {
	// The key of the handshake in RFC 6455 §1.3.
	fmt.Println(core.Accept("dGhlIHNhbXBsZSBub25jZQ=="))
	// Output:
	// s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
}

func ExampleParseRequest() {
	raw := "GET /chat HTTP/1.1\r\n" +
		"Host: server.example.com\r\n" +
		"Upgrade: websocket\r\n" +
		"Connection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
		"Origin: http://example.com\r\n" +
		"Sec-WebSocket-Protocol: chat, superchat\r\n" +
		"Sec-WebSocket-Version: 13\r\n" +
		"\r\n"
	req, err := core.ParseRequest([]byte(raw))
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := req.Validate(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(req.Method, req.Target, req.Proto)
	fmt.Println("key:", req.Key())
	fmt.Println("protocols:", req.Protocols())
	resp := req.NewResponse(core.ResponseOptions{Protocols: []string{"chat"}})
	printHead(resp.AppendResponse(nil))
	// Output:
	// GET /chat HTTP/1.1
	// key: dGhlIHNhbXBsZSBub25jZQ==
	// protocols: [chat superchat]
	// HTTP/1.1 101 Switching Protocols
	// Upgrade: websocket
	// Connection: Upgrade
	// Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
	// Sec-WebSocket-Protocol: chat
}

func ExampleRequest_Validate() {
	// An old client that speaks version 8 of the drafts.
	raw := "GET /chat HTTP/1.1\r\n" +
		"Host: server.example.com\r\n" +
		"Upgrade: websocket\r\n" +
		"Connection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
		"Sec-WebSocket-Version: 8\r\n" +
		"\r\n"
	req, err := core.ParseRequest([]byte(raw))
	if err != nil {
		fmt.Println(err)
		return
	}
	err = req.Validate()
	fmt.Println(err)
	if he, ok := err.(*core.HandshakeError); ok {
		fmt.Println("status:", he.Status)
		fmt.Println("rule is RuleVersion:", he.Rule == core.RuleVersion)
		printHead(he.AppendErrorResponse(nil))
	}
	// Output:
	// websocket: handshake: Sec-WebSocket-Version must be 13; a server answers any other version with 426 and the versions it supports (RFC 6455 §4.2.2): Sec-WebSocket-Version was "8"
	// status: 426
	// rule is RuleVersion: true
	// HTTP/1.1 426 Upgrade Required
	// Sec-WebSocket-Version: 13
	// Upgrade: websocket
	// Connection: Upgrade
	// Content-Type: text/plain; charset=utf-8
	// Content-Length: 179
	// Connection: close
}

func ExampleClientRequest_AppendRequest() {
	req := &core.ClientRequest{
		Host:      "server.example.com",
		Target:    "/chat",
		Key:       "dGhlIHNhbXBsZSBub25jZQ==", // fixed for the example; leave empty for a fresh one
		Origin:    "http://example.com",
		Protocols: []string{"chat", "superchat"},
	}
	printHead(req.AppendRequest(nil))
	// Output:
	// GET /chat HTTP/1.1
	// Host: server.example.com
	// Upgrade: websocket
	// Connection: Upgrade
	// Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==
	// Sec-WebSocket-Version: 13
	// Origin: http://example.com
	// Sec-WebSocket-Protocol: chat, superchat
}

func ExampleHandshake() {
	client, server := net.Pipe()

	// The server: read the request, validate it, answer 101, then echo
	// one message and answer the closing handshake.
	done := make(chan error, 1)
	go func() {
		br := bufio.NewReader(server)
		req, err := core.ReadRequest(br, 0)
		if err == nil {
			err = req.Validate()
		}
		if err != nil {
			server.Close()
			done <- err
			return
		}
		resp := req.NewResponse(core.ResponseOptions{Protocols: []string{"chat"}})
		if _, err := server.Write(resp.AppendResponse(nil)); err != nil {
			done <- err
			return
		}
		conn := core.NewConn(server, br, core.Server, core.Config{})
		op, msg, err := conn.ReadMessage(nil)
		if err == nil {
			err = conn.WriteMessage(op, msg)
		}
		if err == nil {
			_, _, err = conn.ReadMessage(nil) // the client's close frame
		}
		done <- err
	}()

	// The client.
	req := &core.ClientRequest{Host: "server.example.com", Target: "/chat",
		Key: "dGhlIHNhbXBsZSBub25jZQ==", Protocols: []string{"chat", "superchat"}}
	resp, br, err := core.Handshake(client, req)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Status, resp.Reason)
	fmt.Println("accept:", resp.Header.Get("Sec-WebSocket-Accept"))
	fmt.Println("protocol:", resp.Header.Get("Sec-WebSocket-Protocol"))

	conn := core.NewConn(client, br, core.Client, core.Config{})
	conn.WriteMessage(core.OpText, []byte("Hello"))
	op, msg, err := conn.ReadMessage(nil)
	fmt.Println(op, string(msg), err)
	fmt.Println(conn.Close(core.StatusNormalClosure, "bye"))
	fmt.Println("server:", <-done)
	// Output:
	// 101 Switching Protocols
	// accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
	// protocol: chat
	// text Hello <nil>
	// <nil>
	// server: websocket: peer closed the connection with 1000 (normal closure): "bye"
}

func ExampleNewConn() {
	// Any byte stream carries frames once the handshake is done; here an
	// in-memory pipe.
	c, s := net.Pipe()
	client := core.NewConn(c, nil, core.Client, core.Config{})
	server := core.NewConn(s, nil, core.Server, core.Config{})

	// The server echoes every message until the client closes.
	done := make(chan error, 1)
	go func() {
		for {
			op, msg, err := server.ReadMessage(nil)
			if err != nil {
				done <- err
				return
			}
			server.WriteMessage(op, msg)
		}
	}()

	client.WriteMessage(core.OpText, []byte("Hello"))
	op, msg, _ := client.ReadMessage(nil)
	fmt.Println(op, string(msg))
	client.WriteMessage(core.OpBinary, []byte{0xde, 0xad, 0xbe, 0xef})
	op, msg, _ = client.ReadMessage(nil)
	fmt.Printf("%v % x\n", op, msg)
	client.Close(core.StatusGoingAway, "")
	fmt.Println(<-done)
	// Output:
	// text Hello
	// binary de ad be ef
	// websocket: peer closed the connection with 1001 (going away)
}

func ExampleConn_ReadLoop() {
	// A server loop: the handler gets each message and may answer it. On
	// a TCP socket ReadLoop reads through the raw socket; over this pipe
	// it is a plain ReadMessage loop, with the same behaviour.
	c, s := net.Pipe()
	client := core.NewConn(c, nil, core.Client, core.Config{})
	server := core.NewConn(s, nil, core.Server, core.Config{})
	done := make(chan error, 1)
	go func() {
		done <- server.ReadLoop(func(op core.Opcode, msg []byte) error {
			// msg is only valid during the call: an echo sends it
			// back at once.
			return server.WriteMessage(op, msg)
		})
	}()

	client.WriteMessage(core.OpText, []byte("ping me back"))
	op, msg, _ := client.ReadMessage(nil)
	fmt.Println(op, string(msg))
	client.Close(core.StatusNormalClosure, "done")
	fmt.Println(<-done)
	// Output:
	// text ping me back
	// websocket: peer closed the connection with 1000 (normal closure): "done"
}

func ExampleAppendFrameHeader() {
	// RFC 6455 §5.7: a single-frame unmasked text message "Hello".
	frame := core.AppendFrameHeader(nil, core.FrameHeader{Fin: true, Opcode: core.OpText, Length: 5})
	frame = append(frame, "Hello"...)
	fmt.Printf("% x\n", frame)

	// §5.7: the headers of a 256-byte and of a 64 KiB binary message,
	// each in a single unmasked frame.
	fmt.Printf("% x\n", core.AppendFrameHeader(nil, core.FrameHeader{Fin: true, Opcode: core.OpBinary, Length: 256}))
	fmt.Printf("% x\n", core.AppendFrameHeader(nil, core.FrameHeader{Fin: true, Opcode: core.OpBinary, Length: 65536}))
	// Output:
	// 81 05 48 65 6c 6c 6f
	// 82 7e 01 00
	// 82 7f 00 00 00 00 00 01 00 00
}

func ExampleAppendFrame() {
	// RFC 6455 §5.7: "Hello" as a client sends it, masked with the key
	// 37 fa 21 3d. AppendFrame masks a copy: the payload stays as it was.
	payload := []byte("Hello")
	h := core.FrameHeader{Fin: true, Opcode: core.OpText, Length: uint64(len(payload)),
		Masked: true, Key: [4]byte{0x37, 0xfa, 0x21, 0x3d}}
	frame := core.AppendFrame(nil, h, payload)
	fmt.Printf("% x\n", frame)
	fmt.Printf("%s\n", payload)

	// The same message from a server: no mask, no key.
	fmt.Printf("% x\n", core.AppendFrame(nil, core.FrameHeader{Fin: true, Opcode: core.OpText, Length: 5}, payload))
	// Output:
	// 81 85 37 fa 21 3d 7f 9f 4d 51 58
	// Hello
	// 81 05 48 65 6c 6c 6f
}

func ExampleMask() {
	// RFC 6455 §5.7: "Hello" masked with the key 37 fa 21 3d.
	key := [4]byte{0x37, 0xfa, 0x21, 0x3d}
	p := []byte("Hello")
	core.Mask(key, 0, p)
	fmt.Printf("% x\n", p)

	// Masking again unmasks, and a payload can be done in pieces: the
	// returned position carries on where the last piece stopped.
	pos := core.Mask(key, 0, p[:3])
	core.Mask(key, pos, p[3:])
	fmt.Printf("%s (the second piece started at key position %d)\n", p, pos)
	// Output:
	// 7f 9f 4d 51 58
	// Hello (the second piece started at key position 3)
}

func ExampleExplainFrame() {
	// RFC 6455 §5.7: a single-frame masked text message "Hello", as the
	// server receives it.
	frame := []byte{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}
	e := core.ExplainFrame(frame, core.Server)
	for _, f := range e.Fields {
		fmt.Printf("%-13s bits %2d-%-2d %-32s %s\n", f.Name, f.BitOffset, f.BitOffset+f.Bits-1, f.Raw, f.Value)
	}
	fmt.Println("complete:", e.Complete, "text:", e.Text, "problems:", len(e.Problems))

	// The same frame sent unmasked by a client breaks §5.1.
	e = core.ExplainFrame([]byte{0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}, core.Server)
	for _, r := range e.Problems {
		fmt.Println("problem:", r.Cite())
	}
	fmt.Println("close code:", e.Code)
	// Output:
	// FIN           bits  0-0  1                                1
	// RSV1          bits  1-1  0                                0
	// RSV2          bits  2-2  0                                0
	// RSV3          bits  3-3  0                                0
	// opcode        bits  4-7  0001                             0x1
	// MASK          bits  8-8  1                                1
	// Payload len   bits  9-15 0000101                          5
	// Masking-key   bits 16-47 00110111111110100010000100111101 0x37fa213d
	// Payload Data  bits 48-87 7f9f4d5158                       "Hello"
	// complete: true text: Hello problems: 0
	// problem: a client must mask every frame it sends to the server (RFC 6455 §5.1)
	// close code: 1002 (protocol error)
}

func ExampleExplainFrameWith() {
	// RFC 7692 §7.2.3.1: "Hello" compressed, with RSV1 set. Without the
	// extension RSV1 breaks a rule; with it, RSV1 says "compressed".
	frame := []byte{0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}
	for _, deflate := range []bool{false, true} {
		e := core.ExplainFrameWith(frame, core.ExplainOptions{Receiver: core.Client, Deflate: deflate})
		fmt.Println("deflate:", deflate)
		fmt.Println(" RSV1:", e.Fields[1].Meaning)
		for _, r := range e.Problems {
			fmt.Println(" problem:", r.ID)
		}
	}
	// Output:
	// deflate: false
	//  RSV1: reserved bit set: only allowed when a negotiated extension defines it (RFC 6455 §5.2)
	//  problem: reserved-bits
	//  problem: invalid-utf8
	// deflate: true
	//  RSV1: 1: Per-Message Compressed (RFC 7692 §6.1): the message's payload is DEFLATE data, inflated by the receiver
}

func ExampleAcceptSteps() {
	// RFC 6455 §4.2.2 item 5.4, step by step.
	s := core.AcceptSteps("dGhlIHNhbXBsZSBub25jZQ==")
	fmt.Printf("key bytes:    %q (%d bytes)\n", s.KeyBytes, len(s.KeyBytes))
	fmt.Println("key problem: ", s.KeyProblem)
	fmt.Println("concatenated:", s.Concatenated)
	fmt.Println("SHA-1:       ", s.SHA1Hex)
	fmt.Println("accept:      ", s.Accept)
	// Output:
	// key bytes:    "the sample nonce" (16 bytes)
	// key problem:  <nil>
	// concatenated: dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11
	// SHA-1:        b37a4f2cc0624f1690f64606cf385945b2bec4ea
	// accept:       s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
}

func ExampleMaskSteps() {
	// The masking table of RFC 6455 §5.3 for the §5.7 example.
	for _, s := range core.MaskSteps([4]byte{0x37, 0xfa, 0x21, 0x3d}, 0, []byte("Hello")) {
		fmt.Printf("i=%d j=%d  %02x XOR %02x = %02x  %s\n", s.Index, s.KeyIndex, s.In, s.KeyByte, s.Out, core.DescribeByte(s.In))
	}
	// Output:
	// i=0 j=0  48 XOR 37 = 7f  H
	// i=1 j=1  65 XOR fa = 9f  e
	// i=2 j=2  6c XOR 21 = 4d  l
	// i=3 j=3  6c XOR 3d = 51  l
	// i=4 j=0  6f XOR 37 = 58  o
}
