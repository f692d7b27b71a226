"""The ``NAME.part.json`` next to a partial download: what a resume needs to know.

The part file holds the bytes; this small record says what they are (the URL
as shown, with secrets masked, and where the request came from), which
version of the file they belong to (``ETag`` / ``Last-Modified``, for
``If-Range``) and how big the whole is.  It is written atomically (a temporary
file, then ``os.replace``) on the body store's writer thread, after the bytes
it counts, so it never claims bytes that are not in the part.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

VERSION = 1


def record_path(destination: Path) -> Path:
    return destination.with_name(destination.name + ".part.json")


@dataclass(slots=True)
class ResumeRecord:
    url: str
    #: where the request came from (``DownloadSource.to_json()``)
    source: dict[str, str] = field(default_factory=dict)
    etag: str = ""
    last_modified: str = ""
    #: bytes in the part file when this was written
    bytes_written: int = 0
    #: the whole file's size (None: unknown)
    total: int | None = None
    started_at: float = field(default_factory=time.time)
    updated_at: float = field(default_factory=time.time)

    def if_range(self) -> str | None:
        """The validator for ``If-Range``: a strong ETag, else Last-Modified (RFC 9110
        13.1.5 allows no weak ETag there)."""
        if self.etag and not self.etag.startswith("W/"):
            return self.etag
        return self.last_modified or None

    def to_json(self) -> dict[str, Any]:
        return {"version": VERSION, **asdict(self)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ResumeRecord:
        if data.get("version") != VERSION or not isinstance(data.get("url"), str):
            raise ValueError("not a Courier resume record")
        total = data.get("total")
        return cls(
            url=data["url"],
            source={str(k): str(v) for k, v in dict(data.get("source") or {}).items()},
            etag=str(data.get("etag") or ""),
            last_modified=str(data.get("last_modified") or ""),
            bytes_written=int(data.get("bytes_written") or 0),
            total=int(total) if isinstance(total, int) else None,
            started_at=float(data.get("started_at") or time.time()),
            updated_at=float(data.get("updated_at") or time.time()),
        )


def write_record(destination: Path, record: ResumeRecord) -> None:
    """Replace the record atomically (blocking, small: the writer thread calls it)."""
    path = record_path(destination)
    record.updated_at = time.time()
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(record.to_json(), out)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def read_record(destination: Path) -> ResumeRecord | None:
    """The record next to ``destination``'s part, or None (missing or unreadable)."""
    try:
        with record_path(destination).open(encoding="utf-8") as source:
            return ResumeRecord.from_json(json.load(source))
    except (OSError, ValueError, TypeError, AttributeError):
        return None


def remove_record(destination: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        record_path(destination).unlink()
