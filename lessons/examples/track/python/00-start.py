#!/usr/bin/env python3
"""The starting point of wsplay's build-your-own-server track.

A TCP server that accepts connections and prints what a client sends:
point a browser at it (new WebSocket("ws://127.0.0.1:3368/") in the
console) and you see the opening handshake of lesson 2, line by line.
Each milestone of the track adds what one lesson teaches:

    01-handshake.py  lessons 2-3   wsplay check -stage handshake
    02-frames.py     lessons 4-5   wsplay check -stage frames
    03-masking.py    lesson 6      wsplay check -stage masking
    04-fragments.py  lesson 7      wsplay check -stage fragments
    05-control.py    lesson 8      wsplay check -stage control
    06-close.py      lesson 9      wsplay check -stage close
    07-utf8.py       lesson 10     wsplay check -stage utf8

Run it:  python3 00-start.py 3368
"""

import socket
import sys
import threading


def handle(sock):
    """Print what one client sends until it closes the connection."""
    with sock:
        while True:
            chunk = sock.recv(65536)
            if not chunk:  # no bytes: the client closed TCP
                return
            print(chunk.decode("latin-1"), end="", flush=True)


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
