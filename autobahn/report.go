//go:build !js

package autobahn

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// IndexEntry is one case of one agent in index.json, Autobahn's summary
// that CI scripts read.
type IndexEntry struct {
	Behavior        string `json:"behavior"`
	BehaviorClose   string `json:"behaviorClose"`
	Duration        int64  `json:"duration"`
	RemoteCloseCode *int   `json:"remoteCloseCode"`
	ReportFile      string `json:"reportfile"`
}

// ReportFile is the name of a case's JSON report, as Autobahn names it:
// the agent in lower case with every other character turned into "_",
// then "_case_", then the case id with "_" for ".", e.g.
// "autobahnpython_0_6_0_case_1_1_1.json".
func ReportFile(agent, id string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(agent)) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte(' ')
		}
	}
	name := strings.ReplaceAll(strings.TrimSpace(b.String()), " ", "_")
	return name + "_case_" + strings.ReplaceAll(id, ".", "_") + ".json"
}

// Index builds index.json's content: agent → case id → entry.
func Index(reports ...*Report) map[string]map[string]IndexEntry {
	idx := map[string]map[string]IndexEntry{}
	for _, rep := range reports {
		m := idx[rep.Agent]
		if m == nil {
			m = map[string]IndexEntry{}
			idx[rep.Agent] = m
		}
		for _, r := range rep.Results {
			m[r.ID] = IndexEntry{Behavior: r.Behavior, BehaviorClose: r.BehaviorClose, Duration: r.Duration,
				RemoteCloseCode: r.RemoteCloseCode, ReportFile: ReportFile(r.Agent, r.ID)}
		}
	}
	return idx
}

// WriteDir writes the reports into dir: index.json, one JSON file per case
// and agent, and index.html. dir is created when missing.
func WriteDir(dir string, reports ...*Report) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	idx, err := json.MarshalIndent(Index(reports...), "", "   ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "index.json"), append(idx, '\n'), 0o644); err != nil {
		return err
	}
	for _, rep := range reports {
		for _, r := range rep.Results {
			b, err := json.MarshalIndent(r, "", "   ")
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(dir, ReportFile(r.Agent, r.ID)), append(b, '\n'), 0o644); err != nil {
				return err
			}
		}
	}
	f, err := os.Create(filepath.Join(dir, "index.html"))
	if err != nil {
		return err
	}
	if err := WriteHTML(f, reports...); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// plain turns Autobahn's descriptions (which carry <b> and <br>) into text.
var plain = strings.NewReplacer("<br>", "\n", "<b>", "", "</b>", "").Replace

// section is the first number of a case id: "6" for 6.4.1.
func section(id string) string {
	s, _, _ := strings.Cut(id, ".")
	return s
}

var outcomeOrder = []string{OK, NonStrict, Informational, Unimplemented, Failed}

func countLine(n map[string]int) string {
	var parts []string
	for _, o := range outcomeOrder {
		if n[o] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", o, n[o]))
		}
	}
	return strings.Join(parts, ", ")
}

// WriteText prints the report for a terminal or a CI log: a line per
// section, then every FAILED and NON-STRICT case with what happened, the
// rule, the explanation and the lesson; with all, every case gets a line.
func WriteText(w io.Writer, rep *Report, all bool) {
	role := "server"
	if rep.IsServer {
		role = "client"
	}
	fmt.Fprintf(w, "Autobahn|Testsuite cases, %s under test %q (%s): %d cases in %s\n\n", role, rep.Agent, rep.Target, len(rep.Results), rep.Elapsed.Round(time.Millisecond))
	var sections []string
	bySection := map[string]map[string]int{}
	for _, r := range rep.Results {
		s := section(r.ID)
		if bySection[s] == nil {
			bySection[s] = map[string]int{}
			sections = append(sections, s)
		}
		bySection[s][r.Outcome]++
	}
	for _, s := range sections {
		fmt.Fprintf(w, "  %-3s %-28s %s\n", s, sectionTitles[s], countLine(bySection[s]))
	}
	listed := false
	for _, r := range rep.Results {
		if !all && r.Outcome != Failed && r.Outcome != NonStrict {
			continue
		}
		if !listed {
			fmt.Fprintln(w)
			listed = true
		}
		timing := ""
		if r.ReportTime {
			timing = fmt.Sprintf(" [%d ms]", r.Duration)
		}
		fmt.Fprintf(w, "%-13s %-8s %s%s\n", r.Summary(), r.ID, firstLine(plain(r.Description)), timing)
		if r.Outcome != Failed && r.Outcome != NonStrict {
			continue
		}
		fmt.Fprintf(w, "    expected: %s\n", firstLine(plain(r.Expectation)))
		fmt.Fprintf(w, "    behavior %s: %s\n", r.Behavior, r.Result)
		fmt.Fprintf(w, "    close %s: %s%s\n", r.BehaviorClose, r.ResultClose, closeCodeText(r.RemoteCloseCode))
		if r.Broke != "" {
			fmt.Fprintf(w, "    the %s %s\n", peerName(rep), r.Broke)
		}
		if r.Rule != nil {
			fmt.Fprintf(w, "    rule %s: %s\n", r.Rule.ID, r.Rule.Cite())
		}
		if r.Explanation != "" {
			fmt.Fprintf(w, "    why: %s\n", r.Explanation)
		}
		if r.Lesson != "" {
			fmt.Fprintf(w, "    lesson: %s\n", r.Lesson)
		}
	}
	fmt.Fprintf(w, "\nTotal: %s\n", countLine(rep.Count()))
	if rep.Interrupted {
		fmt.Fprintln(w, "The run was interrupted before every case ran.")
	}
}

