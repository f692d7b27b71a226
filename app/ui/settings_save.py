"""Saving what the settings dialog holds, without ever losing what the user typed.

A collection's or folder's settings (and the collection's environments) are
saved from the dialog's values.  If a file changed outside Courier since it
was read, the save is refused (``FileChangedOnDisk``) and the user gets the
question a request save asks: keep mine (save again over it), take theirs
(read the file; the dialog reopens with its content) or compare.  On any
failure the model goes back to what the files hold, and the caller reopens the
same dialog, which still holds every edit.
"""

from __future__ import annotations

import copy
import enum
from pathlib import Path
from typing import TYPE_CHECKING

from app.core.codec import collection_to_yaml, environment_to_yaml, folder_to_yaml
from app.core.errors import CourierError, FileChangedOnDisk
from app.core.model import Collection, Folder
from app.ui.file_conflict import ConflictChoice, unified_diff
from app.ui.settings_dialog import SettingsDialog

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

#: what the dialog edits (``SettingsDialog.apply_to``), put back when a save fails
EDITED = ("base_url", "notes", "headers", "auth", "variables", "settings")


class Outcome(enum.Enum):
    SAVED = "saved"
    #: the user took the file's version: reopen the dialog on what the model now holds
    RELOADED = "reloaded"
    #: not saved: reopen the same dialog (its edits intact), or let the user cancel
    EDITING = "editing"


def save_from_dialog(
    window: MainWindow, collection: Collection, target: Collection | Folder, dialog: SettingsDialog
) -> Outcome:
    """Save the dialog's values into ``target``; ask about files changed outside."""
    force = False
    while True:
        try:
            _save(window, collection, target, dialog, force=force)
        except FileChangedOnDisk as exc:
            choice = _ask(window, target, dialog, exc.path)
            if choice is ConflictChoice.KEEP_MINE:
                force = True
                continue
            if choice is ConflictChoice.TAKE_THEIRS:
                try:
                    window.workspace.take_theirs(collection, [exc.path])
                except CourierError as error:
                    window.show_error(error.title, error.message)
                    return Outcome.EDITING
                return Outcome.RELOADED
            return Outcome.EDITING
        except CourierError as exc:
            window.show_error(exc.title, exc.message)
            return Outcome.EDITING
        return Outcome.SAVED


def _save(
    window: MainWindow,
    collection: Collection,
    target: Collection | Folder,
    dialog: SettingsDialog,
    *,
    force: bool,
) -> None:
    # a shallow copy keeps the objects ``apply_to`` replaces: what the file holds now
    before = copy.copy(target)
    dialog.apply_to(target)
    workspace = window.workspace
    try:
        if isinstance(target, Collection):
            assert isinstance(before, Collection)
            workspace.save_collection_settings(target, before=before, force=force)
        else:
            assert isinstance(before, Folder)
            workspace.save_folder_settings(collection, target, before=before, force=force)
    except CourierError:
        for name in EDITED:
            if hasattr(before, name):
                setattr(target, name, getattr(before, name))
        raise
    if isinstance(target, Collection):
        environments, _added, removed = dialog.edited_environments()
        workspace.replace_environments(target, environments, removed, force=force)


def _ask(
    window: MainWindow, target: Collection | Folder, dialog: SettingsDialog, path: Path
) -> ConflictChoice:
    """Keep mine / take theirs / compare, asked until it is not "compare"."""
    while True:
        choice = window.ask_file_conflict(target.name, path)
        if choice is not ConflictChoice.COMPARE:
            return choice
        diff = unified_diff(_read_text(path), _mine(target, dialog, path), path)
        window.show_file_diff(f"{target.name}: the file and your version", diff)


def _mine(target: Collection | Folder, dialog: SettingsDialog, path: Path) -> str:
    """What Courier would write to ``path`` from the dialog's values."""
    for env in dialog.edited_environments()[0]:
        if env.path == path:
            return environment_to_yaml(env)
    mine = copy.copy(target)
    dialog.apply_to(mine)
    if isinstance(mine, Collection):
        return collection_to_yaml(mine)
    return folder_to_yaml(mine)


def _read_text(path: Path) -> str:
    """The file as it is now, for "compare" (one small file, read when asked)."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return f"(the file cannot be read: {exc})\n"
