package core

// Fragmentation, RFC 6455 §5.4: a message is one frame with FIN set, or a
// text or binary frame with FIN clear followed by continuation frames, the
// last of which has FIN set. Control frames may come between fragments
// (§5.5), but the fragments of two messages may not interleave. The
// FrameReader checks the order; Conn.readMessageGeneral (read.go)
// reassembles the payloads.

// sequenceRules returns the rules of §5.4 that a data frame with header h
// breaks, given the frames read before it: a continuation frame with no
// message to continue, or a new message before the last one ended. Control
// frames and reserved opcodes break none here. It changes no state.
func (fr *FrameReader) sequenceRules(h FrameHeader) []Rule {
	if h.Opcode.IsReserved() || !h.Opcode.IsData() {
		return nil
	}
	switch {
	case h.Opcode == OpContinuation && !fr.inMessage:
		return []Rule{RuleContinuationLone}
	case h.Opcode != OpContinuation && fr.inMessage:
		return []Rule{RuleFragmentsNested}
	}
	return nil
}

// follow records that the data frame h, which broke no rule of §5.4, was
// read: a message is open after it unless its FIN bit is set.
func (fr *FrameReader) follow(h FrameHeader) {
	if !h.Opcode.IsReserved() && h.Opcode.IsData() {
		fr.inMessage = !h.Fin
	}
}
