//go:build !js

package main

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"wsplay/core"
)

// /ws/chat is a chat room, the classic WebSocket demo done with the care a
// classroom needs:
//
//   - The nickname comes from the query: /ws/chat?nick=Ada. Without one the
//     server picks guest-N. A nickname is checked by checkNick (the rules are
//     there and in docs/server.md); one that breaks them is refused with
//     close 1008 and the rule it broke. A name already in the room, compared
//     without regard to case, gets the suffix #2, #3, …: "#" is the one
//     character a nickname may not contain, so nobody can name themselves
//     "Ada#2" to pass as the second Ada.
//   - Every client message is a text message holding the chat text, nothing
//     else. The room sends JSON events (see chatEvent): a welcome, the last
//     historySize messages, then join, leave and message events. The text is
//     forwarded untouched; the page must insert it as text, never as HTML.
//   - Each client has a bounded queue and one writer goroutine. Delivering
//     to a client never waits: when its queue is full, the client is cut
//     off with close 1008 (policy violation), because the fault lies with
//     that client, which does not read. 1013 (try again later) would say
//     the server is overloaded and invite an immediate reconnection that
//     would fail the same way.
//   - Limits: a message larger than -chat-max-size fails the connection
//     with 1009 (core's check, before the payload is read); more messages
//     than -chat-rate per second on average (bursts up to -chat-burst) close
//     it with 1008 — counted per connection and per client address, so that
//     reconnecting or opening more tabs does not reset the count; more than
//     -chat-joins joins a minute from one address are refused with 1008; a
//     binary message closes it with 1003. The teacher's own machine (a
//     client on the server's own address) is counted per connection only.

// historySize is how many messages a newcomer receives on joining.
const historySize = 100

// maxNick is the longest nickname, in characters.
const maxNick = 24

// chatEvent is every JSON message the room sends; docs/server.md lists them.
type chatEvent struct {
	Type    string   `json:"type"` // "welcome", "message", "join" or "leave"
	Seq     uint64   `json:"seq,omitempty"`
	Time    string   `json:"time"`
	Nick    string   `json:"nick"`
	Text    string   `json:"text"`
	History bool     `json:"history,omitempty"` // a replayed message
	Online  int      `json:"online"`
	Members []string `json:"members,omitempty"` // welcome only
	Reason  string   `json:"reason,omitempty"`  // leave only
}

// room is the one chat room.
type room struct {
	s *Server

	mu      sync.Mutex
	clients map[*chatClient]struct{} // under mu
	history []chatEvent              // under mu: the last historySize messages
	seq     uint64                   // under mu
	guests  uint64                   // under mu

	said   *rateTable // messages per client address (-chat-rate, -chat-burst)
	joined *rateTable // joins per client address (-chat-joins)
}

// chatClient is one member of the room.
type chatClient struct {
	c     *wsConn
	nick  string
	queue chan *core.PreparedMessage // compressed once for every member that negotiated compression
	gone  chan struct{}              // closed when the connection ends
}

func newRoom(s *Server) *room {
	return &room{s: s, clients: map[*chatClient]struct{}{},
		said:   newRateTable(s.cfg.ChatRate, float64(s.cfg.ChatBurst)),
		joined: newRateTable(s.cfg.ChatJoins/60, s.cfg.ChatJoins),
	}
}

// chat prepares a /ws/chat connection.
func (s *Server) chatEndpoint(r *http.Request) (core.Config, wsHandler) {
	nick := r.URL.Query().Get("nick")
	return core.Config{MaxMessageSize: s.cfg.ChatMaxSize}, func(c *wsConn) error {
		return s.chat.serve(c, nick)
	}
}

// serve runs one member from joining to leaving.
func (rm *room) serve(c *wsConn, nick string) error {
	if nick != "" {
		n, why := checkNick(nick)
		if why != "" {
			c.close(core.StatusPolicyViolation, "chat: nickname: "+why)
			return nil
		}
		nick = n
	}
	if c.peer.IsValid() && !rm.joined.take(c.peer, time.Now()) {
		c.close(core.StatusPolicyViolation, "chat: more than "+strconv.FormatFloat(rm.s.cfg.ChatJoins, 'g', -1, 64)+
			" joins a minute from your address (-chat-joins); wait a minute")
		return nil
	}
	cl := &chatClient{c: c, queue: make(chan *core.PreparedMessage, rm.s.cfg.ChatQueue+historySize+2), gone: make(chan struct{})}
	rm.join(cl, nick)
	writerDone := make(chan struct{})
	go func() { defer close(writerDone); cl.writer() }()
	defer func() {
		close(cl.gone)
		<-writerDone
		rm.leave(cl, "")
	}()

	bucket := tokenBucket{rate: rm.s.cfg.ChatRate, burst: float64(rm.s.cfg.ChatBurst)}
	var buf []byte
	for {
		op, msg, err := c.conn.ReadMessage(buf[:0])
		if err != nil {
			return err
		}
		buf = msg
		if op != core.OpText {
			c.close(core.StatusUnsupportedData, "chat: messages are text")
			return nil
		}
		now := time.Now()
		// Both counts are spent: the connection's and the address's
		// (reconnecting or a second tab must not reset the limit).
		mine := bucket.take(now)
		if (c.peer.IsValid() && !rm.said.take(c.peer, now)) || !mine {
			c.close(core.StatusPolicyViolation, "chat: more than "+strconv.FormatFloat(rm.s.cfg.ChatRate, 'g', -1, 64)+
				" messages per second (bursts of "+strconv.Itoa(rm.s.cfg.ChatBurst)+"), per tab and per address")
			return nil
		}
		rm.say(cl, string(msg))
	}
}

