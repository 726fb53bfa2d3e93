#!/usr/bin/env python3
"""A WebSocket echo server (RFC 6455) in Python 3, standard library only.

This is the final program of wsplay's lesson 11, "Write your own server":
the last milestone of the build-your-own-server track, track/python/07-utf8.py,
plus what a server needs before other people use it:

  * an Origin check, so that a page on another site cannot use it (lesson 14);
  * a limit on the size of a message, refused with 1009 from the frame's
    header, before its payload is read (§7.4.1);
  * a time limit on a silent client;
  * an unmasking fast enough for messages of megabytes.

    diff track/python/07-utf8.py python/echo_server.py

shows exactly these. Like every milestone, it reads frames from a buffer
whatever the TCP chunking, honours FIN and the opcodes, reassembles
fragmented messages, answers pings, runs the closing handshake, checks UTF-8
and fails the connection with the right close code when the client breaks a
rule.

Run it:    python3 echo_server.py 3368
Grade it:  wsplay check ws://127.0.0.1:3368/
Watch it:  wsplay tap -listen 127.0.0.1:9000 -target ws://127.0.0.1:3368/
"""

import base64
import codecs
import hashlib
import ipaddress
import socket
import struct
import sys
import threading
import urllib.parse

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455 §1.3
MAX_HEAD = 8192  # bytes of request line and headers we accept
MAX_MESSAGE = 16 * 1024 * 1024  # larger messages get 1009 (§7.4.1)
IDLE_TIMEOUT = 60  # seconds a client may stay silent

# Opcodes, RFC 6455 §5.2.
CONT, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


class ProtocolError(Exception):
    """The client broke a rule: the connection fails with this close code."""

    def __init__(self, code, reason):
        super().__init__(reason)
        self.code = code


