//go:build !js

package main

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"wsplay/check"
	"wsplay/core"
	"wsplay/reach"
)

// The class board: /class, for the projector, shows every student who
// opted in by nickname and which check stages their server passes, live.
//
// Two codes, both printed by the server at start-up and new at every start
// (nothing of the board survives a restart):
//
//   - the class code (short, readable: "K7M-4QX") is what students type
//     once, beside their nickname, in the page's "Check my server" panel or
//     as `wsplay check -report http://TEACHER:8080 -nick Ada -code K7M-4QX`.
//     No code, no board entry. -class-code sets it (e.g. the one on the
//     slides);
//   - the teacher code opens the board itself. The start-up line gives the
//     board's link with the code in the #fragment
//     (/class#teacher=…), which the page moves out of the address bar
//     before anything is projected. A student who knows the class code
//     cannot open the board, nor remove others from it; the teacher can
//     remove a row (an unwelcome nickname) or clear the board.
//
// Reports: the page's check panel sends {"nick", "code"} with its URL, and
// /ws/check records the run's stage results when it ends (recordPage). The
// command line posts its results to /class/report (handleReport); the
// server cannot know whether such a run was real, so its cells are marked
// self-reported on the board. A nickname belongs to the machine that first
// put it on the board (compared by a salted hash of its address, never the
// address itself): another machine reporting under it is refused, so one
// student cannot overwrite another's row.
//
// Bounded: at most -class-size students; nicknames follow checkNick (24
// characters); only the nicknames and, per stage, the counts of passed,
// warned and failed cases are kept — no URL, no address, no case details.
// Wrong codes are rate-limited per address (classReportRate).

// classroom is the part of Config this file and peers.go add: the flags of
// a class.
type classroom struct {
	MaxConnsPerAddr int     // most WebSockets open from one client address; 0: no cap
	HandshakeRate   float64 // WebSocket handshakes a second from one client address; 0: no limit
	ChatJoins       float64 // chat joins a minute from one client address
	ClassCode       string  // the class code; "" picks a random one
	ClassSize       int     // most students on the board
}

func defaultClassroom() classroom {
	return classroom{
		MaxConnsPerAddr: defaultPerAddr,
		HandshakeRate:   defaultHandshakeRate,
		ChatJoins:       20,
		ClassSize:       300,
	}
}

// classReportRate and classReportBurst bound the wrong codes (class or
// teacher) one address may send: a student who mistypes the code twice is
// not held back, and guessing a 6-character code (31⁶ ≈ 887 million) at
// one try every two seconds takes decades. Reports with the right code are
// not limited: each is a few hundred bytes, and the board's updates are
// throttled (boardThrottle).
const (
	classReportRate  = 0.5
	classReportBurst = 10
)

// codeAlphabet has no 0/O, 1/I/L: easy to read off a projector and to type.
const codeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// randomCode returns n characters of codeAlphabet.
func randomCode(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	for i := range b {
		// 256 % 31 != 0: the first 8 letters are a little likelier
		// (9 in 256 against 8), which costs a fraction of a bit.
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	return string(b)
}

// normCode is how a typed code is compared: upper case, without spaces
// and dashes ("k7m 4qx" is K7M-4QX).
func normCode(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '-' || r == ' ':
			return -1
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		}
		return r
	}, s)
}

// stageMark is one cell of the board: the cases of a stage in the last run
// that reached it.
type stageMark struct {
	// Status is "pass", "warn" or "fail", the worst verdict, or "not-yet"
	// when the stage's first case showed the feature missing (the check
	// then skips the rest of the stage: check.StageNotYet).
	Status string `json:"status"`
	Pass   int    `json:"pass"`
	Warn   int    `json:"warn"`
	Fail   int    `json:"fail"`
	// Self is set when the cell comes from `wsplay check -report`: a run
	// the server did not see.
	Self bool `json:"self_reported,omitempty"`
}

// student is one row of the board.
type student struct {
	Nick    string               `json:"nick"`
	Stages  map[string]stageMark `json:"stages"`
	Updated time.Time            `json:"updated"`
	owner   [16]byte             // salted hash of the address that first reported the nickname
}

// stageInfo names a column of the board.
type stageInfo struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// boardView is what the board's WebSocket sends: the whole board, every
// time it changes (at most every boardThrottle).
type boardView struct {
	Type     string      `json:"type"` // "board"
	Stages   []stageInfo `json:"stages"`
	Students []*student  `json:"students"` // by nickname, case-folded
	Size     int         `json:"size"`     // -class-size
	Code     string      `json:"code"`     // the class code, to show the class
}

