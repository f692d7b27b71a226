"""What the sidebar's context menu (and Tools menu) does to collections and folders.

New, rename, duplicate, delete, move, reload, close, settings and cookies:
each asks what it needs (``ask_name``, ``ask_delete``: tests answer them by
replacing these methods), calls the workspace (which changes the files), and
keeps the window's editor and the sidebar's selection in step.  Failures become
a message, never an exception.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QInputDialog, QMessageBox

from app.core import storage
from app.core.errors import CourierError
from app.core.model import Collection, Folder, Request
from app.ui.collection_tree import Node
from app.ui.cookie_manager import CookieManager
from app.ui.settings_dialog import SettingsDialog
from app.ui.settings_save import Outcome, save_from_dialog

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow


#: the sidebar actions that write into the collection's folder
_WRITES = frozenset(("new-request", "new-folder", "rename", "duplicate", "delete"))


class CollectionActions:
    def __init__(self, window: MainWindow) -> None:
        self.window = window
        window.sidebar.moveRequested.connect(self.move)

    # -------------------------------------------------------------- prompts

    def ask_name(self, title: str, label: str, text: str) -> str | None:
        """A name typed by the user (None: cancelled or left empty)."""
        name, ok = QInputDialog.getText(self.window, title, label, text=text)
        return name.strip() if ok and name.strip() else None

    def ask_delete(self, text: str) -> bool:
        """Whether the user confirms a deletion described by ``text``."""
        answer = QMessageBox.question(self.window, "Delete", text)
        return answer == QMessageBox.StandardButton.Yes

    def on_node_action(self, action: str, node: Node) -> None:
        collection = node.collection()
        obj = node.obj
        if collection.foreign and action in _WRITES:
            self.window.foreign.offer(collection)  # another tool's folder: convert first
            return
        try:
            if action == "new-request":
                self.new_request_in(collection, obj if isinstance(obj, Folder) else None)
            elif action == "new-folder":
                self.new_folder_in(collection, obj if isinstance(obj, Folder) else None)
            elif action == "rename":
                self.rename(collection, node)
            elif action == "duplicate" and isinstance(obj, Request | Folder):
                copy = self.window.workspace.duplicate(collection, obj)
                self.window.sidebar.select(copy)
            elif action == "delete" and isinstance(obj, Request | Folder):
                self.delete(collection, obj)
            elif action == "settings" and isinstance(obj, Collection | Folder):
                self.edit_settings(collection, obj)
            elif action == "reload":
                self.reload(collection)
            elif action == "close":
                self.close_collection(collection)
        except CourierError as exc:
            self.window.show_error(exc.title, exc.message)

    def show_cookies(self) -> None:
        collection = self.window.current_collection
        if collection is None:
            self.window.show_error(
                "No collection", "Cookies are kept per collection: open a request of one first."
            )
            return
        CookieManager(self.window.sends, collection.id, collection.name, self.window).exec()

    def settings_of_current(self) -> None:
        if self.window.current_collection is None:
            self.window.show_error("No collection", "Open a request of a collection first.")
            return
        self.edit_settings(self.window.current_collection, self.window.current_collection)

    def edit_settings(self, collection: Collection, target: Collection | Folder) -> None:
        """Open the settings of a collection or folder; save what the user changed.

        A save that fails (a file changed outside Courier, the keychain refused)
        reopens the dialog with the user's edits; taking the file's version
        reopens it with the file's content (``app.ui.settings_save``).
        """
        dialog = SettingsDialog(target, self.window)
        while self.window.run_settings_dialog(dialog):
            if collection.foreign:  # another tool's folder: shown, saved only once converted
                self.window.foreign.offer(collection)
                return
            outcome = save_from_dialog(self.window, collection, target, dialog)
            if outcome is Outcome.SAVED:
                self.window.show_inherited()
                self.window.fill_environments()
                self.window.statusBar().showMessage(f"Saved the settings of {target.name}", 4000)
                return
            if outcome is Outcome.RELOADED:
                dialog = SettingsDialog(target, self.window)
        self.window.show_inherited()
        self.window.fill_environments()

    def new_request_in(self, collection: Collection, folder: Folder | None) -> None:
        name = self.ask_name("New request", "Name", "New request")
        if name is None:
            return
        if not self.window.may_leave_current():
            return
        request = self.window.workspace.add_request(collection, folder, Request(name=name))
        self.window.sidebar.select(request)
        self.window.show_request(collection, request)
        self.window.editor.focus_url()

    def new_folder_in(self, collection: Collection, parent: Folder | None) -> None:
        name = self.ask_name("New folder", "Name", "New folder")
        if name is not None:
            folder = self.window.workspace.add_folder(collection, parent, name)
            self.window.sidebar.select(folder)

    def rename(self, collection: Collection, node: Node) -> None:
        obj = node.obj
        if not isinstance(obj, Collection | Folder | Request):
            return
        name = self.ask_name("Rename", "New name", obj.name)
        if name is None or name == obj.name:
            return
        if isinstance(obj, Collection):
            self.window.workspace.rename_collection(collection, name)
        else:
            self.window.workspace.rename(collection, obj, name)
        if obj is self.window.current_request:
            self.window.update_title()
        self.window.sidebar.select(obj)

    def delete(self, collection: Collection, item: Request | Folder) -> None:
        kind = "request" if isinstance(item, Request) else "folder and everything in it"
        text = f"Delete the {kind} “{item.name}”? This removes its files from disk."
        unshown = storage.unshown_files(collection, item) if isinstance(item, Folder) else []
        if unshown:
            names = "\n".join(f"  {p.relative_to(item.path or p.parent)}" for p in unshown[:20])
            more = f"\n  … and {len(unshown) - 20} more" if len(unshown) > 20 else ""
            text += (
                f"\n\nIt also deletes {len(unshown)} file(s) that Courier does not show:"
                f"\n{names}{more}"
            )
        if not self.ask_delete(text):
            return
        showing_deleted = self.window.current_collection is collection and (
            item is self.window.current_request
            or (isinstance(item, Folder) and _contains(item, self.window.current_request))
        )
        self.window.workspace.delete(collection, item, also_delete=unshown)
        if showing_deleted:
            self.window.show_scratch()

    def move(self, collection: Collection, item: object, target: object, index: int) -> None:
        """A drag and drop in the sidebar: move the item's file (or only its place in the
        order), then select it where it landed.  The request in the editor stays the
        same object, its path following the file."""
        if not isinstance(item, Request | Folder) or not isinstance(target, Collection | Folder):
            return
        if collection.foreign:
            self.window.foreign.offer(collection)
            return
        try:
            self.window.workspace.move(
                collection, item, target if isinstance(target, Folder) else None, index
            )
        except CourierError as exc:
            self.window.show_error(exc.title, exc.message)
            return
        self.window.sidebar.select(item)
        if item is self.window.current_request or (
            isinstance(item, Folder) and _contains(item, self.window.current_request)
        ):
            self.window.update_title()

    def reload(self, collection: Collection) -> None:
        """Read the collection again from disk (in the background)."""
        if self.window.current_collection is collection and not self.window.may_leave_current():
            return
        self.window.run_in_background(self._reload(collection))

    async def _reload(self, collection: Collection) -> None:
        try:
            fresh = await self.window.workspace.reload_collection_async(collection)
        except CourierError as exc:
            self.window.show_error(exc.title, exc.message)
            return
        if self.window.current_collection is collection:
            self.window.show_scratch()
        self.window.sidebar.select(fresh)

    def close_collection(self, collection: Collection) -> None:
        if self.window.current_collection is collection:
            if not self.window.may_leave_current():
                return
            self.window.show_scratch()
        self.window.workspace.close_collection(collection)


def _contains(folder: Folder, request: Request) -> bool:
    if any(r is request for r in folder.requests):
        return True
    return any(_contains(sub, request) for sub in folder.folders)
