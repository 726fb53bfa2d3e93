//go:build !js

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"wsplay/check"
	"wsplay/core"
)

// checkCmd is `wsplay check [flags] URL`: it runs the graded suite of
// package check against the server at URL and prints the report. The exit
// code is 0 when no case failed, 1 when one did (or, with -strict, warned),
// 2 for a usage error or a URL the check refuses.
func checkCmd(args []string, stdout, stderr io.Writer) int {
	var (
		opts    check.Options
		asJSON  bool
		htmlOut string
		runList string
		strict  bool
		large   = sizeList{1 << 20, 4 << 20}
		ab      autobahnFlags
	)
	fl := flag.NewFlagSet("wsplay check", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.DurationVar(&opts.Timeout, "timeout", check.DefaultTimeout, "time limit of each case, from connecting to the last answer; a server that takes longer is reported as hanging, and the next case starts on a new connection")
	fl.Var(&large, "large", "`sizes` of the large-message cases, comma-separated, with KiB or MiB (each must stay under the server's message limit); \"none\" skips them")
	fl.StringVar(&opts.Lessons, "lessons", check.DefaultLessons, "base `URL` of the lesson links in the report: where the learner's wsplay serves the course")
	fl.StringVar(&opts.Stage, "stage", "", "run only this `stage` and the ones before it: "+check.StageNames()+" (the default)")
	fl.StringVar(&runList, "run", "", "run only the cases whose id contains one of these comma-separated `words`, e.g. frame.,utf8 (ids are listed in docs/check.md)")
	fl.StringVar(&opts.Lang, "lang", "en", "`language` of the report: en (English) or zh (Simplified Chinese); ids, RFC sections and what the server sent are the same in both")
	fl.BoolVar(&asJSON, "json", false, "print the report as JSON on standard output instead of text")
	fl.StringVar(&htmlOut, "html", "", "also write the report as one self-contained HTML `file`, for a teacher to collect")
	fl.BoolVar(&opts.AllowRemote, "allow-remote", false, "allow addresses that are not loopback, private or link-local (only for a server you run yourself)")
	fl.BoolVar(&strict, "strict", false, "exit 1 on warnings too, not only on failures (with -suite autobahn: on NON-STRICT cases too)")
	var board boardFlags
	// -report means what the mode needs: the class board's URL for the
	// graded check, a directory for the Autobahn suite's files.
	var report string
	fl.StringVar(&report, "report", "", "graded check: after the run, put its stage results on the class board of the teacher's wsplay at this `URL`, e.g. http://192.168.1.10:8080 (with -nick and -code; shown as self-reported). With -suite autobahn or -client: the directory to write the reports into (index.json in Autobahn's format, one JSON per case, index.html)")
	fl.StringVar(&board.nick, "nick", "", "your `nickname` on the class board (with -report)")
	fl.StringVar(&board.code, "code", "", "the class `code` the teacher's server printed (with -report)")
	ab.register(fl)
	fl.Usage = func() {
		fmt.Fprint(stderr, `Usage: wsplay check [flags] ws://HOST:PORT/PATH

Runs a graded suite of RFC 6455 cases against a WebSocket server that echoes
every message back (text as text, binary as binary), such as the one you wrote
after the lessons, and explains every failure: what was sent, what came back,
the rule with its RFC section, and the lesson that covers it.

The cases come in stages that follow the course:
  handshake  lessons 2-3   the opening handshake and the Accept value
  frames     lessons 4-5   frames and the three length forms (masked with the
                           key 00 00 00 00, so a server that does not unmask
                           yet still echoes right)
  masking    lesson 6      random masking keys; an unmasked client frame
  fragments  lesson 7      fragmented messages
  control    lesson 8      ping, pong and control frames
  close      lesson 9      the closing handshake
  utf8       lesson 10     UTF-8 in text messages
  compression              permessage-deflate (RFC 7692): the answer to
                           offers, compressed echoes, RSV1 rules, invalid
                           DEFLATE data, a decompression bomb; a server
                           that declines compression passes ("not offered")
-stage NAME runs that stage and every stage before it, and says which later
stages it did not try. -lang zh writes the report (titles, verdicts, rules,
explanations, the diagnosis) in Simplified Chinese; every rule in it carries
its id (e.g. [server-no-mask]) in both languages. A stage whose first case gets nothing back is "not
yet": one failure, the lesson that adds it, and the later stages not tried.

When the check recognises a classic mistake (an echo still masked, an Accept
value in hex, a reply cut at one recv, nothing listening…) it says so once,
at the top of the report, with the lesson to read.

Every case opens a new connection and has a time limit (-timeout); a server
that hangs or crashes is reported as such and the next case goes on. Text
the server sent is printed with its control characters escaped, and no
message from the server may exceed twice the largest one the check sent
plus 1 MiB.

Only loopback (127.0.0.0/8, ::1), private (10.0.0.0/8, 172.16.0.0/12,
192.168.0.0/16, fc00::/7) and link-local addresses are checked: a host name
is resolved first and every address it resolves to must be one of those,
unless -allow-remote is given. This keeps the tool from being used to probe
other people's servers. wss:// is not supported yet.

With -report, the stage results (nothing else: no URL, no case details) go
to the class board of the teacher's wsplay, marked self-reported because
that server did not see the run.

Exit status: 0 when no case failed, 1 when at least one failed (with
-strict, also when one warned; with -suite autobahn, when a case is
FAILED, or with -strict NON-STRICT) or the board refused the report, 2 for
a usage error (an unknown -stage or -lang included) or a refused URL.
Colour is used when standard output is a terminal and NO_COLOR is not set.

With -suite autobahn the check runs the Autobahn|Testsuite cases instead
(the same case ids, expectations and outcomes), and with -client it is
Autobahn's fuzzing server, grading a WebSocket client; see docs/check.md.

Examples:
  wsplay check ws://127.0.0.1:8080/ws/echo
  wsplay check -stage handshake ws://127.0.0.1:9001/
  wsplay check -lang zh -stage frames ws://127.0.0.1:9001/
  wsplay check -run handshake,frame. ws://127.0.0.1:3368/
  wsplay check -html report.html -large 1MiB ws://localhost:3368/chat
  wsplay check -report http://192.168.1.10:8080 -nick Ada -code K7M-4QX ws://127.0.0.1:3368/
  wsplay check -suite autobahn -exclude '9.*' -report reports/servers ws://127.0.0.1:9001/
  wsplay check -client -listen 127.0.0.1:9001 -report reports/clients -once

Flags:
`)
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	// Flags may also come after the URL: wsplay check URL -run frame.
	if fl.NArg() > 1 {
		url := fl.Arg(0)
		if err := fl.Parse(fl.Args()[1:]); err != nil {
			return 2
		}
		fl.Parse(append([]string{"--", url}, fl.Args()...))
	}
	if ab.client || ab.suite == "autobahn" {
		ab.report = report
	} else {
		board.url = report
	}
	if ab.client {
		if fl.NArg() != 0 {
			fmt.Fprintln(stderr, "wsplay check -client: give no URL; the client under test connects to -listen")
			return 2
		}
		return ab.runClient(strict, opts.Lessons, stdout, stderr)
	}
	if ab.suite != "" && ab.suite != "autobahn" {
		fmt.Fprintf(stderr, "wsplay check: unknown -suite %q; the one suite is autobahn (leave -suite out for the graded check)\n", ab.suite)
		return 2
	}
	if fl.NArg() != 1 {
		fmt.Fprintln(stderr, "wsplay check: give exactly one URL, e.g. wsplay check ws://127.0.0.1:8080/ws/echo; see wsplay check -help")
		return 2
	}
	if err := check.ValidStage(opts.Stage); err != nil {
		fmt.Fprintf(stderr, "wsplay check: unknown -stage %q; the stages are %s\n", opts.Stage, check.StageNames())
		return 2
	}
	if !core.ValidLang(opts.Lang) {
		fmt.Fprintf(stderr, "wsplay check: unknown -lang %q; the languages are %s\n", opts.Lang, strings.Join(core.Langs, ", "))
		return 2
	}
	if opts.Timeout <= 0 {
		fmt.Fprintln(stderr, "wsplay check: -timeout must be positive")
		return 2
	}
	if err := board.check(); err != nil {
		fmt.Fprintln(stderr, "wsplay check:", err)
		return 2
	}
	opts.LargeSizes = []int(large)
	for _, w := range strings.Split(runList, ",") {
		if w = strings.TrimSpace(w); w != "" {
			opts.Run = append(opts.Run, w)
		}
	}
	target := fl.Arg(0)
	if ab.suite == "autobahn" {
		if opts.Stage != "" || runList != "" || asJSON || htmlOut != "" {
			fmt.Fprintln(stderr, "wsplay check: -stage, -run, -json and -html are for the graded check; with -suite autobahn use -cases, -exclude and -report")
			return 2
		}
		return ab.runServer(target, strict, opts.AllowRemote, opts.Lessons, stdout, stderr)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	tw := &check.TextWriter{W: stdout, Color: colorOK(stdout), Lang: opts.Lang}
	// The report is printed whole at the end, so that the diagnosis comes
	// first; meanwhile a terminal shows which case is running.
	var progress func(check.Result)
	if colorOK(stderr) {
		done := 0
		opts.Started = func(n int) { fmt.Fprintf(stderr, "wsplay check: running up to %d cases…", n) }
		progress = func(r check.Result) {
			done++
			fmt.Fprintf(stderr, "\r\x1b[Kwsplay check: %d done, last %s %s", done, r.Status, r.ID)
		}
	}
	rep, err := check.Run(ctx, target, opts, progress)
	if progress != nil {
		fmt.Fprint(stderr, "\r\x1b[K")
	}
	if err != nil {
		fmt.Fprintf(stderr, "wsplay check: %v\n", err)
		return 2
	}
	if len(rep.Results) == 0 {
		fmt.Fprintf(stderr, "wsplay check: -run %q matches no case\n", runList)
		return 2
	}
	if asJSON {
		if err := check.WriteJSON(stdout, rep); err != nil {
			fmt.Fprintf(stderr, "wsplay check: %v\n", err)
			return 1
		}
	} else {
		tw.Start(target, opts.Timeout)
		tw.Diagnose(rep)
		for _, r := range rep.Results {
			tw.Result(r)
		}
		tw.Summary(rep)
	}
	if htmlOut != "" {
		if err := writeHTMLFile(htmlOut, rep); err != nil {
			fmt.Fprintf(stderr, "wsplay check: cannot write the HTML report: %v\n", err)
			return 1
		}
		if !asJSON {
			fmt.Fprintf(stdout, "HTML report written to %s\n", htmlOut)
		}
	}
	if rep.Failed() || (strict && rep.Warn > 0) || rep.Interrupted {
		board.send(ctx, rep, opts.AllowRemote, stderr)
		return 1
	}
	if !board.send(ctx, rep, opts.AllowRemote, stderr) {
		return 1
	}
	return 0
}

func writeHTMLFile(name string, rep *check.Report) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := check.WriteHTML(f, rep); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// colorOK reports whether w is a terminal and NO_COLOR (no-color.org) is
// unset or empty.
func colorOK(w io.Writer) bool {
	if os.Getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// sizeList is a comma-separated list of byte sizes, or "none".
type sizeList []int

func (l *sizeList) String() string {
	if l == nil || len(*l) == 0 {
		return "none"
	}
	var parts []string
	for _, n := range *l {
		b := byteSize(n)
		parts = append(parts, b.String())
	}
	return strings.Join(parts, ",")
}

func (l *sizeList) Set(s string) error {
	*l = sizeList{}
	if strings.TrimSpace(s) == "none" {
		return nil
	}
	for _, part := range strings.Split(s, ",") {
		var b byteSize
		if err := b.Set(strings.TrimSpace(part)); err != nil {
			return err
		}
		if b <= 0 || b > 1<<30 {
			return errors.New("each size must be from 1 byte to 1GiB")
		}
		*l = append(*l, int(b))
	}
	return nil
}
