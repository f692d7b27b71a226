"""Misbehaving servers and machines: GOAWAY, desync bytes, trickling bodies, gzip
bombs, a full disk, headers that cannot be sent, a refused proxy.  Each ends in a
clear, typed error (or a quiet retry) and leaves the pool working."""

from __future__ import annotations

import asyncio
import resource
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core import errors
from app.core.errors import Phase
from app.core.resolved import ClientProfile, ResolvedRequest, TransportSettings
from app.demo.runner import DemoServer
from app.net import engine
from app.net.body_store import BodyStore
from app.net.clients import ClientPool
from app.net.decoding import PIECE
from app.net.engine import RETRIED_NOTE
from app.net.exchange import Exchange, ExchangeState
from tests.conftest import TLSServer
from tests.helpers.goaway_server import GoawayServer
from tests.helpers.loopback import LoopbackServer, read_request
from tests.helpers.overlong_server import OverlongBodyServer
from tests.helpers.trickle_server import TrickleServer
from tests.net.sending import body, send, send_all, send_pairs

MIB = 1024 * 1024


def run(coroutine_function: object) -> object:
    return asyncio.run(coroutine_function())  # type: ignore[operator]


# --------------------------------------------------------------------- GOAWAY


@pytest.fixture(scope="module")
def goaway_after_20(tls_demo_server: TLSServer) -> Iterator[TLSServer]:
    """Like the default hypercorn (GOAWAY after 1,000 requests), scaled down: 20."""
    folder = tls_demo_server.ca_pem.parent
    with DemoServer(
        certfile=folder / "cert.pem", keyfile=folder / "key.pem", keep_alive_max_requests=20
    ) as server:
        yield TLSServer(server.base_url, tls_demo_server.ca_pem, 20)


def test_goaway_concurrent_sends_are_retried_on_a_new_connection(
    goaway_after_20: TLSServer,
) -> None:
    """The issue's scenario (200 concurrent sends when the server's per-connection
    limit runs out; 89 failed) at a tenth of the scale: bursts of 10 against a limit
    of 20.  Without the retry about a quarter of them fail."""
    profile = ClientProfile(
        "g",
        goaway_after_20.base_url,
        transport=TransportSettings(ca_bundle=str(goaway_after_20.ca_pem)),
    )

    async def main() -> list[Exchange]:
        pool = ClientPool()
        try:
            done: list[Exchange] = []
            for _ in range(20):
                burst = await asyncio.gather(
                    *(send(pool, profile, ResolvedRequest("GET", "/get")) for _ in range(10))
                )
                done += [exchange for exchange, _events in burst]
            return done
        finally:
            await pool.aclose()

    exchanges = asyncio.run(main())
    failed = [(x, x.error) for x in exchanges if x.state is not ExchangeState.DONE]
    assert failed == []
    assert all(x.response is not None and x.response.http_version == "HTTP/2" for x in exchanges)
    retried = [x for x in exchanges if RETRIED_NOTE in x.notes]
    assert retried, "the server sent GOAWAY every 20 requests: some sends were retried"


def test_goaway_sequential_sends_never_fail(goaway_tls_server: TLSServer) -> None:
    profile = ClientProfile(
        "g",
        goaway_tls_server.base_url,
        transport=TransportSettings(ca_bundle=str(goaway_tls_server.ca_pem)),
    )
    results = send_all(profile, *(ResolvedRequest("GET", "/get") for _ in range(16)))
    assert [x.state for x, _ in results] == [ExchangeState.DONE] * 16


# ------------------------------------------------------------ keep-alive desync


def test_bytes_beyond_content_length_close_the_connection() -> None:
    with OverlongBodyServer() as server:
        (first, _), (second, _) = send_all(
            ClientProfile(), ResolvedRequest("GET", server.url), ResolvedRequest("GET", server.url)
        )
        accepted = server.accepted
    assert body(first) == b"hello"
    assert body(second) == b"hello", "the extra bytes never answer the next request"
    assert accepted == 2, "the connection that carried extra bytes was not reused"


