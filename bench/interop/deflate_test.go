package interop

// permessage-deflate between wsplay's core and gorilla/websocket and
// coder/websocket, each as client and as server, over loopback: both
// agree in the handshake, and messages of every kind travel compressed
// and come back unchanged, with and without context takeover.

import (
	"bytes"
	"context"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	coder "github.com/coder/websocket"
	"github.com/gorilla/websocket"

	"wsplay/core"
)

// messages are what every pair exchanges: repetitive text that refers
// back across messages (context takeover), random bytes that do not
// compress, sizes around the frame-length and window boundaries, and one
// larger than the 32 KiB window.
func messages() [][]byte {
	r := rand.New(rand.NewPCG(76, 92))
	var out [][]byte
	for _, n := range []int{0, 1, 40, 125, 126, 4096, 20000, 65536, 300000} {
		rep := []byte(strings.Repeat("the same words again and again ", n/31+1)[:n])
		rnd := make([]byte, n)
		for i := range rnd {
			rnd[i] = byte(r.Uint32())
		}
		out = append(out, rep, rnd)
	}
	return out
}

// wsplayEcho serves a wsplay echo with permessage-deflate, counting the
// compressed frames it receives.
func wsplayEcho(t *testing.T, compressed *atomic.Int64, agreed chan<- *core.DeflateParams) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _, err := core.Upgrade(w, r, core.UpgradeOptions{
			Deflate: &core.DeflateOptions{},
			Config: core.Config{OnFrame: func(d core.Direction, wire []byte) {
				if d == core.Received && wire[0]&0x40 != 0 {
					compressed.Add(1)
				}
			}},
		})
		if err != nil {
			t.Error(err)
			return
		}
		agreed <- c.Deflate()
		c.ReadLoop(func(op core.Opcode, msg []byte) error { return c.WriteMessage(op, msg) })
	}))
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

