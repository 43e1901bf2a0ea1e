#!/usr/bin/python3
"""A deliberately slow WebSocket client for the server's back-pressure test.

Sets a tiny socket receive buffer (SO_RCVBUF) before connecting, so the kernel cannot absorb megabytes on
our behalf, performs the WebSocket handshake, sends one subscribe message, prints "SUBSCRIBED" and then
never reads again until it gets SIGTERM. (Node cannot set SO_RCVBUF on a TCP socket; Python can.)

Usage: slow-ws-client.py PORT PATH SUBSCRIBE_JSON [RCVBUF_BYTES]
"""
import base64
import os
import signal
import socket
import struct
import sys
import time


def main() -> int:
    port, path, sub = int(sys.argv[1]), sys.argv[2], sys.argv[3].encode()
    rcvbuf = int(sys.argv[4]) if len(sys.argv) > 4 else 4096
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall(
        (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = s.recv(1)
        if not chunk:
            print("CLOSED", flush=True)
            return 1
        head += chunk
    if b" 101 " not in head.split(b"\r\n", 1)[0]:
        print("NOT-UPGRADED " + head.split(b"\r\n", 1)[0].decode(), flush=True)
        return 1
    mask = os.urandom(4)
    payload = bytes(b ^ mask[i % 4] for i, b in enumerate(sub))
    n = len(payload)
    header = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack(">H", n))
    s.sendall(header + mask + payload)
    print(f"SUBSCRIBED rcvbuf={s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)}", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    sys.exit(main())
