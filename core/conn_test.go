package core

// Behaviour of Conn that the conformance suite (conformance_test.go) does
// not reach: the client role, concurrent writers, the closing handshake
// started by this end, the observers, the errors and the allocations.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// ctRW joins a reader and a writer into the stream a Conn runs over. It is
// not an io.Closer, so the Conn never closes it.
type ctRW struct {
	io.Reader
	io.Writer
}

// ctFrame is a frame decoded from a Conn's output.
type ctFrame struct {
	h       FrameHeader
	payload []byte
}

// ctDecode decodes every frame in b as receiver would, failing the test on
// any broken rule: FrameReader checks masking, RSV bits and the order of
// fragments.
func ctDecode(t *testing.T, b []byte, receiver Role) []ctFrame {
	t.Helper()
	fr := NewFrameReader(bytes.NewReader(b), receiver, 0)
	var out []ctFrame
	for {
		h, err := fr.NextFrame()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("frame %d: %v", len(out), err)
		}
		p, err := io.ReadAll(fr)
		if err != nil {
			t.Fatalf("frame %d payload: %v", len(out), err)
		}
		out = append(out, ctFrame{h, p})
	}
}

// ctFrameBytes builds a frame as the peer of a Conn in role sends it: masked
// when the Conn is a server.
func ctFrameBytes(to Role, fin bool, op Opcode, payload []byte) []byte {
	h := FrameHeader{Fin: fin, Opcode: op, Length: uint64(len(payload))}
	if to == Server {
		h.Masked, h.Key = true, [4]byte{0xA1, 0x07, 0x3C, 0x5E}
	}
	return AppendFrame(nil, h, payload)
}

func ctOther(r Role) Role {
	if r == Client {
		return Server
	}
	return Client
}

func ctPattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i*13)
	}
	return b
}

// The client masks every frame it sends, with a fresh key, and leaves the
// caller's slice alone; the server masks none (§5.1, §5.3).
func TestConnMasking(t *testing.T) {
	for _, role := range []Role{Client, Server} {
		t.Run(role.String(), func(t *testing.T) {
			var out bytes.Buffer
			c := NewConn(ctRW{strings.NewReader(""), &out}, nil, role, Config{})
			var sent [][]byte
			for i, n := range []int{0, 1, 125, 126, 4000, 4096, 5000, 70000} {
				p := ctPattern(n, byte(i))
				orig := bytes.Clone(p)
				if err := c.WriteMessage(OpBinary, p); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(p, orig) {
					t.Fatalf("WriteMessage changed the caller's %d-byte slice", n)
				}
				sent = append(sent, orig)
			}
			frag := ctPattern(10000, 7)
			if err := c.WriteFragmented(OpText, frag, 4500); err != nil {
				t.Fatal(err)
			}
			if err := c.Ping([]byte("ping")); err != nil {
				t.Fatal(err)
			}
			if err := c.Close(StatusGoingAway, "bye"); err != nil {
				t.Fatal(err)
			}
			frames := ctDecode(t, out.Bytes(), ctOther(role))
			want := append(sent, frag[:4500], frag[4500:9000], frag[9000:], []byte("ping"), AppendClosePayload(nil, StatusGoingAway, "bye"))
			if len(frames) != len(want) {
				t.Fatalf("got %d frames, want %d", len(frames), len(want))
			}
			keys := map[[4]byte]bool{}
			for i, f := range frames {
				if f.h.Masked != (role == Client) {
					t.Fatalf("frame %d: masked=%v for a %s", i, f.h.Masked, role)
				}
				keys[f.h.Key] = true
				if !bytes.Equal(f.payload, want[i]) {
					t.Fatalf("frame %d (%s, %d bytes): payload differs after unmasking", i, f.h.Opcode, len(f.payload))
				}
			}
			if role == Client && len(keys) < len(frames)-1 {
				t.Fatalf("%d frames used only %d masking keys: keys must be unpredictable", len(frames), len(keys))
			}
		})
	}
}

