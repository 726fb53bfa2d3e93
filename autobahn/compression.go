//go:build !js

package autobahn

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"wsplay/core"
)

// Sections 12 and 13: permessage-deflate (RFC 7692). Every case sends
// 1000 messages, one at a time, each cut from a data set with a window
// that slides on (and wraps around) the set, compressed, and waits for
// each echo before sending the next; the echo must be the same message.
// Section 12 uses Autobahn's default offer with five data sets; section
// 13 the JSON set with seven offers and, when wsplay plays the server
// (the client suite), seven ways of answering them.
//
// A server (or client) that accepts none of the offers leaves the case
// UNIMPLEMENTED, as in Autobahn: the suite closes normally at once, and
// the case counts neither as passed nor as failed.

// deflateSize is one row of Autobahn's table of sections 12 and 13:
// payload length, message count, the case's time limit in seconds, and
// the frame size the compressed payload is cut into (0: one frame).
type deflateSize struct{ n, count, wait, frag int }

var deflateSizes = []deflateSize{
	{16, 1000, 60, 0}, {64, 1000, 60, 0}, {256, 1000, 120, 0}, {1024, 1000, 240, 0},
	{4096, 1000, 480, 0}, {8192, 1000, 480, 0}, {16384, 1000, 480, 0}, {32768, 1000, 480, 0},
	{65536, 1000, 480, 0}, {131072, 1000, 480, 0},
	{8192, 1000, 480, 256}, {16384, 1000, 480, 256}, {32768, 1000, 480, 256}, {65536, 1000, 480, 256},
	{131072, 1000, 480, 256}, {131072, 1000, 480, 1024}, {131072, 1000, 480, 4096}, {131072, 1000, 480, 32768},
}

// deflateOffer is one permessage-deflate offer as Autobahn's client makes
// it: it always lets the server ask for client_no_context_takeover and
// client_max_window_bits, and may itself ask for server_no_context_takeover
// (noContext) and server_max_window_bits (bits, 0 for none).
type deflateOffer struct {
	noContext bool
	bits      int
}

func (o deflateOffer) extension() core.Extension {
	e := core.Extension{Name: core.DeflateName, Params: []core.HeaderField{{Name: "client_no_context_takeover"}, {Name: "client_max_window_bits"}}}
	if o.noContext {
		e.Params = append(e.Params, core.HeaderField{Name: "server_no_context_takeover"})
	}
	if o.bits != 0 {
		e.Params = append(e.Params, core.HeaderField{Name: "server_max_window_bits", Value: strconv.Itoa(o.bits)})
	}
	return e
}

