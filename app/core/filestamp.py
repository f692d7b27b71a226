"""File stamps: what a collection file was when Courier last read or wrote it.

Both sides use this module: the loader stamps each file it reads, a save compares
the file on disk with the stamp before writing (``app.core.storage``) so an
edit made outside Courier (an editor, ``git pull``) is never silently
overwritten.  Like git's index, size and mtime decide quickly; when they differ
(a ``touch``, a checkout that rewrote identical bytes) the content hash does.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from app.core.model import FileStamp


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def stamp_of(stat: os.stat_result, data: bytes | None) -> FileStamp:
    """A stamp from a ``stat`` of the file and, when they were read, its bytes."""
    return FileStamp(stat.st_mtime_ns, stat.st_size, digest(data) if data is not None else None)


def stamp_file(path: Path, data: bytes | None = None) -> FileStamp:
    """Stamp ``path`` as it is now (following symlinks); ``data``: its bytes, if read.

    Raises ``OSError`` (``FileNotFoundError`` if it is gone).
    """
    return stamp_of(os.stat(path), data)


def read_with_stamp(path: Path) -> tuple[bytes, FileStamp] | None:
    """The bytes of ``path`` and their stamp (one open, so they agree); None if it is gone."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        return None
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
        data = b"".join(chunks)
        return data, stamp_of(os.fstat(fd), data)
    finally:
        os.close(fd)


def matches(stamp: FileStamp | None, current: FileStamp) -> bool:
    """Is the file Courier stamped still the same?  Unknown (None) never matches."""
    if stamp is None:
        return False
    if stamp.mtime_ns == current.mtime_ns and stamp.size == current.size:
        return True
    return stamp.sha256 is not None and stamp.sha256 == current.sha256