// Many goroutines writing at once never interleave their frames: each
// message, fragmented or not, arrives whole and in each writer's order. Run
// with -race: the buffer underneath is not synchronized, so the detector
// also sees any write that escapes the Conn's lock.
func TestConnConcurrentWrites(t *testing.T) {
	for _, role := range []Role{Client, Server} {
		t.Run(role.String(), func(t *testing.T) {
			var out bytes.Buffer
			c := NewConn(ctRW{strings.NewReader(""), &out}, nil, role, Config{})
			const writers, perWriter = 8, 40
			start := make(chan struct{})
			var wg sync.WaitGroup
			for g := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					for m := range perWriter {
						msg := fmt.Appendf(nil, "g%d m%d ", g, m)
						msg = append(msg, bytes.Repeat([]byte{'a' + byte(g)}, (g*997+m*389)%9000)...)
						var err error
						if g%2 == 0 {
							err = c.WriteMessage(OpText, msg)
						} else {
							err = c.WriteFragmented(OpText, msg, 700)
						}
						if err != nil {
							t.Error(err)
							return
						}
					}
				}()
			}
			close(start)
			wg.Wait()

			next := make([]int, writers)
			var msg []byte
			count := 0
			for i, f := range ctDecode(t, out.Bytes(), ctOther(role)) {
				msg = append(msg, f.payload...)
				if !f.h.Fin {
					continue
				}
				var g, m int
				if _, err := fmt.Sscanf(string(msg), "g%d m%d ", &g, &m); err != nil {
					t.Fatalf("frame %d ends a message that does not start with its writer: %.30q", i, msg)
				}
				if m != next[g] {
					t.Fatalf("writer %d: message %d arrived, want %d", g, m, next[g])
				}
				next[g]++
				body := msg[len(fmt.Sprintf("g%d m%d ", g, m)):]
				if len(body) != (g*997+m*389)%9000 || bytes.Count(body, []byte{'a' + byte(g)}) != len(body) {
					t.Fatalf("writer %d message %d: body mixed with other bytes", g, m)
				}
				msg = msg[:0]
				count++
			}
			if count != writers*perWriter {
				t.Fatalf("decoded %d messages, want %d", count, writers*perWriter)
			}
		})
	}
}

// WriteFragmented cuts the message into frames of size bytes: the first
// with the message's opcode, then continuations, FIN on the last only.
func TestConnWriteFragmented(t *testing.T) {
	cases := []struct {
		n, size int
		want    []int
	}{
		{0, 10, []int{0}},
		{5, 10, []int{5}},
		{10, 10, []int{10}},
		{11, 10, []int{10, 1}},
		{30, 10, []int{10, 10, 10}},
		{3, 1, []int{1, 1, 1}},
		{9000, 4096, []int{4096, 4096, 808}},
		{50, 0, []int{50}},
		{50, -3, []int{50}},
	}
	for _, role := range []Role{Client, Server} {
		for _, tc := range cases {
			t.Run(fmt.Sprintf("%s %d bytes by %d", role, tc.n, tc.size), func(t *testing.T) {
				var out bytes.Buffer
				c := NewConn(ctRW{strings.NewReader(""), &out}, nil, role, Config{})
				p := ctPattern(tc.n, 1)
				if err := c.WriteFragmented(OpBinary, p, tc.size); err != nil {
					t.Fatal(err)
				}
				frames := ctDecode(t, out.Bytes(), ctOther(role))
				if len(frames) != len(tc.want) {
					t.Fatalf("got %d frames, want %d", len(frames), len(tc.want))
				}
				var got []byte
				for i, f := range frames {
					op := OpContinuation
					if i == 0 {
						op = OpBinary
					}
					if f.h.Opcode != op || f.h.Fin != (i == len(frames)-1) || len(f.payload) != tc.want[i] {
						t.Fatalf("frame %d: op=%s fin=%v %d bytes, want op=%s fin=%v %d bytes",
							i, f.h.Opcode, f.h.Fin, len(f.payload), op, i == len(frames)-1, tc.want[i])
					}
					got = append(got, f.payload...)
				}
				if !bytes.Equal(got, p) {
					t.Fatal("the frames do not add up to the message")
				}
			})
		}
	}
}

