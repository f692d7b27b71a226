"""BodyStore: where a response body lives while and after it arrives.

A body up to ``memory_budget`` stays in memory; a larger one rolls over to an
anonymous temporary file (unlinked at once, so nothing is left behind even
after a crash).  Readers on any thread read ranges by offset (``os.pread``:
no shared file position), while the engine appends on the event loop.

Bounds: ``cap`` stops a body that grows past it (``BodyCapReached``, the bytes
up to the cap are kept), and before the store writes to disk it checks that
the file system keeps ``reserve`` bytes free (``DiskFull``).  A write the file
system refuses (ENOSPC, EDQUOT, EFBIG...) surfaces as ``OSError``: the engine
turns both into a local error, never a network one.

The store is released when nothing references it any more (CPython frees the
temporary file with its last reference); ``release()`` frees it earlier.

``BodyStore.to_file(path)`` is the same store writing straight to a file the
user chose ("download to a file"): into ``NAME.part`` from the first byte, with
no cap, renamed to ``NAME`` by ``commit()`` once the body is complete.  A
download that fails keeps its ``.part`` file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
import threading
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: bytes kept in memory before the body moves to a temporary file
MEMORY_BUDGET = 1024 * 1024
#: free space the store leaves on the temporary file's file system
DISK_RESERVE = 256 * 1024 * 1024
#: the free-space check runs again after this much growth
RECHECK_EVERY = 64 * 1024 * 1024
COPY_BLOCK = 4 * 1024 * 1024

#: (bytes copied, bytes in all) -> False to stop copying
CopyProgress = Callable[[int, int], bool | None]


class BodyCapReached(Exception):
    """The body grew past the store's cap; the bytes up to the cap were kept."""

    def __init__(self, cap: int) -> None:
        super().__init__(f"the body passed its cap of {cap} bytes")
        self.cap = cap


class DiskFull(OSError):
    """Storing more would leave less than the reserve free on the disk."""

    def __init__(self, directory: str, free: int, needed: int) -> None:
        super().__init__(errno.ENOSPC, "not enough free disk space", directory)
        self.free = free
        self.needed = needed


class CopyStopped(Exception):
    """``copy_to`` was told to stop by its progress callback; nothing was written."""


def free_space(directory: str) -> int:
    stats = os.statvfs(directory)
    return stats.f_bavail * stats.f_frsize


