package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRatio(t *testing.T) {
	tests := []struct {
		name         string
		value        float64
		peers        []float64
		higherBetter bool
		want         float64
		ok           bool
	}{
		{"faster than the best", 150, []float64{100, 120, 80}, true, 1.25, true},
		{"slower than the best", 60, []float64{100, 120, 80}, true, 0.5, true},
		{"cheaper than the best", 2, []float64{4, 8, 5}, false, 0.5, true},
		{"dearer than the best", 12, []float64{4, 8, 5}, false, 3, true},
		{"the best itself", 4, []float64{4, 8}, false, 1, true},
		{"best is zero, so is value", 0, []float64{0, 1}, false, 1, true},
		{"best is zero, value is not", 2, []float64{0, 1}, false, 0, false},
		{"no comparison", 5, nil, true, 0, false},
	}
	for _, tt := range tests {
		got, ok := ratio(tt.value, tt.peers, tt.higherBetter)
		if ok != tt.ok || got != tt.want {
			t.Errorf("%s: got %v, %v; want %v, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

// fixture is two cells of four servers, with figures chosen so that the
// ratios are easy to check by hand.
func fixture() []row {
	a := cell{conns: 1, size: 16, depth: 1}
	b := cell{conns: 64, size: 1024, depth: 16}
	mk := func(c cell, server string, msgs, cpu float64) row {
		return row{cell: c, server: server, values: map[string]float64{"msgs": msgs, "p50": 10, "p99": 20, "cpu": cpu, "reads": 1, "writes": 1, "clientcpu": 50}}
	}
	return []row{
		mk(a, "wsplay", 300, 3), mk(a, "gorilla", 200, 4), mk(a, "gobwas", 150, 2), mk(a, "coder", 100, 8),
		mk(b, "wsplay", 50, 10), mk(b, "gorilla", 100, 5), mk(b, "gobwas", 80, 6), mk(b, "coder", 90, 20),
	}
}

func TestCellRatios(t *testing.T) {
	rows := fixture()
	groups := byCell(rows)
	if len(groups) != 2 || len(groups[0]) != 4 || len(groups[1]) != 4 {
		t.Fatalf("byCell made %d groups", len(groups))
	}
	want := map[string][2]float64{ // per cell and server: msgs ratio, cpu ratio
		"0 wsplay": {1.5, 1.5}, "0 gorilla": {1, 2}, "0 gobwas": {0.75, 1}, "0 coder": {0.5, 4},
		"1 wsplay": {0.5, 2}, "1 gorilla": {1, 1}, "1 gobwas": {0.8, 1.2}, "1 coder": {0.9, 4},
	}
	for gi, g := range groups {
		for _, r := range g {
			key := string(rune('0'+gi)) + " " + r.server
			m, _ := cellRatio(g, r, metricByKey("msgs"))
			c, _ := cellRatio(g, r, metricByKey("cpu"))
			if w := want[key]; m != w[0] || c != w[1] {
				t.Errorf("%s: ratios msgs %v, cpu %v; want %v", key, m, c, w)
			}
		}
	}
	mem := []memRow{
		{server: "wsplay", conns: 100, after: 100 * 2048},
		{server: "gorilla", conns: 100, after: 100 * 4096},
		{server: "gobwas", conns: 100, before: 1024, after: 100*1024 + 1024},
		// With compression, compared only with the others with it.
		{server: "wsplay", conns: 100, after: 100 * 8192, deflate: true},
		{server: "gorilla", conns: 100, after: 100 * 4096, deflate: true},
	}
	if r, ok := memRatio(mem, mem[0]); !ok || r != 2 {
		t.Errorf("memory ratio of wsplay: %v, %v; want 2 (2 KiB against gobwas's 1 KiB)", r, ok)
	}
	if r, ok := memRatio(mem, mem[3]); !ok || r != 2 {
		t.Errorf("memory ratio of wsplay with permessage-deflate: %v, %v; want 2 (8 KiB against gorilla's 4 KiB with it)", r, ok)
	}
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i))
	}
	for _, tt := range []struct {
		p    float64
		want time.Duration
	}{{50, 50}, {99, 99}, {100, 100}, {0, 1}, {1, 1}} {
		if got := percentile(d, tt.p); got != tt.want {
			t.Errorf("p%v = %v, want %v", tt.p, got, tt.want)
		}
	}
	if percentile(nil, 50) != 0 {
		t.Error("percentile of nothing is not 0")
	}
}

func TestThousands(t *testing.T) {
	for in, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -4500: "-4,500"} {
		if got := thousands(in); got != want {
			t.Errorf("thousands(%d) = %q, want %q", in, got, want)
		}
	}
}

