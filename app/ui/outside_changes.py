"""What the window does when collection files change outside Courier.

The ``CollectionWatcher`` applies outside changes to the model itself; this
keeps the window's tabs in step: a tab without unsaved edits shows the new
version, a request removed on disk closes its tab, and a tab that has
unsaved edits of a changed file asks keep mine / take theirs / compare (the
same question as when a save finds the file changed: ``FileChangedOnDisk``).
A draft whose file was removed is kept and the user told: saving re-creates
the file.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer

from app.core.codec import request_to_yaml
from app.core.disk_apply import DiskConflict
from app.core.errors import FileChangedOnDisk
from app.core.model import Collection, Folder, Request
from app.services.collection_watcher import CollectionWatcher
from app.ui.file_conflict import ConflictChoice, unified_diff

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow


class OutsideChanges:
    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.watcher = CollectionWatcher(window.workspace, self.is_held, window)
        self.watcher.conflictFound.connect(self._on_conflict)
        self.watcher.changesApplied.connect(self._on_changes_applied)
        #: edited requests whose file changed outside, not yet resolved (by id)
        self._changed: dict[int, DiskConflict] = {}
        #: edited requests whose file was removed outside (the user was told)
        self._removed: dict[int, DiskConflict] = {}

    def stop(self) -> None:
        self.watcher.stop_all()

    def is_held(self, request: Request) -> bool:
        """Does a tab hold unsaved edits of ``request`` (the watcher leaves it be)?"""
        tab = self.window.tab_of(request)
        return tab is not None and tab.collection is not None and tab.is_modified()

    # -------------------------------------------------- the model changed

    def on_request_changed(self, request: Request) -> None:
        """A request changed (on disk, or saved): its tab, without edits, shows it."""
        window = self.window
        tab = window.tab_of(request)
        if tab is not None and not tab.is_modified():
            tab.editor.load_model(request)
            window.show_inherited()
            window.update_title()

    def on_settings_changed(self, _item: Collection | Folder) -> None:
        """Inherited headers and auth may have changed for the request in the editor."""
        self.window.show_inherited()

    def _on_changes_applied(self, _collection: Collection) -> None:
        """Requests removed outside Courier: their tabs (without edits) close, saying so."""
        self.window.prune_tabs("was deleted outside Courier")

    # ----------------------------------------------------------- conflicts

    def _on_conflict(self, conflict: DiskConflict) -> None:
        key = id(conflict.request)
        if conflict.fresh is None:
            self._changed.pop(key, None)
            self._removed[key] = conflict
        else:
            self._removed.pop(key, None)
            self._changed[key] = conflict
        # asked from the event loop, not inside the watcher's task: a dialog runs its own loop
        QTimer.singleShot(0, self.window, functools.partial(self._ask, conflict))

    def _ask(self, conflict: DiskConflict) -> None:
        request = conflict.request
        key = id(request)
        if conflict is not self._changed.get(key) and conflict is not self._removed.get(key):
            return  # superseded by a newer change, or resolved
        if not self.is_held(request):  # saved or left meanwhile: the file's version applies
            self.forget(request)
            self.watcher.rescan_request(conflict.collection, request)
            return
        if conflict.fresh is None:
            self.window.tell_file_removed(request.name, request.path)
        else:
            self.resolve(conflict.collection, request, conflict.text)

    def pending_question(self, request: Request) -> DiskConflict | None:
        """An unresolved "changed outside" for this request (the next save asks)."""
        return self._changed.get(id(request))

    def file_removed(self, request: Request) -> bool:
        """Was this request's file removed outside while it was edited (saving re-creates it)?"""
        return id(request) in self._removed

    def forget(self, request: Request) -> None:
        self._changed.pop(id(request), None)
        self._removed.pop(id(request), None)

    def left(self, collection: Collection | None, request: Request) -> None:
        """The editor lets go of ``request``: a change held back for it applies now."""
        key = id(request)
        if collection is not None and (key in self._changed or key in self._removed):
            self.forget(request)
            self.watcher.rescan_request(collection, request)

    def resolve(self, collection: Collection, request: Request, on_disk: str) -> bool:
        """Ask keep mine / take theirs / compare; True when the editor ends up in step
        with the file (saved, or the file's version taken).  The request's tab is
        brought forward first: the question is about it."""
        window = self.window
        tab = window.tab_of(request)
        if tab is not None:
            window.tabs.setCurrentWidget(tab)
        while True:
            choice = window.ask_file_conflict(request.name, request.path)
            if choice is ConflictChoice.COMPARE:
                mine = window.editor.to_model()
                mine.name = request.name
                diff = unified_diff(on_disk, request_to_yaml(mine), request.path)
                window.show_file_diff(f"{request.name}: the file and your version", diff)
                continue
            if choice is ConflictChoice.KEEP_MINE:
                self.forget(request)
                return window.save_current(force=True)
            if choice is ConflictChoice.TAKE_THEIRS:
                self.take_theirs(collection, request)
                return True
            return False

    def take_theirs(self, collection: Collection, request: Request) -> None:
        """Drop the editor's edits; the file's version is read and shown."""
        self.forget(request)
        tab = self.window.tab_of(request)
        if tab is not None:
            tab.editor.load_model(request)
        self.watcher.rescan_request(collection, request)

    def save_refused(
        self, collection: Collection, request: Request, error: FileChangedOnDisk
    ) -> bool:
        """A save found the file changed (the watcher had not said so yet): ask."""
        return self.resolve(collection, request, _read_text(error.path))


def _read_text(path: Path) -> str:
    """The file as it is now, for "compare" (one small file, read when the user saves)."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return f"(the file cannot be read: {exc})\n"
