//go:build !js

package tap

import (
	"time"

	"wsplay/core"
)

// Event is one report: a line of `wsplay tap -json`, a message on the
// page's watch channel. Type says which fields are set; docs/tap.md has the
// schema.
type Event struct {
	// Type is one of: listen, open, request, response, frame, garbage,
	// note, end, refused.
	Type string `json:"type"`
	// Session numbers the client connections of one tap, from 1; 0 for
	// events of the tap itself (listen, refused before a session).
	Session uint64    `json:"session"`
	Time    time.Time `json:"time"`

	// From is "client" or "server": who sent the bytes (request,
	// response, frame, garbage, note about one direction).
	From string `json:"from,omitempty"`

	// Listen is the tap's own address (listen). Client is the client's
	// address (open, refused); Target the URL relayed to and Addr the
	// address dialed (listen, open).
	Listen string `json:"listen,omitempty"`
	Client string `json:"client,omitempty"`
	Target string `json:"target,omitempty"`
	Addr   string `json:"addr,omitempty"`

	// Head is the request or response head (request, response).
	Head *Head `json:"head,omitempty"`
	// Frame is one frame (frame).
	Frame *Frame `json:"frame,omitempty"`
	// Garbage describes bytes that do not decode as frames (garbage).
	Garbage *Garbage `json:"garbage,omitempty"`

	// Problems lists every rule broken by what this event reports.
	Problems []Problem `json:"problems,omitempty"`
	// Message says in words what happened (note, end, refused, and a
	// summary on the others).
	Message string `json:"message,omitempty"`
	// Bytes counts the bytes relayed each way (end).
	Bytes *Counts `json:"bytes,omitempty"`
}

// Head is an HTTP head as one side sent it.
type Head struct {
	// Raw is the head as text (bytes that are not UTF-8 become U+FFFD);
	// RawBase64 is exact.
	Raw       string        `json:"raw"`
	RawBase64 string        `json:"rawBase64"`
	Size      int           `json:"size"`
	StartLine string        `json:"startLine"`
	Headers   []HeaderField `json:"headers"`
	// Forwarded is the head the tap sent to the server instead (request
	// only), and Rewrites says what differs.
	Forwarded string    `json:"forwarded,omitempty"`
	Rewrites  []Rewrite `json:"rewrites,omitempty"`
	// Status is the response's status code (response only; 0 when the
	// status line does not parse).
	Status int `json:"status,omitempty"`
	// Accept recomputes the Accept value from the request's key
	// (response only).
	Accept *Accept `json:"accept,omitempty"`
}

// HeaderField is one header line, in the order and spelling sent.
type HeaderField struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Rewrite is one change the tap made to the request head.
type Rewrite struct {
	What string `json:"what"` // "request-target", "Host", "Sec-WebSocket-Extensions"
	From string `json:"from"`
	To   string `json:"to"` // empty when the line was dropped
	Why  string `json:"why"`
}

// Accept is the Accept computation of RFC 6455 §4.2.2 item 5.4, step by
// step (core.AcceptSteps), beside the value the server sent.
type Accept struct {
	Key          string `json:"key"`
	GUID         string `json:"guid"`
	Concatenated string `json:"concatenated"`
	SHA1Hex      string `json:"sha1"`
	Expected     string `json:"expected"`
	Got          string `json:"got"`
	Match        bool   `json:"match"`
}

// Frame is one frame as it crossed the tap.
type Frame struct {
	// Seq numbers the frames of one direction from 1; Offset is the
	// frame's first byte in that direction's stream, counted from the
	// first byte after the handshake head.
	Seq    uint64 `json:"seq"`
	Offset uint64 `json:"offset"`
	// Size is the frame's size on the wire (header and payload), and
	// Pieces the number of TCP reads it arrived in.
	Size   uint64 `json:"size"`
	Pieces int    `json:"pieces"`

	Fin          bool   `json:"fin"`
	Rsv          byte   `json:"rsv"`
	Opcode       byte   `json:"opcode"`
	OpcodeName   string `json:"opcodeName"`
	Masked       bool   `json:"masked"`
	MaskingKey   string `json:"maskingKey,omitempty"` // hex
	Length       uint64 `json:"length"`
	HeaderLength int    `json:"headerLength"`

	// Wire is the frame's bytes in hex, exactly as sent: all of them, or
	// when Truncated the header and the first payload bytes; WireTail
	// then holds the last payload bytes and Omitted counts those between.
	Wire      string `json:"wire"`
	WireTail  string `json:"wireTail,omitempty"`
	Truncated bool   `json:"truncated,omitempty"`
	Omitted   uint64 `json:"omitted,omitempty"`

	// Text is the (unmasked) payload of a text or continuation frame, of
	// the bytes shown, when it is valid UTF-8.
	Text string `json:"text,omitempty"`
	// Close is the body of a close frame.
	Close *CloseBody `json:"close,omitempty"`
	// Fields are the core's explanation of each field (core.ExplainFrame).
	Fields []Field `json:"fields"`
	// Cut is set when the connection ended inside the frame: Size bytes
	// were announced, fewer arrived (Missing is how many did not).
	Cut     bool   `json:"cut,omitempty"`
	Missing uint64 `json:"missing,omitempty"`

	// Compressed marks every frame of a message that travelled
	// compressed (permessage-deflate: RSV1 on its first frame, RFC 7692
	// §6): their payload is DEFLATE data, so Text is empty. Inflated,
	// on the message's last frame, is the message inflated.
	Compressed bool      `json:"compressed,omitempty"`
	Inflated   *Inflated `json:"inflated,omitempty"`
}

