"""The test servers behave as their docstrings promise (checked with raw sockets,
h2 or plain httpx), so a network test that uses them fails for the client's
reasons, not the server's."""

from __future__ import annotations

import errno
import os
import socket
import ssl
import time
from pathlib import Path
from urllib.parse import urlsplit

import h2.config
import h2.connection
import h2.events
import httpx
import pytest

from tests.conftest import TLSServer
from tests.helpers import disk
from tests.helpers.overlong_server import SMUGGLED_RESPONSE, OverlongBodyServer, ordinal_body
from tests.helpers.trickle_server import TrickleServer


def _request(path: str, host: str = "127.0.0.1") -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()


def _recv_until(sock: socket.socket, end: bytes, limit: float = 5.0) -> bytes:
    sock.settimeout(limit)
    data = b""
    while not data.endswith(end):
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


# --- TrickleServer ---------------------------------------------------------------


def test_trickle_body_outlasts_a_read_timeout_that_never_fires() -> None:
    with (
        TrickleServer(size=6, interval=0.2) as server,
        httpx.Client(timeout=httpx.Timeout(5.0, read=0.5)) as client,
    ):
        started = time.monotonic()
        with client.stream("GET", server.url) as response:
            assert response.headers["content-length"] == "6"
            chunks = list(response.iter_raw())
        elapsed = time.monotonic() - started
    assert b"".join(chunks) == b"abcdef" == server.body
    assert len(chunks) == 6, "one byte at a time"
    assert elapsed >= 6 * 0.2 * 0.9, "the whole body took longer than the read timeout"
    assert server.requests == 1
    assert server.bytes_sent == 6
    assert server.completed.is_set()
    assert not server.client_gone.is_set()


def test_trickle_defaults_and_notices_a_client_hanging_up() -> None:
    with TrickleServer() as default:
        assert default.interval == 1.0
    with TrickleServer(size=100, interval=0.3) as server:
        sock = socket.create_connection(("127.0.0.1", server.port))
        sock.sendall(_request("/trickle"))
        head = _recv_until(sock, b"\r\n\r\n")
        assert b"Content-Length: 100\r\n" in head
        sock.close()
        assert server.client_gone.wait(1.0), "the hang-up is noticed within one interval"
        assert server.bytes_sent < 5


def test_trickle_stops_promptly_mid_body() -> None:
    with TrickleServer(size=100, interval=1.0) as server:
        sock = socket.create_connection(("127.0.0.1", server.port))
        sock.sendall(_request("/trickle"))
        _recv_until(sock, b"\r\n\r\n")
        started = time.monotonic()
    assert time.monotonic() - started < 1.0, "stop does not wait for the body"
    with sock:
        sock.settimeout(2)
        assert sock.recv(100) == b"", "the client sees the connection close"


# --- OverlongBodyServer ----------------------------------------------------------


def test_overlong_answer_carries_a_whole_smuggled_response() -> None:
    with OverlongBodyServer() as server:
        with socket.create_connection(("127.0.0.1", server.port)) as sock:
            sock.sendall(_request("/one"))
            first = _recv_until(sock, b"SMUGGLE")
            head, _, rest = first.partition(b"\r\n\r\n")
            assert b"Content-Length: 5" in head
            assert rest == b"hello" + SMUGGLED_RESPONSE
            # the same connection, kept: later requests say their number on it
            sock.sendall(_request("/two"))
            assert _recv_until(sock, b"second").endswith(b"\r\n\r\nsecond")
            sock.sendall(_request("/three"))
            assert _recv_until(sock, b"third").endswith(b"\r\n\r\nthird")
        with socket.create_connection(("127.0.0.1", server.port)) as sock:
            sock.sendall(_request("/again"))
            assert _recv_until(sock, b"SMUGGLE").endswith(b"hello" + SMUGGLED_RESPONSE)
        assert server.accepted == 2
        assert server.requests_per_connection == [3, 1]
        assert server.targets == [["/one", "/two", "/three"], ["/again"]]
    assert ordinal_body(2) == b"second"
    assert ordinal_body(12) == b"request 12"


def test_overlong_sends_hello_and_the_extra_bytes_in_one_send() -> None:
    """One write: the extra bytes reach the client with ``hello`` (here in one read)."""
    with (
        OverlongBodyServer() as server,
        socket.create_connection(("127.0.0.1", server.port)) as sock,
    ):
        sock.sendall(_request("/"))
        sock.settimeout(5)
        data = sock.recv(65536)
        if not data.endswith(b"SMUGGLE"):  # loopback splits a small write very rarely
            data += _recv_until(sock, b"SMUGGLE")
        assert data.endswith(b"hello" + SMUGGLED_RESPONSE)


# --- the GOAWAY server -------------------------------------------------------------


