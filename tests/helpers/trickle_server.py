"""``TrickleServer``: a body that never stalls long enough for a read timeout.

It answers each request with a head declaring ``Content-Length: size``, then sends
the body one byte every ``interval`` seconds (the first byte ``interval`` after the
head), so a per-read timeout longer than ``interval`` never fires although the whole
body takes ``size * interval`` seconds: only a total (deadline) timeout or Stop ends
it early.  One request per connection (``Connection: close``), each connection on
its own thread.  It notices at once when a client hangs up mid-body
(``client_gone``), and leaving the ``with`` block ends every transfer (the client
sees the connection close) and joins the threads.
"""

from __future__ import annotations

import contextlib
import select
import socket
import string
import threading
import time

from tests.helpers.loopback import LoopbackServer, read_request

_LETTERS = string.ascii_lowercase.encode()


class TrickleServer(LoopbackServer):
    def __init__(self, size: int = 10, interval: float = 1.0) -> None:
        if size < 1 or interval <= 0:
            raise ValueError("size must be >= 1 and interval > 0")
        super().__init__(path="/trickle")
        self.size = size
        self.interval = interval
        #: the body every request gets: "abcd...", ``size`` bytes
        self.body = (_LETTERS * (size // len(_LETTERS) + 1))[:size]
        #: requests answered (counted before the head is sent)
        self.requests = 0
        #: body bytes sent, all connections together
        self.bytes_sent = 0
        #: set when a client closed its connection before the body was complete
        self.client_gone = threading.Event()
        #: set when a body was sent to its end
        self.completed = threading.Event()
        self._lock = threading.Lock()

    def handle(self, conn: socket.socket) -> None:
        thread = threading.Thread(target=self._answer, args=(conn,), daemon=True)
        self._threads.append(thread)
        thread.start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            try:
                if read_request(conn) is None:
                    return
            except OSError:
                return
            with self._lock:
                self.requests += 1
            head = (
                "HTTP/1.1 200 OK\r\n"
                f"Content-Length: {self.size}\r\n"
                "Content-Type: application/octet-stream\r\n"
                "Connection: close\r\n\r\n"
            ).encode()
            try:
                conn.sendall(head)
                for i in range(self.size):
                    if not self._pause(conn):
                        return
                    conn.sendall(self.body[i : i + 1])
                    with self._lock:
                        self.bytes_sent += 1
            except OSError:
                self.client_gone.set()
                return
            self.completed.set()
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_WR)

    def _pause(self, conn: socket.socket) -> bool:
        """Wait ``interval``; False when the server stops or the client hangs up."""
        deadline = time.monotonic() + self.interval
        while (left := deadline - time.monotonic()) > 0:
            if self._stop.is_set():
                return False
            readable, _, _ = select.select([conn], [], [], min(0.05, left))
            if readable:
                try:
                    extra = conn.recv(65536)
                except OSError:
                    extra = b""
                if not extra:  # EOF (or reset): the client is gone
                    self.client_gone.set()
                    return False
        return True