// Inflated is a compressed message inflated, as its receiver reads it
// (context takeover as the handshake agreed), of which the report keeps
// the first Keep and last Tail bytes.
type Inflated struct {
	// Length is the message's inflated length; when Cut, inflating
	// stopped there (Limits.Inflate + 1 bytes) and the message is
	// longer. Compressed is its payload's length on the wire, all frames
	// together, and Saved the bytes compression saved (Length -
	// Compressed; negative when compressing cost bytes).
	Length     uint64 `json:"length"`
	Compressed uint64 `json:"compressed"`
	Saved      int64  `json:"saved"`
	Cut        bool   `json:"cut,omitempty"`
	// Data is the hex of the first inflated bytes (at most Keep); Tail
	// the hex of the last ones (at most Tail) when there are more, and
	// Omitted counts those between.
	Data    string `json:"data"`
	Tail    string `json:"tail,omitempty"`
	Omitted uint64 `json:"omitted,omitempty"`
	// Text is a text message's first inflated bytes as text, when they
	// are UTF-8.
	Text string `json:"text,omitempty"`
	// NotInflated says why the message was not inflated: its compressed
	// payload is larger than Limits.Inflate, or it refers to the window
	// of an earlier message that was not inflated to its end.
	NotInflated string `json:"notInflated,omitempty"`
}

// CloseBody is the status code and reason of a close frame; NoCode when the
// body is empty (the receiver reports 1005, §7.1.5).
type CloseBody struct {
	Code   int    `json:"code,omitempty"`
	Name   string `json:"name,omitempty"`
	Reason string `json:"reason,omitempty"`
	NoCode bool   `json:"noCode,omitempty"`
}

// Field is one field of a frame, as core.Field describes it.
type Field struct {
	Name    string `json:"name"`
	Offset  int    `json:"offset"`
	Size    int    `json:"size"`
	Raw     string `json:"raw"`
	Value   string `json:"value"`
	Meaning string `json:"meaning"`
}

// Garbage describes where a stream stopped decoding as frames.
type Garbage struct {
	Offset uint64 `json:"offset"`
	Bytes  string `json:"bytes"` // hex of the first bytes (at most 64)
}

// Counts are the bytes relayed each way after the handshake heads.
type Counts struct {
	Client uint64 `json:"client"`
	Server uint64 `json:"server"`
}

// Problem is one broken rule: the core's rule with where the learner reads
// about it.
type Problem struct {
	ID      string `json:"id"`
	Text    string `json:"text"`
	TextZH  string `json:"textZh"`
	Section string `json:"section"`
	Source  string `json:"source"`
	// Lesson is the slug of the lesson that explains the rule, e.g.
	// "payload-length" for /lessons/payload-length.
	Lesson string `json:"lesson"`
	// Detail says what was found, when there is more to say.
	Detail string `json:"detail,omitempty"`
}

// lessonOf maps rule ids to the lesson that explains them.
var lessonOf = map[string]string{
	core.RuleReservedBits.ID:     "frame-anatomy",
	core.RuleReservedOpcode.ID:   "frame-anatomy",
	core.RuleLengthTopBit.ID:     "payload-length",
	core.RuleMinimalLength.ID:    "payload-length",
	core.RuleMessageTooBig.ID:    "payload-length",
	core.RuleClientMasks.ID:      "masking",
	core.RuleServerNoMask.ID:     "masking",
	core.RuleControlFinal.ID:     "control-frames",
	core.RuleControlLength.ID:    "control-frames",
	core.RuleContinuationLone.ID: "fragmentation",
	core.RuleFragmentsNested.ID:  "fragmentation",
	core.RuleInvalidUTF8.ID:      "utf8",
	core.RuleCloseLength.ID:      "closing",
	core.RuleCloseCode.ID:        "closing",
	core.RuleCloseReasonUTF8.ID:  "closing",
	core.RuleAcceptValue.ID:      "accept",
	core.RuleKeyLength.ID:        "accept",
	core.RuleCompressedBit.ID:    "compression",
	core.RuleInflate.ID:          "compression",
}

// LessonOf returns the slug of the lesson that explains a rule: the
// frame and handshake rules have a lesson each; the other HTTP rules of
// the handshake are in "handshake".
func LessonOf(r core.Rule) string {
	if l, ok := lessonOf[r.ID]; ok {
		return l
	}
	return "handshake"
}

// problem turns a core rule into a Problem.
func problem(r core.Rule, detail string) Problem {
	return Problem{ID: r.ID, Text: r.Text, TextZH: r.TextIn(core.LangZH), Section: r.Section, Source: r.Source(),
		Lesson: LessonOf(r), Detail: detail}
}

func problems(rules []core.Rule) []Problem {
	var out []Problem
	for _, r := range rules {
		out = append(out, problem(r, ""))
	}
	return out
}
