"""TextView: a body of any size as text, painting only the rows on screen.

The body stays in its ``ByteSource``; a ``LineIndex`` (sparse, built a few ms
per tick) says where lines are, and each paint reads just the visible rows.

Rows.  Every line is one row, except:
- a line longer than ``FOLD_BYTES`` shows its first ``FOLD_BYTES`` and a marker
  ("… 1.2 MiB more on this line — click or Ctrl+E to show all"), and "▸" in
  the gutter: never cut silently (with word wrap on, the limit is what fits on
  the screen);
- an expanded line shows all of itself as continuation rows of a fixed number
  of bytes (cut at character boundaries), marked "↪" in the gutter; rows are
  computed by arithmetic, so expanding a 1 GB line costs nothing until a row
  is painted.
The vertical scrollbar counts rows (20M lines fit its int range).  With word
wrap on, each row is laid out over as many screen rows as it needs, but only
for the rows being painted; the scrollbar still moves by rows.

Positions (selection, matches) are byte offsets in the source, so they mean
the same thing at any size; text is decoded with ``surrogateescape`` so every
column maps back to exact bytes, and undecodable bytes paint as U+FFFD.
Columns are fixed-width (monospace): a wide CJK glyph may overlap its
neighbour, as in klogg.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

from app.core.units import human_size
from app.core.viewing.charset import (
    TranscodedSource,
    char_boundary,
    codec_name,
    detect_charset,
    is_ascii_compatible,
)
from app.core.viewing.line_index import LineIndex
from app.core.viewing.source import ByteSource, MemorySource
from app.ui import theme
from app.ui.viewer.highlight import Highlighter

FOLD_BYTES = 5000
"""Lines longer than this show their start and a marker until expanded."""
CHUNK_BYTES = 1000
"""Bytes per continuation row of an expanded line (word wrap off)."""
COPY_LIMIT = 16 * 1024 * 1024
"""Ctrl+C copies at most this much; ``copyLimited`` tells the owner (who offers the whole body)."""
INDEX_BUDGET_S = 0.004
TAB_WIDTH = 4

_GUTTER_PAD = 8
_TEXT_PAD = 6

# undecodable bytes (lone surrogates) and control characters get visible stand-ins
_DISPLAY_MAP: dict[int, str] = {c: chr(0x2400 + c) for c in range(0x20) if c != 9}
_DISPLAY_MAP[0x7F] = "\u2421"
_DISPLAY_MAP.update({c: "\ufffd" for c in range(0xDC80, 0xDD00)})


def _marker_colour() -> QColor:
    """Fold markers and continuation marks: the theme's accent (read at paint time)."""
    return QColor(theme.ACCENT)


def _display(text: str) -> str:
    """One display character per text character, except a tab which takes TAB_WIDTH."""
    return text.translate(_DISPLAY_MAP).replace("\t", " " * TAB_WIDTH)


def _dcol(text: str, col: int) -> int:
    """Display column of character ``col`` (tabs are TAB_WIDTH wide)."""
    return col + (TAB_WIDTH - 1) * text.count("\t", 0, col)


def _col_at(text: str, dcol: int) -> int:
    """The character column at display column ``dcol`` (the inverse of ``_dcol``)."""
    if "\t" not in text:
        return max(0, min(dcol, len(text)))
    d = 0
    for i, ch in enumerate(text):
        w = TAB_WIDTH if ch == "\t" else 1
        if d + w / 2 > dcol:
            return i
        d += w
    return len(text)


@dataclass
class _Row:
    """One painted screen row."""

    line: int
    sub: int  # continuation row of an expanded line (0: the line's first row)
    start: int  # byte range of the whole row (before wrapping)
    end: int
    text: str  # decoded text of this screen row (a wrap piece of the row)
    piece_col: int  # where this piece starts in the row's text
    row_text: str  # the whole row's text (highlighting is per row)
    gutter: str
    marker: str | None = None
    spans: list[tuple[int, int, QColor]] = field(default_factory=list)
    fold: str = ""  # gutter glyph: "▸" folded line, "▾" expanded line (click toggles)

    def byte_at(self, col: int, encoding: str) -> int:
        """Byte offset of character ``col`` of this piece."""
        prefix = self.row_text[: self.piece_col + col]
        return self.start + len(prefix.encode(encoding, errors="surrogateescape"))

    def col_of(self, offset: int, encoding: str, data: bytes) -> int:
        """Character column (in this piece) of byte ``offset``, clamped to the piece."""
        rel = max(0, min(offset - self.start, len(data)))
        col = len(data[:rel].decode(encoding, errors="surrogateescape")) - self.piece_col
        return max(0, min(col, len(self.text)))


