//go:build !js

package soak

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"wsplay/check"
	"wsplay/core"
)

// TestClass is a simulated class on one teacher's wsplay: 200 students,
// each on a loopback address of its own (127.0.1.2, 127.0.1.3, …), each
// with a page's worth of WebSockets (echo, inspect, chat), chatting; some
// check their own small server (listening on their own address) from the
// page with a nickname and the class code, the others send their results
// as `wsplay check -report` does. One hostile student, on 127.0.2.13,
// floods the chat, reconnects, opens thousands of sockets and guesses the
// class code. It checks what each student saw: no refusal (503 or 429) and
// no connection cut for a well-behaved student, the hostile one held to
// its own address's limits, and the teacher's board showing every student
// exactly as reported.
func TestClass(t *testing.T) {
	parallel(t)
	const code = "SOAK-CLASS"
	srv := startServer(t, serverOpts{flags: []string{"-max-conns", "1000", "-class-code", code}})
	link := srv.printed("/class#teacher=", 10*time.Second)
	teacher := link[strings.LastIndex(link, "=")+1:]
	limits := srv.printed("WebSockets at once", time.Second)
	t.Logf("figure: class: the server says: %s", strings.TrimPrefix(limits, "wsplay: "))

	board := watchClassBoard(t, srv.addr, teacher)
	rss := srv.sampleRSS()
	start := time.Now()

	students := make([]*pupil, size.ClassStudents)
	var wg sync.WaitGroup
	for i := range students {
		students[i] = &pupil{i: i, ip: "127.0.1." + strconv.Itoa(2+i), nick: "s" + strconv.Itoa(i), pageCheck: i < size.ClassPageChecks}
		wg.Add(1)
		go func(p *pupil) { defer wg.Done(); p.connect(t, srv.addr) }(students[i])
	}
	wg.Wait()
	connected := time.Since(start)

	// The class works while the hostile student does its worst.
	var hostile hostileStudent
	hostileDone := make(chan struct{})
	go func() { defer close(hostileDone); hostile.run(t, srv.addr) }()
	for _, p := range students {
		wg.Add(1)
		go func(p *pupil) { defer wg.Done(); p.work(t, srv.addr, code) }(p)
	}
	wg.Wait()
	<-hostileDone
	worked := time.Since(start)

	// Still there: every student's connections answer after the storm.
	for _, p := range students {
		wg.Add(1)
		go func(p *pupil) { defer wg.Done(); p.finish() }(p)
	}
	wg.Wait()
	peak := rss.stop()

	failed := 0
	checkTimes := latencies{}
	for _, p := range students {
		if p.failed() {
			failed++
			if failed <= 5 {
				t.Errorf("student %s (%s): %v", p.nick, p.ip, p.err)
			}
		}
		if p.pageCheck {
			checkTimes = append(checkTimes, p.checkTook)
		}
	}
	if failed > 0 {
		t.Errorf("%d of %d students saw a refusal, a cut or a wrong answer", failed, len(students))
	}

	// The hostile student met its own limits, and only those.
	h := &hostile
	t.Logf("figure: class: hostile student: %d socket attempts: %d opened, %d refused with 429, %d with 503, %d failed otherwise; chat flood cut after %d messages (%s); reconnected and cut after %d more; %d of %d chat joins refused (%s); %d code guesses: %d refused 403, %d 429",
		h.attempts, h.opened, h.refused429, h.refused503, h.otherErr, h.floodSent, h.floodReason, h.againSent, h.joinsRefused, h.joins, h.joinReason, h.guesses, h.guess403, h.guess429)
	if h.opened > perAddrCap || h.refused503 > 0 || h.refused429 < h.attempts-perAddrCap-h.otherErr {
		t.Errorf("hostile sockets: %d opened (cap %d), %d 503, %d 429 of %d", h.opened, perAddrCap, h.refused503, h.refused429, h.attempts)
	}
	if !strings.Contains(h.floodReason, "per tab and per address") || h.floodSent > 60 {
		t.Errorf("the chat flood was not cut by the rate limit: %d sent, %q", h.floodSent, h.floodReason)
	}
	// The limit refills at -chat-rate (5 a second) while the bot
	// reconnects; a reset would give it a whole new burst at once. On a
	// loaded machine reconnecting takes longer, so the refill allowed
	// grows with the time the second flood took.
	if allowed := 3 + int(5*h.againTook.Seconds()); h.againSent > allowed {
		t.Errorf("reconnecting reset the chat limit: %d more messages went through in %v (the refill allows %d)", h.againSent, h.againTook.Round(time.Millisecond), allowed)
	}
	if h.joinsRefused == 0 || !strings.Contains(h.joinReason, "-chat-joins") {
		t.Errorf("chat joins were not limited per address: %d refused, %q", h.joinsRefused, h.joinReason)
	}
	if h.guess429 == 0 || h.guess403+h.guess429 != h.guesses {
		t.Errorf("code guessing: %d 403, %d 429 of %d", h.guess403, h.guess429, h.guesses)
	}

	// The board shows every student as reported, and nobody else.
	view := board.latest(t, func(v classView) bool { return len(v.Students) >= len(students) })
	wrong := 0
	rows := map[string]classRow{}
	for _, r := range view.Students {
		rows[r.Nick] = r
	}
	for _, p := range students {
		r, ok := rows[p.nick]
		if !ok || !sameStages(r.Stages, p.want) {
			wrong++
			if wrong <= 3 {
				t.Errorf("board row of %s: %+v, want %+v", p.nick, r.Stages, p.want)
			}
		}
	}
	if wrong > 0 || len(view.Students) != len(students) {
		t.Errorf("the board has %d rows, %d of them wrong; want %d", len(view.Students), wrong, len(students))
	}
	t.Logf("figure: class: %d students (%d WebSockets) connected in %v; chat, echo, %d page checks (median %v, slowest %v, queued by the server's check slots), %d reports; all done in %v; server peak VmRSS %s; board: %d rows, all as reported",
		len(students), 3*len(students), connected.Round(time.Millisecond), len(checkTimes), checkTimes.pct(50).Round(time.Millisecond),
		checkTimes.pct(100).Round(time.Millisecond), len(students)-len(checkTimes), worked.Round(time.Millisecond), mib(peak), len(view.Students))
}

