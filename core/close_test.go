package core_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"wsplay/core"
)

// rfcValidOnWire is RFC 6455 §7.4, written out independently of close.go:
// the codes an endpoint may put in a close frame.
//
//   - 0-999: not used (§7.4.2).
//   - 1000-1003, 1007-1011: defined in §7.4.1 and sendable.
//   - 1004: reserved; 1005, 1006, 1015: must not be set in a close frame.
//   - 1012-1014: registered with IANA (§11.7) after the RFC, accepted here
//     as the ValidOnWire doc comment says.
//   - 1016-2999: reserved for this protocol and its extensions.
//   - 3000-3999: registered by libraries and frameworks; 4000-4999: private.
//   - 5000-65535: not defined.
func rfcValidOnWire(c int) bool {
	switch c {
	case 1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011:
		return true
	case 1012, 1013, 1014:
		return true
	}
	return c >= 3000 && c < 5000
}

func TestValidOnWireFullRange(t *testing.T) {
	valid := 0
	for c := 0; c <= 65535; c++ {
		got := core.StatusCode(c).ValidOnWire()
		if want := rfcValidOnWire(c); got != want {
			t.Errorf("StatusCode(%d).ValidOnWire() = %v, want %v", c, got, want)
		}
		if got {
			valid++
		}
	}
	if want := 9 + 3 + 2000; valid != want {
		t.Errorf("%d valid codes, want %d", valid, want)
	}
	// The named never-sent codes in particular.
	for _, c := range []core.StatusCode{core.StatusNoStatusReceived, core.StatusAbnormalClosure, core.StatusTLSHandshake, 1004} {
		if c.ValidOnWire() {
			t.Errorf("%v is valid on the wire", c)
		}
	}
}

func TestStatusCodeValues(t *testing.T) {
	// The numbers of RFC 6455 §7.4.1 and the IANA registry.
	tests := []struct {
		c    core.StatusCode
		want int
	}{
		{core.StatusNormalClosure, 1000}, {core.StatusGoingAway, 1001}, {core.StatusProtocolError, 1002},
		{core.StatusUnsupportedData, 1003}, {core.StatusNoStatusReceived, 1005}, {core.StatusAbnormalClosure, 1006},
		{core.StatusInvalidPayload, 1007}, {core.StatusPolicyViolation, 1008}, {core.StatusMessageTooBig, 1009},
		{core.StatusMandatoryExtension, 1010}, {core.StatusInternalError, 1011}, {core.StatusServiceRestart, 1012},
		{core.StatusTryAgainLater, 1013}, {core.StatusBadGateway, 1014}, {core.StatusTLSHandshake, 1015},
	}
	for _, tt := range tests {
		if int(tt.c) != tt.want {
			t.Errorf("%s = %d, want %d", tt.c.Name(), int(tt.c), tt.want)
		}
	}
}

func TestStatusCodeName(t *testing.T) {
	tests := []struct {
		c    core.StatusCode
		name string
	}{
		{1000, "normal closure"},
		{1001, "going away"},
		{1002, "protocol error"},
		{1003, "unsupported data"},
		{1004, "reserved"},
		{1005, "no status received"},
		{1006, "abnormal closure"},
		{1007, "invalid payload data"},
		{1008, "policy violation"},
		{1009, "message too big"},
		{1010, "mandatory extension"},
		{1011, "internal error"},
		{1012, "service restart"},
		{1013, "try again later"},
		{1014, "bad gateway"},
		{1015, "TLS handshake failure"},
		{0, "not used"},
		{999, "not used"},
		{1016, "reserved for the protocol"},
		{2999, "reserved for the protocol"},
		{3000, "registered by libraries and frameworks"},
		{3999, "registered by libraries and frameworks"},
		{4000, "private use"},
		{4999, "private use"},
		{5000, "undefined"},
		{65535, "undefined"},
	}
	for _, tt := range tests {
		if got := tt.c.Name(); got != tt.name {
			t.Errorf("StatusCode(%d).Name() = %q, want %q", int(tt.c), got, tt.name)
		}
		if got, want := tt.c.String(), strconv.Itoa(int(tt.c))+" ("+tt.name+")"; got != want {
			t.Errorf("StatusCode(%d).String() = %q, want %q", int(tt.c), got, want)
		}
	}
	if got := core.StatusNormalClosure.String(); got != "1000 (normal closure)" {
		t.Errorf("String() = %q", got)
	}
}

