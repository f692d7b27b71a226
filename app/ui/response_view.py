"""The response pane: status strip, then Body / Headers / Cookies / Timing tabs.

It shows one ``Exchange`` (``show_exchange``) and re-reads it when told it
changed (``refresh``).  The body fills in as it arrives, but never faster than
the screen needs: a timer pulls bounded pieces from the exchange's body store,
decodes them incrementally, and the text widget stops at ``DISPLAY_CAP`` (the
whole body stays in the store; "Save body…" writes all of it).  A complete JSON
body is pretty-printed once it has arrived.  A failed or stopped exchange keeps
what arrived: it can still be saved or copied.
"""

from __future__ import annotations

import codecs
import time
from http.cookies import CookieError, SimpleCookie

from PySide6.QtCore import QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QTextCursor
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.download_names import is_attachment, is_binary_type, suggested_name
from app.core.errors import BodyTooLarge
from app.core.units import human_size, human_time
from app.net.exchange import Exchange, ExchangeState, Timings
from app.ui import theme
from app.ui.steady_label import SteadyLabel

DISPLAY_CAP = 2 * 1024 * 1024
FLUSH_INTERVAL_MS = 30
#: at most this much text goes into the widget per flush, so one flush stays short
FLUSH_PIECE = 16 * 1024
#: and for at most this long per tick (inserting text costs more as the document grows)
FLUSH_BUDGET_S = 0.006
#: a body up to this size is pretty-printed once complete (re-laying out a larger one
#: in the text widget would stall the window; the viewer panes issue brings a real viewer)
PRETTY_LIMIT = 128 * 1024
#: a NUL byte in the first bytes says "binary": not shown as text garbage
BINARY_SNIFF = 8 * 1024
#: Qt lays a text block out as a whole: a 2 MB one-line body (minified JSON) takes
#: seconds, so the display breaks lines longer than this (the saved body is untouched)
DISPLAY_LINE_LIMIT = 2000
PLACEHOLDER, BODY, ERROR = range(3)
BODY_TAB, HEADERS_TAB, COOKIES_TAB, TIMING_TAB = range(4)
#: rows of the Timing tab: key, label, bar colour (``download_s`` is total - TTFB)
TIMING_ROWS: tuple[tuple[str, str, str], ...] = (
    ("connect_s", "TCP connect", "#f2b84b"),
    ("tls_s", "TLS handshake", "#b58cf2"),
    ("ttfb_s", "Time to first byte", "#5aa9f8"),
    ("download_s", "Download", "#4fc38a"),
    ("total_s", "Total", "#7c5cff"),
)


def break_long_lines(text: str, column: int, limit: int = DISPLAY_LINE_LIMIT) -> tuple[str, int]:
    """Insert line breaks so no displayed line exceeds ``limit``.

    ``column`` is the length of the line the text continues; returns the new
    text and the length of its last line.
    """
    if column + len(text) <= limit and "\n" not in text:
        return text, column + len(text)
    out: list[str] = []
    for i, line in enumerate(text.split("\n")):
        if i:
            out.append("\n")
            column = 0
        while column + len(line) > limit:
            take = limit - column
            out.append(line[:take])
            out.append("\n")
            line = line[take:]
            column = 0
        out.append(line)
        column += len(line)
    return "".join(out), column


def timeline_spans(
    timings: dict[str, float | bool | None],
) -> dict[str, tuple[float, float] | None]:
    """Where each timing row sits on the request's timeline, as fractions of the total.

    Each span is the interval its number measures: connect from the start, TLS
    after connect, time to first byte from the start (it includes both), download
    from the first byte to the end.  None where the phase did not happen.
    """

    def seconds(key: str) -> float | None:
        value = timings.get(key)
        return float(value) if isinstance(value, int | float) and value is not True else None

    total = seconds("total_s")
    if not total or total <= 0:
        return {key: None for key, _label, _colour in TIMING_ROWS}
    connect = seconds("connect_s")
    tls = seconds("tls_s")
    ttfb = seconds("ttfb_s")
    after_connect = connect or 0.0
    spans: dict[str, tuple[float, float] | None] = {
        "connect_s": (0.0, connect) if connect is not None else None,
        "tls_s": (after_connect, after_connect + tls) if tls is not None else None,
        "ttfb_s": (0.0, ttfb) if ttfb is not None else None,
        "download_s": (ttfb, total) if ttfb is not None else None,
        "total_s": (0.0, total),
    }
    return {
        key: None if span is None else (min(span[0] / total, 1.0), min(span[1] / total, 1.0))
        for key, span in spans.items()
    }


