//go:build !js

// Package examples_test runs the programs that the lessons present: the
// Python and Go echo servers of lesson 11 must pass the echo round trips,
// fragmentation, control frames and the closing handshake, driven by
// wsplay's own client; the classic broken recipe of lesson 13 must fail
// exactly the cases the lesson says it fails.
package examples_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"wsplay/core"
)

// goServerBin and writepumpBin are the goserver and writepump examples,
// built once by TestMain.
var goServerBin, writepumpBin string

// trackBin is the directory of the track's Go programs (track/go/...),
// built once by TestMain: one binary per milestone, named after its
// directory.
var trackBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "wsplay-examples")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	goServerBin = filepath.Join(dir, "goserver")
	writepumpBin = filepath.Join(dir, "writepump")
	trackBin = filepath.Join(dir, "track")
	for _, build := range [][]string{
		{"build", "-o", goServerBin, "./goserver"},
		{"build", "-o", writepumpBin, "./writepump"},
		{"build", "-o", trackBin + string(filepath.Separator), "./track/go/..."},
	} {
		out, err := exec.Command("go", build...).CombinedOutput()
		if err != nil {
			fmt.Fprintf(os.Stderr, "go %s: %v\n%s", strings.Join(build, " "), err, out)
			os.RemoveAll(dir)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// start runs a server program that takes its port (or address) as its last
// argument and prints "listening on PORT", "listening on HOST:PORT" or
// "listening on ws://HOST:PORT/" when ready, and returns the address to
// dial. The process is killed when the test ends.
func start(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() && stderr.Len() > 0 {
			t.Logf("%s stderr:\n%s", name, stderr.String())
		}
	})
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(stdout).ReadString('\n')
		line <- s
		io.Copy(io.Discard, stdout)
	}()
	select {
	case s := <-line:
		s = strings.TrimSpace(s)
		rest, ok := strings.CutPrefix(s, "listening on ")
		if !ok {
			t.Fatalf("%s printed %q, want \"listening on ...\"", name, s)
		}
		rest = strings.TrimSuffix(strings.TrimPrefix(rest, "ws://"), "/")
		if !strings.Contains(rest, ":") {
			rest = "127.0.0.1:" + rest
		}
		return rest
	case <-time.After(60 * time.Second):
		t.Fatalf("%s did not print \"listening on\" within 60s", name)
	}
	return ""
}

func python(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("REQUIRE_PYTHON") == "1" {
			t.Fatal("python3 is not on PATH and REQUIRE_PYTHON=1")
		}
		t.Skip("python3 is not on PATH; install Python 3 to run the Python examples")
	}
	return p
}

func startPython(t *testing.T, script string) string {
	return start(t, python(t), filepath.Join("python", script), "0")
}

// servers are the correct echo servers of lesson 11.
var servers = []struct {
	name  string
	start func(t *testing.T) string
}{
	{"python", func(t *testing.T) string { return startPython(t, "echo_server.py") }},
	{"go", func(t *testing.T) string { return start(t, goServerBin, "127.0.0.1:0") }},
}

// client is one WebSocket client connection made with wsplay's core.
type client struct {
	*core.Conn
	raw  net.Conn      // the TCP connection, for writing raw frames
	br   *bufio.Reader // the handshake's reader: bytes after the 101 response
	pong chan []byte
}

func dial(t *testing.T, addr string) *client {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(20 * time.Second)) // no wait is unbounded
	req := &core.ClientRequest{Host: addr, Target: "/"}
	_, br, err := core.Handshake(nc, req)
	if err != nil {
		t.Fatalf("handshake: %v", err)
	}
	c := &client{raw: nc, br: br, pong: make(chan []byte, 4)}
	c.Conn = core.NewConn(nc, br, core.Client, core.Config{
		CloseTimeout: 3 * time.Second,
		OnPong: func(p []byte) {
			c.pong <- append([]byte(nil), p...)
		},
	})
	return c
}

// rawFrame builds a client frame by hand: masked with key when masked.
func rawFrame(fin bool, op core.Opcode, masked bool, key [4]byte, payload []byte) []byte {
	h := core.FrameHeader{Fin: fin, Opcode: op, Masked: masked, Key: key, Length: uint64(len(payload))}
	b := core.AppendFrameHeader(nil, h)
	n := len(b)
	b = append(b, payload...)
	if masked {
		core.Mask(key, 0, b[n:])
	}
	return b
}

// pattern returns n bytes; text when text is true (ASCII letters).
func pattern(n int, text bool) []byte {
	b := make([]byte, n)
	for i := range b {
		if text {
			b[i] = 'a' + byte(i%26)
		} else {
			b[i] = byte(i * 7)
		}
	}
	return b
}

