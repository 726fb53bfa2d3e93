package main

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"
)

// TestSVGWellFormed decodes the chart with encoding/xml: every element
// closed, every attribute quoted, text escaped. It counts one bar per row
// and panel, and the 1.0 reference line of each panel.
func TestSVGWellFormed(t *testing.T) {
	rows := fixture()
	// A name that needs escaping, and a ratio far above the scale.
	rows = append(rows, row{cell: rows[0].cell, server: `<a&"b">`, values: map[string]float64{"msgs": 5000, "cpu": 1}})
	var buf bytes.Buffer
	if err := writeSVG(&buf, rows); err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(&buf)
	bars, dashed, texts := 0, 0, 0
	var sawRoot bool
	var allText strings.Builder
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the SVG is not well-formed XML: %v", err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			switch el.Name.Local {
			case "svg":
				sawRoot = el.Name.Space == "http://www.w3.org/2000/svg"
			case "title":
				bars++
			case "line":
				for _, a := range el.Attr {
					if a.Name.Local == "stroke-dasharray" {
						dashed++
					}
				}
			case "text":
				texts++
			}
		case xml.CharData:
			allText.Write(el)
		}
	}
	if !sawRoot {
		t.Error("the root element is not an svg element in the SVG namespace")
	}
	// The extra server has no cpu ratio trouble; it has a bar in both panels.
	if want := len(rows) * len(panels); bars != want {
		t.Errorf("%d bars with a title, want %d", bars, want)
	}
	if dashed != len(panels) {
		t.Errorf("%d reference lines, want %d", dashed, len(panels))
	}
	for _, want := range []string{`<a&"b">`, "gorilla", "16 B", "1 conn", "64 conn", "pipe 16", "closed", "1.0"} {
		if !strings.Contains(allText.String(), want) {
			t.Errorf("the chart's text lacks %q", want)
		}
	}
}