// perAddrCap is the server's default -max-conns-per-addr.
const perAddrCap = 48

// stageMark is a cell of the board, as /ws/class sends it.
type stageMark struct {
	Status string `json:"status"`
	Pass   int    `json:"pass"`
	Warn   int    `json:"warn"`
	Fail   int    `json:"fail"`
	Self   bool   `json:"self_reported"`
}

type classRow struct {
	Nick   string               `json:"nick"`
	Stages map[string]stageMark `json:"stages"`
}

type classView struct {
	Type     string     `json:"type"`
	Students []classRow `json:"students"`
}

func sameStages(got, want map[string]stageMark) bool {
	if len(got) != len(want) {
		return false
	}
	for k, w := range want {
		if got[k] != w {
			return false
		}
	}
	return true
}

// markOf is the cell a stage's counts make.
func markOf(pass, warn, fail int, self bool) stageMark {
	m := stageMark{Status: "pass", Pass: pass, Warn: warn, Fail: fail, Self: self}
	if fail > 0 {
		m.Status = "fail"
	} else if warn > 0 {
		m.Status = "warn"
	}
	return m
}

// classBoard is the teacher's board page: it keeps the latest view.
type classBoard struct {
	mu   sync.Mutex
	last classView
	c    *client
}

func watchClassBoard(t *testing.T, addr, teacher string) *classBoard {
	c := mustDial(t, addr, "/ws/class")
	msg, _ := json.Marshal(map[string]string{"teacher": teacher})
	c.WriteMessage(core.OpText, msg)
	b := &classBoard{c: c}
	go func() {
		for {
			_, msg, err := c.ReadMessage(nil)
			if err != nil {
				return
			}
			var v classView
			if json.Unmarshal(msg, &v) == nil && v.Type == "board" {
				b.mu.Lock()
				b.last = v
				b.mu.Unlock()
			}
		}
	}()
	return b
}

