"""Small dialogs of the main window: where to save a request, names, confirmations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QMessageBox,
    QWidget,
)

from app.core.model import Collection, Folder

_T = TypeVar("_T")
Role = QMessageBox.ButtonRole


def ask_choice(
    parent: QWidget | None,
    *,
    icon: QMessageBox.Icon,
    title: str,
    text: str,
    informative: str,
    choices: Sequence[tuple[str, QMessageBox.ButtonRole, _T]],
    default: _T,
    cancel: str = "",
) -> _T | None:
    """A question with one button per choice (label, role, answer) and a Cancel button
    (``cancel``: its label; "" the standard one); None when cancelled or closed."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.NoButton, parent)
    box.setInformativeText(informative)
    buttons = [(box.addButton(label, role), answer) for label, role, answer in choices]
    if cancel:
        box.addButton(cancel, Role.RejectRole)
    else:
        box.addButton(QMessageBox.StandardButton.Cancel)
    for button, answer in buttons:
        if answer == default:
            box.setDefaultButton(button)
    box.exec()
    clicked = box.clickedButton()
    return next((answer for button, answer in buttons if button is clicked), None)


def destinations(collections: list[Collection]) -> list[tuple[str, Collection, Folder | None]]:
    """Every place a request can be saved: each collection's top level and folders."""
    found: list[tuple[str, Collection, Folder | None]] = []

    def walk(collection: Collection, folders: list[Folder], prefix: str) -> None:
        for folder in folders:
            label = f"{prefix} / {folder.name}"
            found.append((label, collection, folder))
            walk(collection, folder.folders, label)

    for collection in collections:
        found.append((collection.name, collection, None))
        walk(collection, collection.folders, collection.name)
    return found


class SaveRequestDialog(QDialog):
    """Asks for a name and a collection/folder for a scratch request."""

    def __init__(
        self,
        collections: list[Collection],
        name: str,
        parent: QWidget | None = None,
        preferred: tuple[Collection, Folder | None] | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle("Save request")
        self.name_edit = QLineEdit(name, self)
        self.name_edit.selectAll()
        self.place = QComboBox(self)
        self._places = destinations(collections)
        for label, _collection, _folder in self._places:
            self.place.addItem(label)
        if preferred is not None:
            self.place.setCurrentIndex(self.index_of(*preferred))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QFormLayout(self)
        layout.addRow("Name", self.name_edit)
        layout.addRow("Save in", self.place)
        layout.addRow(buttons)
        self.resize(420, self.sizeHint().height())

    def index_of(self, collection: Collection, folder: Folder | None) -> int:
        """The row of a place ("Save in" proposes it), else the first."""
        for i, (_label, c, f) in enumerate(self._places):
            if c is collection and f is folder:
                return i
        return 0

    def choice(self) -> tuple[Collection, Folder | None, str]:
        _label, collection, folder = self._places[self.place.currentIndex()]
        return collection, folder, self.name_edit.text().strip() or "Untitled request"


def ask_unsaved(parent: QWidget, name: str) -> str:
    """'save', 'discard' or 'cancel' for a request with unsaved changes."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Unsaved changes")
    box.setText(f"“{name}” has unsaved changes.")
    box.setInformativeText("Save them before going on?")
    box.setStandardButtons(
        QMessageBox.StandardButton.Save
        | QMessageBox.StandardButton.Discard
        | QMessageBox.StandardButton.Cancel
    )
    box.setDefaultButton(QMessageBox.StandardButton.Save)
    answer = box.exec()
    if answer == QMessageBox.StandardButton.Save:
        return "save"
    if answer == QMessageBox.StandardButton.Discard:
        return "discard"
    return "cancel"
