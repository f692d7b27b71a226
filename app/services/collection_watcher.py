"""Open collections watched for changes made outside Courier (an editor, a git pull).

Every open collection gets a ``DirectoryWatch`` (a thread).  Its batches of
paths come to the GUI thread as a queued signal, wait ``settle_ms`` for more
(so a burst is applied once), are read and parsed in a worker
(``disk_scan.scan``, plus the keychain for secrets of new objects) and are
applied to the model in place (``disk_apply.apply``, quick) - one scan at a
time per collection.  What changed is announced through the workspace's own
signals, so the sidebar and an open editor follow as they do for Courier's
edits.

A request the window's editor holds with unsaved edits (``is_held``) is left
alone: ``conflictFound`` hands the window a ``DiskConflict`` to ask about.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from app.core import disk_apply, disk_scan
from app.core.disk_apply import AppliedChanges, DiskConflict, IsHeld
from app.core.errors import CourierError
from app.core.model import Collection, Folder, Request
from app.services.directory_watch import DirectoryWatch
from app.services.workspace import Workspace

__all__ = ["CollectionWatcher", "DiskConflict"]

#: after a batch, wait this long for more before reading (a git pull comes in bursts)
SETTLE_MS = 150
#: ...but never hold changes back longer than this while they keep coming
MAX_HOLD_S = 2.0


def _nothing_held(_request: Request) -> bool:
    return False


def _foreign_relevant(collection: Collection, path: Path) -> bool:
    """Could a change at ``path`` change what the foreign collection holds?  Its own
    request and env files, or a folder (which may hold some); not e.g. an editor's
    swap file."""
    from app.core.importers.posting_text import is_env_file

    name = path.name
    return name.endswith((".yaml", ".yml", ".bru", ".py")) or is_env_file(name) or "." not in name


@dataclass(slots=True, eq=False)
class _Watched:
    """One open collection's watch and the paths waiting to be looked at."""

    collection: Collection
    watch: DirectoryWatch
    timer: QTimer
    pending: set[Path] = field(default_factory=set)
    first_pending_at: float = 0.0
    scanning: asyncio.Future[None] | None = None


