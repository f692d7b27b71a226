"""An exchange's bodies as ``ByteSource`` s: what the views read.

The decoded body (``ExchangeBody``) and, when a Content-Encoding was undone,
the bytes as they came over the wire (``wire=True``).  A released store reads
as empty; the source is complete once the exchange finished (done, failed or
stopped: what arrived is all there will be).

Block reads (the line index on the GUI thread, a search) ask the kernel to read
the next ``READ_AHEAD`` bytes in the background (``posix_fadvise`` WILLNEED):
a spooled body is written with O_DIRECT, so it is not in the page cache, and
without the advice each 2 MiB index step waited for the disk on the GUI thread
(measured: 1.2 s of blocking reads per 256 MB, 0.2 s with it).
"""

from __future__ import annotations

import os

from app.core.viewing.source import pread_into
from app.net.body_store import BodyStore
from app.net.exchange import Exchange

READ_AHEAD = 16 * 1024 * 1024
#: reads from this size on are a reader going through the body (not a screen's lines)
BLOCK_READ = 512 * 1024
#: advice is given in steps of at least this much (each call costs a syscall)
ADVICE_STEP = 2 * 1024 * 1024


class ExchangeBody:
    def __init__(self, exchange: Exchange, *, wire: bool = False) -> None:
        self.exchange = exchange
        self.wire = wire
        self._advised = 0  # the kernel was asked to read the file up to here

    def _store(self) -> BodyStore | None:
        if self.wire:
            return getattr(self.exchange, "wire_body", None)
        return self.exchange.body

    def exists(self) -> bool:
        """There is such a body (the wire bytes exist only for a decoded body)."""
        return self._store() is not None

    def size(self) -> int:
        store = self._store()
        if store is None or store.released:
            return 0
        return store.size

    def read(self, offset: int, size: int) -> bytes:
        store = self._store()
        if store is None:
            return b""
        if size >= BLOCK_READ:
            self._read_ahead(store, offset + size)
        try:
            return store.read(offset, size)
        except ValueError:  # released meanwhile
            return b""

    def _read_ahead(self, store: BodyStore, end: int) -> None:
        """Ask the kernel to read what follows ``end`` (written to the file) meanwhile."""
        fd = store.file_descriptor()
        if fd < 0 or store.released or not hasattr(os, "posix_fadvise"):  # Linux, BSD
            return
        start = max(self._advised, end)
        stop = min(store.written, end + READ_AHEAD)
        if stop - start < ADVICE_STEP:
            return
        try:
            os.posix_fadvise(fd, start, stop - start, os.POSIX_FADV_WILLNEED)
        except OSError:  # closed meanwhile: nothing to read ahead
            return
        self._advised = stop

    def read_into(self, offset: int, buffer: memoryview) -> int:
        """From the body's file when the range is written there (no fresh ``bytes`` per
        block: what a search over 1 GB needs), else through ``read``."""
        store = self._store()
        if store is None or store.released:
            return 0
        fd = store.file_descriptor()
        end = min(store.size, offset + len(buffer))
        if offset >= end:
            return 0
        if fd >= 0 and end <= store.written:
            if end - offset >= BLOCK_READ:
                self._read_ahead(store, end)
            try:
                got = pread_into(fd, offset, buffer[: end - offset])
            except OSError:
                return 0
            # released while reading: the descriptor may now be another file's
            return 0 if store.released else got
        data = self.read(offset, end - offset)
        buffer[: len(data)] = data
        return len(data)

    def shared_fd(self) -> int:
        """The body's file once all of it is written there (for a helper process), or -1."""
        store = self._store()
        if store is None or store.released or store.written < store.size:
            return -1
        return store.file_descriptor()

    def complete(self) -> bool:
        return self.exchange.finished

    def file_descriptor(self) -> int:
        """The spooled body's file (-1 in memory) and how much of it is written."""
        store = self._store()
        return -1 if store is None or store.released else store.file_descriptor()

    def written(self) -> int:
        store = self._store()
        return 0 if store is None or store.released else store.written
