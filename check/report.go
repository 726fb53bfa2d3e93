//go:build !js

package check

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"

	"wsplay/core"
)

// TextWriter prints a run for a terminal: the diagnosis first (Diagnose),
// then a heading per stage, a line per case, the details of every WARN and
// FAIL (Result), and the summary with the stages not tried (Summary). Every
// text that came from the server is already escaped in the Report that Run
// returns (see Clean), so it is printed as it is. Colour uses ANSI escapes;
// leave Color false unless the output is a terminal. Lang is the language
// of the writer's own words ("" is English); the report's texts are in the
// language it was run with (Options.Lang).
type TextWriter struct {
	W     io.Writer
	Color bool
	Lang  string
	last  string // stage of the last result printed
}

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
)

func (tw *TextWriter) paint(code, s string) string {
	if !tw.Color {
		return s
	}
	return code + s + ansiReset
}

func (tw *TextWriter) status(s Status) string {
	switch s {
	case Pass:
		return tw.paint(ansiGreen, "PASS")
	case Warn:
		return tw.paint(ansiYellow+ansiBold, "WARN")
	}
	return tw.paint(ansiRed+ansiBold, "FAIL")
}

// Start prints the line that opens the report.
func (tw *TextWriter) Start(target string, timeout time.Duration) {
	fmt.Fprintf(tw.W, "%s %s (%s)\n", tw.paint(ansiBold, "wsplay check"), Clean(target), labelf("time-limit", tw.Lang, timeout))
}

// Diagnose prints the report's diagnosis, if any: the one thing to fix
// first, said once before the case details.
func (tw *TextWriter) Diagnose(rep *Report) {
	d := rep.Diagnosis
	if d == nil {
		return
	}
	fmt.Fprintf(tw.W, "\n%s [%s]\n", tw.paint(ansiBold+ansiRed, label("first-this", tw.Lang)), d.ID)
	for _, l := range wrap(d.Text, 88) {
		fmt.Fprintf(tw.W, "  %s\n", l)
	}
	fmt.Fprintf(tw.W, "  %s: %s\n", label("lesson", tw.Lang), d.Lesson)
	if len(d.Cases) > 0 {
		fmt.Fprintf(tw.W, "  %s: %s\n", label("seen-in", tw.Lang), strings.Join(d.Cases, ", "))
	}
}

// Result prints one result.
func (tw *TextWriter) Result(r Result) {
	if r.Stage != tw.last {
		tw.last = r.Stage
		fmt.Fprintf(tw.W, "\n%s\n", tw.paint(ansiBold, stageHeading(r.Stage, tw.Lang)))
	}
	fmt.Fprintf(tw.W, "  %s %-32s %s %s\n", tw.status(r.Status), r.ID, r.Title, tw.paint(ansiDim, "("+r.Duration.Round(time.Millisecond).String()+")"))
	if r.Status == Pass {
		return
	}
	field := func(name, value string) {
		if value == "" {
			return
		}
		lines := wrap(value, 88)
		name = label(name, tw.Lang) + ":"
		// Pad to columns: a Chinese label is 3 bytes and 2 columns a rune.
		fmt.Fprintf(tw.W, "       %s%s %s\n", name, strings.Repeat(" ", max(0, 9-textWidth(name))), lines[0])
		for _, l := range lines[1:] {
			fmt.Fprintf(tw.W, "                 %s\n", l)
		}
	}
	list := func(name string, hex string, items []string) {
		if hex == "" && len(items) > 0 {
			hex, items = items[0], items[1:]
		}
		field(name, hex)
		for _, it := range items {
			fmt.Fprintf(tw.W, "                 %s %s\n", tw.paint(ansiDim, "·"), it)
		}
	}
	field("got", r.Got)
	list("sent", r.Sent, r.SentFrames)
	if r.Received == "" && len(r.ReceivedFrames) == 0 && (r.Sent != "" || len(r.SentFrames) > 0) {
		field("received", label("nothing", tw.Lang))
	} else {
		list("received", r.Received, r.ReceivedFrames)
	}
	rule := r.Rule.Cite() // in the report's language
	if r.Rule.ID != "" {
		rule += " [" + r.Rule.ID + "]"
	}
	field("rule", rule)
	field("why", r.Explanation)
	field("lesson", r.Lesson)
}

