"""A live table of Server-Sent Events or NDJSON lines, with the selected one shown below.

The table keeps, per row, only byte offsets and an arrival time (about 32
bytes, so a million events cost ~32 MB); what a cell shows is read from the
body again when the row is on screen, and the full data when a row is
selected.  ``refresh`` parses what is new within a few milliseconds and
appends the rows in one batch; the table follows the end unless the user
scrolled up.
"""

from __future__ import annotations

import time
from array import array
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

import orjson
from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelection,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.units import human_size
from app.core.viewing.events import (
    NdjsonSplitter,
    SseParser,
    parse_ndjson_line,
    parse_sse_event,
    parse_sse_id_line,
)
from app.core.viewing.source import ByteSource, MemorySource
from app.ui.theme import monospace_font

EventKind = Literal["sse", "ndjson"]
ArrivalTime = Callable[[int], float | None]
_Index = QModelIndex | QPersistentModelIndex

#: bytes read per parse step; a refresh stops after its time budget
READ_PIECE = 16 * 1024
REFRESH_BUDGET_S = 0.004
#: a cell shows at most this much of an event (its block is read up to PREVIEW_READ)
PREVIEW_CHARS = 200
PREVIEW_READ = 16 * 1024
#: the detail pane shows at most this much of one event, pretty-printed when JSON
DETAIL_LIMIT = 4 * 1024 * 1024
_CACHE_ROWS = 1024


def _clock(stamp: float) -> str:
    return datetime.fromtimestamp(stamp).strftime("%H:%M:%S.%f")[:-3]


def _one_line(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\n", " ⏎ ")
    return text if len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS] + "…"


