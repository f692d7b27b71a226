"""The engine against real servers: HTTP/1.1, HTTP/2 over TLS, reuse, every failure."""

from __future__ import annotations

import asyncio
import json

import pytest

from app.core import errors
from app.core.errors import Phase
from app.core.resolved import ClientProfile, ResolvedRequest, TransportSettings
from app.net import engine
from app.net.clients import ClientPool
from app.net.events import Event, Failed, Finished, HeadReceived, Progress, Started
from app.net.exchange import Exchange, ExchangeState
from tests.conftest import TLSServer
from tests.helpers.raw_server import BrokenBodyServer, SilentServer
from tests.net.sending import body, json_body, send, send_all


def failure(exchange: Exchange) -> errors.RequestError:
    assert exchange.state is ExchangeState.FAILED, exchange
    assert exchange.error is not None
    return exchange.error


def test_http11_events_in_order_and_body_in_the_store(demo_server: str) -> None:
    ((exchange, events),) = send_all(
        ClientProfile("c", demo_server, (("X-Shared", "yes"),)),
        ResolvedRequest("GET", "/posts/1", headers=(("X-Own", "1"),)),
    )
    kinds = [type(e) for e in events]
    assert kinds[:2] == [Started, HeadReceived]
    assert kinds[-1] is Finished
    assert set(kinds[2:-1]) == {Progress}
    head = exchange.response
    assert head is not None
    assert (head.status_code, head.reason, head.http_version) == (200, "OK", "HTTP/1.1")
    assert exchange.request is not None
    sent = {k.lower(): v for k, v in exchange.request.headers}
    assert sent["x-shared"] == "yes"
    assert sent["x-own"] == "1"
    assert sent["user-agent"].startswith("courier/")
    assert exchange.request.url == f"{demo_server}/posts/1"
    assert json_body(exchange)["id"] == 1
    progress = [e for e in events if isinstance(e, Progress)]
    assert progress[-1].received == exchange.received == len(body(exchange))


def test_events_carry_sizes_never_bytes() -> None:
    """Every event type, every field, through unions, containers and the dataclasses
    an event holds (resolved hints: the annotations are strings, ``bytes | None`` too)."""
    import dataclasses
    import typing

    from app.net import events

    def byte_types(hint: object, seen: set[object]) -> list[object]:
        if hint in (bytes, bytearray, memoryview):
            return [hint]
        if hint in seen:
            return []
        seen.add(hint)
        found = [t for arg in typing.get_args(hint) for t in byte_types(arg, seen)]
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            hints = typing.get_type_hints(hint)
            found += [t for f in dataclasses.fields(hint) for t in byte_types(hints[f.name], seen)]
        return found

    event_types = typing.get_args(events.Event)
    assert {Started, HeadReceived, Progress, Finished, Failed, events.Redirected} <= set(
        event_types
    )
    for event_type in event_types:
        assert byte_types(event_type, set()) == [], event_type


def test_post_body_and_redirects(demo_server: str) -> None:
    (post, _), (redirected, _) = send_all(
        ClientProfile("c", demo_server),
        ResolvedRequest(
            "POST",
            "/posts",
            headers=(("Content-Type", "application/json"),),
            content=b'{"title": "t"}',
        ),
        ResolvedRequest("GET", "/redirect/3"),
    )
    assert post.response is not None
    assert post.response.status_code == 201
    assert json_body(post) == {"title": "t", "id": 101}
    assert post.request is not None
    assert post.request.body_summary == "14 bytes, application/json"
    assert redirected.response is not None
    assert redirected.response.url.endswith("/get")
    assert [hop.status_code for hop in redirected.hops] == [302, 302, 302]
    assert redirected.hops[-1].next_url.endswith("/get")
    assert redirected.timings is not None
    assert redirected.timings.reused_connection, "the hops' bodies are drained: one connection"


