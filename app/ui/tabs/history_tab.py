"""A history entry opened in a tab: the request as it was, read-only, and its response.

It is a ``RequestTab`` (so the window's commands, the tab bar and the response pane
treat it as any other tab) whose editor cannot be changed and whose response pane
shows the recorded exchange.  Send, from its banner or the window's Send, opens the
request in a new tab and sends it there ("Send again"): the entry itself never
changes.  It is never kept with the open tabs (it is in the history already).
"""

from __future__ import annotations

import time

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from app.core.model import Collection
from app.session.history_record import HistoryDetail, exchange_from, request_from
from app.ui.elided import ElidedLabel
from app.ui.tabs.request_tab import RequestTab

#: a history tab's title is this long at most (the whole URL is in the tooltip)
TITLE_URL_CHARS = 40


class HistoryTab(RequestTab):
    """One history entry, read-only."""

    #: (Request, collection folder or "") — a new untitled tab with this request
    openAsNewRequested = Signal(object, str)
    #: (Request, collection folder or "") — the same, then sent
    sendAgainRequested = Signal(object, str)

    def __init__(
        self,
        detail: HistoryDetail,
        collection: Collection | None = None,
        parent: QWidget | None = None,
    ) -> None:
        request = request_from(detail)
        entry = detail.entry
        url = entry.url if len(entry.url) <= TITLE_URL_CHARS else entry.url[:TITLE_URL_CHARS] + "…"
        request.name = f"{entry.method} {url}"
        super().__init__(None, request, parent)
        self.setObjectName("historyTab")
        self.detail = detail
        #: the collection it was sent from, when open (its variables resolve a Send again)
        self.origin_collection = collection
        self.editor.setEnabled(False)  # the entry is what was sent: nothing to edit
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(entry.at))
        origin = detail.origin
        where = " / ".join(p for p in (origin.collection_name, origin.request_name) if p)
        self.banner = ElidedLabel("", self)
        self.banner.setObjectName("historyBanner")
        self.banner.set_full_text(
            f"From history, sent {when}" + (f" from {where}" if where else "") + " · read-only"
        )
        self.open_new_button = QPushButton("Open as new request", self)
        self.open_new_button.setToolTip(
            "A new, unsaved request with this entry's method, URL, headers and body "
            "(secrets left empty)"
        )
        self.send_again_button = QPushButton("Send again", self)
        self.send_again_button.setToolTip("Send this entry's request again, in a new tab")
        self.open_new_button.clicked.connect(self.open_as_new)
        self.send_again_button.clicked.connect(self.send_again)
        row = QHBoxLayout()
        row.setContentsMargins(10, 6, 10, 0)
        row.addWidget(self.banner, 1)
        row.addWidget(self.open_new_button)
        row.addWidget(self.send_again_button)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertLayout(0, row)
        self.exchange = exchange_from(detail)
        self.response.show_exchange(self.exchange)

    @property
    def entry_id(self) -> int:
        return self.detail.entry.id

    def is_modified(self) -> bool:
        return False

    def is_blank(self) -> bool:
        return False

    def tooltip(self) -> str:
        entry = self.detail.entry
        return f"{entry.method} {entry.url}\nFrom history (read-only)"

    def open_as_new(self) -> None:
        self.openAsNewRequested.emit(request_from(self.detail), self.detail.origin.collection_path)

    def send_again(self) -> None:
        self.sendAgainRequested.emit(request_from(self.detail), self.detail.origin.collection_path)
