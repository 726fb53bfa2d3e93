//go:build !js

// Package check is the graded suite behind `wsplay check`: it runs a list of
// cases against any WebSocket server that echoes messages, given its ws://
// URL, and explains every failure to a learner in the words the core uses.
//
// # How a case works
//
// Every case opens a new TCP connection, so a server that crashed or hangs on
// one case cannot spoil the next. The check builds its frames by hand with
// core.AppendFrame (header, then the payload masked), writes them over the raw connection
// (some one byte per write, to exercise the server's partial reads), and
// decodes the answers with core.FrameReader in the client role: a server
// frame that breaks a rule, such as a masked frame, is itself a finding.
//
// Every case has a time limit (Options.Timeout). Each Result says PASS, WARN
// (allowed but not ideal) or FAIL and, for WARN and FAIL, what was sent and
// what came back (hex, and each frame decoded by core.ExplainFrame), the rule
// broken with its RFC section (a core.Rule), a paragraph for a learner, and
// the lesson that explains it.
//
// # Safety
//
// Run connects only to the target it is given, and only when every address
// the target's host resolves to is allowed by the policy (package reach): a
// loopback, private (RFC 1918, fc00::/7) or link-local address for the
// command, unless Options.AllowRemote is set; the page's narrower rule when
// the server runs the check. The host is resolved once and every case dials
// the address that was checked. The tool is meant for a learner's own
// server, not for probing other people's.
//
// # Streaming
//
// Run calls its progress function after each case, on the caller's
// goroutine, so a command can print results as they come and a WebSocket
// endpoint can stream them to a page.
package check

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"wsplay/core"
	"wsplay/reach"
)

// Status is the verdict of one case.
type Status int

const (
	Pass Status = iota // the server did what the RFC requires
	Warn               // allowed, but not ideal
	Fail               // the server broke a rule, hung or crashed
)

// String returns "PASS", "WARN" or "FAIL".
func (s Status) String() string {
	switch s {
	case Pass:
		return "PASS"
	case Warn:
		return "WARN"
	}
	return "FAIL"
}

// MarshalText writes the status as its name, for JSON.
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a status name.
func (s *Status) UnmarshalText(b []byte) error {
	switch string(b) {
	case "PASS":
		*s = Pass
	case "WARN":
		*s = Warn
	case "FAIL":
		*s = Fail
	default:
		return errors.New("check: unknown status " + string(b))
	}
	return nil
}

// Options tune a run. The zero value runs every case with the defaults.
type Options struct {
	// Timeout bounds each case, from the dial to the last answer; a server
	// that takes longer is reported as hanging. 0 means DefaultTimeout.
	Timeout time.Duration
	// LargeSizes are the sizes of the large-message cases, in bytes; nil
	// means DefaultLargeSizes. An empty non-nil slice runs none.
	LargeSizes []int
	// Lessons is the base URL the lesson links start with, e.g.
	// "http://127.0.0.1:8080". "" means DefaultLessons.
	Lessons string
	// Run, when not empty, keeps only the cases whose id contains one of
	// these words, e.g. "frame." or "utf8".
	Run []string
	// AllowRemote lets the check connect to public addresses. It widens
	// reach.CommandLine, the policy used when Policy is nil.
	AllowRemote bool
	// Policy, when not nil, says which addresses the check may connect
	// to instead of reach.CommandLine(AllowRemote): the server passes the
	// page's policy (reach.ForRequester).
	Policy *reach.Policy
	// LookupIP resolves a host name; nil means net.DefaultResolver's
	// LookupIPAddr. Tests replace it so that no real name is resolved.
	// The target is resolved once per run, and every case dials the
	// address that was checked.
	LookupIP reach.Lookup
	// Started, when not nil, is called once the target is resolved and
	// allowed, before the first case, with the number of cases to run.
	Started func(cases int)
	// Stage, when not "" or "all", runs only the cases of that stage and
	// of every stage before it (see Stages); Report.NotTried then lists the
	// later stages. An unknown stage makes Run return a *StageError.
	Stage string
	// Page is set by the server for the page's runs: the check stops at the
	// first answer that is not a WebSocket handshake response (101 with
	// Upgrade: websocket) and reports its status line only, without the
	// service's headers or body, so that the page cannot read back other
	// services on the machine. The command line keeps every detail.
	Page bool
	// MaxMessage bounds, in bytes, a message the check accepts from the
	// server; a longer one fails its case and is not read further. 0
	// means twice the largest message the check sends, plus 1 MiB.
	MaxMessage int
	// ChunkDelay is the pause between the one-byte writes of the
	// partial-read cases; 0 means 1ms. The pause makes each byte arrive in
	// its own read on the server.
	ChunkDelay time.Duration
	// Lang is the language of the report's texts: "en" (also "") or "zh"
	// (core.Langs). Titles, verdicts, explanations, rules and the
	// diagnosis are written in it; ids, sections and what the server sent
	// are the same in every language. Run refuses another value.
	Lang string
}

