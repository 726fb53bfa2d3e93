//go:build !js

package autobahn

import (
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"wsplay/check"
	"wsplay/core"
)

// Result is the outcome of one case for one agent. Its JSON is Autobahn's
// per-case report (the fields CI scripts read: behavior, behaviorClose,
// duration, remoteCloseCode, …) plus wsplay's explanation of a failure.
type Result struct {
	Agent                   string             `json:"agent"`
	Case                    int                `json:"case"` // 1-based position in the run
	ID                      string             `json:"id"`
	Description             string             `json:"description"`
	Expectation             string             `json:"expectation"`
	Behavior                string             `json:"behavior"`
	BehaviorClose           string             `json:"behaviorClose"`
	Result                  string             `json:"result"`
	ResultClose             string             `json:"resultClose"`
	Duration                int64              `json:"duration"` // milliseconds, as in Autobahn
	Started                 string             `json:"started"`
	ReportTime              bool               `json:"reportTime"`
	IsServer                bool               `json:"isServer"` // wsplay played the server (client suite)
	Expected                map[string][][]any `json:"expected"`
	ExpectedClosingBehavior map[string]any     `json:"expectedClosingBehavior"`
	Received                [][]any            `json:"received"`
	ClosedByMe              bool               `json:"closedByMe"`
	DroppedByMe             bool               `json:"droppedByMe"`
	FailedByMe              bool               `json:"failedByMe"`
	WasClean                bool               `json:"wasClean"`
	WasNotCleanReason       *string            `json:"wasNotCleanReason"`
	WasCloseHandshakeTimout bool               `json:"wasCloseHandshakeTimeout"`
	WasServerDropTimeout    bool               `json:"wasServerConnectionDropTimeout"`
	LocalCloseCode          *int               `json:"localCloseCode"`
	RemoteCloseCode         *int               `json:"remoteCloseCode"`
	RemoteCloseReason       *string            `json:"remoteCloseReason"`
	TxFrames                int                `json:"txFrames"`
	RxFrames                int                `json:"rxFrames"`
	TxOctets                int64              `json:"txOctets"`
	RxOctets                int64              `json:"rxOctets"`
	Outcome                 string             `json:"wsplayOutcome"`
	Rule                    *check.RuleRef     `json:"wsplayRule,omitempty"`
	Explanation             string             `json:"wsplayExplanation,omitempty"`
	Lesson                  string             `json:"wsplayLesson,omitempty"`
	Broke                   string             `json:"wsplayPeerBroke,omitempty"`
	duration                time.Duration
}

// outcome folds behavior and behaviorClose into one verdict: a case fails
// when its behavior is FAILED, or its close was FAILED, WRONG CODE or
// UNCLEAN. FAILED BY CLIENT (the suite had to close the TCP connection a
// server should have closed) counts as NON-STRICT, as Autobahn's report
// shows it in yellow, not red.
func outcome(behavior, behaviorClose string) string {
	switch {
	case behavior == Unimplemented, behavior == Informational:
		return behavior
	case behavior == Failed:
		return Failed
	}
	switch behaviorClose {
	case Failed, WrongCode, Unclean:
		return Failed
	case FailedByClient:
		return NonStrict
	}
	return behavior
}

// grade decides the verdicts of c once p's connection is closed, as
// Autobahn's Case.onConnectionLost does.
func grade(c Case, p *Peer) (behavior, result, behaviorClose, resultClose string) {
	behavior, result = Failed, "Actual events differ from any expected."
	for _, e := range p.expected {
		if eventsEqual(p.received, e.events) {
			behavior, result = e.behavior, "Actual events match at least one expected."
			break
		}
	}
	if p.customBehavior != "" {
		behavior, result = p.customBehavior, p.customResult
	}
	ec := p.expectedClose
	switch {
	case ec.ClosedByMe != p.closedByMe:
		behaviorClose, resultClose = Failed, "The connection was failed by the wrong endpoint"
	case ec.RequireClean && !p.wasClean:
		behaviorClose, resultClose = Unclean, "The spec requires the connection to be failed cleanly here"
	case p.remoteCode != nil && !codeIn(*p.remoteCode, ec.Codes):
		var codes []string
		for _, c := range ec.Codes {
			codes = append(codes, fmt.Sprint(int(c)))
		}
		behaviorClose, resultClose = WrongCode, "The close code should have been "+strings.Join(codes, ",")+" or empty"
	case p.role == core.Client && p.droppedByMe:
		behaviorClose, resultClose = FailedByClient, "It is preferred that the server close the TCP connection"
	default:
		behaviorClose, resultClose = OK, "Connection was properly closed"
	}
	if ec.WrongEndpointFatal && behaviorClose == Failed {
		// The peer did not fail the connection itself: it did not see
		// what it should have refused.
		behavior, result = Failed, resultClose+": the peer should have failed the connection itself"
	}
	if c.wrongCodeFatal && behaviorClose == WrongCode {
		behavior, result = Failed, resultClose
	}
	if c.informational {
		switch {
		case c.infoResult != "":
			result = c.infoResult
		case behavior == OK:
			result = "Text message was processed before close."
		case behavior == NonStrict:
			result = "Close was processed before text message could be returned."
		}
		behavior, behaviorClose = Informational, Informational
	}
	return
}

