// Package core is wsplay's implementation of the WebSocket protocol, RFC 6455:
// the opening handshake (server and client side), frame headers, masking, a
// streaming frame reader, the message-level connection and the explainers
// that show a learner every intermediate step.
//
// The package uses the standard library only and builds both natively and for
// GOOS=js GOARCH=wasm: the companion server and the page's WebAssembly module
// run this same code. The explainers (AcceptSteps, ExplainFrame, MaskSteps)
// call the functions the server runs; they never re-implement them.
//
// # Layers
//
// From the bytes up:
//
//   - Accept, the HTTP request and response parsers and Request.Validate
//     (handshake.go, client.go) cover RFC 6455 §4.
//   - FrameHeader, ParseFrameHeader and AppendFrameHeader (frame.go) encode
//     and decode the frame header of §5.2; Mask (mask.go) applies the
//     masking of §5.3 and can resume at any key position.
//   - FrameReader (reader.go) turns any io.Reader into a stream of frames,
//     whatever the chunking of the bytes underneath.
//   - Conn (conn.go) is the message-level connection of §5.4–§7:
//     fragmentation, control frames, UTF-8 validation, size limits and the
//     closing handshake.
//
// # Errors
//
// Every rule a peer can break is a Rule value: a sentence and the RFC section
// it comes from. A broken protocol rule is reported as a *ProtocolError that
// lists every rule the input broke (a header can break several at once) and
// the close code the connection fails with. A broken handshake rule is a
// *HandshakeError that also carries the HTTP status to answer with. The peer's
// own close frame is reported as a *CloseError. Find each with errors.As.
//
// # Concurrency
//
// A Conn has one reader and any number of writers: call ReadMessage (or
// NextFrame), or run ReadLoop, from one goroutine only; WriteMessage,
// WriteFragmented, Ping and Close may be called from several goroutines at
// once, and each message goes out whole, never interleaved with another
// message's frames.
//
// # Buffers
//
// Functions whose names start with Append add to a slice the caller owns and
// return it, so a caller that reuses its buffer allocates nothing. Mask works
// in place. ReadMessage appends into a buffer the caller passes in; ReadLoop
// hands each message to its handler where it lies, valid until the handler
// returns. A Conn's read buffer goes back to a pool shared by all connections
// whenever it holds nothing, so an idle connection keeps none; the steady
// state of reading and writing allocates nothing.
package core
