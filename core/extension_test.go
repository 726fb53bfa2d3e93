package core

// The negotiation of permessage-deflate, RFC 7692 §5 and §7.1: which
// offers a server accepts and with what answer, which it declines and
// why, and which answers a client takes or fails the connection for.

import (
	"errors"
	"strings"
	"testing"
)

func TestExtensionListSyntax(t *testing.T) {
	tests := []struct {
		in   []string
		want string // the elements that parse, as String writes them, joined by " | "
		bad  int    // how many do not
	}{
		{[]string{"permessage-deflate; client_max_window_bits"}, "permessage-deflate; client_max_window_bits", 0},
		{[]string{`a; b="x, y"`}, "", 1}, // a quoted comma does not split, and "x, y" is not a token
		{[]string{`a; b="1\0", c`}, "a; b=10 | c", 0},
		{[]string{"a, , b", "c ;d = 1"}, "a | b | c; d=1", 0},
		{[]string{"a;", ";b", "a; =1", `a; b="1`, "a b", "a; b=1=2"}, "", 6},
	}
	for _, tt := range tests {
		exts, errs := ParseExtensionList(tt.in)
		var got []string
		for _, e := range exts {
			got = append(got, e.String())
		}
		if strings.Join(got, " | ") != tt.want || len(errs) != tt.bad {
			t.Errorf("%q: parsed %q with %d errors (%v), want %q with %d", tt.in, got, len(errs), errs, tt.want, tt.bad)
		}
		for _, err := range errs {
			var he *HandshakeError
			if !errors.As(err, &he) || he.Rule.ID != RuleExtensionSyntax.ID {
				t.Errorf("%q: error %v, want the extension-syntax rule", tt.in, err)
			}
		}
	}
}

func TestNegotiateDeflate(t *testing.T) {
	tests := []struct {
		name     string
		offers   []string
		opts     DeflateOptions
		answer   string // "" when every offer is declined
		client   int    // the client's window agreed
		server   int    // the server's
		declined []string
	}{
		{"a browser's offer", []string{"permessage-deflate; client_max_window_bits"}, DeflateOptions{},
			"permessage-deflate; server_no_context_takeover; client_max_window_bits=12", 12, 15, nil},
		{"no parameters: the client's window cannot be bounded", []string{"permessage-deflate"}, DeflateOptions{},
			"permessage-deflate; server_no_context_takeover", 15, 15, nil},
		{"wsplay's own offer", []string{DeflateOffer().String()}, DeflateOptions{},
			"permessage-deflate; server_no_context_takeover; client_no_context_takeover; client_max_window_bits=12", 12, 15, nil},
		{"the client's own bound is smaller", []string{"permessage-deflate; client_max_window_bits=9"}, DeflateOptions{},
			"permessage-deflate; server_no_context_takeover; client_max_window_bits=9", 9, 15, nil},
		{"a server's policy of 15", []string{"permessage-deflate; client_max_window_bits"}, DeflateOptions{ClientMaxWindowBits: 15},
			"permessage-deflate; server_no_context_takeover; client_max_window_bits=15", 15, 15, nil},
		{"8 is never asked for", []string{"permessage-deflate; client_max_window_bits"}, DeflateOptions{ClientMaxWindowBits: 8},
			"permessage-deflate; server_no_context_takeover; client_max_window_bits=9", 9, 15, nil},
		{"a bound on the server, honoured", []string{"permessage-deflate; server_max_window_bits=10"}, DeflateOptions{},
			"permessage-deflate; server_no_context_takeover; server_max_window_bits=10", 15, 10, nil},
		{"a quoted value", []string{`permessage-deflate; server_max_window_bits="8"`}, DeflateOptions{},
			"permessage-deflate; server_no_context_takeover; server_max_window_bits=8", 15, 8, nil},
		{"the first valid offer wins", []string{"permessage-deflate; server_max_window_bits=7, permessage-deflate; client_max_window_bits=10", "permessage-deflate"}, DeflateOptions{},
			"permessage-deflate; server_no_context_takeover; client_max_window_bits=10", 10, 15, []string{RuleDeflateWindowBits.ID}},
		{"other extensions are left alone", []string{"x-webkit-deflate-frame", "permessage-deflate; server_no_context_takeover"}, DeflateOptions{},
			"permessage-deflate; server_no_context_takeover", 15, 15, nil},
		{"a parameter twice", []string{"permessage-deflate; client_no_context_takeover; client_no_context_takeover"}, DeflateOptions{}, "", 0, 0, []string{RuleDeflateDuplicate.ID}},
		{"an unknown parameter", []string{"permessage-deflate; mux"}, DeflateOptions{}, "", 0, 0, []string{RuleDeflateParam.ID}},
		{"a value where none belongs", []string{"permessage-deflate; server_no_context_takeover=1"}, DeflateOptions{}, "", 0, 0, []string{RuleDeflateNoContext.ID}},
		{"server_max_window_bits without a value", []string{"permessage-deflate; server_max_window_bits"}, DeflateOptions{}, "", 0, 0, []string{RuleDeflateWindowBits.ID}},
		{"a leading zero", []string{"permessage-deflate; client_max_window_bits=09"}, DeflateOptions{}, "", 0, 0, []string{RuleDeflateWindowBits.ID}},
		{"out of range", []string{"permessage-deflate; client_max_window_bits=16, permessage-deflate; server_max_window_bits=7"}, DeflateOptions{}, "", 0, 0, []string{RuleDeflateWindowBits.ID, RuleDeflateWindowBits.ID}},
		{"not a number", []string{`permessage-deflate; server_max_window_bits="ten"`}, DeflateOptions{}, "", 0, 0, []string{RuleDeflateWindowBits.ID}},
		{"bad syntax", []string{`permessage-deflate; server_max_window_bits="1 0"`}, DeflateOptions{}, "", 0, 0, []string{RuleExtensionSyntax.ID}},
		{"no offer", nil, DeflateOptions{}, "", 0, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			answer, params, declined := NegotiateDeflate(tt.offers, tt.opts)
			var ids []string
			for _, err := range declined {
				ids = append(ids, err.(*HandshakeError).Rule.ID)
			}
			if strings.Join(ids, ",") != strings.Join(tt.declined, ",") {
				t.Errorf("declined %v (%v), want %v", ids, declined, tt.declined)
			}
			if tt.answer == "" {
				if answer != nil || params != nil {
					t.Fatalf("accepted %v, want every offer declined", answer)
				}
				return
			}
			if answer == nil || answer.String() != tt.answer {
				t.Fatalf("answer %v, want %q", answer, tt.answer)
			}
			if params.ClientMaxWindowBits != tt.client || params.ServerMaxWindowBits != tt.server || !params.ServerNoContextTakeover {
				t.Fatalf("params %+v, want client %d, server %d, server_no_context_takeover", params, tt.client, tt.server)
			}
			// The client that made the offer agrees with the answer,
			// on the same parameters.
			offers, _ := ParseExtensionList(tt.offers)
			resp := &ServerResponse{Status: 101, Header: Headers{{Name: "Sec-WebSocket-Extensions", Value: answer.String()}}}
			got, err := resp.Deflate(&ClientRequest{Extensions: offers})
			if err != nil || *got != *params {
				t.Fatalf("the client read the answer as %+v (%v), want %+v", got, err, params)
			}
		})
	}
}