func codeIn(c int, codes []core.StatusCode) bool {
	for _, k := range codes {
		if int(k) == c {
			return true
		}
	}
	return false
}

// eventJSON shows an event as Autobahn does: [kind, payload, binary] for
// messages, [kind, payload] otherwise. Long or binary payloads are cut and
// shown in hex, so a 16 MiB echo does not land in the report whole.
func eventJSON(e Event) []any {
	var payload string
	switch {
	case utf8.Valid(e.Payload) && len(e.Payload) <= 256:
		payload = string(e.Payload)
	case len(e.Payload) <= 64:
		payload = "0x" + hex.EncodeToString(e.Payload)
	default:
		payload = fmt.Sprintf("0x%s… (%d octets)", hex.EncodeToString(e.Payload[:32]), len(e.Payload))
	}
	if e.Kind == "message" {
		return []any{e.Kind, payload, e.Binary}
	}
	return []any{e.Kind, payload}
}

func eventsJSON(es []Event) [][]any {
	out := [][]any{}
	for _, e := range es {
		out = append(out, eventJSON(e))
	}
	return out
}

var (
	checkCasesOnce sync.Once
	checkCases     map[string]check.Case
)

// explainer returns the case of package check whose rule, explanation and
// lesson a family of Autobahn cases shares.
func explainer(id string) (check.Case, bool) {
	checkCasesOnce.Do(func() {
		checkCases = map[string]check.Case{}
		for _, c := range check.Cases(check.Options{LargeSizes: []int{1 << 20}}) {
			checkCases[c.ID] = c
		}
	})
	c, ok := checkCases[id]
	return c, ok
}

// explainerFor returns a case of package check about the rule id.
func explainerFor(ruleID string) (check.Case, bool) {
	explainer("")
	best, found := check.Case{}, false
	for _, c := range checkCases {
		if c.Rule.ID == ruleID && c.Explain.EN != "" && (!found || c.ID < best.ID) {
			best, found = c, true
		}
	}
	return best, found
}

// ruleRef is check.Ref as the optional field of a Result.
func ruleRef(r core.Rule) *check.RuleRef {
	rr := check.Ref(r)
	return &rr
}

// explain fills in the rule, the explanation and the lesson of a case that
// FAILED or was NON-STRICT: the rule the peer was seen to break when there
// is one, else the rule of the case's family.
func (r *Result) explain(c Case, broke *core.ProtocolError, lessons string) {
	if r.Outcome != Failed && r.Outcome != NonStrict {
		return
	}
	cc, ok := explainer(c.checkID)
	rule := cc.Rule
	if c.rule != nil {
		rule = *c.rule
	}
	if broke != nil && len(broke.Rules) > 0 && broke.Rules[0].ID != rule.ID {
		// The peer broke another rule than the one the case is about:
		// explain that one, with check's paragraph for it when it has one.
		// Without one, the family's lesson still covers it.
		rule = broke.Rules[0]
		if alt, found := explainerFor(rule.ID); found {
			cc = alt
		} else {
			cc.Explain = core.Words{}
		}
	}
	if rule.ID != "" {
		r.Rule = ruleRef(rule)
	}
	r.Explanation = cc.Explain.EN
	if c.why != "" && c.rule != nil && rule.ID == c.rule.ID {
		r.Explanation = c.why
	}
	if r.Explanation == "" && rule.ID != "" {
		r.Explanation = "The rule: " + rule.Cite() + "."
	}
	if ok && cc.Lesson != "" {
		r.Lesson = strings.TrimRight(lessons, "/") + "/lessons/" + cc.Lesson
	}
}
