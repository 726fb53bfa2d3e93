//go:build !js

package main

import (
	"os"
	"runtime/debug"
	"time"
)

// The memory of the server is bounded in three ways:
//
//   - per message: -max-message (core refuses a larger message with 1009
//     before reading its payload);
//   - across connections: -max-inflight, a core.Budget shared by every
//     WebSocket, that bounds the bytes of half-read messages beyond the
//     first 64 KiB of each (a connection whose message does not fit gets
//     1013, try again later);
//   - in time: a message must arrive whole within -idle-timeout of its
//     first frame (core), so a client that trickles bytes cannot keep a
//     half-read message for ever.
//
// The budget counts the buffers of messages being read (and, on /ws/echo,
// being echoed); the collector's room on top of that (GOGC=100 lets the
// heap grow to twice what is live) is bounded by a soft memory limit,
// set by `wsplay serve` from -max-inflight (setMemoryLimit), unless
// GOMEMLIMIT is set.
//
// After a burst of large messages the Go heap is freed by the garbage
// collector, but the runtime gives the pages back to the system slowly,
// so the process kept hundreds of MB it no longer used. giveBackMemory
// watches the budget's peak and, after large messages have come and gone,
// returns the memory (debug.FreeOSMemory) on the next few ticks, since
// what was live at the first tick becomes garbage over the following ones.

// giveBackTick is how often the server looks at the budget's peak.
const giveBackTick = 2 * time.Second

// giveBackAbove is the peak of half-read message bytes above which the
// server gives memory back once they are done.
const giveBackAbove = 8 << 20

// giveBackTicks is on how many ticks after a large peak memory is given
// back.
const giveBackTicks = 4

// giveBackMemory runs until stop is closed.
func (s *Server) giveBackMemory(stop <-chan struct{}) {
	t := time.NewTicker(giveBackTick)
	defer t.Stop()
	pending := 0 // ticks left on which to give memory back
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		if peak := s.budget.TakePeak(); peak > giveBackAbove {
			pending = giveBackTicks
		}
		if pending > 0 && s.budget.InUse() < giveBackAbove/2 {
			pending--
			debug.FreeOSMemory()
			s.gaveBack.Add(1)
		}
	}
}

// setMemoryLimit sets the process's soft memory limit from the server's
// limits: the budget of messages in flight, a quarter as much again for
// the collector's room and the echoes being written, and 48 MiB for the
// rest (the page, the lessons, the connections): 128 MiB with the
// defaults. Near it the collector runs more often, which costs CPU only
// while large messages flood in. GOMEMLIMIT, when set, wins.
// It returns the limit set, or 0.
func setMemoryLimit(cfg Config) int64 {
	if os.Getenv("GOMEMLIMIT") != "" {
		return 0
	}
	limit := cfg.MaxInFlight + cfg.MaxInFlight/4 + 48<<20
	debug.SetMemoryLimit(limit)
	return limit
}