def _h2_connect(server: TLSServer) -> tuple[ssl.SSLSocket, h2.connection.H2Connection]:
    context = ssl.create_default_context(cafile=str(server.ca_pem))
    context.set_alpn_protocols(["h2"])
    port = int(urlsplit(server.base_url).port or 0)
    sock = context.wrap_socket(
        socket.create_connection(("127.0.0.1", port), timeout=5), server_hostname="127.0.0.1"
    )
    assert sock.selected_alpn_protocol() == "h2"
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    conn.initiate_connection()
    sock.sendall(conn.data_to_send())
    return sock, conn


def _h2_get(
    sock: ssl.SSLSocket, conn: h2.connection.H2Connection, wait: float = 5.0
) -> list[h2.events.Event]:
    """Send GET /get on a new stream; the events until it ends, the connection is
    terminated, or ``wait`` seconds pass."""
    stream_id = conn.get_next_available_stream_id()
    headers = [(":method", "GET"), (":path", "/get"), (":scheme", "https")]
    conn.send_headers(stream_id, [*headers, (":authority", "127.0.0.1")], end_stream=True)
    sock.sendall(conn.data_to_send())
    sock.settimeout(wait)
    seen: list[h2.events.Event] = []
    while True:
        try:
            data = sock.recv(65536)
        except TimeoutError:
            return seen
        if not data:
            return seen
        for event in conn.receive_data(data):
            if getattr(event, "stream_id", stream_id) == stream_id:
                seen.append(event)
            if isinstance(event, h2.events.DataReceived):
                conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
        sock.sendall(conn.data_to_send())
        if any(isinstance(e, h2.events.StreamEnded | h2.events.ConnectionTerminated) for e in seen):
            return seen


def test_goaway_server_answers_five_then_sends_goaway(goaway_tls_server: TLSServer) -> None:
    assert goaway_tls_server.keep_alive_max_requests == 5
    sock, conn = _h2_connect(goaway_tls_server)
    with sock:
        for _ in range(5):
            events = _h2_get(sock, conn)
            statuses = [dict(e.headers)[b":status"] for e in events if hasattr(e, "headers")]
            assert statuses == [b"200"]
            assert isinstance(events[-1], h2.events.StreamEnded)
        sixth = conn.get_next_available_stream_id()
        events = _h2_get(sock, conn, wait=1.0)
    goaway = [e for e in events if isinstance(e, h2.events.ConnectionTerminated)]
    assert len(goaway) == 1
    assert goaway[0].error_code == 0, "a graceful GOAWAY (NO_ERROR)"
    assert goaway[0].last_stream_id == sixth
    assert not any(isinstance(e, h2.events.ResponseReceived) for e in events), (
        "the sixth request is never answered"
    )


def test_goaway_server_as_plain_httpx_sees_it(goaway_tls_server: TLSServer) -> None:
    """What an unaided client meets: five answers on one connection, the sixth request
    fails, the seventh gets a new connection (a client should retry the sixth)."""
    verify = ssl.create_default_context(cafile=str(goaway_tls_server.ca_pem))
    ports: list[int] = []
    with httpx.Client(http2=True, verify=verify, base_url=goaway_tls_server.base_url) as client:
        for _ in range(5):
            response = client.get("/get")
            assert response.http_version == "HTTP/2"
            ports.append(response.extensions["network_stream"].get_extra_info("client_addr")[1])
        with pytest.raises(httpx.RemoteProtocolError, match="ConnectionTerminated"):
            client.get("/get")
        again = client.get("/get")
        assert again.status_code == 200
        new_port = again.extensions["network_stream"].get_extra_info("client_addr")[1]
    assert len(set(ports)) == 1
    assert new_port not in ports


# --- the second origin -------------------------------------------------------------


def test_second_origin_is_another_origin(demo_server: str, second_origin_server: str) -> None:
    other = urlsplit(second_origin_server)
    assert other.hostname == "127.0.0.2"
    assert (other.hostname, other.port) != (
        urlsplit(demo_server).hostname,
        urlsplit(demo_server).port,
    )
    echo = httpx.get(f"{second_origin_server}/anything?from=second", timeout=10).json()
    assert echo["url"] == f"{second_origin_server}/anything?from=second"


# --- small_tmpfs -------------------------------------------------------------------


def test_small_tmpfs_really_fills_up(small_tmpfs: Path) -> None:
    stats = os.statvfs(small_tmpfs)
    assert stats.f_blocks * stats.f_frsize == 4 * 1024 * 1024
    assert list(small_tmpfs.iterdir()) == []

    def write_5_mib() -> None:
        with (small_tmpfs / "big").open("wb", buffering=0) as out:
            for _ in range(5):
                out.write(bytes(1024 * 1024))

    with pytest.raises(OSError, match="No space left") as caught:
        write_5_mib()
    assert caught.value.errno == errno.ENOSPC


def test_small_tmpfs_is_unmounted_and_removed_after() -> None:
    with disk.small_tmpfs(1) as directory:
        assert os.path.ismount(directory)
        (directory / "f").write_bytes(b"x")
    assert not directory.exists()
