"""Download stores write block-aligned ranges with O_DIRECT (page-aligned buffer,
unaligned head and tail through the normal descriptor) and fall back to buffered
writes where the file system refuses direct I/O."""

from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path
from typing import Any

import pytest

from app.net.body_store import DIRECT_ALIGN, DIRECT_BUFFER, BodyStore, part_path
from tests.helpers.disk import small_ext4

#: odd sizes, so pieces straddle blocks, alignment boundaries and the aligned buffer
PIECES = [1, 4095, 4097, 123_457, DIRECT_BUFFER + 3, 2 * 1024 * 1024, 7, DIRECT_ALIGN]


def body(seed: int = 0) -> list[bytes]:
    return [os.urandom(n) if n > 64 else bytes([seed + i]) * n for i, n in enumerate(PIECES)]


def direct_store(target: Path, **kwargs: Any) -> BodyStore:
    store = BodyStore.to_file(target, hasher=hashlib.sha256(), **kwargs)
    if store._direct_fd < 0:
        store.release()
        pytest.skip(f"{target.parent} does not take O_DIRECT")
    return store


def test_direct_writes_make_byte_exact_files(tmp_path: Path) -> None:
    pieces = body()
    store = direct_store(tmp_path / "f.bin")
    for piece in pieces:
        store.append(piece)
    expected = b"".join(pieces)
    assert store.read(DIRECT_BUFFER - 10, 20) == expected[DIRECT_BUFFER - 10 : DIRECT_BUFFER + 10]
    assert store.hexdigest() == hashlib.sha256(expected).hexdigest()
    assert store._direct_fd >= 0, "it stayed on the direct path"
    assert store.commit() == tmp_path / "f.bin"
    assert (tmp_path / "f.bin").read_bytes() == expected
    store.release()


@pytest.mark.parametrize("kept", [1, 4095, 4096, 12_345])
def test_resume_from_an_unaligned_offset_is_byte_exact(tmp_path: Path, kept: int) -> None:
    first = os.urandom(kept)
    target = tmp_path / "f.bin"
    part_path(target).write_bytes(first + b"dropped later")
    pieces = body(1)
    store = direct_store(target, resume_from=kept)
    for piece in pieces:
        store.append(piece)
    expected = first + b"".join(pieces)
    assert store.hexdigest() == hashlib.sha256(expected).hexdigest()
    store.commit()
    assert target.read_bytes() == expected
    store.release()


def test_a_file_system_refusing_o_direct_at_open_uses_buffered_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_open = os.open

    def no_direct(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & getattr(os, "O_DIRECT", 0):
            raise OSError(errno.EINVAL, "Invalid argument")
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", no_direct)
    pieces = body(2)
    store = BodyStore.to_file(tmp_path / "f.bin", hasher=hashlib.sha256())
    assert store._direct_fd == -1
    for piece in pieces:
        store.append(piece)
    store.commit()
    expected = b"".join(pieces)
    assert store.hexdigest() == hashlib.sha256(expected).hexdigest()
    assert (tmp_path / "f.bin").read_bytes() == expected
    store.release()


def test_a_direct_write_refused_midway_falls_back_without_losing_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = direct_store(tmp_path / "f.bin")
    direct_fd = store._direct_fd
    refused: list[int] = []
    real_pwrite = os.pwrite

    def refuse_direct(fd: int, data: Any, offset: int) -> int:
        if fd == direct_fd:
            refused.append(offset)
            raise OSError(errno.EINVAL, "Invalid argument")
        return real_pwrite(fd, data, offset)

    monkeypatch.setattr(os, "pwrite", refuse_direct)
    pieces = body(3)
    for piece in pieces:
        store.append(piece)
    store.flush()
    assert refused, "a direct write was tried"
    assert store._direct_fd == -1, "and not again after the refusal"
    expected = b"".join(pieces)
    assert store.hexdigest() == hashlib.sha256(expected).hexdigest()
    store.commit()
    assert (tmp_path / "f.bin").read_bytes() == expected
    store.release()


def test_a_full_disk_under_direct_writes_surfaces_and_keeps_what_was_written() -> None:
    with small_ext4(8) as folder:
        store = direct_store(folder / "f.bin", reserve=0)
        block = os.urandom(1024 * 1024 + 1)
        with pytest.raises(OSError, match="No space left") as caught:  # noqa: PT012
            for _ in range(12):  # 12 MiB into an 8 MiB file system
                store.append(block)
                store.flush()
        assert caught.value.errno == errno.ENOSPC
        with pytest.raises(OSError, match="No space left"):
            store.append(b"more")
        written = store.written
        assert written > 1024 * 1024
        store.release()
        store.settle()
        kept = part_path(folder / "f.bin").read_bytes()
        assert len(kept) >= written
        assert kept[:written] == (block * 12)[:written], "what was written reads back whole"