// latest waits (a few seconds at most: the board is throttled) for a view
// that satisfies ok, and returns the latest view.
func (b *classBoard) latest(t *testing.T, ok func(classView) bool) classView {
	end := time.Now().Add(5 * time.Second)
	for {
		b.mu.Lock()
		v := b.last
		b.mu.Unlock()
		if ok(v) || time.Now().After(end) {
			return v
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// pupil is one well-behaved student.
type pupil struct {
	i         int
	ip, nick  string
	pageCheck bool // checks its own server from the page; else reports like the command line

	echo, inspect, chat *client
	chatDone            chan struct{}
	said                atomic.Int64 // own chat lines seen coming back
	chatErr             error        // what ended the chat reader, once chatDone is closed

	inspectDone chan struct{} // closed when the inspect reader ends
	inspectErr  error
	echoMu      sync.Mutex    // the echo connection: the work and the keep-alive take turns
	stop        chan struct{} // ends the keep-alive

	want      map[string]stageMark // what the board must show
	checkTook time.Duration
	errMu     sync.Mutex
	err       error // the first thing that went wrong
}

func (p *pupil) fail(err error) {
	p.errMu.Lock()
	defer p.errMu.Unlock()
	if p.err == nil {
		p.err = err
	}
}

func (p *pupil) failed() bool {
	p.errMu.Lock()
	defer p.errMu.Unlock()
	return p.err != nil
}

// echoOnce sends one message on the echo connection and checks it comes
// back.
func (p *pupil) echoOnce(op core.Opcode, msg []byte) error {
	p.echoMu.Lock()
	defer p.echoMu.Unlock()
	return p.echo.echo(op, msg)
}

// keepAlive is what a browser tab does by itself: it answers the server's
// pings (here: the inspect reader reads them; the echo connection echoes
// every 15 s), so a student waiting minutes for a check slot is not
// dropped by -idle-timeout.
func (p *pupil) keepAlive() {
	t := time.NewTicker(15 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			if err := p.echoOnce(core.OpText, []byte("keep-alive")); err != nil {
				p.fail(fmt.Errorf("echo while waiting: %v", err))
				return
			}
		}
	}
}

// connect opens the page's three WebSockets.
func (p *pupil) connect(t *testing.T, addr string) {
	var status int
	var err error
	if p.echo, status, err = dialFrom(p.ip, addr, "/ws/echo"); err != nil {
		p.fail(fmt.Errorf("/ws/echo: %d %v", status, err))
		return
	}
	if p.inspect, status, err = dialFrom(p.ip, addr, "/ws/inspect"); err != nil {
		p.fail(fmt.Errorf("/ws/inspect: %d %v", status, err))
		return
	}
	if p.chat, status, err = dialFrom(p.ip, addr, "/ws/chat?nick="+p.nick); err != nil {
		p.fail(fmt.Errorf("/ws/chat: %d %v", status, err))
		return
	}
	t.Cleanup(func() { p.echo.CloseNow(); p.inspect.CloseNow(); p.chat.CloseNow() })
	p.inspect.nc.SetReadDeadline(time.Now().Add(deadline))
	if _, _, err := p.inspect.ReadMessage(nil); err != nil { // the handshake report
		p.fail(fmt.Errorf("/ws/inspect: %v", err))
	}
	p.inspect.nc.SetReadDeadline(time.Time{})
	p.inspectDone = make(chan struct{})
	go func() {
		defer close(p.inspectDone)
		for {
			if _, _, err := p.inspect.ReadMessage(nil); err != nil {
				p.inspectErr = err
				return
			}
		}
	}()
	p.stop = make(chan struct{})
	go p.keepAlive()
	p.chatDone = make(chan struct{})
	go func() {
		defer close(p.chatDone)
		for {
			_, msg, err := p.chat.ReadMessage(nil)
			if err != nil {
				p.chatErr = err
				return
			}
			var ev chatEvent
			if json.Unmarshal(msg, &ev) == nil && ev.Type == "message" && ev.Nick == p.nick && !ev.History {
				p.said.Add(1)
			}
		}
	}()
}

// work chats, echoes, and gets on the board.
func (p *pupil) work(t *testing.T, addr, code string) {
	if p.failed() {
		return
	}
	for n := range size.ClassChatLines {
		if err := p.chat.WriteMessage(core.OpText, []byte(p.nick+" says "+strconv.Itoa(n))); err != nil {
			p.fail(fmt.Errorf("chat: %v", err))
			return
		}
		if err := p.echoOnce(core.OpText, []byte("echo "+strconv.Itoa(n))); err != nil {
			p.fail(fmt.Errorf("echo: %v", err))
			return
		}
		time.Sleep(time.Duration(300+p.i%200) * time.Millisecond)
	}
	if p.pageCheck {
		p.checkFromPage(t, addr, code)
	} else {
		p.report(addr, code)
	}
}

// checkFromPage runs the page's check against a small server of the
// student's own, on its own address, with the nickname and class code.
func (p *pupil) checkFromPage(t *testing.T, addr, code string) {
	own, err := ownServer(t, p.ip)
	if err != nil {
		p.fail(err)
		return
	}
	c, status, err := dialFrom(p.ip, addr, "/ws/check")
	if err != nil {
		p.fail(fmt.Errorf("/ws/check: %d %v", status, err))
		return
	}
	defer c.CloseNow()
	start := time.Now()
	req, _ := json.Marshal(map[string]string{"url": "ws://" + own + "/", "nick": p.nick, "code": code})
	c.WriteMessage(core.OpText, req)
	onBoard := false
	for {
		c.nc.SetReadDeadline(time.Now().Add(3 * deadline))
		_, msg, err := c.ReadMessage(nil)
		if err != nil {
			p.fail(fmt.Errorf("/ws/check: %v", err))
			return
		}
		var e struct {
			Type   string `json:"type"`
			Nick   string `json:"nick"`
			Reason string `json:"reason"`
			Report *struct {
				Results []struct {
					Stage  string `json:"stage"`
					Status string `json:"status"`
				} `json:"results"`
				Stages []struct {
					Stage  string `json:"stage"`
					Status string `json:"status"`
				} `json:"stages"`
			} `json:"report"`
		}
		json.Unmarshal(msg, &e)
		switch e.Type {
		case "busy": // every check slot is taken: the page tries again
			time.Sleep(500 * time.Millisecond)
			c.WriteMessage(core.OpText, req)
		case "refused":
			p.fail(fmt.Errorf("check refused: %s", e.Reason))
			return
		case "board":
			if e.Nick != p.nick {
				p.fail(fmt.Errorf("not on the board: %s", e.Reason))
			}
			onBoard = true
		case "done":
			p.checkTook = time.Since(start)
			if !onBoard {
				p.fail(errors.New("no board event before done"))
			}
			counts := map[string][3]int{}
			for _, r := range e.Report.Results {
				c := counts[r.Stage]
				switch r.Status {
				case "PASS":
					c[0]++
				case "WARN":
					c[1]++
				default:
					c[2]++
				}
				counts[r.Stage] = c
			}
			p.want = map[string]stageMark{}
			for st, c := range counts {
				p.want[st] = markOf(c[0], c[1], c[2], false)
			}
			// A stage whose first case showed the feature missing is
			// "not yet" on the board, whatever its counts: on a loaded
			// machine a case of the student's own server can time out.
			for _, sc := range e.Report.Stages {
				if m, ok := p.want[sc.Stage]; ok && sc.Status == check.StageNotYet {
					m.Status = "not-yet"
					p.want[sc.Stage] = m
				}
			}
			return
		}
	}
}

// ownServer is a student's small echo server, on the student's address.
func ownServer(t *testing.T, ip string) (string, error) {
	ln, err := net.Listen("tcp", ip+":0")
	if err != nil {
		return "", err
	}
	hs := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _, err := core.Upgrade(w, r, core.UpgradeOptions{Config: core.Config{MaxMessageSize: 16 << 20}})
		if err != nil {
			return
		}
		defer c.CloseNow()
		for {
			op, msg, err := c.ReadMessage(nil)
			if err != nil {
				return
			}
			if c.WriteMessage(op, msg) != nil {
				return
			}
		}
	})}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	return ln.Addr().String(), nil
}