// boardThrottle is the shortest time between two board updates sent to one
// projector: thirty students finishing a check in the same second make one
// update, not thirty.
const boardThrottle = 250 * time.Millisecond

// classBoard is the board's state: in memory only.
type classBoard struct {
	code    string // the class code, as shown ("K7M-4QX")
	teacher string // the teacher code
	size    int
	salt    [16]byte
	tries   *rateTable // reports and board logins per address

	mu       sync.Mutex
	students map[string]*student // under mu, by nickKey
	changed  chan struct{}       // under mu: closed at the next change
}

func newClassBoard(cfg Config) *classBoard {
	b := &classBoard{
		code:     cfg.ClassCode,
		teacher:  randomCode(12),
		size:     cfg.ClassSize,
		tries:    newRateTable(classReportRate, classReportBurst),
		students: map[string]*student{},
		changed:  make(chan struct{}),
	}
	if b.code == "" {
		c := randomCode(6)
		b.code = c[:3] + "-" + c[3:]
	}
	rand.Read(b.salt[:])
	return b
}

// announce prints the class code and the board's link at start-up.
func (b *classBoard) announce(w io.Writer, addr *net.TCPAddr) {
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	fmt.Fprintf(w, "wsplay: class code for the board: %s (students type it with a nickname in \"Check my server\", or wsplay check -report http://THIS-SERVER:%d -nick NAME -code %s URL)\n",
		b.code, addr.Port, b.code)
	fmt.Fprintf(w, "wsplay: class board for the projector (this link holds the teacher code; keep it to yourself): http://%s/class#teacher=%s\n",
		net.JoinHostPort(host, strconv.Itoa(addr.Port)), b.teacher)
}

// ownerOf is the salted hash a nickname's owner is recognised by.
func (b *classBoard) ownerOf(from netip.Addr) [16]byte {
	sum := sha256.Sum256(append(b.salt[:], from.AsSlice()...))
	var o [16]byte
	copy(o[:], sum[:])
	return o
}

// stageCount is one stage's tally in a report.
type stageCount struct {
	Stage  string `json:"stage"`
	Pass   int    `json:"pass"`
	Warn   int    `json:"warn"`
	Fail   int    `json:"fail"`
	NotYet bool   `json:"not_yet,omitempty"` // the stage is not there yet (check.StageNotYet)
}

// countStages tallies a report's results by stage, in the order of
// check.Stages: the report's own stage scores, or, for a report without
// them, its results.
func countStages(rep *check.Report) []stageCount {
	var out []stageCount
	for _, sc := range rep.Stages {
		out = append(out, stageCount{Stage: sc.Stage, Pass: sc.Pass, Warn: sc.Warn, Fail: sc.Fail, NotYet: sc.Status == check.StageNotYet})
	}
	if len(out) > 0 {
		return out
	}
	for _, st := range check.Stages {
		sc := stageCount{Stage: st.ID}
		for _, r := range rep.Results {
			if r.Stage != st.ID {
				continue
			}
			switch r.Status {
			case check.Pass:
				sc.Pass++
			case check.Warn:
				sc.Warn++
			default:
				sc.Fail++
			}
		}
		if sc.Pass+sc.Warn+sc.Fail > 0 {
			out = append(out, sc)
		}
	}
	return out
}

// maxCases bounds a reported count: more cases than any stage has.
const maxCases = 1000