// ctPeer is the far end of a net.Pipe for the closing-handshake tests.
type ctPeer struct {
	conn net.Conn
	role Role // the peer's own role
	fr   *FrameReader
}

func newCTPair(t *testing.T, role Role, cfg Config) (*Conn, *ctPeer) {
	a, b := net.Pipe()
	t.Cleanup(func() { a.Close(); b.Close() })
	return NewConn(a, nil, role, cfg), &ctPeer{conn: b, role: ctOther(role), fr: NewFrameReader(b, ctOther(role), 0)}
}

// readClose reads frames until a close frame and returns its body.
func (p *ctPeer) readClose() ([]byte, error) {
	for {
		h, err := p.fr.NextFrame()
		if err != nil {
			return nil, err
		}
		body, err := io.ReadAll(p.fr)
		if err != nil {
			return nil, err
		}
		if h.Opcode == OpClose {
			return body, nil
		}
	}
}

// answerClose reads the close frame, answers it with code and reason, and
// then waits for the stream to end (a client peer) or ends it (a server
// peer, which closes the TCP connection first, §7.1.1). It reports the body
// it read and whether the other end closed the stream.
func (p *ctPeer) answerClose(code StatusCode, reason string) (body []byte, err error) {
	body, err = p.readClose()
	if err != nil {
		return nil, err
	}
	p.conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := p.conn.Write(ctFrameBytes(ctOther(p.role), true, OpClose, AppendClosePayload(nil, code, reason))); err != nil {
		return body, err
	}
	if p.role == Server {
		return body, p.conn.Close()
	}
	if _, err := p.fr.NextFrame(); err != io.EOF {
		return body, fmt.Errorf("after the close frames: got %v, want io.EOF from the server", err)
	}
	return body, nil
}

// Close started by this end completes the handshake with a peer that
// answers, without waiting for the timeout, and ReadMessage then reports
// the peer's close frame.
func TestConnCloseHandshake(t *testing.T) {
	for _, role := range []Role{Client, Server} {
		t.Run(role.String(), func(t *testing.T) {
			c, peer := newCTPair(t, role, Config{CloseTimeout: 5 * time.Second})
			done := make(chan error, 1)
			var body []byte
			go func() {
				var err error
				body, err = peer.answerClose(StatusNormalClosure, "ok")
				done <- err
			}()
			start := time.Now()
			if err := c.Close(StatusNormalClosure, "bye"); err != nil {
				t.Fatal(err)
			}
			if d := time.Since(start); d >= 5*time.Second {
				t.Fatalf("Close took %v: it waited for the timeout", d)
			}
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if code, reason, err := ParseClosePayload(body); err != nil || code != StatusNormalClosure || reason != "bye" {
				t.Fatalf("the peer got close %v %q (%v), want 1000 \"bye\"", code, reason, err)
			}
			var ce *CloseError
			if _, _, err := c.ReadMessage(nil); !errors.As(err, &ce) || ce.Code != StatusNormalClosure || ce.Reason != "ok" {
				t.Fatalf("ReadMessage after Close: got %v, want the peer's close 1000 \"ok\"", err)
			}
			if err := c.WriteMessage(OpText, []byte("late")); !errors.Is(err, ErrClosed) {
				t.Fatalf("WriteMessage after Close: got %v, want ErrClosed", err)
			}
		})
	}
}

