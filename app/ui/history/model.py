"""HistoryListModel: the history, newest first, grouped by day, read a page at a time.

Rows are day headers ("Today", "Yesterday", "Mon 23 Nov 2026") and entries.
Nothing is read up front: the view asks for more as it scrolls (``fetchMore``),
and each page comes from the service's reader thread, keyed by the last id shown,
so 100,000 entries open as fast as ten.  A new query starts again; a page that
arrives for an older query is dropped.  Entries recorded meanwhile are put on top
when they match the query.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from app.session.history_record import HistoryEntry, day_of
from app.session.history_store import HistoryQuery

#: the entry of a row (None for a day header)
ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
#: a day header's text ("" for an entry)
HEADER_ROLE = Qt.ItemDataRole.UserRole + 2

Index = QModelIndex | QPersistentModelIndex
Day = tuple[int, int, int]
PageLoader = Callable[[HistoryQuery, int | None, Callable[[list[HistoryEntry]], None]], None]


@dataclass(frozen=True, slots=True)
class DayHeader:
    day: Day


def day_title(day: Day, today: datetime.date | None = None) -> str:
    """ "Today", "Yesterday", or the date ("Mon 23 Nov 2026")."""
    today = today or datetime.date.today()
    date = datetime.date(*day)
    if date == today:
        return "Today"
    if date == today - datetime.timedelta(days=1):
        return "Yesterday"
    return date.strftime("%a %d %b %Y")


def matches(query: HistoryQuery, entry: HistoryEntry) -> bool:
    """Does ``entry`` belong in a list filtered by ``query`` (as the store filters)?"""
    if query.methods and entry.method not in query.methods:
        return False
    if query.status_classes and entry.status // 100 not in query.status_classes:
        return False
    text = query.text.strip().lower()
    return not text or text in entry.url.lower() or text in entry.name.lower()


class HistoryListModel(QAbstractListModel):
    #: a page arrived (the view may want to select or scroll)
    pageLoaded = Signal()

    def __init__(self, load_page: PageLoader, page_size: int, parent: QObject | None = None):
        super().__init__(parent)
        self._load_page = load_page
        self._page_size = page_size
        self._rows: list[HistoryEntry | DayHeader] = []
        #: ids of the entries listed (a page read after an entry was added on top has it too)
        self._ids: set[int] = set()
        self._query = HistoryQuery()
        self._generation = 0
        self._loading = False
        self._more = True

    # ------------------------------------------------------------- the query

    @property
    def query(self) -> HistoryQuery:
        return self._query

    def set_query(self, query: HistoryQuery) -> None:
        """Show the entries matching ``query`` (from the newest)."""
        self._query = query
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self._rows = []
        self._ids = set()
        self._generation += 1
        self._loading = False
        self._more = True
        self.endResetModel()
        self.fetchMore(QModelIndex())

    def loading(self) -> bool:
        return self._loading

    def has_more(self) -> bool:
        return self._more

    # ----------------------------------------------------------------- paging

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._more and not self._loading

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or not self._more or self._loading:
            return
        self._loading = True
        generation = self._generation
        last = self.last_entry()
        self._load_page(
            self._query,
            last.id if last is not None else None,
            lambda entries: self._on_page(generation, entries),
        )

    def _on_page(self, generation: int, entries: list[HistoryEntry]) -> None:
        if generation != self._generation:
            return  # for a query no longer on show
        self._loading = False
        self._more = len(entries) >= self._page_size
        rows: list[HistoryEntry | DayHeader] = []
        last = self.last_entry()
        day = day_of(last.at) if last is not None else None
        for entry in entries:
            if entry.id in self._ids:
                continue  # recorded while this page was read: already on top
            self._ids.add(entry.id)
            entry_day = day_of(entry.at)
            if entry_day != day:
                rows.append(DayHeader(entry_day))
                day = entry_day
            rows.append(entry)
        if rows:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()
        self.pageLoaded.emit()

    # ---------------------------------------------------------------- changes

    def add_entry(self, entry: HistoryEntry) -> None:
        """A new entry: on top, under today's header, when it matches the query."""
        if entry.id in self._ids or not matches(self._query, entry):
            return
        self._ids.add(entry.id)
        rows: list[HistoryEntry | DayHeader] = [entry]
        first = self._rows[0] if self._rows else None
        day = day_of(entry.at)
        if isinstance(first, DayHeader) and first.day == day:
            at = 1
        else:
            rows.insert(0, DayHeader(day))
            at = 0
        self.beginInsertRows(QModelIndex(), at, at + len(rows) - 1)
        self._rows[at:at] = rows
        self.endInsertRows()

    def remove_entry(self, entry_id: int) -> None:
        row = self.row_of(entry_id)
        if row is None:
            return
        self._ids.discard(entry_id)
        before = self._rows[row - 1] if row > 0 else None
        after = self._rows[row + 1] if row + 1 < len(self._rows) else None
        first = row
        if isinstance(before, DayHeader) and not isinstance(after, HistoryEntry):
            first = row - 1  # the day's last entry: its header goes too
        self.beginRemoveRows(QModelIndex(), first, row)
        del self._rows[first : row + 1]
        self.endRemoveRows()

    def clear(self) -> None:
        self.beginResetModel()
        self._rows = []
        self._ids = set()
        self._generation += 1
        self._loading = False
        self._more = False
        self.endResetModel()

    # ---------------------------------------------------------------- reading

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == ENTRY_ROLE:
            return row if isinstance(row, HistoryEntry) else None
        if role == HEADER_ROLE:
            return day_title(row.day) if isinstance(row, DayHeader) else ""
        if role == Qt.ItemDataRole.DisplayRole:
            if isinstance(row, DayHeader):
                return day_title(row.day)
            return f"{row.method} {row.label}"
        if role == Qt.ItemDataRole.ToolTipRole and isinstance(row, HistoryEntry):
            when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(row.at))
            status = f"{row.status} {row.reason}".strip() if row.status else row.error
            lines = [f"{row.method} {row.url}", f"{when} · {status or row.state}"]
            if row.name:
                lines.insert(0, f"{row.collection_name} / {row.name}".strip(" /"))
            return "\n".join(lines)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if index.isValid() and isinstance(self._rows[index.row()], DayHeader):
            return Qt.ItemFlag.ItemIsEnabled
        return super().flags(index)

    def entry_at(self, row: int) -> HistoryEntry | None:
        item = self._rows[row] if 0 <= row < len(self._rows) else None
        return item if isinstance(item, HistoryEntry) else None

    def entries(self) -> list[HistoryEntry]:
        return [row for row in self._rows if isinstance(row, HistoryEntry)]

    def headers(self) -> list[str]:
        return [day_title(row.day) for row in self._rows if isinstance(row, DayHeader)]

    def last_entry(self) -> HistoryEntry | None:
        for row in reversed(self._rows):
            if isinstance(row, HistoryEntry):
                return row
        return None

    def row_of(self, entry_id: int) -> int | None:
        for number, row in enumerate(self._rows):
            if isinstance(row, HistoryEntry) and row.id == entry_id:
                return number
        return None
