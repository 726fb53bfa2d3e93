//go:build !js

// Command writepump is lesson 17's room: each client first receives
// "welcome", and then every text message any client sends, its own
// included. It shows the shape
// that keeps a WebSocket server correct when many goroutines have something
// to send to one connection:
//
//   - one reader per connection (the handler's loop), because frames must be
//     read in order from one place;
//   - one writer per connection (writePump), the only goroutine that writes
//     messages, fed by a bounded queue;
//   - a broadcast that never waits: it drops a message into each queue, and
//     a client whose queue is full — it has stopped reading — is cut off
//     instead of freezing everybody else (lesson 12, "The slow client
//     problem").
//
// wsplay's core already serialises writes, as coder/websocket does, so the
// queue is not there to prevent torn frames: it is there so that the room
// never waits on its slowest member, and so that memory stays bounded
// (clients × queueSize × the largest message).
//
// Run it from the repository root:
//
//	go run ./lessons/examples/writepump 127.0.0.1:9003
package main

import (
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync"

	"wsplay/core"
)

// queueSize is how many messages may wait for one client. A client that
// falls this far behind has stopped reading: it is cut off.
const queueSize = 64

// maxMessage bounds one message; a larger one fails the sender with 1009.
const maxMessage = 1 << 20

func main() {
	addr := "127.0.0.1:9003"
	if len(os.Args) > 1 {
		addr = os.Args[1]
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("listening on", ln.Addr())
	rm := &room{clients: map[*client]bool{}}
	log.Fatal(http.Serve(ln, rm))
}

// A client is one connection and the queue its writer drains.
type client struct {
	conn  *core.Conn
	queue chan []byte // closed by the room when the client leaves
}

// A room is the set of connected clients. Its lock is held while a message
// is put into every queue, which never blocks, so the lock is never held
// while waiting for the network.
type room struct {
	mu      sync.Mutex
	clients map[*client]bool
}

// ServeHTTP upgrades the request, starts the client's writer and then
// reads: this goroutine is the connection's one reader.
func (rm *room) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	conn, _, err := core.Upgrade(w, r, core.UpgradeOptions{
		Config:      core.Config{MaxMessageSize: maxMessage},
		CheckOrigin: loopbackOrigin,
	})
	if err != nil {
		return // Upgrade has answered with the status and the rule broken
	}
	cl := &client{conn: conn, queue: make(chan []byte, queueSize)}
	rm.mu.Lock()
	// The first message says the client is in the room: everything
	// broadcast after it reaches this client too.
	cl.queue <- []byte("welcome")
	rm.clients[cl] = true
	rm.mu.Unlock()
	go cl.writePump()

	for {
		op, msg, err := conn.ReadMessage(nil)
		if err != nil {
			break // closed, broken or gone: the core has done the closing
		}
		if op == core.OpText {
			rm.broadcast(msg) // a fresh slice each time: safe to share
		}
	}
	rm.leave(cl)
}

// writePump is the only goroutine that writes messages to cl's connection.
// It ends when the queue is closed and drained, or at the first failed
// write.
func (cl *client) writePump() {
	for msg := range cl.queue {
		if err := cl.conn.WriteMessage(core.OpText, msg); err != nil {
			cl.conn.CloseNow()
			return
		}
	}
	cl.conn.Close(core.StatusNormalClosure, "")
}

// broadcast queues msg for every client without ever waiting.
func (rm *room) broadcast(msg []byte) {
	rm.mu.Lock()
	defer rm.mu.Unlock()
	for cl := range rm.clients {
		select {
		case cl.queue <- msg:
		default:
			// queueSize messages are already waiting: this client does
			// not read. Waiting for room would stop the broadcast for
			// everybody, so cut it off. A client that reads nothing will
			// not read a close frame either, so close the TCP connection
			// at once; its writer, perhaps blocked in a write, fails and
			// ends.
			log.Printf("cutting off a client that does not read (%d messages waiting)", queueSize)
			delete(rm.clients, cl)
			close(cl.queue)
			cl.conn.CloseNow()
		}
	}
}

// leave removes cl, if the broadcast has not already cut it off.
func (rm *room) leave(cl *client) {
	rm.mu.Lock()
	defer rm.mu.Unlock()
	if rm.clients[cl] {
		delete(rm.clients, cl)
		close(cl.queue) // the writer sends what is queued, then ends
	}
}

// loopbackOrigin allows programs (no Origin) and pages served from this
// machine; Upgrade answers any other origin with 403 (RFC 6455 §10.2).
func loopbackOrigin(r *core.Request) error {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return nil
	}
	if u, err := url.Parse(origin); err == nil {
		if ip := net.ParseIP(u.Hostname()); u.Hostname() == "localhost" || (ip != nil && ip.IsLoopback()) {
			return nil
		}
	}
	return errors.New("origin " + origin + " is not allowed")
}
