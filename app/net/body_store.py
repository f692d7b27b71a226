"""BodyStore: where a response body lives while and after it arrives.

A body up to ``memory_budget`` stays in memory; a larger one rolls over to an
anonymous temporary file (unlinked at once, so nothing is left behind even
after a crash).  Readers on any thread read ranges by offset (``os.pread``:
no shared file position), while the engine appends on the event loop.

Appending never touches the disk on the caller's thread: blocks for the file
go to one background writer thread (``_DiskWriter``), which also closes files
(closing a gigabyte temporary file frees its blocks, which takes a while).
Until written, a block stays in memory and reads are served from it; the
``backlog`` of unwritten bytes is bounded by the engine (``wait_below``), and
``flush`` waits for it to be written.  So a disk that stalls (the kernel
throttling dirty pages, a slow USB stick) never stalls the event loop.

Bounds: ``cap`` stops a body that grows past it (``BodyCapReached``, the bytes
up to the cap are kept), and before the store writes to disk it checks that
the file system keeps ``reserve`` bytes free (``DiskFull``).  A write the file
system refuses (ENOSPC, EDQUOT, EFBIG...) surfaces as ``OSError`` from the
next ``append``, ``wait_below`` or ``flush``: the engine turns both into a
local error, never a network one.

The store is released when nothing references it any more (its file is closed
by the writer thread); ``release()`` frees it earlier.

``BodyStore.to_file(path)`` is the same store writing straight to a file the
user chose ("download to a file"): into ``NAME.part`` from the first byte, with
no cap, renamed to ``NAME`` by ``commit()`` once the body is complete.  A
download that fails keeps its ``.part`` file.  ``resume_from`` continues a
``.part`` file at that offset; a ``hasher`` (e.g. ``hashlib.sha256()``) is fed
on the writer thread, the resumed part first, then every block as it is
written, so hashing overlaps the network and never runs on the event loop.
"""

from __future__ import annotations

import collections
import contextlib
import errno
import functools
import mmap
import os
import queue
import sys
import tempfile
import threading
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

#: bytes kept in memory before the body moves to a temporary file
MEMORY_BUDGET = 1024 * 1024
#: free space the store leaves on the temporary file's file system
DISK_RESERVE = 256 * 1024 * 1024
#: the free-space check runs again after this much growth
RECHECK_EVERY = 64 * 1024 * 1024
COPY_BLOCK = 4 * 1024 * 1024
#: unwritten bytes a writer of the store lets pile up before it waits (see ``wait_below``);
#: peak RSS follows it (1 GiB download, direct writes: 8 MiB +43 MB, 16 MiB +55 MB,
#: 32 MiB +83 MB over a warmed-up process; the speed did not change measurably
#: between 16 and 32 MiB once the disk writes went direct, pairs 1.04 and 1.00 vs curl)
BACKLOG_LIMIT = 16 * 1024 * 1024
#: the writer thread writes what is pending in one system call, up to this much: one
#: hand-over of the GIL per batch, not per block, keeps the event loop's thread running
WRITE_BATCH = 16 * 1024 * 1024
_IOV_MAX = 512
#: a download's file (``to_file``) is written with ``O_DIRECT`` where the file system
#: takes it: on this VM's ext4 the same 1 GiB of buffered ``pwritev`` cost 0.3-3.3 s of
#: system time depending on the page cache's dirty-page throttling (and Courier,
#: writing from a thread beside its network reads, lost more to it than curl), while
#: ``O_DIRECT`` wrote a steady 934-949 MB/s.  Only block-aligned ranges go direct;
#: an unaligned head (a resume from an odd offset) and tail go through the normal
#: descriptor.  Refused (``EINVAL``, ...): the normal path, as before.
DIRECT_WRITES = hasattr(os, "O_DIRECT")
#: a response body that spills to its temp file is written the same way: buffered,
#: the 2 GiB a gzip bomb inflates to in 8 s fed the kernel's writeback, and the GUI
#: thread waited for a CPU (worst GUI-timer gap per run, 2 x 3 runs alternating on this
#: machine: buffered 147/68/123 and 238/73/78 ms, direct 17/32/15 and 96/24/18 ms)
SPILL_DIRECT = DIRECT_WRITES
#: offsets and lengths of direct writes are multiples of this (the logical block size
#: of most disks is 512 or 4096; 4096 suits both)
DIRECT_ALIGN = 4096
#: one page-aligned buffer (an anonymous mmap) the writer thread copies blocks into for
#: direct writes; each direct write is at most this long (it stays mapped: RSS).  Direct
#: 1 GiB writes here ran 1.1-1.7 GB/s with 2, 4, 8 or 16 MiB alike
DIRECT_BUFFER = 4 * 1024 * 1024

