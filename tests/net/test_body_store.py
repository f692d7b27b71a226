"""BodyStore: memory then an anonymous temp file, read by offset from any thread,
bounded by a cap and a disk reserve, freed when nothing holds it."""

from __future__ import annotations

import contextlib
import gc
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.net.body_store import _WRITER, BodyCapReached, BodyStore, CopyStopped, DiskFull
from app.net.exchange import Exchange


def open_fds() -> set[int]:
    return {int(name) for name in os.listdir("/proc/self/fd")}


def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@contextlib.contextmanager
def writer_paused() -> Iterator[None]:
    """Hold the background writer thread, so appended blocks wait in memory."""
    release = threading.Event()
    started = threading.Event()

    def hold() -> None:
        started.set()
        release.wait(10)

    _WRITER.submit(hold)
    started.wait(5)
    try:
        yield
    finally:
        release.set()


def test_rolls_over_to_disk_and_reads_by_offset(tmp_path: Path) -> None:
    store = BodyStore(memory_budget=10, directory=tmp_path)
    store.append(b"0123456789")
    assert not store.on_disk
    store.append(b"abc")
    assert store.on_disk
    assert store.size == 13
    assert store.read(8, 4) == b"89ab"
    assert store.head(3) == b"012"
    assert store.read(13) == b""
    assert list(tmp_path.iterdir()) == [], "the temporary file is anonymous"


def test_copy_to_is_atomic_and_reports_progress(tmp_path: Path) -> None:
    store = BodyStore(memory_budget=4, directory=tmp_path)
    store.append(b"x" * 1000)
    target = tmp_path / "out" / "body.bin"
    target.parent.mkdir()
    seen: list[tuple[int, int]] = []
    store.copy_to(target, lambda done, total: seen.append((done, total)) or None)
    assert target.read_bytes() == b"x" * 1000
    assert seen[-1] == (1000, 1000)
    assert list(target.parent.iterdir()) == [target]


def test_a_stopped_copy_leaves_nothing(tmp_path: Path) -> None:
    store = BodyStore()
    store.append(b"y" * 100)
    target = tmp_path / "body.bin"
    with pytest.raises(CopyStopped):
        store.copy_to(target, lambda _done, _total: False)
    assert list(tmp_path.iterdir()) == []


def test_cap_keeps_the_bytes_up_to_it() -> None:
    store = BodyStore(memory_budget=4, cap=10)
    store.append(b"12345678")
    with pytest.raises(BodyCapReached) as caught:
        store.append(b"abcdef")
    assert caught.value.cap == 10
    assert store.read() == b"12345678ab"


def test_disk_reserve_stops_before_the_disk_is_full(tmp_path: Path) -> None:
    free = os.statvfs(tmp_path).f_bavail * os.statvfs(tmp_path).f_frsize
    store = BodyStore(memory_budget=4, directory=tmp_path, reserve=free + 1)
    with pytest.raises(DiskFull):
        store.append(b"more than four bytes")
    with pytest.raises(DiskFull):
        store.ensure_room(1_000_000)
    store.ensure_room(2)  # what fits in memory needs no disk


def test_readers_on_other_threads_see_consistent_bytes(tmp_path: Path) -> None:
    store = BodyStore(memory_budget=1000, directory=tmp_path)
    block = bytes(range(256)) * 4
    errors: list[str] = []
    done = threading.Event()

    def reader() -> None:
        while not done.is_set():
            size = store.size
            data = store.read(0, size)
            if len(data) != size or data != (block * (size // len(block) + 1))[:size]:
                errors.append(f"inconsistent read at {size}")

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    for _ in range(400):
        store.append(block)
    done.set()
    for t in threads:
        t.join()
    assert errors == []
    assert store.size == 400 * len(block)


def test_released_when_nothing_holds_the_exchange(tmp_path: Path) -> None:
    before = open_fds()
    exchange = Exchange("GET", "/", BodyStore(memory_budget=4, directory=tmp_path))
    exchange.body.append(b"on disk now")
    assert exchange.body.on_disk
    # the temp file, and its O_DIRECT twin where the file system takes direct writes
    direct = exchange.body._direct_fd >= 0
    assert len(open_fds() - before) == (2 if direct else 1)
    body = exchange.body
    ref = weakref.ref(exchange)
    del exchange
    gc.collect()
    assert ref() is None
    assert body.read() == b"on disk now", "whoever holds the body keeps it"
    del body
    gc.collect()
    wait_until(lambda: open_fds() - before == set())  # closed by the writer thread


def test_release_frees_early_and_reads_then_fail() -> None:
    store = BodyStore(memory_budget=1)
    store.append(b"abc")
    store.release()
    store.release()  # twice is fine
    assert store.released
    with pytest.raises(ValueError, match="no longer available"):
        store.read()


def test_appending_never_waits_for_the_disk_reads_see_unwritten_blocks(tmp_path: Path) -> None:
    store = BodyStore(memory_budget=4, directory=tmp_path)
    with writer_paused():
        store.append(b"0123456789")
        store.append(b"abcdef")
        assert store.backlog == 16, "nothing written yet: the writer is held"
        assert store.read(8, 5) == b"89abc", "unwritten blocks are read from memory"
    store.flush()
    assert store.backlog == 0
    assert store.read() == b"0123456789abcdef"
    assert os.pread(store._fd, 16, 0) == b"0123456789abcdef", "and now they are in the file"


def test_a_write_the_disk_refuses_surfaces_on_flush_and_the_next_append(
    small_tmpfs: Path,
) -> None:
    store = BodyStore(memory_budget=1024, directory=small_tmpfs, reserve=0)
    block = b"z" * (1024 * 1024)
    with pytest.raises(OSError, match="No space left") as caught:  # noqa: PT012
        for _ in range(8):  # 8 MiB into a 4 MiB file system: the writer thread fails
            store.append(block)
        store.flush()
    assert caught.value.errno == 28  # ENOSPC
    with pytest.raises(OSError, match="No space left"):
        store.append(b"more")
    written = store.read()
    assert written == block * (len(written) // len(block)), "what was accepted reads back whole"


def test_the_backlog_is_bounded_by_wait_below(tmp_path: Path) -> None:
    store = BodyStore(memory_budget=1, directory=tmp_path)
    with writer_paused():
        store.append(b"x" * 1000)
        waited = threading.Thread(target=store.wait_below, args=(10,))
        waited.start()
        time.sleep(0.05)
        assert waited.is_alive(), "it waits while the writer is held"
    waited.join(5)
    assert not waited.is_alive()


def test_pending_blocks_are_written_in_order_in_batches(tmp_path: Path) -> None:
    from app.net.body_store import _write_blocks

    target = tmp_path / "blocks.bin"
    fd = os.open(target, os.O_RDWR | os.O_CREAT)
    try:
        _write_blocks(fd, [b"abc", b"", b"defg", b"h" * 100_000], 5)
    finally:
        os.close(fd)
    assert target.read_bytes() == b"\0" * 5 + b"abcdefg" + b"h" * 100_000
    store = BodyStore(memory_budget=1, directory=tmp_path)
    with writer_paused():
        for i in range(300):
            store.append(bytes([i % 256]) * 1000)
    store.flush()
    assert store.read() == b"".join(bytes([i % 256]) * 1000 for i in range(300))