class TextView(QAbstractScrollArea):
    """Virtualised text view over a ByteSource (see the module docstring)."""

    foldExpanded = Signal(int)  # line number (0-based)
    copyLimited = Signal(int, int)  # bytes copied, bytes selected
    selectionChanged = Signal()
    findRequested = Signal()  # Ctrl+F: the find bar shows itself
    sourceChanged = Signal()  # set_source showed another body

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFont(theme.cell_font())
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.viewport().setCursor(Qt.CursorShape.IBeamCursor)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.verticalScrollBar().valueChanged.connect(self.viewport().update)
        self.horizontalScrollBar().valueChanged.connect(self.viewport().update)
        self._source: ByteSource = MemorySource(b"")
        self._own_source: TranscodedSource | None = None
        self._index = LineIndex(self._source)
        self._encoding = "utf-8"
        self._highlighter = Highlighter(None)
        self._wrap = False
        self._expanded: dict[int, int] = {}  # line -> extra rows
        self._expanded_lines: list[int] = []
        self._anchor: int | None = None
        self._caret: int | None = None
        self._match_starts: Sequence[int] = ()
        self._match_ends: Sequence[int] = ()
        self._current_match: tuple[int, int] | None = None
        self._rows: list[_Row] = []  # the last paint's rows
        self._row_data: list[bytes] = []
        self._marker_rects: list[tuple[QRect, int]] = []
        self._fold_rects: list[tuple[QRect, int]] = []
        self._widest = 0  # widest row seen, in display columns (horizontal range)
        self._painted_gutter = 0
        self._last_size = -1
        self._dragging = False
        self.copy_limit = COPY_LIMIT
        self._index_timer = QTimer(self)
        self._index_timer.setInterval(15)
        self._index_timer.timeout.connect(self._index_more)
        self._update_metrics()

    # --- public API -----------------------------------------------------------------

    def set_source(
        self, source: ByteSource, *, encoding: str = "utf-8", language: str | None = None
    ) -> None:
        """Show ``source`` (possibly still growing), decoded as ``encoding``.

        UTF-16/32 bodies are transcoded to UTF-8 on the fly (TranscodedSource);
        a BOM is not shown.
        """
        self._close_own_source()
        name = codec_name(encoding) or "utf-8"
        if not is_ascii_compatible(name):
            charset = detect_charset(source.read(0, 4), name)
            bom = charset.bom if charset.name.startswith(name[:6]) else 0
            codec = charset.name if bom else name
            self._own_source = TranscodedSource(source, codec, bom=bom)
            self._own_source.pump(INDEX_BUDGET_S)
            self._source = self._own_source
            self._encoding = "utf-8"
        else:
            self._source = source
            self._encoding = name
        self._index = LineIndex(self._source)
        self._highlighter = Highlighter(language)
        self._expanded.clear()
        self._expanded_lines.clear()
        self._anchor = self._caret = None
        self._match_starts, self._match_ends = (), ()
        self._current_match = None
        self._widest = 0
        self._last_size = -1
        self.verticalScrollBar().setValue(0)
        self.horizontalScrollBar().setValue(0)
        self.refresh()
        self.sourceChanged.emit()

    @property
    def source(self) -> ByteSource:
        """What the view shows (a TranscodedSource for UTF-16/32 bodies)."""
        return self._source

    @property
    def encoding(self) -> str:
        return self._encoding

    @property
    def index(self) -> LineIndex:
        return self._index

    def refresh(self) -> None:
        """Index what is new (a few ms); follow the end if the view was at the end."""
        bar = self.verticalScrollBar()
        at_end = bar.maximum() > 0 and bar.value() >= bar.maximum()
        if self._own_source is not None:
            self._own_source.pump(INDEX_BUDGET_S / 2)
        caught_up = self._index.extend(INDEX_BUDGET_S)
        size = self._index.indexed_size
        if size != self._last_size:
            gutter = self._gutter_width()
            last_visible = not self._rows or self._rows[-1].line >= self._index.line_count() - 2
            self._last_size = size
            self._update_expanded_rows()
            self._update_scrollbars()
            if at_end:
                bar.setValue(bar.maximum())
            if at_end or last_visible or gutter != self._painted_gutter:
                self.viewport().update()
        waiting = not caught_up or (
            self._own_source is not None and not self._own_source.caught_up()
        )
        if waiting and not self._index_timer.isActive():
            self._index_timer.start()
        elif not waiting and self._index_timer.isActive():
            self._index_timer.stop()

    def line_count(self) -> int:
        return self._index.line_count()

    def caught_up(self) -> bool:
        """All of a complete source is indexed (and transcoded): nothing left to do."""
        own = self._own_source
        return (
            self._source.complete()
            and (own is None or own.caught_up())
            and self._index.indexed_size >= self._source.size()
        )

    def all_text(self, limit: int = 64 * 1024 * 1024) -> str:
        """The whole text shown (up to ``limit`` bytes), for tests and small bodies."""
        own = self._own_source
        if own is not None:
            while not own.caught_up() and not own.pump(0.05):
                pass
        size = min(self._source.size(), limit)
        return self._source.read(0, size).decode(self._encoding, errors="replace")

    def line_text(self, n: int, limit: int | None = None) -> str:
        """Line ``n`` decoded (at most ``limit`` bytes of it)."""
        start, end = self._index.line_span(n)
        if limit is not None:
            end = min(end, start + limit)
        return self._source.read(start, end - start).decode(self._encoding, errors="replace")

    def visible_text(self) -> str:
        """The text on screen (without the gutter), rows joined by newlines; for tests."""
        self._layout()
        parts = []
        for row in self._rows:
            parts.append(_display(row.text) + (row.marker or ""))
        return "\n".join(parts)

    def visible_gutter(self) -> list[str]:
        self._layout()
        return [row.gutter for row in self._rows]

    def visible_folds(self) -> list[str]:
        """The fold glyph of each screen row ("▸" folded, "▾" expanded, "" neither)."""
        self._layout()
        return [row.fold for row in self._rows]

    def word_wrap(self) -> bool:
        return self._wrap

    def set_word_wrap(self, wrap: bool) -> None:
        if wrap == self._wrap:
            return
        top_line = self._row_to_line(self.verticalScrollBar().value())[0]
        self._wrap = wrap
        self.setHorizontalScrollBarPolicy(
            Qt.ScrollBarPolicy.ScrollBarAlwaysOff if wrap else Qt.ScrollBarPolicy.ScrollBarAsNeeded
        )
        self.horizontalScrollBar().setValue(0)
        self._update_expanded_rows()
        self._update_scrollbars()
        self.verticalScrollBar().setValue(self._line_to_row(top_line))
        self.viewport().update()

    def is_folded(self, line: int) -> bool:
        start, end = self._index.line_span(line)
        return end - start > self._fold_limit() and line not in self._expanded

    def is_expanded(self, line: int) -> bool:
        return line in self._expanded

    def expand_line(self, line: int) -> None:
        """Show all of a folded line as continuation rows."""
        if line in self._expanded or not 0 <= line < self._index.line_count():
            return
        start, end = self._index.line_span(line)
        if end - start <= self._fold_limit():
            return
        self._expanded[line] = 0
        bisect.insort(self._expanded_lines, line)
        self._update_expanded_rows()
        self._update_scrollbars()
        self.viewport().update()
        self.foldExpanded.emit(line)

    def collapse_line(self, line: int) -> None:
        if self._expanded.pop(line, None) is None:
            return
        self._expanded_lines.remove(line)
        self._update_scrollbars()
        self.viewport().update()

    def row_count(self) -> int:
        """Rows the vertical scrollbar spans (lines plus continuation rows)."""
        return self._index.line_count() + sum(self._expanded.values())

    def set_matches(
        self,
        starts: Sequence[int],
        ends: Sequence[int],
        current: tuple[int, int] | None = None,
    ) -> None:
        """Byte ranges to highlight (sorted by start; may keep growing: read at paint)."""
        self._match_starts, self._match_ends = starts, ends
        self._current_match = current
        self.viewport().update()

    def set_current_match(self, current: tuple[int, int] | None) -> None:
        self._current_match = current
        self.viewport().update()

    def scroll_to_offset(self, offset: int, end: int | None = None) -> None:
        """Bring byte ``offset`` on screen (expanding its line if it is in the folded part)."""
        if self._index.line_count() == 0:
            return
        line = self._index.line_of(offset)
        start, line_end = self._index.line_span(line)
        sub = 0
        if line_end - start > self._fold_limit():
            folded_at = start + self._fold_limit()
            if (end if end is not None else offset) > folded_at and line not in self._expanded:
                self.expand_line(line)
            if line in self._expanded:
                sub = min((offset - start) // self._chunk(), self._expanded[line])
        row = self._line_to_row(line) + sub
        bar = self.verticalScrollBar()
        visible = max(1, self._visible_rows() - 1)
        if not bar.value() <= row < bar.value() + visible:
            bar.setValue(max(0, row - visible // 3))
        if not self._wrap:
            self._layout()
            for r, data in zip(self._rows, self._row_data, strict=True):
                if r.line == line and r.sub == sub:
                    col = _dcol(r.text, r.col_of(offset, self._encoding, data))
                    x = col * self._cw
                    h = self.horizontalScrollBar()
                    width = self.viewport().width() - self._gutter_width() - _TEXT_PAD
                    if not h.value() <= x < h.value() + width - 4 * self._cw:
                        h.setValue(max(0, x - width // 3))
                    break
        self.viewport().update()

    def top_offset(self) -> int:
        """Byte offset of the first row on screen."""
        self._layout()
        return self._rows[0].start if self._rows else 0

    def selection(self) -> tuple[int, int] | None:
        if self._anchor is None or self._caret is None or self._anchor == self._caret:
            return None
        return min(self._anchor, self._caret), max(self._anchor, self._caret)

    def set_selection(self, start: int, end: int) -> None:
        self._anchor, self._caret = start, end
        self.selectionChanged.emit()
        self.viewport().update()

    def select_all(self) -> None:
        self.set_selection(0, self._source.size())

    def selected_text(self, limit: int = COPY_LIMIT) -> tuple[str, int]:
        """The selection decoded (at most ``limit`` bytes) and how many bytes are selected."""
        sel = self.selection()
        if sel is None:
            return "", 0
        start, end = sel
        total = end - start
        take = min(total, limit)
        data = self._source.read(start, take + (4 if take < total else 0))
        if take < total:
            data = data[: char_boundary(data, take, self._encoding)]
        return data.decode(self._encoding, errors="replace"), total

    def copy(self) -> None:
        text, total = self.selected_text(self.copy_limit)
        if not total:
            return
        QGuiApplication.clipboard().setText(text)
        copied = len(text.encode(self._encoding, errors="replace"))
        if copied < total:
            self.copyLimited.emit(copied, total)

    def close_source(self) -> None:
        """Free what the view made (the transcoded file); the owner closes its source."""
        self._close_own_source()

    # --- rows -----------------------------------------------------------------------

    def _fold_limit(self) -> int:
        """Bytes of a line shown before the fold marker.

        With word wrap on, a folded line must fit on screen with its marker
        (the scrollbar moves by rows, so a taller row could not be scrolled
        through): at most the screen's rows less two, of the screen's width.
        """
        if not self._wrap:
            return FOLD_BYTES
        columns = self._text_columns()
        return max(columns, min(FOLD_BYTES, columns * max(1, self._visible_rows() - 2)))

    def _chunk(self) -> int:
        if not self._wrap:
            return CHUNK_BYTES
        return max(16, self._text_columns())

    def _text_columns(self) -> int:
        width = self.viewport().width() - self._gutter_width() - 2 * _TEXT_PAD
        return max(1, width // self._cw)

    def _update_expanded_rows(self) -> None:
        chunk = self._chunk()
        count = self._index.line_count()
        for line in self._expanded_lines:
            if line < count:
                start, end = self._index.line_span(line)
                self._expanded[line] = max(0, math.ceil((end - start) / chunk) - 1)

    def _row_to_line(self, row: int) -> tuple[int, int]:
        """(line, continuation row) at scrollbar row ``row``."""
        extra = 0
        for line in self._expanded_lines:
            first = line + extra
            if row < first:
                break
            rows = self._expanded[line]
            if row <= first + rows:
                return line, row - first
            extra += rows
        return row - extra, 0

    def _line_to_row(self, line: int) -> int:
        extra = 0
        for expanded in self._expanded_lines:
            if expanded >= line:
                break
            extra += self._expanded[expanded]
        return line + extra

    def _row_bounds(self, line: int, sub: int, start: int, end: int) -> tuple[int, int]:
        """Byte range of continuation row ``sub`` of an expanded line."""
        chunk = self._chunk()

        def boundary(k: int) -> int:
            pos = start + k * chunk
            if pos <= start:
                return start
            if pos >= end:
                return end
            around = self._source.read(pos - 3, 6)
            return pos - 3 + char_boundary(around, 3, self._encoding)

        return boundary(sub), boundary(sub + 1)

    # --- layout and painting ----------------------------------------------------------

    def _update_metrics(self) -> None:
        fm = QFontMetrics(self.font())
        self._cw = max(1, fm.horizontalAdvance("M"))
        self._lh = fm.height()
        self._ascent = fm.ascent()

    def _gutter_width(self) -> int:
        digits = len(str(max(1, self._index.line_count())))
        return (max(3, digits) + 2) * self._cw + _GUTTER_PAD  # digits, fold glyph

    def _visible_rows(self) -> int:
        return max(1, self.viewport().height() // self._lh)

    def _update_scrollbars(self) -> None:
        rows = self.row_count()
        bar = self.verticalScrollBar()
        page = self._visible_rows()
        bar.setPageStep(page)
        bar.setSingleStep(1)
        bar.setRange(0, max(0, rows - page + 1) if rows > page else 0)
        h = self.horizontalScrollBar()
        width = self.viewport().width() - self._gutter_width() - _TEXT_PAD
        h.setPageStep(max(1, width))
        h.setSingleStep(self._cw * 4)
        h.setRange(0, 0 if self._wrap else max(0, (self._widest + 2) * self._cw - width))

    def _layout(self) -> None:
        """Compute the screen rows for the current scroll position (reads visible rows only)."""
        rows: list[_Row] = []
        datas: list[bytes] = []
        count = self._index.line_count()
        want = self._visible_rows() + 1
        line, sub = self._row_to_line(self.verticalScrollBar().value())
        columns = self._text_columns()
        encoding = self._encoding
        widest = self._widest
        first_line = line
        line_spans = self._index.line_spans(first_line, want)
        fold_limit = self._fold_limit()
        while len(rows) < want and line < count:
            k = line - first_line
            start, end = line_spans[k] if k < len(line_spans) else self._index.line_span(line)
            marker = None
            if line in self._expanded:
                lo, hi = self._row_bounds(line, sub, start, end)
            elif end - start > fold_limit:
                around = self._source.read(start + fold_limit - 3, 6)
                lo = start
                hi = start + fold_limit - 3 + char_boundary(around, 3, encoding)
                marker = (
                    f"  … {human_size(end - hi)} more on this line — click or Ctrl+E to show all"
                )
            else:
                lo, hi = start, end
            data = self._source.read(lo, hi - lo)
            text = data.decode(encoding, errors="surrogateescape")
            if line == 0 and sub == 0 and text.startswith("\ufeff"):
                text = text[1:]
                bom = len("\ufeff".encode(encoding, errors="replace"))
                lo, data = lo + bom, data[bom:]
            spans = self._highlighter.spans((line, sub, len(data)), text)
            gutter = str(line + 1) if sub == 0 else "↪"
            glyph = "▸" if marker else "▾" if sub == 0 and line in self._expanded else ""
            if self._wrap and len(_display(text)) > columns:
                pieces = self._wrap_pieces(text, columns)
                for i, (a, b) in enumerate(pieces):
                    last = i == len(pieces) - 1
                    rows.append(
                        _Row(
                            line,
                            sub,
                            lo,
                            hi,
                            text[a:b],
                            a,
                            text,
                            gutter if i == 0 else "",
                            None,
                            spans,
                        )
                    )
                    if i == 0:
                        rows[-1].fold = glyph
                    datas.append(data)
                    if last and marker:
                        rows.append(_Row(line, sub, hi, hi, "", 0, "", "", marker.strip()))
                        datas.append(b"")
            else:
                rows.append(_Row(line, sub, lo, hi, text, 0, text, gutter, marker, spans, glyph))
                datas.append(data)
                widest = max(widest, len(_display(text)) + (len(marker) if marker else 0))
            if line in self._expanded and sub < self._expanded[line]:
                sub += 1
            else:
                line, sub = line + 1, 0
        self._rows = rows[: want + 1] if not self._wrap else rows[:want]
        self._row_data = datas[: len(self._rows)]
        if widest != self._widest:
            self._widest = widest
            self._update_scrollbars()

    @staticmethod
    def _wrap_pieces(text: str, columns: int) -> list[tuple[int, int]]:
        """Character ranges of ``text`` that fit ``columns`` display columns each."""
        pieces = []
        start = 0
        if "\t" not in text:
            while start < len(text):
                pieces.append((start, min(len(text), start + columns)))
                start += columns
            return pieces or [(0, 0)]
        width = 0
        for i, ch in enumerate(text):
            w = TAB_WIDTH if ch == "\t" else 1
            if width + w > columns and i > start:
                pieces.append((start, i))
                start, width = i, 0
            width += w
        pieces.append((start, len(text)))
        return pieces

    def paintEvent(self, event: QPaintEvent) -> None:
        self._layout()
        painter = QPainter(self.viewport())
        painter.setFont(self.font())
        palette = self.palette()
        rect = self.viewport().rect()
        painter.fillRect(rect, QColor(theme.SURFACE))
        gutter_w = self._gutter_width()
        self._painted_gutter = gutter_w
        painter.fillRect(QRect(0, 0, gutter_w, rect.height()), QColor(theme.BACKGROUND))
        text_x = gutter_w + _TEXT_PAD - (0 if self._wrap else self.horizontalScrollBar().value())
        first_dcol = 0 if self._wrap else max(0, self.horizontalScrollBar().value() // self._cw - 2)
        last_dcol = first_dcol + rect.width() // self._cw + 4
        text_colour = palette.text().color()
        muted = QColor(theme.MUTED)
        selection = self.selection()
        self._marker_rects = []
        painter.setClipRect(QRect(gutter_w, 0, rect.width() - gutter_w, rect.height()))
        for i, (row, data) in enumerate(zip(self._rows, self._row_data, strict=True)):
            y = i * self._lh
            self._paint_backgrounds(painter, row, data, y, text_x, selection)
            self._paint_text(painter, row, y, text_x, first_dcol, last_dcol, text_colour)
            if row.marker:
                mx = text_x + len(_display(row.text)) * self._cw
                mw = len(row.marker) * self._cw
                painter.setPen(_marker_colour())
                painter.drawText(mx, y + self._ascent, row.marker)
                self._marker_rects.append((QRect(mx, y, mw, self._lh), row.line))
        painter.setClipping(False)
        painter.setPen(muted)
        self._fold_rects = []
        glyph_x = gutter_w - _GUTTER_PAD // 2 - self._cw
        for i, row in enumerate(self._rows):
            y = i * self._lh
            if row.gutter:
                width = len(row.gutter) * self._cw
                painter.drawText(glyph_x - self._cw // 2 - width, y + self._ascent, row.gutter)
            if row.fold:
                painter.setPen(_marker_colour())
                painter.drawText(glyph_x, y + self._ascent, row.fold)
                painter.setPen(muted)
                rect = QRect(glyph_x - self._cw // 2, y, self._cw * 2, self._lh)
                self._fold_rects.append((rect, row.line))
        painter.end()

    def _paint_backgrounds(
        self,
        painter: QPainter,
        row: _Row,
        data: bytes,
        y: int,
        text_x: int,
        selection: tuple[int, int] | None,
    ) -> None:
        piece_start = row.byte_at(0, self._encoding)
        piece_end = row.byte_at(len(row.text), self._encoding)
        ranges: list[tuple[int, int, QColor]] = []
        selection_bg = QColor(theme.SELECTION_BG)
        if self._match_starts:
            match_bg = QColor(theme.MATCH_BG)
            starts, ends = self._match_starts, self._match_ends
            n = min(len(starts), len(ends))
            i = bisect.bisect_left(starts, piece_start, 0, n)
            # a match that starts before the piece may still reach into it
            if i > 0 and ends[i - 1] > piece_start:
                i -= 1
            while i < n and starts[i] <= piece_end:
                ranges.append((starts[i], ends[i], match_bg))
                i += 1
        if self._current_match is not None:
            ranges.append((*self._current_match, QColor(theme.CURRENT_MATCH_BG)))
        if selection is not None:
            ranges.append((*selection, selection_bg))
        for start, end, colour in ranges:
            if end <= piece_start and not (start == end == piece_start):
                continue
            if start > piece_end or (start == piece_end and end > start):
                continue
            a = row.col_of(max(start, piece_start), self._encoding, data)
            b = row.col_of(min(end, piece_end), self._encoding, data)
            x0 = text_x + _dcol(row.text, a) * self._cw
            x1 = text_x + _dcol(row.text, b) * self._cw
            if colour is selection_bg and end > piece_end and row.end == piece_end:
                x1 += self._cw  # the line end is selected too
            if x1 > x0:
                painter.fillRect(QRect(x0, y, x1 - x0, self._lh), colour)

    def _paint_text(
        self,
        painter: QPainter,
        row: _Row,
        y: int,
        text_x: int,
        first_dcol: int,
        last_dcol: int,
        default: QColor,
    ) -> None:
        text = row.text
        if not text:
            return
        baseline = y + self._ascent
        # colour runs over this piece: (start col, end col, colour)
        runs: list[tuple[int, int, QColor]] = []
        pos = 0
        for s, length, colour in row.spans:
            a, b = s - row.piece_col, s + length - row.piece_col
            if b <= 0 or a >= len(text):
                continue
            a, b = max(a, 0), min(b, len(text))
            if a > pos:
                runs.append((pos, a, default))
            if a >= pos:
                runs.append((a, b, colour))
                pos = b
        if pos < len(text):
            runs.append((pos, len(text), default))
        has_tab = "\t" in text
        for a, b, colour in runs:
            da = _dcol(text, a) if has_tab else a
            db = _dcol(text, b) if has_tab else b
            if db < first_dcol or da > last_dcol:
                continue
            if da < first_dcol or db > last_dcol:  # cut long runs to what is on screen
                a2 = _col_at(text, first_dcol) if da < first_dcol else a
                b2 = _col_at(text, last_dcol) if db > last_dcol else b
                a, b = max(a, a2), min(b, b2)
                da = _dcol(text, a) if has_tab else a
            painter.setPen(colour)
            painter.drawText(text_x + da * self._cw, baseline, _display(text[a:b]))

    # --- hit testing and input --------------------------------------------------------

    def _offset_at(self, pos: QPoint) -> int | None:
        """Byte offset of the character boundary nearest ``pos`` (viewport coordinates)."""
        self._layout()
        if not self._rows:
            return None
        i = max(0, min(pos.y() // self._lh, len(self._rows) - 1))
        row = self._rows[i]
        if row.marker is not None and not row.text:
            return row.start
        text_x = self.gutter_width_px() + _TEXT_PAD
        x = pos.x() - text_x + (0 if self._wrap else self.horizontalScrollBar().value())
        dcol = max(0, round(x / self._cw))
        col = _col_at(row.text, dcol)
        return row.byte_at(col, self._encoding)

    def gutter_width_px(self) -> int:
        return self._gutter_width()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        point = event.position().toPoint()
        for rect, line in self._marker_rects:
            if rect.contains(point):
                self.expand_line(line)
                return
        for rect, line in self._fold_rects:
            if rect.contains(point):
                if line in self._expanded:
                    self.collapse_line(line)
                else:
                    self.expand_line(line)
                return
        offset = self._offset_at(point)
        if offset is None:
            return
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier and self._anchor is not None:
            self._caret = offset
        else:
            self._anchor = self._caret = offset
        self._dragging = True
        self.selectionChanged.emit()
        self.viewport().update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if not self._dragging:
            point = event.position().toPoint()
            over_marker = any(
                r.contains(point) for r, _ in (*self._marker_rects, *self._fold_rects)
            )
            self.viewport().setCursor(
                Qt.CursorShape.PointingHandCursor if over_marker else Qt.CursorShape.IBeamCursor
            )
            return
        point = event.position().toPoint()
        bar = self.verticalScrollBar()
        if point.y() < 0:
            bar.setValue(bar.value() - 1)
        elif point.y() > self.viewport().height():
            bar.setValue(bar.value() + 1)
        offset = self._offset_at(point)
        if offset is not None and offset != self._caret:
            self._caret = offset
            self.selectionChanged.emit()
            self.viewport().update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._dragging = False
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        """Double-click selects the row's line (its visible part for a folded line)."""
        offset = self._offset_at(event.position().toPoint())
        if offset is None:
            return
        start, end = self._index.line_span(self._index.line_of(offset))
        self.set_selection(start, end)

    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta()
        if delta.x() or (event.modifiers() & Qt.KeyboardModifier.ShiftModifier and not self._wrap):
            h = self.horizontalScrollBar()
            h.setValue(h.value() - (delta.x() or delta.y()) // 120 * 8 * self._cw)
        else:
            bar = self.verticalScrollBar()
            bar.setValue(bar.value() - delta.y() // 120 * 3)
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy()
            return
        if event.matches(QKeySequence.StandardKey.SelectAll):
            self.select_all()
            return
        if event.matches(QKeySequence.StandardKey.Find):
            self.findRequested.emit()
            return
        key = Qt.Key(event.key())
        ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        bar = self.verticalScrollBar()
        if key == Qt.Key.Key_E and ctrl:
            self._toggle_fold_at_caret()
            return
        if shift and key in (
            Qt.Key.Key_Left,
            Qt.Key.Key_Right,
            Qt.Key.Key_Up,
            Qt.Key.Key_Down,
            Qt.Key.Key_Home,
            Qt.Key.Key_End,
        ):
            self._extend_selection(key, ctrl)
            return
        steps = {
            Qt.Key.Key_Up: -1,
            Qt.Key.Key_Down: 1,
            Qt.Key.Key_PageUp: -bar.pageStep(),
            Qt.Key.Key_PageDown: bar.pageStep(),
        }
        if key in steps:
            bar.setValue(bar.value() + steps[key])
        elif key == Qt.Key.Key_Home and ctrl:
            bar.setValue(0)
        elif key == Qt.Key.Key_End and ctrl:
            bar.setValue(bar.maximum())
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right) and not self._wrap:
            h = self.horizontalScrollBar()
            h.setValue(h.value() + (-1 if key == Qt.Key.Key_Left else 1) * 4 * self._cw)
        elif key == Qt.Key.Key_Home:
            self.horizontalScrollBar().setValue(0)
        else:
            super().keyPressEvent(event)

    def _toggle_fold_at_caret(self) -> None:
        if self._index.line_count() == 0:
            return
        if self._caret is not None:
            line = self._index.line_of(self._caret)
        else:  # the first folded or expanded line on screen
            self._layout()
            lines = [r.line for r in self._rows if r.marker or r.line in self._expanded]
            if not lines:
                return
            line = lines[0]
        if line in self._expanded:
            self.collapse_line(line)
        else:
            self.expand_line(line)

    def _extend_selection(self, key: Qt.Key, ctrl: bool) -> None:
        if self._caret is None:
            self._layout()
            if not self._rows:
                return
            self._anchor = self._caret = self._rows[0].start
        caret = self._caret
        line = self._index.line_of(caret)
        start, end = self._index.line_span(line)
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            forward = key == Qt.Key.Key_Right
            if forward and caret >= end:
                caret = self._index.line_span(line + 1)[0] if line + 1 < self.line_count() else end
            elif not forward and caret <= start:
                caret = self._index.line_span(line - 1)[1] if line > 0 else start
            else:
                around = self._source.read(max(start, caret - 4), 8)
                base = max(start, caret - 4)
                rel = caret - base
                step = rel + 1 if forward else rel - 1
                while 0 < step < len(around) and 0x80 <= around[step] < 0xC0:
                    step += 1 if forward else -1
                caret = max(start, min(end, base + step))
        elif key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            target = line + (1 if key == Qt.Key.Key_Down else -1)
            if 0 <= target < self.line_count():
                t_start, t_end = self._index.line_span(target)
                caret = min(t_end, t_start + (caret - start))
        elif key == Qt.Key.Key_Home:
            caret = 0 if ctrl else start
        elif key == Qt.Key.Key_End:
            caret = self._source.size() if ctrl else end
        self._caret = caret
        self.selectionChanged.emit()
        self.scroll_to_offset(caret)

    # --- housekeeping -------------------------------------------------------------------

    def _index_more(self) -> None:
        self.refresh()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._wrap:
            self._update_expanded_rows()
        self._update_scrollbars()

    def _close_own_source(self) -> None:
        if self._own_source is not None:
            self._own_source.close()
            self._own_source = None

    def closeEvent(self, event: object) -> None:
        self._index_timer.stop()
        super().closeEvent(event)  # type: ignore[arg-type]