// Close returns after CloseTimeout when the peer never answers, and closes
// the stream, whether or not a goroutine is blocked in ReadMessage.
func TestConnCloseTimeout(t *testing.T) {
	const timeout = 150 * time.Millisecond
	for _, reading := range []bool{false, true} {
		t.Run(fmt.Sprintf("reader blocked %v", reading), func(t *testing.T) {
			c, peer := newCTPair(t, Server, Config{CloseTimeout: timeout})
			drained := make(chan error, 1)
			go func() { // read everything, answer nothing
				_, err := io.Copy(io.Discard, peer.conn)
				drained <- err
			}()
			readErr := make(chan error, 1)
			if reading {
				go func() {
					_, _, err := c.ReadMessage(nil)
					readErr <- err
				}()
			}
			start := time.Now()
			if err := c.Close(StatusNormalClosure, ""); err != nil {
				t.Fatal(err)
			}
			d := time.Since(start)
			if d < timeout || d > timeout+3*time.Second {
				t.Fatalf("Close returned after %v, want about %v", d, timeout)
			}
			select {
			case err := <-drained:
				if err != nil {
					t.Fatalf("the peer's read ended with %v, want io.EOF", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("Close did not close the stream")
			}
			if reading {
				select {
				case err := <-readErr:
					if !errors.Is(err, ErrClosed) {
						t.Fatalf("the blocked ReadMessage returned %v, want ErrClosed", err)
					}
				case <-time.After(5 * time.Second):
					t.Fatal("the blocked ReadMessage did not return")
				}
			}
		})
	}
}

// A goroutine blocked in ReadMessage receives the peer's answer to a Close
// called from another goroutine, as a *CloseError.
func TestConnCloseWhileReading(t *testing.T) {
	c, peer := newCTPair(t, Server, Config{CloseTimeout: 5 * time.Second})
	got := make(chan error, 1)
	first := make(chan struct{})
	go func() {
		if _, _, err := c.ReadMessage(nil); err != nil {
			got <- err
			return
		}
		close(first)
		_, _, err := c.ReadMessage(nil)
		got <- err
	}()
	peer.conn.Write(ctFrameBytes(Server, true, OpText, []byte("hello")))
	select {
	case <-first:
	case err := <-got:
		t.Fatalf("first ReadMessage: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("the first message was not read")
	}
	answered := make(chan error, 1)
	go func() {
		_, err := peer.answerClose(StatusNormalClosure, "done")
		answered <- err
	}()
	if err := c.Close(StatusNormalClosure, ""); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-got:
		var ce *CloseError
		if !errors.As(err, &ce) || ce.Code != StatusNormalClosure || ce.Reason != "done" {
			t.Fatalf("ReadMessage returned %v, want *CloseError 1000 \"done\"", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ReadMessage did not return")
	}
	if err := <-answered; err != nil {
		t.Fatal(err)
	}
}

// OnFrame sees every frame in both directions exactly as it is on the wire,
// masking key and masked payload included.
func TestConnOnFrame(t *testing.T) {
	for _, role := range []Role{Client, Server} {
		t.Run(role.String(), func(t *testing.T) {
			frames := [][]byte{
				ctFrameBytes(role, true, OpText, []byte("hello")),
				ctFrameBytes(role, false, OpBinary, ctPattern(300, 1)),
				ctFrameBytes(role, true, OpPing, []byte("between")),
				ctFrameBytes(role, true, OpContinuation, ctPattern(6000, 2)),
				ctFrameBytes(role, true, OpPong, nil),
				ctFrameBytes(role, true, OpBinary, ctPattern(70000, 3)),
				ctFrameBytes(role, true, OpClose, AppendClosePayload(nil, StatusNormalClosure, "bye")),
			}
			input := bytes.Join(frames, nil)
			var out bytes.Buffer
			var in, sent [][]byte
			cfg := Config{OnFrame: func(dir Direction, wire []byte) {
				if dir == Received {
					in = append(in, bytes.Clone(wire))
				} else {
					sent = append(sent, bytes.Clone(wire))
				}
			}}
			c := NewConn(ctRW{bytes.NewReader(input), &out}, nil, role, cfg)
			var ce *CloseError
			if err := abEcho(c); !errors.As(err, &ce) {
				t.Fatalf("echo ended with %v, want the close frame", err)
			}
			if len(in) != len(frames) {
				t.Fatalf("OnFrame saw %d received frames, want %d", len(in), len(frames))
			}
			for i := range frames {
				if !bytes.Equal(in[i], frames[i]) {
					t.Fatalf("received frame %d: OnFrame saw %d bytes %x..., the wire had %d bytes %x...",
						i, len(in[i]), in[i][:min(16, len(in[i]))], len(frames[i]), frames[i][:min(16, len(frames[i]))])
				}
			}
			// Sent: the pong, the three echoes, the close answer.
			if len(sent) != 5 {
				t.Fatalf("OnFrame saw %d sent frames, want 5", len(sent))
			}
			if !bytes.Equal(bytes.Join(sent, nil), out.Bytes()) {
				t.Fatal("the sent frames OnFrame saw differ from the bytes written")
			}
			for i, f := range ctDecode(t, out.Bytes(), ctOther(role)) {
				if f.h.Size()+len(f.payload) != len(sent[i]) {
					t.Fatalf("sent frame %d: OnFrame got %d bytes for a %d-byte frame", i, len(sent[i]), f.h.Size()+len(f.payload))
				}
			}
		})
	}
}

// OnPong receives the payload of every pong, and of nothing else.
func TestConnOnPong(t *testing.T) {
	big := bytes.Repeat([]byte{0xFE}, MaxControlPayload)
	input := bytes.Join([][]byte{
		ctFrameBytes(Client, true, OpPong, []byte("a")),
		ctFrameBytes(Client, true, OpPing, []byte("not a pong")),
		ctFrameBytes(Client, true, OpPong, nil),
		ctFrameBytes(Client, false, OpText, []byte("x")),
		ctFrameBytes(Client, true, OpPong, big),
		ctFrameBytes(Client, true, OpContinuation, []byte("y")),
	}, nil)
	var pongs [][]byte
	var out bytes.Buffer
	c := NewConn(ctRW{bytes.NewReader(input), &out}, nil, Client, Config{OnPong: func(p []byte) {
		pongs = append(pongs, bytes.Clone(p))
	}})
	if err := c.Ping([]byte("hi")); err != nil {
		t.Fatal(err)
	}
	op, msg, err := c.ReadMessage(nil)
	if err != nil || op != OpText || string(msg) != "xy" {
		t.Fatalf("ReadMessage: %s %q %v, want text \"xy\"", op, msg, err)
	}
	want := [][]byte{[]byte("a"), {}, big}
	if len(pongs) != len(want) {
		t.Fatalf("OnPong called %d times, want %d", len(pongs), len(want))
	}
	for i := range want {
		if !bytes.Equal(pongs[i], want[i]) {
			t.Fatalf("pong %d: got %q, want %q", i, pongs[i], want[i])
		}
	}
	frames := ctDecode(t, out.Bytes(), Server)
	if len(frames) != 2 || frames[0].h.Opcode != OpPing || string(frames[0].payload) != "hi" ||
		frames[1].h.Opcode != OpPong || string(frames[1].payload) != "not a pong" {
		t.Fatalf("written frames: %+v, want ping \"hi\" then pong \"not a pong\"", frames)
	}
	if err := c.Ping(make([]byte, MaxControlPayload+1)); err == nil {
		t.Fatal("Ping accepted a 126-byte payload")
	}
}

// The stream ending without a close frame is an abnormal closure (1006),
// reported again by every later ReadMessage.
func TestConnEOFWithoutClose(t *testing.T) {
	msg := ctFrameBytes(Server, true, OpText, []byte("hello"))
	big := ctFrameBytes(Server, true, OpBinary, ctPattern(300, 0))
	cases := []struct {
		name   string
		stream []byte
		msgs   int
	}{
		{"empty stream", nil, 0},
		{"after a message", msg, 1},
		{"inside the first header byte pair", msg[:1], 0},
		{"inside the extended length", big[:3], 0},
		{"inside the masking key", msg[:4], 0},
		{"inside the payload", append(bytes.Clone(msg), big[:20]...), 1},
		{"between fragments", ctFrameBytes(Server, false, OpText, []byte("frag")), 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			c := NewConn(ctRW{bytes.NewReader(tc.stream), &out}, nil, Server, Config{})
			for i := range tc.msgs {
				if _, _, err := c.ReadMessage(nil); err != nil {
					t.Fatalf("message %d: %v", i, err)
				}
			}
			for range 2 {
				var ce *CloseError
				if _, _, err := c.ReadMessage(nil); !errors.As(err, &ce) || ce.Code != StatusAbnormalClosure {
					t.Fatalf("got %v, want *CloseError with 1006", err)
				}
			}
			if out.Len() != 0 {
				t.Fatalf("the Conn wrote %q to a stream that ended", out.Bytes())
			}
		})
	}
}

// The errors ReadMessage returns are found with errors.As, also wrapped, and
// carry the code and rules; a failed connection sends its close frame.
func TestConnErrorsAs(t *testing.T) {
	h := AppendFrameHeader(nil, FrameHeader{Fin: true, Rsv: 0x4, Opcode: OpText, Masked: true})
	var out bytes.Buffer
	c := NewConn(ctRW{bytes.NewReader(h), &out}, nil, Server, Config{})
	_, _, err := c.ReadMessage(nil)
	wrapped := fmt.Errorf("reading: %w", err)
	var pe *ProtocolError
	var ce *CloseError
	if !errors.As(wrapped, &pe) || pe.Code != StatusProtocolError || len(pe.Rules) == 0 || pe.Rules[0] != RuleReservedBits {
		t.Fatalf("got %v, want a *ProtocolError 1002 citing RuleReservedBits", err)
	}
	if errors.As(wrapped, &ce) {
		t.Fatal("a *ProtocolError is also found as a *CloseError")
	}
	if !strings.Contains(err.Error(), RuleReservedBits.Cite()) {
		t.Fatalf("Error() = %q, want it to cite the rule", err.Error())
	}
	frames := ctDecode(t, out.Bytes(), Client)
	if len(frames) != 1 || frames[0].h.Opcode != OpClose {
		t.Fatalf("wrote %d frames, want one close frame", len(frames))
	}
	if code, _, err := ParseClosePayload(frames[0].payload); err != nil || code != StatusProtocolError {
		t.Fatalf("close frame: %v %v, want 1002", code, err)
	}

	closeFrame := ctFrameBytes(Server, true, OpClose, AppendClosePayload(nil, StatusGoingAway, "away"))
	c = NewConn(ctRW{bytes.NewReader(closeFrame), io.Discard}, nil, Server, Config{})
	_, _, err = c.ReadMessage(nil)
	wrapped = fmt.Errorf("reading: %w", err)
	pe = nil
	if !errors.As(wrapped, &ce) || ce.Code != StatusGoingAway || ce.Reason != "away" {
		t.Fatalf("got %v, want a *CloseError 1001 \"away\"", err)
	}
	if errors.As(wrapped, &pe) {
		t.Fatal("a *CloseError is also found as a *ProtocolError")
	}
	if s := err.Error(); !strings.Contains(s, "1001") || !strings.Contains(s, "away") {
		t.Fatalf("Error() = %q, want the code and the reason", s)
	}
}

// ReadMessage into a reused buffer and WriteMessage allocate nothing once
// warm.
func TestConnAllocs(t *testing.T) {
	const runs = 200
	t.Run("ReadMessage", func(t *testing.T) {
		var stream []byte
		for i := range runs + 10 {
			op := OpBinary
			p := ctPattern(1024, byte(i))
			if i%2 == 0 {
				op, p = OpText, bytes.Repeat([]byte("κόσμε-1024"), 1024/len("κόσμε-1024")+1)[:1022]
			}
			stream = append(stream, ctFrameBytes(Server, true, op, p)...)
		}
		c := NewConn(ctRW{bytes.NewReader(stream), io.Discard}, nil, Server, Config{})
		buf := make([]byte, 0, 1024)
		var err error
		allocs := testing.AllocsPerRun(runs, func() {
			_, buf, err = c.ReadMessage(buf[:0])
			if err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Fatalf("ReadMessage: %v allocations per message, want 0", allocs)
		}
	})
	for _, role := range []Role{Client, Server} {
		for _, n := range []int{1024, 9000} {
			t.Run(fmt.Sprintf("WriteMessage %s %d bytes", role, n), func(t *testing.T) {
				c := NewConn(ctRW{strings.NewReader(""), io.Discard}, nil, role, Config{})
				p := ctPattern(n, 0)
				// Under -race, sync.Pool drops a quarter of what it is
				// given, so a write sometimes allocates a new buffer; the
				// average, which AllocsPerRun rounds down, stays below 1.
				allocs := testing.AllocsPerRun(runs, func() {
					if err := c.WriteMessage(OpBinary, p); err != nil {
						t.Fatal(err)
					}
				})
				if allocs != 0 {
					t.Fatalf("%v allocations per message, want 0", allocs)
				}
			})
		}
	}
}

// CloseNow ends the stream at once: a blocked ReadMessage returns ErrClosed
// and the peer reads the end of the stream, with no close frame before it.
func TestConnCloseNow(t *testing.T) {
	c, peer := newCTPair(t, Server, Config{})
	readErr := make(chan error, 1)
	go func() {
		_, _, err := c.ReadMessage(nil)
		readErr <- err
	}()
	peerErr := make(chan error, 1)
	go func() {
		_, err := peer.fr.NextFrame()
		peerErr <- err
	}()
	if err := c.CloseNow(); err != nil {
		t.Fatal(err)
	}
	for name, ch := range map[string]chan error{"ReadMessage": readErr, "the peer": peerErr} {
		select {
		case err := <-ch:
			want := io.EOF
			if name == "ReadMessage" {
				want = ErrClosed
			}
			if !errors.Is(err, want) {
				t.Fatalf("%s: got %v, want %v", name, err, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s did not return", name)
		}
	}
	if err := c.WriteMessage(OpText, []byte("x")); err == nil {
		t.Fatal("WriteMessage after CloseNow succeeded")
	}
}

// A client answers the server's close frame with the same code, waits for
// the server to end the stream, and reports the server's close.
func TestConnClientAnswersServerClose(t *testing.T) {
	c, peer := newCTPair(t, Client, Config{CloseTimeout: 5 * time.Second})
	answer := make(chan []byte, 1)
	go func() {
		peer.conn.Write(ctFrameBytes(Client, true, OpClose, AppendClosePayload(nil, StatusGoingAway, "going")))
		body, err := peer.readClose()
		if err != nil {
			t.Error(err)
		}
		answer <- body
		peer.conn.Close() // the server ends the TCP connection (§7.1.1)
	}()
	var ce *CloseError
	if _, _, err := c.ReadMessage(nil); !errors.As(err, &ce) || ce.Code != StatusGoingAway || ce.Reason != "going" {
		t.Fatalf("ReadMessage: got %v, want *CloseError 1001 \"going\"", err)
	}
	if code, _, err := ParseClosePayload(<-answer); err != nil || code != StatusGoingAway {
		t.Fatalf("the client answered with %v (%v), want 1001", code, err)
	}
}

// Close checks its arguments before sending anything.
func TestConnCloseArguments(t *testing.T) {
	cases := []struct {
		code   StatusCode
		reason string
		ok     bool
		body   []byte
	}{
		{StatusNormalClosure, "bye", true, AppendClosePayload(nil, 1000, "bye")},
		{StatusNoStatusReceived, "", true, nil},
		{4999, strings.Repeat("r", 123), true, AppendClosePayload(nil, 4999, strings.Repeat("r", 123))},
		{StatusAbnormalClosure, "", false, nil},
		{999, "", false, nil},
		{5000, "", false, nil},
		{StatusNormalClosure, strings.Repeat("r", 124), false, nil},
		{StatusNormalClosure, "bad \xff", false, nil},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%d %.10q", tc.code, tc.reason), func(t *testing.T) {
			var out bytes.Buffer
			c := NewConn(ctRW{strings.NewReader(""), &out}, nil, Server, Config{})
			err := c.Close(tc.code, tc.reason)
			if !tc.ok {
				var pe *ProtocolError
				if !errors.As(err, &pe) {
					t.Fatalf("got %v, want a *ProtocolError", err)
				}
				if out.Len() != 0 {
					t.Fatalf("an invalid Close sent %q", out.Bytes())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			frames := ctDecode(t, out.Bytes(), Client)
			if len(frames) != 1 || frames[0].h.Opcode != OpClose || !bytes.Equal(frames[0].payload, tc.body) {
				t.Fatalf("sent %+v, want one close frame with body %q", frames, tc.body)
			}
		})
	}
}

// A client fails the connection when the server masks a frame (§5.1), and
// its own close frame is masked like every frame it sends.
func TestConnClientRejectsMaskedFrame(t *testing.T) {
	var out bytes.Buffer
	masked := ctFrameBytes(Server, true, OpText, []byte("masked by a server"))
	c := NewConn(ctRW{bytes.NewReader(masked), &out}, nil, Client, Config{})
	var pe *ProtocolError
	if _, _, err := c.ReadMessage(nil); !errors.As(err, &pe) || pe.Code != StatusProtocolError || pe.Rules[0] != RuleServerNoMask {
		t.Fatalf("got %v, want a *ProtocolError 1002 citing RuleServerNoMask", err)
	}
	frames := ctDecode(t, out.Bytes(), Server)
	if len(frames) != 1 || frames[0].h.Opcode != OpClose || !frames[0].h.Masked {
		t.Fatalf("wrote %+v, want one masked close frame", frames)
	}
}

// TestConnOnFrameReportsBadFrames: a frame that breaks a rule is reported
// to OnFrame, as far as it was read, before the close frame that fails the
// connection, so /ws/inspect can show the learner the frame at fault.
func TestConnOnFrameReportsBadFrames(t *testing.T) {
	masked := func(h FrameHeader, payload []byte) []byte {
		h.Masked, h.Key, h.Length = true, [4]byte{1, 2, 3, 4}, uint64(len(payload))
		return AppendFrame(nil, h, payload)
	}
	tests := []struct {
		name     string
		wire     []byte
		reported []byte // the received bytes OnFrame must see
		code     StatusCode
	}{
		{"reserved opcode", masked(FrameHeader{Fin: true, Opcode: 3}, nil), masked(FrameHeader{Fin: true, Opcode: 3}, nil), StatusProtocolError},
		{"invalid UTF-8", masked(FrameHeader{Fin: true, Opcode: OpText}, []byte("ok\xff")), masked(FrameHeader{Fin: true, Opcode: OpText}, []byte("ok\xff")), StatusInvalidPayload},
		{"too big", masked(FrameHeader{Fin: true, Opcode: OpBinary}, make([]byte, 200)), AppendFrameHeader(nil, FrameHeader{Fin: true, Opcode: OpBinary, Masked: true, Key: [4]byte{1, 2, 3, 4}, Length: 200}), StatusMessageTooBig},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var events []string
			var got []byte
			cfg := Config{MaxMessageSize: 100, OnFrame: func(dir Direction, wire []byte) {
				events = append(events, dir.String())
				if dir == Received {
					got = append([]byte(nil), wire...)
				}
			}}
			rw := &discardWrites{Reader: bytes.NewReader(tc.wire)}
			c := NewConn(rw, nil, Server, cfg)
			_, _, err := c.ReadMessage(nil)
			var pe *ProtocolError
			if !errors.As(err, &pe) || pe.Code != tc.code {
				t.Fatalf("err = %v, want a protocol error with %v", err, tc.code)
			}
			if !bytes.Equal(got, tc.reported) {
				t.Errorf("OnFrame saw % x, want % x", got, tc.reported)
			}
			if len(events) != 2 || events[0] != "received" || events[1] != "sent" {
				t.Errorf("events %v, want the bad frame received, then the close sent", events)
			}
		})
	}
}
