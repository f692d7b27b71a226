"""Writing one collection file: never over someone else's edit, never losing their keys.

``save_item`` is the one place storage writes an item's file.  It

* reads the file as it is now and compares it with the item's ``disk`` stamp:
  changed since Courier read it (or gone, or never read) raises
  ``FileChangedOnDisk`` and writes nothing, unless ``force``;
* merges Courier's data into the current text (``app.core.roundtrip``), so
  unknown keys, comments and formatting survive; a new file is written by the
  plain dumper; nothing Courier owns changed means no write at all;
* writes through a symlink (the link stays a link) and updates ``disk`` from
  the bytes written.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from app.core import filestamp, yamlio
from app.core.codec import BadShape, parse_mapping
from app.core.errors import FileChangedOnDisk, StorageError, reason
from app.core.model import FileStamp
from app.core.roundtrip import merge_text, scrub_secrets

#: turns a file's plain data into what Courier would write for it (codec out of codec in)
Normalize = Callable[[dict[str, Any]], dict[str, Any]]


class Stamped(Protocol):
    disk: FileStamp | None


def save_item(
    path: Path, item: Stamped, new: dict[str, Any], normalize: Normalize, *, force: bool
) -> bool:
    """Save ``new`` (Courier's plain data for ``item``) to ``path``; True if written."""
    target = Path(os.path.realpath(path))  # a symlinked file is written through the link
    try:
        current = filestamp.read_with_stamp(target)
    except OSError as exc:
        raise StorageError(f"Could not read {path}: {reason(exc)}", detail=repr(exc)) from exc
    if current is None:
        if item.disk is not None and not force:
            raise FileChangedOnDisk(
                f"{path} was deleted or moved outside Courier since it was read; "
                "nothing was saved.",
                path=path,
            )
        item.disk = write(target, yamlio.dump(new))
        return True
    data, stamp = current
    if not force and not filestamp.matches(item.disk, stamp):
        what = "was changed outside Courier since it was read" if item.disk else "already exists"
        raise FileChangedOnDisk(
            f"{path} {what}; nothing was saved, so those changes are not overwritten.",
            path=path,
        )
    text = _merged(path, data, new, normalize)
    if text is None:
        item.disk = stamp
        return False
    item.disk = write(target, text)
    return True


def _merged(path: Path, data: bytes, new: dict[str, Any], normalize: Normalize) -> str | None:
    """The current file with ``new`` applied (None: no change); a full dump if it cannot be."""
    try:
        text = data.decode("utf-8")
        parsed = parse_mapping(path, text)
        scrub_secrets(parsed)
        old = normalize(parsed)
    except (UnicodeDecodeError, ValueError, StorageError):
        return yamlio.dump(new)  # unreadable as Courier's (only with ``force``): replace it
    try:
        merged = merge_text(text, old, new)
    except ValueError:
        merged = ""
    if merged is None:
        return None
    if merged and _reads_as(path, merged, new, normalize):
        return merged
    # ruamel could not keep the file's shape: keep at least the unknown top-level keys
    extra = {k: v for k, v in parsed.items() if k not in old and k not in new}
    return yamlio.dump({**new, **extra})


def _reads_as(path: Path, text: str, new: dict[str, Any], normalize: Normalize) -> bool:
    try:
        return normalize(parse_mapping(path, text)) == new
    except (BadShape, ValueError, StorageError):
        return False


def write(path: Path, text: str) -> FileStamp:
    """Atomically write ``text``; the stamp of what was written."""
    data = text.encode("utf-8")
    try:
        stat = yamlio.atomic_write(path, data)
    except OSError as exc:
        raise StorageError(
            f"Could not save {path}: {reason(exc)}. The file on disk was left as it was.",
            detail=repr(exc),
        ) from exc
    return filestamp.stamp_of(stat, data)
