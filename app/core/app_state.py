"""What Courier remembers between runs: open and recent collections, window layout,
the folders the file pickers open in.

Kept as JSON in the config directory.  A corrupt file is moved aside to
``state.json.bad`` (so nothing is lost and the user can look at it) and Courier
starts with defaults instead of refusing to start.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from app.core import paths
from app.core.yamlio import atomic_write

MAX_RECENT = 10
STATE_FILE = "state.json"


@dataclass(slots=True)
class AppState:
    recent_collections: list[str] = field(default_factory=list)
    open_collections: list[str] = field(default_factory=list)
    window_geometry: str = ""
    splitter_state: str = ""
    first_run_done: bool = False
    #: collection id -> name of its active environment ("" = none)
    active_environments: dict[str, str] = field(default_factory=dict)
    #: write session cookies (no expiry date) to the jars too, so they outlive a run
    keep_session_cookies: bool = False
    #: the folder "Send and Download" offered last ("" = the user's Downloads folder)
    download_folder: str = ""
    #: how many downloads run at once (the others wait, queued)
    download_concurrency: int = 3
    #: the editor | response split inside the request tabs (Qt's saved splitter state)
    tab_splitter_state: str = ""
    #: the collection folder a request was last saved into ("Save in" proposes it)
    last_save_collection: str = ""
    #: where the new-collection folder picker opened last ("" = the user's home)
    last_parent_folder: str = ""
    #: the folder "Save body…" offered last ("" = the user's Downloads folder)
    save_body_folder: str = ""
    #: the theme chosen in View ▸ Theme: "system" (follow the desktop), "light" or "dark"
    theme: str = "system"


def default_path() -> Path:
    return paths.config_dir() / STATE_FILE


def load_app_state(path: Path | None = None) -> AppState:
    path = path or default_path()
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return AppState()
    except OSError:
        return AppState()
    try:
        return _from_json(json.loads(raw))
    except (ValueError, TypeError):
        with contextlib.suppress(OSError):
            os.replace(path, path.with_name(path.name + ".bad"))
        return AppState()


def _from_json(data: Any) -> AppState:
    if not isinstance(data, dict):
        raise ValueError("state is not an object")
    state = AppState()
    for f in fields(AppState):
        if f.name not in data:
            continue
        value = data[f.name]
        default = getattr(state, f.name)
        if isinstance(default, dict):
            if not isinstance(value, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in value.items()
            ):
                raise ValueError(f"{f.name} must map text to text")
        elif isinstance(default, list):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"{f.name} must be a list of strings")
        elif type(value) is not type(default):
            raise ValueError(f"{f.name} has the wrong type")
        setattr(state, f.name, value)
    return state


def save_app_state(state: AppState, path: Path | None = None) -> None:
    path = path or default_path()
    paths.ensure_dir(path.parent)
    text = json.dumps(asdict(state), indent=2) + "\n"
    atomic_write(path, text.encode("utf-8"), mode=paths.PRIVATE_FILE_MODE)


def add_recent(state: AppState, collection_path: str) -> None:
    """Put a collection at the top of the recent list (no duplicates, at most 10)."""
    recent = [p for p in state.recent_collections if p != collection_path]
    state.recent_collections = [collection_path, *recent][:MAX_RECENT]
