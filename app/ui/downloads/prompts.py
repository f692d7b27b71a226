"""The questions a download asks: where to, replace or keep both, keep the part or not.

Plain functions of a parent widget, so the window (and the panel) hold them as
attributes that tests replace with answers.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QWidget

from app.ui.dialogs import Role, ask_choice


class ExistingFile(Enum):
    REPLACE = "replace"
    KEEP_BOTH = "keep both"


class PartialFile(Enum):
    KEEP = "keep"
    DELETE = "delete"


def ask_destination(parent: QWidget, suggested: Path) -> Path | None:
    """A save dialog in the suggested folder with the suggested name (None: cancelled).

    The dialog's own overwrite question is off: ``ask_existing`` asks it, with a
    "keep both" answer the platform dialog does not have.
    """
    path, _filter = QFileDialog.getSaveFileName(
        parent,
        "Download to a file",
        str(suggested),
        options=QFileDialog.Option.DontConfirmOverwrite,
    )
    return Path(path) if path else None


def ask_existing(parent: QWidget, path: Path) -> ExistingFile | None:
    """``path`` exists: replace it, keep both (the download gets " (1)"), or cancel."""
    return ask_choice(
        parent,
        icon=QMessageBox.Icon.Question,
        title="The file exists",
        text=f"“{path.name}” already exists in {path.parent}.",
        informative="Replace it with the download, or keep both "
        "(the download is saved under a numbered name)?",
        choices=[
            ("Replace", Role.DestructiveRole, ExistingFile.REPLACE),
            ("Keep both", Role.AcceptRole, ExistingFile.KEEP_BOTH),
        ],
        default=ExistingFile.KEEP_BOTH,
    )


def ask_partial_file(parent: QWidget, name: str) -> PartialFile | None:
    """Cancelling ``name``: keep what arrived (it can be resumed later) or delete it."""
    return ask_choice(
        parent,
        icon=QMessageBox.Icon.Question,
        title="Cancel the download",
        text=f"Cancel the download of “{name}”?",
        informative="Keep the partial file (NAME.part, resumable by downloading to the "
        "same file again) or delete it?",
        choices=[
            ("Keep the partial file", Role.AcceptRole, PartialFile.KEEP),
            ("Delete it", Role.DestructiveRole, PartialFile.DELETE),
        ],
        default=PartialFile.KEEP,
        cancel="Don't cancel",
    )


def ask_sha256(parent: QWidget, name: str) -> str | None:
    """The SHA-256 the user expects of ``name`` (pasted from a website, say)."""
    text, ok = QInputDialog.getText(
        parent, "Verify the SHA-256", f"The SHA-256 “{name}” should have (hex):"
    )
    return text if ok and text.strip() else None


def ask_quit_with_downloads(parent: QWidget, count: int) -> bool:
    """Closing with downloads running: they are paused (parts kept) and resume next time."""
    noun = "download is" if count == 1 else "downloads are"
    answer = QMessageBox.question(
        parent,
        "Downloads are running",
        f"{count} {noun} running. Quitting pauses them and keeps what has arrived; "
        "resume them from the Downloads panel next time.",
        QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Ok,
    )
    return answer == QMessageBox.StandardButton.Ok