def test_http2_over_tls(tls_demo_server: TLSServer) -> None:
    profile = ClientProfile(
        "tls",
        tls_demo_server.base_url,
        transport=TransportSettings(ca_bundle=str(tls_demo_server.ca_pem)),
    )
    (first, _), (second, _) = send_all(
        profile, ResolvedRequest("GET", "/get"), ResolvedRequest("GET", "/get")
    )
    assert first.response is not None
    assert first.response.http_version == "HTTP/2"
    assert first.timings is not None
    assert first.timings.tls_s is not None
    assert first.timings.connect_s is not None
    assert first.timings.http_version == "HTTP/2"
    assert first.timings.remote_address.startswith("127.0.0.1:")
    assert second.timings is not None
    assert second.timings.reused_connection


def test_connection_reused_across_sends(demo_server: str) -> None:
    (a, _), (b, _) = send_all(
        ClientProfile("c", demo_server),
        ResolvedRequest("GET", "/get"),
        ResolvedRequest("GET", "/get"),
    )
    assert a.timings is not None
    assert b.timings is not None
    assert not a.timings.reused_connection
    assert a.timings.connect_s is not None
    assert b.timings.reused_connection
    assert b.timings.connect_s is None
    assert b.timings.ttfb_s is not None
    assert b.timings.total_s >= b.timings.ttfb_s


def test_refused_port(refused_port: int) -> None:
    ((exchange, events),) = send_all(
        ClientProfile(), ResolvedRequest("GET", f"http://127.0.0.1:{refused_port}/")
    )
    error = failure(exchange)
    assert isinstance(error, errors.ConnectionRefused)
    assert f"127.0.0.1:{refused_port}" in error.message
    assert error.phase is Phase.CONNECT
    assert error.detail
    assert isinstance(events[-1], Failed)


def test_untrusted_certificate(tls_demo_server: TLSServer) -> None:
    ((exchange, _),) = send_all(
        ClientProfile("x"), ResolvedRequest("GET", tls_demo_server.base_url)
    )
    error = failure(exchange)
    assert isinstance(error, errors.TLSFailure)
    assert "authority Courier does not trust" in error.message
    assert error.phase is Phase.TLS


def test_plain_http_to_a_tls_port_is_explained(tls_demo_server: TLSServer) -> None:
    plain = tls_demo_server.base_url.replace("https://", "http://")
    tls_to_plain = ResolvedRequest("GET", plain)
    ((exchange, _),) = send_all(ClientProfile("x"), tls_to_plain)
    error = failure(exchange)
    assert isinstance(error, errors.ServerDisconnected | errors.ProtocolViolation), error


def test_timeout_while_waiting(demo_server: str) -> None:
    ((exchange, _),) = send_all(
        ClientProfile(), ResolvedRequest("GET", f"{demo_server}/delay/3", timeout_s=0.3)
    )
    error = failure(exchange)
    assert isinstance(error, errors.RequestTimeout)
    assert "waiting for 127.0.0.1" in error.message
    assert error.phase is Phase.WAIT


def test_server_closes_mid_body() -> None:
    with BrokenBodyServer(promised=100_000, sent=10_000) as server:
        ((exchange, events),) = send_all(ClientProfile(), ResolvedRequest("GET", server.url))
    assert any(isinstance(e, Progress) for e in events), "the part that arrived is shown"
    error = failure(exchange)
    assert isinstance(error, errors.ServerDisconnected)
    assert "10,000 bytes" in error.message
    assert error.phase is Phase.RECEIVE
    assert error.received == 10_000
    assert exchange.body.read() == b"x" * 10_000, "a failed exchange keeps what arrived"


def test_invalid_url_and_unknown_host() -> None:
    results = send_all(
        ClientProfile(),
        ResolvedRequest("GET", "http://example.com:99999/"),
        ResolvedRequest("GET", "http://[::1/"),
        ResolvedRequest("GET", "ftp://example.com/"),
        ResolvedRequest("GET", "http://courier-test-host.invalid/"),
    )
    (bad_port, _), (bad_url, _), (bad_scheme, _), (unknown, _) = results
    port_error = failure(bad_port)
    assert isinstance(port_error, errors.InvalidURL)
    assert "99999" in port_error.message
    assert port_error.phase is Phase.PREPARE
    assert isinstance(failure(bad_url), errors.InvalidURL)
    assert isinstance(failure(bad_scheme), errors.InvalidURL)
    dns = failure(unknown)
    assert isinstance(dns, errors.DNSFailure), dns
    assert dns.phase is Phase.RESOLVE
    assert "courier-test-host.invalid" in dns.message


