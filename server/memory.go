//go:build !js

package main

import (
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
// After a burst of large messages the Go heap is freed by the garbage
// collector, but the runtime gives the pages back to the system slowly,
// so the process kept hundreds of MB it no longer used. giveBackMemory
// watches the budget's peak and, after large messages have come and gone,
// returns the memory at once (debug.FreeOSMemory), at most once per tick.

// giveBackTick is how often the server looks at the budget's peak.
const giveBackTick = 2 * time.Second

// giveBackAbove is the peak of half-read message bytes above which the
// server gives memory back once they are done.
const giveBackAbove = 8 << 20

// giveBackMemory runs until stop is closed.
func (s *Server) giveBackMemory(stop <-chan struct{}) {
	t := time.NewTicker(giveBackTick)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		if peak := s.budget.TakePeak(); peak > giveBackAbove && s.budget.InUse() < peak/4 {
			debug.FreeOSMemory()
			s.gaveBack.Add(1)
		}
	}
}
