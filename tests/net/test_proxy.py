"""Requests through a proxy set in the collection's settings (SOCKS5 here)."""

from __future__ import annotations

import asyncio
import json

from app.core.inherit import resolve
from app.core.model import Collection, Request, Settings
from app.net import engine
from app.net.clients import ClientPool
from app.net.events import Finished
from tests.helpers.socks_server import Socks5Server


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

        async def main() -> bytes:
            pool = ClientPool()
            try:
                client = pool.client_for(resolution.profile)
                async for event in engine.send(client, resolution.request):
                    if isinstance(event, Finished):
                        data = event.spool.read()
                        event.spool.close()
                        return data
            finally:
                await pool.aclose()
            raise AssertionError("no response")

        body = json.loads(asyncio.run(main()))
    assert body["method"] == "GET"
    port = int(demo_server.rsplit(":", 1)[1])
    assert proxy.connections == [("127.0.0.1", port)]