// reportStages are the stages a command-line report names.
var reportStages = []string{"handshake", "frames", "masking", "fragments", "control", "close", "utf8"}

// report posts the results of a run of `wsplay check` on the student's
// machine, as -report does: made-up counts, different for each student.
func (p *pupil) report(addr, code string) {
	type count struct {
		Stage string `json:"stage"`
		Pass  int    `json:"pass"`
		Warn  int    `json:"warn"`
		Fail  int    `json:"fail"`
	}
	var stages []count
	p.want = map[string]stageMark{}
	for k, st := range reportStages[:1+p.i%len(reportStages)] {
		c := count{Stage: st, Pass: 3 + k, Warn: (p.i + k) % 3 / 2, Fail: (p.i + k) % 5 / 4}
		stages = append(stages, c)
		p.want[st] = markOf(c.Pass, c.Warn, c.Fail, true)
	}
	body, _ := json.Marshal(map[string]any{"nick": p.nick, "code": strings.ToLower(code), "stages": stages})
	status, answer, err := postFrom(p.ip, addr, body)
	if err != nil || status != http.StatusOK {
		p.fail(fmt.Errorf("report: %d %s %v", status, answer, err))
	}
}

// postFrom posts a board report from ip.
func postFrom(ip, addr string, body []byte) (int, string, error) {
	client := &http.Client{Timeout: deadline, Transport: &http.Transport{DisableKeepAlives: true,
		DialContext: dialOpts{from: ip}.dialer().DialContext}}
	resp, err := client.Post("http://"+addr+"/class/report", "application/json", strings.NewReader(string(body)))
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	return resp.StatusCode, strings.TrimSpace(string(b)), nil
}

