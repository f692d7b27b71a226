"""File-system steps storage needs to be crash-safe and to not lose files.

* ``rename_noreplace``: move a file or directory in one atomic step, refusing to
  replace an existing target (a plain ``os.rename`` silently replaces a file or
  an empty directory).  A crash leaves the old name or the new one, never both.
* ``remove_stale_temps``: ``atomic_write`` temp files a crash left behind
  (``.NAME.XXXXXXXX.tmp``), which git would otherwise see.
* ``unshown_files``: what deleting a folder would remove that Courier never
  showed (files of other tools, a README, requests that failed to load).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import sys
from collections.abc import Iterable
from pathlib import Path

from app.core.yamlio import TEMP_NAME

_AT_FDCWD = -100
_RENAME_NOREPLACE = 1


def _renameat2() -> object | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    function.restype = ctypes.c_int
    return function


_RENAMEAT2 = _renameat2()


def rename_noreplace(source: Path, target: Path) -> None:
    """``os.rename`` that raises ``FileExistsError`` instead of replacing ``target``.

    Linux's ``renameat2(RENAME_NOREPLACE)`` checks and renames in one step; elsewhere
    (or on a file system without it) the check comes just before the rename.
    """
    if _RENAMEAT2 is not None:
        result = _RENAMEAT2(  # type: ignore[operator]
            _AT_FDCWD, os.fsencode(source), _AT_FDCWD, os.fsencode(target), _RENAME_NOREPLACE
        )
        if result == 0:
            return
        code = ctypes.get_errno()
        if code not in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
            raise OSError(code, os.strerror(code), str(target))
    if os.path.lexists(target):
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(target))
    os.rename(source, target)


def is_temp_name(name: str) -> bool:
    return bool(TEMP_NAME.fullmatch(name))


def remove_stale_temps(directories: Iterable[Path]) -> list[Path]:
    """Delete Courier's own temp files in ``directories`` (not below); the ones removed.

    Called when a collection opens: any such file is a write a crash interrupted
    (the original file is whole, ``os.replace`` never ran).
    """
    removed: list[Path] = []
    for directory in directories:
        with contextlib.suppress(OSError):
            for entry in os.scandir(directory):
                if is_temp_name(entry.name) and entry.is_file(follow_symlinks=False):
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)
                        removed.append(Path(entry.path))
    return removed


def unshown_files(directory: Path, shown: set[Path]) -> list[Path]:
    """Files under ``directory`` that are not in ``shown`` (Courier's temp files aside)."""
    found: list[Path] = []
    for root, dirs, files in os.walk(directory):
        dirs.sort()
        for name in sorted(files):
            path = Path(root) / name
            if path not in shown and not is_temp_name(name):
                found.append(path)
        for name in dirs:
            if os.path.islink(os.path.join(root, name)):
                found.append(Path(root) / name)  # a link to a directory: never followed
    return found
