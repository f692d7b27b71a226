"""An editable table of variables: on/off, name, value, and a secret switch.

A secret variable's value is masked here and lives in the OS keychain; the
collection file keeps its name only.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.model import Variable
from app.core.unknown_secret import is_unknown
from app.ui.column_share import NameColumnFit

ENABLED, NAME, VALUE, SECRET = range(4)
MASK = "••••••••"
#: a secret the keychain could not give (locked, or no keychain): unknown, not empty
LOCKED = "🔒 locked in keychain"
#: a secret value's tooltip (never the value)
SECRET_TIP = "Secret: kept in your OS keychain. Double-click to see and edit it."
LOCKED_TIP = "Secret locked in the keychain: kept as it is until you type a new value."


class VariablesTable(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._secret_values: dict[int, str] = {}
        self.table = QTableWidget(0, 4, self)
        self.table.setHorizontalHeaderLabels(["", "Variable", "Value", "Secret"])
        self.table.verticalHeader().setVisible(False)
        self.table.setShowGrid(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(ENABLED, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(VALUE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(SECRET, QHeaderView.ResizeMode.ResizeToContents)
        self._name_fit = NameColumnFit(self.table, NAME, 180)
        self.table.viewport().installEventFilter(self)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.table.itemChanged.connect(self._on_item_changed)
        add = QPushButton("Add variable", self)
        add.clicked.connect(lambda: self._append(Variable(""), edit=True))
        remove = QPushButton("Remove", self)
        remove.clicked.connect(self._remove_current)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self._name_fit.fit()  # the name column gives way in a narrow table
        return super().eventFilter(watched, event)

    def set_variables(self, variables: list[Variable]) -> None:
        with QSignalBlocker(self.table):
            self.table.setRowCount(0)
            for var in variables:
                self._append(var)

    def _append(self, var: Variable, *, edit: bool = False) -> None:
        with QSignalBlocker(self.table):
            r = self.table.rowCount()
            self.table.insertRow(r)
            on = QTableWidgetItem()
            on.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            on.setCheckState(Qt.CheckState.Checked if var.enabled else Qt.CheckState.Unchecked)
            self.table.setItem(r, ENABLED, on)
            name = QTableWidgetItem(var.name)
            name.setToolTip(var.name)  # whole, where the column elides it
            self.table.setItem(r, NAME, name)
            value = QTableWidgetItem(var.value)
            value.setData(Qt.ItemDataRole.UserRole, var.value)
            self.table.setItem(r, VALUE, value)
            secret = QTableWidgetItem()
            secret.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            secret.setCheckState(Qt.CheckState.Checked if var.secret else Qt.CheckState.Unchecked)
            secret.setToolTip("Keep the value in the OS keychain, never in the file")
            self.table.setItem(r, SECRET, secret)
            self._mask(r)
        if edit:
            self.table.setCurrentCell(r, NAME)
            name_item = self.table.item(r, NAME)
            if name_item is not None:
                self.table.editItem(name_item)
            self.changed.emit()

    def _is_secret(self, r: int) -> bool:
        item = self.table.item(r, SECRET)
        return item is not None and item.checkState() == Qt.CheckState.Checked

    def _mask(self, r: int) -> None:
        """Secret values show as dots until edited (double-click shows and edits)."""
        item = self.table.item(r, VALUE)
        if item is None:
            return
        real = item.data(Qt.ItemDataRole.UserRole) or ""
        with QSignalBlocker(self.table):
            if is_unknown(real):
                item.setText(LOCKED)  # kept as it is in the keychain until a value is typed
                item.setToolTip(LOCKED_TIP)
            elif self._is_secret(r):
                item.setText(MASK if real else "")
                item.setToolTip(SECRET_TIP)
            else:
                item.setText(real)
                item.setToolTip(real)  # whole, where the column elides it

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        r = item.row()
        if item.column() == VALUE and item.text() not in (MASK, LOCKED):
            with QSignalBlocker(self.table):
                item.setData(Qt.ItemDataRole.UserRole, item.text())
            self._mask(r)
        elif item.column() == SECRET:
            self._mask(r)
        elif item.column() == NAME:
            with QSignalBlocker(self.table):
                item.setToolTip(item.text())
        self.changed.emit()

    def _remove_current(self) -> None:
        r = self.table.currentRow()
        if r >= 0:
            self.table.removeRow(r)
            self.changed.emit()

    def variables(self) -> list[Variable]:
        out = []
        for r in range(self.table.rowCount()):
            name_item = self.table.item(r, NAME)
            value_item = self.table.item(r, VALUE)
            on_item = self.table.item(r, ENABLED)
            name = name_item.text().strip() if name_item else ""
            if not name:
                continue
            value = (value_item.data(Qt.ItemDataRole.UserRole) or "") if value_item else ""
            enabled = on_item is None or on_item.checkState() == Qt.CheckState.Checked
            out.append(Variable(name, str(value), enabled, self._is_secret(r)))
        return out

    def set_value(self, row: int, value: str) -> None:
        """Type a value into a row (as a user would)."""
        item = self.table.item(row, VALUE)
        if item is not None:
            item.setText(value)
