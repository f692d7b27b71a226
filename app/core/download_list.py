"""The downloads list on disk, so it survives a restart.

One JSON file in Courier's data directory holding each download's
``DownloadTask.to_record()`` (plain data: masked URL, destination, state, bytes,
hash; never a secret).  Owner-only (0600), written atomically; a file that
does not parse is moved aside to ``downloads.json.bad`` and the list starts
empty, as a corrupt app state does: losing the list must never stop Courier.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from app.core import paths
from app.core.yamlio import atomic_write

LIST_FILE = "downloads.json"
LIST_VERSION = 1
#: the oldest finished downloads are dropped from the list past this many
MAX_KEPT = 200


def default_path() -> Path:
    return paths.data_dir() / LIST_FILE


def load_download_list(path: Path) -> list[dict[str, Any]]:
    """The saved records, oldest first ([] when there is no list or it is unreadable)."""
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError:
        return []
    try:
        data = json.loads(raw)
        records = data["downloads"]
        if not isinstance(records, list):
            raise TypeError("downloads is not a list")
    except (ValueError, TypeError, KeyError):
        with contextlib.suppress(OSError):
            os.replace(path, path.with_name(path.name + ".bad"))
        return []
    return [r for r in records if isinstance(r, dict)]


def save_download_list(path: Path, records: list[dict[str, Any]]) -> None:
    """Write the list (the newest ``MAX_KEPT``), readable by its owner only.  Raises ``OSError``."""
    paths.ensure_dir(path.parent)
    data = {"version": LIST_VERSION, "downloads": records[-MAX_KEPT:]}
    text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
    atomic_write(path, text.encode("utf-8"), mode=paths.PRIVATE_FILE_MODE)
