"""The open tabs as ``app.core.drafts`` keeps them: what to write, and what to reopen.

Only what can come back is kept: a tab of a request saved in a collection folder,
or an untitled tab with something typed in it.  Drafts are the tabs' edited
requests; their secret values never reach the text (the file format leaves them out).
"""

from __future__ import annotations

from pathlib import Path

from app.core import drafts
from app.core.model import Collection, Request
from app.services.workspace import Workspace
from app.ui.tabs.request_tab import RequestTab


def session_state(tabs: list[RequestTab], current: RequestTab | None) -> drafts.OpenTabs:
    """The open tabs as they are now (``has_draft`` for the tabs with unsaved edits)."""
    records: list[drafts.TabRecord] = []
    for tab in tabs:
        collection = tab.collection
        record = drafts.TabRecord(key=tab.key, has_draft=tab.is_modified(), pinned=not tab.preview)
        if collection is not None and collection.path is not None and tab.request.path is not None:
            record.collection = str(collection.path)
            record.request = str(tab.request.path.relative_to(collection.path))
        elif collection is not None:
            continue  # not on disk: it cannot come back
        elif not record.has_draft:
            continue  # an empty untitled tab is not worth restoring
        records.append(record)
    keys = [r.key for r in records]
    selected = keys.index(current.key) if current is not None and current.key in keys else 0
    return drafts.OpenTabs(records, selected)


def write_session(state: drafts.OpenTabs, writes: list[tuple[str, Request]]) -> None:
    """Write the changed drafts, then the tab list (which drops stale drafts).  Raises OSError."""
    for key, request in writes:
        drafts.save_draft(key, request)
    drafts.save_open_tabs(state)


def find_stored(
    workspace: Workspace, record: drafts.TabRecord
) -> tuple[Collection | None, Request | None]:
    """The open collection and request a record names (None, None when gone)."""
    if not record.collection:
        return None, None
    collection = workspace.find_open(Path(record.collection))
    if collection is None or collection.path is None:
        return None, None
    wanted = collection.path / record.request
    for _chain, request in collection.iter_requests():
        if request.path == wanted:
            return collection, request
    return None, None
