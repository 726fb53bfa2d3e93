//go:build !js

package autobahn

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
)

// The data sets of sections 12 and 13. Autobahn reads five files it
// ships (a JSON document, a 512×512 grey bitmap, Goethe's Faust I, an
// HTML page, a PDF); wsplay makes its own data of the same kind and the
// same size, from a fixed seed, so that every run sends the same bytes
// and compression meets what it meets in practice: repetitive markup,
// natural language, smooth pixels, and the already-compressed streams of
// a PDF. The text sets are ASCII, so every window cut from them is valid
// UTF-8 as a text message must be; Faust, with its umlauts, is sent as
// binary, as in Autobahn.
type deflateSet struct {
	desc   string
	binary bool
	size   int
	make   func(r *rand.Rand, size int) []byte
	once   sync.Once
	data   []byte
}

func (s *deflateSet) bytes() []byte {
	s.once.Do(func() {
		s.data = s.make(rand.New(rand.NewPCG(7692, uint64(s.size))), s.size)[:s.size]
	})
	return s.data
}

// deflateSets are in the order of Autobahn's 12.1 … 12.5; 13.x uses the
// first.
var deflateSets = []*deflateSet{
	{desc: "Large JSON data file", size: 194056, make: makeJSON},
	{desc: "Lena Picture, Bitmap 512x512 bw", binary: true, size: 263222, make: makeBitmap},
	{desc: "Human readable text, Goethe's Faust I (German)", binary: true, size: 222218, make: makeVerse},
	{desc: "Large HTML file", size: 263527, make: makeHTML},
	{desc: "A larger PDF", binary: true, size: 1042328, make: makePDF},
}

var (
	firstNames = []string{"Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Radia", "Ken", "Frances", "Tim", "Sophie", "Linus"}
	cities     = []string{"Berlin", "Shanghai", "Lagos", "Lima", "Oslo", "Kyoto", "Austin", "Porto", "Quito", "Perth"}
	tags       = []string{"websocket", "frame", "mask", "opcode", "close", "ping", "deflate", "utf8", "fragment", "handshake"}
)

func makeJSON(r *rand.Rand, size int) []byte {
	var b strings.Builder
	b.WriteString("[\n")
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "  {\"id\": %d, \"name\": \"%s\", \"city\": \"%s\", \"score\": %.3f, \"active\": %t, \"tags\": [\"%s\", \"%s\"], \"created\": \"2024-%02d-%02dT%02d:%02d:%02dZ\"},\n",
			100000+i, firstNames[r.IntN(len(firstNames))], cities[r.IntN(len(cities))], r.Float64()*100, r.IntN(2) == 0,
			tags[r.IntN(len(tags))], tags[r.IntN(len(tags))], 1+r.IntN(12), 1+r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(60))
	}
	return []byte(b.String())
}

// makeBitmap writes a BMP file of 512×512 8-bit grey pixels: the 54-byte
// headers, a 256-entry grey palette, then smooth shapes with a little
// noise, which is how a photograph compresses.
func makeBitmap(r *rand.Rand, size int) []byte {
	const w, h = 512, 512
	b := make([]byte, 0, size)
	b = append(b, 'B', 'M')
	b = binary.LittleEndian.AppendUint32(b, uint32(54+1024+w*h))
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = binary.LittleEndian.AppendUint32(b, 54+1024)
	b = binary.LittleEndian.AppendUint32(b, 40)
	b = binary.LittleEndian.AppendUint32(b, w)
	b = binary.LittleEndian.AppendUint32(b, h)
	b = binary.LittleEndian.AppendUint16(b, 1)
	b = binary.LittleEndian.AppendUint16(b, 8)
	for range 6 {
		b = binary.LittleEndian.AppendUint32(b, 0)
	}
	for i := range 256 {
		b = append(b, byte(i), byte(i), byte(i), 0)
	}
	for y := range h {
		for x := range w {
			dx, dy := x-200, y-300
			v := (x+y)/4 + 60
			if dx*dx+dy*dy < 120*120 {
				v = 200 - (dx*dx+dy*dy)/150
			}
			v += r.IntN(9) - 4
			b = append(b, byte(min(max(v, 0), 255)))
		}
	}
	for len(b) < size {
		b = append(b, 0)
	}
	return b
}

var verseWords = strings.Fields("ich du er sie wir ihr und oder aber nicht nur noch schon wohl doch nun da " +
	"Nacht Tag Welt Geist Herz Himmel Erde Licht Feuer Wasser Luft Buch Wort Kraft Zeit Traum Gold Sonne Mond " +
	"Stern Mädchen Brüder Schüler Größe Frühling Blüte Tür Stühle Glück Träne Mühe Fülle Ruhe Hände Füße Höhe " +
	"sehen hören wissen streben suchen finden lieben fühlen glühen blühen rufen singen gehen stehen " +
	"hoch tief still hell dunkel süß schön müde früh spät weiß grün fröhlich")

// makeVerse writes verse in German words, with the speakers' names and
// the short lines of a play.
func makeVerse(r *rand.Rand, size int) []byte {
	speakers := []string{"FAUST", "MEPHISTOPHELES", "WAGNER", "GRETCHEN", "MARTHE", "CHOR"}
	var b strings.Builder
	for b.Len() < size {
		fmt.Fprintf(&b, "\n%s:\n", speakers[r.IntN(len(speakers))])
		for range 2 + r.IntN(6) {
			n := 4 + r.IntN(5)
			for k := range n {
				w := verseWords[r.IntN(len(verseWords))]
				if k == 0 {
					w = strings.ToUpper(w[:1]) + w[1:]
				}
				b.WriteString(w)
				if k < n-1 {
					b.WriteByte(' ')
				}
			}
			b.WriteString([]string{",\n", ".\n", "!\n", ";\n"}[r.IntN(4)])
		}
	}
	return []byte(b.String())
}

func makeHTML(r *rand.Rand, size int) []byte {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Frames</title>\n<link rel=\"stylesheet\" href=\"/static/site.css\">\n</head>\n<body>\n<table class=\"frames\">\n")
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "<tr class=\"row-%d\"><td class=\"n\">%d</td><td class=\"op\"><a href=\"/lessons/%s#%s\">%s</a></td><td class=\"len\">%d</td><td class=\"who\">%s</td></tr>\n",
			i%2, i, tags[r.IntN(len(tags))], tags[r.IntN(len(tags))], tags[r.IntN(len(tags))], r.IntN(70000), firstNames[r.IntN(len(firstNames))])
	}
	return []byte(b.String())
}

// makePDF writes the shape of a PDF: objects in plain text around
// streams of random bytes, as a PDF's streams are already compressed.
func makePDF(r *rand.Rand, size int) []byte {
	b := []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	for i := 1; len(b) < size; i++ {
		n := 2000 + r.IntN(30000)
		b = fmt.Appendf(b, "%d 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n", i, n)
		for range n {
			b = append(b, byte(r.Uint32()))
		}
		b = append(b, "\nendstream\nendobj\n"...)
		b = fmt.Appendf(b, "%d 0 obj\n<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 4 0 R >> >> /MediaBox [0 0 612 792] /Contents %d 0 R >>\nendobj\n", i+1000, i)
	}
	return b
}