// admit checks what can be checked of a report before its run: the rate
// of tries from the address, the class code, the nickname's rules and its
// owner, the board's size. It returns the nickname as it will be shown,
// or why the report would be refused (a sentence for the student).
func (b *classBoard) admit(nick, code string, from netip.Addr) (string, string) {
	if !b.tries.allows(from, time.Now()) {
		return "", "too many wrong class codes from your address; wait a few seconds"
	}
	if subtle.ConstantTimeCompare([]byte(normCode(code)), []byte(normCode(b.code))) != 1 {
		b.tries.take(from, time.Now())
		return "", "that is not this class's code: the teacher's server printed it at start-up"
	}
	nick, why := checkNick(nick)
	if why != "" {
		return "", "nickname: " + why
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	st, ok := b.students[nickKey(nick)]
	switch {
	case ok && st.owner != b.ownerOf(from):
		return "", "the nickname " + strconv.Quote(st.Nick) + " is on the board for another machine; choose another"
	case !ok && len(b.students) >= b.size:
		return "", "the board is full (" + strconv.Itoa(b.size) + " students, -class-size)"
	}
	return nick, ""
}

// record puts a report on the board: admit's checks (unless admitted, for
// a report whose nickname admit already passed before the run), then the
// counts'. It returns the nickname as shown, or why the report was refused.
func (b *classBoard) record(nick, code string, from netip.Addr, counts []stageCount, self, admitted bool) (string, string) {
	if !admitted {
		n, why := b.admit(nick, code, from)
		if why != "" {
			return "", why
		}
		nick = n
	}
	if len(counts) == 0 {
		return "", "the report has no results"
	}
	for _, c := range counts {
		if _, ok := check.StageOf(c.Stage); !ok {
			return "", "unknown stage " + strconv.Quote(c.Stage) + "; the stages are " + check.StageNames()
		}
		if c.Pass < 0 || c.Warn < 0 || c.Fail < 0 || c.Pass+c.Warn+c.Fail > maxCases || c.Pass+c.Warn+c.Fail == 0 {
			return "", "stage " + c.Stage + ": the counts are not possible"
		}
	}
	owner := b.ownerOf(from)
	key := nickKey(nick)
	b.mu.Lock()
	defer b.mu.Unlock()
	st, ok := b.students[key]
	switch {
	case ok && st.owner != owner:
		return "", "the nickname " + strconv.Quote(st.Nick) + " is on the board for another machine; choose another"
	case !ok && len(b.students) >= b.size:
		return "", "the board is full (" + strconv.Itoa(b.size) + " students, -class-size)"
	case !ok:
		st = &student{Nick: nick, Stages: map[string]stageMark{}, owner: owner}
		b.students[key] = st
	}
	// Stages this run did not reach keep their last result: a student who
	// runs -stage frames after a full run still shows the later stages.
	for _, c := range counts {
		m := stageMark{Status: "pass", Pass: c.Pass, Warn: c.Warn, Fail: c.Fail, Self: self}
		switch {
		case c.NotYet:
			m.Status = "not-yet"
		case c.Fail > 0:
			m.Status = "fail"
		case c.Warn > 0:
			m.Status = "warn"
		}
		st.Stages[c.Stage] = m
	}
	st.Updated = time.Now().UTC().Truncate(time.Second)
	b.changedLocked()
	return st.Nick, ""
}

// changedLocked wakes every board view.
func (b *classBoard) changedLocked() {
	close(b.changed)
	b.changed = make(chan struct{})
}

// remove takes a student off the board (the teacher's button).
func (b *classBoard) remove(nick string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.students[nickKey(nick)]; ok {
		delete(b.students, nickKey(nick))
		b.changedLocked()
	}
}

// clear empties the board.
func (b *classBoard) clear() {
	b.mu.Lock()
	defer b.mu.Unlock()
	clear(b.students)
	b.changedLocked()
}

// view returns the board as sent, and the channel closed at its next change.
func (b *classBoard) view() ([]byte, <-chan struct{}) {
	b.mu.Lock()
	defer b.mu.Unlock()
	v := boardView{Type: "board", Size: b.size, Code: b.code, Students: make([]*student, 0, len(b.students))}
	for _, st := range check.Stages {
		v.Stages = append(v.Stages, stageInfo{ID: st.ID, Title: st.Title})
	}
	for _, st := range b.students {
		v.Students = append(v.Students, st)
	}
	slices.SortFunc(v.Students, func(a, c *student) int { return strings.Compare(nickKey(a.Nick), nickKey(c.Nick)) })
	data, _ := json.Marshal(v)
	return data, b.changed
}

// admitPage checks, before a /ws/check run, a page's request to be on the
// board: a refusal (a wrong code, a nickname taken) is told at once, as a
// "board" event, rather than after a minute of cases; the run goes on
// without the board. It returns the nickname to record after the run, ""
// for none.
func (s *Server) admitPage(c *wsConn, nick, code string, from netip.Addr) string {
	if strings.TrimSpace(nick) == "" {
		return ""
	}
	shown, why := s.class.admit(nick, code, from)
	if why != "" {
		sendEvent(c, checkEvent{Type: "board", Reason: why})
		return ""
	}
	return shown
}

// recordPage puts the result of a /ws/check run on the board for the
// nickname admitPage returned; the event tells the page it is there (or,
// when the board filled up or another machine took the nickname during
// the run, why not).
func (s *Server) recordPage(c *wsConn, nick, code string, from netip.Addr, rep *check.Report) {
	if nick == "" || rep == nil || rep.Interrupted {
		return
	}
	shown, why := s.class.record(nick, code, from, countStages(rep), false, true)
	if why != "" {
		sendEvent(c, checkEvent{Type: "board", Reason: why})
		return
	}
	sendEvent(c, checkEvent{Type: "board", Nick: shown})
}

// classReport is what `wsplay check -report` posts to /class/report.
type classReport struct {
	Nick   string       `json:"nick"`
	Code   string       `json:"code"`
	Stages []stageCount `json:"stages"`
}

// classReportAnswer is the answer to a report that was accepted.
type classReportAnswer struct {
	Nick string `json:"nick"` // as shown on the board
}

// maxReportBody bounds a posted report: a few dozen stage counts.
const maxReportBody = 16 << 10

// handleReport is POST /class/report.
func (s *Server) handleReport(w http.ResponseWriter, r *http.Request) {
	fail := func(status int, why string) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(status)
		io.WriteString(w, "wsplay: "+why+"\n")
	}
	// A JSON content type keeps other sites' pages out: a browser sends
	// one cross-site only after a preflight, which this server does not
	// answer.
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		fail(http.StatusUnsupportedMediaType, "a report is JSON: Content-Type: application/json")
		return
	}
	var rep classReport
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxReportBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rep); err != nil {
		fail(http.StatusBadRequest, "the report is not what wsplay check -report sends ("+err.Error()+")")
		return
	}
	shown, why := s.class.record(rep.Nick, rep.Code, reach.IPOf(r.RemoteAddr), rep.Stages, true, false)
	switch {
	case strings.HasPrefix(why, "too many"):
		w.Header().Set("Retry-After", "5")
		fail(http.StatusTooManyRequests, why)
		return
	case strings.HasPrefix(why, "that is not this class's code"):
		fail(http.StatusForbidden, why)
		return
	case strings.HasPrefix(why, "the nickname"), strings.HasPrefix(why, "the board is full"):
		fail(http.StatusConflict, why)
		return
	case why != "":
		fail(http.StatusBadRequest, why)
		return
	}
	s.log.Info("class report", "nick", shown, "remote", r.RemoteAddr, "self_reported", true)
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(classReportAnswer{Nick: shown})
}

