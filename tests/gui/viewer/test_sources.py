"""ExchangeBody: reads through a spooled body, reused buffers and the kernel's read-ahead."""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

import pytest

from app.core.viewing import source as source_module
from app.core.viewing.search import TextSearch
from app.core.viewing.source import ADVICE_STEP, READ_AHEAD
from app.net.body_store import BodyStore
from app.net.exchange import Exchange
from app.ui.viewer.sources import ExchangeBody

MIB = 1 << 20


def wait_for_advice(advised: list[tuple[int, int]], count: int) -> None:
    """The advice is given by a daemon thread, in the order asked."""
    deadline = time.monotonic() + 5
    while len(advised) < count and time.monotonic() < deadline:
        time.sleep(0.005)


def _spooled(tmp_path: Path, data: bytes) -> Exchange:
    store = BodyStore(memory_budget=MIB, directory=tmp_path, reserve=0)
    for i in range(0, len(data), 256 * 1024):
        store.append(data[i : i + 256 * 1024])
    store.settle()
    assert store.on_disk
    assert store.written == len(data)
    return Exchange("GET", "http://127.0.0.1/", store)


@pytest.fixture
def data() -> bytes:
    rng = random.Random(3)
    return rng.randbytes(24 * MIB)


def test_read_into_gives_the_bytes_read_gives(tmp_path: Path, data: bytes) -> None:
    body = ExchangeBody(_spooled(tmp_path, data))
    buffer = bytearray(3 * MIB)
    for offset in (0, 5, MIB - 1, len(data) - 100, len(data)):
        with memoryview(buffer) as view:
            got = body.read_into(offset, view)
        assert bytes(buffer[:got]) == body.read(offset, len(buffer))
        assert bytes(buffer[:got]) == data[offset : offset + len(buffer)]
    assert body.shared_fd() >= 0


def test_block_reads_ask_the_kernel_for_what_follows(
    tmp_path: Path, data: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The line index reads 2 MiB blocks on the GUI thread: the next 16 MiB are
    read ahead; a screen's small reads are not."""
    advised: list[tuple[int, int]] = []
    fadvise = os.posix_fadvise

    def recording(fd: int, offset: int, length: int, advice: int) -> None:
        assert advice == os.POSIX_FADV_WILLNEED
        advised.append((offset, length))
        fadvise(fd, offset, length, advice)

    monkeypatch.setattr(source_module.os, "posix_fadvise", recording)
    exchange = _spooled(tmp_path, data)
    body = ExchangeBody(exchange)
    assert body.read(0, 16 * 1024) == data[: 16 * 1024]  # a screen's lines: none
    assert body.read(0, 2 * MIB) == data[: 2 * MIB]
    assert body.read(2 * MIB, 2 * MIB) == data[2 * MIB : 4 * MIB]  # the new part only
    assert body.read(4 * MIB, MIB) == data[4 * MIB : 5 * MIB]  # less than a step new
    assert ADVICE_STEP > MIB
    body.read(len(data) - 2 * MIB, 2 * MIB)  # nothing written past the end
    ExchangeBody(exchange).read(0, 2 * MIB)  # another reader: its own advice
    wait_for_advice(advised, 3)
    assert advised == [
        (2 * MIB, READ_AHEAD),
        (2 * MIB + READ_AHEAD, 2 * MIB),
        (2 * MIB, READ_AHEAD),
    ]


def test_search_in_a_spooled_body(tmp_path: Path, data: bytes) -> None:
    """Still arriving (the exchange is not finished): found up to what is written."""
    needle = b"Needle-At-The-End"
    exchange = _spooled(tmp_path, data[: -len(needle)] + needle)
    body = ExchangeBody(exchange)
    search = TextSearch(body, "needle-at-the-end")
    for _ in range(1000):
        if search.step(0.05):
            break
    assert search.count >= 1
    assert search.matches[-1] == (len(data) - len(needle), len(data))
