"""HistoryService: every finished exchange recorded, the history read for the panel.

SQLite work never runs on the GUI thread: one writer thread records, deletes
and clears (in the order asked), one reader thread lists and loads entries
(WAL lets it read while the writer writes).  Results come back to the GUI
thread as queued Qt signals: ``entryAdded`` and friends for everyone, and the
callback given to ``load_entries`` / ``load_detail`` for whoever asked.

The window either calls ``watch(sends)`` once and ``track(exchange, request,
collection, stored)`` after each ``SendService.send``, or calls ``record(exchange,
request, collection, stored)`` when an exchange finishes: the exchange alone says
what was sent; the request and its collection say where it came from and which
secrets to mask.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import copy
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from app.core.inherit import Resolution
from app.core.model import Collection, Request
from app.net.exchange import Exchange
from app.services.sends import SendService
from app.session import Session
from app.session.history_record import HistoryDetail, HistoryEntry, Origin, record_of
from app.session.history_secrets import resolution_for, secrets_of
from app.session.history_store import HistoryQuery, HistoryStore, HistoryUnavailable

#: entries per page the panel asks for
PAGE_SIZE = 200


class HistoryService(QObject):
    #: a recorded exchange (``HistoryEntry``)
    entryAdded = Signal(object)
    #: an entry deleted (its id)
    entryDeleted = Signal(int)
    cleared = Signal()
    #: something the user should read (the database was damaged and moved aside, a
    #: record that could not be written)
    notice = Signal(str)
    #: (callback, result) from a worker: run on the GUI thread
    _done = Signal(object, object)

    def __init__(
        self, session: Session, store: HistoryStore | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.store = store if store is not None else HistoryStore()
        self._writer = concurrent.futures.ThreadPoolExecutor(1, "courier-history-writer")
        self._reader = concurrent.futures.ThreadPoolExecutor(1, "courier-history-reader")
        #: jobs not done yet (workers discard theirs: guarded by a lock)
        self._pending: set[concurrent.futures.Future[Any]] = set()
        self._pending_lock = threading.Lock()
        self._closed = False
        self._told: set[str] = set()
        #: finished exchanges ``watch`` records next
        self._waiting: list[Exchange] = []
        self._done.connect(self._deliver)
        #: where running exchanges come from (``track``)
        self._contexts: weakref.WeakKeyDictionary[Exchange, _Context] = weakref.WeakKeyDictionary()
        self._recorded: weakref.WeakSet[Exchange] = weakref.WeakSet()

    # ---------------------------------------------------------------- writing

    def watch(self, sends: SendService) -> None:
        """Record every exchange ``sends`` finishes (those ``track`` ed with where they
        came from; any other with what the exchange itself says)."""
        sends.exchangeFinished.connect(self._on_finished)

    def _on_finished(self, exchange: Exchange) -> None:
        # recorded after the signal's other slots: one that calls ``record`` with the
        # request wins (``close`` records what is still waiting)
        self._waiting.append(exchange)
        QTimer.singleShot(0, self, self._record_waiting)

    def _record_waiting(self) -> None:
        waiting, self._waiting = self._waiting, []
        for exchange in waiting:
            self.record(exchange)

    def track(
        self,
        exchange: Exchange,
        request: Request | None,
        collection: Collection | None,
        stored: Request | None = None,
    ) -> None:
        """Say where ``exchange`` comes from, when it starts (right after
        ``SendService.send``): the request is copied and resolved now, so edits made
        while it runs change neither the entry nor the secrets masked in it."""
        self._contexts[exchange] = _context(self.session, request, collection, stored)

    def record(
        self,
        exchange: Exchange,
        request: Request | None = None,
        collection: Collection | None = None,
        stored: Request | None = None,
    ) -> None:
        """Record a finished exchange (written by the writer thread; ``entryAdded`` then).

        ``request`` is what was sent (the editor's copy), ``stored`` the collection's
        own request it came from, if any; without them, what ``track`` was told.
        An exchange is recorded once, however often this is called.
        """
        if self._closed or exchange in self._recorded:
            return
        self._recorded.add(exchange)
        if request is not None or collection is not None or stored is not None:
            context = _context(self.session, request, collection, stored)
        else:
            context = self._contexts.pop(exchange, _NO_CONTEXT)

        def write() -> HistoryEntry:
            secrets = secrets_of(self.session, context.resolution, exchange, context.cookie_key)
            record = record_of(
                exchange,
                context.origin,
                secrets,
                context.request,
                body_budget=self.store.entry_body_budget,
            )
            return self.store.add(record)

        self._submit(self._writer, write, self.entryAdded.emit)

    def delete(self, entry_id: int) -> None:
        def delete() -> int:
            self.store.delete(entry_id)
            return entry_id

        self._submit(self._writer, delete, self.entryDeleted.emit)

    def clear(self) -> None:
        """Delete every entry and give the disk space back."""
        self._submit(self._writer, self.store.clear, lambda _: self.cleared.emit())

    # ---------------------------------------------------------------- reading

    def load_entries(
        self,
        query: HistoryQuery,
        callback: Callable[[list[HistoryEntry]], None],
        *,
        before: int | None = None,
        limit: int = PAGE_SIZE,
    ) -> None:
        """Newest first, ``limit`` entries matching ``query`` older than ``before``;
        ``callback`` gets them on the GUI thread."""
        self._submit(
            self._reader,
            lambda: self.store.entries(query, before=before, limit=limit),
            callback,
        )

    def load_count(self, query: HistoryQuery, callback: Callable[[int], None]) -> None:
        self._submit(self._reader, lambda: self.store.count(query), callback)

    def load_detail(self, entry_id: int, callback: Callable[[HistoryDetail | None], None]) -> None:
        self._submit(self._reader, lambda: self.store.get(entry_id), callback)

    # ---------------------------------------------------------------- plumbing

    def _submit(
        self,
        executor: concurrent.futures.ThreadPoolExecutor,
        job: Callable[[], Any],
        callback: Callable[[Any], None],
    ) -> None:
        if self._closed:
            return

        def run() -> None:
            try:
                result = job()
            except HistoryUnavailable as exc:
                self._done.emit(self._tell_once, str(exc))
                return
            except Exception as exc:  # a bug must reach the user, never vanish in a thread
                self._done.emit(self._tell_once, f"The history failed: {exc!r}")
                return
            finally:
                for text in self.store.take_notices():
                    self._done.emit(self.notice.emit, text)
            self._done.emit(callback, result)

        future = executor.submit(run)
        with self._pending_lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)

    def _tell_once(self, text: str) -> None:
        """A history that cannot be written says so once, not at every send."""
        if text not in self._told:
            self._told.add(text)
            self.notice.emit(text)

    def _deliver(self, callback: Callable[[Any], None], result: Any) -> None:
        with contextlib.suppress(RuntimeError):  # its widget was deleted meanwhile
            callback(result)

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Block until every job asked for so far ran (tests, and quitting)."""
        with self._pending_lock:
            pending = list(self._pending)
        concurrent.futures.wait(pending, timeout=timeout)

    def _forget(self, future: concurrent.futures.Future[Any]) -> None:
        with self._pending_lock:
            self._pending.discard(future)

    def close(self) -> None:
        """Finish the writes asked for, then close the database (on quit)."""
        self._record_waiting()
        self._closed = True
        self._writer.shutdown(wait=True)
        self._reader.shutdown(wait=True, cancel_futures=True)
        self.store.close()


def origin_of(
    request: Request | None, collection: Collection | None, stored: Request | None
) -> Origin:
    """Where an exchange was sent from: the request, its collection and file."""
    named = stored if stored is not None else request
    request_file = ""
    folder = collection.path if collection is not None else None
    path = stored.path if stored is not None else None
    if path is not None:
        request_file = _relative(path, folder)
    return Origin(
        request_name=named.name if named is not None else "",
        collection_name=collection.name if collection is not None else "",
        collection_id=collection.id if collection is not None else "",
        collection_path=str(folder) if folder is not None else "",
        request_file=request_file,
    )


def _relative(path: Path, folder: Path | None) -> str:
    if folder is not None and path.is_relative_to(folder):
        return path.relative_to(folder).as_posix()
    return str(path)


@dataclass(frozen=True, slots=True)
class _Context:
    """What an entry says about where its exchange came from."""

    origin: Origin
    resolution: Resolution | None
    cookie_key: str
    #: a copy the writer thread may read while the editor changes the original
    request: Request | None


_NO_CONTEXT = _Context(Origin(), None, "", None)


def _context(
    session: Session,
    request: Request | None,
    collection: Collection | None,
    stored: Request | None,
) -> _Context:
    model = request if request is not None else stored
    return _Context(
        origin=origin_of(request, collection, stored),
        resolution=resolution_for(session, model, collection, stored)
        if model is not None
        else None,
        cookie_key=collection.id if collection is not None else "",
        request=copy.deepcopy(model) if model is not None else None,
    )
