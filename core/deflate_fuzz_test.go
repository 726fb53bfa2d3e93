package core

// Fuzz targets of permessage-deflate: the offer parser and negotiation,
// and the inflater.

import (
	"bytes"
	"compress/flate"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzNegotiateDeflate: any Sec-WebSocket-Extensions values are parsed
// and negotiated without a panic; when the server accepts an offer, its
// answer is one the client that sent the offers takes, with the same
// parameters; the windows agreed are 8–15.
func FuzzNegotiateDeflate(f *testing.F) {
	for _, s := range []string{
		"permessage-deflate; client_max_window_bits",
		`permessage-deflate; server_max_window_bits="10"; client_no_context_takeover, permessage-deflate`,
		"permessage-deflate; client_max_window_bits=16, x-webkit-deflate-frame",
		"permessage-deflate; server_no_context_takeover; server_no_context_takeover",
		`a; b="\"", permessage-deflate;;`,
	} {
		f.Add(s, 0)
	}
	f.Fuzz(func(t *testing.T, header string, limit int) {
		values := strings.Split(header, "\n")
		answer, params, declined := NegotiateDeflate(values, DeflateOptions{ClientMaxWindowBits: limit % 16})
		for _, err := range declined {
			var he *HandshakeError
			if !errors.As(err, &he) || he.Rule.ID == "" {
				t.Fatalf("declined with %v, which names no rule", err)
			}
		}
		if (answer == nil) != (params == nil) {
			t.Fatalf("answer %v with params %v", answer, params)
		}
		if answer == nil {
			return
		}
		for _, b := range []int{params.ServerMaxWindowBits, params.ClientMaxWindowBits} {
			if b < minWindowBits || b > MaxWindowBits {
				t.Fatalf("agreed a window of %d bits", b)
			}
		}
		offers, _ := ParseExtensionList(values)
		resp := &ServerResponse{Status: 101, Header: Headers{{Name: "Sec-WebSocket-Extensions", Value: answer.String()}}}
		got, err := resp.Deflate(&ClientRequest{Extensions: offers})
		if err != nil || *got != *params {
			t.Fatalf("the client read %q as %+v (%v); the server agreed %+v", answer, got, err, params)
		}
	})
}

// FuzzInflate: any payload sent as a compressed message is inflated
// without a panic, within the size limit, into valid UTF-8 for text, and
// into what compress/flate itself inflates when it succeeds; a failure
// fails the connection with 1007 or 1009.
func FuzzInflate(f *testing.F) {
	f.Add([]byte{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}, true)
	f.Add([]byte{0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00}, false)
	f.Add(AppendDeflate(nil, bytes.Repeat([]byte("ab"), 5000), MaxWindowBits), false)
	f.Add([]byte{0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00, 0xff}, true)
	const limit = 1 << 14
	f.Fuzz(func(t *testing.T, z []byte, text bool) {
		op := OpBinary
		if text {
			op = OpText
		}
		wire := AppendFrame(nil, FrameHeader{Fin: true, Rsv: rsvCompressed, Opcode: op, Length: uint64(len(z)), Masked: true, Key: [4]byte{1, 2, 3, 4}}, z)
		c := NewConn(ctRW{bytes.NewReader(wire), io.Discard}, nil, Server, Config{Deflate: takeover, MaxMessageSize: limit})
		_, got, err := c.ReadMessage(nil)
		ref, refErr := io.ReadAll(io.LimitReader(flate.NewReader(io.MultiReader(bytes.NewReader(z), bytes.NewReader([]byte{0, 0, 0xff, 0xff, 1, 0, 0, 0xff, 0xff}))), limit+1))
		if err != nil {
			var pe *ProtocolError
			if !errors.As(err, &pe) || (pe.Code != StatusInvalidPayload && pe.Code != StatusMessageTooBig) {
				t.Fatalf("failed with %v, want 1007 or 1009", err)
			}
			if refErr == nil && len(ref) <= limit && !(text && !utf8.Valid(ref)) {
				t.Fatalf("failed with %v on data compress/flate inflates to %d bytes", err, len(ref))
			}
			return
		}
		if len(got) > limit || (text && !utf8.Valid(got)) {
			t.Fatalf("returned %d bytes (limit %d), text %v", len(got), limit, text)
		}
		if refErr != nil || !bytes.Equal(got, ref) {
			t.Fatalf("inflated %d bytes; compress/flate: %d bytes, %v", len(got), len(ref), refErr)
		}
	})
}
