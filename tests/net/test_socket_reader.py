"""Bulk reads in a thread (``socket_reader``): every read threaded, against a real server."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest

from app.net import socket_reader
from app.net.clients import ClientPool
from app.net.downloads import DownloadState
from tests.helpers.file_server import FileServer
from tests.net.test_downloads import BLOB, make_task


@pytest.fixture(autouse=True)
def every_read_in_a_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket_reader, "BULK_AFTER", 0)
    monkeypatch.setattr(socket_reader, "READ_CHUNK", 256 * 1024)


def reader_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("courier-socket-reader")]


def test_downloads_through_the_reading_thread_twice_on_one_pool(tmp_path: Path) -> None:
    with FileServer(BLOB) as server:

        async def main() -> list[DownloadState]:
            pool = ClientPool()
            try:
                states = []
                for name in ("a.bin", "b.bin"):
                    snap = await make_task(pool, server.url + "/f.bin", tmp_path / name).run()
                    assert snap.sha256 == server.sha256, snap.error
                    states.append(snap.state)
                assert reader_threads()  # the connection is pooled, its reader still there
                return states
            finally:
                await pool.aclose()

        assert asyncio.run(main()) == [DownloadState.DONE, DownloadState.DONE]
    assert (tmp_path / "b.bin").read_bytes() == BLOB
    deadline = time.monotonic() + 5
    while reader_threads() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not reader_threads()  # closing the pool ended them


def test_pause_while_the_thread_waits_stops_promptly(tmp_path: Path) -> None:
    with FileServer(BLOB) as server:
        server.stall_at = 1_000_000

        async def main() -> tuple[DownloadState, float]:
            pool = ClientPool()
            try:
                task = make_task(pool, server.url + "/f.bin", tmp_path / "f.bin")
                running = asyncio.ensure_future(task.run())
                while task.snapshot().received < 1_000_000:  # noqa: ASYNC110
                    await asyncio.sleep(0.01)
                started = time.monotonic()
                task.pause()
                snap = await running
                return snap.state, time.monotonic() - started
            finally:
                server.release.set()
                await pool.aclose()

        state, took = asyncio.run(main())
    assert state is DownloadState.PAUSED
    assert took < 1.0
