"""ResponseSpool: where a response body lives while and after it arrives.

Bodies up to ``memory_limit`` stay in memory; a larger body rolls over to an
anonymous temporary file, so a 10 GB download costs disk, not RAM.  Readers
(the viewer, "Save body…") read ranges from it; nothing holds the body twice.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import tempfile
from pathlib import Path
from types import TracebackType
from typing import IO

DEFAULT_MEMORY_LIMIT = 2 * 1024 * 1024
COPY_BLOCK = 1024 * 1024


class ResponseSpool:
    def __init__(self, memory_limit: int = DEFAULT_MEMORY_LIMIT) -> None:
        self._memory_limit = memory_limit
        self._memory: bytearray | None = bytearray()
        self._file: IO[bytes] | None = None
        self._size = 0
        self._closed = False

    @property
    def size(self) -> int:
        return self._size

    @property
    def is_on_disk(self) -> bool:
        return self._file is not None

    @property
    def closed(self) -> bool:
        return self._closed

    def write(self, data: bytes) -> None:
        if self._closed:
            raise ValueError("write to a closed spool")
        if self._memory is not None:
            if len(self._memory) + len(data) <= self._memory_limit:
                self._memory += data
                self._size += len(data)
                return
            self._roll_over()
        assert self._file is not None
        self._file.seek(0, io.SEEK_END)
        self._file.write(data)
        self._size += len(data)

    def _roll_over(self) -> None:
        handle = tempfile.TemporaryFile(prefix="courier-body-")  # noqa: SIM115 - owned by the spool
        assert self._memory is not None
        handle.write(self._memory)
        self._memory = None
        self._file = handle

    def read(self, offset: int = 0, size: int = -1) -> bytes:
        """Bytes from ``offset``; ``size`` -1 reads to the end."""
        if self._closed:
            raise ValueError("read from a closed spool")
        end = self._size if size < 0 else min(self._size, offset + size)
        if offset >= end:
            return b""
        if self._memory is not None:
            with memoryview(self._memory) as view:  # one copy, not slice + bytes
                return bytes(view[offset:end])
        assert self._file is not None
        self._file.flush()
        self._file.seek(offset)
        return self._file.read(end - offset)

    def head(self, limit: int) -> bytes:
        return self.read(0, limit)

    def save_to(self, path: Path) -> None:
        """Copy the whole body to ``path`` atomically (temp file, fsync, rename)."""
        if self._closed:
            raise ValueError("the response body is no longer available")
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                if self._memory is not None:
                    out.write(self._memory)
                else:
                    assert self._file is not None
                    self._file.flush()
                    self._file.seek(0)
                    shutil.copyfileobj(self._file, out, COPY_BLOCK)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp_name, 0o644)
            os.replace(tmp_name, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
            raise

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._memory = None
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> ResponseSpool:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
