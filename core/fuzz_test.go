package core

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"slices"
	"testing"
	"unicode/utf8"
)

// Fuzz targets for every parser in core. Each is seeded with the RFC's own
// examples; their corpora in testdata/fuzz run in every plain `go test`,
// also under WebAssembly. `make fuzz` runs each for a while.

const rfcSampleRequest = "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
	"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: http://example.com\r\nSec-WebSocket-Protocol: chat, superchat\r\n" +
	"Sec-WebSocket-Version: 13\r\n\r\n"

// FuzzReadRequest: parsing never panics, and a request that passes Validate
// gets a response that a client verifies.
func FuzzReadRequest(f *testing.F) {
	f.Add([]byte(rfcSampleRequest))
	f.Add([]byte("GET / HTTP/1.1\nHost: x\nUpgrade: WebSocket\nConnection: keep-alive, Upgrade\nSec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\nSec-WebSocket-Version: 13\n\n"))
	f.Add([]byte("POST / HTTP/1.0\r\n folded\r\n\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		req, err := ReadRequest(bufio.NewReader(bytes.NewReader(data)), 4096)
		if err != nil {
			return
		}
		if req.Validate() != nil {
			return
		}
		resp := req.NewResponse(ResponseOptions{Protocols: []string{"chat"}})
		sr, err := ReadResponse(bufio.NewReader(bytes.NewReader(resp.AppendResponse(nil))), 0)
		if err != nil {
			t.Fatalf("our own response does not parse: %v", err)
		}
		if err := sr.Verify(&ClientRequest{Key: req.Key(), Protocols: req.Protocols()}); err != nil {
			t.Fatalf("our own response does not verify: %v", err)
		}
	})
}

// FuzzReadResponse: parsing and verifying any answer never panics.
func FuzzReadResponse(f *testing.F) {
	f.Add([]byte("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: chat\r\n\r\n"))
	f.Add([]byte("HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\n\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		resp, err := ReadResponse(bufio.NewReader(bytes.NewReader(data)), 4096)
		if err != nil {
			return
		}
		resp.Verify(&ClientRequest{Key: "dGhlIHNhbXBsZSBub25jZQ==", Protocols: []string{"chat"}})
	})
}

// FuzzFrameReader: the frames decoded from a stream do not depend on how the
// stream is cut into reads, nor does the error, except that a header cut
// short is refused as soon as its first two bytes break a rule: that error
// then names some of the rules the whole header breaks (the others need the
// rest of the header), with the same close code.
func FuzzFrameReader(f *testing.F) {
	for _, ex := range rfcExamples[:6] {
		f.Add(ex.wire, byte(1), false)
		f.Add(ex.wire, byte(3), ex.header.Masked)
	}
	f.Fuzz(func(t *testing.T, data []byte, chunk byte, server bool) {
		receiver := Client
		if server {
			receiver = Server
		}
		whole, errWhole := readAllFrames(bytes.NewReader(data), receiver)
		pieces, errPieces := readAllFrames(&fixedChunks{data, int(chunk%16) + 1}, receiver)
		if !slices.Equal(whole, pieces) || !sameOrEarlier(errWhole, errPieces) {
			t.Fatalf("whole: %d frames, %v; in pieces of %d: %d frames, %v", len(whole), errWhole, chunk%16+1, len(pieces), errPieces)
		}
	})
}

// sameOrEarlier reports whether pieces, the error of a stream read in
// pieces, is whole, the error of the same stream read at once, or a
// protocol error with the same code naming a part of whole's rules.
func sameOrEarlier(whole, pieces error) bool {
	if errString(whole) == errString(pieces) {
		return true
	}
	pw, ok1 := whole.(*ProtocolError)
	pp, ok2 := pieces.(*ProtocolError)
	if !ok1 || !ok2 || pw.Code != pp.Code || len(pp.Rules) == 0 {
		return false
	}
	for _, r := range pp.Rules {
		if !slices.Contains(pw.Rules, r) {
			return false
		}
	}
	return true
}

// fixedChunks returns its bytes n at a time.
type fixedChunks struct {
	b []byte
	n int
}

func (c *fixedChunks) Read(p []byte) (int, error) {
	if len(c.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), c.n)], c.b)
	c.b = c.b[n:]
	return n, nil
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// discardWrites is a stream whose reads come from a reader and whose
// writes are recorded.
type discardWrites struct {
	io.Reader
	written bytes.Buffer
}

func (d *discardWrites) Write(p []byte) (int, error) { return d.written.Write(p) }