func expectMessage(t *testing.T, c *client, op core.Opcode, want []byte) {
	t.Helper()
	gotOp, got, err := c.ReadMessage(nil)
	if err != nil {
		t.Fatalf("reading the echo: %v", err)
	}
	if gotOp != op || !bytes.Equal(got, want) {
		t.Fatalf("echo: got %v with %d bytes, want %v with %d bytes", gotOp, len(got), op, len(want))
	}
}

func expectClose(t *testing.T, c *client, code core.StatusCode) {
	t.Helper()
	_, _, err := c.ReadMessage(nil)
	var ce *core.CloseError
	if !errors.As(err, &ce) {
		t.Fatalf("got %v, want the server's close frame with %v", err, code)
	}
	if ce.Code != code {
		t.Fatalf("the server closed with %v (%q), want %v", ce.Code, ce.Reason, code)
	}
}

func TestEchoServers(t *testing.T) {
	for _, s := range servers {
		t.Run(s.name, func(t *testing.T) {
			addr := s.start(t)

			t.Run("handshake", func(t *testing.T) {
				for _, tc := range []struct {
					name, extra string
					status      int
				}{
					{"no Origin (not a browser)", "", 101},
					{"loopback Origin", "Origin: http://localhost:8080\r\n", 101},
					{"Origin of the server itself", "Origin: http://" + addr + "\r\n", 101},
					{"Origin of another site", "Origin: https://attacker.example\r\n", 403},
					// A name that merely starts like a loopback address is
					// another site: the check must parse the host, not its text.
					{"Origin whose name starts with 127.", "Origin: http://127.attacker.example\r\n", 403},
					{"loopback address Origin", "Origin: http://127.0.0.2:8000\r\n", 101},
					{"version 8", "VERSION", 426},
					{"key of 15 bytes", "KEY", 400},
					// §4.1 asks for "HTTP/1.1 or higher", as lesson 2 says.
					{"HTTP/1.0", "HTTP/1.0", 400},
					{"HTTP/1.2", "HTTP/1.2", 101},
				} {
					version, key, proto := "13", "dGhlIHNhbXBsZSBub25jZQ==", "HTTP/1.1"
					extra := tc.extra
					switch extra {
					case "HTTP/1.0", "HTTP/1.2":
						proto, extra = extra, ""
					case "VERSION":
						version, extra = "8", ""
					case "KEY":
						key, extra = "AAAAAAAAAAAAAAAAAAAA", ""
					}
					head := "GET / " + proto + "\r\nHost: " + addr + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
						"Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: " + version + "\r\n" + extra + "\r\n"
					resp := rawHandshake(t, addr, head)
					if resp.Status != tc.status {
						t.Errorf("%s: status %d %s, want %d", tc.name, resp.Status, resp.Reason, tc.status)
					}
					if resp.Status == 101 {
						if got := resp.Header.Get("Sec-WebSocket-Accept"); got != core.Accept(key) {
							t.Errorf("%s: Sec-WebSocket-Accept %q, want %q", tc.name, got, core.Accept(key))
						}
					}
				}
			})

			t.Run("round trips", func(t *testing.T) {
				c := dial(t, addr)
				for _, n := range []int{0, 125, 126, 65535, 65536} {
					for _, op := range []core.Opcode{core.OpText, core.OpBinary} {
						msg := pattern(n, op == core.OpText)
						if err := c.WriteMessage(op, msg); err != nil {
							t.Fatal(err)
						}
						expectMessage(t, c, op, msg)
					}
				}
				if err := c.Close(core.StatusNormalClosure, ""); err != nil {
					t.Fatal(err)
				}
			})

			t.Run("fragmented message", func(t *testing.T) {
				c := dial(t, addr)
				msg := []byte("a message in fragments: héllo wörld, €, 😀")
				// Fragments of 5 bytes cut some code points in two:
				// valid, since UTF-8 is checked on the whole message.
				if err := c.WriteFragmented(core.OpText, msg, 5); err != nil {
					t.Fatal(err)
				}
				expectMessage(t, c, core.OpText, msg)
				bin := pattern(70000, false)
				if err := c.WriteFragmented(core.OpBinary, bin, 4096); err != nil {
					t.Fatal(err)
				}
				expectMessage(t, c, core.OpBinary, bin)
			})

			t.Run("one byte per TCP write", func(t *testing.T) {
				c := dial(t, addr)
				msg := []byte("one byte at a time")
				writeBytewise(t, c, rawFrame(true, core.OpText, true, [4]byte{1, 2, 3, 4}, msg))
				expectMessage(t, c, core.OpText, msg)
			})

			t.Run("ping gets a pong with the same payload", func(t *testing.T) {
				c := dial(t, addr)
				if err := c.Ping([]byte("are you there?")); err != nil {
					t.Fatal(err)
				}
				// Pongs are handled inside ReadMessage: read an echo
				// sent after the ping, by then the pong has arrived.
				if err := c.WriteMessage(core.OpText, []byte("after the ping")); err != nil {
					t.Fatal(err)
				}
				expectMessage(t, c, core.OpText, []byte("after the ping"))
				select {
				case p := <-c.pong:
					if string(p) != "are you there?" {
						t.Fatalf("pong payload %q, want %q", p, "are you there?")
					}
				default:
					t.Fatal("no pong arrived before the echo of a later message")
				}
			})

			t.Run("ping between fragments", func(t *testing.T) {
				c := dial(t, addr)
				key := [4]byte{9, 8, 7, 6}
				var b []byte
				b = append(b, rawFrame(false, core.OpText, true, key, []byte("Hel"))...)
				b = append(b, rawFrame(true, core.OpPing, true, key, []byte("mid"))...)
				b = append(b, rawFrame(true, core.OpContinuation, true, key, []byte("lo"))...)
				if _, err := c.raw.Write(b); err != nil {
					t.Fatal(err)
				}
				expectMessage(t, c, core.OpText, []byte("Hello"))
				select {
				case p := <-c.pong:
					if string(p) != "mid" {
						t.Fatalf("pong payload %q, want %q", p, "mid")
					}
				case <-time.After(5 * time.Second):
					t.Fatal("no pong for the ping between the fragments")
				}
			})

			t.Run("invalid UTF-8 gets 1007", func(t *testing.T) {
				c := dial(t, addr)
				if err := c.WriteMessage(core.OpText, []byte{'o', 'k', 0xFF}); err != nil {
					t.Fatal(err)
				}
				expectClose(t, c, core.StatusInvalidPayload)
			})

			t.Run("unmasked frame gets 1002", func(t *testing.T) {
				c := dial(t, addr)
				if _, err := c.raw.Write(rawFrame(true, core.OpText, false, [4]byte{}, []byte("hi"))); err != nil {
					t.Fatal(err)
				}
				expectClose(t, c, core.StatusProtocolError)
			})

			t.Run("a message over the limit gets 1009", func(t *testing.T) {
				// Both servers accept messages up to 16 MiB and refuse a
				// larger one from its frame header.
				c := dial(t, addr)
				werr := make(chan error, 1)
				go func() { werr <- c.WriteMessage(core.OpBinary, make([]byte, 16<<20+1)) }()
				expectClose(t, c, core.StatusMessageTooBig)
				select {
				case <-werr: // the write may succeed or fail once the server closes
				case <-time.After(10 * time.Second):
					t.Fatal("the large write did not end")
				}
			})

			t.Run("close 1000 is echoed, then the server closes TCP", func(t *testing.T) {
				c := dial(t, addr)
				body := core.AppendClosePayload(nil, core.StatusNormalClosure, "bye")
				if _, err := c.raw.Write(rawFrame(true, core.OpClose, true, [4]byte{5, 6, 7, 8}, body)); err != nil {
					t.Fatal(err)
				}
				c.raw.SetDeadline(time.Now().Add(5 * time.Second))
				fr := core.NewFrameReader(c.br, core.Client, 0)
				h, err := fr.NextFrame()
				if err != nil {
					t.Fatalf("reading the server's answer: %v", err)
				}
				p, err := io.ReadAll(io.LimitReader(fr, int64(h.Length)))
				if err != nil {
					t.Fatal(err)
				}
				code, _, err := core.ParseClosePayload(p)
				if h.Opcode != core.OpClose || err != nil || code != core.StatusNormalClosure {
					t.Fatalf("got opcode %v, payload %x, want a close frame with 1000", h.Opcode, p)
				}
				// Nothing may follow the close frame; the server then
				// closes the TCP connection first (§7.1.1).
				rest, err := io.ReadAll(c.br)
				if err != nil {
					t.Fatalf("after the close frame: %v, want the end of the stream", err)
				}
				if len(rest) > 0 {
					t.Fatalf("%d bytes after the close frame", len(rest))
				}
			})
		})
	}
}

