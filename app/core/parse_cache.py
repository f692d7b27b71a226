"""A cache of parsed collection files, so reopening a big collection is fast.

PyYAML's libyaml parser is quick but building Python objects from its events
is not: about 0.15 ms per request file, 1.6 s for 10,000.  The cache keeps what
each file parsed to, keyed by its path relative to the collection and checked
against the file's size and modification time (like git's index), as JSON in
Courier's data directory, never inside the collection.  Any doubt (missing,
corrupt, other version, too large) means "parse the file again"; the cache can
always be deleted.

It is read at every start (open collections are restored), so it stays
bounded: it holds only files that loaded and validated (their YAML bounded by
``app.core.yamlio``), each entry is serialized when it is put (data JSON cannot
hold exactly, such as numeric keys or huge integers, is simply not cached), and
the whole is never larger than ``MAX_CACHE_BYTES``, read or written.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path
from typing import Any

import orjson

from app.core import paths
from app.core.bounded_read import read_capped
from app.core.yamlio import atomic_write

#: 2: settings are range-checked and aliases bounded; entries of 1 may predate that
FORMAT = 2
#: the largest cache file read or written (a 10,000-request collection needs ~3 MiB)
MAX_CACHE_BYTES = 256 * 1024 * 1024


def cache_file_for(collection_dir: Path) -> Path:
    key = hashlib.sha256(str(collection_dir.absolute()).encode("utf-8")).hexdigest()[:32]
    return paths.data_dir() / "cache" / "parsed" / f"{key}.json"


class ParseCache:
    def __init__(self, collection_dir: Path) -> None:
        self._root = str(collection_dir)
        self._prefix = os.path.join(self._root, "")
        self._file = cache_file_for(collection_dir)
        self._old: dict[str, list[Any]] = {}
        self._new: dict[str, list[Any] | orjson.Fragment] = {}
        self._new_bytes = 0
        self._dirty = False
        with contextlib.suppress(OSError, orjson.JSONDecodeError, TypeError, ValueError):
            blob, _st = read_capped(self._file, MAX_CACHE_BYTES)
            data = orjson.loads(blob)
            if isinstance(data, dict) and data.get("format") == FORMAT:
                entries = data.get("entries")
                if isinstance(entries, dict):
                    self._old = entries

    def _key(self, path: str) -> str:
        # paths come from scandir under the collection folder: a prefix cut is enough
        if path.startswith(self._prefix):
            return path[len(self._prefix) :]
        return os.path.relpath(path, self._root)

    def get(self, path: str, stat: os.stat_result) -> Any:
        """What ``path`` parsed to last time, if it has not changed since (else None)."""
        key = self._key(path)
        entry = self._old.get(key)
        if (
            isinstance(entry, list)
            and len(entry) == 3
            and entry[0] == stat.st_mtime_ns
            and entry[1] == stat.st_size
        ):
            self._new[key] = entry
            return entry[2]
        return None

    def put(self, path: str, stat: os.stat_result, data: Any) -> None:
        """Remember what a validated file parsed to, if JSON holds it and room is left."""
        self._dirty = True  # the old entry, if any, is stale either way
        try:
            blob = orjson.dumps([stat.st_mtime_ns, stat.st_size, data])
        except TypeError:  # numeric keys, huge integers: parse this file each time
            return
        if self._new_bytes + len(blob) > MAX_CACHE_BYTES:
            return
        self._new_bytes += len(blob)
        self._new[self._key(path)] = orjson.Fragment(blob)

    def save(self) -> None:
        """Write the cache if anything changed; failures are ignored (it is only a cache)."""
        if not self._dirty and len(self._new) == len(self._old):
            return
        with contextlib.suppress(OSError, TypeError):
            paths.ensure_dir(self._file.parent)
            payload = orjson.dumps({"format": FORMAT, "entries": self._new})
            if len(payload) <= MAX_CACHE_BYTES:
                atomic_write(self._file, payload, mode=paths.PRIVATE_FILE_MODE)
            else:
                self._file.unlink(missing_ok=True)
