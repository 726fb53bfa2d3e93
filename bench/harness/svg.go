package main

import (
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strings"
)

// serverColors gives each server one colour in every panel; wsplay's is the
// strongest. Colours of servers not listed come from fallbackColors.
var serverColors = map[string]string{
	"wsplay":  "#d1495b",
	"gorilla": "#00798c",
	"gobwas":  "#edae49",
	"coder":   "#30638e",
	"gws":     "#66a182",
}

var fallbackColors = []string{"#8d96a3", "#2e4057"}

// panel is one chart: a ratio per server per cell.
type panel struct {
	title string
	key   string // metric key
}

var panels = []panel{
	{"messages per second ÷ best comparison library (higher is better)", "msgs"},
	{"server CPU time per message ÷ best comparison library (lower is better)", "cpu"},
}

// svgLayout holds the chart's dimensions, in pixels.
const (
	svgBar      = 13
	svgGroupGap = 18
	svgLeft     = 56
	svgRight    = 16
	svgPanelH   = 230 // plot height of one panel
	svgPanelTop = 46  // room for the panel title
	svgLabelsH  = 58  // room for the three lines of cell labels under a panel
	svgLegendH  = 34
	svgMaxRatio = 4.0 // taller bars are cut at this ratio and labelled with their value
)

// writeSVG draws grouped bars of each panel's ratio per cell, one colour
// per server, with a reference line at 1.0. It is hand-written SVG, so the
// chart needs no dependency and can be read in a text editor.
func writeSVG(w io.Writer, rows []row) error {
	groups := byCell(rows)
	var names []string
	seen := map[string]bool{}
	for _, r := range rows {
		if !seen[r.server] {
			seen[r.server] = true
			names = append(names, r.server)
		}
	}
	color := func(name string) string {
		if c, ok := serverColors[name]; ok {
			return c
		}
		for i, n := range names {
			if n == name {
				return fallbackColors[i%len(fallbackColors)]
			}
		}
		return "#000"
	}
	groupW := len(names)*svgBar + svgGroupGap
	width := svgLeft + max(1, len(groups))*groupW + svgRight
	panelTotal := svgPanelTop + svgPanelH + svgLabelsH
	height := svgLegendH + len(panels)*panelTotal + 10

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/>`+"\n", width, height)
	// Legend.
	x := svgLeft
	for _, n := range names {
		fmt.Fprintf(&b, `<rect x="%d" y="12" width="14" height="14" fill="%s"/><text x="%d" y="24">%s</text>`+"\n", x, color(n), x+19, esc(n))
		x += 30 + 8*len(n)
	}
	for pi, p := range panels {
		top := svgLegendH + pi*panelTotal
		plotTop := top + svgPanelTop
		plotBottom := plotTop + svgPanelH
		// The scale: from 0 to the largest ratio (at least 1.5, at most
		// svgMaxRatio), in steps of 0.5.
		ymax := 1.5
		for _, g := range groups {
			for _, r := range g {
				if v, ok := cellRatio(g, r, metricByKey(p.key)); ok {
					ymax = math.Max(ymax, math.Min(v, svgMaxRatio))
				}
			}
		}
		ymax = math.Ceil(ymax*2) / 2
		y := func(v float64) float64 { return float64(plotBottom) - v/ymax*svgPanelH }
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="14" font-weight="bold">%s</text>`+"\n", svgLeft, top+28, esc(p.title))
		for t := 0.0; t <= ymax+1e-9; t += 0.5 {
			fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd"/><text x="%d" y="%.1f" text-anchor="end">%.1f</text>`+"\n",
				svgLeft, width-svgRight, y(t), y(t), svgLeft-6, y(t)+4, t)
		}
		for gi, g := range groups {
			gx := svgLeft + gi*groupW + svgGroupGap/2
			for _, r := range g {
				si := indexOf(names, r.server)
				bx := gx + si*svgBar
				v, ok := cellRatio(g, r, metricByKey(p.key))
				if !ok {
					fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="9" text-anchor="middle">n/a</text>`+"\n", bx+svgBar/2, plotBottom-3)
					continue
				}
				shown := math.Min(v, ymax)
				fmt.Fprintf(&b, `<rect x="%d" y="%.1f" width="%d" height="%.1f" fill="%s"><title>%s, %s: %.2f×</title></rect>`+"\n",
					bx, y(shown), svgBar-1, float64(plotBottom)-y(shown), color(r.server), esc(r.server), esc(r.cell.String()), v)
				if v > ymax {
					fmt.Fprintf(&b, `<text x="%d" y="%.1f" font-size="9" text-anchor="middle">%.1f</text>`+"\n", bx+svgBar/2, y(ymax)-3, v)
				}
			}
			cx := gx + len(names)*svgBar/2
			mode := "closed"
			if g[0].cell.depth > 1 {
				mode = fmt.Sprintf("pipe %d", g[0].cell.depth)
			}
			if g[0].cell.pieces > 1 {
				mode += fmt.Sprintf(", %d pcs", g[0].cell.pieces)
			}
			for li, label := range []string{sizeName(g[0].cell.size), fmt.Sprintf("%d conn", g[0].cell.conns), mode} {
				fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-size="11" fill="%s">%s</text>`+"\n",
					cx, plotBottom+15+13*li, []string{"#000", "#333", "#666"}[li], esc(label))
			}
		}
		// The reference: as good as the best comparison library.
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#000" stroke-width="1.5" stroke-dasharray="6 3"/><text x="%d" y="%.1f" font-size="10">1.0</text>`+"\n",
			svgLeft, width-svgRight, y(1), y(1), width-svgRight-18, y(1)-3)
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="#000"/>`+"\n", svgLeft, width-svgRight, plotBottom, plotBottom)
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// metricByKey returns the metric with key; an unknown key gives a metric
// that every row lacks (ratio n/a), not a panic.
func metricByKey(key string) metric {
	for _, m := range metrics {
		if m.key == key {
			return m
		}
	}
	return metric{key: key}
}

func indexOf(names []string, name string) int {
	for i, n := range names {
		if n == name {
			return i
		}
	}
	return -1
}

// esc escapes text for XML character data and attribute values.
func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}
