package core

// The proof of the opening handshake, RFC 6455 §1.3 and §4.2.2: the
// server hashes the client's Sec-WebSocket-Key with the GUID and answers
// with the result, Sec-WebSocket-Accept.

import (
	"encoding/base64"
	"strconv"
)

// GUID is the globally unique identifier of RFC 6455 §1.3. The server
// appends it to the client's Sec-WebSocket-Key before hashing: only a server
// that knows the WebSocket protocol can compute the Accept value, so a plain
// HTTP server can never be tricked into accepting a WebSocket connection.
const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// Accept returns the Sec-WebSocket-Accept value for a Sec-WebSocket-Key
// (§4.2.2 step 5.4): the base64 encoding of the SHA-1 digest of the key, as
// sent, followed by GUID. It does not check the key; Request.Validate does.
func Accept(key string) string {
	var buf [28]byte
	return string(appendAccept(buf[:0], key))
}

// appendAccept appends the Accept value for key to dst without allocating
// when dst has room for its 28 bytes.
func appendAccept(dst []byte, key string) []byte {
	sum := acceptDigest(key)
	return base64.StdEncoding.AppendEncode(dst, sum[:])
}

// acceptDigest is the SHA-1 digest of the key followed by GUID: the step
// before base64, shared with AcceptSteps.
func acceptDigest(key string) [20]byte {
	var buf [64]byte // a valid key (24 bytes) and the GUID (36) fit: no allocation
	return sha1Sum(append(append(buf[:0], key...), GUID...))
}

// CheckKey reports whether key is a valid Sec-WebSocket-Key: base64 of
// exactly 16 bytes (§4.1 item 7, §4.2.1 item 5).
func CheckKey(key string) error {
	b, err := base64.StdEncoding.DecodeString(key)
	if err != nil {
		return &HandshakeError{Status: 400, Rule: RuleKeyLength, Detail: strconv.Quote(key) + " is not base64"}
	}
	if len(b) != 16 {
		return &HandshakeError{Status: 400, Rule: RuleKeyLength,
			Detail: strconv.Quote(key) + " decodes to " + strconv.Itoa(len(b)) + " bytes"}
	}
	return nil
}
