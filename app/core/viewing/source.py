"""ByteSource: what every view reads a body through.

A response body grows while it arrives; a view reads ranges by offset, asks
how much is there now, and whether more will come.  ``BodyStore`` (the
exchange's body) is adapted to it in the UI layer; ``MemorySource`` holds a
small body or a formatted result; ``FileSource`` reads a file another process
(or thread) is still writing, up to the size it was told.

A source may also offer ``read_into(offset, buffer)``: the bytes copied into a
buffer the reader reuses.  A search over 1 GB reads 1,000 blocks; as fresh
1 MiB ``bytes`` each one's pages are faulted in anew (glibc hands freed big
blocks back to the system), which measured slower than the scan itself.
``read_into`` (the function) uses it when there, ``read`` otherwise.
"""

from __future__ import annotations

import os
import threading
from typing import Protocol


class ByteSource(Protocol):
    def size(self) -> int:
        """Bytes readable now."""
        ...

    def read(self, offset: int, size: int) -> bytes:
        """Up to ``size`` bytes from ``offset`` (fewer at the end, b"" past it)."""
        ...

    def complete(self) -> bool:
        """No more bytes will come (the body arrived, failed or was stopped)."""
        ...


class ReadsInto(Protocol):
    def read_into(self, offset: int, buffer: memoryview) -> int:
        """Copy up to ``len(buffer)`` bytes from ``offset`` into ``buffer``; how many."""
        ...


def read_into(source: ByteSource, offset: int, buffer: memoryview) -> int:
    """``source.read_into`` if it has one, else ``read`` copied into ``buffer``."""
    method = getattr(source, "read_into", None)
    if method is not None:
        count: int = method(offset, buffer)
        return count
    data = source.read(offset, len(buffer))
    buffer[: len(data)] = data
    return len(data)


def shared_fd(source: ByteSource) -> int:
    """A descriptor another process can ``pread`` all of ``source.size()`` from, or -1."""
    method = getattr(source, "shared_fd", None)
    return -1 if method is None else int(method())


def pread_into(fd: int, offset: int, buffer: memoryview) -> int:
    """Fill ``buffer`` from ``fd`` at ``offset`` (fewer bytes at the end of the file)."""
    got = 0
    while got < len(buffer):
        n = os.preadv(fd, [buffer[got:]], offset + got)
        if n <= 0:
            break
        got += n
    return got


class MemorySource:
    """Bytes in memory (small bodies, formatted results, tests)."""

    def __init__(self, data: bytes = b"", *, complete: bool = True) -> None:
        self._data = bytearray(data)
        self._complete = complete

    def append(self, data: bytes) -> None:
        self._data += data

    def finish(self) -> None:
        self._complete = True

    def size(self) -> int:
        return len(self._data)

    def read(self, offset: int, size: int) -> bytes:
        return bytes(self._data[offset : offset + size])

    def read_into(self, offset: int, buffer: memoryview) -> int:
        end = min(len(self._data), offset + len(buffer))
        if offset >= end:
            return 0
        with memoryview(self._data) as view:
            buffer[: end - offset] = view[offset:end]
        return end - offset

    def complete(self) -> bool:
        return self._complete


class FileSource:
    """A file descriptor being written by someone else, readable up to ``grow_to``.

    The owner calls ``grow_to(n)`` as the writer reports progress and
    ``finish()`` at the end; ``close()`` closes the descriptor (the file is
    usually an unlinked temporary file, so closing frees it).
    """

    def __init__(self, fd: int, size: int = 0, *, complete: bool = False) -> None:
        self._fd = fd
        self._size = size
        self._complete = complete
        self._lock = threading.Lock()

    @property
    def fd(self) -> int:
        return self._fd

    def grow_to(self, size: int) -> None:
        self._size = max(self._size, size)

    def finish(self) -> None:
        self._complete = True

    def size(self) -> int:
        return self._size

    def read(self, offset: int, size: int) -> bytes:
        end = min(self._size, offset + size)
        if offset >= end or self._fd < 0:
            return b""
        parts: list[bytes] = []
        while offset < end:
            chunk = os.pread(self._fd, end - offset, offset)
            if not chunk:
                break
            parts.append(chunk)
            offset += len(chunk)
        return b"".join(parts)

    def read_into(self, offset: int, buffer: memoryview) -> int:
        end = min(self._size, offset + len(buffer))
        if offset >= end or self._fd < 0:
            return 0
        return pread_into(self._fd, offset, buffer[: end - offset])

    def shared_fd(self) -> int:
        return self._fd

    def complete(self) -> bool:
        return self._complete

    def close(self) -> None:
        with self._lock:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1