// FuzzConnRead: a server connection fed any bytes ends with a defined
// outcome, never a panic; every text message it returns is valid UTF-8; a
// failure answers with the close code its error names.
func FuzzConnRead(f *testing.F) {
	var stream []byte
	for _, ex := range rfcExamples[:6] {
		if ex.header.Masked {
			stream = append(stream, ex.wire...)
		}
	}
	f.Add(stream)
	f.Add(append(AppendFrameHeader(nil, FrameHeader{Opcode: OpText, Masked: true, Length: 2}), 0xCE, 0xBA))
	f.Add([]byte{0x88, 0x82, 1, 2, 3, 4, 0x02, 0xEA})
	f.Fuzz(func(t *testing.T, data []byte) {
		rw := &discardWrites{Reader: bytes.NewReader(data)}
		c := NewConn(rw, nil, Server, Config{MaxMessageSize: 1 << 16})
		var buf []byte
		for range 1000 {
			op, p, err := c.ReadMessage(buf[:0])
			buf = p
			if err != nil {
				var pe *ProtocolError
				if errors.As(err, &pe) {
					fr := NewFrameReader(&rw.written, Client, 0)
					var last FrameHeader
					var payload []byte
					for {
						h, err := fr.NextFrame()
						if err != nil {
							break
						}
						last = h
						payload, _ = io.ReadAll(fr)
					}
					code, _, _ := ParseClosePayload(payload)
					if last.Opcode != OpClose || code != pe.Code {
						t.Fatalf("failed with %v, but the last frame sent was %v with code %v", err, last.Opcode, code)
					}
				}
				return
			}
			if op == OpText && !utf8.Valid(p) {
				t.Fatalf("returned invalid UTF-8 as text: %q", p)
			}
		}
	})
}

// FuzzExplainFrame: any bytes are explained without a panic, the fields tile
// the header, and the problems agree with what a reader does with the frame.
func FuzzExplainFrame(f *testing.F) {
	for _, ex := range rfcExamples[:6] {
		f.Add(ex.wire, false)
	}
	f.Add([]byte{0x49, 0x00}, true)
	f.Add([]byte{0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}, false) // RFC 7692 §7.2.3.1
	f.Add([]byte{0xc0, 0x01, 0x00}, false)                                     // RSV1 on a continuation
	f.Fuzz(func(t *testing.T, data []byte, server bool) {
		receiver := Client
		if server {
			receiver = Server
		}
		// Without and with permessage-deflate negotiated: the explainer
		// and a reader that knows the same agree either way.
		for _, deflate := range []bool{false, true} {
			explainAgrees(t, data, receiver, deflate)
		}
	})
}

// explainAgrees is FuzzExplainFrame's check for one reading of data.
func explainAgrees(t *testing.T, data []byte, receiver Role, deflate bool) {
	e := ExplainFrameWith(data, ExplainOptions{Receiver: receiver, Deflate: deflate})
	if e.HeaderSize == 0 {
		return
	}
	bits := 0
	for _, fl := range e.Fields {
		bits += fl.Bits
	}
	if want := 8 * (e.HeaderSize + len(e.Payload)); bits != want {
		t.Fatalf("fields cover %d bits, frame has %d", bits, want)
	}
	var rsv byte
	if deflate {
		rsv = rsvCompressed
	}
	fr := NewFrameReader(bytes.NewReader(data), receiver, rsv)
	fr.deflate = deflate
	h, err := fr.NextFrame()
	headerBad := false
	var pe *ProtocolError
	if errors.As(err, &pe) {
		headerBad = len(dropRule(slices.Clone(pe.Rules), RuleContinuationLone)) > 0
	}
	explainedBad := false
	for _, r := range e.Problems {
		if r != RuleInvalidUTF8 && r.Section != "5.5.1" && r != RuleCloseCode {
			explainedBad = true
		}
	}
	if headerBad != explainedBad {
		t.Fatalf("deflate %v: reader: %v (%+v); explainer: %v", deflate, err, h, e.Problems)
	}
}

// FuzzUTF8Validator: feeding text in two pieces agrees with utf8.Valid.
func FuzzUTF8Validator(f *testing.F) {
	for _, tc := range utf8Cases {
		f.Add([]byte(tc.text), uint8(len(tc.text)/2))
	}
	f.Fuzz(func(t *testing.T, data []byte, cut uint8) {
		c := min(int(cut), len(data))
		var v utf8Validator
		got := v.feed(data[:c]) && v.feed(data[c:]) && v.complete()
		if got != utf8.Valid(data) {
			t.Fatalf("% x cut at %d: validator %v, utf8.Valid %v", data, c, got, !got)
		}
	})
}
