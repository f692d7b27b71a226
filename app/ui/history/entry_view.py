"""HistoryEntryView: one recorded exchange, read-only.

The same panes as a live response (headers, timing, redirects, the request as
sent) fed with the ``Exchange`` rebuilt from the entry, and the kept body in
the ``BodyViewer`` (every view: pretty, tree, raw, hex...).  A body the history
did not keep says why.  "Open as new request" and "Send again" hand the window
a model ``Request`` rebuilt from the entry, its secrets empty.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal, SignalInstance
from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.units import human_size, human_time
from app.net.exchange import Exchange
from app.services.history import HistoryService
from app.session.history_record import (
    ENTRY_BODY_BUDGET,
    BodyState,
    HistoryDetail,
    exchange_from,
    request_from,
)
from app.ui import theme
from app.ui.elided import ElidedLabel
from app.ui.exchange_panes import HeadersPane, RedirectsPane, RequestPane, TimingPane
from app.ui.viewer.body_viewer import BodyViewer
from app.ui.viewer.sources import ExchangeBody

#: the body view catches up (indexing, formatting) this often until it settled
TICK_MS = 30
BODY_PAGE, NOTE_PAGE = range(2)
BODY_TAB, HEADERS_TAB, TIMING_TAB, REDIRECTS_TAB, REQUEST_TAB = range(5)
BODY_NOTES = {
    BodyState.OVER_BUDGET: "Body not kept (over budget): the history keeps bodies up to {budget}.",
    BodyState.PRUNED: "Body not kept (over budget): it was dropped to keep the history "
    "within its size.",
    BodyState.NONE: "No body.",
}


class HistoryEntryView(QWidget):
    #: a new request rebuilt from the entry (secrets empty), and the folder of the
    #: collection it was sent from ("" for none)
    openAsNewRequested = Signal(object, str)
    sendAgainRequested = Signal(object, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historyEntryView")
        self._detail: HistoryDetail | None = None
        self._exchange: Exchange | None = None
        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self._on_tick)

        self.method_label = QLabel("", self)
        self.method_label.setObjectName("historyMethodLabel")
        self.url_label = ElidedLabel("", self, Qt.TextElideMode.ElideMiddle)
        self.url_label.setObjectName("historyUrl")
        self.status_label = ElidedLabel("", self)
        self.status_label.setObjectName("statusLabel")
        self.status_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        # a status takes its width (up to the label's preferred most); the URL the rest
        self.status_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.meta_label = ElidedLabel("", self)
        self.meta_label.setObjectName("historyMeta")
        self.open_new_button = QPushButton("Open as new request", self)
        self.open_new_button.setToolTip(
            "A new, unsaved request with this entry's method, URL, headers and body "
            "(secrets left empty)"
        )
        self.open_new_button.clicked.connect(lambda: self._emit(self.openAsNewRequested))
        self.send_again_button = QPushButton("Send again", self)
        self.send_again_button.setToolTip("Send this entry's request again (secrets left empty)")
        self.send_again_button.clicked.connect(lambda: self._emit(self.sendAgainRequested))
        for button in (self.open_new_button, self.send_again_button):
            button.setEnabled(False)

        top = QHBoxLayout()
        top.addWidget(self.method_label)
        top.addWidget(self.url_label, 3)
        top.addWidget(self.status_label)
        buttons = QHBoxLayout()
        buttons.addWidget(self.meta_label, 1)
        buttons.addWidget(self.open_new_button)
        buttons.addWidget(self.send_again_button)

        self.viewer = BodyViewer(self)
        # read-only text: an error quoting a long URL wraps anywhere and can be copied
        self.body_note = QPlainTextEdit(self)
        self.body_note.setObjectName("historyBodyNote")
        self.body_note.setReadOnly(True)
        self.body_note.setFrameShape(QFrame.Shape.NoFrame)
        self.body_note.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        # an error quoting a long URL wraps where it can and never widens the window
        self.body_note.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.body_stack = QStackedWidget(self)
        self.body_stack.addWidget(self.viewer)
        self.body_stack.addWidget(self.body_note)
        self.headers_pane = HeadersPane(self)
        self.timing_pane = TimingPane(self)
        self.redirects_pane = RedirectsPane(self)
        self.request_pane = RequestPane(self)
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.body_stack, "Body")
        self.tabs.addTab(self.headers_pane, "Headers")
        self.tabs.addTab(self.timing_pane, "Timing")
        self.tabs.addTab(self.redirects_pane, "Redirects")
        self.tabs.addTab(self.request_pane, "Request")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 0)
        layout.addLayout(top)
        layout.addLayout(buttons)
        layout.addWidget(self.tabs, 1)

    # ---------------------------------------------------------------- showing

    @property
    def detail(self) -> HistoryDetail | None:
        return self._detail

    def load(self, service: HistoryService, entry_id: int) -> None:
        """Show entry ``entry_id`` once the service read it."""
        self.meta_label.set_full_text("Loading…")
        service.load_detail(entry_id, self._loaded(entry_id))

    def _loaded(self, entry_id: int) -> Callable[[HistoryDetail | None], None]:
        def show(detail: HistoryDetail | None) -> None:
            if detail is None:
                self.meta_label.set_full_text(f"Entry {entry_id} is no longer in the history.")
                return
            self.show_detail(detail)

        return show

    def show_detail(self, detail: HistoryDetail) -> None:
        self._detail = detail
        entry = detail.entry
        exchange = exchange_from(detail)
        self._exchange = exchange
        self.method_label.setText(entry.method)
        self.method_label.setStyleSheet(
            f"color: {theme.method_color(entry.method).name()}; font-weight: bold;"
        )
        self.url_label.set_full_text(entry.url)
        if entry.status:
            color = theme.status_color(entry.status).name()
            self.status_label.set_full_text(f"{entry.status} {entry.reason}".strip())
        else:
            color = theme.ERROR_COLOR
            self.status_label.set_full_text(entry.error or entry.state.capitalize())
        self.status_label.setStyleSheet(f"color: {color};")
        self.meta_label.set_full_text(self._meta(detail))
        for pane in (self.headers_pane, self.timing_pane, self.redirects_pane, self.request_pane):
            pane.show_exchange(exchange)
        self.tabs.setTabText(
            HEADERS_TAB,
            f"Headers ({len(exchange.response.headers)})" if exchange.response else "Headers",
        )
        hops = len(exchange.hops)
        self.tabs.setTabText(REDIRECTS_TAB, f"Redirects ({hops})" if hops else "Redirects")
        self.tabs.setTabEnabled(REDIRECTS_TAB, bool(hops))
        self._show_body(detail, exchange)
        for button in (self.open_new_button, self.send_again_button):
            button.setEnabled(True)

    def _meta(self, detail: HistoryDetail) -> str:
        entry = detail.entry
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(entry.at))
        parts = [when]
        origin = detail.origin
        if origin.collection_name or origin.request_name:
            parts.append(" / ".join(p for p in (origin.collection_name, origin.request_name) if p))
        if entry.duration_s is not None:
            parts.append(human_time(entry.duration_s))
        if entry.status:
            parts.append(human_size(entry.size))
        return " · ".join(parts)

    def _show_body(self, detail: HistoryDetail, exchange: Exchange) -> None:
        if detail.body_state is BodyState.KEPT and detail.body is not None:
            head = exchange.response
            self.viewer.show_body(
                ExchangeBody(exchange), content_type=head.content_type if head else ""
            )
            self.body_stack.setCurrentIndex(BODY_PAGE)
            self._tick.start()
            return
        template = BODY_NOTES.get(detail.body_state, BODY_NOTES[BodyState.NONE])
        note = template.format(budget=human_size(ENTRY_BODY_BUDGET))
        error = detail.detail.get("error")
        if error and detail.body_state is BodyState.NONE:
            note = f"{error.get('title', 'Request failed')}\n\n{error.get('message', '')}"
        self.body_note.setPlainText(note)
        self.viewer.clear()
        self.body_stack.setCurrentIndex(NOTE_PAGE)

    def _on_tick(self) -> None:
        self.viewer.refresh()
        if self.viewer.settled():
            self._tick.stop()

    def body_settled(self) -> bool:
        return self.body_stack.currentIndex() == NOTE_PAGE or self.viewer.settled()

    def body_text(self) -> str:
        """The text on show in the Body tab (the note, or the body's text view)."""
        if self.body_stack.currentIndex() == NOTE_PAGE:
            return self.body_note.toPlainText()
        return self.viewer.text()

    def _emit(self, signal: SignalInstance) -> None:
        detail = self._detail
        if detail is not None:
            signal.emit(request_from(detail), detail.origin.collection_path)