#: (bytes copied, bytes in all) -> False to stop copying
CopyProgress = Callable[[int, int], bool | None]


class Hasher(Protocol):
    """What ``hashlib`` objects offer (fed on the writer thread)."""

    def update(self, data: bytes, /) -> None: ...

    def hexdigest(self) -> str: ...


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


def part_path(target: Path) -> Path:
    """Where a download goes until it is complete."""
    return target.with_name(target.name + ".part")


class _DiskWriter:
    """One daemon thread that writes stores' blocks and closes their files, in order."""

    def __init__(self, name: str = "courier-body-writer") -> None:
        self._name = name
        self._jobs: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def submit(self, job: Callable[[], None]) -> None:
        if self._thread is None:
            with self._start_lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                    self._thread.start()
        self._jobs.put(job)

    def _run(self) -> None:
        yield_to_the_window()
        while True:
            job = self._jobs.get()
            with contextlib.suppress(Exception):  # a job reports its own failures
                job()
            del job  # a finished job must not keep its store alive until the next one


_WRITER = _DiskWriter()
#: hashes what ``_WRITER`` wrote, in order: on the 1 GiB benchmark the writer thread was
#: the busiest (1.8-3.9 s of write system time per GiB, plus 0.7 s of SHA-256 in the
#: same thread); hashing beside it takes those 0.7 s off the slowest stage
_HASHER = _DiskWriter("courier-body-hasher")

#: how much nicer than the window's thread the body's worker threads are
BACKGROUND_NICENESS = 5


def yield_to_the_window() -> None:
    """Make the calling (worker) thread yield the CPU to the window's thread.

    Writing and inflating bodies can keep both cores of a small machine busy;
    the thread that paints the window must not wait for a CPU behind them.
    Linux applies ``setpriority`` to one thread; elsewhere this does nothing.
    """
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        thread = threading.get_native_id()
        current = os.getpriority(os.PRIO_PROCESS, thread)
        if current < BACKGROUND_NICENESS:
            os.setpriority(os.PRIO_PROCESS, thread, BACKGROUND_NICENESS)


def _close(fd: int, removal: str | None, direct_fd: int = -1) -> None:
    if direct_fd >= 0:
        with contextlib.suppress(OSError):
            os.close(direct_fd)
    os.close(fd)
    if removal is not None:
        with contextlib.suppress(OSError):
            os.unlink(removal)


