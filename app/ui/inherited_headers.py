"""The headers a request inherits (collection, folders), greyed, with where each
comes from; unticking one switches it off for this request only."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

GREY = QColor("#8b92a0")


class InheritedHeaders(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        #: lower-cased name -> the spelling to write to the file
        self._disabled: dict[str, str] = {}
        self.title = QLabel("Inherited headers", self)
        self.title.setObjectName("hint")
        self.table = QTableWidget(0, 3, self)
        self.table.setHorizontalHeaderLabels(["Header", "Value", "From"])
        self.table.verticalHeader().setVisible(False)
        self.table.setShowGrid(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemChanged.connect(self._on_item_changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.table)
        self.setVisible(False)

    def set_rows(self, rows: list[tuple[str, str, str]]) -> None:
        with QSignalBlocker(self.table):
            self.table.setRowCount(0)
            for name, value, source in rows:
                r = self.table.rowCount()
                self.table.insertRow(r)
                name_item = QTableWidgetItem(name)
                name_item.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
                checked = name.lower() not in self._disabled
                name_item.setCheckState(
                    Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
                )
                name_item.setToolTip("Untick to not send this header with this request")
                self.table.setItem(r, 0, name_item)
                for column, text in ((1, value), (2, source)):
                    item = QTableWidgetItem(text)
                    item.setForeground(GREY)
                    item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                    self.table.setItem(r, column, item)
                name_item.setForeground(GREY)
        self.setVisible(bool(rows))

    def set_disabled(self, names: list[str]) -> None:
        self._disabled = {n.lower(): n for n in names}
        with QSignalBlocker(self.table):
            for r in range(self.table.rowCount()):
                item = self.table.item(r, 0)
                if item is not None:
                    off = item.text().lower() in self._disabled
                    item.setCheckState(Qt.CheckState.Unchecked if off else Qt.CheckState.Checked)

    def disabled(self) -> list[str]:
        """Names switched off, in the order they were switched off (stable files)."""
        return list(self._disabled.values())

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if item.column() != 0:
            return
        name = item.text()
        if item.checkState() == Qt.CheckState.Checked:
            self._disabled.pop(name.lower(), None)
        else:
            self._disabled.setdefault(name.lower(), name)
        self.changed.emit()