class EventModel(QAbstractTableModel):
    """Rows of offsets and times; cells parsed from the body on demand (cached)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._source: ByteSource = MemorySource()
        self._kind: EventKind = "sse"
        self._starts = array("q")
        self._ends = array("q")
        self._times = array("d")
        self._extra = array("q")  # SSE: offset of the line that set the id; NDJSON: line number
        self._cache: OrderedDict[int, tuple[str, ...]] = OrderedDict()

    def reset(self, source: ByteSource, kind: EventKind) -> None:
        self.beginResetModel()
        self._source, self._kind = source, kind
        self._starts, self._ends = array("q"), array("q")
        self._times, self._extra = array("d"), array("q")
        self._cache.clear()
        self.endResetModel()

    @property
    def kind(self) -> EventKind:
        return self._kind

    def append(self, rows: list[tuple[int, int, float, int]]) -> None:
        if not rows:
            return
        first = len(self._starts)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        for start, end, stamp, extra in rows:
            self._starts.append(start)
            self._ends.append(end)
            self._times.append(stamp)
            self._extra.append(extra)
        self.endInsertRows()

    def byte_span(self, row: int) -> tuple[int, int]:
        return self._starts[row], self._ends[row]

    def arrival(self, row: int) -> float:
        return self._times[row]

    # ------------------------------------------------------------ Qt model

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._starts)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else (4 if self._kind == "sse" else 3)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        names = ("Time", "Event", "ID", "Data") if self._kind == "sse" else ("Time", "#", "Value")
        return names[section] if 0 <= section < len(names) else None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return None
        row, column = index.row(), index.column()
        if column == 0:
            return _clock(self._times[row])
        cells = self.cells(row)
        return cells[column - 1] if column - 1 < len(cells) else None

    def cells(self, row: int) -> tuple[str, ...]:
        """The text of the columns after Time: (event, id, data) or (number, value)."""
        cached = self._cache.get(row)
        if cached is not None:
            self._cache.move_to_end(row)
            return cached
        cells = self._sse_cells(row) if self._kind == "sse" else self._ndjson_cells(row)
        self._cache[row] = cells
        if len(self._cache) > _CACHE_ROWS:
            self._cache.popitem(last=False)
        return cells

    def _sse_cells(self, row: int) -> tuple[str, ...]:
        start, end = self._starts[row], self._ends[row]
        block = self._source.read(start, min(end - start, PREVIEW_READ))
        if end - start > PREVIEW_READ:  # a long event: parse its first lines only
            block = block[: max(block.rfind(b"\n"), block.rfind(b"\r"), 0)] + b"\n\n"
        event = parse_sse_event(block, start)
        id_line = self._extra[row]
        event_id = ""
        if id_line >= 0:
            event_id = parse_sse_id_line(self._source.read(id_line, 1024)) or ""
        if event is None:
            return ("message", _one_line(event_id), "…")
        return (event.event, _one_line(event_id), _one_line(event.data))

    def _ndjson_cells(self, row: int) -> tuple[str, ...]:
        start, end = self._starts[row], self._ends[row]
        raw = self._source.read(start, min(end - start, PREVIEW_READ))
        text = raw.decode("utf-8", "replace").strip("\r\n\ufeff\x1e ")
        return (str(self._extra[row]), _one_line(text))


class EventTable(QWidget):
    """SSE (time, event, id, data) or NDJSON (time, #, value) rows, live, with a detail pane."""

    #: the number of rows changed
    rows_changed = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._source: ByteSource = MemorySource()
        self._arrival: ArrivalTime = lambda _offset: None
        self._sse: SseParser | None = None
        self._ndjson: NdjsonSplitter | None = None
        self._read_pos = 0
        self._finished = False
        self._follow = True
        self._scrolling = False  # the table scrolls itself: not the user leaving the end

        self.model = EventModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        rows = self.table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setHighlightSections(False)

        self.detail = QPlainTextEdit()
        self.detail.setReadOnly(True)
        self.detail.setFont(monospace_font())
        self.detail.setPlaceholderText("Select a row to see its data")

        self.count_label = QLabel()
        self.follow_button = QToolButton()
        self.follow_button.setText("Follow")
        self.follow_button.setCheckable(True)
        self.follow_button.setChecked(True)
        self.follow_button.setToolTip("Keep the newest row in view")
        self.follow_button.toggled.connect(self._on_follow_toggled)

        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 2)
        bar.addWidget(self.count_label)
        bar.addStretch(1)
        bar.addWidget(self.follow_button)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)

        self.table.verticalScrollBar().valueChanged.connect(self._on_scrolled)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self._update_count()

    # ------------------------------------------------------------ public API

    def set_source(
        self,
        source: ByteSource,
        kind: EventKind,
        arrival_time: ArrivalTime | None = None,
    ) -> None:
        """Show the events of ``source``; ``arrival_time(offset)`` is when that byte arrived
        (wall clock, None if unknown: the time this view first saw it is used)."""
        self._source = source
        self._arrival = arrival_time or (lambda _offset: None)
        self._sse = SseParser() if kind == "sse" else None
        self._ndjson = NdjsonSplitter(parse=False) if kind == "ndjson" else None
        self._read_pos = 0
        self._finished = False
        self.model.reset(source, kind)
        self.detail.clear()
        self._set_follow(True)
        self._resize_columns()
        self._update_count()

    def refresh(self) -> None:
        """Parse what arrived, for a few milliseconds at most, and append the rows."""
        deadline = time.perf_counter() + REFRESH_BUDGET_S
        rows: list[tuple[int, int, float, int]] = []
        now = time.time()
        while True:
            size = self._source.size()
            if self._read_pos >= size:
                break
            piece = self._source.read(self._read_pos, min(READ_PIECE, size - self._read_pos))
            if not piece:
                break
            self._read_pos += len(piece)
            self._parse(piece, rows, now)
            if time.perf_counter() >= deadline:
                break
        if (
            self._ndjson is not None
            and not self._finished
            and self._source.complete()
            and self._read_pos >= self._source.size()
        ):
            self._finished = True
            for line in self._ndjson.finish():
                rows.append((line.start, line.end, self._time_of(line.end - 1, now), line.number))
        if rows:
            self.model.append(rows)
            self._update_count()
            if self._follow:
                self._scroll_to_end()

    def row_count(self) -> int:
        return self.model.rowCount()

    def caught_up(self) -> bool:
        """Everything readable now has been parsed."""
        return self._read_pos >= self._source.size()

    def follows_end(self) -> bool:
        return self._follow

    def detail_text(self) -> str:
        return self.detail.toPlainText()

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    # ------------------------------------------------------------ parsing

    def _time_of(self, offset: int, now: float) -> float:
        stamp = self._arrival(max(0, offset))
        return now if stamp is None else stamp

    def _parse(self, piece: bytes, rows: list[tuple[int, int, float, int]], now: float) -> None:
        if self._sse is not None:
            for event in self._sse.feed(piece):
                rows.append(
                    (event.start, event.end, self._time_of(event.end - 1, now), event.id_line)
                )
        elif self._ndjson is not None:
            for line in self._ndjson.feed(piece):
                rows.append((line.start, line.end, self._time_of(line.end - 1, now), line.number))

    # ------------------------------------------------------------ detail

    def _on_selection(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if not indexes:
            return
        self.detail.setPlainText(self._detail_of(indexes[0].row()))

    def _detail_of(self, row: int) -> str:
        start, end = self.model.byte_span(row)
        length = end - start
        note = ""
        if length > DETAIL_LIMIT:
            note = f"(first {human_size(DETAIL_LIMIT)} of {length:,} bytes shown)\n"
        raw = self._source.read(start, min(length, DETAIL_LIMIT))
        if self.model.kind == "sse":
            if length > DETAIL_LIMIT:
                raw = raw[: max(raw.rfind(b"\n"), 0)] + b"\n\n"
            event = parse_sse_event(raw, start)
            text = event.data if event is not None else ""
        else:
            value, error = parse_ndjson_line(raw) if not note else (None, "")
            if error is None:
                return orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()
            text = raw.decode("utf-8", "replace").strip("\r\n")
            if error:
                note = f"(not JSON: {error})\n"
        return note + _pretty(text)

    # ------------------------------------------------------------ following the end

    def _scroll_to_end(self) -> None:
        self._scrolling = True
        try:
            self.table.scrollToBottom()
            bar = self.table.verticalScrollBar()
            bar.setValue(bar.maximum())
        finally:
            self._scrolling = False

    def _on_scrolled(self, value: int) -> None:
        if self._scrolling:
            return
        at_end = value >= self.table.verticalScrollBar().maximum()
        if at_end != self._follow:
            self._set_follow(at_end)

    def _on_follow_toggled(self, on: bool) -> None:
        self._follow = on
        if on:
            self._scroll_to_end()

    def _set_follow(self, on: bool) -> None:
        self._follow = on
        self.follow_button.blockSignals(True)
        self.follow_button.setChecked(on)
        self.follow_button.blockSignals(False)

    def _update_count(self) -> None:
        n = self.model.rowCount()
        noun = "event" if self.model.kind == "sse" else "line"
        self.count_label.setText(f"{n:,} {noun}{'' if n == 1 else 's'}")
        self.rows_changed.emit(n)

    def _resize_columns(self) -> None:
        header = self.table.horizontalHeader()
        width = self.fontMetrics().horizontalAdvance("00:00:00.000") + 16
        header.resizeSection(0, width)
        if self.model.kind == "sse":
            header.resizeSection(1, 120)
            header.resizeSection(2, 90)
        else:
            header.resizeSection(1, 70)


def _pretty(text: str) -> str:
    """JSON text indented (orjson), anything else as it is."""
    stripped = text.strip()
    if stripped[:1] in ("{", "[") and len(stripped) <= DETAIL_LIMIT:
        try:
            return orjson.dumps(orjson.loads(stripped), option=orjson.OPT_INDENT_2).decode()
        except orjson.JSONDecodeError:
            pass
    return text