// rawHandshake sends a request head as given and reads the answer's head.
func rawHandshake(t *testing.T, addr, head string) *core.ServerResponse {
	t.Helper()
	resp, err := tryHandshake(t, addr, head, 10*time.Second)
	if err != nil {
		t.Fatalf("reading the answer to the handshake: %v", err)
	}
	return resp
}

// tryHandshake sends a request head and reads the answer's head, waiting
// at most wait.
func tryHandshake(t *testing.T, addr, head string, wait time.Duration) (*core.ServerResponse, error) {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(wait))
	if _, err := io.WriteString(nc, head); err != nil {
		t.Fatal(err)
	}
	return core.ReadResponse(bufio.NewReader(nc), 0)
}

// writeBytewise writes b one byte per TCP write, pausing between them so
// that each byte travels in a segment of its own.
func writeBytewise(t *testing.T, c *client, b []byte) {
	t.Helper()
	for i := range b {
		if _, err := c.raw.Write(b[i : i+1]); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestNaiveRecipeFails shows the classic recipe's mistakes (lesson 13):
// it echoes a short message sent in one piece, and fails as soon as TCP
// or the client splits things differently.
func TestNaiveRecipeFails(t *testing.T) {
	addr := startPython(t, "naive_server.py")

	t.Run("a short message in one write works", func(t *testing.T) {
		c := dial(t, addr)
		if err := c.WriteMessage(core.OpText, []byte("hello")); err != nil {
			t.Fatal(err)
		}
		expectMessage(t, c, core.OpText, []byte("hello"))
	})

	// wrongEcho reads what comes back and fails the test if it is the
	// right echo: the recipe must get it wrong.
	wrongEcho := func(t *testing.T, c *client, want []byte) {
		t.Helper()
		c.raw.SetDeadline(time.Now().Add(2 * time.Second))
		op, got, err := c.ReadMessage(nil)
		if err == nil && op == core.OpText && bytes.Equal(got, want) {
			t.Fatalf("the naive server echoed %q correctly; lesson 13 says it cannot", got)
		}
		t.Logf("as lesson 13 says: got opcode %v, %q, error %v", op, got, err)
	}

	t.Run("the close frame is echoed as a text frame", func(t *testing.T) {
		// Lesson 9's close frame (1000, "bye"); lesson 13 shows the
		// recipe's answer, byte for byte.
		c := dial(t, addr)
		body := core.AppendClosePayload(nil, core.StatusNormalClosure, "bye")
		if _, err := c.raw.Write(rawFrame(true, core.OpClose, true, [4]byte{0x7e, 0x3c, 0x1a, 0x55}, body)); err != nil {
			t.Fatal(err)
		}
		c.raw.SetDeadline(time.Now().Add(5 * time.Second))
		want := []byte{0x81, 0x05, 0x03, 0xe8, 0x62, 0x79, 0x65}
		got := make([]byte, len(want))
		if _, err := io.ReadFull(c.br, got); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("the recipe answered % x, lesson 13 says % x", got, want)
		}
	})

	t.Run("any Origin is accepted", func(t *testing.T) {
		head := "GET / HTTP/1.1\r\nHost: " + addr + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
			"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
			"Origin: https://attacker.example\r\n\r\n"
		if resp := rawHandshake(t, addr, head); resp.Status != 101 {
			t.Fatalf("status %d, lesson 13 says the recipe accepts any origin", resp.Status)
		}
	})

	t.Run("a header without a space after the colon fails", func(t *testing.T) {
		head := "GET / HTTP/1.1\r\nHost: " + addr + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
			"Sec-WebSocket-Key:dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
		resp, err := tryHandshake(t, addr, head, 2*time.Second)
		if err == nil && resp.Status == 101 {
			t.Fatal("the recipe accepted Sec-WebSocket-Key:value; lesson 13 says split(': ') misses it")
		}
		t.Logf("as lesson 13 says: %v", err)
	})

	t.Run("a fragmented message fails", func(t *testing.T) {
		c := dial(t, addr)
		msg := []byte("hello, fragmented world")
		if err := c.WriteFragmented(core.OpText, msg, 5); err != nil {
			t.Fatal(err)
		}
		wrongEcho(t, c, msg)
	})

	t.Run("fragments sent apart come back as separate messages", func(t *testing.T) {
		// When each fragment arrives in a recv() of its own, each is
		// echoed as a whole text message: the first echo is "hello".
		c := dial(t, addr)
		key := [4]byte{1, 2, 3, 4}
		frames := [][]byte{
			rawFrame(false, core.OpText, true, key, []byte("hello")),
			rawFrame(false, core.OpContinuation, true, key, []byte(", fra")),
			rawFrame(true, core.OpContinuation, true, key, []byte("gmented world")),
		}
		for _, f := range frames {
			if _, err := c.raw.Write(f); err != nil {
				t.Fatal(err)
			}
			time.Sleep(100 * time.Millisecond)
		}
		c.raw.SetDeadline(time.Now().Add(5 * time.Second))
		op, got, err := c.ReadMessage(nil)
		if err != nil || op != core.OpText || string(got) != "hello" {
			t.Fatalf("got %v %q %v; lesson 13 says the first fragment comes back alone as a text message", op, got, err)
		}
	})

	t.Run("one byte per TCP write fails", func(t *testing.T) {
		c := dial(t, addr)
		msg := []byte("one byte at a time")
		writeBytewise(t, c, rawFrame(true, core.OpText, true, [4]byte{1, 2, 3, 4}, msg))
		wrongEcho(t, c, msg)
	})
}