func TestTables(t *testing.T) {
	rows := fixture()
	z := cell{conns: 1, size: 1024, depth: 1, deflate: true}
	rows = append(rows,
		row{cell: z, server: "wsplay", values: map[string]float64{"msgs": 100, "cpu": 30, "zratio": 0.25, "zsent": 0.3}},
		row{cell: z, server: "gorilla", values: map[string]float64{"msgs": 200, "cpu": 10, "zratio": 0.5, "zsent": 0.3}})
	mem := []memRow{{server: "wsplay", conns: 100, after: 100 * 2048}, {server: "gorilla", conns: 100, after: 100 * 4096}}
	var md, txt bytes.Buffer
	writeMarkdown(&md, runInfo{date: "today", goVersion: "go1.26"}, rows, mem, "BenchmarkX-2 1 2 ns/op\n")
	writeText(&txt, rows, mem)
	for _, want := range []string{
		"| 1 | 16 B | closed | **wsplay** | 300 (1.50×) | 10 (1.00×) | 20 (1.00×) | 3.00 (1.50×) |",
		"| 64 | 1 KiB | pipelined 16 | coder | 90 (0.90×) |",
		"| wsplay | not offered | 100 | 0.0 MiB | 0.2 MiB | 2.0 KiB (0.50×) |",
		// The compressed cells in a table of their own, with the wire ratios.
		"| 1 | 1 KiB | **wsplay** | 100 (0.50×) | 0 (1.00×) | 0 (1.00×) | 30.00 (3.00×) | 25.0 % | 30.0 % |",
		"BenchmarkX-2 1 2 ns/op",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q; it is:\n%s", want, md.String())
		}
	}
	if n := strings.Count(md.String(), "\n| "); n != 8+1+2+1+2+1 {
		t.Errorf("markdown has %d table lines, want 15 (8 rows, 2 compressed rows, 2 memory rows, 3 headers)", n)
	}
	if strings.Contains(md.String(), "closed, deflate") {
		t.Errorf("a compressed cell is in the main table:\n%s", md.String())
	}
	if !strings.Contains(txt.String(), "1.50×") || !strings.Contains(txt.String(), "2.0") {
		t.Errorf("text table lacks the ratios:\n%s", txt.String())
	}
}

func TestSplice(t *testing.T) {
	doc := "# Title\n\nintro\n" + startMarker + "\nold results\n" + endMarker + "\n\nafter\n"
	got, err := splice(doc, "new results\n")
	if err != nil {
		t.Fatal(err)
	}
	want := "# Title\n\nintro\n" + startMarker + "\nnew results\n" + endMarker + "\n\nafter\n"
	if got != want {
		t.Errorf("splice gave\n%s\nwant\n%s", got, want)
	}
	again, _ := splice(got, "new results\n")
	if again != got {
		t.Error("a second run with the same results changed the document")
	}
	for name, bad := range map[string]string{
		"no markers": "# Title\n",
		"no end":     startMarker + "\n",
		"reversed":   endMarker + "\n" + startMarker + "\n",
		"two pairs":  startMarker + endMarker + startMarker + endMarker,
	} {
		if _, err := splice(bad, "x"); err == nil || !strings.Contains(err.Error(), "bench:results") {
			t.Errorf("%s: error %v, want one naming the markers", name, err)
		}
	}
}

func TestUpdateDoc(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "new.md")
	if err := updateDoc(path, "results\n"); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if string(b) != startMarker+"\nresults\n"+endMarker+"\n" {
		t.Errorf("a new document is %q", b)
	}
	bad := filepath.Join(dir, "bad.md")
	os.WriteFile(bad, []byte("no markers\n"), 0o644)
	if err := updateDoc(bad, "results\n"); err == nil {
		t.Error("a document without markers was accepted")
	}
	if b, _ := os.ReadFile(bad); string(b) != "no markers\n" {
		t.Error("a document without markers was changed")
	}
}

func TestMicroLines(t *testing.T) {
	out := "goos: linux\ncpu: X\nBenchmarkMask/16B-2   100  12 ns/op\nPASS\nok  \twsplay/core\t1.2s\n"
	if got, want := microLines(out), "goos: linux\ncpu: X\nBenchmarkMask/16B-2   100  12 ns/op\n"; got != want {
		t.Errorf("microLines = %q, want %q", got, want)
	}
}