def test_stop_keeps_what_arrived_and_the_pool_goes_on(demo_server: str) -> None:
    async def main() -> tuple[Exchange, Exchange]:
        pool = ClientPool()
        profile = ClientProfile("c", demo_server)
        progress: list[Progress] = []
        exchange = Exchange("GET", "/drip")

        def on_event(_x: Exchange, event: Event) -> None:
            if isinstance(event, Progress):
                progress.append(event)

        task = asyncio.ensure_future(
            engine.send(pool, profile, ResolvedRequest("GET", "/stream/100"), exchange, on_event)
        )
        while len(progress) < 2:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        after, _ = await send(pool, profile, ResolvedRequest("GET", "/get"))
        await pool.aclose()
        return exchange, after

    stopped, after = asyncio.run(main())
    assert stopped.state is ExchangeState.STOPPED
    assert stopped.error is None
    assert stopped.received > 0
    assert stopped.body.read().count(b"\n") >= 2
    assert stopped.timings is not None
    assert after.state is ExchangeState.DONE


def test_large_body_goes_to_disk_not_memory(demo_server: str) -> None:
    size = 5 * 1024 * 1024
    ((exchange, _),) = send_all(
        ClientProfile(), ResolvedRequest("GET", f"{demo_server}/bytes/{size}")
    )
    assert exchange.response is not None
    assert exchange.response.expected_size == size
    assert exchange.expected_size == size
    assert exchange.received == size
    assert exchange.body.on_disk


def test_server_that_never_answers_times_out() -> None:
    with SilentServer() as server:
        ((exchange, _),) = send_all(
            ClientProfile(), ResolvedRequest("GET", server.url, timeout_s=0.3)
        )
        assert server.accepted == 1
    error = failure(exchange)
    assert isinstance(error, errors.RequestTimeout)
    assert "waiting for 127.0.0.1" in error.message


def test_demo_broken_route_fails_after_the_part_that_arrived(
    demo_server: str, tls_demo_server: TLSServer
) -> None:
    (http11, _), (http2, _) = send_all(
        ClientProfile("c", transport=TransportSettings(ca_bundle=str(tls_demo_server.ca_pem))),
        ResolvedRequest("GET", f"{demo_server}/broken/100000"),
        ResolvedRequest("GET", f"{tls_demo_server.base_url}/broken/100000"),
    )
    for exchange, version in ((http11, "HTTP/1.1"), (http2, "HTTP/2")):
        head = exchange.response
        assert head is not None
        assert (head.http_version, head.expected_size) == (version, 200_000)
        assert exchange.received == 100_000
        error = failure(exchange)
        assert isinstance(error, errors.ServerDisconnected), (version, error, error.detail)
        assert "100,000 bytes" in error.message


def test_http2_downloads_in_frames_larger_than_the_16k_default(
    demo_server: str, tls_demo_server: TLSServer
) -> None:
    size = 3_000_000
    (over_h2, events), (over_h11, _) = send_all(
        ClientProfile("c", transport=TransportSettings(ca_bundle=str(tls_demo_server.ca_pem))),
        ResolvedRequest("GET", f"{tls_demo_server.base_url}/bytes/{size}?seed=h2"),
        ResolvedRequest("GET", f"{demo_server}/bytes/{size}?seed=h2"),  # the same bytes
    )
    assert body(over_h2) == body(over_h11)
    assert over_h2.response is not None
    assert over_h2.response.http_version == "HTTP/2"
    wire = [e.wire_bytes for e in events if isinstance(e, Progress)]
    largest = max(b - a for a, b in zip([0, *wire], wire, strict=False))
    assert largest > 16_384, "the server kept to 16 KiB frames: tuning did not ask for more"


def test_finished_exchange_reports_its_size_and_timings(demo_server: str) -> None:
    ((exchange, events),) = send_all(
        ClientProfile("c", demo_server), ResolvedRequest("GET", "/bytes/1000")
    )
    finished = events[-1]
    assert isinstance(finished, Finished)
    assert finished.size == 1000
    assert finished.timings == exchange.timings
    assert json.dumps(exchange.timings.download_s) != "null" if exchange.timings else False
