"""Reading a collection file: regular files only, and never more than a cap.

A collection is a folder anyone may have put anything in: a ``*.request.yaml``
that is a FIFO would block the open forever, a symlink to ``/dev/zero`` would be
read without end, and a huge file would be parsed into a huge tree.  So a file
is opened without blocking (``O_NONBLOCK``, and ``O_NOCTTY`` so a terminal
never becomes ours), checked with ``fstat`` on that same descriptor (no race
with a swap after a ``stat``), and read up to ``cap + 1`` bytes at most.
Symlinks to regular files, inside the collection or not, are read like files.
"""

from __future__ import annotations

import os
import stat as stat_mod

#: the largest collection file (request, folder, collection, environment) Courier
#: opens: far above any hand-written request, far below what hurts to parse
MAX_FILE_BYTES = 8 * 1024 * 1024

_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)

__all__ = ["MAX_FILE_BYTES", "FileRefused", "read_capped"]


class FileRefused(ValueError):
    """The path is not a regular file, or is larger than the cap: it is not read."""


def read_capped(
    path: str | os.PathLike[str], cap: int = MAX_FILE_BYTES
) -> tuple[bytes, os.stat_result]:
    """The bytes of the regular file at ``path`` and the ``fstat`` of the open file.

    Raises ``OSError`` (missing, no permission, a symlink loop) or
    ``FileRefused`` (not a regular file, larger than ``cap`` bytes).
    """
    fd = os.open(path, _FLAGS)
    try:
        st = os.fstat(fd)
        if not stat_mod.S_ISREG(st.st_mode):
            raise FileRefused(
                f"it is {_kind(st.st_mode)}, not a regular file; Courier reads only files"
            )
        if st.st_size > cap:
            raise FileRefused(_too_large(cap))
        chunks: list[bytes] = []
        left = cap + 1  # one byte more than allowed tells a file that grew since fstat
        while left > 0:
            chunk = os.read(fd, min(left, max(st.st_size + 1, 1 << 16)))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > cap:
        raise FileRefused(_too_large(cap))
    return data, st


def _too_large(cap: int) -> str:
    size = f"{cap / (1024 * 1024):g} MiB" if cap >= 1024 * 1024 else f"{cap:,} bytes"
    return f"it is larger than {size}, too large for a collection file"


def _kind(mode: int) -> str:
    if stat_mod.S_ISDIR(mode):
        return "a directory"
    if stat_mod.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat_mod.S_ISCHR(mode):
        return "a character device"
    if stat_mod.S_ISBLK(mode):
        return "a block device"
    if stat_mod.S_ISSOCK(mode):
        return "a socket"
    return "a special file"
