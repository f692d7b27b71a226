"""The panes beside the body: response headers, cookies set, timing, redirects, the
request as sent.

Each pane shows one ``Exchange``: ``show_exchange(exchange)`` may be called as
often as the owner likes (on every update while the body streams): a pane fills
once the part of the exchange it shows exists, and does nothing when that part
did not change.  ``clear()`` empties it.  The tables copy what is selected
(Ctrl+C, context menu) and everything shown ("Copy all"), in the order shown.
"""

from __future__ import annotations

import datetime
import email.utils
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRectF,
    QSize,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import (
    QAction,
    QColor,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.net.exchange import Exchange, RedirectHop, ResponseHead, SentRequest, Timings
from app.ui import theme

Row = tuple[str, ...]
#: a column sized to its text stops at this width (the last one takes the rest)
COLUMN_WIDTH_LIMIT = 360


def copy_text(text: str) -> None:
    clipboard = QGuiApplication.clipboard()
    if clipboard is not None:
        clipboard.setText(text)


def duration(seconds: float | None) -> str:
    """Short and exact enough for a waterfall: "0.4 ms", "12 ms", "1.25 s"."""
    if seconds is None:
        return "—"
    if seconds < 0.01:
        return f"{seconds * 1000:.1f} ms"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s"


# ------------------------------------------------------------------ tables


class _RowFilter(QSortFilterProxyModel):
    """Sorts by any column (or keeps the original order) and filters on every column."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(-1)  # a row matches when any of its cells does


class RowTable(QWidget):
    """A read-only table of text rows: sortable (a third click on a column header
    brings back the original order), filterable, copyable.

    ``line`` turns a row into the text copied for it ("Name: value" for headers).
    """

    def __init__(
        self,
        columns: Sequence[str],
        line: Callable[[Row], str],
        parent: QWidget | None = None,
        *,
        filter_placeholder: str = "",
        sortable: bool = True,
    ) -> None:
        super().__init__(parent)
        self._line = line
        self._rows: list[Row] = []
        self.model = QStandardItemModel(0, len(columns), self)
        self.model.setHorizontalHeaderLabels(list(columns))
        self.proxy = _RowFilter(self)
        self.proxy.setSourceModel(self.model)
        self.view = QTableView(self)
        self.view.setModel(self.proxy)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(22)
        header = self.view.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setHighlightSections(False)
        self._sortable = sortable
        #: (column, order) the rows are sorted by; None: the original order
        self._sort: tuple[int, Qt.SortOrder] | None = None
        if sortable:
            header.setSectionsClickable(True)
            header.setSortIndicatorShown(False)
            header.sectionClicked.connect(self._header_clicked)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        # Ctrl+C is read as a key press of the view (see ``eventFilter``), the menu says so
        copy_keys = QKeySequence(QKeySequence.StandardKey.Copy).toString(
            QKeySequence.SequenceFormat.NativeText
        )
        self.copy_action = QAction(f"Copy\t{copy_keys}", self.view)
        self.copy_action.triggered.connect(self.copy_selected)
        self.view.installEventFilter(self)
        self.copy_all_action = QAction("Copy all", self.view)
        self.copy_all_action.triggered.connect(self.copy_all)
        self.original_order_action = QAction("Original order", self.view)
        self.original_order_action.triggered.connect(self.original_order)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.filter_edit: QLineEdit | None = None
        if filter_placeholder:
            bar = QHBoxLayout()
            bar.setContentsMargins(0, 0, 0, 0)
            self.filter_edit = QLineEdit(self)
            self.filter_edit.setPlaceholderText(filter_placeholder)
            self.filter_edit.setClearButtonEnabled(True)
            self.filter_edit.textChanged.connect(self.proxy.setFilterFixedString)
            bar.addWidget(self.filter_edit, 1)
            copy_all = QPushButton("Copy all", self)
            copy_all.clicked.connect(self.copy_all)
            bar.addWidget(copy_all)
            layout.addLayout(bar)
        layout.addWidget(self.view, 1)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.view
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.matches(QKeySequence.StandardKey.Copy)
        ):
            self.copy_selected()
            return True
        return super().eventFilter(watched, event)

    # -------------------------------------------------------------- rows

    def set_rows(self, rows: Sequence[Row]) -> None:
        self._rows = [tuple(row) for row in rows]
        self.model.setRowCount(0)
        for row in self._rows:
            items = []
            for text in row:
                item = QStandardItem(text)
                item.setToolTip(text if len(text) > 60 else "")
                items.append(item)
            self.model.appendRow(items)
        # columns as wide as their text (a small table: cheap), none wider than the limit
        for column in range(self.model.columnCount() - 1):
            self.view.resizeColumnToContents(column)
            if self.view.columnWidth(column) > COLUMN_WIDTH_LIMIT:
                self.view.setColumnWidth(column, COLUMN_WIDTH_LIMIT)

    def rows(self) -> list[Row]:
        """Every row, in the original order (unfiltered)."""
        return list(self._rows)

    def shown_rows(self) -> list[Row]:
        """The rows shown, in the order shown (sorted, filtered)."""
        return [self._row_at(self.proxy.index(r, 0)) for r in range(self.proxy.rowCount())]

    def _row_at(self, index: QModelIndex | QPersistentModelIndex) -> Row:
        return self._rows[self.proxy.mapToSource(index).row()]

    def select_rows(self, *shown: int) -> None:
        """Select these rows (as shown), as a click and Ctrl+clicks would."""
        selection = self.view.selectionModel()
        selection.clearSelection()
        for row in shown:
            selection.select(
                self.proxy.index(row, 0),
                selection.SelectionFlag.Select | selection.SelectionFlag.Rows,
            )

    def selected_rows(self) -> list[Row]:
        """The selected rows, in the order shown."""
        chosen = sorted(index.row() for index in self.view.selectionModel().selectedRows())
        return [self._row_at(self.proxy.index(r, 0)) for r in chosen]

    # -------------------------------------------------------------- copy

    def text_of(self, rows: Sequence[Row]) -> str:
        return "\n".join(self._line(row) for row in rows)

    def copy_selected(self) -> None:
        rows = self.selected_rows()
        if rows:
            copy_text(self.text_of(rows))

    def copy_all(self) -> None:
        rows = self.shown_rows()
        if rows:
            copy_text(self.text_of(rows))

    def _context_menu(self, position: QPoint) -> None:
        menu = QMenu(self)
        self.copy_action.setEnabled(bool(self.view.selectionModel().selectedRows()))
        menu.addAction(self.copy_action)
        menu.addAction(self.copy_all_action)
        if self._sortable:
            menu.addSeparator()
            self.original_order_action.setEnabled(self._sort is not None)
            menu.addAction(self.original_order_action)
        menu.popup(self.view.viewport().mapToGlobal(position))

    # -------------------------------------------------------------- sort

    def sort_by(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort = (column, order)
        header = self.view.horizontalHeader()
        header.setSortIndicatorShown(True)
        header.setSortIndicator(column, order)
        self.proxy.sort(column, order)

    def original_order(self) -> None:
        self._sort = None
        self.view.horizontalHeader().setSortIndicatorShown(False)
        self.proxy.sort(-1)  # the source model's order

    def _header_clicked(self, column: int) -> None:
        """Ascending, descending, then the original order again."""
        if self._sort is None or self._sort[0] != column:
            self.sort_by(column, Qt.SortOrder.AscendingOrder)
        elif self._sort[1] == Qt.SortOrder.AscendingOrder:
            self.sort_by(column, Qt.SortOrder.DescendingOrder)
        else:
            self.original_order()

    def clear(self) -> None:
        self.set_rows([])
        if self.filter_edit is not None:
            self.filter_edit.clear()


def header_line(row: Row) -> str:
    return f"{row[0]}: {row[1]}"


def _empty_label(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName("hint")
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return label


# ----------------------------------------------------------------- headers


class HeadersPane(QWidget):
    """The response headers, as received (order and repeats kept)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = RowTable(
            ("Name", "Value"), header_line, self, filter_placeholder="Filter headers"
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.table)
        self._shown: ResponseHead | None = None

    def show_exchange(self, exchange: Exchange | None) -> None:
        head = exchange.response if exchange is not None else None
        if head is self._shown:
            return
        self._shown = head
        self.table.set_rows(list(head.headers) if head is not None else [])

    def clear(self) -> None:
        self._shown = None
        self.table.clear()


# ----------------------------------------------------------------- cookies


@dataclass(frozen=True, slots=True)
class SetCookie:
    """One Set-Cookie header, read as RFC 6265 says (lenient, as browsers are)."""

    name: str
    value: str
    domain: str = ""
    path: str = ""
    expires: str = ""
    max_age: str = ""
    secure: bool = False
    httponly: bool = False
    samesite: str = ""

    @property
    def lifetime(self) -> str:
        """When it ends, in words: "session", "in 1 d", "Wed, 21 Oct 2026 ...", "deleted"."""
        if self.max_age:
            try:
                seconds = int(self.max_age)
            except ValueError:
                return f"Max-Age {self.max_age}"
            if seconds <= 0:
                return "deleted (Max-Age 0)"
            return f"in {_span_words(seconds)} (Max-Age {seconds})"
        if self.expires:
            when = _http_date(self.expires)
            if when is not None and when <= datetime.datetime.now(datetime.UTC):
                return f"deleted (expired {self.expires})"
            return self.expires
        return "end of session"


def _span_words(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"


def _http_date(text: str) -> datetime.datetime | None:
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    return when


def parse_set_cookie(header: str) -> SetCookie | None:
    """``name=value; Attr=...``; None when there is no cookie name (RFC 6265 5.2)."""
    first, *attributes = header.split(";")
    name, equals, value = first.partition("=")
    name = name.strip()
    if not equals or not name:
        return None
    value = value.strip()
    fields: dict[str, str] = {}
    flags: set[str] = set()
    for attribute in attributes:
        key, has_value, text = attribute.partition("=")
        key = key.strip().lower()
        if not key:
            continue
        if has_value:
            fields[key] = text.strip()
        else:
            flags.add(key)
    return SetCookie(
        name=name,
        value=value,
        domain=fields.get("domain", ""),
        path=fields.get("path", ""),
        expires=fields.get("expires", ""),
        max_age=fields.get("max-age", ""),
        secure="secure" in flags or "secure" in fields,
        httponly="httponly" in flags or "httponly" in fields,
        samesite=fields.get("samesite", ""),
    )


def cookies_set(exchange: Exchange) -> list[tuple[str, SetCookie]]:
    """(where, cookie) for every Set-Cookie of the exchange: redirect hops first
    ("redirect 1 (302)"), then the final response ("response")."""
    found: list[tuple[str, SetCookie]] = []
    sources: list[tuple[str, Sequence[tuple[str, str]]]] = [
        (f"redirect {number} ({hop.status_code})", hop.headers)
        for number, hop in enumerate(exchange.hops, start=1)
    ]
    if exchange.response is not None:
        sources.append(("response", exchange.response.headers))
    for where, headers in sources:
        for name, value in headers:
            if name.lower() == "set-cookie":
                cookie = parse_set_cookie(value)
                if cookie is not None:
                    found.append((where, cookie))
    return found


COOKIE_COLUMNS = (
    "Name",
    "Value",
    "Domain",
    "Path",
    "Expires",
    "Secure",
    "HttpOnly",
    "SameSite",
    "Set by",
)


def _cookie_row(where: str, cookie: SetCookie) -> Row:
    return (
        cookie.name,
        cookie.value,
        cookie.domain or "(this host)",
        cookie.path or "(default)",
        cookie.lifetime,
        "yes" if cookie.secure else "",
        "yes" if cookie.httponly else "",
        cookie.samesite,
        where,
    )


class CookiesPane(QWidget):
    """The cookies this response set (Set-Cookie), redirect hops' included.

    Copy gives ``name=value`` lines, ready for a Cookie header.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = RowTable(
            COOKIE_COLUMNS, lambda row: f"{row[0]}={row[1]}", self, filter_placeholder="Filter"
        )
        self.empty = _empty_label("This response set no cookies.", self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty, 1)
        self._shown: tuple[int, int, ResponseHead | None] | None = None
        self.clear()

    def count(self) -> int:
        return len(self.table.rows())

    def show_exchange(self, exchange: Exchange | None) -> None:
        key = (exchange.id, len(exchange.hops), exchange.response) if exchange else None
        if key == self._shown:
            return
        self._shown = key
        rows = [_cookie_row(w, c) for w, c in cookies_set(exchange)] if exchange else []
        self.table.set_rows(rows)
        self.table.setVisible(bool(rows))
        self.empty.setVisible(not rows and exchange is not None and exchange.response is not None)

    def clear(self) -> None:
        self._shown = None
        self.table.clear()
        self.table.setVisible(False)
        self.empty.setVisible(False)


# ------------------------------------------------------------------ timing


class TimingRow(NamedTuple):
    key: str
    label: str
    seconds: float | None
    #: where the step sits on the exchange's timeline, as fractions of the total
    span: tuple[float, float] | None
    colour: str


TIMING_COLOURS = {
    "redirects": "#8b92a0",
    "dns": "#56c5d0",
    "connect": "#f2b84b",
    "tls": "#b58cf2",
    "send": "#f07178",
    "wait": "#5aa9f8",
    "download": "#4fc38a",
    "total": "#7c5cff",
}


def waterfall(timings: Timings) -> list[TimingRow]:
    """The rows of the Timing pane, each placed on the exchange's timeline.

    Redirect hops come first; then looking up, connecting and TLS one after the
    other; the request written and the wait for the head end at the time to
    first byte (what lies between is queueing for a connection); the download
    runs from the head to the end.  Steps that did not happen have no span
    (a reused connection: no lookup, connect or TLS).
    """
    total = max(timings.total_s, 0.0)

    def span(start: float | None, seconds: float | None) -> tuple[float, float] | None:
        if start is None or seconds is None or total <= 0:
            return None
        begin = min(max(start / total, 0.0), 1.0)
        return begin, min(max((start + seconds) / total, begin), 1.0)

    rows: list[TimingRow] = []

    def add(key: str, label: str, seconds: float | None, start: float | None) -> None:
        rows.append(TimingRow(key, label, seconds, span(start, seconds), TIMING_COLOURS[key]))

    redirects = timings.redirects_s
    if redirects > 0:
        add("redirects", "Redirects", redirects, 0.0)
    at = redirects
    add("dns", "DNS lookup", timings.dns_s, at if timings.dns_s is not None else None)
    at += timings.dns_s or 0.0
    connect_label = "DNS + TCP connect" if timings.connect_includes_dns else "TCP connect"
    add("connect", connect_label, timings.connect_s, at)
    at += timings.connect_s or 0.0
    add("tls", "TLS handshake", timings.tls_s, at)
    head = timings.ttfb_s
    wait_start = head - timings.wait_s if head is not None and timings.wait_s is not None else None
    send_start = (
        wait_start - timings.send_s
        if wait_start is not None and timings.send_s is not None
        else None
    )
    add("send", "Request sent", timings.send_s, send_start)
    add("wait", "Waiting (server)", timings.wait_s, wait_start)
    add("download", "Download", timings.download_s, head)
    add("total", "Total", timings.total_s, 0.0)
    return rows


class TimelineBar(QWidget):
    """One row of the waterfall: a track with the step's interval filled in."""

    def __init__(self, colour: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._colour = QColor(colour)
        self._span: tuple[float, float] | None = None
        self.setMinimumWidth(120)

    def set_span(self, span: tuple[float, float] | None) -> None:
        self._span = span
        self.update()

    def span(self) -> tuple[float, float] | None:
        return self._span

    def sizeHint(self) -> QSize:
        return QSize(240, 10)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        track = QRectF(0, (self.height() - 8) / 2, self.width(), 8)
        painter.setBrush(QColor(theme.RAISED))  # the theme's: a dark bar on the light one
        painter.drawRoundedRect(track, 4, 4)
        if self._span is not None:
            start, end = self._span
            x = track.left() + start * track.width()
            width = max((end - start) * track.width(), 3.0)
            painter.setBrush(self._colour)
            painter.drawRoundedRect(QRectF(x, track.top(), width, track.height()), 4, 4)
        painter.end()


def connection_facts(exchange: Exchange) -> list[tuple[str, str]]:
    """HTTP version, remote address and whether the connection was new."""
    timings = exchange.timings
    if timings is None:
        return []
    version = timings.http_version or (exchange.response.http_version if exchange.response else "")
    if timings.reused_connection:
        connection = "reused (no lookup, connect or TLS handshake)"
    else:
        connection = "new"
    return [
        ("HTTP version", version or "—"),
        ("Remote address", timings.remote_address or "—"),
        ("Connection", connection),
    ]


class TimingPane(QWidget):
    """A waterfall of the exchange's steps, and facts about its connection."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._shown: Timings | None = None
        self._grid_host = QWidget(self)
        self._grid = QGridLayout(self._grid_host)
        self._grid.setContentsMargins(16, 14, 16, 14)
        self._grid.setHorizontalSpacing(14)
        self._grid.setVerticalSpacing(8)
        self.empty = _empty_label("Timings appear when the exchange ends.", self)
        copy = QPushButton("Copy", self)
        copy.clicked.connect(self.copy)
        self.copy_button = copy
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._grid_host)
        layout.addWidget(self.empty, 1)
        bottom = QHBoxLayout()
        bottom.setContentsMargins(16, 0, 16, 12)
        bottom.addStretch(1)
        bottom.addWidget(copy)
        layout.addLayout(bottom)
        layout.addStretch(1)
        #: key -> (duration label, bar) of the rows shown
        self.rows: dict[str, tuple[QLabel, TimelineBar]] = {}
        #: name -> value label of the connection facts shown
        self.facts: dict[str, QLabel] = {}
        self._lines: list[str] = []
        self.clear()

    def show_exchange(self, exchange: Exchange | None) -> None:
        timings = exchange.timings if exchange is not None else None
        if timings is self._shown:
            return
        if exchange is None or timings is None:
            self.clear()
            return
        self._shown = timings
        self._fill(waterfall(timings), connection_facts(exchange))

    def _fill(self, rows: list[TimingRow], facts: list[tuple[str, str]]) -> None:
        self._empty_grid()
        grid = self._grid
        host = self._grid_host
        lines: list[str] = []
        for index, (key, label_text, seconds, span, colour) in enumerate(rows):
            name = QLabel(label_text, host)
            name.setObjectName("timingName")
            value = QLabel(duration(seconds), host)
            value.setObjectName("timingValue")
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            value.setMinimumWidth(64)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            bar = TimelineBar(colour, host)
            bar.set_span(span)
            grid.addWidget(name, index, 0)
            grid.addWidget(value, index, 1)
            grid.addWidget(bar, index, 2)
            self.rows[key] = (value, bar)
            lines.append(f"{label_text}: {duration(seconds)}")
        start = len(rows) + 1
        for offset, (fact, text) in enumerate(facts):
            name = QLabel(fact, host)
            name.setObjectName("timingName")
            value = QLabel(text, host)
            value.setObjectName("timingValue")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(name, start + offset, 0)
            grid.addWidget(value, start + offset, 1, 1, 2)
            self.facts[fact] = value
            lines.append(f"{fact}: {text}")
        grid.setColumnStretch(2, 1)
        self._lines = lines
        self._grid_host.setVisible(True)
        self.copy_button.setVisible(True)
        self.empty.setVisible(False)

    def _empty_grid(self) -> None:
        while self._grid.count():
            item = self._grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.rows = {}
        self.facts = {}
        self._lines = []

    def text(self) -> str:
        """The pane as text: one "Step: duration" line each, then the connection facts."""
        return "\n".join(self._lines)

    def copy(self) -> None:
        if self._lines:
            copy_text(self.text())

    def clear(self) -> None:
        self._shown = None
        self._empty_grid()
        self._grid_host.setVisible(False)
        self.copy_button.setVisible(False)
        self.empty.setVisible(True)


# --------------------------------------------------------------- redirects

REDIRECT_COLUMNS = ("#", "Status", "Request", "Location", "Time", "Credentials withheld")


def hop_row(number: int, hop: RedirectHop) -> Row:
    withheld = ", ".join(f"{w.name} ({w.source})" for w in hop.withheld)
    if hop.cross_origin:
        withheld = f"another origin: {withheld}" if withheld else "another origin: nothing to hold"
    return (
        str(number),
        f"{hop.status_code} {hop.reason}".strip(),
        f"{hop.method} {hop.url}",
        hop.location,
        duration(hop.elapsed_s),
        withheld,
    )


def final_row(exchange: Exchange) -> Row | None:
    head = exchange.response
    if head is None:
        return None
    method = exchange.request.method if exchange.request is not None else exchange.method
    return (
        "final",
        f"{head.status_code} {head.reason}".strip(),
        f"{method} {head.url}",
        "",
        "",
        "",
    )


class RedirectsPane(QWidget):
    """Each redirect hop: its answer, the request that got it, where it pointed, how
    long it took, and the credentials Courier did not send on to another origin."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = RowTable(REDIRECT_COLUMNS, "\t".join, self, sortable=False)
        self.summary = QLabel("", self)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.empty = _empty_label("No redirects.", self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty, 1)
        self._shown: tuple[int, tuple[RedirectHop, ...], ResponseHead | None] | None = None
        self.clear()

    def count(self) -> int:
        return len(self._shown[1]) if self._shown else 0

    def show_exchange(self, exchange: Exchange | None) -> None:
        if exchange is None:
            self.clear()
            return
        key = (exchange.id, tuple(exchange.hops), exchange.response)
        if key == self._shown:
            return
        self._shown = key
        hops = key[1]
        rows = [hop_row(n, hop) for n, hop in enumerate(hops, start=1)]
        final = final_row(exchange)
        if hops and final is not None:
            rows.append(final)
        self.table.set_rows(rows)
        withheld = sum(len(hop.withheld) for hop in hops)
        text = f"{len(hops)} redirect{'s' if len(hops) != 1 else ''}"
        if withheld:
            text += (
                f"; {withheld} credential{'s' if withheld != 1 else ''} withheld on hops to "
                "another origin"
            )
        self.summary.setText(text)
        self.summary.setVisible(bool(hops))
        self.table.setVisible(bool(hops))
        self.empty.setVisible(not hops and exchange.response is not None)

    def clear(self) -> None:
        self._shown = None
        self.table.clear()
        self.summary.setVisible(False)
        self.table.setVisible(False)
        self.empty.setVisible(False)


# ----------------------------------------------------------------- request


def request_text(sent: SentRequest) -> str:
    """The request as sent, as text: request line, headers (secrets masked), body."""
    lines = [f"{sent.method} {sent.url}"]
    lines += [f"{name}: {value}" for name, value in sent.headers]
    lines += ["", f"[body: {sent.body_summary}]"]
    return "\n".join(lines)


class RequestPane(QWidget):
    """The request as it was sent: method and final URL, headers with secrets
    masked, and what the body was."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.line = QLabel("", self)
        self.line.setWordWrap(True)
        self.line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body = QLabel("", self)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = RowTable(
            ("Name", "Value"), header_line, self, filter_placeholder="Filter headers"
        )
        copy = QPushButton("Copy request", self)
        copy.clicked.connect(self.copy)
        copy_url = QPushButton("Copy URL", self)
        copy_url.clicked.connect(self.copy_url)
        top = QHBoxLayout()
        top.addWidget(self.line, 1)
        top.addWidget(copy_url)
        top.addWidget(copy)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.body)
        self._shown: SentRequest | None = None
        self.clear()

    def show_exchange(self, exchange: Exchange | None) -> None:
        sent = exchange.request if exchange is not None else None
        if sent is self._shown:
            return
        self._shown = sent
        if sent is None:
            self.clear()
            return
        self.line.setText(f"{sent.method} {sent.url}")
        self.body.setText(f"Body: {sent.body_summary}")
        self.table.set_rows(list(sent.headers))
        for widget in (self.line, self.body, self.table):
            widget.setVisible(True)

    def text(self) -> str:
        return request_text(self._shown) if self._shown is not None else ""

    def copy(self) -> None:
        if self._shown is not None:
            copy_text(self.text())

    def copy_url(self) -> None:
        if self._shown is not None:
            copy_text(self._shown.url)

    def clear(self) -> None:
        self._shown = None
        self.line.setText("")
        self.body.setText("")
        self.table.clear()
