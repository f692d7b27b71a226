"""An exchange's bodies as ``ByteSource`` s: what the views read.

The decoded body (``ExchangeBody``) and, when a Content-Encoding was undone,
the bytes as they came over the wire (``wire=True``).  A released store reads
as empty; the source is complete once the exchange finished (done, failed or
stopped: what arrived is all there will be).

Block reads (the line index on the GUI thread, a search) have the kernel read
ahead (``ReadAhead``): the spooled body is written with O_DIRECT, so without it
each 2 MiB index step waited for the disk on the GUI thread.
"""

from __future__ import annotations

from app.core.viewing.source import BLOCK_READ, ReadAhead, pread_into
from app.net.body_store import BodyStore
from app.net.exchange import Exchange


class ExchangeBody:
    def __init__(self, exchange: Exchange, *, wire: bool = False) -> None:
        self.exchange = exchange
        self.wire = wire
        self._ahead = ReadAhead()

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
        if not store.released:
            self._ahead.after(store.file_descriptor(), end, store.written)

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