// Defaults of Options.
const (
	DefaultTimeout = 5 * time.Second
	DefaultLessons = "http://127.0.0.1:8080"
)

// DefaultLargeSizes are the sizes of the large-message cases: 1 MiB and
// 4 MiB.
var DefaultLargeSizes = []int{1 << 20, 4 << 20}

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.LargeSizes == nil {
		o.LargeSizes = DefaultLargeSizes
	}
	if o.Lessons == "" {
		o.Lessons = DefaultLessons
	}
	o.Lessons = strings.TrimRight(o.Lessons, "/")
	if o.ChunkDelay <= 0 {
		o.ChunkDelay = time.Millisecond
	}
	if o.Lang == "" {
		o.Lang = core.LangEN
	}
	return o
}

// RuleRef is a core.Rule as a report shows it.
type RuleRef struct {
	// ID is the rule's stable id (core.Rule.ID), e.g. "server-no-mask":
	// the same in every language, so a page can translate the rule by it.
	ID string `json:"id"`
	// Text is the rule in the report's language (Options.Lang).
	Text string `json:"text"`
	// TextZH is the rule in Simplified Chinese, when core has it
	// (core.Rule.TextIn), for a page that switches language after the run.
	TextZH string `json:"text_zh,omitempty"`
	Source string `json:"source"` // e.g. "RFC 6455 §5.2"
}

// Cite returns "text (source)".
func (r RuleRef) Cite() string { return r.Text + " (" + r.Source + ")" }

// Ref returns r as a report shows it, with its Chinese text when core has
// one. Package autobahn cites rules with it too.
func Ref(r core.Rule) RuleRef { return RefIn(r, core.LangEN) }

// RefIn is Ref with Text in a language.
func RefIn(r core.Rule, lang string) RuleRef {
	rr := RuleRef{ID: r.ID, Text: r.TextIn(lang), Source: r.Source()}
	if zh := r.TextIn(core.LangZH); zh != r.Text {
		rr.TextZH = zh
	}
	return rr
}

// LangError is the error of a report language that is not one of
// core.Langs.
type LangError struct{ Name string }

func (e *LangError) Error() string {
	return "check: unknown language " + strconv.Quote(e.Name) + "; the languages are " + strings.Join(core.Langs, ", ")
}

// Result is the outcome of one case.
type Result struct {
	ID       string `json:"id"`       // e.g. "frame.text-126"
	Category string `json:"category"` // e.g. "frames"
	Stage    string `json:"stage"`    // the Stages id, e.g. "frames"
	Title    string `json:"title"`    // what the case checks, one line
	Status   Status `json:"status"`
	// Got says in one or two sentences what the server did.
	Got string `json:"got"`
	// Sent and Received are the bytes on the wire, in hex, cut after a
	// few dozen bytes per frame; SentFrames and ReceivedFrames decode each
	// frame with core.ExplainFrame. For the handshake cases SentFrames and
	// ReceivedFrames hold the HTTP head lines instead.
	Sent           string   `json:"sent,omitempty"`
	SentFrames     []string `json:"sent_frames,omitempty"`
	Received       string   `json:"received,omitempty"`
	ReceivedFrames []string `json:"received_frames,omitempty"`
	// Rule is the requirement the case checks, with its RFC section.
	Rule RuleRef `json:"rule"`
	// Explanation is a paragraph for a learner: why the rule exists and
	// what servers usually get wrong. Set for WARN and FAIL.
	Explanation string `json:"explanation,omitempty"`
	// Lesson is the URL of the lesson that explains the rule.
	Lesson   string        `json:"lesson"`
	Duration time.Duration `json:"duration_ns"`
}

// Score counts the verdicts of one category.
type Score struct {
	Category string `json:"category"`
	Title    string `json:"title"`
	Pass     int    `json:"pass"`
	Warn     int    `json:"warn"`
	Fail     int    `json:"fail"`
}

// Total returns the number of cases in the category.
func (s Score) Total() int { return s.Pass + s.Warn + s.Fail }

