package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// reference is the server the others are compared for: wsplay is measured
// against the best of the comparison libraries, never against itself.
const reference = "wsplay"

// row is one server's figures in one cell.
type row struct {
	cell   cell
	server string
	values map[string]float64 // by metric key
}

// memRow is one server's memory per idle connection.
type memRow struct {
	server        string
	conns         int
	before, after int64 // VmRSS, bytes
	deflate       bool  // permessage-deflate negotiated, and one compressed message echoed
}

// variant names the idle test's variant for the terminal.
func (m memRow) variant() string {
	if m.deflate {
		return " with permessage-deflate"
	}
	return ""
}

func (m memRow) perConn() float64 { return float64(m.after-m.before) / float64(m.conns) }

// metric is a figure of the load table and which way is better.
type metric struct {
	key, title   string
	higherBetter bool
	format       func(float64) string
}

var metrics = []metric{
	{"msgs", "msgs/s", true, func(v float64) string { return thousands(int64(math.Round(v))) }},
	{"p50", "p50 µs", false, func(v float64) string { return fmt.Sprintf("%.0f", v) }},
	{"p99", "p99 µs", false, func(v float64) string { return fmt.Sprintf("%.0f", v) }},
	{"cpu", "CPU µs/msg", false, func(v float64) string { return fmt.Sprintf("%.2f", v) }},
	{"reads", "reads/msg", false, func(v float64) string { return fmt.Sprintf("%.2f", v) }},
	{"writes", "writes/msg", false, func(v float64) string { return fmt.Sprintf("%.2f", v) }},
}

// deflateMetrics are the columns of the permessage-deflate table: the
// load table's but the system calls, which compression does not change.
var deflateMetrics = metrics[:4]

// deflateRows returns the rows of the permessage-deflate cells.
func deflateRows(rows []row) []row {
	return slices.DeleteFunc(slices.Clone(rows), func(r row) bool { return !r.cell.deflate })
}

func negotiated(deflate bool) string {
	if deflate {
		return "negotiated, one compressed echo"
	}
	return "not offered"
}

// figures turns a measurement into the table's values.
func figures(m measurement) map[string]float64 {
	n := float64(m.msgs)
	return map[string]float64{
		"msgs":      n / m.elapsed.Seconds(),
		"p50":       float64(percentile(m.latencies, 50)) / float64(time.Microsecond),
		"p99":       float64(percentile(m.latencies, 99)) / float64(time.Microsecond),
		"cpu":       float64(m.server.cpu) / float64(time.Microsecond) / n,
		"reads":     float64(m.server.syscr) / n,
		"writes":    float64(m.server.syscw) / n,
		"clientcpu": 100 * float64(m.self.cpu) / float64(m.self.wall),
		"zratio":    safeDiv(float64(m.zwire), float64(m.zplain)),
		"zsent":     safeDiv(float64(m.zsent), float64(m.zmessage)),
	}
}

func safeDiv(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// ratio is value divided by the best comparison library's value in the same
// cell: best is the highest when higher is better, else the lowest. ok is
// false when there is no comparison row or the best is 0 while value is not.
func ratio(value float64, peers []float64, higherBetter bool) (r float64, ok bool) {
	if len(peers) == 0 {
		return 0, false
	}
	best := peers[0]
	for _, p := range peers[1:] {
		if (higherBetter && p > best) || (!higherBetter && p < best) {
			best = p
		}
	}
	switch {
	case best == 0 && value == 0:
		return 1, true
	case best == 0:
		return 0, false
	}
	return value / best, true
}

// peersOf returns the comparison libraries' values of key in rows.
func peersOf[R any](rows []R, name func(R) string, value func(R) float64) []float64 {
	var out []float64
	for _, r := range rows {
		if name(r) != reference {
			out = append(out, value(r))
		}
	}
	return out
}

// byCell groups rows by cell, keeping the order cells first appear in.
func byCell(rows []row) [][]row {
	var groups [][]row
	index := map[cell]int{}
	for _, r := range rows {
		i, ok := index[r.cell]
		if !ok {
			i = len(groups)
			index[r.cell] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], r)
	}
	return groups
}

// cellRatio returns row r's ratio for metric m within its cell's rows.
func cellRatio(group []row, r row, m metric) (float64, bool) {
	peers := peersOf(group, func(x row) string { return x.server }, func(x row) float64 { return x.values[m.key] })
	return ratio(r.values[m.key], peers, m.higherBetter)
}

