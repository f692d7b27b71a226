"""HistoryPanel: every exchange sent, newest first, grouped by day, filterable.

A dockable widget: a filter box (URL or name), a method and a status-class
filter, and the list (``HistoryListModel``, read a page at a time as it
scrolls).  Each row: time, method (coloured as in the sidebar), status,
name or URL, size, duration.  Enter or a double-click opens an entry; the
context menu opens it, opens it as a new request, sends it again, deletes it,
or clears the whole history (asking first); "Export as HAR…" writes the selected
entries (or all the filter shows) as a HAR file.  The panel talks to the
``HistoryService`` only; what to do with an opened entry or a request is the
window's (signals).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QFont, QFontMetrics, QKeySequence, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QMessageBox,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from app.core.model import COMMON_METHODS
from app.core.units import human_size, human_time
from app.services.history import PAGE_SIZE, HistoryService
from app.session.history_record import HistoryDetail, HistoryEntry, request_from
from app.session.history_store import HistoryQuery
from app.ui import theme
from app.ui.history.har_export import HAR_FILTER, HarExport
from app.ui.history.model import ENTRY_ROLE, HEADER_ROLE, HistoryListModel

#: the filter box waits this long after the last key before it asks again
FILTER_DELAY_MS = 150
#: status filter choices: label, status classes (0: no response)
STATUS_CHOICES: tuple[tuple[str, frozenset[int]], ...] = (
    ("Any status", frozenset()),
    ("2xx success", frozenset({2})),
    ("3xx redirect", frozenset({3})),
    ("4xx client error", frozenset({4})),
    ("5xx server error", frozenset({5})),
    ("1xx informational", frozenset({1})),
    ("No response", frozenset({0})),
)
ANY_METHOD = "Any method"
EMPTY_TEXT = "Nothing sent yet: every request you send is kept here."
NO_MATCH_TEXT = "No entry matches the filter."


class HistoryRowDelegate(QStyledItemDelegate):
    """Paints a day header, or an entry as columns: time, method, status, name or URL
    (elided), size, duration."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        header = index.data(HEADER_ROLE)
        entry: HistoryEntry | None = index.data(ENTRY_ROLE)
        painter.save()
        rect = option.rect.adjusted(6, 0, -6, 0)
        middle = Qt.AlignmentFlag.AlignVCenter
        if header:
            font = QFont(option.font)
            font.setBold(True)
            painter.setFont(font)
            painter.setPen(option.palette.placeholderText().color())
            painter.drawText(rect, middle | Qt.AlignmentFlag.AlignLeft, header)
            painter.restore()
            return
        style = option.widget.style() if option.widget is not None else None
        if style is not None:
            opt = QStyleOptionViewItem(option)
            self.initStyleOption(opt, index)
            opt.text = ""
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, option.widget)
        if entry is None:
            painter.restore()
            return
        metrics = QFontMetrics(option.font)
        digit = metrics.horizontalAdvance("0")
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        text_color = (
            option.palette.highlightedText().color() if selected else option.palette.text().color()
        )
        muted = option.palette.placeholderText().color()
        left = rect.left()

        def cell(width: int, text: str, color: object, align: Qt.AlignmentFlag) -> None:
            nonlocal left
            box = QRect(left, rect.top(), width, rect.height())
            painter.setPen(color)
            painter.drawText(box, middle | align, text)
            left += width + digit

        cell(digit * 8, time.strftime("%H:%M:%S", time.localtime(entry.at)), muted, _LEFT)
        tag = QFont(option.font)
        tag.setBold(True)
        tag.setPointSizeF(max(6.0, option.font.pointSizeF() * 0.8))
        painter.setFont(tag)
        method = entry.method if len(entry.method) <= 6 else entry.method[:5] + "…"
        cell(digit * 7, method, theme.method_color(entry.method), _LEFT)
        painter.setFont(option.font)
        status, color = status_text(entry)
        cell(digit * 4, status, color, _LEFT)
        right = rect.right()
        tail = f"{human_size(entry.size)}   {duration_text(entry)}"
        tail_width = metrics.horizontalAdvance(tail)
        if right - left - tail_width - digit < digit * MIN_LABEL_DIGITS:
            tail, tail_width = "", 0  # a narrow panel: the name first, size and time go
        label_rect = QRect(
            left, rect.top(), max(right - tail_width - digit - left, 0), rect.height()
        )
        painter.setPen(text_color)
        elided = metrics.elidedText(entry.label, Qt.TextElideMode.ElideMiddle, label_rect.width())
        painter.drawText(label_rect, middle | _LEFT, elided)
        if tail:
            painter.setPen(muted)
            painter.drawText(rect, middle | Qt.AlignmentFlag.AlignRight, tail)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        height = QFontMetrics(option.font).height() + 10
        return QSize(200, max(height, 24))


_LEFT = Qt.AlignmentFlag.AlignLeft
Index = QModelIndex | QPersistentModelIndex


def status_text(entry: HistoryEntry) -> tuple[str, object]:
    """The status column: the code in its class's colour, or what stopped the exchange."""
    if entry.status:
        return str(entry.status), theme.status_color(entry.status)
    if entry.state == "stopped":
        return "stop", theme.method_color("HEAD")
    return "fail", theme.status_color(500)


