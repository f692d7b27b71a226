"""Requests through a proxy set in the collection's settings (SOCKS5 here)."""

from __future__ import annotations

from app.core.inherit import resolve
from app.core.model import Collection, Request, Settings
from tests.helpers.socks_server import Socks5Server
from tests.net.sending import json_body, send_pairs


def test_socks5_proxy_carries_the_request(demo_server: str) -> None:
    with Socks5Server() as proxy:
        collection = Collection(
            name="p",
            base_url=demo_server,
            settings=Settings(proxy=proxy.url),
            requests=[Request(name="r", url="/get")],
        )
        resolution = resolve(collection.requests[0], collection)
        assert resolution.profile.transport.proxy == proxy.url

        (exchange,) = send_pairs((resolution.profile, resolution.request))
        body = json_body(exchange)
    assert body["method"] == "GET"
    port = int(demo_server.rsplit(":", 1)[1])
    assert proxy.connections == [("127.0.0.1", port)]
