"""``OverlongBodyServer``: a keep-alive response followed by bytes nobody asked for.

The first request on every connection is answered ``Content-Length: 5`` with the
body ``hello``, and in the SAME ``send()`` come extra bytes that are themselves a
complete response (``SMUGGLED_RESPONSE``: 200, body ``SMUGGLE``).  Later requests on
that connection get a proper answer whose body names their number on it
(``second``, ``third``, ... then ``request 11``...).  A correct client drops the
extra bytes and the connection, so its next request arrives on a NEW connection
and is answered ``hello`` again; a client that keeps the connection reads
``SMUGGLE`` as the answer to its second request.

It records, per accepted connection in order, the request targets it carried
(``targets``; ``requests_per_connection`` and ``accepted`` summarise them).  A
request is recorded before its answer is sent.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading

from tests.helpers.loopback import LoopbackServer, read_request

SMUGGLED_RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nSMUGGLE"
_ORDINALS = ("first", "second", "third", "fourth", "fifth")
_ORDINALS += ("sixth", "seventh", "eighth", "ninth", "tenth")


def ordinal_body(number: int) -> bytes:
    """The body the ``number``-th request on a connection gets (number >= 2)."""
    return (_ORDINALS[number - 1] if number <= len(_ORDINALS) else f"request {number}").encode()


class OverlongBodyServer(LoopbackServer):
    def __init__(self) -> None:
        super().__init__(path="/overlong")
        #: one list per accepted connection: the request targets it carried, in order
        self.targets: list[list[str]] = []
        self._lock = threading.Lock()
        self._conns: list[socket.socket] = []

    @property
    def accepted(self) -> int:
        """Connections accepted so far."""
        with self._lock:
            return len(self.targets)

    @property
    def requests_per_connection(self) -> list[int]:
        """How many requests each accepted connection carried, in accept order."""
        with self._lock:
            return [len(t) for t in self.targets]

    def handle(self, conn: socket.socket) -> None:
        with self._lock:
            self.targets.append(seen := [])
            self._conns.append(conn)
        thread = threading.Thread(target=self._serve_connection, args=(conn, seen), daemon=True)
        self._threads.append(thread)
        thread.start()

    def _serve_connection(self, conn: socket.socket, seen: list[str]) -> None:
        with conn:
            conn.settimeout(5)
            pending = b""
            while not self._stop.is_set():
                # an idle keep-alive connection: look at the stop flag now and then
                if not pending and not select.select([conn], [], [], 0.2)[0]:
                    continue
                try:
                    request = read_request(conn, pending)
                except OSError:
                    return
                if request is None:
                    return
                head, pending = request
                parts = head.split(b"\r\n", 1)[0].split()
                with self._lock:
                    seen.append(parts[1].decode("latin-1") if len(parts) > 1 else "")
                    number = len(seen)
                if number == 1:
                    answer = _response(b"hello", content_length=5) + SMUGGLED_RESPONSE
                else:
                    body = ordinal_body(number)
                    answer = _response(body, content_length=len(body))
                try:
                    conn.sendall(answer)  # one send: the extra bytes travel with "hello"
                except OSError:
                    return

    def closing(self) -> None:
        for conn in self._conns:
            with contextlib.suppress(OSError):
                conn.close()


def _response(body: bytes, content_length: int) -> bytes:
    head = (
        "HTTP/1.1 200 OK\r\n"
        f"Content-Length: {content_length}\r\n"
        "Content-Type: text/plain\r\n"
        "Connection: keep-alive\r\n\r\n"
    ).encode()
    return head + body
