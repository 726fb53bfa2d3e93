//go:build !js

// Package soak holds wsplay's reliability suite: tests that run the real
// wsplay binary as a separate process and attack it the way a classroom
// does — many clients at once, clients that read slowly or not at all,
// messages and frames at and beyond the limits, and a shutdown under load.
//
// The server runs in its own process so that its memory (VmRSS, VmHWM) is
// its own and SIGTERM is a real signal. `go test ./soak/` runs every
// scenario with small numbers (a few seconds of load); `make soak`
// (WSPLAY_SOAK=1) runs them with the full numbers. docs/reliability.md
// lists the scenarios and the figures measured.
package soak
