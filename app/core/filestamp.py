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

from app.core.bounded_read import read_capped
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
    """The bytes of ``path`` and their stamp (one open, so they agree); None if it is gone.

    Read as the loader reads (``read_capped``): a file replaced by a FIFO or a
    device never blocks or floods a save; it raises ``FileRefused``.
    """
    try:
        data, stat = read_capped(path)
    except FileNotFoundError:
        return None
    return data, stamp_of(stat, data)


def matches(stamp: FileStamp | None, current: FileStamp) -> bool:
    """Is the file Courier stamped still the same?  Unknown (None) never matches."""
    if stamp is None:
        return False
    if stamp.mtime_ns == current.mtime_ns and stamp.size == current.size:
        return True
    return stamp.sha256 is not None and stamp.sha256 == current.sha256