func TestClosePayloadRoundTrip(t *testing.T) {
	tests := []struct {
		code   core.StatusCode
		reason string
		wire   []byte // the body as §5.5.1 lays it out
	}{
		{1000, "", []byte{0x03, 0xe8}},
		{1000, "bye", []byte{0x03, 0xe8, 'b', 'y', 'e'}},
		{1001, "going", []byte{0x03, 0xe9, 'g', 'o', 'i', 'n', 'g'}},
		{1011, "ünïcödé ✓", append([]byte{0x03, 0xf3}, "ünïcödé ✓"...)},
		{1014, "", []byte{0x03, 0xf6}},
		{3000, "x", []byte{0x0b, 0xb8, 'x'}},
		{4999, strings.Repeat("r", 123), append([]byte{0x13, 0x87}, strings.Repeat("r", 123)...)},
		// An empty body means no code (§7.1.5).
		{core.StatusNoStatusReceived, "", []byte{}},
	}
	for _, tt := range tests {
		got := core.AppendClosePayload([]byte{0xAA}, tt.code, tt.reason)
		if got[0] != 0xAA || string(got[1:]) != string(tt.wire) {
			t.Errorf("AppendClosePayload(%d, %q) = % x, want AA % x", int(tt.code), tt.reason, got, tt.wire)
		}
		code, reason, err := core.ParseClosePayload(tt.wire)
		if err != nil || code != tt.code || reason != tt.reason {
			t.Errorf("ParseClosePayload(% x) = %d %q %v, want %d %q", tt.wire, int(code), reason, err, int(tt.code), tt.reason)
		}
	}
	// Every code valid on the wire survives the round trip.
	for c := 0; c <= 65535; c++ {
		if !rfcValidOnWire(c) {
			continue
		}
		code, reason, err := core.ParseClosePayload(core.AppendClosePayload(nil, core.StatusCode(c), "r"))
		if err != nil || int(code) != c || reason != "r" {
			t.Fatalf("round trip of %d: %d %q %v", c, int(code), reason, err)
		}
	}
}

