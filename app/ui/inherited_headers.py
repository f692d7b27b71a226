"""The headers a request inherits (collection, folders), greyed, with where each
comes from; unticking one switches it off for this request only.

The name column is sized to the names shown, measured with the style that paints
them (its check box and margins included: Qt's "resize to contents" under a style
sheet left "X-Client" cut to "X-…"), up to half the table; the value stretches.
Every cell carries its whole text as a tooltip.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.ui import theme

NAME, VALUE, SOURCE = range(3)
#: the name column is never narrower than these common names need
COMMON_NAMES = ("Authorization", "Content-Type", "X-Request-Id")
#: nor wider than this share of the table (longer names elide, whole in the tooltip)
NAME_SHARE = 0.5


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
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(VALUE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(SOURCE, QHeaderView.ResizeMode.Interactive)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.table.itemChanged.connect(self._on_item_changed)
        self.table.viewport().installEventFilter(self)
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
                name_item.setToolTip(f"{name}\nUntick to not send this header with this request")
                self.table.setItem(r, NAME, name_item)
                for column, text in ((VALUE, value), (SOURCE, source)):
                    item = QTableWidgetItem(text)
                    item.setForeground(QColor(theme.MUTED))
                    item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                    item.setToolTip(text if column == VALUE else f"From {text}")
                    self.table.setItem(r, column, item)
                name_item.setForeground(QColor(theme.MUTED))
        self.setVisible(bool(rows))
        self._fit_columns()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_columns()
        return super().eventFilter(watched, event)

    def _fit_columns(self) -> None:
        """Name and source wide enough for their texts (the name within its share)."""
        header = self.table.horizontalHeader()
        available = self.table.viewport().width()
        source = self._needed_width(SOURCE, ())
        header.resizeSection(SOURCE, min(source, max(available // 4, 60)))
        name = self._needed_width(NAME, COMMON_NAMES)
        header.resizeSection(NAME, min(name, max(int(available * NAME_SHARE), 120)))

    def _needed_width(self, column: int, at_least: tuple[str, ...]) -> int:
        """The width ``column`` needs to paint its longest text whole, in this style."""
        texts = [self.table.item(r, column) for r in range(self.table.rowCount())]
        words = [*at_least, *(item.text() for item in texts if item is not None)]
        header_text = self.table.horizontalHeaderItem(column)
        header_width = self.table.horizontalHeader().sectionSizeFromContents(column).width()
        if not words or self.table.rowCount() == 0:
            return header_width if header_text is not None else 0
        metrics = QFontMetrics(self.table.font())
        widest = max(metrics.horizontalAdvance(w) for w in words)
        return max(widest + self._overhead(column), header_width)

    def _overhead(self, column: int) -> int:
        """What a cell of ``column`` spends besides its text (check box, margins)."""
        option = QStyleOptionViewItem()
        option.initFrom(self.table.viewport())
        delegate = self.table.itemDelegate()
        assert isinstance(delegate, QStyledItemDelegate)
        delegate.initStyleOption(option, self.table.model().index(0, column))
        option.rect = QRect(0, 0, 1000, self.table.verticalHeader().defaultSectionSize())
        style = self.table.style()
        text = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, option, self.table)
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self.table) + 1
        return option.rect.width() - text.width() + 2 * margin + 4

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
