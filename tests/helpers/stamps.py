"""File stamps as the loader sets them (issue 7's read side, on another branch).

Tests of the outside-changes watcher stamp a loaded collection the way the
loader will, so they exercise the "same digest: not a change" path too.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from app.core.model import Collection, FileStamp


def stamp_of(path: Path) -> FileStamp | None:
    if not path.is_file():
        return None
    data = path.read_bytes()
    st = path.stat()
    return FileStamp(st.st_mtime_ns, st.st_size, hashlib.sha256(data).hexdigest())


def stamp_all(collection: Collection) -> None:
    """Stamp every object of a loaded collection with its file as it is now."""
    assert collection.path is not None
    collection.disk = stamp_of(collection.path / "collection.yaml")
    for _chain, request in collection.iter_requests():
        assert request.path is not None
        request.disk = stamp_of(request.path)
    for environment in collection.environments:
        assert environment.path is not None
        environment.disk = stamp_of(environment.path)
