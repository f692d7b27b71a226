"""Test helpers: run exchanges on a fresh pool and look at what they recorded."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from app.core.resolved import ClientProfile, ResolvedRequest
from app.net import engine
from app.net.clients import ClientPool
from app.net.events import Event
from app.net.exchange import Exchange, ExchangeState


async def send(
    pool: ClientPool, profile: ClientProfile, request: ResolvedRequest
) -> tuple[Exchange, list[Event]]:
    events: list[Event] = []
    exchange = await engine.send(pool, profile, request, on_event=lambda _x, e: events.append(e))
    return exchange, events


def send_all(
    profile: ClientProfile, *requests: ResolvedRequest, pool: ClientPool | None = None
) -> list[tuple[Exchange, list[Event]]]:
    """Send ``requests`` one after another on one pool (closed afterwards)."""

    async def main() -> list[tuple[Exchange, list[Event]]]:
        own = pool if pool is not None else ClientPool()
        try:
            return [await send(own, profile, r) for r in requests]
        finally:
            await own.aclose()

    return asyncio.run(main())


def send_pairs(*pairs: tuple[ClientProfile, ResolvedRequest]) -> list[Exchange]:
    async def main() -> list[Exchange]:
        pool = ClientPool()
        try:
            return [(await send(pool, p, r))[0] for p, r in pairs]
        finally:
            await pool.aclose()

    return asyncio.run(main())


def body(exchange: Exchange) -> bytes:
    assert exchange.state is ExchangeState.DONE, (exchange, exchange.error)
    return exchange.body.read()


def json_body(exchange: Exchange) -> Any:
    return json.loads(body(exchange))


def status_and_json(exchange: Exchange) -> tuple[int, Any]:
    assert exchange.response is not None, exchange.error
    data = body(exchange)
    return exchange.response.status_code, json.loads(data) if data else {}