def _close_in_background(fd: int, removal: str | None, direct_fd: int = -1) -> None:
    """Close a body file on the writer thread, after every block queued for it."""
    _WRITER.submit(lambda: _close(fd, removal, direct_fd))


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
        self._changed = threading.Condition(self._lock)
        self._memory: bytearray | None = bytearray()
        #: the file's descriptor once the body is on disk (-1 before)
        self._fd = -1
        #: the same file opened with ``O_DIRECT`` (``to_file`` stores; -1: none)
        self._direct_fd = -1
        self._finalizer: weakref.finalize[Any, BodyStore] | None = None
        self._size = 0
        #: bytes in the file; blocks past it wait in ``_pending`` for the writer
        self._written = 0
        #: bytes the hasher has seen (blocks written but not hashed yet stay in memory)
        self._hashed = 0
        self._pending: collections.deque[bytes] = collections.deque()
        #: a write the writer thread could not do: raised to the next caller
        self._error: OSError | None = None
        #: a writer job is queued or running for this store
        self._draining = False
        self._checked_at = 0
        self._released = False
        #: ``to_file`` stores: the file the body goes to (None: a temporary file)
        self.target: Path | None = None
        #: fed every byte of the file, in order, on the writer thread
        self.hasher: Hasher | None = None

    @classmethod
    def to_file(
        cls,
        target: Path,
        *,
        reserve: int = DISK_RESERVE,
        resume_from: int = 0,
        hasher: Hasher | None = None,
    ) -> BodyStore:
        """A store that writes into ``target``'s ``.part`` file (see ``commit``).

        ``resume_from``: keep the part's first bytes (it is cut to that length)
        and append after them; ``hasher`` sees the kept bytes first.
        """
        store = cls(memory_budget=0, directory=target.parent, reserve=reserve)
        store.target = target
        store.hasher = hasher
        flags = os.O_RDWR | os.O_CREAT | (0 if resume_from else os.O_TRUNC)
        fd = os.open(part_path(target), flags, 0o644)
        try:
            if resume_from:
                os.ftruncate(fd, resume_from)
        except OSError:
            os.close(fd)
            raise
        store._adopt_file(fd, None, _open_direct(part_path(target)))
        store._size = store._written = store._hashed = store._checked_at = resume_from
        if resume_from and hasher is not None:
            store._draining = True  # the writer hashes the kept part before any new block
            _WRITER.submit(functools.partial(store._hash_kept_part, resume_from))
        return store

    def _hash_kept_part(self, size: int) -> None:
        """On the writer thread: feed the resumed part's bytes to the hasher."""
        assert self.hasher is not None
        try:
            offset = 0
            while offset < size and not self._released:
                block = os.pread(self._fd, min(COPY_BLOCK, size - offset), offset)
                if not block:
                    raise OSError(errno.EIO, "the partial download is shorter than recorded")
                self.hasher.update(block)
                offset += len(block)
        except OSError as exc:
            with self._changed:
                self._error = exc
                self._changed.notify_all()
        with self._changed:
            self._draining = False
            if self._pending:
                self._schedule_drain()

    def after_writes(self, job: Callable[[], None]) -> None:
        """Run ``job`` on the writer thread once every block appended so far is written
        (e.g. a download's resume record, which must never claim unwritten bytes)."""
        _WRITER.submit(job)

    def commit(self, final: Path | None = None) -> Path:
        """A ``to_file`` store's body is complete: written, flushed to disk, renamed
        (to ``final`` when given: a download whose name was taken meanwhile).

        Blocking (waits for the writer, fsync): call it from a worker thread.
        """
        if self.target is None:
            raise ValueError("only a store made by to_file has a file to commit")
        self.flush()
        with self._lock:
            if self._released:
                raise ValueError("the body store was released before it was committed")
            os.fsync(self._fd)
        final = final if final is not None else self.target
        os.replace(part_path(self.target), final)
        return final

    def settle(self) -> None:
        """Block until every block and every ``after_writes`` job so far is done
        (a write error is left for the next ``flush`` to raise)."""
        with contextlib.suppress(OSError):
            self.flush()
        done = threading.Event()
        _WRITER.submit(done.set)  # the writer runs its jobs in order
        done.wait()

    def hexdigest(self) -> str:
        """The hasher's digest of every byte in the file (blocking: waits for the writer)."""
        if self.hasher is None:
            raise ValueError("this body store has no hasher")
        self.flush()
        done = threading.Event()
        _WRITER.submit(done.set)  # after the kept part's hashing and every block
        done.wait()
        hashed = threading.Event()
        _HASHER.submit(hashed.set)  # after every block's hash
        hashed.wait()
        self._raise_error()
        return self.hasher.hexdigest()

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

    def file_descriptor(self) -> int:
        """The body's file (-1 while it is in memory), for a reader in another process:
        read it with ``pread`` up to ``written``, never past it."""
        return self._fd

    @property
    def written(self) -> int:
        """Bytes that are in the file (the rest of ``size`` waits for the writer)."""
        return self._written if self._fd >= 0 else self._size

    @property
    def backlog(self) -> int:
        """Bytes appended but not written to the file (or not hashed) yet."""
        return self._size - self._done() if self._fd >= 0 else 0

    def _done(self) -> int:
        """Bytes written and, with a hasher, hashed: what no longer waits in memory."""
        return min(self._written, self._hashed) if self.hasher is not None else self._written

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
        """Add ``data`` at the end without waiting for the disk.

        Raises ``BodyCapReached``, ``DiskFull``, or the ``OSError`` of an
        earlier write that failed.
        """
        if self._released:
            raise ValueError("write to a released body store")
        over = False
        if self.cap is not None and self._size + len(data) > self.cap:
            data = memoryview(data)[: max(self.cap - self._size, 0)]
            over = True
        if data:
            with self._lock:
                self._raise_error()
                if self._memory is not None and len(self._memory) + len(data) > self.memory_budget:
                    self._roll_over(len(data))
                if self._memory is not None:
                    self._memory += data
                else:
                    self._queue_block(bytes(data))
                self._size += len(data)
        if over:
            raise BodyCapReached(self.cap or 0)

    def wait_below(self, limit: int = BACKLOG_LIMIT // 2) -> None:
        """Block until the unwritten backlog is at most ``limit`` (a worker thread's call)."""
        with self._changed:
            while self._size - self._done() > limit and self._error is None:
                if self._released:
                    return
                self._changed.wait()
            self._raise_error()

    def flush(self) -> None:
        """Block until every appended byte is in the file (a worker thread's call)."""
        self.wait_below(0)

    def _raise_error(self) -> None:
        if self._error is not None:
            raise self._error

    def _directory(self) -> str:
        return self.directory or tempfile.gettempdir()

    def _roll_over(self, incoming: int) -> None:
        directory = self._directory()
        self._check_space(directory, self._size + incoming)
        fd, name = tempfile.mkstemp(prefix="courier-body-", dir=directory)
        direct = _open_direct(Path(name)) if SPILL_DIRECT else -1
        # anonymous at once where the OS allows it: nothing is left behind after a crash
        removal = name if os.name != "posix" else None
        if removal is None:
            os.unlink(name)
        assert self._memory is not None
        memory, self._memory = bytes(self._memory), None
        self._adopt_file(fd, removal, direct)
        if memory:
            self._pending.append(memory)
            self._schedule_drain()
        self._checked_at = self._size

    def _adopt_file(self, fd: int, removal: str | None, direct_fd: int = -1) -> None:
        self._fd = fd
        self._direct_fd = direct_fd
        self._memory = None
        # the file goes with the store's last reference, closed by the writer thread
        self._finalizer = weakref.finalize(self, _close_in_background, fd, removal, direct_fd)

    def _queue_block(self, data: bytes) -> None:
        if self._size + len(data) - self._checked_at >= RECHECK_EVERY:
            self._check_space(self._directory(), len(data))
            self._checked_at = self._size
        self._pending.append(data)
        self._schedule_drain()

    def _schedule_drain(self) -> None:
        """Make sure a writer job will write what is pending (one job at a time)."""
        if not self._draining:
            self._draining = True
            _WRITER.submit(self._drain)

    def _drain(self) -> None:
        """On the writer thread: write one batch of pending blocks, then queue again if
        more are pending (so several stores' writes and closes take turns)."""
        fd = self._fd
        with self._changed:
            if self._error is not None or self._released or not self._pending:
                self._draining = False
                return
            batch: list[bytes] = []
            size = 0
            for block in self._pending:
                if batch and (size + len(block) > WRITE_BATCH or len(batch) >= _IOV_MAX):
                    break
                batch.append(block)
                size += len(block)
            offset = self._written
        try:  # outside the lock: readers and the event loop go on meanwhile
            if self._direct_fd >= 0:
                if not _write_blocks_direct(fd, self._direct_fd, batch, offset, size):
                    self._direct_fd = -1  # refused: the normal path from now on (closed later)
            else:
                _write_blocks(fd, batch, offset)
            if self.hasher is not None:  # in order, beside the next write
                _HASHER.submit(functools.partial(self._hash_blocks, batch, size))
        except OSError as exc:
            with self._changed:
                self._error = exc  # the rest stays in memory, unwritten
                self._draining = False
                self._changed.notify_all()
            return
        with self._changed:
            for _ in batch:
                self._pending.popleft()  # written in the order queued
            self._written = offset + size
            self._changed.notify_all()
            if self._pending and not self._released:
                _WRITER.submit(self._drain)
            else:
                self._draining = False

    def _hash_blocks(self, blocks: list[bytes], size: int) -> None:
        """On the hasher thread: feed written blocks to the hasher, in order."""
        hasher = self.hasher
        if hasher is not None and not self._released:
            for block in blocks:  # hashlib lets go of the GIL for large blocks
                hasher.update(block)
        with self._changed:
            self._hashed += size
            self._changed.notify_all()

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
            parts: list[bytes] = []
            if offset < self._written:
                parts.append(_read_all(self._fd, offset, min(end, self._written) - offset))
            if end > self._written:  # not written yet: from the blocks waiting for the writer
                position = self._written
                for block in self._pending:
                    block_end = position + len(block)
                    if block_end > offset and position < end:
                        parts.append(block[max(offset - position, 0) : end - position])
                    position = block_end
                    if position >= end:
                        break
            return b"".join(parts)

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
        with self._changed:
            if self._released:
                return
            self._released = True
            self._memory = None
            self._changed.notify_all()
        if self._finalizer is not None:
            self._finalizer()  # closes the file on the writer thread, after its blocks
        self._fd = -1


def _write_blocks(fd: int, blocks: list[bytes], offset: int) -> None:
    """Write ``blocks`` one after another from ``offset``, in as few calls as it takes."""
    if len(blocks) == 1 or not hasattr(os, "pwritev"):
        for block in blocks:
            _write_all(fd, block, offset)
            offset += len(block)
        return
    written = os.pwritev(fd, blocks, offset)
    total = sum(len(b) for b in blocks)
    if written < total:  # a short write: finish the rest block by block
        done = 0
        for block in blocks:
            end = done + len(block)
            if end > written:
                _write_all(
                    fd, memoryview(block)[max(written - done, 0) :], offset + max(written, done)
                )
            done = end


def _open_direct(path: Path) -> int:
    """``path`` opened for writing with ``O_DIRECT``, or -1 where that is refused."""
    if not DIRECT_WRITES:
        return -1
    try:
        return os.open(path, os.O_WRONLY | os.O_DIRECT)
    except OSError:  # EINVAL: a file system without direct I/O
        return -1


#: the writer thread's page-aligned buffer for direct writes (made on first use)
_direct_buffer: mmap.mmap | None = None


class _Blocks:
    """Reads a list of blocks as one stream (for copying into the aligned buffer)."""

    def __init__(self, blocks: list[bytes]) -> None:
        self._blocks = blocks
        self._index = 0
        self._offset = 0

    def read_into(self, target: memoryview) -> None:
        filled = 0
        while filled < len(target):
            block = self._blocks[self._index]
            n = min(len(block) - self._offset, len(target) - filled)
            target[filled : filled + n] = memoryview(block)[self._offset : self._offset + n]
            filled += n
            self._offset += n
            if self._offset == len(block):
                self._index += 1
                self._offset = 0

    def read(self, size: int) -> bytes:
        out = bytearray(size)
        self.read_into(memoryview(out))
        return bytes(out)


def _write_blocks_direct(
    fd: int, direct_fd: int, blocks: list[bytes], offset: int, size: int
) -> bool:
    """Write ``blocks`` from ``offset``: aligned whole blocks with ``O_DIRECT`` (through
    the writer thread's aligned buffer), an unaligned head or tail through ``fd``.

    Returns False when the file system refused a direct write (``EINVAL``): the bytes
    were then written through ``fd``, and the caller stops writing direct.
    """
    global _direct_buffer
    if _direct_buffer is None:
        _direct_buffer = mmap.mmap(-1, DIRECT_BUFFER, flags=mmap.MAP_PRIVATE)  # page-aligned
    buffer = memoryview(_direct_buffer)
    source = _Blocks(blocks)
    position, end = offset, offset + size
    direct = True
    while position < end:
        misaligned = position % DIRECT_ALIGN
        if not direct or misaligned or end - position < DIRECT_ALIGN:
            n = end - position if not direct else min(DIRECT_ALIGN - misaligned, end - position)
            _write_all(fd, source.read(n), position)
            position += n
            continue
        n = min(len(buffer), (end - position) // DIRECT_ALIGN * DIRECT_ALIGN)
        piece = buffer[:n]
        source.read_into(piece)
        written = 0
        while written < n:
            try:
                done = os.pwrite(direct_fd, piece[written:], position + written)
            except OSError as exc:
                if exc.errno != errno.EINVAL:
                    raise
                direct = False
                break
            written += done
            if done <= 0 or written % DIRECT_ALIGN:
                break  # a short, unaligned write: the rest through the normal descriptor
        if written < n:
            _write_all(fd, piece[written:], position + written)
        position += n
    return direct


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
