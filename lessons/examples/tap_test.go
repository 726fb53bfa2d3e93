//go:build !js

package examples_test

import (
	"bytes"
	"context"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"wsplay/check"
	"wsplay/reach"
	"wsplay/tap"
)

// TestClassicRecipeThroughTheTap pins what lesson 1's experiment quotes
// from `wsplay tap`: with the tap in front of the classic recipe, the
// check's ping case shows the client's ping and the recipe's answer, a text
// frame with the ping's payload.
func TestClassicRecipeThroughTheTap(t *testing.T) {
	t.Parallel()
	addr := startPython(t, "naive_server.py")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	target, err := reach.Resolve(ctx, "ws://"+addr+"/", reach.CommandLine(false), nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var events []tap.Event
	tp := &tap.Tap{Target: target, Emit: func(e tap.Event) {
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
	}}
	done := make(chan error, 1)
	go func() { done <- tp.Serve(ctx, ln) }()
	defer func() {
		cancel()
		<-done
	}()

	// As the lesson says: wsplay check -stage control -run control.ping ws://127.0.0.1:9000/
	if _, err := check.Run(ctx, "ws://"+ln.Addr().String()+"/", check.Options{Stage: "control", Run: []string{"control.ping"}, Timeout: 2 * time.Second}, nil); err != nil {
		t.Fatal(err)
	}
	// The lines of the first session's first frames, as the tap prints
	// them, with the session number and the random masking key left out.
	want := map[string]string{
		"client": "#N → client frame 1 @0, 23 bytes in 1 piece: ping, FIN 1, masked with key KEY, payload 17 bytes",
		"server": `#N ← server frame 1 @0, 19 bytes in 1 piece: text, FIN 1, not masked, payload 17 bytes "wsplay check ping"`,
	}
	session := regexp.MustCompile(`^#[0-9]+ `)
	key := regexp.MustCompile(`key [0-9a-f]{8}`)
	deadline := time.Now().Add(10 * time.Second)
	for len(want) > 0 && time.Now().Before(deadline) {
		mu.Lock()
		evs := append([]tap.Event(nil), events...)
		mu.Unlock()
		for _, e := range evs {
			if e.Type != "frame" || e.Session != 1 || e.Frame.Seq != 1 {
				continue
			}
			var b bytes.Buffer
			(&tap.Printer{W: &b}).Emit(e)
			line, _, _ := strings.Cut(b.String(), "\n")
			line = key.ReplaceAllString(session.ReplaceAllString(line, "#N "), "key KEY")
			if w, ok := want[e.From]; ok {
				if line != w {
					t.Errorf("the tap printed\n\t%s\nlesson 1 quotes\n\t%s", line, w)
				}
				delete(want, e.From)
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(want) > 0 {
		t.Errorf("no frame event for %v in session 1", want)
	}
}
