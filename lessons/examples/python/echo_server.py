#!/usr/bin/env python3
"""A WebSocket echo server (RFC 6455) in Python 3, standard library only.

This is the final program of wsplay's lesson 11, "Write your own server".
It fixes what the classic blog recipe gets wrong: it reads frames from a
buffer whatever the TCP chunking, honours FIN and the opcodes, reassembles
fragmented messages, answers pings, runs the closing handshake, checks UTF-8
and fails the connection with the right close code when the client breaks
a rule.

Run it:  python3 echo_server.py 9001
Then point wsplay's live tools, or any WebSocket client, at ws://127.0.0.1:9001/
"""

import base64
import codecs
import hashlib
import socket
import struct
import sys
import threading
import urllib.parse

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455 §1.3
MAX_HEAD = 8192  # bytes of request line and headers we accept
MAX_MESSAGE = 16 * 1024 * 1024  # larger messages get 1009 (§7.4.1)

# Opcodes, RFC 6455 §5.2.
CONT, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


class ProtocolError(Exception):
    """The client broke a rule: fail the connection with this close code."""

    def __init__(self, code, reason):
        super().__init__(reason)
        self.code = code
        self.reason = reason


class PeerClosed(Exception):
    """The TCP connection ended (recv returned no bytes)."""


class Reader:
    """Exact reads from a socket: TCP is a stream of bytes, not of frames.

    One recv may return half a frame, or three frames and a bit; so every
    read goes through this buffer and asks for exactly n bytes.
    """

    def __init__(self, sock):
        self.sock = sock
        self.buf = bytearray()

    def read_exact(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise PeerClosed()
            self.buf += chunk
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    def read_head(self):
        """Read the request line and headers, up to the empty line."""
        while b"\r\n\r\n" not in self.buf:
            if len(self.buf) > MAX_HEAD:
                raise ValueError("request head too large")
            chunk = self.sock.recv(4096)
            if not chunk:
                raise PeerClosed()
            self.buf += chunk
        end = self.buf.index(b"\r\n\r\n") + 4
        if end > MAX_HEAD:
            raise ValueError("request head too large")
        head = bytes(self.buf[:end])
        del self.buf[:end]  # whatever follows is already WebSocket frames
        return head.decode("latin-1")


# ---- The opening handshake, RFC 6455 §4.2 ----

def parse_head(head):
    lines = head.split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3:
        raise ValueError("bad request line")
    method, target, version = parts
    headers = {}
    for line in lines[1:]:
        if not line:
            break
        # Split on the first colon, then trim: "Host:x", "Host: x" and
        # "Host:  x" are all valid HTTP (RFC 9112 §5).
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise ValueError("bad header line")
        name = name.lower()
        value = value.strip(" \t")
        if name in headers:
            headers[name] += ", " + value  # repeated fields join with commas
        else:
            headers[name] = value
    return method, version, headers


def tokens(value):
    return [t.strip().lower() for t in value.split(",")]


def origin_allowed(origin, host):
    """Browsers send Origin; a page from another site must not get in (§10.2).

    Allowed: no Origin (not a browser), a page from this server (Origin's
    host and port equal Host), or a page served on this machine (loopback).
    """
    if origin is None:
        return True
    parts = urllib.parse.urlsplit(origin)
    if parts.scheme not in ("http", "https"):
        return False
    if parts.netloc.lower() == host.lower():
        return True
    name = (parts.hostname or "").lower()
    return name == "localhost" or name == "::1" or name.startswith("127.")


def handshake_problem(method, version, headers):
    """Return None when the request is a valid opening handshake (§4.2.1)."""
    if method != "GET":
        return "405 Method Not Allowed", "the opening handshake must be a GET"
    if version != "HTTP/1.1":
        return "400 Bad Request", "the opening handshake must use HTTP/1.1"
    if "host" not in headers:
        return "400 Bad Request", "missing Host"
    if "websocket" not in tokens(headers.get("upgrade", "")):
        return "400 Bad Request", "Upgrade must contain websocket"
    if "upgrade" not in tokens(headers.get("connection", "")):
        return "400 Bad Request", "Connection must contain Upgrade"
    key = headers.get("sec-websocket-key", "")
    try:
        if len(base64.b64decode(key, validate=True)) != 16:
            raise ValueError()
    except ValueError:
        return "400 Bad Request", "Sec-WebSocket-Key must be base64 of 16 bytes"
    if headers.get("sec-websocket-version") != "13":
        return "426 Upgrade Required", "Sec-WebSocket-Version must be 13"
    if not origin_allowed(headers.get("origin"), headers["host"]):
        return "403 Forbidden", "this server does not accept pages from that Origin"
    return None


def accept_value(key):
    digest = hashlib.sha1((key + GUID).encode("ascii")).digest()
    return base64.b64encode(digest).decode("ascii")


def handshake(sock, reader):
    try:
        method, version, headers = parse_head(reader.read_head())
        problem = handshake_problem(method, version, headers)
    except ValueError as e:  # too large, or not HTTP
        problem = "400 Bad Request", str(e)
    if problem:
        status, why = problem
        body = why.encode() + b"\n"
        extra = "Sec-WebSocket-Version: 13\r\n" if status.startswith("426") else ""
        sock.sendall(("HTTP/1.1 %s\r\n%sContent-Type: text/plain\r\n"
                      "Content-Length: %d\r\nConnection: close\r\n\r\n"
                      % (status, extra, len(body))).encode() + body)
        return False
    sock.sendall(("HTTP/1.1 101 Switching Protocols\r\n"
                  "Upgrade: websocket\r\n"
                  "Connection: Upgrade\r\n"
                  "Sec-WebSocket-Accept: %s\r\n\r\n"
                  % accept_value(headers["sec-websocket-key"])).encode())
    return True


# ---- Frames, RFC 6455 §5 ----

def unmask(key, data):
    """§5.3: byte i is XORed with key byte i mod 4.

    This is the loop  bytes(b ^ key[i % 4] for i, b in enumerate(data)),
    done on one big integer so that a large message takes milliseconds,
    not seconds: the key is repeated to the payload's length, and XOR on
    two integers works on all their bytes at once.
    """
    n = len(data)
    repeated = (key * (n // 4 + 1))[:n]
    x = int.from_bytes(data, "big") ^ int.from_bytes(repeated, "big")
    return x.to_bytes(n, "big")


def read_frame(reader, room):
    """Read one frame from a client; return (fin, opcode, payload).

    room is how many more message bytes the size limit allows: a data frame
    longer than that is refused from its header, before its payload is read.
    """
    b0, b1 = reader.read_exact(2)
    fin = b0 & 0x80 != 0
    opcode = b0 & 0x0F
    if b0 & 0x70:
        raise ProtocolError(1002, "reserved bits must be 0")  # §5.2
    if opcode not in (CONT, TEXT, BINARY, CLOSE, PING, PONG):
        raise ProtocolError(1002, "reserved opcode")  # §5.2
    if not b1 & 0x80:
        raise ProtocolError(1002, "client frames must be masked")  # §5.1
    length = b1 & 0x7F
    if length == 126:
        (length,) = struct.unpack("!H", reader.read_exact(2))
        if length < 126:
            raise ProtocolError(1002, "length not minimal")  # §5.2
    elif length == 127:
        (length,) = struct.unpack("!Q", reader.read_exact(8))
        if length >> 63:
            raise ProtocolError(1002, "top bit of length set")  # §5.2
        if length <= 0xFFFF:
            raise ProtocolError(1002, "length not minimal")  # §5.2
    if opcode >= CLOSE:  # control frames, §5.5
        if not fin:
            raise ProtocolError(1002, "control frames must not be fragmented")
        if length > 125:
            raise ProtocolError(1002, "control frames carry at most 125 bytes")
    elif length > room:
        raise ProtocolError(1009, "message too big")  # §7.4.1
    key = reader.read_exact(4)
    payload = unmask(key, reader.read_exact(length))
    return fin, opcode, payload


def frame(opcode, payload):
    """Build one unmasked frame (servers must not mask, §5.1)."""
    n = len(payload)
    if n <= 125:
        head = struct.pack("!BB", 0x80 | opcode, n)
    elif n <= 0xFFFF:
        head = struct.pack("!BBH", 0x80 | opcode, 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 127, n)
    return head + payload


def close_payload(code, reason=""):
    return struct.pack("!H", code) + reason.encode("utf-8")[:123]


def valid_close_code(code):
    # §7.4: codes a peer may send; 1005, 1006 and 1015 never appear on the wire.
    return code in (1000, 1001, 1002, 1003) or 1007 <= code <= 1014 \
        or 3000 <= code <= 4999


class Connection:
    def __init__(self, sock):
        self.sock = sock
        self.reader = Reader(sock)

    def send(self, opcode, payload):
        self.sock.sendall(frame(opcode, payload))

    def fail(self, code, reason):
        """Fail the connection (§7.1.7): send close, then end TCP.

        The client may still be sending (the rest of the bad frame). Closing
        a socket with unread bytes makes the kernel send a reset, and the
        client could lose our close frame; so half-close, and discard what
        still arrives, for two seconds at most, before closing.
        """
        try:
            self.send(CLOSE, close_payload(code, reason))
            self.sock.shutdown(socket.SHUT_WR)
            self.sock.settimeout(2)
            while self.sock.recv(65536):
                pass
        except OSError:
            pass

    def answer_close(self, payload):
        """The client started the closing handshake: echo its code (§5.5.1)."""
        if len(payload) == 0:
            self.send(CLOSE, b"")  # no code was sent (1005): answer likewise
            return
        if len(payload) == 1:
            raise ProtocolError(1002, "a close payload is empty or at least 2 bytes")
        (code,) = struct.unpack("!H", payload[:2])
        if not valid_close_code(code):
            raise ProtocolError(1002, "invalid close code")
        try:
            payload[2:].decode("utf-8")
        except UnicodeDecodeError:
            raise ProtocolError(1007, "close reason must be UTF-8")
        self.send(CLOSE, struct.pack("!H", code))

    def messages(self):
        """Yield (opcode, payload) for each whole data message."""
        message_op = None  # opcode of the fragmented message in progress
        parts = []
        size = 0
        decoder = None
        while True:
            fin, opcode, payload = read_frame(self.reader, MAX_MESSAGE - size)
            if opcode == PING:
                self.send(PONG, payload)  # same payload, §5.5.2
                continue
            if opcode == PONG:
                continue  # an unsolicited pong is allowed, §5.5.3
            if opcode == CLOSE:
                self.answer_close(payload)
                return
            if opcode == CONT:
                if message_op is None:
                    raise ProtocolError(1002, "continuation without a message")
            else:
                if message_op is not None:
                    raise ProtocolError(1002, "new message inside a fragmented one")
                message_op = opcode
                parts, size = [], 0
                # An incremental decoder accepts a code point split across
                # fragments and fails as soon as bytes cannot be UTF-8.
                decoder = codecs.getincrementaldecoder("utf-8")() if opcode == TEXT else None
            size += len(payload)
            if decoder is not None:
                try:
                    decoder.decode(payload, final=fin)
                except UnicodeDecodeError:
                    raise ProtocolError(1007, "text must be valid UTF-8")
            parts.append(payload)
            if fin:
                yield message_op, b"".join(parts)
                message_op, parts, size = None, [], 0

    def serve(self):
        try:
            if not handshake(self.sock, self.reader):
                return
            for opcode, message in self.messages():
                self.send(opcode, message)  # the echo
        except ProtocolError as e:
            self.fail(e.code, e.reason)
        except (PeerClosed, ValueError, OSError):
            pass  # the connection ended without a close frame (1006)
        finally:
            # After the closing handshake the server closes TCP first (§7.1.1).
            self.sock.close()


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 9001
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen()
    port = server.getsockname()[1]  # the port the system chose, if argv[1] was 0
    print("listening on %d" % port, flush=True)
    while True:
        sock, _ = server.accept()
        sock.settimeout(60)  # a silent client does not hold a thread forever
        threading.Thread(target=Connection(sock).serve, daemon=True).start()


if __name__ == "__main__":
    main()