func TestClientVerifiesDeflateAnswer(t *testing.T) {
	offer := []Extension{DeflateOffer()}
	tests := []struct {
		name   string
		offers []Extension
		answer []string
		want   *DeflateParams
		rule   string
	}{
		{"wsplay's answer", offer, []string{"permessage-deflate; server_no_context_takeover; client_max_window_bits=12"},
			&DeflateParams{ServerNoContextTakeover: true, ClientNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 12}, ""},
		{"bare acceptance", offer, []string{"permessage-deflate"},
			&DeflateParams{ClientNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}, ""},
		{"the server bounds its own window unasked", offer, []string{"permessage-deflate; server_max_window_bits=10"},
			&DeflateParams{ClientNoContextTakeover: true, ServerMaxWindowBits: 10, ClientMaxWindowBits: 15}, ""},
		{"declined", offer, []string{"x-other"}, nil, ""},
		{"client_max_window_bits without a value", offer, []string{"permessage-deflate; client_max_window_bits"}, nil, RuleDeflateWindowBits.ID},
		{"an unknown parameter", offer, []string{"permessage-deflate; level=9"}, nil, RuleDeflateParam.ID},
		{"accepted twice", offer, []string{"permessage-deflate", "permessage-deflate; server_no_context_takeover"}, nil, RuleDeflateAcceptOnce.ID},
		{"bad syntax", offer, []string{"permessage-deflate; =x"}, nil, RuleExtensionSyntax.ID},
		{"client_max_window_bits not offered", []Extension{{Name: DeflateName}}, []string{"permessage-deflate; client_max_window_bits=10"}, nil, RuleDeflateClientBits.ID},
		{"a larger server window than offered", []Extension{{Name: DeflateName, Params: []HeaderField{{Name: "server_max_window_bits", Value: "10"}}}},
			[]string{"permessage-deflate; server_max_window_bits=12"}, nil, RuleDeflateServerBits.ID},
		{"the server's bound left out", []Extension{{Name: DeflateName, Params: []HeaderField{{Name: "server_max_window_bits", Value: "10"}}}},
			[]string{"permessage-deflate"}, nil, RuleDeflateServerBits.ID},
		{"never offered", nil, []string{"permessage-deflate"}, nil, RuleResponseExtension.ID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h Headers
			for _, v := range tt.answer {
				h = append(h, HeaderField{Name: "Sec-WebSocket-Extensions", Value: v})
			}
			resp := &ServerResponse{Status: 101, Header: h}
			got, err := resp.Deflate(&ClientRequest{Extensions: tt.offers})
			if tt.rule != "" {
				var he *HandshakeError
				if !errors.As(err, &he) || he.Rule.ID != tt.rule || he.Status != 101 {
					t.Fatalf("got %+v, %v; want the %s rule", got, err, tt.rule)
				}
				return
			}
			if err != nil || (got == nil) != (tt.want == nil) || (got != nil && *got != *tt.want) {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}