func TestParseClosePayloadErrors(t *testing.T) {
	tests := []struct {
		name string
		p    []byte
		code core.StatusCode
		rule core.Rule
	}{
		{"1-byte body", []byte{0x03}, 1002, core.RuleCloseLength},
		{"code 0", []byte{0x00, 0x00}, 1002, core.RuleCloseCode},
		{"code 999", []byte{0x03, 0xe7}, 1002, core.RuleCloseCode},
		{"code 1004", []byte{0x03, 0xec}, 1002, core.RuleCloseCode},
		{"code 1005", []byte{0x03, 0xed}, 1002, core.RuleCloseCode},
		{"code 1006", []byte{0x03, 0xee}, 1002, core.RuleCloseCode},
		{"code 1015", []byte{0x03, 0xf7}, 1002, core.RuleCloseCode},
		{"code 1016", []byte{0x03, 0xf8}, 1002, core.RuleCloseCode},
		{"code 2999", []byte{0x0b, 0xb7}, 1002, core.RuleCloseCode},
		{"code 5000", []byte{0x13, 0x88}, 1002, core.RuleCloseCode},
		{"code 65535", []byte{0xff, 0xff, 'x'}, 1002, core.RuleCloseCode},
		{"invalid UTF-8 reason", []byte{0x03, 0xe8, 0xff}, 1007, core.RuleCloseReasonUTF8},
		{"truncated UTF-8 reason", []byte{0x03, 0xe8, 'a', 0xce}, 1007, core.RuleCloseReasonUTF8},
		{"surrogate in reason", []byte{0x03, 0xe8, 0xed, 0xa0, 0x80}, 1007, core.RuleCloseReasonUTF8},
		{"overlong encoding in reason", []byte{0x03, 0xe8, 0xc0, 0xaf}, 1007, core.RuleCloseReasonUTF8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, reason, err := core.ParseClosePayload(tt.p)
			var pe *core.ProtocolError
			if !errors.As(err, &pe) {
				t.Fatalf("error = %v, want a *core.ProtocolError", err)
			}
			if pe.Code != tt.code || len(pe.Rules) != 1 || pe.Rules[0] != tt.rule {
				t.Errorf("got %d %+v, want %d %+v", int(pe.Code), pe.Rules, int(tt.code), tt.rule)
			}
			if reason != "" {
				t.Errorf("reason = %q, want none with an error", reason)
			}
			if !strings.Contains(err.Error(), tt.rule.Cite()) {
				t.Errorf("Error() = %q, want it to cite %q", err, tt.rule.Cite())
			}
		})
	}
	code, reason, err := core.ParseClosePayload(nil)
	if code != core.StatusNoStatusReceived || reason != "" || err != nil {
		t.Errorf("ParseClosePayload(empty) = %d %q %v, want 1005", int(code), reason, err)
	}
}

func TestOpcodes(t *testing.T) {
	// RFC 6455 §5.2: 0x0 continuation, 0x1 text, 0x2 binary, 0x3-0x7
	// reserved data, 0x8 close, 0x9 ping, 0xA pong, 0xB-0xF reserved control.
	tests := []struct {
		op                      core.Opcode
		control, data, reserved bool
		name                    string
	}{
		{0x0, false, true, false, "continuation"},
		{0x1, false, true, false, "text"},
		{0x2, false, true, false, "binary"},
		{0x3, false, true, true, "reserved data 0x3"},
		{0x4, false, true, true, "reserved data 0x4"},
		{0x5, false, true, true, "reserved data 0x5"},
		{0x6, false, true, true, "reserved data 0x6"},
		{0x7, false, true, true, "reserved data 0x7"},
		{0x8, true, false, false, "close"},
		{0x9, true, false, false, "ping"},
		{0xA, true, false, false, "pong"},
		{0xB, true, false, true, "reserved control 0xb"},
		{0xC, true, false, true, "reserved control 0xc"},
		{0xD, true, false, true, "reserved control 0xd"},
		{0xE, true, false, true, "reserved control 0xe"},
		{0xF, true, false, true, "reserved control 0xf"},
	}
	if len(tests) != 16 {
		t.Fatal("the table must list all 16 opcodes")
	}
	for i, tt := range tests {
		if int(tt.op) != i {
			t.Fatalf("row %d is opcode %d", i, tt.op)
		}
		if got := tt.op.IsControl(); got != tt.control {
			t.Errorf("0x%x.IsControl() = %v", i, got)
		}
		if got := tt.op.IsData(); got != tt.data {
			t.Errorf("0x%x.IsData() = %v", i, got)
		}
		if got := tt.op.IsReserved(); got != tt.reserved {
			t.Errorf("0x%x.IsReserved() = %v", i, got)
		}
		if got := tt.op.String(); got != tt.name {
			t.Errorf("0x%x.String() = %q, want %q", i, got, tt.name)
		}
	}
	named := map[core.Opcode]int{core.OpContinuation: 0, core.OpText: 1, core.OpBinary: 2,
		core.OpClose: 8, core.OpPing: 9, core.OpPong: 10}
	for op, want := range named {
		if int(op) != want {
			t.Errorf("%s = %d, want %d", op, int(op), want)
		}
	}
}
