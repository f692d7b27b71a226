"""A minimal SOCKS5 proxy (no authentication, CONNECT only) for the proxy tests.

It relays bytes both ways and counts the connections it carried, so a test can
tell that traffic really went through it.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from types import TracebackType


class Socks5Server:
    def __init__(self) -> None:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.settimeout(0.2)
        self.port = int(self._sock.getsockname()[1])
        self.url = f"socks5://127.0.0.1:{self.port}"
        self.connections: list[tuple[str, int]] = []
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._handle, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            try:
                version, count = conn.recv(2)
                conn.recv(count)
                conn.sendall(b"\x05\x00")  # no authentication
                _ver, cmd, _rsv, atyp = conn.recv(4)
                if atyp == 1:
                    host = socket.inet_ntoa(conn.recv(4))
                elif atyp == 3:
                    host = conn.recv(conn.recv(1)[0]).decode()
                else:
                    return
                (port,) = struct.unpack("!H", conn.recv(2))
                if version != 5 or cmd != 1:
                    return
                upstream = socket.create_connection((host, port), timeout=10)
            except (OSError, ValueError):
                return
            self.connections.append((host, port))
            with upstream:
                conn.sendall(b"\x05\x00\x00\x01" + socket.inet_aton("0.0.0.0") + b"\x00\x00")
                pump = threading.Thread(target=_pump, args=(upstream, conn), daemon=True)
                pump.start()
                _pump(conn, upstream)
                with contextlib.suppress(OSError):  # the client is gone: end the other way too
                    upstream.shutdown(socket.SHUT_RDWR)
                pump.join(5)

    def __enter__(self) -> Socks5Server:
        thread = threading.Thread(target=self._serve, daemon=True)
        self._threads.append(thread)
        thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._sock.close()
        for thread in self._threads:
            thread.join(5)


def _pump(source: socket.socket, target: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            target.sendall(data)
    with contextlib.suppress(OSError):
        target.shutdown(socket.SHUT_WR)
