//go:build !js

package soak

import (
	"os"
	"time"
)

// sizes are the numbers every scenario takes: one place for the short run
// that `go test ./...` does in CI and the long one `make soak` does.
type sizes struct {
	name string

	EchoConns    int           // echo connections held during the load
	ChatClients  int           // chat members sending during the load
	LoadDuration time.Duration // how long the chat members send
	ChatRate     float64       // lines per second each member sends

	SlowFlood int // 4 KiB chat lines sent while the slow clients are connected

	BigMessage int64 // the message sent to a server with -max-message 1MiB
	Fragments  int   // fragments of the fragmented messages
	Pings      int   // pings in a burst

	ShutdownClients int // echo clients connected when SIGTERM arrives
}

// short is what `go test ./soak/` runs: every scenario, with the load
// lasting seconds rather than a minute, so the package stays within about
// 90 s under -race on 2 cores.
var short = sizes{
	name:            "short",
	EchoConns:       1000,
	ChatClients:     50,
	LoadDuration:    4 * time.Second,
	ChatRate:        2,
	SlowFlood:       2000,
	BigMessage:      100 << 20,
	Fragments:       100_000,
	Pings:           10_000,
	ShutdownClients: 200,
}

// long is what `make soak` (WSPLAY_SOAK=1) runs.
var long = sizes{
	name:            "long",
	EchoConns:       1000,
	ChatClients:     200,
	LoadDuration:    60 * time.Second,
	ChatRate:        2,
	SlowFlood:       5000,
	BigMessage:      100 << 20,
	Fragments:       100_000,
	Pings:           10_000,
	ShutdownClients: 500,
}

// size is the set in use.
var size = func() sizes {
	if os.Getenv("WSPLAY_SOAK") == "1" {
		return long
	}
	return short
}()
