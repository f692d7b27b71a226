"""A minimal SOCKS5 proxy (no authentication, CONNECT only) for the proxy tests.

It relays bytes both ways and counts the connections it carried, so a test can
tell that traffic really went through it.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading

from tests.helpers.loopback import LoopbackServer


class Socks5Server(LoopbackServer):
    def __init__(self) -> None:
        super().__init__(scheme="socks5")
        self.connections: list[tuple[str, int]] = []

    def handle(self, conn: socket.socket) -> None:
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


def _pump(source: socket.socket, target: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            target.sendall(data)
    with contextlib.suppress(OSError):
        target.shutdown(socket.SHUT_WR)