// Report is a whole run.
type Report struct {
	Target  string `json:"target"`  // the URL as given
	Address string `json:"address"` // the address dialed, ip:port
	// Lang is the language the report's texts are in (Options.Lang).
	Lang     string        `json:"lang"`
	Started  time.Time     `json:"started"`
	Duration time.Duration `json:"duration_ns"`
	Results  []Result      `json:"results"`
	Scores   []Score       `json:"scores"`
	Pass     int           `json:"pass"`
	Warn     int           `json:"warn"`
	Fail     int           `json:"fail"`
	// NotTried lists, in order, the ids of the stages after Options.Stage,
	// which the run did not try.
	NotTried []string `json:"not_tried"`
	// Stages scores each stage that ran, in order (see StageScore).
	Stages []StageScore `json:"stages"`
	// Diagnosis is the classic mistake the run recognised, if any: say it
	// first.
	Diagnosis *Diagnosis `json:"diagnosis,omitempty"`
	// Interrupted is set when the run was cancelled before every case ran.
	Interrupted bool `json:"interrupted,omitempty"`
}

// The states of a stage in a report.
const (
	StagePassed  = "passed"  // no case failed (warnings allowed)
	StageFailing = "failing" // a case failed
	StageNotYet  = "not-yet" // the stage's first case showed the feature missing
)

// StageScore is how a server did in one stage.
type StageScore struct {
	Stage  string `json:"stage"` // the Stages id
	Title  string `json:"title"`
	Status string `json:"status"` // StagePassed, StageFailing or StageNotYet
	Pass   int    `json:"pass"`
	Warn   int    `json:"warn"`
	Fail   int    `json:"fail"`
	// Skipped counts the cases of a stage that is not yet there, which
	// were not run after its first case showed so.
	Skipped int `json:"skipped,omitempty"`
	// Lessons are the URLs of the lessons that teach the stage.
	Lessons []string `json:"lessons"`
}

// Total returns the number of cases of the stage that ran.
func (s StageScore) Total() int { return s.Pass + s.Warn + s.Fail }

// Failed reports whether any case failed.
func (r *Report) Failed() bool { return r.Fail > 0 }

// Run resolves target, refuses it unless it is a loopback or private address
// (or opts.AllowRemote), and runs every case against it, one new connection
// per case. progress, when not nil, is called with each result as soon as its
// case ends. The error is a *RefusedError for a URL the check will not
// connect to; once cases run, problems of the server are results, not
// errors. Cancelling ctx ends the run at once: the case under way is
// dropped and Report.Interrupted is set.
func Run(ctx context.Context, target string, opts Options, progress func(Result)) (*Report, error) {
	opts = opts.withDefaults()
	if err := ValidStage(opts.Stage); err != nil {
		return nil, err
	}
	if !core.ValidLang(opts.Lang) {
		return nil, &LangError{Name: opts.Lang}
	}
	policy := reach.CommandLine(opts.AllowRemote)
	if opts.Policy != nil {
		policy = *opts.Policy
	}
	t, err := reach.Resolve(ctx, target, policy, opts.LookupIP)
	if err != nil {
		return nil, err
	}
	rep := &Report{Target: Clean(target), Address: t.Addr, Lang: opts.Lang, Started: time.Now(), NotTried: []string{}, Stages: []StageScore{}}
	cases := Cases(opts)
	if opts.Started != nil {
		opts.Started(len(cases))
	}
	last := stageIndex(opts.Stage) // the last stage the run may reach
	found := map[string][]string{} // diagnosis id → case ids
	notYet := map[string]int{}     // stage → cases skipped
	seenWebSocket := false         // a 101 came back (Options.Page)
	handshakeBroken := false
	for i, c := range cases {
		if ctx.Err() != nil {
			rep.Interrupted = true
			break
		}
		si := stageIndex(c.Stage)
		if si > last {
			break
		}
		if _, ok := notYet[c.Stage]; ok {
			notYet[c.Stage]++
			continue
		}
		if handshakeBroken && si > 0 {
			// Every later case starts with the handshake: they would
			// all fail the same way.
			last = 0
			break
		}
		r, info := runCase(ctx, t, opts, c)
		if ctx.Err() != nil {
			// Cut short by the cancellation: the result would blame
			// the server for it.
			rep.Interrupted = true
			break
		}
		stop := false
		if opts.Page && !seenWebSocket && info.status != 101 {
			pageStrip(&r, info)
			stop = true
		}
		seenWebSocket = seenWebSocket || info.status == 101
		if info.refused {
			if i == 0 {
				info.diag = DiagNotListening
				r.Got = diagText(DiagNotListening, t.Addr, opts.Lang)
				// The case's own paragraph is about status lines; the
				// server is not there at all, and the lesson on
				// running your own server says how to start it.
				r.Explanation = ""
				r.Lesson = opts.Lessons + "/lessons/your-server"
			} else {
				info.diag = DiagStoppedListening
			}
			stop = true
		}
		if info.diag != "" {
			found[info.diag] = append(found[info.diag], c.ID)
		}
		if si > 0 && r.Status == Fail && isFirstOfStage(cases, i) && (info.silent || info.diag == DiagEchoedMasked) {
			// The stage's first case shows the feature is simply not
			// there yet: one representative failure, not a wall of red.
			notYet[c.Stage] = 0
			// What the case would teach is for later: now the learner
			// needs the stage's lesson.
			r.Explanation = notYetText(c.Stage, cases[i+1:], opts.Lessons, info.silent, opts.Lang)
			if st, _ := StageOf(c.Stage); len(st.Lessons) > 0 {
				r.Lesson = LessonURL(opts.Lessons, st.Lessons[0], opts.Lang)
			}
			if si == 1 && info.silent {
				found[DiagHandshakeOnly] = append(found[DiagHandshakeOnly], c.ID)
			}
			last = si
		}
		if si == 0 && r.Status == Fail && basicHandshake[c.ID] {
			handshakeBroken = true
		}
		// Once, after every change above: what the server sent is
		// escaped in every report.
		cleanResult(&r)
		rep.Results = append(rep.Results, r)
		if progress != nil {
			progress(r)
		}
		if stop {
			last = min(last, si)
			break
		}
	}
	if handshakeBroken {
		last = 0
	}
	for _, st := range Stages[last+1:] {
		rep.NotTried = append(rep.NotTried, st.ID)
	}
	rep.Duration = time.Since(rep.Started)
	rep.tally()
	rep.scoreStages(notYet, opts.Lessons)
	rep.Diagnosis = diagnose(found, t.Addr, opts.Lessons, opts.Lang)
	if rep.Diagnosis != nil {
		rep.Diagnosis.Text = Clean(rep.Diagnosis.Text)
	}
	return rep, nil
}

