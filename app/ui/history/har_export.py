"""History ▸ Export as HAR…: entries of the history written as a HAR 1.2 file.

The panel says which entries (the selected ones, or every entry its filter shows)
and where; reading the database and writing the file run on a worker thread of
their own (one: its database connection is kept for the next export), one entry
in memory at a time, into a temporary file renamed over the
target at the end (a failed export leaves no half-written file).  ``finished``
brings the message for the status bar back to the GUI thread.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app.core.exporters import write_har
from app.session.history_record import HistoryDetail
from app.session.history_store import HistoryQuery, HistoryStore, HistoryUnavailable

HAR_FILTER = "HAR file (*.har);;All files (*)"
#: ids read per query while listing what the filter shows
_PAGE = 1000


def export_har(
    store: HistoryStore, path: Path, entry_ids: list[int] | None, query: HistoryQuery
) -> int:
    """Write the entries ``entry_ids`` (None: every entry matching ``query``) to
    ``path`` as HAR, oldest first; how many were written.  Blocking."""
    ids = sorted(entry_ids) if entry_ids is not None else _matching(store, query)
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            count = write_har(_details(store, ids), out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    return count


def _matching(store: HistoryStore, query: HistoryQuery) -> list[int]:
    ids: list[int] = []
    before: int | None = None
    while True:
        page = store.entries(query, before=before, limit=_PAGE)
        ids.extend(entry.id for entry in page)
        if len(page) < _PAGE:
            return ids[::-1]
        before = page[-1].id


def _details(store: HistoryStore, ids: list[int]) -> Iterator[HistoryDetail]:
    for entry_id in ids:
        detail = store.get(entry_id)
        if detail is not None:  # deleted meanwhile
            yield detail


class HarExport(QObject):
    """Runs exports off the GUI thread, one after the other."""

    #: what the status bar says when it is done (or why it failed)
    finished = Signal(str)

    def __init__(self, store: HistoryStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self._worker = concurrent.futures.ThreadPoolExecutor(1, "courier-har-export")

    def start(self, path: Path, entry_ids: list[int] | None, query: HistoryQuery) -> None:
        self._worker.submit(self._run, path, entry_ids, query)

    def _run(self, path: Path, entry_ids: list[int] | None, query: HistoryQuery) -> None:
        try:
            count = export_har(self.store, path, entry_ids, query)
        except (OSError, HistoryUnavailable) as exc:
            self._tell(f"Could not export the history to {path}: {exc}")
        except Exception as exc:  # a bug must reach the user, never vanish in a thread
            self._tell(f"The HAR export failed: {exc!r}")
        else:
            noun = "entry" if count == 1 else "entries"
            self._tell(f"Exported {count:,} history {noun} as HAR to {path}")

    def _tell(self, text: str) -> None:
        with contextlib.suppress(RuntimeError):  # the panel was closed meanwhile
            self.finished.emit(text)
