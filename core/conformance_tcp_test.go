//go:build !js

package core

import (
	"net"
	"testing"
)

// abTCP is tcpPair as an abTransport.
func abTCP(t *testing.T) (client, server net.Conn) { return tcpPair(t) }

// tcpPair connects a pair of TCP sockets on the loopback interface.
func tcpPair(t testing.TB) (client, server net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server = <-accepted
	if server == nil {
		t.Fatal("accept failed")
	}
	return client, server
}

// TestConformanceTCP runs the conformance categories again over real TCP
// sockets, where the kernel, not the test, decides how the bytes are cut
// into reads, and where closing a socket with unread input resets the
// connection (see Conn.lingerClose). net.Listen does not exist under
// js/wasm, hence the build constraint.
func TestConformanceTCP(t *testing.T) {
	abTransport = abTCP
	defer func() { abTransport = abPipe }()
	runConformance(t)
}

// TestConformanceReadLoop runs the categories again with an echo server
// written with ReadLoop, over TCP (its raw socket path, where whole
// messages are handled inside the socket's read) and over net.Pipe (its
// plain path): both must behave exactly as ReadMessage does.
func TestConformanceReadLoop(t *testing.T) {
	abEcho = abEchoLoop
	defer func() { abEcho = abEchoMessages }()
	t.Run("tcp", func(t *testing.T) {
		abTransport = abTCP
		defer func() { abTransport = abPipe }()
		runConformance(t)
	})
	t.Run("pipe", runConformance)
}

func runConformance(t *testing.T) {
	for _, c := range []struct {
		name string
		f    func(*testing.T)
	}{
		{"1", TestAutobahn1Framing}, {"2", TestAutobahn2PingPong}, {"3", TestAutobahn3ReservedBits},
		{"4", TestAutobahn4Opcodes}, {"5", TestAutobahn5Fragmentation}, {"6", TestAutobahn6UTF8},
		{"6.4", TestAutobahn6FailFast}, {"7", TestAutobahn7Close}, {"10", TestAutobahn10AutoFragmentation},
		{"RFC", TestConformanceHeaderRules},
	} {
		t.Run(c.name, c.f)
	}
}

// abEchoLoop is the same echo written with ReadLoop: over TCP it takes the
// raw socket path, over net.Pipe the plain one.
func abEchoLoop(c *Conn) error {
	return c.ReadLoop(func(op Opcode, msg []byte) error {
		return c.WriteMessage(op, msg)
	})
}