func ratioText(r float64, ok bool) string {
	if !ok {
		return "n/a"
	}
	return fmt.Sprintf("%.2f×", r)
}

// thousands writes n with thin separators: 1,234,567.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// writeText prints the tables for a terminal.
func writeText(w io.Writer, rows []row, mem []memRow) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "cell\tserver\t")
	for _, m := range metrics {
		fmt.Fprintf(tw, "%s\t(ratio)\t", m.title)
	}
	fmt.Fprint(tw, "client CPU %\t\n")
	for _, g := range byCell(plainRows(rows)) {
		for _, r := range g {
			fmt.Fprintf(tw, "%s\t%s\t", r.cell, r.server)
			for _, m := range metrics {
				fmt.Fprintf(tw, "%s\t%s\t", m.format(r.values[m.key]), ratioText(cellRatio(g, r, m)))
			}
			fmt.Fprintf(tw, "%.0f\t\n", r.values["clientcpu"])
		}
	}
	tw.Flush()
	if z := deflateRows(rows); len(z) > 0 {
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprint(tw, "permessage-deflate cell\tserver\t")
		for _, m := range deflateMetrics {
			fmt.Fprintf(tw, "%s\t(ratio)\t", m.title)
		}
		fmt.Fprint(tw, "echo on the wire\tsent on the wire\tclient CPU %\t\n")
		for _, g := range byCell(z) {
			for _, r := range g {
				fmt.Fprintf(tw, "%s\t%s\t", r.cell, r.server)
				for _, m := range deflateMetrics {
					fmt.Fprintf(tw, "%s\t%s\t", m.format(r.values[m.key]), ratioText(cellRatio(g, r, m)))
				}
				fmt.Fprintf(tw, "%.1f%%\t%.1f%%\t%.0f\t\n", 100*r.values["zratio"], 100*r.values["zsent"], r.values["clientcpu"])
			}
		}
		tw.Flush()
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "idle memory\tserver\tpermessage-deflate\tconns\tRSS before MiB\tRSS after MiB\tKiB/conn\t(ratio)\t\n")
	for _, m := range mem {
		fmt.Fprintf(tw, "\t%s\t%s\t%d\t%.1f\t%.1f\t%.1f\t%s\t\n", m.server, negotiated(m.deflate), m.conns, mib(m.before), mib(m.after), m.perConn()/1024, ratioText(memRatio(mem, m)))
	}
	tw.Flush()
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

func memRatio(all []memRow, m memRow) (float64, bool) {
	all = slices.DeleteFunc(slices.Clone(all), func(x memRow) bool { return x.deflate != m.deflate })
	peers := peersOf(all, func(x memRow) string { return x.server }, memRow.perConn)
	return ratio(m.perConn(), peers, false)
}

// runInfo describes the run for the report's header.
type runInfo struct {
	date, goVersion, cpu, kernel, pinning, settings string
}

