"""An editable table of name/value rows with an on/off switch per row.

Used for params, headers and form bodies.  An empty row is always waiting at
the bottom: typing into it adds a row.  A row can be switched off without
deleting it (sent nowhere, kept in the file).
"""

from __future__ import annotations

import functools

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSignalBlocker,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFontMetrics, QHelpEvent, QKeyEvent, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from app.core.model import KeyValue
from app.core.templating import find_variables
from app.ui import theme
from app.ui.column_share import NameColumnFit
from app.ui.variable_marks import Lookup, describe, resolved_colour, unresolved_colour

ENABLED, NAME, VALUE, REMOVE = range(4)


class _CellDelegate(QStyledItemDelegate):
    """Paints name/value cells: ``{{variables}}`` coloured (defined or not), a grey
    hint in the empty trailing row, and a tooltip with a variable's value."""

    def __init__(self, table: QTableWidget, hints: dict[int, str]) -> None:
        super().__init__(table)
        self._table = table
        self._hints = hints
        self.lookup: Lookup | None = None

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        text = index.data() or ""
        if self.lookup is None or "{{" not in text or index.column() not in self._hints:
            super().paint(painter, option, index)
            self._paint_hint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        painter.save()
        rect = option.rect.adjusted(6, 0, -4, 0)
        metrics = QFontMetrics(opt.font)
        x = rect.left()
        position = 0
        align = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft
        pieces: list[tuple[str, QColor]] = []
        normal = opt.palette.text().color()
        for span in find_variables(text):
            pieces.append((text[position : span.start], normal))
            defined = self.lookup(span.name)[0] is not None
            colour = resolved_colour() if defined else unresolved_colour()
            pieces.append((text[span.start : span.end], colour))
            position = span.end
        pieces.append((text[position:], normal))
        for piece, colour in pieces:
            if not piece or x >= rect.right():
                continue
            painter.setPen(colour)
            width = metrics.horizontalAdvance(piece)
            painter.drawText(QRect(x, rect.top(), rect.right() - x, rect.height()), align, piece)
            x += width
        painter.restore()

    def _paint_hint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        hint = self._hints.get(index.column())
        if hint and index.row() == self._table.rowCount() - 1 and not index.data():
            painter.save()
            painter.setPen(option.palette.placeholderText().color())
            rect = option.rect.adjusted(6, 0, -4, 0)
            painter.drawText(rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, hint)
            painter.restore()

    def helpEvent(
        self,
        event: QHelpEvent,
        view: QAbstractItemView,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        text = index.data() or ""
        spans = find_variables(text) if self.lookup is not None else []
        if spans and self.lookup is not None:
            QToolTip.showText(
                event.globalPos(), "\n".join(describe(s.name, self.lookup) for s in spans), view
            )
            return True
        return super().helpEvent(event, view, option, index)


class _Table(QTableWidget):
    deletePressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Delete and self.state() != self.State.EditingState:
            self.deletePressed.emit()
            return
        super().keyPressEvent(event)


class KeyValueTable(QWidget):
    changed = Signal()

    def __init__(
        self,
        name_placeholder: str = "Name",
        value_placeholder: str = "Value",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._name_placeholder = name_placeholder
        self._value_placeholder = value_placeholder
        self.table = _Table(0, 4, self)
        self.table.setHorizontalHeaderLabels(["", name_placeholder, value_placeholder, ""])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(ENABLED, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(VALUE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(REMOVE, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(ENABLED, 30)
        header.resizeSection(REMOVE, 30)
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(28)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self._delegate = _CellDelegate(
            self.table, {NAME: f"Add {name_placeholder.lower()}", VALUE: value_placeholder}
        )
        self.table.setItemDelegate(self._delegate)
        self.table.itemChanged.connect(self._on_item_changed)
        self.table.deletePressed.connect(self._remove_current)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        self._name_fit = NameColumnFit(self.table, NAME, 200)
        self.table.viewport().installEventFilter(self)
        self._append_row(KeyValue(""), trailing=True)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self._name_fit.fit()  # the name column gives way in a narrow table
        return super().eventFilter(watched, event)

    # --------------------------------------------------------------- API

    def set_rows(self, rows: list[KeyValue]) -> None:
        """Show ``rows`` (does not emit ``changed``)."""
        with QSignalBlocker(self.table):
            self.table.setRowCount(0)
            for row in rows:
                self._append_row(row, trailing=False)
            self._append_row(KeyValue(""), trailing=True)

    def set_variable_lookup(self, lookup: Lookup) -> None:
        """Colour ``{{variables}}`` in the cells and explain them on hover."""
        self._delegate.lookup = lookup
        self.table.viewport().update()

    def rows(self) -> list[KeyValue]:
        out = []
        for r in range(self.table.rowCount()):
            row = self._row(r)
            if row.name or row.value:
                out.append(row)
        return out

    def row_count(self) -> int:
        return len(self.rows())

    def set_cell(self, row: int, name: str, value: str) -> None:
        """Type into a row as a user would (adds rows as needed; emits ``changed``)."""
        while self.table.rowCount() <= row:
            self._append_row(KeyValue(""), trailing=True)
        name_item = self.table.item(row, NAME)
        value_item = self.table.item(row, VALUE)
        assert name_item is not None
        assert value_item is not None
        with QSignalBlocker(self.table):
            name_item.setText(name)
        value_item.setText(value)  # emits itemChanged once

    # ---------------------------------------------------------- internals

    def _row(self, r: int) -> KeyValue:
        check = self.table.item(r, ENABLED)
        name = self.table.item(r, NAME)
        value = self.table.item(r, VALUE)
        enabled = True
        if check is not None and check.flags() & Qt.ItemFlag.ItemIsUserCheckable:
            enabled = check.checkState() == Qt.CheckState.Checked
        return KeyValue(name.text().strip() if name else "", value.text() if value else "", enabled)

    def _append_row(self, row: KeyValue, *, trailing: bool) -> None:
        """Add a row; the trailing (empty, "type here to add") row gets no switch or bin."""
        with QSignalBlocker(self.table):
            r = self.table.rowCount()
            self.table.insertRow(r)
            name = QTableWidgetItem(row.name)
            value = QTableWidgetItem(row.value)
            self.table.setItem(r, NAME, name)
            self.table.setItem(r, VALUE, value)
            placeholder = QTableWidgetItem()
            placeholder.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.table.setItem(r, ENABLED, placeholder)
            if trailing:
                name.setToolTip(f"Type to add a {self._name_placeholder.lower()}")
            else:
                self._complete_row(r, row.enabled)

    def _complete_row(self, r: int, enabled: bool) -> None:
        """Give a row its on/off switch and its remove button."""
        with QSignalBlocker(self.table):
            check = QTableWidgetItem()
            check.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            check.setCheckState(Qt.CheckState.Checked if enabled else Qt.CheckState.Unchecked)
            check.setToolTip("Send this row")
            self.table.setItem(r, ENABLED, check)
            for column in (NAME, VALUE):
                cell = self.table.item(r, column)
                if cell is not None:
                    cell.setToolTip(cell.text())  # whole, where the column elides it
            remove = QToolButton(self.table)
            remove.setIcon(theme.icon("trash"))
            remove.setToolTip("Remove this row")
            remove.setAutoRaise(True)
            remove.clicked.connect(functools.partial(self._remove_button_row, remove))
            self.table.setCellWidget(r, REMOVE, remove)

    def _is_blank(self, r: int) -> bool:
        row = self._row(r)
        return not row.name and not row.value

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        last = self.table.rowCount() - 1
        if item.row() != last:
            with QSignalBlocker(self.table):
                for column in (NAME, VALUE):
                    cell = self.table.item(item.row(), column)
                    if cell is not None:
                        cell.setToolTip(cell.text())
        if item.row() == last and not self._is_blank(last):
            self._complete_row(last, True)
            self._append_row(KeyValue(""), trailing=True)
        self.changed.emit()

    def _remove_row(self, r: int) -> None:
        if r < 0 or r >= self.table.rowCount() - 1:
            return  # the trailing empty row stays
        self.table.removeRow(r)
        self.changed.emit()

    def _remove_current(self) -> None:
        self._remove_row(self.table.currentRow())

    def _remove_button_row(self, button: QToolButton) -> None:
        for r in range(self.table.rowCount()):
            if self.table.cellWidget(r, REMOVE) is button:
                self._remove_row(r)
                return
