//go:build race

package core

// abRace reports whether the race detector is on: it slows every memory
// access, so the conformance suite trims its largest cases under it.
const abRace = true
