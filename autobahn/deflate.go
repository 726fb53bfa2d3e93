//go:build !js

package autobahn

import (
	"bytes"
	"compress/flate"
	"io"

	"wsplay/core"
)

// rsvCompressed is RSV1 as Frame.Rsv holds it: the Per-Message Compressed
// bit of RFC 7692 §6.
const rsvCompressed = 0x4

// syncTail is what §7.2.2 appends to a compressed message before
// inflating it (the sync flush's empty stored block the sender removed),
// followed by an empty final stored block so that the inflater ends with
// io.EOF.
var syncTail = []byte{0x00, 0x00, 0xff, 0xff, 0x01, 0x00, 0x00, 0xff, 0xff}

// peerDeflate is the suite's side of permessage-deflate. It compresses
// with core.AppendDeflate, a fresh stream per message, which every
// agreement allows; it inflates what the peer under test sends with the
// peer's window kept between messages unless the peer agreed to take no
// context over. The suite needs no more: it must be a correct peer, not
// a thrifty one, and its inflating is its own so that a bug in core's
// cannot hide one in the same core run as the server under test.
type peerDeflate struct {
	sendBits     int
	peerTakeover bool
	peerWindow   int
	dict         []byte
	fr           io.ReadCloser
}

func newPeerDeflate(role core.Role, p core.DeflateParams) *peerDeflate {
	d := &peerDeflate{sendBits: p.ClientMaxWindowBits, peerTakeover: !p.ServerNoContextTakeover, peerWindow: 1 << p.ServerMaxWindowBits}
	if role == core.Server {
		d.sendBits, d.peerTakeover, d.peerWindow = p.ServerMaxWindowBits, !p.ClientNoContextTakeover, 1<<p.ClientMaxWindowBits
	}
	return d
}

func (d *peerDeflate) compress(p []byte) []byte {
	return core.AppendDeflate(nil, p, d.sendBits)
}

// inflate returns the message whose compressed payload is z, at most
// limit bytes: more is a *core.ProtocolError with 1009, and data that is
// not DEFLATE one with 1007 (§7.2.2).
func (d *peerDeflate) inflate(z []byte, limit int64) ([]byte, error) {
	src := bytes.NewReader(append(z, syncTail...))
	if d.fr == nil {
		d.fr = flate.NewReaderDict(src, d.dict)
	} else {
		d.fr.(flate.Resetter).Reset(src, d.dict)
	}
	out, err := io.ReadAll(io.LimitReader(d.fr, limit+1))
	if err != nil {
		return nil, &core.ProtocolError{Code: core.StatusInvalidPayload, Rules: []core.Rule{core.RuleInflate}}
	}
	if int64(len(out)) > limit {
		return nil, &core.ProtocolError{Code: core.StatusMessageTooBig, Rules: []core.Rule{core.RuleMessageTooBig}}
	}
	if d.peerTakeover {
		d.dict = append(d.dict, out...)
		if len(d.dict) > d.peerWindow {
			d.dict = append(d.dict[:0:0], d.dict[len(d.dict)-d.peerWindow:]...)
		}
	}
	return out, nil
}