class CollectionWatcher(QObject):
    #: outside changes were applied to this collection (once per scan that changed it)
    changesApplied = Signal(Collection)
    #: a held request's file changed or was removed outside: a ``DiskConflict``
    conflictFound = Signal(object)
    #: from watch threads (queued to the GUI thread): (collection, set of paths)
    _pathsChanged = Signal(object, object)

    def __init__(
        self,
        workspace: Workspace,
        is_held: IsHeld = _nothing_held,
        parent: QObject | None = None,
        *,
        settle_ms: int = SETTLE_MS,
    ) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.is_held = is_held
        self.settle_ms = settle_ms
        #: scans run so far (tests check a burst is read once)
        self.scans = 0
        self._watched: dict[int, _Watched] = {}
        self._pathsChanged.connect(self._on_paths_changed)
        workspace.collectionOpened.connect(self.watch)
        workspace.collectionClosed.connect(self.unwatch)
        workspace.collectionReloaded.connect(self._on_reloaded)
        for collection in workspace.collections:
            self.watch(collection)

    # ------------------------------------------------------------ lifecycle

    def watch(self, collection: Collection) -> None:
        """Start watching an open collection (again: nothing happens)."""
        if id(collection) in self._watched or collection.path is None:
            return
        timer = QTimer(self)
        timer.setSingleShot(True)
        watch = DirectoryWatch(
            collection.path,
            lambda paths: self._pathsChanged.emit(collection, paths),
        )
        watched = _Watched(collection, watch, timer)
        timer.timeout.connect(lambda: self._start_scan(watched))
        self._watched[id(collection)] = watched
        watch.start()

    def unwatch(self, collection: Collection) -> None:
        """Stop watching (the thread is joined; a scan under way is dropped)."""
        watched = self._watched.pop(id(collection), None)
        if watched is None:
            return
        watched.timer.stop()
        watched.timer.deleteLater()
        if watched.scanning is not None:
            watched.scanning.cancel()
        watched.watch.stop()

    def stop_all(self) -> None:
        """At exit: stop every watch (no thread is left running)."""
        for watched in list(self._watched.values()):
            self.unwatch(watched.collection)

    def is_watching(self, collection: Collection) -> bool:
        return id(collection) in self._watched

    def wait_ready(self, collection: Collection, timeout: float = 5.0) -> bool:
        """Block until the collection's watch sees changes (tests; a few ms)."""
        watched = self._watched.get(id(collection))
        return watched is not None and watched.watch.ready.wait(timeout)

    def threads_running(self) -> int:
        return sum(1 for w in self._watched.values() if w.watch.running)

    def _on_reloaded(self, old: Collection, fresh: Collection) -> None:
        self.unwatch(old)
        self.watch(fresh)

    # ------------------------------------------------------------- changes

    def rescan(self, collection: Collection, paths: Iterable[Path]) -> None:
        """Look at these paths now (after the user took the file's version, or left
        a draft whose file was removed)."""
        watched = self._watched.get(id(collection))
        if watched is not None:
            self._add_pending(watched, set(paths), settle_ms=0)

    def rescan_request(self, collection: Collection, request: Request) -> None:
        """Look at a request's file and its folders again (one may have gone with it)."""
        if request.path is None or collection.path is None:
            return
        paths = [request.path]
        chain: tuple[Folder, ...] = collection.folder_chain(request) or ()
        paths.extend(folder.path for folder in chain if folder.path is not None)
        self.rescan(collection, paths)

    def _on_paths_changed(self, collection: Collection, paths: set[Path]) -> None:
        watched = self._watched.get(id(collection))
        if watched is not None:  # else: closed since the thread saw the change
            self._add_pending(watched, paths, settle_ms=self.settle_ms)

    def _add_pending(self, watched: _Watched, paths: set[Path], settle_ms: int) -> None:
        now = time.monotonic()
        if not watched.pending:
            watched.first_pending_at = now
        watched.pending |= paths
        if watched.scanning is not None:
            return  # the scan under way starts another when it ends
        if now - watched.first_pending_at >= MAX_HOLD_S:
            settle_ms = 0
        watched.timer.start(settle_ms)

    def _start_scan(self, watched: _Watched) -> None:
        if watched.scanning is not None or not watched.pending:
            return
        if self._watched.get(id(watched.collection)) is not watched:
            return
        task = asyncio.ensure_future(self._scan(watched))
        watched.scanning = task
        task.add_done_callback(lambda _t: self._scan_done(watched))

    def _scan_done(self, watched: _Watched) -> None:
        watched.scanning = None
        if watched.pending and self._watched.get(id(watched.collection)) is watched:
            watched.timer.start(0)

    async def _scan(self, watched: _Watched) -> None:
        collection = watched.collection
        paths, watched.pending = watched.pending, set()
        self.scans += 1
        if collection.foreign:  # another tool's files: read the folder again, whole
            if any(_foreign_relevant(collection, p) for p in paths):
                await self._reread_foreign(collection)
            return
        known = disk_scan.known_files(collection)
        changes = await asyncio.to_thread(
            self.workspace.read_disk_changes, collection, known, paths
        )
        if self._watched.get(id(collection)) is not watched or not changes:
            return
        applied = disk_apply.apply(collection, changes, self.is_held)
        self._announce(collection, applied)

    async def _reread_foreign(self, collection: Collection) -> None:
        """A foreign collection changed outside: re-parse it (never crashes the window:
        a folder that no longer reads is reported by the workspace's signal)."""
        with contextlib.suppress(CourierError, OSError):
            await self.workspace.reload_collection_async(collection)
            self.changesApplied.emit(collection)

    def _announce(self, collection: Collection, applied: AppliedChanges) -> None:
        ws = self.workspace
        for node in applied.trees:
            ws.announce_tree_changed(node)
        for item in applied.items:
            ws.announce_changed(item)
        if applied.environments:
            ws.environmentChanged.emit(collection)
        if applied.trees or applied.items or applied.environments:
            self.changesApplied.emit(collection)
        for conflict in applied.conflicts:
            self.conflictFound.emit(conflict)