class _ClosesSecondRequest(LoopbackServer):
    """Keep-alive server that answers the first request of a connection and hangs up
    on the second one without answering (a keep-alive race, made certain)."""

    def __init__(self) -> None:
        super().__init__(path="/race")
        self.requests: list[bytes] = []

    def handle(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            pending = b""
            for number in (1, 2):
                got = read_request(conn, pending)
                if got is None:
                    return
                head, pending = got
                self.requests.append(head.split(b"\r\n", 1)[0])
                if number == 2:
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
                    return  # closed (RST) without an answer
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")


def test_idempotent_request_on_a_dropped_keep_alive_connection_is_sent_again() -> None:
    with _ClosesSecondRequest() as server:
        results = send_all(
            ClientProfile(),
            ResolvedRequest("GET", server.url),
            ResolvedRequest("GET", server.url),
            ResolvedRequest("POST", server.url, content=b"x"),
        )
    (first, _), (again, _), (post, _) = results
    assert body(first) == b"ok"
    assert body(again) == b"ok"
    assert RETRIED_NOTE in again.notes
    assert post.state is ExchangeState.FAILED, "a POST that may have been processed is not resent"
    assert isinstance(post.error, errors.ServerDisconnected)
    assert not post.error.retry_safe


@pytest.mark.parametrize("code", [0, 1], ids=["NO_ERROR", "PROTOCOL_ERROR"])
def test_a_goaway_before_the_answer_sends_a_get_again_whatever_its_code(
    code: int, tmp_path: Path
) -> None:
    """hypercorn ends a connection whose NO_ERROR GOAWAY crossed a new stream with a
    second GOAWAY, PROTOCOL_ERROR, naming that stream: the GET was sent once more
    only for NO_ERROR, so 1 in ~15 runs of the burst test above failed."""
    for method in ("GET", "POST"):
        with GoawayServer(code, tmp_path) as server:
            profile = ClientProfile(
                transport=TransportSettings(http2=True, ca_bundle=str(server.ca_pem))
            )
            [(exchange, _)] = send_all(profile, ResolvedRequest(method, server.url))
            connections = server.connections
        if method == "GET":
            assert body(exchange) == b"ok", exchange.error
            assert RETRIED_NOTE in exchange.notes
            assert connections == 2
        else:
            assert exchange.state is ExchangeState.FAILED, "a POST it may have started stays"
            assert connections == 1


# ------------------------------------------------------------------ deadline


def test_a_trickling_server_cannot_stretch_the_deadline() -> None:
    with TrickleServer(size=100, interval=0.25) as server:
        ((exchange, _),) = send_all(
            ClientProfile(), ResolvedRequest("GET", server.url, timeout_s=1.0, deadline_s=1.0)
        )
    assert exchange.state is ExchangeState.FAILED
    error = exchange.error
    assert isinstance(error, errors.DeadlineExceeded)
    assert error.phase is Phase.RECEIVE
    assert "1 s deadline" in error.message
    assert 0 < exchange.received < 100, "what arrived before the deadline is kept"
    assert error.received == exchange.received


def test_deadline_while_waiting_for_the_head(demo_server: str) -> None:
    ((exchange, _),) = send_all(
        ClientProfile(), ResolvedRequest("GET", f"{demo_server}/delay/5", deadline_s=0.3)
    )
    assert isinstance(exchange.error, errors.DeadlineExceeded)
    assert "waiting for the answer" in exchange.error.message
    assert exchange.error.phase is Phase.WAIT


# -------------------------------------------------------------- bounded bodies


def test_gzip_bomb_stops_at_the_cap_within_memory_and_disk(
    demo_server: str, tmp_path: Path
) -> None:
    cap = 64 * MIB
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    async def main() -> Exchange:
        pool = ClientPool()
        try:
            store = BodyStore(cap=cap, directory=tmp_path, reserve=0)
            exchange = Exchange("GET", "/gzip-bomb", store)
            request = ResolvedRequest("GET", f"{demo_server}/gzip-bomb?gb=10", body_cap=cap)
            return await engine.send(pool, ClientProfile(), request, exchange)
        finally:
            await pool.aclose()

    exchange = asyncio.run(main())
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - peak_before
    assert exchange.state is ExchangeState.FAILED
    assert isinstance(exchange.error, errors.BodyTooLarge)
    assert "64.0 MiB" in exchange.error.message
    assert exchange.received == cap, "everything up to the cap is kept"
    assert exchange.wire_bytes < 2 * MIB, "it stopped reading at the cap"
    assert exchange.body.on_disk
    assert grown < 16 * PIECE + 64 * MIB, f"peak memory grew by {grown / MIB:.0f} MiB"


def test_the_default_cap_comes_from_the_request(demo_server: str) -> None:
    ((exchange, _),) = send_all(
        ClientProfile(), ResolvedRequest("GET", f"{demo_server}/bytes/300000", body_cap=100_000)
    )
    # the engine uses the store it is given; the session sizes it from body_cap
    assert exchange.state is ExchangeState.DONE


# ------------------------------------------------------------------ full disk


def test_a_full_disk_is_a_local_error_and_the_pool_goes_on(
    demo_server: str, small_tmpfs: Path
) -> None:
    async def main() -> tuple[Exchange, Exchange, Exchange]:
        pool = ClientPool()
        try:
            profile = ClientProfile("c", demo_server)
            full = Exchange(
                "GET", "/", BodyStore(memory_budget=MIB, directory=small_tmpfs, reserve=0)
            )
            # no Content-Length: the disk fills while the body streams
            await engine.send(pool, profile, ResolvedRequest("GET", "/gzip-bomb?gb=0.01"), full)
            # a declared size that cannot fit fails before reading the body
            early = Exchange(
                "GET", "/", BodyStore(memory_budget=MIB, directory=small_tmpfs, reserve=0)
            )
            await engine.send(pool, profile, ResolvedRequest("GET", "/bytes/9000000"), early)
            after, _ = await send(pool, profile, ResolvedRequest("GET", "/get"))
            return full, early, after
        finally:
            await pool.aclose()

    full, early, after = asyncio.run(main())
    assert full.state is ExchangeState.FAILED
    error = full.error
    assert isinstance(error, errors.LocalWriteError), error
    assert error.phase is Phase.LOCAL_WRITE
    assert "Disk full writing the response" in error.message
    assert "MiB received" in error.message
    assert 0 < full.received < 10 * MIB
    assert isinstance(early.error, errors.LocalWriteError)
    assert "Not enough free disk space" in early.error.message
    assert early.received == 0
    assert after.state is ExchangeState.DONE


def test_the_disk_reserve_stops_before_the_disk_fills(demo_server: str, small_tmpfs: Path) -> None:
    async def main() -> Exchange:
        pool = ClientPool()
        try:
            exchange = Exchange("GET", "/", BodyStore(memory_budget=MIB, directory=small_tmpfs))
            request = ResolvedRequest("GET", f"{demo_server}/gzip-bomb?gb=0.01")
            return await engine.send(pool, ClientProfile(), request, exchange)
        finally:
            await pool.aclose()

    exchange = asyncio.run(main())
    assert isinstance(exchange.error, errors.LocalWriteError), exchange.error
    assert "to keep the disk from filling up" in exchange.error.message


# ----------------------------------------------------------- refused up front


class _CountingServer(LoopbackServer):
    def __init__(self) -> None:
        super().__init__()
        self.connections = 0

    def handle(self, conn: socket.socket) -> None:
        self.connections += 1
        conn.close()


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("a\r\nInjected: 1", "a line break"),
        ("nul\x00byte", "a NUL character"),
        ("rocket 🚀", "a character outside ASCII"),
        ("bell\x07", "a control character"),
    ],
)
def test_headers_that_cannot_be_sent_are_refused_before_sending(value: str, problem: str) -> None:
    secret = f"secret-{value}"
    with _CountingServer() as server:
        own, shared = send_pairs(
            (
                ClientProfile(),
                ResolvedRequest(
                    "GET", server.url, headers=(("X-Token", secret),), secrets=frozenset({secret})
                ),
            ),
            (
                ClientProfile("c", headers=(("X-Shared", secret),)),
                ResolvedRequest("GET", server.url),
            ),
        )
        connections = server.connections
    assert connections == 0, "nothing was sent"
    for exchange, name in ((own, "X-Token"), (shared, "X-Shared")):
        error = exchange.error
        assert isinstance(error, errors.InvalidHeader), error
        assert error.phase is Phase.PREPARE
        assert f"“{name}”" in error.message
        assert problem in error.message
        assert "secret" not in error.message + error.detail + repr(error)


