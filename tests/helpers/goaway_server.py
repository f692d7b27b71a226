"""An HTTP/2 server (TLS, h2) that ends its first connection with a GOAWAY of a
chosen error code naming the request's own stream as the last one it started,
without answering, and waits for the client to hang up; later connections answer
``200 ok``."""

from __future__ import annotations

import socket
import ssl
from pathlib import Path

import h2.config
import h2.connection
import h2.events
import trustme

from tests.helpers.loopback import LoopbackServer


class GoawayServer(LoopbackServer):
    def __init__(self, error_code: int, workdir: Path) -> None:
        super().__init__(scheme="https", path="/x")
        self.error_code = error_code
        self.connections = 0
        ca = trustme.CA()
        self.ca_pem = workdir / "goaway-ca.pem"
        ca.cert_pem.write_to_path(str(self.ca_pem))
        self._context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("127.0.0.1").configure_cert(self._context)
        self._context.set_alpn_protocols(["h2"])

    def handle(self, conn: socket.socket) -> None:
        self.connections += 1
        first = self.connections == 1
        conn.settimeout(5)
        try:
            with self._context.wrap_socket(conn, server_side=True) as tls:
                h2conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False))
                h2conn.initiate_connection()
                tls.sendall(h2conn.data_to_send())
                while data := tls.recv(65536):
                    for event in h2conn.receive_data(data):
                        if not isinstance(event, h2.events.RequestReceived):
                            continue
                        if first:
                            h2conn.close_connection(self.error_code, last_stream_id=event.stream_id)
                            tls.sendall(h2conn.data_to_send())
                            _drain(tls)
                            return
                        h2conn.send_headers(
                            event.stream_id, [(":status", "200"), ("content-length", "2")]
                        )
                        h2conn.send_data(event.stream_id, b"ok", end_stream=True)
                    tls.sendall(h2conn.data_to_send())
        except (OSError, ssl.SSLError):
            return


def _drain(tls: ssl.SSLSocket) -> None:
    """Read until the client hangs up: closing with its frames unread would send a
    TCP reset, which can reach the client before the GOAWAY does (then it sees a
    reset connection, not a GOAWAY: 1 run in ~50 on a loaded machine)."""
    try:
        while tls.recv(65536):
            pass
    except (OSError, ssl.SSLError):
        return
