//go:build !js

package core

import (
	"errors"
	"net"
	"testing"
	"time"
)

// TestIdleTimeout: with Config.IdleTimeout, a silent peer is cut off no
// sooner than the timeout, with the stream's timeout error, whichever way
// the Conn is read; a peer that keeps sending, even just pings, is not.
func TestIdleTimeout(t *testing.T) {
	// Wide enough that a loaded machine running -race cannot starve the
	// pinger for a whole idle period (150 ms with a ping every 50 ms was
	// cut off in CI under load); 8 pings still span longer than idle.
	const idle = 500 * time.Millisecond
	loops := map[string]func(*Conn) error{"ReadMessage": abEchoMessages, "ReadLoop": abEchoLoop}
	for name, loop := range loops {
		t.Run(name+"/silent", func(t *testing.T) {
			client, server := abTCP(t)
			defer client.Close()
			c := NewConn(server, nil, Server, Config{IdleTimeout: idle})
			start := time.Now()
			err := loop(c)
			waited := time.Since(start)
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				t.Fatalf("err = %v, want a timeout", err)
			}
			if waited < idle {
				t.Errorf("cut off after %v, before the idle timeout (%v)", waited, idle)
			}
		})
		t.Run(name+"/pinging", func(t *testing.T) {
			client, server := abTCP(t)
			defer client.Close()
			c := NewConn(server, nil, Server, Config{IdleTimeout: idle})
			done := make(chan error, 1)
			go func() { done <- loop(c) }()
			peer := NewConn(client, nil, Client, Config{})
			go peer.ReadLoop(func(Opcode, []byte) error { return nil }) // take the pongs
			for range 8 {
				if err := peer.Ping([]byte("alive")); err != nil {
					t.Fatal(err)
				}
				select {
				case err := <-done:
					t.Fatalf("a peer pinging every %v was cut off: %v", idle/5, err)
				case <-time.After(idle / 5):
				}
			}
		})
	}
}
