"""``EncodedServer``: answers every request with one body as given, under a given
``Content-Encoding`` (gzip, br, zstd... bytes the test made), with a Content-Length.

Keep-alive HTTP/1.1, each connection on its own thread; ``sent`` counts the body
bytes written, ``client_gone`` is set when a client hung up mid-body (the body
cap stopped it).  The body goes out in ``chunk``-sized writes.
"""

from __future__ import annotations

import socket
import threading

from tests.helpers.loopback import LoopbackServer, read_request


class EncodedServer(LoopbackServer):
    def __init__(
        self,
        body: bytes,
        encoding: str,
        *,
        content_type: str = "application/octet-stream",
        chunk: int = 64 * 1024,
    ) -> None:
        super().__init__(path="/encoded")
        self.body = body
        self.encoding = encoding
        self.content_type = content_type
        self.chunk = chunk
        self.sent = 0
        self.client_gone = threading.Event()

    def handle(self, conn: socket.socket) -> None:
        thread = threading.Thread(target=self._serve_connection, args=(conn,), daemon=True)
        self._threads.append(thread)
        thread.start()

    def _serve_connection(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(10)
            pending = b""
            while not self._stop.is_set():
                try:
                    got = read_request(conn, pending)
                except OSError:
                    return
                if got is None:
                    return
                _head, pending = got
                head = (
                    "HTTP/1.1 200 OK\r\n"
                    f"Content-Type: {self.content_type}\r\n"
                    f"Content-Encoding: {self.encoding}\r\n"
                    f"Content-Length: {len(self.body)}\r\n\r\n"
                ).encode()
                try:
                    conn.sendall(head)
                    for start in range(0, len(self.body), self.chunk):
                        conn.sendall(self.body[start : start + self.chunk])
                        self.sent += min(self.chunk, len(self.body) - start)
                except OSError:
                    self.client_gone.set()
                    return