class BodyStore:
    def __init__(
        self,
        *,
        memory_budget: int = MEMORY_BUDGET,
        cap: int | None = None,
        directory: str | Path | None = None,
        reserve: int = DISK_RESERVE,
    ) -> None:
        self.memory_budget = memory_budget
        self.cap = cap
        self.directory = str(directory) if directory is not None else None
        self.reserve = reserve
        self._lock = threading.Lock()
        self._memory: bytearray | None = bytearray()
        #: the temporary file's descriptor once the body is on disk (-1 before)
        self._fd = -1
        self._finalizer: weakref.finalize[Any, BodyStore] | None = None
        self._size = 0
        self._checked_at = 0
        self._released = False
        #: ``to_file`` stores: the file the body goes to (None: a temporary file)
        self.target: Path | None = None

    @classmethod
    def to_file(cls, target: Path, *, reserve: int = DISK_RESERVE) -> BodyStore:
        """A store that writes into ``target``'s ``.part`` file (see ``commit``)."""
        store = cls(memory_budget=0, directory=target.parent, reserve=reserve)
        store.target = target
        fd = os.open(part_path(target), os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
        store._fd = fd
        store._memory = None
        store._finalizer = weakref.finalize(store, _close, fd, None)
        return store

    def commit(self) -> Path:
        """A ``to_file`` store's body is complete: flush it to disk, give it its name.

        Blocking (fsync): call it from a worker thread.
        """
        if self.target is None:
            raise ValueError("only a store made by to_file has a file to commit")
        with self._lock:
            if self._released:
                raise ValueError("the body store was released before it was committed")
            os.fsync(self._fd)
        os.replace(part_path(self.target), self.target)
        return self.target

    def __repr__(self) -> str:
        where = "released" if self._released else ("disk" if self.on_disk else "memory")
        return f"BodyStore(size={self._size}, {where})"

    # ----------------------------------------------------------- state

    @property
    def size(self) -> int:
        return self._size

    @property
    def on_disk(self) -> bool:
        return self._fd >= 0

    @property
    def released(self) -> bool:
        return self._released

    # ---------------------------------------------------------- writing

    def ensure_room(self, expected: int) -> None:
        """Fail early (``DiskFull``) when a body of ``expected`` bytes cannot fit on disk."""
        if expected <= self.memory_budget:
            return
        directory = self._directory()
        free = free_space(directory)
        wanted = min(expected, self.cap) if self.cap is not None else expected
        if free - wanted < self.reserve:
            raise DiskFull(directory, free, wanted)

    def append(self, data: bytes | bytearray | memoryview) -> None:
        """Add ``data`` at the end; raises ``BodyCapReached``, ``DiskFull`` or ``OSError``."""
        if self._released:
            raise ValueError("write to a released body store")
        over = False
        if self.cap is not None and self._size + len(data) > self.cap:
            data = memoryview(data)[: max(self.cap - self._size, 0)]
            over = True
        if data:
            with self._lock:
                if self._memory is not None and len(self._memory) + len(data) > self.memory_budget:
                    self._roll_over(len(data))
                if self._memory is not None:
                    self._memory += data
                else:
                    self._write_to_file(data)
                self._size += len(data)
        if over:
            raise BodyCapReached(self.cap or 0)

    def _directory(self) -> str:
        return self.directory or tempfile.gettempdir()

    def _roll_over(self, incoming: int) -> None:
        directory = self._directory()
        self._check_space(directory, self._size + incoming)
        fd, name = tempfile.mkstemp(prefix="courier-body-", dir=directory)
        # anonymous at once where the OS allows it: nothing is left behind after a crash
        removal = name if os.name != "posix" else None
        if removal is None:
            os.unlink(name)
        try:
            assert self._memory is not None
            _write_all(fd, self._memory, 0)
        except BaseException:
            _close(fd, removal)
            raise
        self._fd = fd
        # the file goes with the store's last reference, silently (no ResourceWarning)
        self._finalizer = weakref.finalize(self, _close, fd, removal)
        self._memory = None
        self._checked_at = self._size

    def _write_to_file(self, data: bytes | bytearray | memoryview) -> None:
        if self._size + len(data) - self._checked_at >= RECHECK_EVERY:
            self._check_space(self._directory(), len(data))
            self._checked_at = self._size
        _write_all(self._fd, data, self._size)

    def _check_space(self, directory: str, needed: int) -> None:
        free = free_space(directory)
        if free - needed < self.reserve:
            raise DiskFull(directory, free, needed)

    # ---------------------------------------------------------- reading

    def read(self, offset: int = 0, size: int = -1) -> bytes:
        """Bytes from ``offset`` (``size`` -1: to the end); safe from any thread."""
        with self._lock:
            if self._released:
                raise ValueError("the response body is no longer available")
            end = self._size if size < 0 else min(self._size, offset + size)
            if offset >= end:
                return b""
            if self._memory is not None:
                with memoryview(self._memory) as view:  # one copy, not slice + bytes
                    return bytes(view[offset:end])
            return _read_all(self._fd, offset, end - offset)

    def head(self, limit: int) -> bytes:
        return self.read(0, limit)

    def copy_to(self, path: Path, progress: CopyProgress | None = None) -> None:
        """Write the whole body to ``path`` atomically (temp file, fsync, rename).

        Meant for a worker thread; ``progress`` is called after each block and
        may return False to stop (``CopyStopped``; ``path`` is untouched).
        """
        total = self._size
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        try:
            try:
                offset = 0
                while offset < total:
                    block = self.read(offset, min(COPY_BLOCK, total - offset))
                    if not block:
                        break
                    _write_all(fd, block, offset)
                    offset += len(block)
                    if progress is not None and progress(offset, total) is False:
                        raise CopyStopped()
                os.fsync(fd)
            finally:
                os.close(fd)
            os.chmod(tmp_name, 0o644)
            os.replace(tmp_name, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
            raise

    # -------------------------------------------------------- releasing

    def release(self) -> None:
        """Free memory and disk now (the store is also freed with its last reference)."""
        with self._lock:
            if self._released:
                return
            self._released = True
            self._memory = None
            if self._finalizer is not None:
                self._finalizer()  # closes the file (once)
            self._fd = -1


def part_path(target: Path) -> Path:
    """Where a download goes until it is complete."""
    return target.with_name(target.name + ".part")


def _close(fd: int, removal: str | None) -> None:
    os.close(fd)
    if removal is not None:
        with contextlib.suppress(OSError):
            os.unlink(removal)


def _write_all(fd: int, data: bytes | bytearray | memoryview, offset: int) -> None:
    view = memoryview(data)
    while view:
        written = os.pwrite(fd, view, offset)
        if written <= 0:  # pragma: no cover - pwrite raises instead
            raise OSError(errno.EIO, "short write")
        view = view[written:]
        offset += written


def _read_all(fd: int, offset: int, size: int) -> bytes:
    data = os.pread(fd, size, offset)
    if len(data) == size:
        return data
    parts = [data]
    got = len(data)
    while got < size:
        more = os.pread(fd, size - got, offset + got)
        if not more:
            break
        parts.append(more)
        got += len(more)
    return b"".join(parts)
