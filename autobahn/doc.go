//go:build !js

// Package autobahn runs the Autobahn|Testsuite conformance cases in Go: the
// cases WebSocket libraries run in CI, with the same case ids (1.1.1 …),
// descriptions, expectations and outcome categories, graded by the same
// rules, and reported in Autobahn's index.json format, so that scripts that
// read Autobahn's reports keep working.
//
// # Two roles, one set of cases
//
// Run is the fuzzing client: it connects to a server under test once per
// case (through package reach only), plays the case and grades the server.
// FuzzingServer is the fuzzing server: a client under test connects to
// /runCase?case=N&agent=A once per case, wsplay plays the same case from
// the server's side and grades the client. A case is written once, as a
// script run by a Peer; the Peer knows which side it is on (it masks its
// frames as a client, never as a server).
//
// # Outcomes
//
// Like Autobahn, a case ends with two verdicts. Behavior compares what the
// peer sent (messages, pings, pongs, in order) with the expected events:
// OK, NON-STRICT, INFORMATIONAL, UNIMPLEMENTED or FAILED. BehaviorClose
// grades the end of the connection: which endpoint started the closing
// handshake, whether it was completed, and the close code: OK, FAILED,
// WRONG CODE, UNCLEAN or FAILED BY CLIENT. A case counts as failed when
// either says FAILED, or the close was WRONG CODE or UNCLEAN (see
// Result.Outcome).
//
// # Compression
//
// Sections 12 and 13 offer permessage-deflate (RFC 7692) in the opening
// handshake, as a client, or answer the client's offer, as a server, with
// the parameters of each group (compression.go). The Peer then sends
// compressed messages (core.AppendDeflate) and inflates the compressed
// ones it receives (deflate.go). A peer that accepts no offer leaves the
// case UNIMPLEMENTED, as in Autobahn.
//
// Read cases.go (the cases, as tables), peer.go (the protocol side that
// plays them), outcome.go (the grading), run.go and fuzzserver.go (the two
// roles) and report.go (index.json, per-case JSON, HTML and text).
package autobahn