class _TimelineBar(QWidget):
    """One row of the timing waterfall: a track with the phase's interval filled in."""

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
        painter.setBrush(QColor("#2a2e37"))
        painter.drawRoundedRect(track, 4, 4)
        if self._span is not None:
            start, end = self._span
            x = track.left() + start * track.width()
            width = max((end - start) * track.width(), 3.0)
            painter.setBrush(self._colour)
            painter.drawRoundedRect(QRectF(x, track.top(), width, track.height()), 4, 4)
        painter.end()


class ResponseView(QWidget):
    saveBodyRequested = Signal()
    copyBodyRequested = Signal()
    #: the body was over the limit, or is a file: send it again straight into a file
    downloadRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("responsePane")
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._exchange: Exchange | None = None
        #: how far into the body store the text widget has read
        self._read_offset = 0
        self._head_shown = False
        self._final_shown = False
        self._binary = False
        self._status = ""
        self._column = 0
        self._flush_timer = QTimer(self)
        self._flush_timer.setInterval(FLUSH_INTERVAL_MS)
        self._flush_timer.timeout.connect(self._flush)

        # status strip
        strip = QWidget(self)
        strip.setObjectName("statusStrip")
        # the status changes a few times per exchange; the meta labels many times a
        # second while a body arrives: they keep a fixed size and never relayout the window
        self.status_label = QLabel("", strip)
        self.status_label.setObjectName("statusLabel")
        self.time_label = self._meta(strip, "99.99 s")
        self.size_label = self._meta(strip, "1023.9 MiB")
        self.version_label = self._meta(strip, "HTTP/1.1")
        self.copy_button = QPushButton("", strip)
        self.copy_button.setObjectName("copyButton")
        self.copy_button.setIcon(theme.icon("copy"))
        self.copy_button.setToolTip("Copy the response body")
        self.copy_button.setAccessibleName("Copy")
        self.copy_button.clicked.connect(self.copyBodyRequested)
        self.save_button = QPushButton("Save body…", strip)
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

        # body: placeholder / text / error
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self._placeholder_page())
        body_page = QWidget(self)
        self.cap_notice = QLabel("", body_page)
        self.cap_notice.setObjectName("capNotice")
        self.cap_notice.setWordWrap(True)
        self.cap_notice.hide()
        self.body = QPlainTextEdit(body_page)
        self.body.setObjectName("responseBody")
        self.body.setReadOnly(True)
        self.body.setFont(theme.monospace_font())
        self.body.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.body.setUndoRedoEnabled(False)
        body_layout = QVBoxLayout(body_page)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.setSpacing(0)
        body_layout.addWidget(self._download_offer(body_page))
        body_layout.addWidget(self.cap_notice)
        body_layout.addWidget(self.body, 1)
        self.stack.addWidget(body_page)
        self.stack.addWidget(self._error_page())

        self.headers_table = QTableWidget(0, 2, self)
        self.headers_table.setObjectName("responseHeaders")
        self.headers_table.setHorizontalHeaderLabels(["Header", "Value"])
        self.headers_table.horizontalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        )
        self.headers_table.verticalHeader().setVisible(False)
        self.headers_table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents
        )
        self.headers_table.horizontalHeader().setStretchLastSection(True)
        self.headers_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.headers_table.setShowGrid(False)
        self.headers_table.setWordWrap(False)

        timing = self._timing_page()

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("responseTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.stack, "Body")
        self.tabs.addTab(self.headers_table, "Headers")
        self.cookies_table = QTableWidget(0, 4, self)
        self.cookies_table.setHorizontalHeaderLabels(["Name", "Value", "Domain / path", "Expires"])
        self.cookies_table.horizontalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        )
        self.cookies_table.verticalHeader().setVisible(False)
        self.cookies_table.horizontalHeader().setStretchLastSection(True)
        self.cookies_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.cookies_table.setShowGrid(False)
        self.tabs.addTab(self.cookies_table, "Cookies")
        self.tabs.addTab(timing, "Timing")

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
        title.setObjectName("placeholder")
        hint = QLabel("Ctrl+Enter sends · Esc stops · Ctrl+S saves", page)
        hint.setObjectName("hint")
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        for label in (title, hint):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(label)
        layout.addStretch(2)
        return page

    def _timing_page(self) -> QWidget:
        """A small waterfall: each phase's duration and where it falls in the total."""
        page = QWidget(self)
        grid = QGridLayout(page)
        grid.setContentsMargins(16, 14, 16, 14)
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(10)
        self.timing_labels: dict[str, QLabel] = {}
        self.timing_bars: dict[str, _TimelineBar] = {}

        def name(text: str) -> QLabel:
            label = QLabel(text, page)
            label.setObjectName("timingName")
            return label

        def value() -> QLabel:
            label = QLabel("—", page)
            label.setObjectName("timingValue")
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            return label

        connection = value()
        self.timing_labels["connection"] = connection
        grid.addWidget(name("Connection"), 0, 0)
        grid.addWidget(connection, 0, 1, 1, 2)
        for row, (key, text, colour) in enumerate(TIMING_ROWS, start=1):
            label = value()
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            label.setMinimumWidth(64)
            bar = _TimelineBar(colour, page)
            self.timing_labels[key] = label
            self.timing_bars[key] = bar
            grid.addWidget(name(text), row, 0)
            grid.addWidget(label, row, 1)
            grid.addWidget(bar, row, 2)
        grid.setColumnStretch(2, 1)
        grid.setRowStretch(len(TIMING_ROWS) + 1, 1)
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
        inner.addLayout(head)
        inner.addWidget(self.error_message)
        inner.addWidget(self.error_detail)
        inner.addWidget(self.download_button, 0, Qt.AlignmentFlag.AlignLeft)
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
        self._reset_body()
        self._head_shown = False
        self._final_shown = False
        self._set_status("", None)
        self.time_label.set_full_text("")
        self.size_label.set_full_text("")
        self.version_label.set_full_text("")
        self.headers_table.setRowCount(0)
        self.cookies_table.setRowCount(0)
        self.offer_bar.hide()
        self.tabs.setTabText(COOKIES_TAB, "Cookies")
        self._set_timings({})
        self.stack.setCurrentIndex(PLACEHOLDER)
        self.save_button.setEnabled(False)
        self.copy_button.setEnabled(False)
        self.busy_bar.hide()

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
            return
        if exchange.response is not None:
            self.size_label.set_full_text(human_size(exchange.received))
            self._update_notice()
            behind = self._read_offset < min(exchange.received, DISPLAY_CAP)
            if behind and not self._flush_timer.isActive():
                self._flush_timer.start()

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

    def _show_head(self, exchange: Exchange) -> None:
        head = exchange.response
        assert head is not None
        self._head_shown = True
        status = f"{head.status_code} {head.reason}".strip()
        self._set_status(status, theme.status_color(head.status_code).name())
        self.version_label.set_full_text(head.http_version)
        self.time_label.set_full_text("")
        self.size_label.set_full_text("receiving…")
        self.busy_bar.show()
        self._fill_headers(exchange)
        self._fill_cookies(list(head.headers))
        self._offer_download(exchange)
        self.stack.setCurrentIndex(BODY)

    def _offer_download(self, exchange: Exchange) -> None:
        head = exchange.response
        if head is None or exchange.body.target is not None:  # already going to a file
            return
        disposition = head.header("content-disposition")
        if is_attachment(disposition):
            what = f"The server sends a file to save, “{suggested_name(disposition, head.url)}”"
        elif is_binary_type(head.content_type):
            what = f"This response is a file ({head.content_type})"
        else:
            return
        self.offer_label.setText(
            f"{what}. The body kept here stops at the collection's size limit; "
            "“Download to a file” sends the request again and writes all of it to disk."
        )
        self.offer_bar.show()

    def _show_final(self, exchange: Exchange) -> None:
        self._flush()
        if self._read_offset < min(exchange.received, DISPLAY_CAP):
            self._flush_timer.start()  # the rest goes in at screen pace, as while receiving
        self.busy_bar.hide()
        if exchange.timings is not None:
            self._set_timings(_timing_values(exchange.timings))
            if exchange.response is not None:
                self.time_label.set_full_text(human_time(exchange.timings.total_s))
        has_body = exchange.received > 0 and not exchange.body.released
        self.save_button.setEnabled(has_body)
        self.copy_button.setEnabled(has_body)
        self._update_notice()
        if exchange.state is ExchangeState.DONE:
            self._show_done(exchange)
        elif exchange.state is ExchangeState.STOPPED:
            shown = self._status if self._status not in ("", SENDING) else ""
            self._set_status(f"{shown} · Stopped" if shown else "Stopped", theme.MUTED)
            self.size_label.set_full_text(human_size(exchange.received))
        else:
            error = exchange.error
            self._show_error_page(
                error.title if error else "Request failed",
                error.message if error else "The request did not complete.",
                error.detail if error else "",
            )
            self.download_button.setVisible(isinstance(error, BodyTooLarge))
            if exchange.received:
                self.size_label.set_full_text(human_size(exchange.received))
                self.save_button.setToolTip("Save what arrived before it failed")

    def _show_done(self, exchange: Exchange) -> None:
        size = exchange.received
        self.size_label.set_full_text(human_size(size))
        self.save_button.setToolTip("Save the whole response body to a file")
        if 0 < size <= PRETTY_LIMIT and not self._binary:
            head = exchange.response
            pretty = _pretty_json(exchange.body.read(), head.content_type if head else "")
            if pretty is not None:
                self._flush_timer.stop()
                self._read_offset = size
                self.body.setPlainText(pretty)

    def show_failed(self, title: str, message: str, detail: str) -> None:
        """A failure that is no exchange's (a file that does not parse, a bad variable)."""
        self.clear()
        self._show_error_page(title, message, detail)

    def _show_error_page(self, title: str, message: str, detail: str) -> None:
        self.busy_bar.hide()
        self.download_button.hide()
        self._set_status("Error", theme.ERROR_COLOR)
        self.error_title.setText(title)
        self.error_message.setText(message)
        self.error_detail.setText(detail)
        self.error_detail.setVisible(bool(detail))
        self.stack.setCurrentIndex(ERROR)
        self.tabs.setCurrentIndex(0)

    def body_text(self) -> str:
        if self.stack.currentIndex() == ERROR:
            return "\n".join(
                (self.error_title.text(), self.error_message.text(), self.error_detail.text())
            )
        return self.body.toPlainText()

    def status_text(self) -> str:
        return self.status_label.text()

    # ---------------------------------------------------------- internals

    def _reset_body(self) -> None:
        self._flush_timer.stop()
        self._decoder.reset()
        self._read_offset = 0
        self._column = 0
        self._binary = False
        self.cap_notice.hide()
        self.body.clear()

    def _set_status(self, text: str, color: str | None) -> None:
        self._status = text
        self.status_label.setText(text)
        if color:
            c = QColor(color)
            tint = f"rgba({c.red()}, {c.green()}, {c.blue()}, 40)"
            self.status_label.setStyleSheet(f"color: {color}; background: {tint};")
        else:
            self.status_label.setStyleSheet("")

    def _update_notice(self) -> None:
        """The line above the body: the display cap, and what the exchange noted."""
        exchange = self._exchange
        lines: list[str] = []
        if exchange is not None and exchange.received > DISPLAY_CAP:
            shown = human_size(DISPLAY_CAP)
            total = human_size(exchange.received)
            if exchange.finished:
                lines.append(
                    f"Showing the first {shown} of {total} — use “Save body…” to get all of it."
                )
            else:
                # no growing number here: a new text would relayout the pane many
                # times a second (the size label counts what arrived)
                lines.append(
                    f"Showing the first {shown} of what has arrived so far — the whole body "
                    "is kept: “Save body…” gets all of it once it has arrived."
                )
        if exchange is not None:
            lines.extend(exchange.notes)
        if lines:
            self.cap_notice.setText("\n".join(lines))
            self.cap_notice.show()
        else:
            self.cap_notice.hide()

    def _flush(self) -> None:
        """Move body text into the widget in small steps, for a few milliseconds a tick."""
        exchange = self._exchange
        if exchange is None or exchange.body.released:
            self._flush_timer.stop()
            return
        end = min(exchange.received, DISPLAY_CAP)
        if self._read_offset == 0 and end and self._looks_binary(exchange):
            self._flush_timer.stop()
            return
        deadline = time.perf_counter() + FLUSH_BUDGET_S
        while self._read_offset < end and time.perf_counter() < deadline:
            data = exchange.body.read(self._read_offset, min(FLUSH_PIECE, end - self._read_offset))
            if not data:
                break
            self._read_offset += len(data)
            text = self._decoder.decode(data, final=self._read_offset >= exchange.received)
            self._insert(text)
        if self._read_offset >= end:
            self._flush_timer.stop()

    def _insert(self, text: str) -> None:
        if not text:
            return
        piece, self._column = break_long_lines(text, self._column)
        cursor = QTextCursor(self.body.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(piece)

    def _looks_binary(self, exchange: Exchange) -> bool:
        """A body with a NUL byte near its start is binary: say so instead of showing it."""
        if self._binary:
            return True
        head = exchange.body.read(0, BINARY_SNIFF)
        if b"\x00" not in head:
            return False
        self._binary = True
        content_type = exchange.response.content_type if exchange.response else ""
        kind = f" ({content_type})" if content_type else ""
        self.body.setPlainText(
            f"This body is binary{kind}; it is not shown as text. “Save body…” keeps all of "
            "it (a hex and image viewer comes with the viewer panes)."
        )
        return True

    def _fill_headers(self, exchange: Exchange) -> None:
        """Response headers, the request as sent (secrets masked) and each redirect hop."""
        table = self.headers_table
        table.setRowCount(0)

        def section(title: str) -> None:
            row = table.rowCount()
            table.insertRow(row)
            item = QTableWidgetItem(title)
            font = item.font()
            font.setBold(True)
            item.setFont(font)
            item.setForeground(theme.status_color(300))
            table.setItem(row, 0, item)
            table.setSpan(row, 0, 1, 2)

        def add(name: str, value: str) -> None:
            row = table.rowCount()
            table.insertRow(row)
            table.setItem(row, 0, QTableWidgetItem(name))
            table.setItem(row, 1, QTableWidgetItem(value))

        head = exchange.response
        headers = list(head.headers) if head is not None else []
        section(f"Response headers ({len(headers)})")
        for name, value in headers:
            add(name, value)
        sent = exchange.request
        if sent is not None:
            section(f"Request sent: {sent.method} {sent.url} ({sent.body_summary})")
            for name, value in sent.headers:
                add(name, value)
        if exchange.hops:
            section(f"Redirects ({len(exchange.hops)})")
            for hop in exchange.hops:
                add(f"{hop.status_code} {hop.reason}", f"{hop.method} {hop.url} → {hop.next_url}")
                for withheld in hop.withheld:
                    add("  withheld", f"{withheld.name} ({withheld.source}): another origin")

    def _fill_cookies(self, headers: list[tuple[str, str]]) -> None:
        """The cookies this response sets (Set-Cookie headers)."""
        table = self.cookies_table
        table.setRowCount(0)
        for name, value in headers:
            if name.lower() != "set-cookie":
                continue
            parsed = SimpleCookie()
            try:
                parsed.load(value)
            except CookieError:
                continue
            for morsel in parsed.values():
                r = table.rowCount()
                table.insertRow(r)
                where = f"{morsel['domain'] or '(this host)'} {morsel['path'] or '/'}"
                expires = morsel["expires"] or (
                    f"in {morsel['max-age']} s" if morsel["max-age"] else "end of session"
                )
                for column, text in enumerate((morsel.key, morsel.value, where, expires)):
                    table.setItem(r, column, QTableWidgetItem(text))
        count = table.rowCount()
        self.tabs.setTabText(COOKIES_TAB, f"Cookies ({count})" if count else "Cookies")

    def _set_timings(self, timings: dict[str, float | bool | None]) -> None:
        timings = dict(timings)
        ttfb, total = timings.get("ttfb_s"), timings.get("total_s")
        if isinstance(ttfb, int | float) and isinstance(total, int | float):
            timings["download_s"] = max(float(total) - float(ttfb), 0.0)
        for key, span in timeline_spans(timings).items():
            self.timing_bars[key].set_span(span)
        for key, label in self.timing_labels.items():
            if key == "connection":
                if "reused_connection" not in timings:
                    label.setText("—")
                elif timings["reused_connection"]:
                    label.setText("reused an open connection (no connect, no TLS handshake)")
                else:
                    label.setText("new connection")
                continue
            value = timings.get(key)
            label.setText(human_time(float(value)) if isinstance(value, int | float) else "—")


def _timing_values(timings: Timings) -> dict[str, float | bool | None]:
    return {
        "connect_s": timings.connect_s,
        "tls_s": timings.tls_s,
        "ttfb_s": timings.ttfb_s,
        "total_s": timings.total_s,
        "reused_connection": timings.reused_connection,
    }


def _pretty_json(data: bytes, content_type: str) -> str | None:
    looks_json = "json" in content_type.lower() or data.lstrip()[:1] in (b"{", b"[")
    if not looks_json:
        return None
    import orjson

    try:
        parsed = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    return orjson.dumps(parsed, option=orjson.OPT_INDENT_2).decode("utf-8")


SENDING = "Sending…"


def sending_text(exchange: Exchange) -> str:
    """The strip's text before the answer's head: how far a file or multipart upload got."""
    total = exchange.upload_size
    if total is None:
        return SENDING
    if exchange.uploaded >= total:
        return f"Sent {human_size(total)}, waiting for the answer…"
    return f"Uploading {human_size(exchange.uploaded)} of {human_size(total)}"
