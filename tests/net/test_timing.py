"""Timings of real exchanges: the host name lookup on its own, each step filled over
HTTP/1.1 and HTTP/2, None where a step did not happen."""

from __future__ import annotations

import httpx

from app.core.resolved import ClientProfile, ResolvedRequest, TransportSettings
from app.net.exchange import Exchange, Timings
from tests.conftest import TLSServer
from tests.helpers.socks_server import Socks5Server
from tests.net.sending import body, send_all


def by_name(url: str) -> str:
    """The same server, addressed by the name ``localhost`` (looked up)."""
    return str(httpx.URL(url).copy_with(host="localhost"))


def timings(exchange: Exchange) -> Timings:
    body(exchange)  # DONE
    assert exchange.timings is not None
    return exchange.timings


def assert_steps_filled(t: Timings, version: str) -> None:
    for name in ("send_s", "wait_s", "ttfb_s", "download_s"):
        value = getattr(t, name)
        assert value is not None, (name, t)
        assert value >= 0, (name, t)
    assert t.http_version == version
    assert t.remote_address.startswith("127.0.0.1:")
    assert t.total_s >= t.ttfb_s  # type: ignore[operator]


def test_http11_times_the_lookup_apart_from_the_connection(demo_server: str) -> None:
    (first, _), (second, _) = send_all(
        ClientProfile("c", by_name(demo_server)),
        ResolvedRequest("GET", "/bytes/200000"),
        ResolvedRequest("GET", "/get"),
    )
    t = timings(first)
    assert not t.reused_connection
    assert t.dns_s is not None
    assert t.dns_s >= 0
    assert t.connect_s is not None
    assert t.connect_s >= 0
    assert not t.connect_includes_dns
    assert t.tls_s is None
    assert_steps_filled(t, "HTTP/1.1")
    assert t.remote_address == f"127.0.0.1:{httpx.URL(demo_server).port}"
    again = timings(second)
    assert again.reused_connection
    assert (again.dns_s, again.connect_s, again.tls_s) == (None, None, None)
    assert not again.connect_includes_dns
    assert_steps_filled(again, "HTTP/1.1")


def test_an_ip_address_is_not_looked_up(demo_server: str) -> None:
    ((exchange, _),) = send_all(ClientProfile("c", demo_server), ResolvedRequest("GET", "/get"))
    t = timings(exchange)
    assert t.dns_s is None
    assert t.connect_s is not None
    assert not t.connect_includes_dns, "nothing was looked up"


def test_http2_over_tls_fills_every_step(tls_demo_server: TLSServer) -> None:
    profile = ClientProfile(
        "tls",
        by_name(tls_demo_server.base_url),
        transport=TransportSettings(ca_bundle=str(tls_demo_server.ca_pem)),
    )
    (first, _), (second, _) = send_all(
        profile,
        ResolvedRequest("POST", "/anything", content=b"x" * 100_000),
        ResolvedRequest("GET", "/get"),
    )
    t = timings(first)
    assert t.http_version == "HTTP/2"
    assert not t.reused_connection
    assert t.dns_s is not None
    assert t.connect_s is not None
    assert t.tls_s is not None
    assert t.tls_s > 0
    assert_steps_filled(t, "HTTP/2")
    again = timings(second)
    assert again.reused_connection
    assert (again.dns_s, again.connect_s, again.tls_s) == (None, None, None)
    assert_steps_filled(again, "HTTP/2")


def test_through_a_proxy_the_lookup_stays_in_connect(demo_server: str) -> None:
    with Socks5Server() as proxy:
        profile = ClientProfile(
            "p", demo_server, transport=TransportSettings(proxy=by_name(proxy.url))
        )
        ((exchange, _),) = send_all(profile, ResolvedRequest("GET", "/get"))
    t = timings(exchange)
    assert t.dns_s is None, "the proxy's lookup is not the server's"
    assert t.connect_s is not None
    assert t.connect_includes_dns


def test_redirect_hops_are_timed_before_the_final_request(demo_server: str) -> None:
    (redirected, _), (direct, _) = send_all(
        ClientProfile("c", demo_server),
        ResolvedRequest("GET", "/redirect/2"),
        ResolvedRequest("GET", "/get"),
    )
    t = timings(redirected)
    assert t.redirects_s > 0
    assert t.ttfb_s is not None
    assert t.ttfb_s > t.redirects_s, "the time to first byte counts the hops too"
    assert all(hop.reason == "Found" for hop in redirected.hops)
    assert timings(direct).redirects_s == 0