// notYetText explains a stage that is not there yet, for its one failure.
// LessonURL is the address of a lesson under base (e.g.
// "http://127.0.0.1:8080"), in the reader's language: a Chinese report
// links the Chinese lesson, which the server serves with ?lang=zh.
func LessonURL(base, slug, lang string) string {
	u := base + "/lessons/" + slug
	if lang != "" && lang != core.LangEN {
		u += "?lang=" + lang
	}
	return u
}

func notYetText(stage string, rest []Case, lessons string, silent bool, lang string) string {
	st, _ := StageOf(stage)
	n := 0
	for _, c := range rest {
		if c.Stage == stage {
			n++
		}
	}
	var urls []string
	for _, l := range st.Lessons {
		urls = append(urls, LessonURL(lessons, l, lang))
	}
	if lang == core.LangZH {
		what := "本阶段的第一个用例什么也没有收到"
		if !silent {
			what = "本阶段的第一个用例表明它检查的功能还没有"
		}
		return "尚未实现：" + what + "，所以你的服务器还没有做到“" + st.ZH + "”：" +
			strings.Join(urls, " 和 ") + " 会加上它。本阶段其余 " + strconv.Itoa(n) + " 个用例没有运行，之后的阶段也没有尝试。"
	}
	what := "nothing came back to the first case of this stage"
	if !silent {
		what = "the first case of this stage shows that what it checks is missing"
	}
	return "Not yet: " + what + ", so your server does not do \"" + st.Title + "\" yet: " +
		strings.Join(urls, " and ") + " " + pluralVerb(len(urls), "adds", "add") + " it. The other " + plural(n, "case") +
		" of this stage were not run, and the later stages were not tried."
}

// basicHandshake are the cases without which no later case can start.
var basicHandshake = map[string]bool{"handshake.status": true, "handshake.headers": true, "handshake.accept": true}

func isFirstOfStage(cases []Case, i int) bool {
	return i == 0 || cases[i-1].Stage != cases[i].Stage
}

// pageStrip keeps, of a page's result whose answer was not a WebSocket
// handshake response, the status line only.
func pageStrip(r *Result, info caseInfo) {
	if info.refused {
		return
	}
	line := info.statusLine
	switch {
	case info.status == 0 && !info.notHTTP:
		// Nothing came back (a hang, a closed connection): nothing to
		// hide, and the learner needs to know which.
		r.Got = strings.TrimSuffix(r.Got, ".") + ". The later cases need an answer to the handshake, so the check stops here."
		return
	case info.status == 0:
		r.Got = "the answer is not an HTTP response, so not a WebSocket handshake response."
	default:
		if len(line) > 80 {
			line = line[:80] + "…"
		}
		r.Got = "the server answered " + strconv.Quote(line) + ", which is not a WebSocket handshake response (101 Switching Protocols)."
	}
	r.Got += " From the page the check stops at such an answer and shows only its status line; run wsplay check on the command line to see every detail."
	r.Received, r.ReceivedFrames = "", nil
	if line != "" {
		r.ReceivedFrames = []string{line}
	}
}