// writer sends the client's queue, one message at a time, until the
// connection ends. It is the only goroutine that writes chat messages to
// this client, so a slow client slows nobody else.
func (cl *chatClient) writer() {
	for {
		select {
		case pm := <-cl.queue:
			if err := cl.c.conn.WritePreparedMessage(pm); err != nil {
				return
			}
		case <-cl.gone:
			return
		}
	}
}

// join adds cl to the room: a welcome with the members, the history, then
// a join event to everyone. Under the lock, so no message falls between the
// history and the live messages.
func (rm *room) join(cl *chatClient, nick string) {
	rm.mu.Lock()
	defer rm.mu.Unlock()
	if nick == "" {
		rm.guests++
		nick = "guest-" + strconv.FormatUint(rm.guests, 10)
	}
	cl.nick = uniqueNick(nick, func(n string) bool {
		for o := range rm.clients {
			if nickKey(o.nick) == nickKey(n) {
				return true
			}
		}
		return false
	})
	members := []string{cl.nick}
	for o := range rm.clients {
		members = append(members, o.nick)
	}
	now := stamp()
	cl.queue <- core.NewPreparedMessage(core.OpText, marshal(chatEvent{Type: "welcome", Time: now, Nick: cl.nick, Online: len(members), Members: members}))
	for _, ev := range rm.history {
		ev.History = true
		cl.queue <- core.NewPreparedMessage(core.OpText, marshal(ev))
	}
	rm.clients[cl] = struct{}{}
	rm.broadcastLocked(chatEvent{Type: "join", Time: now, Nick: cl.nick, Online: len(rm.clients)})
}

// leave removes cl, if still there, and tells the others.
func (rm *room) leave(cl *chatClient, reason string) {
	rm.mu.Lock()
	defer rm.mu.Unlock()
	if _, ok := rm.clients[cl]; !ok {
		return
	}
	delete(rm.clients, cl)
	rm.broadcastLocked(chatEvent{Type: "leave", Time: stamp(), Nick: cl.nick, Online: len(rm.clients), Reason: reason})
}

// say broadcasts a message and keeps it in the history.
func (rm *room) say(cl *chatClient, text string) {
	rm.mu.Lock()
	defer rm.mu.Unlock()
	rm.seq++
	ev := chatEvent{Type: "message", Seq: rm.seq, Time: stamp(), Nick: cl.nick, Text: text, Online: len(rm.clients)}
	if len(rm.history) == historySize {
		copy(rm.history, rm.history[1:])
		rm.history = rm.history[:historySize-1]
	}
	rm.history = append(rm.history, ev)
	rm.broadcastLocked(ev)
}

// broadcastLocked queues ev for every member without ever waiting. A
// member whose queue is full is cut off, and the others are told.
func (rm *room) broadcastLocked(ev chatEvent) {
	pending := []chatEvent{ev}
	for len(pending) > 0 {
		ev := pending[0]
		pending = pending[1:]
		data := core.NewPreparedMessage(core.OpText, marshal(ev))
		for cl := range rm.clients {
			select {
			case cl.queue <- data:
			default:
				delete(rm.clients, cl)
				reason := "too slow: " + strconv.Itoa(cap(cl.queue)) + " messages were waiting"
				rm.s.log.Info("chat: cutting off a slow client", "id", cl.c.id, "nick", cl.nick)
				cl.c.cutOff(core.StatusPolicyViolation, "chat: "+reason)
				pending = append(pending, chatEvent{Type: "leave", Time: stamp(), Nick: cl.nick, Online: len(rm.clients), Reason: reason})
			}
		}
	}
}

// stamp is the time of an event, in UTC with nanoseconds.
func stamp() string { return time.Now().UTC().Format(time.RFC3339Nano) }

// tokenBucket limits a rate: rate tokens a second, at most burst saved.
type tokenBucket struct {
	rate, burst float64
	tokens      float64
	last        time.Time
}

// take spends a token, if there is one.
func (b *tokenBucket) take(now time.Time) bool {
	if b.rate <= 0 {
		return true // no limit
	}
	if b.last.IsZero() {
		b.tokens = b.burst
	} else {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
