"""When each body byte arrived: the log alone, then real bodies trickling in."""

from __future__ import annotations

import asyncio
import gzip
import itertools
import time

from app.core.resolved import ClientProfile, ResolvedRequest
from app.net import engine
from app.net.arrivals import ArrivalLog
from app.net.clients import ClientPool
from app.net.exchange import Exchange, ExchangeState
from tests.helpers.encoded_server import EncodedServer
from tests.helpers.trickle_server import TrickleServer


def test_a_byte_arrived_with_the_first_mark_that_covers_it() -> None:
    log = ArrivalLog(resolution=0.0)
    assert log.time_at(0) is None
    log.note(100.0, 10)
    log.note(101.0, 25)
    log.note(101.5, 25)  # nothing new: no mark
    assert len(log) == 2
    assert [log.time_at(i) for i in (0, 9, 10, 24)] == [100.0, 100.0, 101.0, 101.0]
    assert log.time_at(25) is None, "not arrived yet"
    assert log.time_at(-1) is None


def test_pieces_close_together_share_the_later_time() -> None:
    log = ArrivalLog(resolution=0.01)
    log.note(100.0, 1)
    log.note(100.004, 2)
    log.note(100.02, 3)
    assert len(log) == 2
    assert log.time_at(0) == log.time_at(1) == 100.004
    assert log.time_at(2) == 100.02


def test_a_long_stream_stays_small_and_keeps_its_order() -> None:
    log = ArrivalLog(max_marks=1000, resolution=0.0)
    for i in range(1, 100_001):  # a piece every 10 ms for 1000 s
        log.note(i * 0.01, i * 100)
    assert len(log) <= 1000
    assert log.nbytes <= 1000 * 16 + 4096
    assert log.resolution > 0
    times = [log.time_at(offset) for offset in range(0, 100 * 100_000, 9_999)]
    assert all(t is not None for t in times)
    assert times == sorted(times)  # type: ignore[type-var]
    # each answer is the time of a mark at or after the byte's real arrival, not long after
    for offset in (0, 5_000_000, 9_999_999):
        real = (offset // 100 + 1) * 0.01
        got = log.time_at(offset)
        assert got is not None
        assert real - 1e-9 <= got <= real + 2.5
    assert log.time_at(10_000_000) is None


def send_one(url: str, **kwargs: object) -> Exchange:
    async def main() -> Exchange:
        pool = ClientPool()
        try:
            request = ResolvedRequest("GET", url, **kwargs)  # type: ignore[arg-type]
            return await engine.send(pool, ClientProfile(), request)
        finally:
            await pool.aclose()

    return asyncio.run(main())


def test_a_trickling_body_records_when_each_byte_arrived() -> None:
    with TrickleServer(size=5, interval=0.15) as server:
        before = time.time()
        exchange = send_one(server.url)
        after = time.time()
    assert exchange.state is ExchangeState.DONE, exchange.error
    times = [exchange.arrival_time(i) for i in range(5)]
    assert all(t is not None for t in times), times
    assert before < times[0] < times[-1] <= after  # type: ignore[operator]
    gaps = [b - a for a, b in itertools.pairwise(times)]  # type: ignore[operator]
    assert all(gap > 0.1 for gap in gaps), gaps  # one byte every 0.15 s, each its own time
    assert exchange.arrival_time(5) is None


def test_a_decoded_body_is_timed_by_its_decoded_offsets() -> None:
    data = b"".join(b"line %d\n" % i for i in range(50_000))
    with EncodedServer(gzip.compress(data), "gzip", chunk=16 * 1024) as server:
        exchange = send_one(server.url)
    assert exchange.body.read() == data
    assert exchange.arrival_time(0) is not None
    assert exchange.arrival_time(len(data) - 1) is not None
    assert exchange.arrival_time(len(data)) is None
