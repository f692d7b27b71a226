"""The cookie manager: a collection's saved cookies, to view, edit, delete or clear.

The dialog talks to a ``CookieAccess`` (the send service in the app), so it
never touches the network layer itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.net.cookie_jar import CookieRow

COLUMNS = ("Domain", "Path", "Name", "Value", "Expires")
VALUE_COLUMN = 3


class CookieAccess(Protocol):
    def cookie_rows(self, key: str) -> list[CookieRow]: ...

    def set_cookie(self, key: str, row: CookieRow) -> None: ...

    def delete_cookie(self, key: str, row: CookieRow) -> None: ...

    def clear_cookies(self, key: str) -> None: ...

    def keep_session_cookies(self) -> bool: ...

    def set_keep_session_cookies(self, keep: bool) -> None: ...


def expires_text(expires: int | None) -> str:
    if expires is None:
        return "end of session"
    return dt.datetime.fromtimestamp(expires, tz=dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


class CookieManager(QDialog):
    def __init__(
        self, access: CookieAccess, key: str, title: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.access = access
        self.key = key
        self.setWindowTitle(f"Cookies — {title}")
        self.resize(760, 420)
        self._rows: list[CookieRow] = []
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(
            VALUE_COLUMN, QHeaderView.ResizeMode.Stretch
        )
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.itemChanged.connect(self._on_edit)
        note = QLabel(
            "Kept in Courier's data folder for this collection, not in the collection files. "
            "Double-click a value to edit it.",
            self,
        )
        note.setObjectName("hint")
        note.setWordWrap(True)
        self.keep_session = QCheckBox(
            "Keep session cookies after Courier quits (all collections)", self
        )
        self.keep_session.setToolTip(
            "Cookies without an expiry date end with the run, as in a browser, "
            "unless this is checked."
        )
        self.keep_session.setChecked(access.keep_session_cookies())
        self.keep_session.toggled.connect(access.set_keep_session_cookies)
        delete = QPushButton("Delete", self)
        delete.clicked.connect(self.delete_selected)
        clear = QPushButton("Clear all", self)
        clear.clicked.connect(self.clear_all)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(delete)
        buttons.addWidget(clear)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.keep_session)
        layout.addLayout(buttons)
        self.refresh()

    def refresh(self) -> None:
        self._rows = self.access.cookie_rows(self.key)
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        for row in self._rows:
            r = self.table.rowCount()
            self.table.insertRow(r)
            texts = (row.domain, row.path, row.name, row.value, expires_text(row.expires))
            for column, text in enumerate(texts):
                item = QTableWidgetItem(text)
                if column != VALUE_COLUMN:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(r, column, item)
        self.table.blockSignals(False)

    def _on_edit(self, item: QTableWidgetItem) -> None:
        if item.column() == VALUE_COLUMN and 0 <= item.row() < len(self._rows):
            row = self._rows[item.row()]
            self.access.set_cookie(self.key, replace(row, value=item.text()))
            self.refresh()

    def delete_selected(self) -> None:
        rows = sorted({index.row() for index in self.table.selectedIndexes()}, reverse=True)
        for r in rows:
            self.access.delete_cookie(self.key, self._rows[r])
        self.refresh()

    def clear_all(self) -> None:
        self.access.clear_cookies(self.key)
        self.refresh()
