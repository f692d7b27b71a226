"""The accept loop the raw test servers share: a listening socket on 127.0.0.1 at
a free port, a daemon thread handing each connection to ``handle``, and a clean
stop on leaving the ``with`` block."""

from __future__ import annotations

import socket
import threading
from types import TracebackType
from typing import Self


class LoopbackServer:
    def __init__(self, scheme: str = "http", path: str = "") -> None:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.settimeout(0.2)
        self.port = int(self._sock.getsockname()[1])
        self.url = f"{scheme}://127.0.0.1:{self.port}{path}"
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = [threading.Thread(target=self._serve, daemon=True)]

    def handle(self, conn: socket.socket) -> None:
        """Serve one connection (runs on the accept thread; close ``conn`` when done)."""
        raise NotImplementedError

    def closing(self) -> None:
        """Release what ``handle`` kept open (called on exit, after the loop stopped)."""

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.handle(conn)

    def __enter__(self) -> Self:
        self._threads[0].start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._sock.close()
        for thread in list(self._threads):
            thread.join(5)
        self.closing()


def read_request(conn: socket.socket, pending: bytes = b"") -> tuple[bytes, bytes] | None:
    """Read one HTTP/1.1 request from ``conn``: its head (request line and headers)
    with any Content-Length body consumed, and the bytes read past it (the start of a
    pipelined next request).  None when the peer closes before a complete head."""
    data = pending
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(rest) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        rest += chunk
    return head, rest[length:]
