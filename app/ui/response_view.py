"""The response pane: status strip, then Body / Headers / Cookies / Timing /
Redirects / Request tabs.

It shows one ``Exchange`` (``show_exchange``) and re-reads it when told it
changed (``refresh``).  The body is shown by the ``BodyViewer``, which reads the
exchange's body store live, in the view that suits it (pretty, tree, raw, hex,
image, preview, events), whatever its size; a timer keeps it catching up
(indexing, formatting) until the view has settled.  A failed or stopped
exchange keeps what arrived: it can still be viewed, saved or copied.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.download_names import is_attachment, is_binary_type, suggested_name
from app.core.errors import BodyTooLarge
from app.core.units import human_size, human_time
from app.net.exchange import Exchange, ExchangeState
from app.ui import theme
from app.ui.elided import ElidedLabel
from app.ui.exchange_panes import CookiesPane, HeadersPane, RedirectsPane, RequestPane, TimingPane
from app.ui.steady_label import SteadyLabel
from app.ui.viewer.body_viewer import BodyViewer
from app.ui.viewer.sources import ExchangeBody

#: how often the body viewer catches up while it has work (indexing, formatting)
TICK_MS = 30
PLACEHOLDER, BODY, ERROR = range(3)
BODY_TAB, HEADERS_TAB, COOKIES_TAB, TIMING_TAB, REDIRECTS_TAB, REQUEST_TAB = range(6)


class ResponseView(QWidget):
    saveBodyRequested = Signal()
    copyBodyRequested = Signal()
    #: the body was over the limit, or is a file: send it again straight into a file
    downloadRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._status_color: Callable[[], str] | None = None
        theme.notifier().changed.connect(self._paint_status)
        self.setObjectName("responsePane")
        self._exchange: Exchange | None = None
        self._head_shown = False
        self._final_shown = False
        self._status = ""
        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self._on_tick)

        # status strip
        strip = QWidget(self)
        strip.setObjectName("statusStrip")
        # the status changes a few times per exchange; the meta labels many times a
        # second while a body arrives: they keep a fixed size and never relayout the window
        # the status may carry a long reason: elided, the whole text in its tooltip
        self.status_label = ElidedLabel("", strip)
        self.status_label.setObjectName("statusLabel")
        self.time_label = self._meta(strip, "99.99 s")
        self.size_label = self._meta(strip, "1023.9 MiB")
        self.version_label = self._meta(strip, "HTTP/1.1")
        self.copy_button = QPushButton("", strip)
        self.copy_button.setObjectName("copyButton")
        self.copy_button.setIcon(theme.icon("copy"))
        self.copy_button.setToolTip("Copy the whole response body (as received, decoded)")
        self.copy_button.setAccessibleName("Copy")
        self.copy_button.clicked.connect(self.copyBodyRequested)
        # icon only (its name in the tooltip): the status keeps the room in a narrow pane
        self.save_button = QPushButton("", strip)
        self.save_button.setObjectName("saveBodyButton")
        self.save_button.setAccessibleName("Save body…")
        self.save_button.setIcon(theme.icon("save"))
        self.save_button.setToolTip("Save the whole response body to a file")
        self.save_button.clicked.connect(self.saveBodyRequested)
        # the strip never sets the pane's minimum width: in a narrow pane it is clipped
        strip.setMinimumWidth(160)
        strip_layout = QHBoxLayout(strip)
        strip_layout.setContentsMargins(10, 6, 10, 6)
        strip_layout.addWidget(self.status_label)
        strip_layout.addWidget(self.time_label)
        strip_layout.addWidget(self.size_label)
        strip_layout.addWidget(self.version_label)
        strip_layout.addStretch(1)
        strip_layout.addWidget(self.copy_button)
        strip_layout.addWidget(self.save_button)

        # a thin busy line under the strip while a request is in flight
        self.busy_bar = QProgressBar(self)
        self.busy_bar.setObjectName("busyBar")
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setFixedHeight(2)
        self.busy_bar.hide()

        # body: placeholder / viewer / error
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self._placeholder_page())
        body_page = QWidget(self)
        self.notice = QLabel("", body_page)
        self.notice.setObjectName("capNotice")
        self.notice.setWordWrap(True)
        self.notice.hide()
        self.viewer = BodyViewer(body_page)
        body_layout = QVBoxLayout(body_page)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.setSpacing(0)
        body_layout.addWidget(self._download_offer(body_page))
        body_layout.addWidget(self.notice)
        body_layout.addWidget(self.viewer, 1)
        self.stack.addWidget(body_page)
        self.stack.addWidget(self._error_page())

        self.headers_pane = HeadersPane(self)
        self.cookies_pane = CookiesPane(self)
        self.timing_pane = TimingPane(self)
        self.redirects_pane = RedirectsPane(self)
        self.request_pane = RequestPane(self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("responseTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.stack, "Body")
        self.tabs.addTab(self.headers_pane, "Headers")
        self.tabs.addTab(self.cookies_pane, "Cookies")
        self.tabs.addTab(self.timing_pane, "Timing")
        self.tabs.addTab(self.redirects_pane, "Redirects")
        self.tabs.addTab(self.request_pane, "Request")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(strip)
        layout.addWidget(self.busy_bar)
        layout.addWidget(self.tabs, 1)
        self.clear()

    # ------------------------------------------------------------- pages

    def _meta(self, parent: QWidget, template: str) -> SteadyLabel:
        label = SteadyLabel(template, parent)
        label.setObjectName("metaLabel")
        return label

    def _placeholder_page(self) -> QWidget:
        page = QWidget(self)
        title = QLabel("Send a request to see the response here", page)
        title.setWordWrap(True)
        title.setObjectName("placeholder")
        hint = QLabel("Ctrl+Enter sends · Esc stops · Ctrl+S saves", page)
        hint.setWordWrap(True)
        hint.setObjectName("hint")
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        for label in (title, hint):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(label)
        layout.addStretch(2)
        return page

    def _download_offer(self, parent: QWidget) -> QWidget:
        """The line offering to save a response that is a file (an attachment, a binary
        type): what is shown here is only what fits the body limit."""
        self.offer_bar = QFrame(parent)
        self.offer_bar.setObjectName("downloadOffer")
        self.offer_label = QLabel("", self.offer_bar)
        self.offer_label.setWordWrap(True)
        self.offer_button = QPushButton("Download to a file…", self.offer_bar)
        self.offer_button.setObjectName("offerDownloadButton")
        self.offer_button.setIcon(theme.icon("save"))
        self.offer_button.setToolTip(
            "Send the request again and write the whole body straight into a file, "
            "with progress, pause and resume (Ctrl+Shift+Enter)"
        )
        self.offer_button.clicked.connect(self.downloadRequested)
        layout = QHBoxLayout(self.offer_bar)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addWidget(self.offer_label, 1)
        layout.addWidget(self.offer_button)
        self.offer_bar.hide()
        return self.offer_bar

    def _error_page(self) -> QWidget:
        page = QWidget(self)
        panel = QFrame(page)
        panel.setObjectName("errorPanel")
        icon = QLabel(panel)
        icon.setPixmap(theme.icon("warning").pixmap(28, 28))
        self.error_title = QLabel("", panel)
        self.error_title.setObjectName("errorTitle")
        self.error_message = QLabel("", panel)
        self.error_message.setObjectName("errorMessage")
        self.error_message.setWordWrap(True)
        self.error_message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_detail = QLabel("", panel)
        self.error_detail.setObjectName("errorDetail")
        self.error_detail.setWordWrap(True)
        self.error_detail.setFont(theme.monospace_font(9))
        self.error_detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        head = QHBoxLayout()
        head.addWidget(icon)
        head.addWidget(self.error_title, 1)
        inner = QVBoxLayout(panel)
        inner.setContentsMargins(16, 14, 16, 14)
        inner.setSpacing(8)
        self.download_button = QPushButton("Download to a file…", panel)
        self.download_button.setObjectName("downloadButton")
        self.download_button.setIcon(theme.icon("save"))
        self.download_button.setToolTip(
            "Send the request again and write the whole body straight into a file"
        )
        self.download_button.clicked.connect(self.downloadRequested)
        self.download_button.hide()
        self.arrived_button = QPushButton("", panel)
        self.arrived_button.setObjectName("arrivedButton")
        self.arrived_button.setToolTip("View the part of the body that arrived before the failure")
        self.arrived_button.clicked.connect(lambda: self.stack.setCurrentIndex(BODY))
        self.arrived_button.hide()
        inner.addLayout(head)
        inner.addWidget(self.error_message)
        inner.addWidget(self.error_detail)
        buttons = QHBoxLayout()
        buttons.addWidget(self.download_button)
        buttons.addWidget(self.arrived_button)
        buttons.addStretch(1)
        inner.addLayout(buttons)
        outer = QVBoxLayout(page)
        outer.setContentsMargins(16, 16, 16, 16)
        outer.addWidget(panel)
        outer.addStretch(1)
        return page

    # --------------------------------------------------------------- API

    def exchange(self) -> Exchange | None:
        """The exchange on show (None: the placeholder or a message)."""
        return self._exchange

    def clear(self) -> None:
        self._exchange = None
        self._reset()

    def _reset(self) -> None:
        self._tick.stop()
        self.viewer.clear()
        self._head_shown = False
        self._final_shown = False
        self._set_status("", None)
        self.time_label.set_full_text("")
        self.size_label.set_full_text("")
        self.version_label.set_full_text("")
        self.notice.hide()
        for pane in self._panes():
            pane.clear()
        self.offer_bar.hide()
        self._label_tabs()
        self.stack.setCurrentIndex(PLACEHOLDER)
        self.save_button.setEnabled(False)
        self.copy_button.setEnabled(False)
        self.busy_bar.hide()

    def _panes(self) -> tuple[HeadersPane, CookiesPane, TimingPane, RedirectsPane, RequestPane]:
        return (
            self.headers_pane,
            self.cookies_pane,
            self.timing_pane,
            self.redirects_pane,
            self.request_pane,
        )

    def show_exchange(self, exchange: Exchange | None) -> None:
        """Show ``exchange`` (from the start), or the placeholder for None."""
        if exchange is None:
            self.clear()
            return
        if exchange is not self._exchange:
            self._reset()
            self._exchange = exchange
        self.refresh()

    def refresh(self) -> None:
        """Show what changed in the exchange on show (cheap: call it on every update)."""
        exchange = self._exchange
        if exchange is None:
            return
        if not self._head_shown and not self._final_shown:
            self._show_sending(exchange)
        if exchange.response is not None and not self._head_shown:
            self._show_head(exchange)
        if exchange.finished:
            if not self._final_shown:
                self._final_shown = True
                self._show_final(exchange)
        elif exchange.response is not None:
            self.size_label.set_full_text(human_size(exchange.received))
            self._update_notice()
        self.viewer.refresh()
        if not self._tick.isActive() and not self.viewer.settled():
            self._tick.start()

    def _on_tick(self) -> None:
        self.viewer.refresh()
        exchange = self._exchange
        if exchange is None or (exchange.finished and self.viewer.settled()):
            self._tick.stop()

    def body_settled(self) -> bool:
        """The exchange finished and the body's view has caught up with all of it."""
        exchange = self._exchange
        return exchange is not None and exchange.finished and self.viewer.settled()

    def _show_sending(self, exchange: Exchange) -> None:
        self._set_status(sending_text(exchange), None)
        sent = exchange.request
        if sent is not None:
            method, url = sent.method, sent.url
        else:
            method, url = exchange.method, exchange.url
        self.status_label.setToolTip(f"{method} {url}")  # never in the strip: it is unbounded
        self.stack.setCurrentIndex(BODY)
        self.busy_bar.show()
        self.request_pane.show_exchange(exchange)

    def _show_head(self, exchange: Exchange) -> None:
        head = exchange.response
        assert head is not None
        self._head_shown = True
        status = f"{head.status_code} {head.reason}".strip()
        code = head.status_code
        self._set_status(status, lambda: theme.status_color(code).name())
        self.version_label.set_full_text(head.http_version)
        self.time_label.set_full_text("")
        self.size_label.set_full_text("receiving…")
        self.busy_bar.show()
        for pane in self._panes():
            pane.show_exchange(exchange)
        self._label_tabs()
        self._offer_download(exchange)
        # the engine makes ``wire_body`` only after telling us the head arrived: the wire
        # source looks for it when read, and the viewer offers it once it exists
        self.viewer.show_body(
            ExchangeBody(exchange),
            content_type=head.content_type,
            wire=ExchangeBody(exchange, wire=True),
            arrival_time=getattr(exchange, "arrival_time", None),
        )
        self.stack.setCurrentIndex(BODY)

    def _label_tabs(self) -> None:
        exchange = self._exchange
        cookies = self.cookies_pane.count()
        self.tabs.setTabText(COOKIES_TAB, f"Cookies ({cookies})" if cookies else "Cookies")
        hops = len(exchange.hops) if exchange is not None else 0
        self.tabs.setTabText(REDIRECTS_TAB, f"Redirects ({hops})" if hops else "Redirects")
        self.tabs.setTabEnabled(REDIRECTS_TAB, bool(hops))
        head = exchange.response if exchange is not None else None
        count = len(head.headers) if head is not None else 0
        self.tabs.setTabText(HEADERS_TAB, f"Headers ({count})" if count else "Headers")

    def _offer_download(self, exchange: Exchange) -> None:
        head = exchange.response
        if head is None or exchange.body.target is not None:  # already going to a file
            return
        disposition = head.header("content-disposition")
        if is_attachment(disposition):
            what = f"The server sends a file to save, “{suggested_name(disposition, head.url)}”"
        elif is_binary_type(head.content_type) and not head.content_type.startswith("image/"):
            what = f"This response is a file ({head.content_type})"
        else:
            return
        self.offer_label.setText(
            f"{what}. The body kept here stops at the collection's size limit; "
            "“Download to a file” sends the request again and writes all of it to disk."
        )
        self.offer_bar.show()

    def _show_final(self, exchange: Exchange) -> None:
        self.busy_bar.hide()
        if exchange.timings is not None and exchange.response is not None:
            self.time_label.set_full_text(human_time(exchange.timings.total_s))
        for pane in self._panes():
            pane.show_exchange(exchange)
        self._label_tabs()
        has_body = exchange.received > 0 and not exchange.body.released
        self.save_button.setEnabled(has_body)
        self.copy_button.setEnabled(has_body)
        self.size_label.set_full_text(human_size(exchange.received) if exchange.response else "")
        self._update_notice()
        if exchange.state is ExchangeState.DONE:
            self.save_button.setToolTip("Save the whole response body to a file")
        elif exchange.state is ExchangeState.STOPPED:
            shown = self._status if self._status not in ("", SENDING) else ""
            self._set_status(f"{shown} · Stopped" if shown else "Stopped", lambda: theme.MUTED)
        else:
            error = exchange.error
            self._show_error_page(
                error.title if error else "Request failed",
                error.message if error else "The request did not complete.",
                error.detail if error else "",
            )
            self.download_button.setVisible(isinstance(error, BodyTooLarge))
            if exchange.received and exchange.response is not None:
                self.save_button.setToolTip("Save what arrived before it failed")
                arrived = human_size(exchange.received)
                self.arrived_button.setText(f"Show the {arrived} that arrived")
                self.arrived_button.show()

    def show_failed(self, title: str, message: str, detail: str) -> None:
        """A failure that is no exchange's (a file that does not parse, a bad variable)."""
        self.clear()
        self._show_error_page(title, message, detail)

    def _show_error_page(self, title: str, message: str, detail: str) -> None:
        self.busy_bar.hide()
        self.download_button.hide()
        self.arrived_button.hide()
        self._set_status("Error", lambda: theme.ERROR_COLOR)
        self.error_title.setText(title)
        self.error_message.setText(message)
        self.error_detail.setText(detail)
        self.error_detail.setVisible(bool(detail))
        self.stack.setCurrentIndex(ERROR)
        self.tabs.setCurrentIndex(0)

    def body_text(self) -> str:
        """The text on show: the error, or the body's text view (all of it: tests, small bodies)."""
        if self.stack.currentIndex() == ERROR:
            return "\n".join(
                (self.error_title.text(), self.error_message.text(), self.error_detail.text())
            )
        return self.viewer.text()

    def status_text(self) -> str:
        """The whole status (the label may show it elided)."""
        return self.status_label.full_text()

    # ---------------------------------------------------------- internals

    def _set_status(self, text: str, color: Callable[[], str] | None) -> None:
        """Show the status line; ``color`` says its colour in the theme in use (asked
        again when the theme changes)."""
        self._status = text
        self._status_color = color
        self.status_label.set_full_text(text)
        self._paint_status()

    def _paint_status(self) -> None:
        color = self._status_color() if self._status_color is not None else None
        if color:
            c = QColor(color)
            tint = f"rgba({c.red()}, {c.green()}, {c.blue()}, 40)"
            self.status_label.setStyleSheet(f"color: {color}; background: {tint};")
        else:
            self.status_label.setStyleSheet("")

    def _update_notice(self) -> None:
        """The line above the body: what the exchange noted (a retry, an encoding kept)."""
        exchange = self._exchange
        lines: list[str] = []
        if exchange is not None:
            lines.extend(exchange.notes)
        if lines:
            self.notice.setText("\n".join(lines))
            self.notice.show()
        else:
            self.notice.hide()


SENDING = "Sending…"


def sending_text(exchange: Exchange) -> str:
    """The strip's text before the answer's head: how far a file or multipart upload got."""
    total = exchange.upload_size
    if total is None:
        return SENDING
    if exchange.uploaded >= total:
        return f"Sent {human_size(total)}, waiting for the answer…"
    return f"Uploading {human_size(exchange.uploaded)} of {human_size(total)}"