// pythonBool spells a bool as Autobahn's descriptions do.
func pythonBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// describeOffers is Autobahn's list of offers, e.g. "[(True, 8), (False, 0)]".
func describeOffers(os []deflateOffer) string {
	var parts []string
	for _, o := range os {
		parts = append(parts, fmt.Sprintf("(%s, %d)", pythonBool(o.noContext), o.bits))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// deflateAnswer is one way a server answers the offers when wsplay plays
// the server: what it asks of the client (client_no_context_takeover,
// client_max_window_bits; 0 for no bound). An answer that asks for what
// an offer does not let it ask skips that offer; tries are tried in
// order, the first offer that one fits wins.
type deflateAnswer struct {
	noContext bool
	bits      int
}

// deflateParams is one row of section 13: the client's offers and the
// server's answers.
type deflateParams struct {
	offers  []deflateOffer
	answers []deflateAnswer
}

var defaultDeflate = deflateParams{offers: []deflateOffer{{}}, answers: []deflateAnswer{{}}}

var section13 = []deflateParams{
	defaultDeflate,
	{offers: []deflateOffer{{true, 0}}, answers: []deflateAnswer{{true, 0}}},
	{offers: []deflateOffer{{false, 8}}, answers: []deflateAnswer{{false, 8}}},
	{offers: []deflateOffer{{false, 15}}, answers: []deflateAnswer{{false, 15}}},
	{offers: []deflateOffer{{true, 8}}, answers: []deflateAnswer{{true, 8}}},
	{offers: []deflateOffer{{true, 15}}, answers: []deflateAnswer{{true, 15}}},
	{offers: []deflateOffer{{true, 8}, {true, 0}, {false, 0}}, answers: []deflateAnswer{{true, 8}, {true, 0}, {false, 0}}},
}

// clientOffer parses one offer of a client under test the way the
// answers need it. ok is false for a parameter RFC 7692 does not define,
// given twice, or with a bad value: the offer is skipped.
type clientOffer struct {
	allowNoContext, allowBits bool // the client lets the server ask
	clientBits                int  // the value of client_max_window_bits, 0 for none
	serverNoContext           bool
	serverBits                int
}

func parseClientOffer(e core.Extension) (o clientOffer, ok bool) {
	seen := map[string]bool{}
	for _, p := range e.Params {
		if seen[p.Name] {
			return o, false
		}
		seen[p.Name] = true
		bits := 0
		if p.Value != "" {
			n, err := strconv.Atoi(p.Value)
			if err != nil || n < 8 || n > 15 {
				return o, false
			}
			bits = n
		}
		switch p.Name {
		case "client_no_context_takeover":
			o.allowNoContext = p.Value == ""
		case "client_max_window_bits":
			o.allowBits, o.clientBits = true, bits
		case "server_no_context_takeover":
			o.serverNoContext = p.Value == ""
		case "server_max_window_bits":
			if bits == 0 {
				return o, false
			}
			o.serverBits = bits
		default:
			return o, false
		}
		if (p.Name == "client_no_context_takeover" || p.Name == "server_no_context_takeover") && p.Value != "" {
			return o, false
		}
	}
	return o, true
}

// answer returns the Sec-WebSocket-Extensions answer to offers and the
// agreement it makes, or nil, nil when none of the answers fits an offer.
func (dp deflateParams) answer(offers []core.Extension) (*core.Extension, *core.DeflateParams) {
	for _, a := range dp.answers {
		for _, e := range offers {
			if e.Name != core.DeflateName {
				continue
			}
			o, ok := parseClientOffer(e)
			if !ok || a.noContext && !o.allowNoContext || a.bits != 0 && !o.allowBits {
				continue
			}
			ans := core.Extension{Name: core.DeflateName}
			p := &core.DeflateParams{ServerMaxWindowBits: core.MaxWindowBits, ClientMaxWindowBits: core.MaxWindowBits}
			if o.serverNoContext {
				p.ServerNoContextTakeover = true
				ans.Params = append(ans.Params, core.HeaderField{Name: "server_no_context_takeover"})
			}
			if o.serverBits != 0 {
				p.ServerMaxWindowBits = o.serverBits
				ans.Params = append(ans.Params, core.HeaderField{Name: "server_max_window_bits", Value: strconv.Itoa(o.serverBits)})
			}
			if a.noContext {
				p.ClientNoContextTakeover = true
				ans.Params = append(ans.Params, core.HeaderField{Name: "client_no_context_takeover"})
			}
			if a.bits != 0 {
				bits := a.bits
				if o.clientBits != 0 {
					// The client said how large a window it will use
					// at most (§7.1.2.2): the answer may not exceed it.
					bits = min(bits, o.clientBits)
				}
				p.ClientMaxWindowBits = bits
				ans.Params = append(ans.Params, core.HeaderField{Name: "client_max_window_bits", Value: strconv.Itoa(bits)})
			}
			return &ans, p
		}
	}
	return nil, nil
}

// deflateWhy explains a compression case whose echo differed or did not
// come; the lesson is frame anatomy's, where RSV1 is the compressed bit.
const deflateWhy = "With permessage-deflate agreed, a message sent compressed (RSV1 on its first frame) must be read as the DEFLATE data of the whole message, " +
	"with 00 00 ff ff appended, inflated with the window the handshake agreed: the sender's max_window_bits, and the connection's earlier messages unless " +
	"the sender agreed to no_context_takeover (RFC 7692 §7.2). An echo that differs, or none, most often comes from a window kept when it must be dropped, " +
	"or dropped when it must be kept, or from a frame of the message inflated on its own."

// compressionCases are sections 12 and 13.
func compressionCases() []Case {
	var cs []Case
	for j, set := range deflateSets {
		for i, s := range deflateSizes {
			cs = append(cs, deflateCase(fmt.Sprintf("12.%d.%d", j+1, i+1),
				fmt.Sprintf("Send %d compressed messages each of payload size %d, auto-fragment to %d octets. Use default permessage-deflate offer.", s.count, s.n, s.frag),
				s, set, defaultDeflate))
		}
	}
	for j, dp := range section13 {
		for i, s := range deflateSizes {
			cs = append(cs, deflateCase(fmt.Sprintf("13.%d.%d", j+1, i+1),
				fmt.Sprintf("Send %d compressed messages each of payload size %d, auto-fragment to %d octets. Use permessage-deflate client offers (requestNoContextTakeover, requestMaxWindowBits): %s", s.count, s.n, s.frag, describeOffers(dp.offers)),
				s, deflateSets[0], dp))
		}
	}
	return cs
}

func deflateCase(id, desc string, s deflateSize, set *deflateSet, dp deflateParams) Case {
	wait := time.Duration(s.wait) * time.Second
	dpCopy := dp
	return Case{ID: id, Description: desc, ReportTime: true, checkID: "reserved.rsv1", rule: &core.RuleInflate, why: deflateWhy,
		Expectation: fmt.Sprintf("Receive echo'ed messages (with payload as sent). Timeout case after %d secs.", s.wait),
		limit:       wait + 5*time.Second, deflate: &dpCopy,
		play: func(p *Peer) {
			p.ExpectClose(cleanOK)
			if p.deflate == nil {
				p.customBehavior = Unimplemented
				p.customResult = "The peer accepted none of the permessage-deflate offers: compression is not implemented, or turned off."
				p.SendClose(core.StatusNormalClosure)
				return
			}
			data := set.bytes()
			op := core.OpText
			if set.binary {
				op = core.OpBinary
			}
			p.customBehavior = Failed
			p.customResult = fmt.Sprintf("Case did not finish within %d seconds.", s.wait)
			pos, sent := 0, 0
			var want []byte
			sendOne := func() {
				want = want[:0]
				for len(want) < s.n {
					k := min(s.n-len(want), len(data)-pos)
					want = append(want, data[pos:pos+k]...)
					pos = (pos + k) % len(data)
				}
				p.SendMessage(op, want, s.frag)
				sent++
			}
			p.onMessage = func(p *Peer, e Event) {
				switch {
				case e.Binary != set.binary:
					p.customResult = fmt.Sprintf("Echo'ed message type differs from what I sent (got binary %s, expected binary %s).", pythonBool(e.Binary), pythonBool(set.binary))
				case len(e.Payload) != s.n:
					p.customResult = fmt.Sprintf("Echo'ed message length differs from what I sent (got length %d, expected length %d).", len(e.Payload), s.n)
				case !bytes.Equal(e.Payload, want):
					p.customResult = "Echo'ed message contents differs from what I sent."
				case sent < s.count:
					sendOne()
					return
				default:
					p.customBehavior = OK
					p.customResult = "Ok, received all echo'ed messages in time."
				}
				p.SendClose(core.StatusNormalClosure)
			}
			p.CloseAfter(wait)
			sendOne()
		}}
}
