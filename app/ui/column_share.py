"""A name column that gives way in a narrow table.

Tables of name/value rows (headers, params, variables) open their name column at a
comfortable width; in a narrow editor or dialog that width left the value column a
sliver ("{{$d…", "dem…").  ``NameColumnFit`` caps the name column at a share of
the table's width whenever the table is resized (its owner calls ``fit`` from its
viewport's resize), until the user drags the column themselves.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QTableView


class NameColumnFit:
    def __init__(self, table: QTableView, column: int, preferred: int, share: float = 0.4) -> None:
        self._table = table
        self._column = column
        self._preferred = preferred
        self._share = share
        self._adjusting = False
        #: the user dragged the column: its width is theirs from then on
        self.user_sized = False
        table.horizontalHeader().sectionResized.connect(self._on_section_resized)
        self.fit()

    def width_for(self, available: int) -> int:
        return max(1, min(self._preferred, int(available * self._share)))

    def fit(self) -> None:
        if self.user_sized:
            return
        self._adjusting = True
        try:
            width = self.width_for(self._table.viewport().width())
            self._table.horizontalHeader().resizeSection(self._column, width)
        finally:
            self._adjusting = False

    def _on_section_resized(self, column: int, _old: int, _new: int) -> None:
        dragging = QGuiApplication.mouseButtons() & Qt.MouseButton.LeftButton
        if column == self._column and not self._adjusting and dragging:
            self.user_sized = True