// handleBoardPage serves /class: the board's page (site/class.html), the
// same way as the playground's page.
func (s *Server) handleBoardPage(w http.ResponseWriter, r *http.Request) {
	f, ok := s.static.files["/class.html"]
	if !ok {
		notFound(w, r)
		return
	}
	f.serve(w, r)
}

// boardRequest is what the board's page sends on /ws/class: first the
// teacher code, then, any time, a nickname to remove or clear.
type boardRequest struct {
	Teacher string `json:"teacher,omitempty"`
	Remove  string `json:"remove,omitempty"`
	Clear   bool   `json:"clear,omitempty"`
}

// boardEndpoint prepares /ws/class: the board, live. The first message
// must be {"teacher": CODE}; a wrong code gets {"type": "refused"} and close
// 1008. Then the server sends the whole board at once and again after every
// change (throttled), until the page leaves.
func (s *Server) boardEndpoint(r *http.Request) (core.Config, wsHandler) {
	from := reach.IPOf(r.RemoteAddr)
	return core.Config{MaxMessageSize: 1 << 10}, func(c *wsConn) error {
		_, msg, err := c.conn.ReadMessage(nil)
		if err != nil {
			return err
		}
		var req boardRequest
		json.Unmarshal(msg, &req)
		if !s.class.tries.allows(from, time.Now()) {
			sendJSON(c, checkEvent{Type: "refused", Reason: "too many wrong codes from your address; wait a few seconds"})
			c.close(core.StatusPolicyViolation, "class: too many wrong codes")
			return nil
		}
		if subtle.ConstantTimeCompare([]byte(normCode(req.Teacher)), []byte(s.class.teacher)) != 1 {
			s.class.tries.take(from, time.Now())
			sendJSON(c, checkEvent{Type: "refused", Reason: "that is not the teacher code: use the board's link the server printed at start-up"})
			c.close(core.StatusPolicyViolation, "class: wrong teacher code")
			return nil
		}
		done := make(chan error, 1)
		go func() {
			for {
				_, msg, err := c.conn.ReadMessage(nil)
				if err != nil {
					done <- err
					return
				}
				var req boardRequest
				if json.Unmarshal(msg, &req) != nil {
					continue
				}
				switch {
				case req.Clear:
					s.class.clear()
				case req.Remove != "":
					s.class.remove(req.Remove)
				}
			}
		}()
		for {
			data, changed := s.class.view()
			if err := c.conn.WriteMessage(core.OpText, data); err != nil {
				c.conn.CloseNow()
				return <-done
			}
			select {
			case err := <-done:
				return err
			case <-changed:
			}
			select {
			case err := <-done:
				return err
			case <-time.After(boardThrottle):
			}
		}
	}
}

// sendJSON writes one JSON text message.
func sendJSON(c *wsConn, v any) {
	if b, err := json.Marshal(v); err == nil {
		c.conn.WriteMessage(core.OpText, b)
	}
}
