"""What the palette lists: command rows and request rows, in a list model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from app.core.model import Collection, Request
from app.ui.commands import Command

#: the row object (``CommandRow`` / ``RequestRow``) of an index
ROW_ROLE = Qt.ItemDataRole.UserRole + 1

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True, slots=True)
class CommandRow:
    command: Command
    #: positions in ``command.label`` that matched the query
    positions: tuple[int, ...]
    enabled: bool
    #: as the platform writes it (``Ctrl+K``); "" when the command has none
    shortcut: str


@dataclass(frozen=True, slots=True)
class RequestRow:
    collection: Collection
    request: Request
    #: "Collection / folder / sub"
    path: str
    #: positions matched in the name, method, URL and path
    positions: tuple[tuple[int, ...], ...]

    @property
    def enabled(self) -> bool:
        return True


PaletteRow = CommandRow | RequestRow


class PaletteModel(QAbstractListModel):
    """The rows on show; disabled commands are listed but neither selectable nor runnable."""

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[PaletteRow] = []

    def set_rows(self, rows: list[PaletteRow]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def rows(self) -> list[PaletteRow]:
        return self._rows

    def row_at(self, row: int) -> PaletteRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def flags(self, index: Index) -> Qt.ItemFlag:
        row = self.row_at(index.row())
        if row is None or not row.enabled:
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index.row())
        if row is None:
            return None
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.DisplayRole:
            if isinstance(row, CommandRow):
                return row.command.label
            return row.request.name
        if role == Qt.ItemDataRole.ToolTipRole and isinstance(row, RequestRow):
            return f"{row.request.method} {row.request.url}\n{row.path}"
        return None
