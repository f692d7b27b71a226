"""Body editors for uploads: one file, or multipart form data.

They edit paths as typed (relative ones are relative to the request's file,
``{{variables}}`` allowed); nothing here opens the files, the engine streams
them when the request is sent.  The Browse… buttons ask ``choose_file`` (a
file dialog; tests hand in a fake) for a path.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.model import FormPart, PartKind

#: asks the user for a file to send: (parent, current path) -> path, "" when cancelled
FileChooser = Callable[[QWidget, str], str]

ENABLED, NAME, KIND, VALUE, BROWSE, CONTENT_TYPE, FILE_NAME, REMOVE = range(8)
_HEADERS = ("", "Name", "Type", "Value or file", "", "Content type", "File name", "")
#: the columns a user may widen, as they start; the value column takes the rest
_START_WIDTHS = {NAME: 110, CONTENT_TYPE: 120, FILE_NAME: 100}
MIN_VALUE_WIDTH = 160


def choose_with_dialog(parent: QWidget, current: str) -> str:
    path, _filter = QFileDialog.getOpenFileName(parent, "Choose a file to send", current)
    return path


class FileBodyEditor(QWidget):
    """A file body: its path (Browse…) and an optional content type."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choose_file: FileChooser = choose_with_dialog
        self.path = QLineEdit(self)
        self.path.setObjectName("uploadPath")
        self.path.setPlaceholderText(
            "File to send, e.g. fixtures/report.pdf (relative to the request file)"
        )
        self.path.textEdited.connect(self.changed)
        self.browse = QPushButton("Browse…", self)
        self.browse.clicked.connect(self._browse)
        self.content_type = QLineEdit(self)
        self.content_type.setPlaceholderText(
            "guessed from the extension, else application/octet-stream"
        )
        self.content_type.textEdited.connect(self.changed)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(self.browse)
        form = QFormLayout(self)
        form.setContentsMargins(0, 4, 0, 0)
        form.addRow("File", path_row)
        form.addRow("Content type", self.content_type)

    def set_file(self, path: str, content_type: str) -> None:
        self.path.setText(path)
        self.content_type.setText(content_type)

    def file(self) -> tuple[str, str]:
        return self.path.text().strip(), self.content_type.text().strip()

    def _browse(self) -> None:
        chosen = self.choose_file(self, self.path.text())
        if chosen:
            self.path.setText(chosen)
            self.changed.emit()