// scoreStages fills Stages from the results.
func (rep *Report) scoreStages(notYet map[string]int, lessons string) {
	for _, st := range Stages {
		sc := StageScore{Stage: st.ID, Title: st.TitleIn(rep.Lang)}
		for _, r := range rep.Results {
			if r.Stage != st.ID {
				continue
			}
			switch r.Status {
			case Pass:
				sc.Pass++
			case Warn:
				sc.Warn++
			default:
				sc.Fail++
			}
		}
		skipped, isNotYet := notYet[st.ID]
		if sc.Total() == 0 {
			continue
		}
		sc.Status = StagePassed
		switch {
		case isNotYet:
			sc.Status, sc.Skipped = StageNotYet, skipped
		case sc.Fail > 0:
			sc.Status = StageFailing
		}
		for _, l := range st.Lessons {
			sc.Lessons = append(sc.Lessons, LessonURL(lessons, l, rep.Lang))
		}
		rep.Stages = append(rep.Stages, sc)
	}
}

func (rep *Report) tally() {
	idx := map[string]int{}
	for _, cat := range Categories {
		idx[cat.ID] = len(rep.Scores)
		rep.Scores = append(rep.Scores, Score{Category: cat.ID, Title: cat.Title.In(rep.Lang)})
	}
	for _, r := range rep.Results {
		s := &rep.Scores[idx[r.Category]]
		switch r.Status {
		case Pass:
			s.Pass++
			rep.Pass++
		case Warn:
			s.Warn++
			rep.Warn++
		default:
			s.Fail++
			rep.Fail++
		}
	}
	kept := rep.Scores[:0]
	for _, s := range rep.Scores {
		if s.Total() > 0 {
			kept = append(kept, s)
		}
	}
	rep.Scores = kept
}

// caseInfo is what Run learns from a case beyond its result.
type caseInfo struct {
	diag       string // a classic mistake the case recognised
	silent     bool   // after a good handshake, nothing at all came back
	refused    bool   // nothing listened at the address
	status     int    // the status code of the first response head, or 0
	statusLine string // its status line
	notHTTP    bool   // bytes came back that are not an HTTP response
}

// runCase runs one case on a fresh connection within the time limit.
func runCase(ctx context.Context, t *reach.Target, opts Options, c Case) (Result, caseInfo) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	s := &session{t: t, opts: opts, deadline: start.Add(opts.Timeout), zeroKey: c.Stage == "frames"}
	v := s.open(ctx, !c.RawHandshake)
	if v == nil {
		v = c.run(s)
	}
	s.close()
	lang := opts.Lang
	r := Result{
		ID: c.ID, Category: c.Category, Stage: c.Stage, Title: c.Title.In(lang), Status: v.status, Got: v.got.In(lang),
		Rule: RefIn(c.Rule, lang), Lesson: LessonURL(opts.Lessons, c.Lesson, lang),
		Duration: time.Since(start),
	}
	if v.rule != nil {
		r.Rule = RefIn(*v.rule, lang)
	}
	if v.lesson != "" {
		r.Lesson = LessonURL(opts.Lessons, v.lesson, lang)
	}
	if v.status != Pass && v.brief && !c.RawHandshake {
		r.Explanation = v.explain.In(lang)
	} else if v.status != Pass {
		r.Explanation = c.Explain.In(lang)
		if v.explain.EN != "" {
			r.Explanation = v.explain.In(lang)
		}
	}
	if v.status != Pass && !(v.brief && !c.RawHandshake) {
		r.Sent, r.SentFrames = s.sent.hex(lang), s.sent.describe(core.Server, lang)
		r.Received, r.ReceivedFrames = s.recv.hex(lang), s.recv.describe(core.Client, lang)
		if s.sentHead != "" {
			r.SentFrames = headLines(s.sentHead)
		}
		if s.recvHead != "" {
			r.ReceivedFrames = append(headLines(s.recvHead), r.ReceivedFrames...)
		}
	}
	info := caseInfo{diag: v.diag, refused: s.dialRefused, status: s.status, statusLine: s.statusLine, notHTTP: s.notHTTP,
		silent: v.silent && s.fr != nil && s.recv.total == 0}
	return r, info
}
