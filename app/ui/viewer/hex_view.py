"""Hex view: offset | 16 bytes in hex | ASCII, for a body of any size.

Rows are computed, not stored: a paint reads only the bytes of the rows on
screen from the ByteSource, so a 1 GB body costs what a 1 KB one does.  The
scroll bar counts rows (an int holds 2^31 rows, 32 GB of body).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QRect, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QInputDialog, QWidget

from app.core.viewing.source import ByteSource, MemorySource
from app.ui import theme
from app.ui.theme import cell_font

BYTES_PER_ROW = 16
#: Ctrl+C copies at most this many bytes (3 characters each in the clipboard)
COPY_LIMIT = 16 * 1024 * 1024
_MAX_ROWS = 2**31 - 1
#: latin-1 text of a row -> its ASCII column: printable ASCII as is, anything else '.'
_TABLE = str.maketrans({i: chr(i) if 0x20 <= i < 0x7F else "." for i in range(256)})


class HexView(QAbstractScrollArea):
    """Offset, hex and ASCII columns painted from the visible rows of a ByteSource."""

    #: the selection changed: (start offset, end offset exclusive); equal when empty
    selection_changed = Signal(int, int)
    #: a Ctrl+C asked for more than COPY_LIMIT bytes: nothing was copied
    copy_refused = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._source: ByteSource = MemorySource()
        self._size = 0
        self._anchor = -1  # selection: anchor and cursor byte (inclusive), -1 = none
        self._cursor = -1
        self._selecting = False
        self.setFont(cell_font())
        self.viewport().setCursor(Qt.CursorShape.IBeamCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self._update_metrics()

    # ------------------------------------------------------------ public API

    def set_source(self, source: ByteSource) -> None:
        self._source = source
        self._size = source.size()
        self._anchor = self._cursor = -1
        self.verticalScrollBar().setValue(0)
        self._update_scrollbars()
        self.viewport().update()

    def refresh(self) -> None:
        """Take in bytes that arrived: the scroll range grows, visible new rows are painted."""
        size = self._source.size()
        if size == self._size:
            return
        old_rows = self._rows()
        self._size = size
        self._update_scrollbars()
        if old_rows - 1 <= self.first_visible_row() + self._visible_rows():  # growth on screen
            self.viewport().update()

    def first_visible_row(self) -> int:
        return self.verticalScrollBar().value()

    def row_count(self) -> int:
        return self._rows()

    def row_text(self, row: int) -> str:
        """One row as the view shows it ("00000010  48 65 … 6f  He..o"), for copy and tests."""
        chunk = self._source.read(row * BYTES_PER_ROW, BYTES_PER_ROW)
        hex_part = f"{chunk[:8].hex(' '):<23}  {chunk[8:].hex(' '):<23}"
        ascii_part = chunk.decode("latin-1").translate(_TABLE)
        return f"{row * BYTES_PER_ROW:0{self._offset_digits()}x}  {hex_part}  {ascii_part}"

    def selection(self) -> tuple[int, int]:
        """The selected byte range ``(start, end)``, end exclusive; (0, 0) when none."""
        if self._anchor < 0:
            return 0, 0
        lo, hi = sorted((self._anchor, self._cursor))
        hi = min(hi, self._size - 1)
        return (lo, hi + 1) if hi >= lo else (0, 0)

    def select_range(self, start: int, end: int) -> None:
        """Select bytes ``start`` to ``end`` (exclusive)."""
        if end <= start:
            self._anchor = self._cursor = -1
        else:
            self._anchor, self._cursor = start, end - 1
        self._emit_selection()
        self.viewport().update()

    def go_to_offset(self, offset: int) -> None:
        """Scroll so the row of ``offset`` is on screen and put the cursor on that byte."""
        offset = max(0, min(offset, max(0, self._size - 1)))
        row = offset // BYTES_PER_ROW
        first = self.first_visible_row()
        if not first <= row < first + self._visible_rows() - 1:
            self.verticalScrollBar().setValue(max(0, row - self._visible_rows() // 3))
        self.select_range(offset, offset + 1)

    def copy_selection(self) -> str | None:
        """Copy the selection as hex pairs ("48 65 6c") to the clipboard; the text or None."""
        start, end = self.selection()
        if end <= start:
            return None
        if end - start > COPY_LIMIT:
            self.copy_refused.emit(end - start)
            return None
        text = self._source.read(start, end - start).hex(" ")
        QGuiApplication.clipboard().setText(text)
        return text

    def prompt_go_to_offset(self) -> None:
        text, ok = QInputDialog.getText(self, "Go to offset", "Offset (decimal, or hex as 0x…):")
        if ok and text.strip():
            try:
                self.go_to_offset(int(text.strip(), 0))
            except ValueError:
                return

    # ------------------------------------------------------------ geometry

    def _update_metrics(self) -> None:
        fm = self.fontMetrics()
        self._cw = max(1, fm.horizontalAdvance("0"))
        self._lh = max(1, fm.height())
        self._ascent = fm.ascent()

    def _rows(self) -> int:
        return min(_MAX_ROWS, -(-self._size // BYTES_PER_ROW))

    def _visible_rows(self) -> int:
        return max(1, self.viewport().height() // self._lh)

    def _offset_digits(self) -> int:
        return max(8, len(f"{max(0, self._size - 1):x}"))

    def _columns(self) -> tuple[int, int, int]:
        """x of the offset column, of the hex column and of the ASCII column."""
        margin = self._cw // 2
        hex_x = margin + (self._offset_digits() + 2) * self._cw
        ascii_x = hex_x + (BYTES_PER_ROW * 3 + 2) * self._cw
        return margin, hex_x, ascii_x

    def _hex_x(self, i: int) -> int:
        return self._columns()[1] + (i * 3 + (1 if i >= 8 else 0)) * self._cw

    def _update_scrollbars(self) -> None:
        bar = self.verticalScrollBar()
        bar.setRange(0, max(0, self._rows() - self._visible_rows()))
        bar.setPageStep(self._visible_rows())
        bar.setSingleStep(1)
        width = self._columns()[2] + (BYTES_PER_ROW + 1) * self._cw
        hbar = self.horizontalScrollBar()
        hbar.setRange(0, max(0, width - self.viewport().width()))
        hbar.setPageStep(self.viewport().width())

    def _byte_at(self, pos: QPoint) -> int:
        """The byte under a viewport position (clamped into the body), or -1 if empty."""
        if self._size == 0:
            return -1
        x = pos.x() + self.horizontalScrollBar().value()
        row = self.first_visible_row() + max(0, pos.y()) // self._lh
        _, hex_x, ascii_x = self._columns()
        if x >= ascii_x - self._cw:
            col = (x - ascii_x) // self._cw
        else:
            rel = x - hex_x
            rel -= self._cw if rel >= 8 * 3 * self._cw else 0
            col = rel // (3 * self._cw)
        col = max(0, min(BYTES_PER_ROW - 1, col))
        return max(0, min(self._size - 1, row * BYTES_PER_ROW + col))

    # ------------------------------------------------------------ events

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        painter.setFont(self.font())
        palette = self.palette()
        painter.fillRect(event.rect(), palette.base())
        first = self.first_visible_row()
        rows = min(self._visible_rows() + 1, self._rows() - first)
        if rows <= 0:
            return
        start = first * BYTES_PER_ROW
        data = self._source.read(start, rows * BYTES_PER_ROW)
        painter.translate(-self.horizontalScrollBar().value(), 0)
        off_x, _, ascii_x = self._columns()
        digits = self._offset_digits()
        sel_lo, sel_hi = self.selection()
        text_color = palette.text().color()
        muted = QColor(theme.MUTED)
        highlight = palette.highlight().color()
        for r in range(rows):
            chunk = data[r * BYTES_PER_ROW : (r + 1) * BYTES_PER_ROW]
            if not chunk:
                break
            y = r * self._lh
            row_off = start + r * BYTES_PER_ROW
            if sel_hi > sel_lo and sel_lo < row_off + len(chunk) and sel_hi > row_off:
                a = max(sel_lo, row_off) - row_off
                b = min(sel_hi, row_off + len(chunk)) - row_off
                hx0 = self._hex_x(a)
                hx1 = self._hex_x(b - 1) + 2 * self._cw
                painter.fillRect(QRect(hx0, y, hx1 - hx0, self._lh), highlight)
                painter.fillRect(
                    QRect(ascii_x + a * self._cw, y, (b - a) * self._cw, self._lh), highlight
                )
            baseline = y + self._ascent
            painter.setPen(muted)
            painter.drawText(off_x, baseline, f"{row_off:0{digits}x}")
            painter.setPen(text_color)
            left = chunk[:8].hex(" ")
            right = chunk[8:].hex(" ")
            painter.drawText(self._hex_x(0), baseline, left)
            if right:
                painter.drawText(self._hex_x(8), baseline, right)
            painter.drawText(ascii_x, baseline, chunk.decode("latin-1").translate(_TABLE))
        painter.end()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_scrollbars()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._update_metrics()
            self._update_scrollbars()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return super().mousePressEvent(event)
        byte = self._byte_at(event.position().toPoint())
        if byte < 0:
            return None
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier and self._anchor >= 0:
            self._cursor = byte
        else:
            self._anchor = self._cursor = byte
        self._selecting = True
        self._emit_selection()
        self.viewport().update()
        return None

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if not self._selecting:
            return
        pos = event.position().toPoint()
        if pos.y() < 0:
            self.verticalScrollBar().setValue(self.first_visible_row() - 1)
        elif pos.y() > self.viewport().height():
            self.verticalScrollBar().setValue(self.first_visible_row() + 1)
        byte = self._byte_at(pos)
        if byte >= 0 and byte != self._cursor:
            self._cursor = byte
            self._emit_selection()
            self.viewport().update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._selecting = False
        event.accept()

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() // 40
        if steps:
            bar = self.verticalScrollBar()
            bar.setValue(bar.value() - steps)
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
        elif event.matches(QKeySequence.StandardKey.SelectAll):
            self.select_range(0, self._size)
        elif ctrl and event.key() == Qt.Key.Key_G:
            self.prompt_go_to_offset()
        elif ctrl and event.key() == Qt.Key.Key_Home:
            self.verticalScrollBar().setValue(0)
        elif ctrl and event.key() == Qt.Key.Key_End:
            self.verticalScrollBar().setValue(self.verticalScrollBar().maximum())
        else:
            super().keyPressEvent(event)

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        self.viewport().update()

    def _emit_selection(self) -> None:
        self.selection_changed.emit(*self.selection())