class MultipartTable(QWidget):
    """Multipart form data: one row per part, text or file, each switchable off."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choose_file: FileChooser = choose_with_dialog
        self._loading = False
        self.table = QTableWidget(0, len(_HEADERS), self)
        self.table.setObjectName("multipartTable")
        self.table.setHorizontalHeaderLabels(list(_HEADERS))
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        for column in (ENABLED, KIND, BROWSE, REMOVE):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        for column, width in _START_WIDTHS.items():
            header.resizeSection(column, width)
        self.table.itemChanged.connect(self._on_item_changed)
        self.add_button = QPushButton("Add part", self)
        self.add_button.clicked.connect(self._add_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """The value (text or path) gets the room that is left, never less than
        ``MIN_VALUE_WIDTH``: a narrow editor scrolls sideways to content type
        and file name rather than squeezing what the user types to "…"."""
        super().resizeEvent(event)
        header = self.table.horizontalHeader()
        others = sum(header.sectionSize(c) for c in range(len(_HEADERS)) if c != VALUE)
        room = self.table.viewport().width() - others
        header.resizeSection(VALUE, max(MIN_VALUE_WIDTH, room))

    # ------------------------------------------------------------------ API

    def set_parts(self, parts: list[FormPart]) -> None:
        self._loading = True
        try:
            with QSignalBlocker(self.table):
                self.table.setRowCount(0)
                for part in parts:
                    self.add_part(part)
        finally:
            self._loading = False

    def add_part(self, part: FormPart) -> int:
        row = self.table.rowCount()
        with QSignalBlocker(self.table):
            self.table.insertRow(row)
            enabled = QTableWidgetItem()
            enabled.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            enabled.setCheckState(
                Qt.CheckState.Checked if part.enabled else Qt.CheckState.Unchecked
            )
            enabled.setToolTip("Send this part")
            self.table.setItem(row, ENABLED, enabled)
            for column, text in (
                (NAME, part.name),
                (VALUE, part.value),
                (CONTENT_TYPE, part.content_type),
                (FILE_NAME, part.file_name),
            ):
                self.table.setItem(row, column, QTableWidgetItem(text))
            kind = QComboBox(self.table)
            kind.addItem("Text", PartKind.TEXT.value)
            kind.addItem("File", PartKind.FILE.value)
            kind.setCurrentIndex(1 if part.kind is PartKind.FILE else 0)
            kind.currentIndexChanged.connect(self._on_kind_changed)
            self.table.setCellWidget(row, KIND, kind)
            browse = QToolButton(self.table)
            browse.setText("…")
            browse.setToolTip("Choose the file")
            browse.clicked.connect(lambda: self._browse(browse))
            self.table.setCellWidget(row, BROWSE, browse)
            remove = QToolButton(self.table)
            remove.setText("✕")
            remove.setToolTip("Remove this part")
            remove.clicked.connect(lambda: self._remove(remove))
            self.table.setCellWidget(row, REMOVE, remove)
        self._show_kind(row)
        if not self._loading:
            self.changed.emit()
        return row

    def parts(self) -> list[FormPart]:
        return [self._part(row) for row in range(self.table.rowCount())]

    def set_kind(self, row: int, kind: PartKind) -> None:
        combo = self._kind_box(row)
        combo.setCurrentIndex(1 if kind is PartKind.FILE else 0)

    def browse_button(self, row: int) -> QToolButton:
        button = self.table.cellWidget(row, BROWSE)
        assert isinstance(button, QToolButton)
        return button

    # ------------------------------------------------------------ internals

    def _kind_box(self, row: int) -> QComboBox:
        combo = self.table.cellWidget(row, KIND)
        assert isinstance(combo, QComboBox)
        return combo

    def _text(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text() if item is not None else ""

    def _part(self, row: int) -> FormPart:
        kind = PartKind(self._kind_box(row).currentData())
        enabled = self.table.item(row, ENABLED)
        return FormPart(
            name=self._text(row, NAME),
            value=self._text(row, VALUE).strip()
            if kind is PartKind.FILE
            else self._text(row, VALUE),
            kind=kind,
            content_type=self._text(row, CONTENT_TYPE).strip(),
            file_name=self._text(row, FILE_NAME),
            enabled=enabled is None or enabled.checkState() == Qt.CheckState.Checked,
        )

    def _row_of(self, widget: QWidget) -> int:
        for row in range(self.table.rowCount()):
            for column in (KIND, BROWSE, REMOVE):
                if self.table.cellWidget(row, column) is widget:
                    return row
        return -1

    def _show_kind(self, row: int) -> None:
        """A file row offers Browse… and a file name; a text row has neither."""
        is_file = self._kind_box(row).currentData() == PartKind.FILE.value
        self.browse_button(row).setEnabled(is_file)
        value = self.table.item(row, VALUE)
        if value is not None:
            value.setToolTip("Path of the file to send" if is_file else "Text of the part")
        file_name = self.table.item(row, FILE_NAME)
        if file_name is not None:
            file_name.setToolTip(
                "Name the server sees (default: the file's name)" if is_file else "Optional"
            )

    def _on_kind_changed(self, _index: int) -> None:
        sender = self.sender()
        if isinstance(sender, QWidget):
            row = self._row_of(sender)
            if row >= 0:
                self._show_kind(row)
        self.changed.emit()

    def _on_item_changed(self, _item: QTableWidgetItem) -> None:
        if not self._loading:
            self.changed.emit()

    def _add_clicked(self) -> None:
        row = self.add_part(FormPart(""))
        self.table.setCurrentCell(row, NAME)
        item = self.table.item(row, NAME)
        if item is not None:
            self.table.editItem(item)

    def _browse(self, button: QToolButton) -> None:
        row = self._row_of(button)
        if row < 0:
            return
        chosen = self.choose_file(self, self._text(row, VALUE))
        if chosen:
            item = self.table.item(row, VALUE)
            if item is not None:
                item.setText(chosen)  # itemChanged says changed

    def _remove(self, button: QToolButton) -> None:
        row = self._row_of(button)
        if row >= 0:
            self.table.removeRow(row)
            self.changed.emit()