// Summary prints the score of each stage, the stages not tried, and the
// totals.
func (tw *TextWriter) Summary(rep *Report) {
	fmt.Fprintf(tw.W, "\n%s\n", tw.paint(ansiBold, label("summary", tw.Lang)))
	if tw.Lang == core.LangZH {
		tw.summaryZH(rep)
		return
	}
	for _, s := range rep.Stages {
		var line string
		switch s.Status {
		case StageNotYet:
			line = fmt.Sprintf("  %-32s  %s", s.Title, tw.paint(ansiYellow+ansiBold, "not yet"))
			if s.Skipped > 0 {
				line += fmt.Sprintf(" (%s of this stage not run)", plural(s.Skipped, "more case"))
			}
			line += "\n  " + strings.Repeat(" ", 34) + "read " + strings.Join(s.Lessons, " and ")
		default:
			line = fmt.Sprintf("  %-32s %2d/%-2d passed", s.Title, s.Pass, s.Total())
			if s.Warn > 0 {
				line += fmt.Sprintf(", %d %s", s.Warn, tw.paint(ansiYellow, pluralWord(s.Warn, "warning")))
			}
			if s.Fail > 0 {
				line += fmt.Sprintf(", %d %s", s.Fail, tw.paint(ansiRed, "failed"))
			}
		}
		fmt.Fprintln(tw.W, line)
	}
	if len(rep.NotTried) > 0 {
		fmt.Fprintf(tw.W, "  Not tried: %s (each stage needs the ones before it).\n", strings.Join(rep.NotTried, ", "))
	}
	verdict := tw.paint(ansiGreen+ansiBold, "every case passed")
	switch {
	case rep.Fail > 0 && rep.onlyNotYet():
		verdict = tw.paint(ansiYellow+ansiBold, plural(rep.Fail, "case")+" failed") + ", only in a stage your server does not do yet"
	case rep.Fail > 0:
		verdict = tw.paint(ansiRed+ansiBold, plural(rep.Fail, "case")+" failed")
	case rep.Warn > 0:
		verdict = tw.paint(ansiGreen+ansiBold, "nothing failed") + " (" + plural(rep.Warn, "warning") + ")"
	}
	fmt.Fprintf(tw.W, "\n%d passed, %d %s, %d failed in %s: %s\n", rep.Pass, rep.Warn, pluralWord(rep.Warn, "warning"), rep.Fail,
		rep.Duration.Round(time.Millisecond), verdict)
	if rep.Interrupted {
		fmt.Fprintln(tw.W, "The run was interrupted before every case ran.")
	}
}

// summaryZH is Summary's Chinese: the same lines, without English plurals.
func (tw *TextWriter) summaryZH(rep *Report) {
	const zh = core.LangZH
	for _, s := range rep.Stages {
		title := s.Title
		if st, ok := StageOf(s.Stage); ok {
			title = st.ZH
		}
		pad := strings.Repeat(" ", max(1, 32-textWidth(title)))
		var line string
		switch s.Status {
		case StageNotYet:
			line = "  " + title + pad + " " + tw.paint(ansiYellow+ansiBold, label("not-yet", zh))
			if s.Skipped > 0 {
				line += labelf("not-run", zh, s.Skipped)
			}
			line += "\n  " + strings.Repeat(" ", 34) + labelf("read", zh, strings.Join(s.Lessons, label("and", zh)))
		default:
			line = "  " + title + pad + labelf("passed-of", zh, s.Pass, s.Total())
			if s.Warn > 0 {
				line += tw.paint(ansiYellow, labelf("warnings", zh, s.Warn))
			}
			if s.Fail > 0 {
				line += tw.paint(ansiRed, labelf("failed-n", zh, s.Fail))
			}
		}
		fmt.Fprintln(tw.W, line)
	}
	if len(rep.NotTried) > 0 {
		fmt.Fprintln(tw.W, labelf("not-tried", zh, strings.Join(rep.NotTried, ", ")))
	}
	verdict := tw.paint(ansiGreen+ansiBold, label("all-passed", zh))
	switch {
	case rep.Fail > 0 && rep.onlyNotYet():
		verdict = tw.paint(ansiYellow+ansiBold, labelf("only-not-yet", zh, rep.Fail))
	case rep.Fail > 0:
		verdict = tw.paint(ansiRed+ansiBold, labelf("some-failed", zh, rep.Fail))
	case rep.Warn > 0:
		verdict = tw.paint(ansiGreen+ansiBold, labelf("no-fail", zh, rep.Warn))
	}
	fmt.Fprintf(tw.W, "\n"+label("totals", zh)+"%s\n", rep.Pass, rep.Warn, rep.Fail, rep.Duration.Round(time.Millisecond), verdict)
	if rep.Interrupted {
		fmt.Fprintln(tw.W, label("interrupted", zh))
	}
}