class Reader:
    """Exact reads: TCP is a stream of bytes, and one recv() is not one
    request or one frame. Every read goes through this buffer."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = bytearray()

    def fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("the client closed the connection")
        self.buf += chunk

    def read_exact(self, n):
        while len(self.buf) < n:
            self.fill()
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    def read_head(self):
        """Read the request line and headers, up to the empty line."""
        while b"\r\n\r\n" not in self.buf:
            if len(self.buf) > MAX_HEAD:
                raise ValueError("the request head is too large")
            self.fill()
        end = self.buf.index(b"\r\n\r\n")
        head = bytes(self.buf[:end])
        del self.buf[:end + 4]  # what follows is already frames
        return head.decode("latin-1")


# ---- The opening handshake, RFC 6455 §4.2 ----

def tokens(value):
    """Upgrade and Connection hold comma-separated tokens, in any case."""
    return [t.strip().lower() for t in value.split(",")]


def valid_key(key):
    try:
        return len(base64.b64decode(key, validate=True)) == 16
    except ValueError:
        return False


def accept_value(key):
    """Lesson 3: base64 of the SHA-1 of the key followed by the GUID."""
    digest = hashlib.sha1((key + GUID).encode("ascii")).digest()
    return base64.b64encode(digest).decode("ascii")


def http_11_or_later(version):
    """True for "HTTP/1.1" and any later "HTTP/major.minor" (§4.1)."""
    name, _, number = version.partition("/")
    major, _, minor = number.partition(".")
    if name != "HTTP" or not major.isdigit() or not minor.isdigit():
        return False
    return (int(major), int(minor)) >= (1, 1)


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
    if name == "localhost":
        return True
    # Parse the host as an address and ask whether it is loopback: a test on
    # the text ("starts with 127.") would let http://127.attacker.example in.
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False  # a name other than localhost: not this machine


def refuse(sock, status, why):
    """Answer a request that is not a valid opening handshake."""
    body = (why + "\n").encode()
    extra = "Sec-WebSocket-Version: 13\r\n" if status.startswith("426") else ""
    sock.sendall(("HTTP/1.1 %s\r\n%sContent-Type: text/plain\r\n"
                  "Content-Length: %d\r\nConnection: close\r\n\r\n"
                  % (status, extra, len(body))).encode() + body)
    return False


def handshake(sock, reader):
    """Answer 101 and return True, or refuse the request and return False."""
    try:
        lines = reader.read_head().split("\r\n")
    except ValueError as e:
        return refuse(sock, "431 Request Header Fields Too Large", str(e))
    request = lines[0].split(" ")
    headers = {}
    for line in lines[1:]:
        # The first colon ends the name, the spaces around the value are
        # optional, and names ignore case (RFC 9112 §5).
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    # §4.1: "an HTTP/1.1 or higher GET request". Any other method gets 400,
    # the status §4.2.1 names ("such as 400 Bad Request"); a 405 would have to
    # carry an Allow field (RFC 9110 §15.5.6).
    if len(request) != 3 or request[0] != "GET" or not http_11_or_later(request[2]):
        return refuse(sock, "400 Bad Request", "the handshake is a GET over HTTP/1.1 or later")
    if "host" not in headers:
        return refuse(sock, "400 Bad Request", "the request must have a Host")
    if "websocket" not in tokens(headers.get("upgrade", "")):
        return refuse(sock, "400 Bad Request", "Upgrade must contain websocket")
    if "upgrade" not in tokens(headers.get("connection", "")):
        return refuse(sock, "400 Bad Request", "Connection must contain Upgrade")
    if headers.get("sec-websocket-version") != "13":
        return refuse(sock, "426 Upgrade Required", "Sec-WebSocket-Version must be 13")
    key = headers.get("sec-websocket-key", "")
    if not valid_key(key):
        return refuse(sock, "400 Bad Request", "Sec-WebSocket-Key must be base64 of 16 bytes")
    if not origin_allowed(headers.get("origin"), headers["host"]):
        return refuse(sock, "403 Forbidden", "this server does not accept pages from that Origin")
    sock.sendall(("HTTP/1.1 101 Switching Protocols\r\n"
                  "Upgrade: websocket\r\n"
                  "Connection: Upgrade\r\n"
                  "Sec-WebSocket-Accept: %s\r\n\r\n" % accept_value(key)).encode())
    return True


# ---- Frames, RFC 6455 §5 ----

def unmask(key, data):
    """§5.3: byte i is XORed with key byte i mod 4.

    This is the track's loop, bytes(b ^ key[i % 4] for i, b in enumerate(data)),
    done on one big integer so that a large message takes milliseconds, not
    seconds: the key is repeated to the payload's length, and XOR on two
    integers works on all their bytes at once.
    """
    n = len(data)
    repeated = (key * (n // 4 + 1))[:n]
    x = int.from_bytes(data, "big") ^ int.from_bytes(repeated, "big")
    return x.to_bytes(n, "big")


def read_frame(reader, room):
    """Read one frame, field by field (§5.2); return (fin, opcode, payload).

    room is how many more message bytes the size limit allows: a data frame
    longer than that is refused from its header, before its payload is read.
    """
    b0, b1 = reader.read_exact(2)
    fin = b0 & 0x80 != 0
    opcode = b0 & 0x0F
    if b0 & 0x70:
        raise ProtocolError(1002, "reserved bits must be 0")
    if opcode not in (CONT, TEXT, BINARY, CLOSE, PING, PONG):
        raise ProtocolError(1002, "reserved opcode")
    if not b1 & 0x80:
        raise ProtocolError(1002, "client frames must be masked")
    length = b1 & 0x7F
    if length == 126:
        (length,) = struct.unpack("!H", reader.read_exact(2))
        if length < 126:
            raise ProtocolError(1002, "length not minimal")
    elif length == 127:
        (length,) = struct.unpack("!Q", reader.read_exact(8))
        if length >> 63 or length <= 0xFFFF:
            raise ProtocolError(1002, "bad 64-bit length")
    if opcode >= CLOSE and (not fin or length > 125):
        raise ProtocolError(1002, "control frames are final and at most 125 bytes")
    if opcode < CLOSE and length > room:
        raise ProtocolError(1009, "message too big")
    key = reader.read_exact(4)
    payload = unmask(key, reader.read_exact(length))
    return fin, opcode, payload


def frame(opcode, payload):
    """Build one frame: FIN set, not masked, the shortest length form."""
    n = len(payload)
    if n <= 125:
        head = struct.pack("!BB", 0x80 | opcode, n)
    elif n <= 0xFFFF:
        head = struct.pack("!BBH", 0x80 | opcode, 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 127, n)
    return head + payload


def valid_close_code(code):
    """§7.4: the codes a peer may send; 1005, 1006 and 1015 never travel."""
    return code in (1000, 1001, 1002, 1003) or 1007 <= code <= 1014 \
        or 3000 <= code <= 4999


def answer_close(sock, payload):
    """The client started the closing handshake: echo its code (§5.5.1)."""
    if len(payload) == 1:
        raise ProtocolError(1002, "a close body is empty or starts with a code")
    if payload:
        (code,) = struct.unpack("!H", payload[:2])
        if not valid_close_code(code):
            raise ProtocolError(1002, "invalid close code")
        try:
            payload[2:].decode("utf-8")
        except UnicodeDecodeError:
            raise ProtocolError(1007, "the close reason must be UTF-8")
    sock.sendall(frame(CLOSE, payload[:2]))


def fail(sock, code, reason):
    """Fail the connection (§7.1.7): send a close frame, then end TCP.

    The client may still be sending the rest of a bad frame; closing a
    socket with unread bytes sends a reset, which can destroy our close
    frame. So stop writing, and read what still comes until the client
    has been quiet for a second, before closing.
    """
    try:
        sock.sendall(frame(CLOSE, struct.pack("!H", code) + reason.encode()))
        sock.shutdown(socket.SHUT_WR)
        sock.settimeout(1)
        while sock.recv(65536):
            pass
    except OSError:
        pass


def echo(sock, reader):
    """Send every message back, whole, with the opcode it started with."""
    message_op = None  # the opcode of the message in progress
    parts = []
    size = 0  # bytes of the message in progress
    while True:
        fin, opcode, payload = read_frame(reader, MAX_MESSAGE - size)
        if opcode == PING:
            sock.sendall(frame(PONG, payload))  # the same payload, §5.5.2
            continue
        if opcode == PONG:
            continue  # an unsolicited pong is allowed, §5.5.3
        if opcode == CLOSE:
            answer_close(sock, payload)
            return  # handle() closes TCP: the server closes first
        if opcode == CONT:
            if message_op is None:
                raise ProtocolError(1002, "continuation without a message")
        else:
            if message_op is not None:
                raise ProtocolError(1002, "new message inside a fragmented one")
            message_op, parts = opcode, []
            decoder = codecs.getincrementaldecoder("utf-8")()
        if message_op == TEXT:
            try:
                decoder.decode(payload, final=fin)
            except UnicodeDecodeError:
                raise ProtocolError(1007, "text must be UTF-8")
        parts.append(payload)
        size += len(payload)
        if fin:
            sock.sendall(frame(message_op, b"".join(parts)))
            message_op, size = None, 0


def handle(sock):
    """Serve one client, from its handshake to the end of its connection."""
    reader = Reader(sock)
    sock.settimeout(IDLE_TIMEOUT)  # a silent client does not hold a thread forever
    try:
        if handshake(sock, reader):
            echo(sock, reader)
    except (EOFError, OSError):
        pass  # the client went away
    except ProtocolError as e:
        fail(sock, e.code, str(e))
    finally:
        sock.close()


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 3368
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))  # this machine only
    server.listen()
    port = server.getsockname()[1]  # the port the system chose, if it was 0
    print("listening on ws://127.0.0.1:%d/" % port, flush=True)
    while True:
        sock, _ = server.accept()
        threading.Thread(target=handle, args=(sock,), daemon=True).start()


if __name__ == "__main__":
    main()