func TestGorillaClientWsplayServer(t *testing.T) {
	var compressed atomic.Int64
	agreed := make(chan *core.DeflateParams, 1)
	addr := wsplayEcho(t, &compressed, agreed)
	d := websocket.Dialer{EnableCompression: true, HandshakeTimeout: 5 * time.Second}
	c, resp, err := d.Dial("ws://"+addr+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if ext := resp.Header.Get("Sec-WebSocket-Extensions"); !strings.HasPrefix(ext, "permessage-deflate") {
		t.Fatalf("answer %q", ext)
	}
	if p := <-agreed; p == nil || !p.ClientNoContextTakeover {
		t.Fatalf("wsplay agreed %+v", p)
	}
	c.SetReadLimit(1 << 20)
	c.EnableWriteCompression(true)
	for i, m := range messages() {
		typ := websocket.BinaryMessage
		if i%2 == 0 {
			typ = websocket.TextMessage
		}
		if err := c.WriteMessage(typ, m); err != nil {
			t.Fatal(err)
		}
		gotTyp, got, err := c.ReadMessage()
		if err != nil || gotTyp != typ || !bytes.Equal(got, m) {
			t.Fatalf("message %d (%d bytes): %d bytes back, %v", i, len(m), len(got), err)
		}
	}
	if compressed.Load() < 9 {
		t.Fatalf("wsplay received %d compressed messages from gorilla", compressed.Load())
	}
}

func TestCoderClientWsplayServer(t *testing.T) {
	for _, mode := range []coder.CompressionMode{coder.CompressionContextTakeover, coder.CompressionNoContextTakeover} {
		var compressed atomic.Int64
		agreed := make(chan *core.DeflateParams, 1)
		addr := wsplayEcho(t, &compressed, agreed)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		c, resp, err := coder.Dial(ctx, "ws://"+addr+"/", &coder.DialOptions{CompressionMode: mode, CompressionThreshold: 1})
		if err != nil {
			t.Fatal(err)
		}
		defer c.CloseNow()
		if ext := resp.Header.Get("Sec-WebSocket-Extensions"); !strings.HasPrefix(ext, "permessage-deflate") {
			t.Fatalf("answer %q", ext)
		}
		if p := <-agreed; p == nil || p.ClientNoContextTakeover != (mode == coder.CompressionNoContextTakeover) {
			t.Fatalf("mode %v: wsplay agreed %+v", mode, p)
		}
		c.SetReadLimit(1 << 20)
		for i, m := range messages() {
			typ := coder.MessageBinary
			if i%2 == 0 {
				typ = coder.MessageText
			}
			if err := c.Write(ctx, typ, m); err != nil {
				t.Fatal(err)
			}
			gotTyp, got, err := c.Read(ctx)
			if err != nil || gotTyp != typ || !bytes.Equal(got, m) {
				t.Fatalf("mode %v: message %d (%d bytes): %d bytes back, %v", mode, i, len(m), len(got), err)
			}
		}
		if compressed.Load() < 9 {
			t.Fatalf("mode %v: wsplay received %d compressed messages from coder", mode, compressed.Load())
		}
		c.Close(coder.StatusNormalClosure, "")
	}
}

// wsplayClient dials addr offering permessage-deflate and checks that the
// server's echo returns every message unchanged, compressed both ways.
func wsplayClient(t *testing.T, addr string) {
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	nc.SetDeadline(time.Now().Add(20 * time.Second))
	req := &core.ClientRequest{Host: addr, Target: "/", Extensions: []core.Extension{core.DeflateOffer()}}
	resp, br, err := core.Handshake(nc, req)
	if err != nil {
		t.Fatal(err)
	}
	params, err := resp.Deflate(req)
	if err != nil || params == nil {
		t.Fatalf("agreed %+v, %v (answer %q)", params, err, resp.Header.Get("Sec-WebSocket-Extensions"))
	}
	var sent, received atomic.Int64
	c := core.NewConn(nc, br, core.Client, core.Config{Deflate: params, OnFrame: func(d core.Direction, wire []byte) {
		if wire[0]&0x40 != 0 {
			if d == core.Sent {
				sent.Add(1)
			} else {
				received.Add(1)
			}
		}
	}})
	defer c.CloseNow()
	for i, m := range messages() {
		op := core.OpBinary
		if i%2 == 0 {
			op = core.OpText
		}
		if err := c.WriteFragmented(op, m, 50000); err != nil {
			t.Fatal(err)
		}
		gotOp, got, err := c.ReadMessage(nil)
		if err != nil || gotOp != op || !bytes.Equal(got, m) {
			t.Fatalf("message %d (%d bytes): %d bytes back, %v", i, len(m), len(got), err)
		}
	}
	// wsplay compresses a message when that makes it smaller: the six
	// repetitive ones of 125 bytes or more.
	if sent.Load() < 6 || received.Load() < 6 {
		t.Fatalf("compressed messages: sent %d, received %d", sent.Load(), received.Load())
	}
	c.Close(core.StatusNormalClosure, "")
}

func TestWsplayClientGorillaServer(t *testing.T) {
	up := websocket.Upgrader{EnableCompression: true}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		c.SetReadLimit(1 << 20)
		c.EnableWriteCompression(true)
		for {
			typ, m, err := c.ReadMessage()
			if err != nil || c.WriteMessage(typ, m) != nil {
				return
			}
		}
	}))
	defer srv.Close()
	wsplayClient(t, srv.Listener.Addr().String())
}

func TestWsplayClientCoderServer(t *testing.T) {
	for _, mode := range []coder.CompressionMode{coder.CompressionContextTakeover, coder.CompressionNoContextTakeover} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, err := coder.Accept(w, r, &coder.AcceptOptions{CompressionMode: mode, CompressionThreshold: 1})
			if err != nil {
				return
			}
			defer c.CloseNow()
			c.SetReadLimit(1 << 20)
			ctx := context.Background()
			for {
				typ, m, err := c.Read(ctx)
				if err != nil || c.Write(ctx, typ, m) != nil {
					return
				}
			}
		}))
		wsplayClient(t, srv.Listener.Addr().String())
		srv.Close()
	}
}
