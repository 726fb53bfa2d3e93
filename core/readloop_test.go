//go:build !js

package core

import (
	"errors"
	"testing"
	"time"
)

// TestReadLoopEndings: the ways a ReadLoop connection ends from the server
// side, over TCP, where the handler runs inside the socket's raw read.
// Closing the socket from there must not wait for that read (it would wait
// for itself): each case must end promptly, with the right close code on
// the client's side.
func TestReadLoopEndings(t *testing.T) {
	errStop := errors.New("stop")
	cases := []struct {
		name    string
		handle  func(c *Conn) error      // the handler's reaction to "end"
		outside func(c *Conn)            // or what another goroutine does, when not nil
		want    func(loopErr error) bool // what ReadLoop returns
		code    StatusCode               // what the client reads: a close code, or 0 for no close frame
	}{
		{"handler closes", func(c *Conn) error { return c.Close(StatusNormalClosure, "bye") }, nil,
			func(err error) bool { return errors.Is(err, ErrClosed) }, StatusNormalClosure},
		{"handler closes and stops", func(c *Conn) error { c.Close(StatusPolicyViolation, "no"); return errStop }, nil,
			func(err error) bool { return err == errStop }, StatusPolicyViolation},
		{"handler cuts", func(c *Conn) error { c.CloseNow(); return errStop }, nil,
			func(err error) bool { return err == errStop }, 0},
		{"another goroutine closes", nil, func(c *Conn) { c.Close(StatusGoingAway, "shutting down") },
			func(err error) bool { var ce *CloseError; return errors.As(err, &ce) && ce.Code == StatusGoingAway }, StatusGoingAway},
		{"another goroutine cuts", nil, func(c *Conn) { c.CloseNow() },
			func(err error) bool { return err != nil }, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cl, sv := abTCP(t)
			defer cl.Close()
			server := NewConn(sv, nil, Server, Config{CloseTimeout: 30 * time.Second})
			done := make(chan error, 1)
			go func() {
				done <- server.ReadLoop(func(op Opcode, msg []byte) error {
					if string(msg) == "end" && tc.handle != nil {
						return tc.handle(server)
					}
					return server.WriteMessage(op, msg)
				})
			}()
			client := NewConn(cl, nil, Client, Config{CloseTimeout: 30 * time.Second})
			cl.SetDeadline(time.Now().Add(10 * time.Second))
			client.WriteMessage(OpText, []byte("hello"))
			if _, msg, err := client.ReadMessage(nil); err != nil || string(msg) != "hello" {
				t.Fatalf("echo: %q, %v", msg, err)
			}
			if tc.outside != nil {
				go tc.outside(server)
			} else {
				client.WriteMessage(OpText, []byte("end"))
			}
			_, _, err := client.ReadMessage(nil)
			var ce *CloseError
			switch {
			case tc.code != 0 && (!errors.As(err, &ce) || ce.Code != tc.code):
				t.Errorf("the client read %v, want a close frame with %d", err, tc.code)
			case tc.code == 0 && errors.As(err, &ce) && ce.Code != StatusAbnormalClosure:
				t.Errorf("the client read %v, want the end of the stream without a close frame", err)
			}
			select {
			case err := <-done:
				if !tc.want(err) {
					t.Errorf("ReadLoop returned %v", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("ReadLoop did not return: closing from inside the raw read waits for itself?")
			}
		})
	}
}