// writeMarkdown writes the results as markdown tables.
func writeMarkdown(w io.Writer, info runInfo, rows []row, mem []memRow, micro string) {
	fmt.Fprintf(w, "Run of %s · %s · %s · Linux %s  \n", info.date, info.goVersion, info.cpu, info.kernel)
	fmt.Fprintf(w, "Pinning: %s  \nSettings: %s\n\n", info.pinning, info.settings)
	fmt.Fprintln(w, "Each figure is followed by its ratio to the best comparison library (gorilla, gobwas, coder, gws) in the same cell.")
	fmt.Fprintln(w, "For msgs/s above 1.00× is better; for every other column below 1.00× is better.")
	fmt.Fprintln(w)
	fmt.Fprint(w, "| connections | payload | mode | server |")
	for _, m := range metrics {
		fmt.Fprintf(w, " %s |", m.title)
	}
	fmt.Fprintln(w, " client CPU % |")
	fmt.Fprint(w, "|---:|---:|:---|:---|")
	for range metrics {
		fmt.Fprint(w, "---:|")
	}
	fmt.Fprintln(w, "---:|")
	for _, g := range byCell(plainRows(rows)) {
		for _, r := range g {
			name := r.server
			if name == reference {
				name = "**" + name + "**"
			}
			fmt.Fprintf(w, "| %d | %s | %s | %s |", r.cell.conns, sizeName(r.cell.size), r.cell.mode(), name)
			for _, m := range metrics {
				fmt.Fprintf(w, " %s (%s) |", m.format(r.values[m.key]), ratioText(cellRatio(g, r, m)))
			}
			fmt.Fprintf(w, " %.0f |\n", r.values["clientcpu"])
		}
	}
	if z := deflateRows(rows); len(z) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "With permessage-deflate negotiated (offer `"+deflateOffer+"`), closed loop, JSON-like text sent compressed; gobwas is left out (see above).")
		fmt.Fprintln(w, "*Echo on the wire* is the compressed size of the server's echoes over the text's size; *sent* is the load generator's message, the same bytes for every server.")
		fmt.Fprintln(w)
		fmt.Fprint(w, "| connections | payload | server |")
		for _, m := range deflateMetrics {
			fmt.Fprintf(w, " %s |", m.title)
		}
		fmt.Fprintln(w, " echo on the wire | sent on the wire | client CPU % |")
		fmt.Fprint(w, "|---:|---:|:---|")
		for range deflateMetrics {
			fmt.Fprint(w, "---:|")
		}
		fmt.Fprintln(w, "---:|---:|---:|")
		for _, g := range byCell(z) {
			for _, r := range g {
				name := r.server
				if name == reference {
					name = "**" + name + "**"
				}
				fmt.Fprintf(w, "| %d | %s | %s |", r.cell.conns, sizeName(r.cell.size), name)
				for _, m := range deflateMetrics {
					fmt.Fprintf(w, " %s (%s) |", m.format(r.values[m.key]), ratioText(cellRatio(g, r, m)))
				}
				fmt.Fprintf(w, " %.1f %% | %.1f %% | %.0f |\n", 100*r.values["zratio"], 100*r.values["zsent"], r.values["clientcpu"])
			}
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| server | permessage-deflate | idle connections | VmRSS before | VmRSS after | memory per idle connection |")
	fmt.Fprintln(w, "|:---|:---|---:|---:|---:|---:|")
	for _, m := range mem {
		fmt.Fprintf(w, "| %s | %s | %d | %.1f MiB | %.1f MiB | %.1f KiB (%s) |\n", m.server, negotiated(m.deflate), m.conns, mib(m.before), mib(m.after), m.perConn()/1024, ratioText(memRatio(mem, m)))
	}
	if micro != "" {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Micro-benchmarks of the same run (`go test -bench . -benchmem`; `-2` is GOMAXPROCS, not pinned):")
		fmt.Fprintln(w)
		fmt.Fprintln(w, "```text")
		fmt.Fprint(w, micro)
		fmt.Fprintln(w, "```")
	}
}

// The markers between which a run writes its results in the document.
const (
	startMarker = "<!-- bench:results:start -->"
	endMarker   = "<!-- bench:results:end -->"
)

// splice returns doc with what lies between the markers replaced by
// results.
func splice(doc, results string) (string, error) {
	i := strings.Index(doc, startMarker)
	j := strings.Index(doc, endMarker)
	switch {
	case i < 0 || j < 0:
		return "", fmt.Errorf("the document needs the markers %s and %s, in that order, for the results to go between them", startMarker, endMarker)
	case j < i:
		return "", fmt.Errorf("%s comes before %s; the results go between them in that order", endMarker, startMarker)
	case strings.Count(doc, startMarker) > 1 || strings.Count(doc, endMarker) > 1:
		return "", errors.New("the document has more than one pair of bench:results markers; keep exactly one")
	}
	return doc[:i+len(startMarker)] + "\n" + results + doc[j:], nil
}

// updateDoc writes results between the markers of the markdown file at
// path; a file that does not exist yet is created with just the markers.
func updateDoc(path, results string) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		b, err = []byte(startMarker+"\n"+endMarker+"\n"), nil
	}
	if err != nil {
		return err
	}
	doc, err := splice(string(b), results)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.WriteFile(path, []byte(doc), 0o644)
}

// microLines keeps the result lines of go test -bench output (and its
// goos/cpu/pkg header lines), dropping PASS/ok noise.
func microLines(out string) string {
	var b strings.Builder
	for line := range strings.Lines(out) {
		for _, p := range []string{"Benchmark", "goos:", "goarch:", "pkg:", "cpu:"} {
			if strings.HasPrefix(line, p) {
				b.WriteString(line)
				break
			}
		}
	}
	return b.String()
}
