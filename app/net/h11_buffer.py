"""h11's receive buffer without copying bulk body bytes on the window's thread.

h11 keeps received bytes in a ``bytearray``: a 2 MiB read from the socket
reader is copied into it, copied out again as a ``Data`` event (sliced twice),
and httpcore copies that ``bytearray`` into ``bytes`` once more.  Measured with
``perf`` on the 1 GiB download benchmark (nginx, 127.0.0.1, 2 cores): memmove
was half of the loop thread's samples (about 0.35 s of CPU per GiB), CPU that
nginx, the hasher and the writer were waiting for.

``BulkReceiveBuffer`` keeps a large ``bytes`` read that arrives on an empty
buffer as it is, with an offset: body bytes are handed out as slices of it, and
a ``Data`` event that takes the whole read is that very object (httpcore's
``bytes(...)`` of it is free).  Everything else (header lines, small reads,
bytes arriving while some are still buffered) goes through h11's own
``bytearray`` code, unchanged.  Installed by ``install()`` as the class h11's
``Connection`` creates (h11 < 1 keeps it in ``h11._connection.ReceiveBuffer``);
left alone if h11's internals no longer look as expected.
"""

from __future__ import annotations

import contextlib
from typing import Any

from h11 import _connection, _receivebuffer

#: reads at least this large skip the bytearray; smaller ones (API responses, header
#: blocks) take h11's path, whose cost does not matter at that size
KEEP_WHOLE_FROM = 64 * 1024

_METHODS = (
    "__iadd__",
    "__len__",
    "__bytes__",
    "_extract",
    "maybe_extract_at_most",
    "maybe_extract_next_line",
    "maybe_extract_lines",
    "is_next_line_obviously_invalid_request_line",
)


class BulkReceiveBuffer(_receivebuffer.ReceiveBuffer):
    """h11's ``ReceiveBuffer``; a large ``bytes`` read on an empty buffer is kept whole."""

    def __init__(self) -> None:
        super().__init__()
        self._whole: bytes | None = None  # when set, the buffer is _whole[_offset:]
        self._offset = 0

    def _as_bytearray(self) -> None:
        """Hand the kept read to h11's own ``bytearray`` code (what is left of it)."""
        whole, self._whole = self._whole, None
        if whole is not None:
            self._data = bytearray(memoryview(whole)[self._offset :])
            self._offset = 0

    def __iadd__(self, byteslike: bytes | bytearray) -> BulkReceiveBuffer:
        if (
            self._whole is None
            and not self._data
            and type(byteslike) is bytes
            and len(byteslike) >= KEEP_WHOLE_FROM
        ):
            self._whole, self._offset = byteslike, 0
            return self
        self._as_bytearray()
        super().__iadd__(byteslike)
        return self

    def __len__(self) -> int:
        if self._whole is not None:
            return len(self._whole) - self._offset
        return len(self._data)

    def __bytes__(self) -> bytes:
        if self._whole is not None:
            return self._whole[self._offset :]
        return bytes(self._data)

    def maybe_extract_at_most(self, count: int) -> Any:
        whole = self._whole
        if whole is None:
            return super().maybe_extract_at_most(count)
        start = self._offset
        out = whole[start : start + count]  # all of it: the very object, nothing copied
        self._offset = start + len(out)
        if self._offset >= len(whole):
            self._whole, self._offset = None, 0
        self._next_line_search = 0
        self._multiple_lines_search = 0
        return out or None

    def _extract(self, count: int) -> bytearray:
        self._as_bytearray()
        return super()._extract(count)

    def maybe_extract_next_line(self) -> bytearray | None:
        self._as_bytearray()
        return super().maybe_extract_next_line()

    def maybe_extract_lines(self) -> list[bytearray] | None:
        self._as_bytearray()
        return super().maybe_extract_lines()

    def is_next_line_obviously_invalid_request_line(self) -> bool:
        self._as_bytearray()
        return super().is_next_line_obviously_invalid_request_line()


def install() -> bool:
    """Make h11's connections use ``BulkReceiveBuffer``; False if h11 changed shape."""
    original = getattr(_connection, "ReceiveBuffer", None)
    if original is not _receivebuffer.ReceiveBuffer:
        return original is BulkReceiveBuffer
    if not all(hasattr(original, name) for name in _METHODS):
        return False
    with contextlib.suppress(Exception):
        probe = original()
        if not isinstance(getattr(probe, "_data", None), bytearray):
            return False
        setattr(_connection, "ReceiveBuffer", BulkReceiveBuffer)  # noqa: B010
        return True
    return False
