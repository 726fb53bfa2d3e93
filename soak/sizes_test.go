//go:build !js

package soak

import (
	"os"
	"testing"
	"time"
)

// sizes are the numbers every scenario takes: one place for the short run
// that `go test ./...` does in CI and the long one `make soak` does.
type sizes struct {
	long bool

	EchoConns    int           // echo connections held during the load
	ChatClients  int           // chat members sending during the load
	LoadDuration time.Duration // how long the chat members send
	ChatRate     float64       // lines per second each member sends

	SlowFlood int // 4 KiB chat lines sent while the slow clients are connected

	BigMessage int64 // the message sent to a server with -max-message 1MiB
	Fragments  int   // fragments of the fragmented messages
	Pings      int   // pings in a burst

	ShutdownClients int // echo clients connected when SIGTERM arrives

	ClassStudents       int // students of the simulated class, each on its own address
	ClassPageChecks     int // of them, those who check their own server from the page (the rest report like -report)
	ClassChatLines      int // chat lines each student says
	ClassHostileSockets int // sockets the hostile student tries to open
}

// short is what `go test ./soak/` runs: every scenario, with the load
// lasting seconds rather than a minute, so the package stays within about
// 90 s under -race on 2 cores.
var short = sizes{
	EchoConns:       1000,
	ChatClients:     50,
	LoadDuration:    4 * time.Second,
	ChatRate:        2,
	SlowFlood:       2000,
	BigMessage:      100 << 20,
	Fragments:       100_000,
	Pings:           10_000,
	ShutdownClients: 200,

	ClassStudents:       200,
	ClassPageChecks:     6,
	ClassChatLines:      3,
	ClassHostileSockets: 1000,
}

// long is what `make soak` (WSPLAY_SOAK=1) runs.
var long = sizes{
	long:            true,
	EchoConns:       1000,
	ChatClients:     200,
	LoadDuration:    60 * time.Second,
	ChatRate:        0.25,
	SlowFlood:       5000,
	BigMessage:      100 << 20,
	Fragments:       100_000,
	Pings:           10_000,
	ShutdownClients: 500,

	ClassStudents:       200,
	ClassPageChecks:     200,
	ClassChatLines:      10,
	ClassHostileSockets: 5000,
}

// parallel lets the scenarios of the short run overlap: a race-enabled
// server takes seconds to start and most scenarios spend their time
// waiting for timeouts, so overlapping them keeps `go test ./...` short.
// The long run keeps them apart, so its timings are each scenario's own
// (memory figures are per process either way).
func parallel(t *testing.T) {
	if !size.long {
		t.Parallel()
	}
}

// size is the set in use.
var size = func() sizes {
	if os.Getenv("WSPLAY_SOAK") == "1" {
		return long
	}
	return short
}()
