#!/usr/bin/env python3
"""The classic blog recipe for a WebSocket server, ported to Python 3 as is.

DO NOT COPY THIS PROGRAM: it is wsplay's specimen of what goes wrong, kept
so that lesson 1 can run it through `wsplay tap` and `wsplay check`, and
lesson 13 ("Common mistakes") can show each mistake failing in a test
rather than just claim it. Its mistakes, all on purpose:

  * one recv() is assumed to hold the whole request, and one whole frame;
  * headers are split on ': ' exactly;
  * FIN and the opcode are ignored: every frame is "a message", every reply
    is one text frame, a ping or a close frame is echoed as text;
  * the payload is "everything after the masking key", whatever the length
    field says;
  * there is no closing handshake, no UTF-8 check, no limit.

The fixed version is echo_server.py, next to this file.
"""

import base64
import hashlib
import socket
import struct
import sys
import threading

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def handshake(conn):
    data = conn.recv(1024).decode()
    headers = {}
    for line in data.split("\r\n")[1:]:
        if ": " in line:
            key, value = line.split(": ")
            headers[key] = value
    key = headers["Sec-WebSocket-Key"]
    accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
    conn.send(("HTTP/1.1 101 Switching Protocols\r\n"
               "Upgrade: websocket\r\n"
               "Connection: Upgrade\r\n"
               "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").encode())


def decode(data):
    length = data[1] & 127
    if length == 126:
        masks = data[4:8]
        payload = data[8:]
    elif length == 127:
        masks = data[10:14]
        payload = data[14:]
    else:
        masks = data[2:6]
        payload = data[6:]
    return bytes(b ^ masks[i % 4] for i, b in enumerate(payload))


def encode(message):
    header = bytes([0x81])
    length = len(message)
    if length <= 125:
        header += bytes([length])
    elif length <= 65535:
        header += bytes([126]) + struct.pack(">H", length)
    else:
        header += bytes([127]) + struct.pack(">Q", length)
    return header + message


def handle(conn):
    handshake(conn)
    while True:
        data = conn.recv(65536)
        if not data:
            break
        conn.send(encode(decode(data)))


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 9001
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen()
    port = server.getsockname()[1]  # the port the system chose, if argv[1] was 0
    print("listening on %d" % port, flush=True)
    while True:
        conn, _ = server.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