// finish checks that the student's connections all still work, then
// closes them.
func (p *pupil) finish() {
	if p.failed() {
		return
	}
	close(p.stop)
	if err := p.echoOnce(core.OpBinary, []byte{1, 2, 3}); err != nil {
		p.fail(fmt.Errorf("echo at the end: %v", err))
	}
	if err := p.inspect.WriteMessage(core.OpText, []byte("still here")); err != nil {
		p.fail(fmt.Errorf("inspect at the end: %v", err))
	}
	select {
	case <-p.inspectDone:
		p.fail(fmt.Errorf("inspect ended: %v", p.inspectErr))
	default:
	}
	// Every line the student said came back, and the room never cut it.
	end := time.Now().Add(deadline)
	for p.said.Load() < int64(size.ClassChatLines) && time.Now().Before(end) {
		select {
		case <-p.chatDone:
			p.fail(fmt.Errorf("the chat ended: %v", p.chatErr))
			return
		case <-time.After(20 * time.Millisecond):
		}
	}
	if n := p.said.Load(); n != int64(size.ClassChatLines) {
		p.fail(fmt.Errorf("%d of its %d chat lines came back", n, size.ClassChatLines))
	}
	select {
	case <-p.chatDone:
		p.fail(fmt.Errorf("the chat ended: %v", p.chatErr))
	default:
	}
}

