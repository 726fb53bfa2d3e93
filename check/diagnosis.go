//go:build !js

package check

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"strings"

	"wsplay/core"
)

// Diagnosis is a classic mistake recognised from what came back, said once
// at the top of a report, before the case details: most first servers fail
// many cases for one reason, and the learner should read that reason first.
type Diagnosis struct {
	// ID names the mistake for programs and translations: one of the
	// Diag constants.
	ID string `json:"id"`
	// Text says what the server did and what to change, for a learner.
	Text string `json:"text"`
	// Lesson is the URL of the lesson to read.
	Lesson string `json:"lesson"`
	// Cases are the ids of the cases that showed the mistake.
	Cases []string `json:"cases,omitempty"`
}

// The mistakes the check recognises, most fundamental first: a report names
// the first of them that any case showed.
const (
	DiagNotListening     = "not-listening"      // nothing accepts connections at the address
	DiagStoppedListening = "stopped-listening"  // the server went away during the run
	DiagAcceptHex        = "accept-hex"         // Accept is the SHA-1 digest in hex
	DiagAcceptDecodedKey = "accept-decoded-key" // Accept hashed the base64-decoded key
	DiagHandshakeOnly    = "handshake-only"     // the handshake is answered, then nothing
	DiagServerMasks      = "server-masks"       // the server's frames have the MASK bit set
	DiagEchoedMasked     = "echoed-masked"      // the reply is the masked bytes sent
	DiagCutAtRecv        = "cut-at-recv"        // the reply stops at the size of one recv
)

// diagOrder is the priority of the diagnoses, with each one's lesson.
var diagOrder = []struct{ id, lesson string }{
	{DiagNotListening, "your-server"},
	{DiagStoppedListening, "your-server"},
	{DiagAcceptHex, "accept"},
	{DiagAcceptDecodedKey, "accept"},
	{DiagHandshakeOnly, "frame-anatomy"},
	{DiagServerMasks, "masking"},
	{DiagEchoedMasked, "masking"},
	{DiagCutAtRecv, "mistakes"},
}

// diagText returns the paragraph of a diagnosis; addr is the address
// dialed.
func diagText(id, addr string) string {
	switch id {
	case DiagNotListening:
		return "nothing listens on " + addr + " — is your server started? Start it, check the port in the URL, then run the check again."
	case DiagStoppedListening:
		return "your server stopped accepting connections on " + addr + " during the run: it has probably crashed. Look at its output for the error; the cases after that one were not run."
	case DiagAcceptHex:
		return "your Sec-WebSocket-Accept is the SHA-1 digest written in hex (40 characters). Send the 20 raw bytes of the digest in base64 instead: base64(SHA-1(key + GUID)) is 28 characters and ends with \"=\"."
	case DiagAcceptDecodedKey:
		return "your Sec-WebSocket-Accept was computed from the base64-decoded key. Hash the key's text exactly as it arrived (its 24 characters) followed by the GUID; do not decode it first."
	case DiagHandshakeOnly:
		return "your server answers the handshake, but nothing comes back after it: it does not read frames yet. Reading a frame and sending it back is what the lessons on frames and payload lengths add; until then, check it with -stage handshake."
	case DiagServerMasks:
		return "your server sets the MASK bit on the frames it sends. Only a client masks: a server's frames have MASK 0 and no masking key, and a browser fails the connection on a masked one."
	case DiagEchoedMasked:
		return "your server sends the payload back still masked: the bytes that came back are exactly the masked bytes the check sent. Unmask each payload byte (byte i XOR key[i mod 4]) before you use or echo it."
	case DiagCutAtRecv:
		return "your server's replies stop at the size of one recv: it reads each frame with a single recv call and sends back what that one read returned. Keep reading until the whole payload announced by the length field has arrived."
	}
	return id
}

// acceptMistake recognises how a wrong Accept value was computed from key.
func acceptMistake(key, got string) string {
	sum := sha1.Sum([]byte(key + core.GUID))
	if strings.EqualFold(strings.TrimSpace(got), hex.EncodeToString(sum[:])) {
		return DiagAcceptHex
	}
	if raw, err := base64.StdEncoding.DecodeString(key); err == nil {
		d := sha1.Sum(append(raw, core.GUID...))
		if got == base64.StdEncoding.EncodeToString(d[:]) || strings.EqualFold(got, hex.EncodeToString(d[:])) {
			return DiagAcceptDecodedKey
		}
	}
	return ""
}

// acceptMistakeText is the sentence a case adds for a recognised Accept
// mistake.
func acceptMistakeText(id string) string {
	switch id {
	case DiagAcceptHex:
		return "It is the SHA-1 digest in hex: send the raw digest in base64."
	case DiagAcceptDecodedKey:
		return "It was computed from the decoded key bytes: hash the key's text as received."
	}
	return ""
}

// diagnose picks the report's diagnosis from what the cases recognised.
func diagnose(found map[string][]string, addr, lessons string) *Diagnosis {
	for _, d := range diagOrder {
		if ids, ok := found[d.id]; ok {
			return &Diagnosis{ID: d.id, Text: diagText(d.id, addr), Lesson: lessons + "/lessons/" + d.lesson, Cases: ids}
		}
	}
	return nil
}
