"""A raw-socket HTTP/1.1 server on 127.0.0.1 that records requests byte for byte.

Nothing normalises what arrives: the request line's method and target, every
header line (name as sent, value, order), and the body (Content-Length, or
chunked, de-chunked).  It answers ``200 ok`` and closes the connection, so
every client opens a new one per request.  ``compare`` says how two recorded
requests differ, allowing only the defaults listed in ``CLIENT_DEFAULTS``.
"""

from __future__ import annotations

import email.parser
import email.policy
import re
import socket
import threading
from dataclasses import dataclass

from tests.helpers.loopback import LoopbackServer

#: Headers that the clients add on their own and that may differ, unless the
#: command sets them itself: curl's ``User-Agent: curl/7.88.1`` against Courier's
#: and httpx's own; ``Accept-Encoding``, which curl sends only with --compressed
#: ("deflate, gzip, br, zstd") and Courier and httpx always ("gzip, deflate, br,
#: zstd"); ``Connection: keep-alive``, which httpx sends and curl does not.
CLIENT_DEFAULTS = frozenset({"user-agent", "accept-encoding", "connection"})


@dataclass(frozen=True, slots=True)
class Recorded:
    method: str
    target: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for n, v in self.headers if n.lower() == name), None)


class RecordingServer(LoopbackServer):
    def __init__(self) -> None:
        super().__init__()
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()

    def take(self) -> list[Recorded]:
        with self._lock:
            taken, self.requests = self.requests, []
        return taken

    def handle(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(10)
            try:
                recorded = _read(conn)
            except (OSError, ValueError):
                return
            if recorded is None:
                return
            with self._lock:
                self.requests.append(recorded)
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                b"Content-Length: 2\r\nConnection: close\r\n\r\nok"
            )


def _read(conn: socket.socket) -> Recorded | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, target, _version = lines[0].split(" ", 2)
    headers = tuple(
        (name, value.strip(" \t")) for name, _, value in (line.partition(":") for line in lines[1:])
    )
    values = {name.lower(): value for name, value in headers}
    if values.get("expect", "").lower() == "100-continue":
        conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
    if values.get("transfer-encoding", "").lower() == "chunked":
        body = _dechunk(conn, rest)
    else:
        length = int(values.get("content-length", "0"))
        while len(rest) < length:
            chunk = conn.recv(65536)
            if not chunk:
                break
            rest += chunk
        body = rest[:length]
    return Recorded(method, target, headers, body)


def _dechunk(conn: socket.socket, data: bytes) -> bytes:
    body = b""
    while True:
        while b"\r\n" not in data:
            data += conn.recv(65536)
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        while len(data) < size + 2:
            data += conn.recv(65536)
        body += data[:size]
        data = data[size + 2 :]
        if size == 0:
            return body


@dataclass(frozen=True, slots=True)
class Part:
    headers: tuple[tuple[str, str], ...]
    content: bytes


def multipart_parts(content_type: str, body: bytes) -> list[Part]:
    """The parts of a multipart body, their headers lower-cased (boundaries differ)."""
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    assert match is not None, f"no boundary in {content_type}"
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
    )
    parts = []
    for part in message.iter_parts():
        headers = tuple((name.lower(), str(value)) for name, value in part.items())
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        parts.append(Part(headers, payload))
    return parts


def compare(
    expected: Recorded, actual: Recorded, *, set_by_command: set[str], also_allowed: set[str]
) -> list[str]:
    """How ``actual`` differs from ``expected`` (empty: the same request).

    ``CLIENT_DEFAULTS`` may differ unless ``set_by_command`` names them;
    ``also_allowed`` names headers an entry documents as differing.  Header
    order is free; names compare case-insensitively, values exactly.
    """
    problems = []
    if expected.method != actual.method:
        problems.append(f"method {expected.method} != {actual.method}")
    if expected.target != actual.target:
        problems.append(f"target {expected.target!r} != {actual.target!r}")
    free = (CLIENT_DEFAULTS - set_by_command) | also_allowed
    content_type = expected.header("content-type") or ""
    multipart = content_type.lower().startswith("multipart/")
    if multipart:
        free |= {"content-length", "content-type", "transfer-encoding"}

    def kept(request: Recorded) -> list[tuple[str, str]]:
        return sorted((n.lower(), v) for n, v in request.headers if n.lower() not in free)

    if kept(expected) != kept(actual):
        problems.append(f"headers {kept(expected)} != {kept(actual)}")
    if multipart:
        other = actual.header("content-type") or ""
        if not other.lower().startswith("multipart/form-data"):
            problems.append(f"content-type {other!r} is not multipart")
        elif multipart_parts(content_type, expected.body) != multipart_parts(other, actual.body):
            problems.append(
                f"parts {multipart_parts(content_type, expected.body)} != "
                f"{multipart_parts(other, actual.body)}"
            )
    elif expected.body != actual.body:
        problems.append(f"body {expected.body!r} != {actual.body!r}")
    return problems
