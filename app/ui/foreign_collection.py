"""Another tool's collection (Posting, Bruno) opened in place: saving asks to convert.

Courier writes nothing into such a folder (the workspace refuses, see
``app.session.foreign``).  Ctrl+S on an edited request, and every sidebar action
that would write, asks "This is a Posting collection.  Convert it to a Courier
collection to save changes?"; Convert writes a Courier collection into a new
sibling folder the user confirms (``<name> (Courier)`` by default, in a worker),
opens it in place of the foreign one with every tab and its unsaved edits
following (the edit being saved is then saved into it); Cancel keeps the edit
unsaved.  The original folder is never touched.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QInputDialog, QMessageBox

from app.core.errors import CourierError
from app.core.model import Collection
from app.session.foreign import Converted, convert, convert_question, default_target

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow
    from app.ui.tabs import RequestTab


class ForeignCollections:
    """Conversions for one window."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        #: the conversion under way (tests wait on it)
        self.converting: asyncio.Future[Collection | None] | None = None

    # -------------------------------------------------------------- prompt

    def ask_convert(self, collection: Collection) -> Path | None:
        """Convert?  Then the new folder's name, next to the foreign one (None: cancel)."""
        assert collection.path is not None
        box = QMessageBox(
            QMessageBox.Icon.Question, "Convert to save", convert_question(collection),
            parent=self.window,
        )  # fmt: skip
        box.setInformativeText(
            f"Courier writes a new Courier collection next to it; {collection.path.name} "
            "itself stays as it is."
        )
        convert_button = box.addButton("Convert…", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        if box.clickedButton() is not convert_button:
            return None
        name, ok = QInputDialog.getText(
            self.window,
            "Convert to a Courier collection",
            f"New folder next to {collection.path.name}:",
            text=default_target(collection).name,
        )
        if not ok or not name.strip() or "/" in name:
            return None
        return collection.path.parent / name.strip()

    # ------------------------------------------------------------- actions

    def save_by_converting(self, tab: RequestTab) -> bool:
        """Ctrl+S on a request of a foreign collection: ask, then convert and save the
        tab's edit into the converted collection (in the background).  False now: the
        edit is not saved yet (or, cancelled, stays unsaved)."""
        collection = tab.collection
        assert collection is not None
        if self._busy():
            return False
        target = self.ask_convert(collection)
        if target is None:
            self.window.statusBar().showMessage(
                f"Not saved: {collection.name} is opened as it is (not converted).", 8000
            )
            return False
        self.converting = self.window.run_in_background(self._convert(collection, target, tab))
        return False

    def offer(self, collection: Collection) -> None:
        """A sidebar action that would write: ask, and convert (the action is not made:
        the user makes it again in the Courier collection)."""
        if self._busy():
            return
        target = self.ask_convert(collection)
        if target is not None:
            self.converting = self.window.run_in_background(self._convert(collection, target, None))

    def _busy(self) -> bool:
        """A conversion is under way (it is not asked about twice)."""
        if self.converting is None or self.converting.done():
            return False
        self.window.statusBar().showMessage("A conversion is under way…", 4000)
        return True

    # ------------------------------------------------------------- convert

    async def _convert(
        self, collection: Collection, target: Path, tab: RequestTab | None
    ) -> Collection | None:
        window = self.window
        window.statusBar().showMessage(f"Converting {collection.name} into {target}…")
        try:
            converted = await asyncio.to_thread(
                convert, window.workspace.session, collection, target
            )
        except (CourierError, OSError) as exc:
            text = exc.message if isinstance(exc, CourierError) else str(exc)
            window.show_error("Convert", f"{text} Nothing was saved.")
            return None
        if collection not in window.workspace.collections:
            return converted.collection  # closed meanwhile: the new folder stays
        self._switch(collection, converted)
        fresh = converted.collection
        if not converted.secrets_kept:
            window.show_error(
                "Convert",
                f"There is no working keychain, so the credentials of {collection.name} were "
                f"not kept in {target}: type them again there.",
            )
        if tab is not None and tab.collection is fresh and tab.is_modified():
            window.save_tab(tab)
        else:
            window.statusBar().showMessage(
                f"Converted {collection.name} into {target}; make the change there.", 10000
            )
        window.sidebar.select(fresh)
        return fresh

    def _switch(self, old: Collection, converted: Converted) -> None:
        """The converted collection replaces the foreign one: tabs first (each to its
        request's counterpart, unsaved edits kept), then the sidebar and the watcher."""
        requests = converted.requests
        self.window.rebind_tabs(old, converted.collection, lambda r: requests.get(id(r)))
        self.window.workspace.replace_converted(old, converted.collection)
