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
//     (accept.go, httphead.go, handshake.go, client.go) cover RFC 6455 §4.
//   - FrameHeader, ParseFrameHeader, AppendFrameHeader and AppendFrame
//     (frame.go) are the one codec of the frame header of §5.2, used by
//     the reader, the writers, the fast paths and the explainers alike;
//     Mask (mask.go) applies the masking of §5.3 and can resume at any key
//     position.
//   - FrameReader (reader.go, fragment.go) turns any io.Reader into a
//     stream of frames, whatever the chunking of the bytes underneath.
//   - Conn (conn.go, read.go, control.go, write.go, closing.go) is the
//     message-level connection of §5.4–§7: fragmentation, control frames,
//     UTF-8 validation, size limits and the closing handshake.
//   - permessage-deflate, RFC 7692 (extension.go, deflate.go): the
//     negotiation in the handshake and the compressed messages of a Conn
//     (Config.Deflate).
//
// # Reading order
//
// To learn the protocol from this code, read the files in the order of the
// RFC. Each line names the sections, then the file to open:
//
//   - §1.3, §4.1–§4.2 the opening handshake: httphead.go (the HTTP/1.1
//     lines it travels in), handshake.go (the server's rules and answer),
//     accept.go (Sec-WebSocket-Accept), client.go (the client's side),
//     upgrade.go (the same from net/http).
//   - §5.1–§5.3 frames and masking: opcode.go, frame.go (the header, bit
//     by bit, and the rules of one header), mask.go (Mask and its portable
//     loop).
//   - §5.2 read from a stream: reader.go (FrameReader: a frame cut into
//     any reads), then fragment.go (§5.4, the order of fragments).
//   - §5.4–§5.6 and §8.1 messages: conn.go (what a Conn holds), read.go
//     (reassembly, UTF-8 as it arrives: utf8.go), write.go.
//   - §5.5 control frames: control.go (ping, pong, close).
//   - §7 closing: close.go (codes and the close payload, §7.4), then
//     closing.go (the closing handshake, with a diagram, and failing the
//     connection, §7.1.7).
//   - §9 extensions, and RFC 7692 compression: extension.go (the
//     Sec-WebSocket-Extensions grammar, the offers of permessage-deflate
//     and the answer, §5 and §7.1 of RFC 7692), then deflate.go (RSV1, the
//     00 00 ff ff tail, context takeover, the size limit while inflating,
//     §6 and §7.2). deflate_flate.go plugs in compress/flate, outside the
//     WebAssembly build.
//   - Rules and errors: rules.go (the Rule type and the registry), then
//     one file of rules per part of the RFC, each rule with its id,
//     section, English and Chinese: rules_handshake.go, rules_client.go,
//     rules_frame.go, rules_fragment.go, rules_control.go, rules_close.go,
//     rules_utf8.go, rules_extension.go; errors.go (the errors that carry them).
//   - Words for a learner: words.go (field meanings, opcode meanings,
//     close-code names, the Accept steps, in English and Chinese).
//   - What the page shows: explain.go (ExplainFrame, AcceptSteps,
//     MaskSteps call the functions above).
//
// Some files exist only for speed, size or the server's resources, and may
// be skipped on a first read; the differential and fuzz tests prove that
// they change nothing else:
//
//   - readloop.go, readloop_unix.go, readloop_other.go: ReadLoop, the
//     server's loop: messages handled in place, read straight from the
//     socket. It does what a loop around ReadMessage does.
//   - readbuf.go: the read buffer that goes back to a pool while idle.
//   - mask_amd64.go, mask_amd64.s, mask_other.go: the same masking with
//     SSE2 or AVX2 on amd64, tested against the portable loop.
//   - sha1.go, byteorder.go, random_js.go: the standard library's SHA-1,
//     encoding/binary and crypto/rand would each make the WebAssembly
//     module larger.
//   - budget.go, idle.go: memory and time bounds for a server with many
//     peers (Config.Budget, Config.IdleTimeout).
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
