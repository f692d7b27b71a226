"""Sources read into reused buffers; a reader going through a file has it read ahead."""

from __future__ import annotations

import os
import tempfile
import time

import pytest

from app.core.viewing import source as source_module
from app.core.viewing.source import (
    READ_AHEAD,
    FileSource,
    MemorySource,
    read_into,
)

MIB = 1 << 20


def wait_for_advice(advised: list[tuple[int, int]], count: int) -> None:
    """The advice is given by a daemon thread, in the order asked."""
    deadline = time.monotonic() + 5
    while len(advised) < count and time.monotonic() < deadline:
        time.sleep(0.005)


def test_read_into_matches_read_for_every_source() -> None:
    data = bytes(range(256)) * 4096  # 1 MiB
    with tempfile.TemporaryFile() as f:
        f.write(data)
        f.flush()
        file_source = FileSource(os.dup(f.fileno()), len(data) - 10, complete=True)
        try:
            for source in (MemorySource(data), file_source):
                buffer = bytearray(300_000)
                for offset in (0, 7, len(data) - 100_000, len(data) + 5):
                    with memoryview(buffer) as view:
                        got = read_into(source, offset, view)
                    assert bytes(buffer[:got]) == source.read(offset, len(buffer))
        finally:
            file_source.close()


def test_file_source_block_reads_are_read_ahead(monkeypatch: pytest.MonkeyPatch) -> None:
    advised: list[tuple[int, int]] = []

    def recording(fd: int, offset: int, length: int, advice: int) -> None:
        assert advice == os.POSIX_FADV_WILLNEED
        advised.append((offset, length))

    monkeypatch.setattr(source_module.os, "posix_fadvise", recording)
    with tempfile.TemporaryFile() as f:
        f.truncate(40 * MIB)
        source = FileSource(os.dup(f.fileno()), 40 * MIB, complete=True)
        try:
            source.read(0, 4096)  # a screen's lines: no advice
            source.read(0, MIB)
            with memoryview(bytearray(MIB)) as view:
                source.read_into(30 * MIB, view)  # a jump: ahead of it, up to the size
            wait_for_advice(advised, 2)
            assert advised == [(MIB, READ_AHEAD), (31 * MIB, 9 * MIB)]
        finally:
            source.close()
