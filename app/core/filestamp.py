"""File stamps: what a collection file was when Courier read or wrote it.

Kept on the model (``disk``) so a save can tell a file changed outside Courier
from one it wrote itself, and refuse to overwrite the former.
"""

from __future__ import annotations

import hashlib
import os

from app.core.model import FileStamp

__all__ = ["stamp_of"]


def stamp_of(stat: os.stat_result, data: bytes | None) -> FileStamp:
    """The stamp of a file from its ``stat`` (of the open fd) and the bytes read.

    ``data`` is None when the content was not read (a parse reused from the
    cache): the stamp then has no digest, and size and mtime must do.
    """
    digest = None if data is None else hashlib.sha256(data).hexdigest()
    return FileStamp(mtime_ns=stat.st_mtime_ns, size=stat.st_size, sha256=digest)
