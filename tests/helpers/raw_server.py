"""A tiny raw-socket HTTP server that misbehaves on purpose.

``BrokenBodyServer`` promises a Content-Length, sends part of the body, then
closes the connection (a server that hangs up mid-body).  ``SilentServer``
accepts connections but never answers (a hung backend).
"""

from __future__ import annotations

import socket

from tests.helpers.loopback import LoopbackServer


class BrokenBodyServer(LoopbackServer):
    def __init__(self, promised: int = 100_000, sent: int = 10_000) -> None:
        super().__init__(path="/broken")
        self.promised = promised
        self.sent = sent

    def handle(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                data += chunk
            head = (
                "HTTP/1.1 200 OK\r\n"
                f"Content-Length: {self.promised}\r\n"
                "Content-Type: application/octet-stream\r\n\r\n"
            ).encode()
            conn.sendall(head + b"x" * self.sent)


class SilentServer(LoopbackServer):
    """Accepts connections, never answers; they are closed on exit."""

    def __init__(self) -> None:
        super().__init__(path="/silent")
        self.accepted = 0
        self._conns: list[socket.socket] = []

    def handle(self, conn: socket.socket) -> None:
        self._conns.append(conn)
        self.accepted += 1

    def closing(self) -> None:
        for conn in self._conns:
            conn.close()
