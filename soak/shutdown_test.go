//go:build !js

package soak

import (
	"fmt"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"wsplay/core"
)

// shutdownTimeout is the -shutdown-timeout of the shutdown scenario.
const shutdownTimeout = 3 * time.Second

// SIGTERM under load, then a restart on the same port. Hundreds of echo
// clients are connected: most are echoing, some are between the fragments
// of a message (they can still answer a close frame), some are in the
// middle of a frame (they cannot, and hold the shutdown until its
// timeout). Every one must receive a close frame with 1001; the process
// must exit with status 0 within -shutdown-timeout and a small margin; a
// new process must be able to listen on the same port at once, and the
// clients that reconnect to it must work.
// (server/shutdown_test.go checks one client and the log line; this is the
// same promise under load, with clients that do not cooperate.)
func TestShutdownUnderLoad(t *testing.T) {
	parallel(t)
	n := size.ShutdownClients
	flags := []string{"-max-conns", strconv.Itoa(2 * n), "-shutdown-timeout", shutdownTimeout.String()}
	srv := startServer(t, serverOpts{flags: flags})

	type result struct {
		kind string
		code core.StatusCode
		err  error
		at   time.Time
	}
	results := make(chan result, n)
	var ready sync.WaitGroup
	kinds := map[string]int{}
	for i := range n {
		kind := "echoing"
		switch i % 5 {
		case 3:
			kind = "between fragments"
		case 4:
			kind = "inside a frame"
		}
		kinds[kind]++
		ready.Add(1)
		switch kind {
		case "echoing", "between fragments":
			c := mustDial(t, srv.addr, "/ws/echo")
			go func() {
				if kind == "between fragments" {
					if err := c.WriteFrame(false, core.OpText, []byte("the first half")); err != nil {
						results <- result{kind: kind, err: err}
						ready.Done()
						return
					}
					ready.Done()
					_, _, err := c.ReadMessage(nil)
					results <- result{kind, closeCode(err), err, time.Now()}
					return
				}
				for j := 0; ; j++ {
					if j == 1 {
						ready.Done()
					}
					msg := []byte(fmt.Sprintf("echo %d %d", i, j))
					if err := c.WriteMessage(core.OpText, msg); err != nil {
						// The close frame may arrive before this write:
						// the read below reports it.
						_ = err
					}
					_, got, err := c.ReadMessage(nil)
					if err != nil {
						if j == 0 {
							ready.Done()
						}
						results <- result{kind, closeCode(err), err, time.Now()}
						return
					}
					if string(got) != string(msg) {
						results <- result{kind: kind, err: fmt.Errorf("echo %q came back as %q", msg, got)}
						return
					}
					time.Sleep(5 * time.Millisecond)
				}
			}()
		case "inside a frame":
			nc, br, err := dialRaw(srv.addr, "/ws/echo", dialOpts{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { nc.Close() })
			if _, err := nc.Write(frameLen(nil, true, core.OpBinary, 1000, []byte("0123456789"))); err != nil {
				t.Fatal(err)
			}
			ready.Done()
			go func() {
				nc.SetReadDeadline(time.Now().Add(deadline))
				code, _, _, err := newFrameReader(br).untilClose()
				results <- result{kind, code, err, time.Now()}
			}()
		}
	}
	ready.Wait()
	time.Sleep(200 * time.Millisecond)

	sent := time.Now()
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	status, took, ok := srv.waitExit(shutdownTimeout + 5*time.Second)
	if !ok {
		t.Fatalf("the server had not exited %v after SIGTERM (-shutdown-timeout %v)", took, shutdownTimeout)
	}
	if status != 0 {
		t.Errorf("the server exited with status %d after SIGTERM; want 0", status)
	}
	if took > shutdownTimeout+2*time.Second {
		t.Errorf("the server exited %v after SIGTERM; -shutdown-timeout is %v", took, shutdownTimeout)
	}

	byKind := map[string]int{}
	var last time.Duration
	for range n {
		r := <-results
		if r.code != core.StatusGoingAway {
			t.Errorf("a client %s: got %d, %v; want a close frame with 1001", r.kind, r.code, r.err)
			continue
		}
		byKind[r.kind]++
		last = max(last, r.at.Sub(sent))
	}
	t.Logf("figure: shutdown: SIGTERM with %d clients (%v): every one got 1001 %v; the process exited with status %d after %v (-shutdown-timeout %v)",
		n, kinds, byKind, status, took.Round(time.Millisecond), shutdownTimeout)
	t.Logf("figure: shutdown: the last close frame reached its client %v after SIGTERM", last.Round(time.Millisecond))
	// The log tells how every connection ended, those cut at the
	// deadline too: a close line each, with the 1001 the server sent.
	closes := srv.records("websocket close")
	going := 0
	for _, r := range closes {
		if r.Code == 1001 && r.By == "server" {
			going++
		}
	}
	if len(closes) != n || going != n {
		t.Errorf("the server logged %d websocket close lines, %d of them 1001 by the server, for %d connections: the log must say how each one ended", len(closes), going, n)
	}

	// A new process on the same port, at once, and everyone back.
	restart := time.Now()
	srv2 := startServer(t, serverOpts{addr: srv.addr, flags: flags})
	t.Logf("figure: shutdown: a new server listened on the same address %s %v after the old one exited", srv2.addr, time.Since(restart).Round(time.Millisecond))
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range 16 {
		wg.Go(func() {
			for j := i; j < n; j += 16 {
				c, err := dial(srv2.addr, "/ws/echo")
				if err != nil {
					errs <- fmt.Errorf("reconnecting client %d: %w", j, err)
					return
				}
				if err := c.echo(core.OpText, []byte("back "+strconv.Itoa(j))); err != nil {
					errs <- fmt.Errorf("reconnected client %d: %w", j, err)
				}
				c.Close(core.StatusNormalClosure, "")
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	t.Logf("figure: shutdown: %d clients reconnected to the new server and echoed %v after it started", n, time.Since(restart).Round(time.Millisecond))
}
