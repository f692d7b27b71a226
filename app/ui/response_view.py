"""The response pane: status strip, then Body / Headers / Timing tabs.

The body fills in as chunks arrive, but never faster than the screen needs:
chunks are buffered and flushed on a timer in bounded pieces, decoded
incrementally, and the text widget stops at ``DISPLAY_CAP`` (the whole body
stays in the engine's spool; "Save body" writes all of it).  A complete JSON
body is pretty-printed once it has arrived.
"""

from __future__ import annotations

import codecs
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

from app.ui import theme

DISPLAY_CAP = 2 * 1024 * 1024
FLUSH_INTERVAL_MS = 50
#: at most this much text goes into the widget per flush, so one flush stays short
FLUSH_PIECE = 128 * 1024
PRETTY_LIMIT = 1024 * 1024
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


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    value = float(size)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= 1024
        if value < 1024 or unit == "TB":
            return f"{value:.1f} {unit}"
    return f"{size} B"


def human_time(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s"


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

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("responsePane")
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending: list[bytes] = []
        self._pending_text = ""
        self._shown_bytes = 0
        self._received = 0
        self._status = ""
        self._capped = False
        self._finished = False
        self._column = 0
        self._flush_timer = QTimer(self)
        self._flush_timer.setInterval(FLUSH_INTERVAL_MS)
        self._flush_timer.timeout.connect(self._flush)

        # status strip
        strip = QWidget(self)
        strip.setObjectName("statusStrip")
        self.status_label = QLabel("", strip)
        self.status_label.setObjectName("statusLabel")
        self.time_label = self._meta(strip)
        self.size_label = self._meta(strip)
        self.version_label = self._meta(strip)
        self.copy_button = QPushButton("Copy", strip)
        self.copy_button.setIcon(theme.icon("copy"))
        self.copy_button.setToolTip("Copy the response body")
        self.copy_button.clicked.connect(self.copyBodyRequested)
        self.save_button = QPushButton("Save body…", strip)
        self.save_button.setIcon(theme.icon("save"))
        self.save_button.setToolTip("Save the whole response body to a file")
        self.save_button.clicked.connect(self.saveBodyRequested)
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

    def _meta(self, parent: QWidget) -> QLabel:
        label = QLabel("", parent)
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
        inner.addLayout(head)
        inner.addWidget(self.error_message)
        inner.addWidget(self.error_detail)
        outer = QVBoxLayout(page)
        outer.setContentsMargins(16, 16, 16, 16)
        outer.addWidget(panel)
        outer.addStretch(1)
        return page

    # --------------------------------------------------------------- API

    def clear(self) -> None:
        self._reset_body()
        self._set_status("", None)
        self.time_label.setText("")
        self.size_label.setText("")
        self.version_label.setText("")
        self.headers_table.setRowCount(0)
        self.cookies_table.setRowCount(0)
        self.tabs.setTabText(COOKIES_TAB, "Cookies")
        self._set_timings({})
        self.stack.setCurrentIndex(PLACEHOLDER)
        self.save_button.setEnabled(False)
        self.copy_button.setEnabled(False)
        self.busy_bar.hide()

    def show_sending(self, method: str, url: str) -> None:
        self.clear()
        self._set_status("Sending…", None)
        self.time_label.setText(f"{method} {url}")
        self.stack.setCurrentIndex(BODY)
        self.busy_bar.show()

    def show_head(
        self,
        status_code: int,
        reason: str,
        http_version: str,
        headers: list[tuple[str, str]],
        request_headers: list[tuple[str, str]],
        url: str,
    ) -> None:
        self._set_status(f"{status_code} {reason}".strip(), theme.status_color(status_code).name())
        self.version_label.setText(http_version)
        self.time_label.setText("")
        self.size_label.setText("receiving…")
        self.busy_bar.show()
        self._fill_headers(headers, request_headers, url)
        self._fill_cookies(headers)
        self.stack.setCurrentIndex(BODY)

    def append_body(self, data: bytes) -> None:
        """Buffer a chunk; the flush timer shows it (and the progress) at screen pace."""
        self._received += len(data)
        room = DISPLAY_CAP - self._shown_bytes
        if room > 0:
            piece = data[:room]
            self._shown_bytes += len(piece)
            self._pending.append(piece)
        if self._received > DISPLAY_CAP:
            self._capped = True
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    def show_finished(
        self,
        size: int,
        elapsed_s: float,
        timings: dict[str, float | bool | None],
        body_preview: bytes,
        content_type: str,
        complete: bool,
    ) -> None:
        self._received = size
        self._finished = True
        self._flush(everything=True)
        self.busy_bar.hide()
        self.size_label.setText(human_size(size))
        self.time_label.setText(human_time(elapsed_s))
        self._set_timings(timings)
        self._capped = size > DISPLAY_CAP
        self._update_cap_notice()
        if complete and body_preview and len(body_preview) <= PRETTY_LIMIT:
            pretty = _pretty_json(body_preview, content_type)
            if pretty is not None:
                self.body.setPlainText(pretty)
        self.save_button.setEnabled(True)
        self.copy_button.setEnabled(bool(body_preview))

    def show_failed(self, title: str, message: str, detail: str) -> None:
        self._flush(everything=True)
        self.busy_bar.hide()
        self._set_status("Error", theme.ERROR_COLOR)
        self.size_label.setText("")
        # nothing complete to save or copy (the window keeps only finished bodies)
        self.save_button.setEnabled(False)
        self.copy_button.setEnabled(False)
        self.error_title.setText(title)
        self.error_message.setText(message)
        self.error_detail.setText(detail)
        self.error_detail.setVisible(bool(detail))
        self.stack.setCurrentIndex(ERROR)
        self.tabs.setCurrentIndex(0)

    def show_stopped(self) -> None:
        self._flush(everything=True)
        self.busy_bar.hide()
        shown = self._status if self._status not in ("", "Sending…") else ""
        self._set_status(f"{shown} · Stopped" if shown else "Stopped", theme.MUTED)
        self.size_label.setText(f"{human_size(self._received)} received")
        # what arrived stays on screen (selectable); there is no finished body to save
        self.save_button.setEnabled(False)
        self.copy_button.setEnabled(False)

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
        self._pending.clear()
        self._pending_text = ""
        self._decoder.reset()
        self._shown_bytes = 0
        self._received = 0
        self._capped = False
        self._finished = False
        self._column = 0
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

    def _update_cap_notice(self) -> None:
        if not self._capped:
            self.cap_notice.hide()
            return
        shown = f"{DISPLAY_CAP // (1024 * 1024)} MB"
        total = human_size(self._received)
        if self._finished:
            text = f"Showing the first {shown} of {total} — use “Save body…” to get all of it."
        else:
            text = (
                f"Showing the first {shown} of {total} received so far — the whole body is "
                "kept: “Save body…” gets all of it once it has arrived."
            )
        self.cap_notice.setText(text)
        self.cap_notice.show()

    def _flush(self, everything: bool = False) -> None:
        """Move buffered text into the widget: a bounded piece per tick, all of it at the end."""
        if not self._finished and self._received:
            self.size_label.setText(f"{human_size(self._received)} received")
        if self._capped:
            self._update_cap_notice()
        if self._pending:
            data = b"".join(self._pending)
            self._pending.clear()
            self._pending_text += self._decoder.decode(data)
        if everything:
            self._pending_text += self._decoder.decode(b"", final=True)
        if not self._pending_text:
            self._flush_timer.stop()
            return
        if everything:
            piece, self._pending_text = self._pending_text, ""
        else:
            piece = self._pending_text[:FLUSH_PIECE]
            self._pending_text = self._pending_text[FLUSH_PIECE:]
        piece, self._column = break_long_lines(piece, self._column)
        cursor = QTextCursor(self.body.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(piece)
        if not self._pending_text and not self._pending:
            self._flush_timer.stop()

    def _fill_headers(
        self, headers: list[tuple[str, str]], request_headers: list[tuple[str, str]], url: str
    ) -> None:
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

        section(f"Response headers ({len(headers)})")
        for name, value in headers:
            add(name, value)
        section(f"Request headers sent to {url}")
        for name, value in request_headers:
            add(name, value)

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