// hostileStudent does what one misbehaving student's script can.
type hostileStudent struct {
	attempts, opened, refused429, refused503, otherErr int
	floodSent, againSent                               int
	againTook                                          time.Duration // the second flood, reconnecting included
	floodReason                                        string
	joins, joinsRefused                                int
	joinReason                                         string
	guesses, guess403, guess429                        int
}

const hostileIP = "127.0.2.13"

func (h *hostileStudent) run(t *testing.T, addr string) {
	// A chat bot: as fast as it can, then again at once.
	h.floodSent, h.floodReason = chatFlood(addr, "bot", 1000)
	start := time.Now()
	h.againSent, _ = chatFlood(addr, "bot", 1000)
	h.againTook = time.Since(start)

	// Reconnecting in a loop: joins are limited per address.
	for range 30 {
		c, status, err := dialFrom(hostileIP, addr, "/ws/chat?nick=bot")
		h.joins++
		if err != nil {
			if status == http.StatusTooManyRequests {
				h.joinsRefused++
			}
			continue
		}
		c.nc.SetReadDeadline(time.Now().Add(deadline))
		for {
			_, _, err := c.ReadMessage(nil)
			var ce *core.CloseError
			if errors.As(err, &ce) {
				if ce.Code == core.StatusPolicyViolation {
					h.joinsRefused++
					h.joinReason = ce.Reason
				}
				break
			}
			if err != nil {
				break
			}
			// Joined: leave at once, and come back.
			c.CloseNow()
		}
	}

	// Thousands of sockets, 32 at a time, all kept open.
	var mu sync.Mutex
	var open []*client
	work := make(chan struct{})
	var wg sync.WaitGroup
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range work {
				c, status, err := dialFrom(hostileIP, addr, "/ws/echo")
				mu.Lock()
				h.attempts++
				switch {
				case err == nil:
					h.opened++
					open = append(open, c)
				case status == http.StatusTooManyRequests:
					h.refused429++
				case status == http.StatusServiceUnavailable:
					h.refused503++
				default:
					h.otherErr++
				}
				mu.Unlock()
			}
		}()
	}
	for range size.ClassHostileSockets {
		work <- struct{}{}
	}
	close(work)
	wg.Wait()
	t.Cleanup(func() {
		for _, c := range open {
			c.CloseNow()
		}
	})

	// Guessing the class code.
	body, _ := json.Marshal(map[string]any{"nick": "bot", "code": "AAAAAA", "stages": []map[string]any{{"stage": "handshake", "pass": 9}}})
	for range 30 {
		status, _, err := postFrom(hostileIP, addr, body)
		h.guesses++
		switch {
		case err != nil:
		case status == http.StatusForbidden:
			h.guess403++
		case status == http.StatusTooManyRequests:
			h.guess429++
		}
	}
}

// chatFlood joins the chat from the hostile address and sends up to n
// messages without waiting; it returns how many the room broadcast before
// it closed the connection, and the close reason.
func chatFlood(addr, nick string, n int) (int, string) {
	var c *client
	for range 50 { // the handshake rate may ask it to wait
		var err error
		if c, _, err = dialFrom(hostileIP, addr, "/ws/chat?nick="+nick); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if c == nil {
		return 0, "never joined"
	}
	defer c.CloseNow()
	go func() {
		for range n {
			if c.WriteMessage(core.OpText, []byte("spam")) != nil {
				return
			}
		}
	}()
	seen := 0
	c.nc.SetReadDeadline(time.Now().Add(deadline))
	for {
		_, msg, err := c.ReadMessage(nil)
		var ce *core.CloseError
		if errors.As(err, &ce) {
			return seen, ce.Reason
		}
		if err != nil {
			return seen, err.Error()
		}
		var ev chatEvent
		if json.Unmarshal(msg, &ev) == nil && ev.Type == "message" && strings.HasPrefix(ev.Nick, nick) && !ev.History {
			seen++
		}
	}
}
