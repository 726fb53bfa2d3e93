package core

import "sync/atomic"

// A Budget bounds the memory that messages being read may take, across
// every connection that shares it (Config.Budget). Each connection reads
// the first FreeMessageBytes of a message without asking; beyond that, the
// room a message's buffer grows by is taken from the budget while the
// message is being read, and given back when the read ends. When the
// budget is spent, the connection whose message needs more fails with
// 1013 (try again later) and RuleServerBusy: one client sending a large
// message slowly, or many sending at once, cannot make the server hold
// more than the budget in half-read messages.
//
// A Budget is safe for concurrent use. The zero value is not usable; make
// one with NewBudget.
type Budget struct {
	limit int64
	used  atomic.Int64
	peak  atomic.Int64 // the most in use since TakePeak last ran
}

// FreeMessageBytes is how much of a message a connection reads without
// taking from its Budget: small messages never touch the shared counter.
const FreeMessageBytes = 64 << 10

// ReadLoop's raw path reads messages of up to keepMessageBuffer bytes
// without asking the budget: that is only right while they are free.
const _ = uint(FreeMessageBytes - keepMessageBuffer) // does not compile if keepMessageBuffer > FreeMessageBytes

// NewBudget returns a budget of limit bytes.
func NewBudget(limit int64) *Budget { return &Budget{limit: limit} }

// InUse returns the bytes taken now.
func (b *Budget) InUse() int64 { return b.used.Load() }

// TakePeak returns the most bytes that were in use at once since the last
// call, and starts counting again. A server uses it to give memory back to
// the system after large messages.
func (b *Budget) TakePeak() int64 { return b.peak.Swap(b.used.Load()) }

// take reserves n bytes; false when they are not there.
func (b *Budget) take(n int64) bool {
	u := b.used.Add(n)
	if u > b.limit {
		b.used.Add(-n)
		return false
	}
	b.notePeak(u)
	return true
}

func (b *Budget) notePeak(u int64) {
	for p := b.peak.Load(); u > p && !b.peak.CompareAndSwap(p, u); p = b.peak.Load() {
	}
}

// force reserves n bytes even past the limit: for room that is already
// allocated.
func (b *Budget) force(n int64) { b.notePeak(b.used.Add(n)) }

// give returns n bytes taken before.
func (b *Budget) give(n int64) { b.used.Add(-n) }