// stageHeading is "Stage 2 of 7: Frames and payload lengths".
func stageHeading(id, lang string) string {
	i := stageIndex(id)
	if id == "" || i < 0 {
		return categoryTitle(id, lang)
	}
	return labelf("stage-of", lang, i+1, len(Stages), Stages[i].TitleIn(lang))
}

// onlyNotYet reports whether every failure is in a stage that is not there
// yet: a half-written server that does everything it does so far.
func (rep *Report) onlyNotYet() bool {
	for _, s := range rep.Stages {
		if s.Status == StageFailing {
			return false
		}
	}
	return true
}

func pluralVerb(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func categoryTitle(id, lang string) string {
	for _, c := range Categories {
		if c.ID == id {
			return c.Title.In(lang)
		}
	}
	return id
}

func plural(n int, word string) string { return fmt.Sprintf("%d %s", n, pluralWord(n, word)) }

func pluralWord(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// wrap breaks s into lines of at most width columns, at spaces; a word
// longer than width (a hex dump, a run of Chinese) is cut. A Chinese
// character takes two columns of a terminal (cellWidth).
func wrap(s string, width int) []string {
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		for _, w := range strings.Fields(para) {
			for w != "" {
				if line == "" {
					head, rest := cutWidth(w, width)
					if rest == "" {
						line = head
					} else {
						lines = append(lines, head)
					}
					w = rest
					continue
				}
				room := width - textWidth(line) - 1
				switch {
				case textWidth(w) <= room:
					line += " " + w
					w = ""
				case textWidth(w) != len([]rune(w)) && room >= 2:
					// Chinese breaks between any two characters:
					// fill the line rather than leave it short.
					head, rest := cutWidth(w, room)
					lines = append(lines, line+" "+head)
					line, w = "", rest
				default:
					lines = append(lines, line)
					line = ""
				}
			}
		}
		lines = append(lines, line)
	}
	return lines
}

// cellWidth is how many terminal columns a rune takes: two for the wide
// characters of East Asian scripts and full-width punctuation, else one.
func cellWidth(r rune) int {
	switch {
	case r >= 0x1100 && r <= 0x115f, r >= 0x2e80 && r <= 0xa4cf, r >= 0xac00 && r <= 0xd7a3,
		r >= 0xf900 && r <= 0xfaff, r >= 0xfe30 && r <= 0xfe4f, r >= 0xff00 && r <= 0xff60, r >= 0xffe0 && r <= 0xffe6:
		return 2
	}
	return 1
}

func textWidth(s string) int {
	n := 0
	for _, r := range s {
		n += cellWidth(r)
	}
	return n
}

// cutWidth splits s after at most width columns (at least one rune).
func cutWidth(s string, width int) (string, string) {
	n := 0
	for i, r := range s {
		if n+cellWidth(r) > width && i > 0 {
			return s[:i], s[i:]
		}
		n += cellWidth(r)
	}
	return s, ""
}

// WriteJSON writes the report as indented JSON.
func WriteJSON(w io.Writer, rep *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// WriteHTML writes the report as one self-contained HTML page (inline style,
// no script, no outside file) that a teacher can collect. Every text,
// including what the server sent, goes through html/template's escaping.
func WriteHTML(w io.Writer, rep *Report) error {
	return htmlReport.Execute(w, rep)
}

var htmlReport = template.Must(template.New("report").Funcs(template.FuncMap{
	"lower":  func(s Status) string { return strings.ToLower(s.String()) },
	"ms":     func(d time.Duration) string { return d.Round(time.Millisecond).String() },
	"title":  stageHeading,
	"lang":   langOr,
	"l":      func(id, lang string) string { return label("html."+id, lang) },
	"plural": plural,
	"join":   func(lines []string) string { return strings.Join(lines, "\n") },
	"newCategory": func(results []Result, i int) bool {
		return i == 0 || results[i-1].Stage != results[i].Stage
	},
}).Parse(`<!doctype html>
<html lang="{{lang .Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>wsplay check: {{.Target}}</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1a1a1a; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
code, pre { font-family: ui-monospace, monospace; font-size: .9em; }
pre { white-space: pre-wrap; word-break: break-all; background: #f4f4f4; padding: .5rem; margin: .25rem 0; }
table { border-collapse: collapse; } td, th { padding: .2rem .8rem .2rem 0; text-align: left; }
.status { font-weight: bold; display: inline-block; width: 3.5rem; }
.diag { border-left: 4px solid #b3141b; padding: .2rem 1rem; background: #fff4f4; }
.passed, .pass { color: #17692b; } .not-yet { color: #8a5a00; } .failing { color: #b3141b; } .warn { color: #8a5a00; } .fail { color: #b3141b; }
.case { margin: .3rem 0; } .detail { margin: .3rem 0 1rem 3.5rem; }
dt { font-weight: bold; } dd { margin: 0 0 .5rem 0; }
@media print { details { display: block; } }
</style>
</head>
<body>
<h1>wsplay check: <code>{{.Target}}</code></h1>
{{if eq .Lang "zh"}}<p>地址 {{.Address}}，开始于 {{.Started.UTC.Format "2006-01-02 15:04:05 UTC"}}，用时 {{ms .Duration}}。
<strong>{{.Pass}} 个通过，{{.Warn}} 个警告，{{.Fail}} 个失败。</strong>{{if .Interrupted}}运行被中断了。{{end}}</p>{{else}}<p>Address {{.Address}}, started {{.Started.UTC.Format "2006-01-02 15:04:05 UTC"}}, {{ms .Duration}}.
<strong>{{.Pass}} passed, {{plural .Warn "warning"}}, {{.Fail}} failed.</strong>{{if .Interrupted}} The run was interrupted.{{end}}</p>{{end}}
{{with .Diagnosis}}<div class="diag" id="diagnosis"><h2>{{l "first" $.Lang}} <code>[{{.ID}}]</code></h2><p>{{.Text}}</p><p>{{l "lesson" $.Lang}}: <a href="{{.Lesson}}">{{.Lesson}}</a></p></div>{{end}}
<table>
<tr><th>{{l "stage" .Lang}}</th><th>{{l "passed" .Lang}}</th><th>{{l "warnings" .Lang}}</th><th>{{l "failed" .Lang}}</th><th></th></tr>
{{range .Stages}}<tr><td>{{.Title}}</td><td>{{.Pass}}/{{.Total}}</td><td>{{.Warn}}</td><td>{{.Fail}}</td><td class="{{.Status}}">{{if eq .Status "not-yet"}}{{l "not-yet" $.Lang}}{{if .Skipped}} ({{.Skipped}} {{l "more-not-run" $.Lang}}){{end}}{{else}}{{.Status}}{{end}}</td></tr>
{{end}}</table>
{{if .NotTried}}<p>{{l "not-tried" .Lang}} {{range $i, $s := .NotTried}}{{if $i}}, {{end}}{{$s}}{{end}} {{l "needs-before" .Lang}}</p>{{end}}
{{$results := .Results}}{{range $i, $r := .Results}}{{if newCategory $results $i}}<h2>{{title $r.Stage (lang $.Lang)}}</h2>{{end}}
<div class="case" id="{{$r.ID}}"><span class="status {{lower $r.Status}}">{{$r.Status}}</span> <code>{{$r.ID}}</code> {{$r.Title}}</div>
{{if ne $r.Status 0}}<dl class="detail">
<dt>{{l "what" $.Lang}}</dt><dd>{{$r.Got}}</dd>
{{if or $r.Sent $r.SentFrames}}<dt>{{l "sent" $.Lang}}</dt><dd>{{if $r.Sent}}<pre>{{$r.Sent}}</pre>{{end}}{{if $r.SentFrames}}<pre>{{join $r.SentFrames}}</pre>{{end}}</dd>
<dt>{{l "received" $.Lang}}</dt><dd>{{if $r.Received}}<pre>{{$r.Received}}</pre>{{end}}{{if $r.ReceivedFrames}}<pre>{{join $r.ReceivedFrames}}</pre>{{end}}{{if not (or $r.Received $r.ReceivedFrames)}}{{l "nothing" $.Lang}}{{end}}</dd>{{end}}
<dt>{{l "rule" $.Lang}}</dt><dd>{{$r.Rule.Text}} ({{$r.Rule.Source}}){{if $r.Rule.ID}} <code>[{{$r.Rule.ID}}]</code>{{end}}</dd>
<dt>{{l "why" $.Lang}}</dt><dd>{{$r.Explanation}}</dd>
<dt>{{l "lesson" $.Lang}}</dt><dd><a href="{{$r.Lesson}}">{{$r.Lesson}}</a></dd>
</dl>{{end}}{{end}}
</body>
</html>
`))
