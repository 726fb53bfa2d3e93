//go:build !unix

package core

import "testing"

// checkRawLoop does nothing where ReadLoop has no raw-socket path.
func checkRawLoop(*testing.T, []byte, int, Role, Config, diffOutcome) {}
