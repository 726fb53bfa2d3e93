package core

import "strings"

// This file is the home of the rules: the Rule type and the registry that
// lists every rule. The rules themselves live in one file per part of RFC
// 6455, each with its id, section, English and Chinese text:
// rules_handshake.go (§4, the server's side), rules_client.go (§4.1, the
// client's side), rules_frame.go (§5.1-5.3, 5.6), rules_fragment.go
// (§5.4), rules_control.go (§5.5), rules_close.go (§5.5.1, §7) and
// rules_utf8.go (§8). Everything a learner reads about a rule — an error,
// the page, the lessons, wsplay check, the tap — renders from these values.

// The languages the learner's texts are written in.
const (
	LangEN = "en" // English, the default
	LangZH = "zh" // Simplified Chinese
)

// Langs lists the languages every learner's text has, the default first.
var Langs = []string{LangEN, LangZH}

// ValidLang reports whether lang is one of Langs.
func ValidLang(lang string) bool { return lang == LangEN || lang == LangZH }

// A Rule is one requirement of RFC 6455 (or of the HTTP it builds on), in the
// words a learner reads, with the section that states it. Errors, the
// explainers and wsplay check all cite the same Rule values, so the page, the
// lessons and the terminal say the same thing.
type Rule struct {
	// ID names the rule for programs, e.g. "control-final": stable across
	// releases and languages, so a page can translate Text by it.
	ID string
	// Text is the requirement as one sentence without a final period,
	// e.g. "control frames must not be fragmented".
	Text string
	// ZH is Text in Simplified Chinese. The protocol's own names (FIN,
	// RSV1, Sec-WebSocket-Key, ...) stay as the RFC writes them, so that a
	// learner can find them in the RFC and in code.
	ZH string
	// Section is the RFC 6455 section, e.g. "5.5". A section of another RFC
	// starts with that RFC's name, e.g. "RFC 9110 §9.3.1".
	Section string
}

// Cite returns the rule followed by its source, e.g.
// "control frames must not be fragmented (RFC 6455 §5.5)".
func (r Rule) Cite() string {
	return r.Text + " (" + r.Source() + ")"
}

// CiteIn is Cite in a language (see TextIn).
func (r Rule) CiteIn(lang string) string {
	return r.TextIn(lang) + " (" + r.Source() + ")"
}

// Source returns where the rule is written, e.g. "RFC 6455 §5.5".
func (r Rule) Source() string {
	if len(r.Section) > 3 && r.Section[:3] == "RFC" {
		return r.Section
	}
	return "RFC 6455 §" + r.Section
}

// TextIn returns the rule's text in a language: "zh" for Simplified
// Chinese, anything else for English. A rule built by copying a registered
// one with a detail added to its English text, such as " (1048576 bytes)",
// keeps the detail in Chinese too.
func (r Rule) TextIn(lang string) string {
	if lang != LangZH {
		return r.Text
	}
	reg, ok := rulesByID[r.ID]
	if !ok {
		if r.ZH != "" {
			return r.ZH
		}
		return r.Text
	}
	if r.Text == reg.Text {
		return reg.ZH
	}
	if rest, found := strings.CutPrefix(r.Text, reg.Text); found {
		return reg.ZH + rest
	}
	if r.ZH != "" {
		return r.ZH
	}
	return r.Text
}

// registry lists every rule, in the order of the RFC's sections: the
// opening handshake (server side, then client side), the frame, fragments,
// control frames, closing, UTF-8. A rule that is not here cannot be
// translated or looked up by id; rules_test.go fails when one is missing.
var registry = []Rule{
	// rules_handshake.go
	RuleRequestLine, RuleHeaderLine, RuleHeaderFolding, RuleHeaderTooLarge,
	RuleMethodGet, RuleNoBody, RuleHTTPVersion, RuleHost, RuleUpgrade, RuleConnection,
	RuleKeyPresent, RuleKeyLength, RuleVersion, RuleOrigin, RuleHijacker,
	// rules_client.go
	RuleStatusLine, RuleStatus101, RuleResponseUpgrade, RuleResponseConnection,
	RuleAcceptValue, RuleResponseProtocol, RuleResponseExtension,
	// rules_frame.go
	RuleReservedBits, RuleReservedOpcode, RuleLengthTopBit, RuleMinimalLength,
	RuleLength7, RuleLength16, RuleLength64, RuleClientMasks, RuleServerNoMask,
	RuleUnmaskPayload, RuleEchoOpcode, RuleByteStream, RuleFrameError,
	// rules_fragment.go
	RuleContinuationLone, RuleFragmentsNested, RuleFragmentsJoined, RuleControlBetween,
	// rules_control.go
	RuleControlFinal, RuleControlLength, RulePongPayload, RulePongUnsolicited,
	// rules_close.go
	RuleCloseLength, RuleCloseCode, RuleCloseReasonUTF8, RuleCloseReply,
	RuleServerClosesTCP, RuleFailWithClose, RuleNothingAfterClose,
	RuleMessageTooBig, RuleServerBusy,
	// rules_utf8.go
	RuleInvalidUTF8,
	// rules_extension.go
	RuleExtensionSyntax, RuleDeflateParam, RuleDeflateDuplicate, RuleDeflateNoContext,
	RuleDeflateWindowBits, RuleDeflateServerBits, RuleDeflateClientBits, RuleDeflateAcceptOnce,
	RuleCompressedBit, RuleInflate, RuleDeflateUnavailable,
}

// Rules lists every Rule the core, the check and the tap can report, in
// the order of the RFC's sections. Pages and tools use it to show or
// translate the rules. The slice is a copy.
func Rules() []Rule {
	return append([]Rule(nil), registry...)
}

// RuleByID returns the registered rule with the id, and whether there is
// one.
func RuleByID(id string) (Rule, bool) {
	r, ok := rulesByID[id]
	return r, ok
}

// rulesByID indexes the registry, built once.
var rulesByID = func() map[string]Rule {
	m := make(map[string]Rule, len(registry))
	for _, r := range registry {
		m[r.ID] = r
	}
	return m
}()