func peerName(rep *Report) string {
	if rep.IsServer {
		return "client"
	}
	return "server"
}

func closeCodeText(c *int) string {
	if c == nil {
		return " (no close code came)"
	}
	return " (close code " + strconv.Itoa(*c) + ")"
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

var sectionTitles = map[string]string{
	"1": "Framing", "2": "Pings/Pongs", "3": "Reserved Bits", "4": "Opcodes", "5": "Fragmentation",
	"6": "UTF-8 Handling", "7": "Close Handling", "9": "Limits/Performance", "10": "Misc",
	"12": "WebSocket Compression", "13": "WebSocket Compression",
}

var htmlReport = template.Must(template.New("r").Funcs(template.FuncMap{
	"plain": plain, "lower": strings.ToLower, "anchor": func(agent, id string) string { return strings.TrimSuffix(ReportFile(agent, id), ".json") },
	"code": func(c *int) string {
		if c == nil {
			return "–"
		}
		return strconv.Itoa(*c)
	},
	"css":    func(o string) string { return strings.ReplaceAll(strings.ToLower(o), " ", "-") },
	"counts": func(rep *Report) string { return countLine(rep.Count()) },
	"json": func(v any) string {
		b, _ := json.Marshal(v)
		return string(b)
	},
	"explained": func(r Result) bool { return r.Outcome == Failed || r.Outcome == NonStrict },
	"sections": func(rep *Report) []string {
		seen := map[string]bool{}
		var out []string
		for _, r := range rep.Results {
			if s := section(r.ID); !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
		sort.SliceStable(out, func(i, j int) bool { a, _ := strconv.Atoi(out[i]); b, _ := strconv.Atoi(out[j]); return a < b })
		return out
	},
	"title":      func(s string) string { return sectionTitles[s] },
	"reportfile": ReportFile,
	"dur":        func(d time.Duration) string { return d.Round(time.Millisecond).String() },
	"section":    section,
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Autobahn|Testsuite report by wsplay</title>
<style>
body{font:16px/1.45 system-ui,sans-serif;margin:1.5rem;color:#222;max-width:70rem}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}
td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left;vertical-align:top}
.ok{background:#c8f0c8}.non-strict{background:#f5e9a8}.informational{background:#d8e4f5}
.unimplemented{background:#e4e4e4}.failed,.unclean,.wrong-code{background:#f5b8b8}.failed-by-client{background:#f5e9a8}
pre{white-space:pre-wrap;background:#f6f6f6;padding:.4rem}
section.case{border-top:1px solid #ccc;margin-top:1rem}
@media print{a{color:inherit}}
</style></head><body>
<h1>Autobahn|Testsuite report</h1>
<p>Written by <code>wsplay check -suite autobahn</code>. The case ids, descriptions, expectations and
outcome categories are those of Autobahn|Testsuite's fuzzing {{if (index . 0).IsServer}}server{{else}}client{{end}}.</p>
{{range .}}
<h2 id="agent-{{lower .Agent}}">{{if .IsServer}}Client{{else}}Server{{end}} under test: {{.Agent}}</h2>
<p>{{.Target}} — {{len .Results}} cases in {{dur .Elapsed}} — {{counts .}}</p>
{{$rep := .}}
{{range $s := sections .}}
<h3>{{$s}} {{title $s}}</h3>
<table><tr><th>Case</th><th>Outcome</th><th>Behavior</th><th>Close</th><th>Remote code</th><th>Duration</th></tr>
{{range $rep.Results}}{{if eq (section .ID) $s}}<tr>
<td><a href="#{{anchor .Agent .ID}}">{{.ID}}</a></td><td class="{{css .Outcome}}">{{.Outcome}}</td>
<td class="{{css .Behavior}}">{{.Behavior}}</td><td class="{{css .BehaviorClose}}">{{.BehaviorClose}}</td>
<td>{{code .RemoteCloseCode}}</td><td>{{.Duration}} ms</td></tr>
{{end}}{{end}}</table>
{{end}}
{{range .Results}}{{if ne .Outcome "UNIMPLEMENTED"}}
<section class="case" id="{{anchor .Agent .ID}}">
<h4>Case {{.ID}} — <span class="{{css .Outcome}}">{{.Outcome}}</span></h4>
<p style="white-space:pre-line">{{plain .Description}}</p>
<p><b>Expectation:</b> {{plain .Expectation}}</p>
<p><b>Behavior {{.Behavior}}:</b> {{.Result}}<br><b>Close {{.BehaviorClose}}:</b> {{.ResultClose}} (remote close code {{code .RemoteCloseCode}})</p>
{{if explained .}}
{{if .Broke}}<p>The {{if .IsServer}}client{{else}}server{{end}} {{.Broke}}</p>{{end}}
{{if .Rule}}<p><b>Rule {{.Rule.ID}}:</b> {{.Rule.Text}} ({{.Rule.Source}})</p>{{end}}
{{if .Explanation}}<p>{{.Explanation}}</p>{{end}}
{{if .Lesson}}<p><a href="{{.Lesson}}">The lesson that explains it</a></p>{{end}}
<pre>expected: {{json .Expected}}
received: {{json .Received}}</pre>
{{end}}
<p><a href="{{reportfile .Agent .ID}}">This case's JSON report</a></p>
</section>
{{end}}{{end}}
{{end}}
</body></html>
`))

// WriteHTML writes the reports as one self-contained HTML page (no script,
// no external resource): a table per section, then every case, with the
// explanation, rule and lesson of each FAILED and NON-STRICT one.
func WriteHTML(w io.Writer, reports ...*Report) error {
	if len(reports) == 0 {
		return fmt.Errorf("no report to write")
	}
	return htmlReport.Execute(w, reports)
}
