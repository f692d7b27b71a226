"""Asking what to do when a request's file changed outside Courier while it was edited.

Keep mine (save over it), take theirs (drop the edits, show the file), or
compare (a unified diff of the file on disk and what Courier would write)
first.  The window calls these through its own methods so tests hand in fakes.
"""

from __future__ import annotations

import difflib
import enum
from pathlib import Path

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.ui.dialogs import Role, ask_choice


class ConflictChoice(enum.StrEnum):
    KEEP_MINE = "keep-mine"
    TAKE_THEIRS = "take-theirs"
    COMPARE = "compare"
    #: closed the question: nothing changes now, the next save asks again
    LATER = "later"


def ask_file_conflict(parent: QWidget, name: str, path: Path | None) -> ConflictChoice:
    choice = ask_choice(
        parent,
        icon=QMessageBox.Icon.Warning,
        title="Changed outside Courier",
        text=f"“{name}” was changed outside Courier, and you have unsaved edits.",
        informative=(
            f"{path}\n\nKeep your version (the file is overwritten), take the file's version "
            "(your edits are dropped), or compare them first."
            if path is not None
            else "Keep your version, take the file's version, or compare them first."
        ),
        choices=[
            ("Keep mine", Role.AcceptRole, ConflictChoice.KEEP_MINE),
            ("Take theirs", Role.DestructiveRole, ConflictChoice.TAKE_THEIRS),
            ("Compare…", Role.ActionRole, ConflictChoice.COMPARE),
        ],
        default=ConflictChoice.COMPARE,
    )
    return choice if choice is not None else ConflictChoice.LATER


def unified_diff(on_disk: str, mine: str, path: Path | None) -> str:
    """The file on disk (``-``) against what Courier would write (``+``)."""
    name = path.name if path is not None else "request"
    lines = difflib.unified_diff(
        on_disk.splitlines(keepends=True),
        mine.splitlines(keepends=True),
        fromfile=f"{name} (on disk)",
        tofile=f"{name} (yours)",
    )
    text = "".join(line if line.endswith("\n") else line + "\n" for line in lines)
    return text or "The file on disk and your version are the same.\n"


class FileDiffDialog(QDialog):
    """A read-only unified diff in a fixed-width font."""

    def __init__(self, title: str, diff: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        label = QLabel("Lines starting with - are in the file; + are yours.", self)
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("fileDiff")
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setPlainText(diff)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(760, 520)


def show_file_diff(parent: QWidget, title: str, diff: str) -> None:
    FileDiffDialog(title, diff, parent).exec()
