"""The open tabs and their unsaved drafts, kept between runs in Courier's data folder.

A tab is remembered as the collection folder and request file it shows (or as an
untitled request); a tab with unsaved edits also has a draft: the edited request
in the file format, one file per tab under ``tabs/drafts/``, never inside the
collection.  The file format never holds a secret value (credentials typed in
the editor become ``secret_fields`` names, proxy passwords are cut out), so a
draft keeps everything but its secrets, which the user types again.  Every file
is written atomically, owner-only.  A damaged file is skipped, never fatal.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core import paths
from app.core.codec import request_from_yaml, request_to_yaml
from app.core.model import Request
from app.core.yamlio import atomic_write

TABS_FOLDER = "tabs"
TABS_FILE = "tabs.json"
DRAFTS_FOLDER = "drafts"
_DRAFT_NAME = re.compile(r"^[a-z0-9-]{1,64}$")


@dataclass(slots=True)
class TabRecord:
    """One open tab: what it shows (empty collection: an untitled request)."""

    key: str
    """Stable for the tab's life; names its draft file."""
    collection: str = ""
    """The collection's folder ("" for an untitled request)."""
    request: str = ""
    """The request file, relative to the collection folder."""
    has_draft: bool = False
    pinned: bool = True


@dataclass(slots=True)
class OpenTabs:
    tabs: list[TabRecord] = field(default_factory=list)
    selected: int = 0


def tabs_dir() -> Path:
    return paths.data_dir() / TABS_FOLDER


def drafts_dir(root: Path | None = None) -> Path:
    return (root or tabs_dir()) / DRAFTS_FOLDER


def _draft_path(root: Path, key: str) -> Path:
    if not _DRAFT_NAME.match(key):
        raise ValueError(f"not a draft key: {key!r}")
    return drafts_dir(root) / f"{key}.request.yaml"


def save_draft(key: str, request: Request, root: Path | None = None) -> None:
    """Write one tab's draft (secret values are never part of the text).  Raises OSError."""
    root = root or tabs_dir()
    folder = paths.ensure_dir(drafts_dir(root))
    data = request_to_yaml(request).encode("utf-8")
    atomic_write(folder / _draft_path(root, key).name, data, mode=paths.PRIVATE_FILE_MODE)


def load_draft(key: str, root: Path | None = None) -> Request | None:
    """A tab's draft, or None when it is missing or unreadable."""
    try:
        text = _draft_path(root or tabs_dir(), key).read_text(encoding="utf-8")
        return request_from_yaml(text)
    except (OSError, ValueError, UnicodeDecodeError):
        return None


def remove_draft(key: str, root: Path | None = None) -> None:
    with contextlib.suppress(OSError, ValueError):
        _draft_path(root or tabs_dir(), key).unlink()


def save_open_tabs(state: OpenTabs, root: Path | None = None) -> None:
    """Write the tab list and delete the drafts no tab has any more.  Raises OSError."""
    root = paths.ensure_dir(root or tabs_dir())
    data = {
        "selected": state.selected,
        "tabs": [
            {
                "key": t.key,
                "collection": t.collection,
                "request": t.request,
                "has_draft": t.has_draft,
                "pinned": t.pinned,
            }
            for t in state.tabs
        ],
    }
    text = json.dumps(data, indent=2) + "\n"
    atomic_write(root / TABS_FILE, text.encode("utf-8"), mode=paths.PRIVATE_FILE_MODE)
    kept = {f"{t.key}.request.yaml" for t in state.tabs if t.has_draft}
    folder = drafts_dir(root)
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if entry.name.endswith(".request.yaml") and entry.name not in kept:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def load_open_tabs(root: Path | None = None) -> OpenTabs:
    """The tabs of the last run (none when the file is missing or damaged)."""
    try:
        data = json.loads(((root or tabs_dir()) / TABS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return OpenTabs()
    if not isinstance(data, dict) or not isinstance(data.get("tabs"), list):
        return OpenTabs()
    tabs = [t for t in (_record(item) for item in data["tabs"]) if t is not None]
    selected = data.get("selected", 0)
    if not isinstance(selected, int) or not 0 <= selected < max(len(tabs), 1):
        selected = 0
    return OpenTabs(tabs, selected)


def _record(item: Any) -> TabRecord | None:
    if not isinstance(item, dict):
        return None
    key, collection, request = item.get("key"), item.get("collection", ""), item.get("request", "")
    if not isinstance(key, str) or not _DRAFT_NAME.match(key):
        return None
    if not isinstance(collection, str) or not isinstance(request, str):
        return None
    return TabRecord(
        key=key,
        collection=collection,
        request=request,
        has_draft=item.get("has_draft") is True,
        pinned=item.get("pinned", True) is not False,
    )
