//go:build !js

package core_test

// permessage-deflate end to end over TCP: core.Upgrade negotiates it with
// a core client that offers it, messages travel compressed both ways,
// and an idle connection holds only its peer's window.

import (
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"wsplay/core"
)

// newDeflateEcho starts a server that upgrades with deflate (nil: none)
// and echoes every message through ReadLoop, as wsplay's /ws/echo does.
func newDeflateEcho(t *testing.T, deflate *core.DeflateOptions) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _, err := core.Upgrade(w, r, core.UpgradeOptions{Deflate: deflate})
		if err != nil {
			return
		}
		c.ReadLoop(func(op core.Opcode, msg []byte) error { return c.WriteMessage(op, msg) })
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// dialDeflate opens a client connection to addr offering offer (none when
// nil) and returns it with the server's agreement.
func dialDeflate(t testing.TB, addr string, offer []core.Extension, cfg core.Config) (*core.Conn, *core.DeflateParams) {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	req := &core.ClientRequest{Host: addr, Target: "/", Extensions: offer}
	resp, br, err := core.Handshake(nc, req)
	if err != nil {
		t.Fatal(err)
	}
	params, err := resp.Deflate(req)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Deflate = params
	return core.NewConn(nc, br, core.Client, cfg), params
}

func TestDeflateUpgradeEcho(t *testing.T) {
	addr := newDeflateEcho(t, &core.DeflateOptions{})
	var mu sync.Mutex
	rsv := map[core.Direction]int{}
	c, params := dialDeflate(t, addr, []core.Extension{core.DeflateOffer()}, core.Config{OnFrame: func(d core.Direction, wire []byte) {
		mu.Lock()
		defer mu.Unlock()
		if wire[0]&0x40 != 0 {
			rsv[d]++
		}
	}})
	defer c.CloseNow()
	if params == nil || params.ClientMaxWindowBits != core.DefaultClientMaxWindowBits || !params.ServerNoContextTakeover || !params.ClientNoContextTakeover {
		t.Fatalf("agreed %+v", params)
	}
	msgs := []string{"short", strings.Repeat("a long repetitive message ", 400), strings.Repeat("x", 70000), ""}
	for _, m := range msgs {
		if err := c.WriteFragmented(core.OpText, []byte(m), 1000); err != nil {
			t.Fatal(err)
		}
		_, got, err := c.ReadMessage(nil)
		if err != nil || string(got) != m {
			t.Fatalf("echo of %d bytes: %d bytes, %v", len(m), len(got), err)
		}
	}
	if rsv[core.Sent] != 2 || rsv[core.Received] != 2 {
		t.Fatalf("compressed frames sent %d, received %d; want the 2 long messages each way", rsv[core.Sent], rsv[core.Received])
	}
	// Without the server's consent, nothing is compressed.
	plain, params := dialDeflate(t, newDeflateEcho(t, nil), []core.Extension{core.DeflateOffer()}, core.Config{})
	defer plain.CloseNow()
	if params != nil {
		t.Fatalf("a server without Deflate agreed to %+v", params)
	}
}

// The memory a connection holds while idle, with and without compression,
// after 40 KiB each way, measured over many connections. With compression
// the server keeps the client's window of inflated bytes, at most
// 2^DefaultClientMaxWindowBits, for a client that takes context over (a
// browser does), and its loop keeps the message buffer of the general
// path, which compressed messages take (at most 64 KiB, here 4 KiB);
// compressors and inflaters go back to their pools.
func TestDeflateIdleMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("measures memory over many connections")
	}
	const n = 200
	// 20 messages of 2 KiB: 40 KiB in all, more than any window, each
	// small enough for the read buffer.
	msg := []byte(strings.Repeat("an idle connection keeps its peer's window ", 48)[:2048])
	browser := core.Extension{Name: core.DeflateName, Params: []core.HeaderField{{Name: "client_max_window_bits"}}}
	measure := func(deflate *core.DeflateOptions, offer []core.Extension) float64 {
		addr := newDeflateEcho(t, deflate)
		conns := make([]*core.Conn, 0, n)
		runtime.GC()
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		for range n {
			c, _ := dialDeflate(t, addr, offer, core.Config{})
			for i := range 20 {
				msg[0] = byte('a' + i)
				if err := c.WriteMessage(core.OpText, msg); err != nil {
					t.Fatal(err)
				}
				if _, _, err := c.ReadMessage(nil); err != nil {
					t.Fatal(err)
				}
			}
			conns = append(conns, c)
		}
		time.Sleep(100 * time.Millisecond) // the servers' loops are back to waiting
		// Two collections empty the pools (a pool keeps its objects
		// through one): what is left is what the connections hold.
		runtime.GC()
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		for _, c := range conns {
			c.CloseNow()
		}
		// Both ends are in this process: the client's side counts too,
		// which is the same with and without compression but for the
		// window the client keeps of the server's messages (none: the
		// server takes no context over).
		return float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / n
	}
	plain := measure(nil, nil)
	compressed := measure(&core.DeflateOptions{}, []core.Extension{browser})
	full := measure(&core.DeflateOptions{ClientMaxWindowBits: 15}, []core.Extension{browser})
	noctx := measure(&core.DeflateOptions{}, []core.Extension{core.DeflateOffer()})
	t.Logf("idle memory per connection (both ends): %.0f B without compression; with it, %.0f B for a browser's offer (client window 2^%d), %.0f B with a 32 KiB client window, %.0f B for a client without context takeover (wsplay's offer)",
		plain, compressed, core.DefaultClientMaxWindowBits, full, noctx)
	if extra := compressed - plain; extra > float64(1<<core.DefaultClientMaxWindowBits)+6<<10 {
		t.Errorf("compression costs %.0f B per idle connection, want at most the %d-byte window and a message buffer", extra, 1<<core.DefaultClientMaxWindowBits)
	}
	if extra := full - plain; extra > 32<<10+6<<10 {
		t.Errorf("a 32 KiB window costs %.0f B per idle connection", extra)
	}
}
