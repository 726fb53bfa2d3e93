// Package interop holds tests only: wsplay's core talking to widely used
// WebSocket libraries over loopback, for the features where two
// implementations must agree byte for byte, such as permessage-deflate
// (RFC 7692). The libraries are dependencies of this module (bench/go.mod)
// only, never of wsplay's.
package interop