def test_a_bad_header_name_is_refused() -> None:
    ((exchange, _),) = send_all(
        ClientProfile(), ResolvedRequest("GET", "http://127.0.0.1:9/", headers=(("Bad Name", "v"),))
    )
    assert isinstance(exchange.error, errors.InvalidHeader)
    assert "“Bad Name”" in exchange.error.message


def test_a_refused_proxy_is_named_not_the_origin(demo_server: str, refused_port: int) -> None:
    proxy = f"http://127.0.0.1:{refused_port}"
    profile = ClientProfile("p", transport=TransportSettings(proxy=proxy))
    ((exchange, _),) = send_all(profile, ResolvedRequest("GET", f"{demo_server}/get"))
    error = exchange.error
    assert isinstance(error, errors.ProxyFailure), error
    assert f"the proxy 127.0.0.1:{refused_port}" in error.message
    origin_port = demo_server.rsplit(":", 1)[1]
    assert origin_port not in error.message


def test_secrets_never_appear_in_messages_details_or_reprs() -> None:
    secret = "tok-3f9a8b7c"
    request = ResolvedRequest(
        "GET",
        f"http://127.0.0.1:99999/?token={secret}",
        headers=(("Authorization", f"Bearer {secret}"),),
        content=secret.encode(),
        secrets=frozenset({secret}),
    )
    ((exchange, _),) = send_all(ClientProfile(), request)
    error = exchange.error
    assert isinstance(error, errors.InvalidURL)
    everything = error.message + error.detail + repr(error) + repr(request) + repr(exchange)
    assert secret not in everything
    assert "••••" in error.message
