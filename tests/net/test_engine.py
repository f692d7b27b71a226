"""The engine against real servers: HTTP/1.1, HTTP/2 over TLS, reuse, every failure."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from pathlib import Path

import httpx
import pytest

from app.core import errors
from app.core.resolved import ClientProfile, ResolvedRequest, TransportSettings
from app.net import engine
from app.net.clients import ClientPool
from app.net.events import BodyChunk, Event, Failed, Finished, ResponseHead, Started
from app.net.spool import ResponseSpool
from tests.conftest import TLSServer
from tests.helpers.raw_server import BrokenBodyServer, SilentServer


async def collect(client: httpx.AsyncClient, request: ResolvedRequest) -> list[Event]:
    return [event async for event in engine.send(client, request)]


def run_with_pool(profile: ClientProfile, *requests: ResolvedRequest) -> list[list[Event]]:
    async def main() -> list[list[Event]]:
        pool = ClientPool()
        try:
            client = pool.client_for(profile)
            return [await collect(client, r) for r in requests]
        finally:
            await pool.aclose()

    return asyncio.run(main())


def body_of(events: Sequence[Event]) -> bytes:
    finished = events[-1]
    assert isinstance(finished, Finished), events[-1]
    data = finished.spool.read()
    finished.spool.close()
    return data


def failure(events: Sequence[Event]) -> errors.RequestError:
    last = events[-1]
    assert isinstance(last, Failed), last
    return last.error


def test_http11_events_in_order_and_body_in_spool(demo_server: str) -> None:
    (events,) = run_with_pool(
        ClientProfile("c", demo_server, (("X-Shared", "yes"),)),
        ResolvedRequest("GET", "/posts/1", headers=(("X-Own", "1"),)),
    )
    kinds = [type(e) for e in events]
    assert kinds[0] is Started
    assert kinds[1] is ResponseHead
    assert kinds[-1] is Finished
    assert all(k is BodyChunk for k in kinds[2:-1])
    head = events[1]
    assert isinstance(head, ResponseHead)
    assert (head.status_code, head.reason, head.http_version) == (200, "OK", "HTTP/1.1")
    sent = {k.lower(): v for k, v in head.request_headers}
    assert sent["x-shared"] == "yes"
    assert sent["x-own"] == "1"
    assert sent["user-agent"].startswith("courier/")
    assert json.loads(body_of(events))["id"] == 1


def test_post_body_and_redirects(demo_server: str) -> None:
    post, redirected = run_with_pool(
        ClientProfile("c", demo_server),
        ResolvedRequest(
            "POST",
            "/posts",
            headers=(("Content-Type", "application/json"),),
            content=b'{"title": "t"}',
        ),
        ResolvedRequest("GET", "/redirect/3"),
    )
    assert isinstance(post[1], ResponseHead)
    assert post[1].status_code == 201
    assert json.loads(body_of(post)) == {"title": "t", "id": 101}
    assert isinstance(redirected[1], ResponseHead)
    assert redirected[1].url.endswith("/get")
    body_of(redirected)


def test_http2_over_tls(tls_demo_server: TLSServer) -> None:
    profile = ClientProfile(
        "tls",
        tls_demo_server.base_url,
        transport=TransportSettings(ca_bundle=str(tls_demo_server.ca_pem)),
    )
    first, second = run_with_pool(
        profile, ResolvedRequest("GET", "/get"), ResolvedRequest("GET", "/get")
    )
    head = first[1]
    assert isinstance(head, ResponseHead)
    assert head.http_version == "HTTP/2"
    done = first[-1]
    assert isinstance(done, Finished)
    assert done.timings.tls_s is not None
    assert done.timings.connect_s is not None
    again = second[-1]
    assert isinstance(again, Finished)
    assert again.timings.reused_connection
    body_of(first)
    body_of(second)


def test_connection_reused_across_sends_on_one_client(demo_server: str) -> None:
    first, second = run_with_pool(
        ClientProfile("c", demo_server),
        ResolvedRequest("GET", "/get"),
        ResolvedRequest("GET", "/get"),
    )
    a, b = first[-1], second[-1]
    assert isinstance(a, Finished)
    assert isinstance(b, Finished)
    assert not a.timings.reused_connection
    assert a.timings.connect_s is not None
    assert b.timings.reused_connection
    assert b.timings.connect_s is None
    assert b.timings.ttfb_s is not None
    assert b.timings.total_s >= b.timings.ttfb_s


def test_pool_keeps_the_client_for_header_changes_and_rebuilds_for_transport(
    demo_server: str,
) -> None:
    async def main() -> None:
        pool = ClientPool()
        try:
            first = pool.client_for(ClientProfile("k", demo_server))
            same = pool.client_for(ClientProfile("k", demo_server, (("X-New", "1"),)))
            assert same is first
            assert same.headers["x-new"] == "1"
            events = await collect(same, ResolvedRequest("GET", "/headers"))
            assert json.loads(body_of(events))["headers"]["x-new"] == "1"
            rebuilt = pool.client_for(
                ClientProfile("k", demo_server, transport=TransportSettings(http2=False))
            )
            assert rebuilt is not first
            other = pool.client_for(ClientProfile("other", demo_server))
            assert other is not rebuilt
            assert sorted(pool.keys()) == ["k", "other"]
        finally:
            await pool.aclose()
        assert first.is_closed
        assert len(pool) == 0

    asyncio.run(main())


def test_refused_port(refused_port: int) -> None:
    (events,) = run_with_pool(
        ClientProfile(), ResolvedRequest("GET", f"http://127.0.0.1:{refused_port}/")
    )
    error = failure(events)
    assert isinstance(error, errors.ConnectionRefused)
    assert f"127.0.0.1:{refused_port}" in error.message
    assert error.detail


def test_untrusted_certificate(tls_demo_server: TLSServer) -> None:
    (events,) = run_with_pool(ClientProfile("x"), ResolvedRequest("GET", tls_demo_server.base_url))
    error = failure(events)
    assert isinstance(error, errors.TLSFailure)
    assert "not trusted" in error.message


def test_timeout(demo_server: str) -> None:
    (events,) = run_with_pool(
        ClientProfile(), ResolvedRequest("GET", f"{demo_server}/delay/3", timeout_s=0.3)
    )
    error = failure(events)
    assert isinstance(error, errors.RequestTimeout)
    assert "waiting for data" in error.message


def test_server_closes_mid_body() -> None:
    with BrokenBodyServer(promised=100_000, sent=10_000) as server:
        (events,) = run_with_pool(ClientProfile(), ResolvedRequest("GET", server.url))
    assert any(isinstance(e, BodyChunk) for e in events), "the part that arrived is shown"
    error = failure(events)
    assert isinstance(error, errors.ServerDisconnected)
    assert "10,000 bytes" in error.message


def test_invalid_url_and_unknown_host() -> None:
    bad_port, bad_url, bad_scheme, unknown = run_with_pool(
        ClientProfile(),
        ResolvedRequest("GET", "http://example.com:99999/"),
        ResolvedRequest("GET", "http://[::1/"),
        ResolvedRequest("GET", "ftp://example.com/"),
        ResolvedRequest("GET", "http://courier-test-host.invalid/"),
    )
    port_error = failure(bad_port)
    assert isinstance(port_error, errors.InvalidURL)
    assert "99999" in port_error.message
    assert isinstance(failure(bad_url), errors.InvalidURL)
    assert isinstance(failure(bad_scheme), errors.InvalidURL)
    dns = failure(unknown)
    assert isinstance(dns, (errors.DNSFailure, errors.NetworkError))
    assert "courier-test-host.invalid" in dns.message


def test_cancelling_a_send_stops_cleanly(demo_server: str) -> None:
    async def main() -> list[Event]:
        pool = ClientPool()
        seen: list[Event] = []
        client = pool.client_for(ClientProfile("c", demo_server))

        async def consume() -> None:
            async for event in engine.send(client, ResolvedRequest("GET", "/stream/100")):
                seen.append(event)

        task = asyncio.ensure_future(consume())
        while sum(isinstance(e, BodyChunk) for e in seen) < 2:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # the client still works afterwards
        events = await collect(client, ResolvedRequest("GET", "/get"))
        body_of(events)
        await pool.aclose()
        return seen

    seen = asyncio.run(main())
    assert not any(isinstance(e, Finished | Failed) for e in seen)


def test_large_body_goes_to_disk_not_memory(demo_server: str) -> None:
    size = 5 * 1024 * 1024
    (events,) = run_with_pool(
        ClientProfile(), ResolvedRequest("GET", f"{demo_server}/bytes/{size}")
    )
    head = events[1]
    assert isinstance(head, ResponseHead)
    assert head.expected_size == size
    done = events[-1]
    assert isinstance(done, Finished)
    assert done.size == size
    assert done.spool.is_on_disk
    done.spool.close()


def test_spool_rolls_over_and_saves(tmp_path: Path) -> None:
    with ResponseSpool(memory_limit=10) as spool:
        spool.write(b"0123456789")
        assert not spool.is_on_disk
        spool.write(b"abc")
        assert spool.is_on_disk
        assert spool.size == 13
        assert spool.read(8, 4) == b"89ab"
        assert spool.head(3) == b"012"
        target = tmp_path / "body.bin"
        spool.save_to(target)
        assert target.read_bytes() == b"0123456789abc"
        assert list(tmp_path.iterdir()) == [target]
    assert spool.closed
    with pytest.raises(ValueError, match="closed"):
        spool.read()


def test_server_that_never_answers_times_out() -> None:
    with SilentServer() as server:
        (events,) = run_with_pool(
            ClientProfile(), ResolvedRequest("GET", server.url, timeout_s=0.3)
        )
        assert server.accepted == 1
    error = failure(events)
    assert isinstance(error, errors.RequestTimeout)
    assert "waiting for data from 127.0.0.1" in error.message


def test_demo_broken_route_fails_after_the_part_that_arrived(
    demo_server: str, tls_demo_server: TLSServer
) -> None:
    http11, http2 = run_with_pool(
        ClientProfile("c", transport=TransportSettings(ca_bundle=str(tls_demo_server.ca_pem))),
        ResolvedRequest("GET", f"{demo_server}/broken/100000"),
        ResolvedRequest("GET", f"{tls_demo_server.base_url}/broken/100000"),
    )
    for events, version in ((http11, "HTTP/1.1"), (http2, "HTTP/2")):
        head = events[1]
        assert isinstance(head, ResponseHead)
        assert (head.http_version, head.expected_size) == (version, 200_000)
        chunks = [e for e in events if isinstance(e, BodyChunk)]
        assert chunks
        assert chunks[-1].received == 100_000
        error = failure(events)
        assert isinstance(error, errors.ServerDisconnected), (version, error, error.detail)
        assert "100,000 bytes" in error.message


def test_http2_downloads_in_frames_larger_than_the_16k_default(
    demo_server: str, tls_demo_server: TLSServer
) -> None:
    size = 3_000_000
    over_h2, over_h11 = run_with_pool(
        ClientProfile("c", transport=TransportSettings(ca_bundle=str(tls_demo_server.ca_pem))),
        ResolvedRequest("GET", f"{tls_demo_server.base_url}/bytes/{size}"),
        ResolvedRequest("GET", f"{demo_server}/bytes/{size}"),
    )
    assert body_of(over_h2) == body_of(over_h11)  # (reading closes the spools)
    head = over_h2[1]
    assert isinstance(head, ResponseHead)
    assert head.http_version == "HTTP/2"
    largest = max(len(e.data) for e in over_h2 if isinstance(e, BodyChunk))
    assert largest > 16_384, "the server kept to 16 KiB frames: tuning did not ask for more"


def test_pool_follows_cookie_setting_changes_on_the_same_client(demo_server: str) -> None:
    async def cookies_seen(pool: ClientPool, profile: ClientProfile, path: str) -> object:
        events = await collect(pool.client_for(profile), ResolvedRequest("GET", path))
        return json.loads(body_of(events))

    async def main() -> None:
        pool = ClientPool()
        try:
            with_jar = ClientProfile("k", demo_server, cookie_key="k")
            without = ClientProfile("k", demo_server, cookie_key="k", cookies=False)
            client = pool.client_for(with_jar)
            await cookies_seen(pool, with_jar, "/cookies/set?a=1")
            assert await cookies_seen(pool, without, "/cookies") == {"cookies": {}}
            await cookies_seen(pool, without, "/cookies/set?b=2")
            assert await cookies_seen(pool, with_jar, "/cookies") == {"cookies": {"a": "1"}}
            assert pool.client_for(with_jar) is client
        finally:
            await pool.aclose()

    asyncio.run(main())