def duration_text(entry: HistoryEntry) -> str:
    return human_time(entry.duration_s) if entry.duration_s is not None else "—"


#: a row keeps at least this many digits' width for its name (size and time give way)
MIN_LABEL_DIGITS = 10
#: the method and status choices shrink to this many characters in a narrow panel
MIN_CHOICE_CHARS = 6


class HistoryPanel(QWidget):
    #: open this entry (read-only, in a tab)
    entryOpened = Signal(int)
    #: a new request rebuilt from an entry (secrets empty), and the folder of the
    #: collection it was sent from ("" for none)
    openAsNewRequested = Signal(object, str)
    sendAgainRequested = Signal(object, str)

    def __init__(self, service: HistoryService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historyPanel")
        self.service = service
        #: asks before Clear all (tests answer it)
        self.confirm_clear: Callable[[], bool] = self._ask_clear
        #: asks where to write a HAR file ("" when cancelled; tests answer it)
        self.ask_export_file: Callable[[str, str], str] = self._ask_export_file
        self.har_export = HarExport(service.store, self)
        # the window shows the service's notices in its status bar
        self.har_export.finished.connect(service.notice.emit)

        self.filter_box = QLineEdit(self)
        self.filter_box.setObjectName("historyFilter")
        self.filter_box.setPlaceholderText("Filter by URL or name")
        self.filter_box.setClearButtonEnabled(True)
        self.method_box = QComboBox(self)
        self.method_box.setObjectName("historyMethod")
        self.method_box.addItem(ANY_METHOD)
        for method in COMMON_METHODS:
            self.method_box.addItem(method)
            self.method_box.setItemData(
                self.method_box.count() - 1,
                theme.method_color(method),
                Qt.ItemDataRole.ForegroundRole,
            )
        self.status_box = QComboBox(self)
        self.status_box.setObjectName("historyStatus")
        for label, _classes in STATUS_CHOICES:
            self.status_box.addItem(label)
        for box in (self.method_box, self.status_box):
            # the panel may be narrow (a dock beside the sidebar at 1,024 px): the
            # choices shrink, their popups stay as wide as their items
            box.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            box.setMinimumContentsLength(MIN_CHOICE_CHARS)
        choices = QHBoxLayout()
        choices.setContentsMargins(0, 0, 0, 0)
        choices.addWidget(self.method_box, 1)
        choices.addWidget(self.status_box, 1)
        filters = QVBoxLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        filters.addWidget(self.filter_box)
        filters.addLayout(choices)

        self.model = HistoryListModel(self._load_page, PAGE_SIZE, self)
        self.list = QListView(self)
        self.list.setObjectName("historyList")
        self.list.setModel(self.model)
        self.list.setItemDelegate(HistoryRowDelegate(self.list))
        self.list.setUniformItemSizes(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._context_menu)
        self.list.activated.connect(self._activated)
        self.empty_label = QLabel(EMPTY_TEXT, self)
        self.empty_label.setObjectName("hint")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.count_label = QLabel("", self)
        self.count_label.setObjectName("historyCount")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addLayout(filters)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty_label, 1)
        layout.addWidget(self.count_label)

        self._actions()
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(self.apply_filter)
        self.filter_box.textChanged.connect(lambda _text: self._filter_timer.start())
        self.method_box.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.status_box.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.model.pageLoaded.connect(self._update_empty)
        self.model.rowsInserted.connect(self._update_empty)
        self.model.rowsRemoved.connect(self._update_empty)
        self.model.modelReset.connect(self._update_empty)

        service.entryAdded.connect(self._on_added)
        service.entryDeleted.connect(self._on_deleted)
        service.cleared.connect(self._on_cleared)
        self._total: int | None = None
        self.apply_filter()

    def _actions(self) -> None:
        self.open_action = QAction("Open", self)
        self.open_action.triggered.connect(self.open_selected)
        self.open_new_action = QAction("Open as new request", self)
        self.open_new_action.triggered.connect(self.open_selected_as_new)
        self.send_again_action = QAction("Send again", self)
        self.send_again_action.triggered.connect(self.send_selected_again)
        self.delete_action = QAction("Delete", self)
        self.delete_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.delete_action.triggered.connect(self.delete_selected)
        self.clear_action = QAction("Clear all…", self)
        self.clear_action.triggered.connect(self.clear_all)
        self.export_har_action = QAction("Export as HAR…", self)
        self.export_har_action.triggered.connect(self.export_har)
        self.list.addAction(self.delete_action)

    # ---------------------------------------------------------------- filters

    def query(self) -> HistoryQuery:
        method = self.method_box.currentText()
        return HistoryQuery(
            text=self.filter_box.text().strip(),
            methods=frozenset() if method == ANY_METHOD else frozenset({method}),
            status_classes=STATUS_CHOICES[max(self.status_box.currentIndex(), 0)][1],
        )

    def apply_filter(self) -> None:
        """List the entries matching the filters (the first page, then as it scrolls)."""
        self._filter_timer.stop()
        self.model.set_query(self.query())
        self._total = None
        self._show_count()
        self._refresh_count()

    def _load_page(
        self,
        query: HistoryQuery,
        before: int | None,
        callback: Callable[[list[HistoryEntry]], None],
    ) -> None:
        self.service.load_entries(query, callback, before=before)

    def _on_count(self, query: HistoryQuery, count: int) -> None:
        if query != self.model.query:
            return
        self._total = count
        self._show_count()

    def _show_count(self) -> None:
        if self._total is None:
            self.count_label.setText("")
            return
        filtered = self.model.query != HistoryQuery()
        noun = "entry" if self._total == 1 else "entries"
        self.count_label.setText(f"{self._total:,} {noun}{' match' if filtered else ''}")

    def _update_empty(self) -> None:
        empty = self.model.rowCount() == 0 and not self.model.loading()
        self.empty_label.setText(
            NO_MATCH_TEXT if self.model.query != HistoryQuery() else EMPTY_TEXT
        )
        self.empty_label.setVisible(empty)
        self.list.setVisible(not empty)

    # ---------------------------------------------------------- service events

    def _on_added(self, entry: HistoryEntry) -> None:
        self.model.add_entry(entry)
        self._refresh_count()

    def _on_deleted(self, entry_id: int) -> None:
        self.model.remove_entry(entry_id)
        self._refresh_count()

    def _refresh_count(self) -> None:
        """Count again (read after the change: never off by one when a change and a
        count cross)."""
        query = self.model.query
        self.service.load_count(query, functools.partial(self._on_count, query))

    def _on_cleared(self) -> None:
        self.model.clear()
        self._total = 0
        self._show_count()

    # ---------------------------------------------------------------- actions

    def selected_entries(self) -> list[HistoryEntry]:
        rows = sorted(index.row() for index in self.list.selectionModel().selectedRows())
        return [e for row in rows if (e := self.model.entry_at(row)) is not None]

    def current_entry(self) -> HistoryEntry | None:
        selected = self.selected_entries()
        if selected:
            return selected[0]
        return self.model.entry_at(self.list.currentIndex().row())

    def select_entry(self, entry_id: int) -> None:
        row = self.model.row_of(entry_id)
        if row is not None:
            self.list.setCurrentIndex(self.model.index(row))

    def _activated(self, index: QModelIndex) -> None:
        entry = self.model.entry_at(index.row())
        if entry is not None:
            self.entryOpened.emit(entry.id)

    def open_selected(self) -> None:
        entry = self.current_entry()
        if entry is not None:
            self.entryOpened.emit(entry.id)

    def open_selected_as_new(self) -> None:
        self._with_detail(self.openAsNewRequested.emit)

    def send_selected_again(self) -> None:
        self._with_detail(self.sendAgainRequested.emit)

    def _with_detail(self, emit: Callable[[object, str], None]) -> None:
        entry = self.current_entry()
        if entry is None:
            return

        def loaded(detail: HistoryDetail | None) -> None:
            if detail is not None:
                emit(request_from(detail), detail.origin.collection_path)

        self.service.load_detail(entry.id, loaded)

    def delete_selected(self) -> None:
        for entry in self.selected_entries():
            self.service.delete(entry.id)

    def clear_all(self) -> None:
        if self.confirm_clear():
            self.service.clear()

    def export_har(self) -> None:
        """Write the selected entries, or every entry the filter shows, as a HAR file
        (asks where; the writing runs in a worker, the status bar says when it is done)."""
        selected = self.selected_entries()
        what = f"{len(selected)} selected" if selected else "the shown"
        path = self.ask_export_file(f"Export {what} history entries as HAR", HAR_FILTER)
        if not path:
            return
        chosen = Path(path)
        if not chosen.suffix:
            chosen = chosen.with_suffix(".har")
        ids = [entry.id for entry in selected] if selected else None
        self.har_export.start(chosen, ids, self.model.query)

    def _ask_export_file(self, title: str, file_filter: str) -> str:
        path, _chosen = QFileDialog.getSaveFileName(self, title, "history.har", file_filter)
        return path

    def _ask_clear(self) -> bool:
        answer = QMessageBox.question(
            self,
            "Clear history",
            "Delete every entry of the history? This cannot be undone.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _context_menu(self, position: QPoint) -> None:
        index = self.list.indexAt(position)
        on_entry = index.isValid() and self.model.entry_at(index.row()) is not None
        if on_entry and not self.list.selectionModel().isSelected(index):
            self.list.setCurrentIndex(index)
        has_entry = self.current_entry() is not None
        menu = QMenu(self)
        for action in (self.open_action, self.open_new_action, self.send_again_action):
            action.setEnabled(has_entry)
            menu.addAction(action)
        menu.addSeparator()
        self.delete_action.setEnabled(bool(self.selected_entries()))
        menu.addAction(self.delete_action)
        self.clear_action.setEnabled(self.model.rowCount() > 0)
        menu.addAction(self.clear_action)
        menu.addSeparator()
        self.export_har_action.setEnabled(self.model.rowCount() > 0)
        menu.addAction(self.export_har_action)
        menu.exec(self.list.viewport().mapToGlobal(position))
