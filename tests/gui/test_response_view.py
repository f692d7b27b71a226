"""The response pane: status, streamed body, cap, JSON, errors, stop."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.core.errors import ServerDisconnected
from app.core.units import human_size, human_time
from app.net.body_store import BodyStore
from app.net.exchange import (
    Exchange,
    ExchangeState,
    RedirectHop,
    ResponseHead,
    SentRequest,
    Timings,
    Withheld,
)
from app.ui import theme
from app.ui.response_view import (
    DISPLAY_CAP,
    DISPLAY_LINE_LIMIT,
    ResponseView,
    break_long_lines,
    timeline_spans,
)


def view(qtbot: QtBot) -> ResponseView:
    widget = ResponseView()
    qtbot.addWidget(widget)
    widget.show()
    return widget


class Scripted:
    """An exchange filled in by hand, as the engine would, for the view to show."""

    def __init__(self, content_type: str = "text/plain", *, budget: int = 1024 * 1024) -> None:
        self.exchange = Exchange("GET", "http://x/u", BodyStore(memory_budget=budget))
        self.content_type = content_type

    def start(self) -> Exchange:
        self.exchange.request = SentRequest(
            "GET", "http://x/u", (("Authorization", "Bearer ••••••••"), ("Accept", "*/*")), 0
        )
        self.exchange.state = ExchangeState.SENDING
        return self.exchange

    def head(self, status: int = 200, reason: str = "OK", version: str = "HTTP/1.1") -> None:
        self.exchange.response = ResponseHead(
            status, reason, version, (("content-type", self.content_type),), "http://x/u"
        )
        self.exchange.state = ExchangeState.RECEIVING

    def body(self, data: bytes) -> None:
        self.exchange.body.append(data)

    def end(self, state: ExchangeState = ExchangeState.DONE, total_s: float = 0.123) -> None:
        self.exchange.timings = Timings(total_s=total_s, ttfb_s=total_s / 2)
        self.exchange.state = state


def test_head_then_body_then_pretty_json(qtbot: QtBot) -> None:
    v = view(qtbot)
    x = Scripted("application/json")
    v.show_exchange(x.start())
    assert v.status_text() == "Sending…"
    assert v.busy_bar.isVisible()
    x.head(version="HTTP/2")
    v.refresh()
    assert v.status_text() == "200 OK"
    body = json.dumps({"id": 1, "title": "hé"}).encode()
    for i in range(0, len(body), 3):
        x.body(body[i : i + 3])
        v.refresh()
    qtbot.waitUntil(lambda: v.body_text() == body.decode(), timeout=2000)
    x.exchange.timings = Timings(total_s=0.123, reused_connection=True)
    x.exchange.state = ExchangeState.DONE
    v.refresh()
    assert v.body_text() == '{\n  "id": 1,\n  "title": "hé"\n}'
    assert v.time_label.full_text() == "123 ms"
    assert v.size_label.full_text() == f"{len(body)} B"
    assert "reused" in v.timing_labels["connection"].text()
    assert v.headers_table.rowCount() == 5  # two sections, one response and two request headers
    assert v.headers_table.item(4, 1).text() == "*/*"
    assert v.headers_table.item(3, 1).text() == "Bearer ••••••••"
    assert v.save_button.isEnabled()
    assert not v.busy_bar.isVisible()


def test_multibyte_characters_split_across_reads(qtbot: QtBot) -> None:
    v = view(qtbot)
    x = Scripted()
    v.show_exchange(x.start())
    x.head()
    data = "ünïcödé ✓".encode()
    for byte in data:
        x.body(bytes([byte]))
        v.refresh()
    x.end()
    v.refresh()
    assert v.body_text() == "ünïcödé ✓"


def test_display_is_capped_and_says_so(qtbot: QtBot) -> None:
    v = view(qtbot)
    x = Scripted("application/octet-stream")
    v.show_exchange(x.start())
    x.head()
    piece = b"x" * 65536
    total = DISPLAY_CAP + 10 * len(piece)
    for _ in range(total // len(piece)):
        x.body(piece)
    x.end()
    v.refresh()
    assert len(v.body_text()) < DISPLAY_CAP, "not all at once: the window would stall"
    qtbot.waitUntil(lambda: len(v.body_text().replace("\n", "")) == DISPLAY_CAP, timeout=10000)
    shown = v.body_text()
    assert len(shown.replace("\n", "")) == DISPLAY_CAP
    assert max(len(line) for line in shown.split("\n")) == DISPLAY_LINE_LIMIT
    assert v.cap_notice.isVisible()
    assert "Save body" in v.cap_notice.text()


def test_streaming_shows_progress_then_the_final_notice(qtbot: QtBot) -> None:
    v = view(qtbot)
    x = Scripted()
    v.show_exchange(x.start())
    x.head()
    piece = b"y" * 65536
    count = DISPLAY_CAP // len(piece) + 8
    for _ in range(count):
        x.body(piece)
    v.refresh()
    received = count * len(piece)
    assert v.size_label.full_text() == human_size(received)
    assert v.cap_notice.isVisible()
    assert "so far" in v.cap_notice.text()
    assert not v.save_button.isEnabled()
    # the view catches up with the store at screen pace, in bounded pieces
    qtbot.waitUntil(lambda: len(v.body_text().replace("\n", "")) == DISPLAY_CAP, timeout=5000)
    x.end()
    v.refresh()
    assert not v.busy_bar.isVisible()
    assert v.cap_notice.text() == (
        f"Showing the first 2.0 MiB of {human_size(received)} — use “Save body…” to get all of it."
    )
    assert v.save_button.isEnabled()


def test_a_small_body_has_no_cap_notice(qtbot: QtBot) -> None:
    v = view(qtbot)
    x = Scripted()
    v.show_exchange(x.start())
    x.head()
    x.body(b"hello")
    x.end()
    v.refresh()
    assert v.body_text() == "hello"
    assert not v.cap_notice.isVisible()


def test_body_that_is_not_json_is_shown_as_is(qtbot: QtBot) -> None:
    v = view(qtbot)
    x = Scripted("application/json")
    v.show_exchange(x.start())
    x.head()
    x.body(b'{"a": 1,')
    x.end()
    v.refresh()
    assert v.body_text() == '{"a": 1,'


def test_notes_and_redirect_hops_are_shown(qtbot: QtBot) -> None:
    v = view(qtbot)
    x = Scripted()
    x.start()
    x.exchange.hops.append(
        RedirectHop(
            "GET",
            "http://x/u",
            302,
            "Found",
            "http://other/u",
            (),
            0.01,
            "GET",
            "http://other/u",
            True,
            (Withheld("Authorization", "Bearer token"),),
        )
    )
    x.exchange.notes.append("Sent once more on a new connection.")
    x.head()
    x.end()
    v.show_exchange(x.exchange)
    cells = [
        v.headers_table.item(r, c).text()
        for r in range(v.headers_table.rowCount())
        for c in (0, 1)
        if v.headers_table.item(r, c) is not None
    ]
    assert "Redirects (1)" in cells
    assert "Authorization (Bearer token): another origin" in cells
    assert "Sent once more on a new connection." in v.cap_notice.text()


def test_timing_tab_draws_each_phase_on_the_timeline(qtbot: QtBot) -> None:
    v = view(qtbot)
    x = Scripted()
    v.show_exchange(x.start())
    x.head(version="HTTP/2")
    x.exchange.timings = Timings(connect_s=0.1, tls_s=0.1, ttfb_s=0.5, total_s=1.0)
    x.exchange.state = ExchangeState.DONE
    v.refresh()
    assert v.timing_labels["connection"].text() == "new connection"
    assert v.timing_labels["tls_s"].text() == "100 ms"
    assert v.timing_labels["download_s"].text() == "500 ms"
    assert v.timing_bars["tls_s"].span() == pytest.approx((0.1, 0.2))
    assert v.timing_bars["download_s"].span() == pytest.approx((0.5, 1.0))


def test_timeline_spans_of_a_reused_connection() -> None:
    spans = timeline_spans({"connect_s": None, "tls_s": None, "ttfb_s": 0.2, "total_s": 0.8})
    assert spans["connect_s"] is None
    assert spans["tls_s"] is None
    assert spans["ttfb_s"] == pytest.approx((0.0, 0.25))
    assert spans["total_s"] == (0.0, 1.0)
    assert all(span is None for span in timeline_spans({}).values())


def test_a_failed_exchange_keeps_what_arrived_for_saving(qtbot: QtBot) -> None:
    v = view(qtbot)
    x = Scripted()
    v.show_exchange(x.start())
    x.head()
    x.body(b"half")
    x.exchange.error = ServerDisconnected("The server closed the connection mid-body")
    x.end(ExchangeState.FAILED)
    v.refresh()
    assert v.save_button.isEnabled(), "what arrived can be saved"
    assert v.copy_button.isEnabled()
    assert "what arrived" in v.save_button.toolTip()
    assert not v.busy_bar.isVisible()
    assert v.body_text() == (
        "Server closed the connection\nThe server closed the connection mid-body\n"
    )
    assert not v.error_detail.isVisible()
    assert v.size_label.full_text() == "4 B"


def test_failure_and_stop(qtbot: QtBot) -> None:
    v = view(qtbot)
    v.show_failed("Connection refused", "Nothing is listening on 127.0.0.1:9", "OSError")
    assert v.status_text() == "Error"
    assert "Nothing is listening" in v.body_text()
    x = Scripted()
    v.show_exchange(x.start())
    x.head()
    x.body(b"partial")
    x.end(ExchangeState.STOPPED)
    v.refresh()
    assert v.status_text() == "200 OK · Stopped"
    assert v.body_text() == "partial"
    assert not v.busy_bar.isVisible()
    v.clear()
    assert v.body_text() == ""
    assert v.status_text() == ""
    assert v.stack.currentIndex() == 0  # the "send a request" placeholder


def test_switching_exchanges_shows_each_from_its_start(qtbot: QtBot) -> None:
    v = view(qtbot)
    first, second = Scripted(), Scripted()
    for x, text in ((first, b"first"), (second, b"second")):
        x.start()
        x.head()
        x.body(text)
        x.end()
    v.show_exchange(first.exchange)
    assert v.body_text() == "first"
    v.show_exchange(second.exchange)
    assert v.body_text() == "second"
    v.show_exchange(first.exchange)
    assert v.body_text() == "first"
    v.show_exchange(None)
    assert v.stack.currentIndex() == 0


def test_human_units() -> None:
    assert human_size(512) == "512 B"
    assert human_size(1536) == "1.5 KiB"
    assert human_size(5 * 1024 * 1024) == "5.0 MiB"
    assert human_time(0.0421) == "42 ms"
    assert human_time(2.5) == "2.50 s"
    assert human_time(None) == "—"


def test_long_lines_are_broken_for_display_only() -> None:
    assert break_long_lines("abc", 0, 5) == ("abc", 3)
    assert break_long_lines("abcdef", 3, 5) == ("ab\ncdef", 4)
    assert break_long_lines("x\nyyyyyyy", 0, 3) == ("x\nyyy\nyyy\ny", 1)


def test_every_image_the_stylesheet_names_exists() -> None:
    images = re.findall(r"url\(([^)]*)\)", theme.stylesheet())
    assert images
    for image in images:
        assert Path(image).is_file(), image


ICONS = "send stop folder folder-open request collection plus save trash copy edit warning demo"


@pytest.mark.parametrize("name", ICONS.split())
def test_icons_load(qtbot: QtBot, name: str) -> None:
    assert not theme.icon(name).pixmap(24, 24).isNull()


def test_colours_by_status_class_and_method() -> None:
    assert theme.status_color(204) == theme.status_color(200) != theme.status_color(404)
    assert theme.status_color(503).name() == theme.ERROR_COLOR
    assert theme.method_color("get") == theme.method_color("GET")
    assert theme.method_color("HEAD") == theme.method_color("OPTIONS")
    assert theme.method_color("PURGE") != theme.method_color("GET")


def test_progress_updates_never_relayout_the_window(qtbot: QtBot) -> None:
    """Received-size and status updates repaint their labels only: a new size hint on
    every update relayouts the whole window (splitters included) many times a second."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication, QSplitter, QWidget

    splitter = QSplitter()
    qtbot.addWidget(splitter)
    v = ResponseView(splitter)
    splitter.addWidget(QWidget())
    splitter.show()
    x = Scripted()
    v.show_exchange(x.start())
    x.head()
    v.refresh()
    QApplication.processEvents()

    class Counter(QObject):
        layouts = 0

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.LayoutRequest:
                Counter.layouts += 1
            return False

    counter = Counter()
    splitter.installEventFilter(counter)
    for i in range(40):
        x.body(b"z" * (97_000 + i))  # past the display cap: the notice shows too
        v.refresh()
        QApplication.processEvents()
    assert v.cap_notice.isVisible()
    assert counter.layouts <= 2, f"{counter.layouts} window layouts for 40 progress updates"
    long_text = "a size label text far longer than its template " * 3
    v.size_label.set_full_text(long_text)
    assert v.size_label.text() != long_text, "a text longer than the label is elided"
    assert v.size_label.toolTip() == long_text


def test_a_binary_body_is_not_shown_as_text(qtbot: QtBot) -> None:
    v = view(qtbot)
    x = Scripted("application/octet-stream")
    v.show_exchange(x.start())
    x.head()
    x.body(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 10)
    x.end()
    v.refresh()
    assert v.body_text().startswith("This body is binary (application/octet-stream)")
    assert "\x00" not in v.body_text()
    assert v.save_button.isEnabled()


def test_json_too_big_to_reformat_smoothly_is_shown_as_it_came(qtbot: QtBot) -> None:
    from app.ui.response_view import PRETTY_LIMIT

    v = view(qtbot)
    x = Scripted("application/json")
    v.show_exchange(x.start())
    x.head()
    big = json.dumps([{"id": i, "name": "x" * 40} for i in range(PRETTY_LIMIT // 40)])
    x.body(big.encode())
    x.end()
    v.refresh()
    qtbot.waitUntil(lambda: len(v.body_text().replace("\n", "")) == len(big), timeout=10000)
    assert "\n  " not in v.body_text()
