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

A ``FileSource`` made ``mappable`` (a file only ever appended to, which nobody
else can open: a format worker's unlinked output) also offers ``mapping``: its
bytes mapped read-only, so a search scans the page cache in place.  Copying
1.5 GB out of the page cache cost this machine kind 0.5-0.6 s of the 1.0 s a
find took; mapped, the same find took 0.45 s.  A file that may shrink (a
download's file is truncated when it resumes) is never mapped: touching a page
past its end would kill the process (SIGBUS).
"""

from __future__ import annotations

import contextlib
import mmap
import os
import queue
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


READ_AHEAD = 16 * 1024 * 1024
#: reads from this size on are a reader going through the body (not a screen's lines)
BLOCK_READ = 512 * 1024
#: advice is given in steps of at least this much (each call costs a syscall)
ADVICE_STEP = 2 * 1024 * 1024


class ReadAhead:
    """Asks the kernel to read the next ``READ_AHEAD`` bytes of a file while a reader
    goes through it in blocks (``posix_fadvise`` WILLNEED).

    A spooled body is written with O_DIRECT, so it is not in the page cache, and
    this machine kind pages out file pages left alone for about a minute: without
    the advice a reader waits for the disk at each block (measured over 512 MB not
    in the cache: 0.3-0.7 GB/s read in 1 MiB blocks, 1.0-1.2 GB/s with the advice;
    2 MiB blocks 10 ms apart, the line index's pace: 1.2 s blocked in reads per
    256 MB, 0.2 s with it).  The advice itself took up to 12 ms (measured), so a
    daemon thread gives it: the reader (the GUI thread's line index) only queues it.
    """

    def __init__(self) -> None:
        self._advised = 0  # the kernel was asked to read the file up to here

    def after(self, fd: int, end: int, limit: int) -> None:
        """A block ending at ``end`` was read; the file is readable up to ``limit``."""
        start = max(self._advised, end)
        stop = min(limit, end + READ_AHEAD)
        if fd < 0 or stop - start < ADVICE_STEP or not hasattr(os, "posix_fadvise"):
            return
        _advice_queue().put((fd, start, stop - start))
        self._advised = stop


_advice: queue.SimpleQueue[tuple[int, int, int]] | None = None
_advice_lock = threading.Lock()


def _advice_queue() -> queue.SimpleQueue[tuple[int, int, int]]:
    global _advice
    with _advice_lock:
        if _advice is None:
            _advice = queue.SimpleQueue()
            threading.Thread(
                target=_give_advice, args=(_advice,), name="courier-read-ahead", daemon=True
            ).start()
        return _advice


def _give_advice(advice: queue.SimpleQueue[tuple[int, int, int]]) -> None:
    while True:
        fd, offset, length = advice.get()
        # a descriptor closed meanwhile fails (or, reused, reads another file ahead)
        with contextlib.suppress(OSError):
            os.posix_fadvise(fd, offset, length, os.POSIX_FADV_WILLNEED)


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

    def __init__(
        self, fd: int, size: int = 0, *, complete: bool = False, mappable: bool = False
    ) -> None:
        """``mappable``: the file only grows and no one else can truncate it."""
        self._fd = fd
        self._size = size
        self._complete = complete
        self.mappable = mappable
        #: the same text with ASCII letters lowered, byte for byte (a format worker's
        #: JSON output has one: a find ignoring case scans it with a plain ``find``)
        self.lowered: FileSource | None = None
        self._lock = threading.Lock()
        self._ahead = ReadAhead()

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
        if end - offset >= BLOCK_READ:
            self._ahead.after(self._fd, end, self._size)
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
        if end - offset >= BLOCK_READ:
            self._ahead.after(self._fd, end, self._size)
        return pread_into(self._fd, offset, buffer[: end - offset])

    def shared_fd(self) -> int:
        return self._fd

    def mapping(self, offset: int, length: int) -> tuple[mmap.mmap, int] | None:
        """``[offset, offset + length)`` (within ``size()``) mapped read-only, and where
        ``offset`` is in the map (its start is rounded down to a page boundary); None
        when the file is not ``mappable`` or is closed.  Drop the map when done (or
        ``close`` it)."""
        if not self.mappable or self._fd < 0 or length <= 0:
            return None
        start = offset - offset % mmap.ALLOCATIONGRANULARITY
        end = min(self._size, offset + length)
        if end <= offset:
            return None
        try:
            mapped = mmap.mmap(self._fd, end - start, prot=mmap.PROT_READ, offset=start)
        except (OSError, ValueError):
            return None
        # pages written a minute ago may have left the page cache (this machine kind):
        # the kernel reads this window and the next ahead while the scan faults them in
        self._ahead.after(self._fd, offset, self._size)
        return mapped, offset - start

    def complete(self) -> bool:
        return self._complete

    def close(self) -> None:
        with self._lock:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1
