"""The response pane: status, the live body viewer, the exchange's tabs, errors, stop."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.core.errors import ServerDisconnected
from app.core.units import human_size, human_time
from app.core.viewing.sniff import View
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
from app.ui.response_view import COOKIES_TAB, REDIRECTS_TAB, ResponseView
from app.ui.viewer.hex_view import HexView


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


def settle(qtbot: QtBot, v: ResponseView) -> None:
    """Let the pane's own timer finish the view (indexing, formatting)."""
    qtbot.waitUntil(v.body_settled, timeout=20000)


def test_head_then_body_then_pretty_json(qtbot: QtBot) -> None:
    v = view(qtbot)
    x = Scripted("application/json")
    v.show_exchange(x.start())
    assert v.status_text() == "Sending…"
    assert v.busy_bar.isVisible()
    x.head(version="HTTP/2")
    v.refresh()
    assert v.status_text() == "200 OK"
    body = json.dumps(
        {"id": 1, "title": "hé", "price": 2.50, "tags": []}, ensure_ascii=False
    ).encode()
    for i in range(0, len(body), 3):
        x.body(body[i : i + 3])
        v.refresh()
    # formatted live, as the bytes arrive: the body is not complete yet
    assert v.viewer.current_view() is View.PRETTY
    assert v.body_text().startswith('{\n  "id": 1,\n  "title": "hé"')
    x.exchange.timings = Timings(total_s=0.123, reused_connection=True)
    x.exchange.state = ExchangeState.DONE
    v.refresh()
    settle(qtbot, v)
    assert v.body_text() == '{\n  "id": 1,\n  "title": "hé",\n  "price": 2.5,\n  "tags": []\n}'
    assert v.time_label.full_text() == "123 ms"
    assert v.size_label.full_text() == f"{len(body)} B"
    assert v.headers_pane.table.rows() == [("content-type", "application/json")]
    assert v.request_pane.isEnabled()
    assert v.save_button.isEnabled()
    assert not v.busy_bar.isVisible()
    assert v.viewer.views() == [View.PRETTY, View.TREE, View.RAW, View.HEX]


def test_numbers_and_escapes_are_shown_as_sent(qtbot: QtBot) -> None:
    v = view(qtbot)
    x = Scripted("application/json")
    v.show_exchange(x.start())
    x.head()
    x.body(b'{"n":1.50,"big":12345678901234567890,"s":"a\\u00e9"}')
    x.end()
    v.refresh()
    settle(qtbot, v)
    assert v.body_text() == '{\n  "n": 1.50,\n  "big": 12345678901234567890,\n  "s": "a\\u00e9"\n}'


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
    settle(qtbot, v)
    assert v.body_text() == "ünïcödé ✓"
    assert v.viewer.current_view() is View.RAW


def test_a_large_body_is_all_there_and_no_notice_caps_it(qtbot: QtBot) -> None:
    """No display cap: 5 MiB in a store with a small memory budget (on disk), every
    line reachable, the last one included."""
    v = view(qtbot)
    x = Scripted(budget=64 * 1024)
    v.show_exchange(x.start())
    x.head()
    lines = [f"line {i:07d} " + "x" * 40 for i in range(100_000)]
    data = ("\n".join(lines) + "\n").encode()
    for i in range(0, len(data), 256 * 1024):
        x.body(data[i : i + 256 * 1024])
        v.refresh()
    x.end()
    v.refresh()
    settle(qtbot, v)
    text_view = v.viewer.text_view()
    assert text_view is not None
    assert text_view.line_count() == 100_000
    assert text_view.line_text(99_999) == lines[-1]
    assert not v.notice.isVisible()


def test_json_that_does_not_parse_is_shown_whole_with_the_reason(qtbot: QtBot) -> None:
    v = view(qtbot)
    x = Scripted("application/json")
    v.show_exchange(x.start())
    x.head()
    x.body(b'{"a": 1,]  tail')
    x.end()
    v.refresh()
    settle(qtbot, v)
    shown = v.body_text()
    assert "".join(shown.split()) == '{"a":1,]tail'
    assert "Not valid JSON" in v.viewer.status_label.text()


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
    assert v.tabs.tabText(REDIRECTS_TAB) == "Redirects (1)"
    assert v.tabs.isTabEnabled(REDIRECTS_TAB)
    assert v.redirects_pane.count() == 1
    assert "Sent once more on a new connection." in v.notice.text()


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
    assert v.arrived_button.text() == "Show the 4 B that arrived"
    v.arrived_button.click()
    settle(qtbot, v)
    assert v.body_text() == "half"


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
    settle(qtbot, v)
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


def test_cookies_set_by_the_response_are_counted_on_their_tab(qtbot: QtBot) -> None:
    v = view(qtbot)
    x = Scripted()
    x.start()
    x.exchange.response = ResponseHead(
        200,
        "OK",
        "HTTP/1.1",
        (("set-cookie", "a=1; Path=/"), ("set-cookie", "b=2; HttpOnly")),
        "http://x/u",
    )
    x.end()
    v.show_exchange(x.exchange)
    assert v.tabs.tabText(COOKIES_TAB) == "Cookies (2)"
    assert [row[0] for row in v.cookies_pane.table.rows()] == ["a", "b"]


def test_human_units() -> None:
    assert human_size(512) == "512 B"
    assert human_size(1536) == "1.5 KiB"
    assert human_size(5 * 1024 * 1024) == "5.0 MiB"
    assert human_time(0.0421) == "42 ms"
    assert human_time(2.5) == "2.50 s"
    assert human_time(None) == "—"


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
        x.body(b"z" * (97_000 + i))
        v.refresh()
        QApplication.processEvents()
    assert v.viewer.text_view() is not None, "the body is on show while it arrives"
    assert counter.layouts <= 2, f"{counter.layouts} window layouts for 40 progress updates"
    long_text = "a size label text far longer than its template " * 3
    v.size_label.set_full_text(long_text)
    assert v.size_label.text() != long_text, "a text longer than the label is elided"
    assert v.size_label.toolTip() == long_text


def test_a_binary_body_is_shown_in_hex_never_as_text(qtbot: QtBot) -> None:
    v = view(qtbot)
    x = Scripted("application/octet-stream")
    v.show_exchange(x.start())
    x.head()
    x.body(b"\x00\x01ABC" + bytes(range(256)) * 10)
    x.end()
    v.refresh()
    assert v.viewer.views() == [View.HEX]
    hex_view = v.viewer.page(View.HEX)
    assert isinstance(hex_view, HexView)
    assert hex_view.row_text(0).split()[1:6] == ["00", "01", "41", "42", "43"]
    assert v.viewer.text_view() is None
    assert v.save_button.isEnabled()


def test_a_big_json_body_shows_its_first_screen_before_the_worker_has_started(
    qtbot: QtBot,
) -> None:
    """A body on disk is formatted by a worker process, which takes a while to start:
    the first screen is formatted in the window meanwhile, then the worker's text
    takes over (and ends up the same)."""
    v = view(qtbot)
    x = Scripted("application/json", budget=64 * 1024)
    v.show_exchange(x.start())
    x.head()
    records = [{"id": i, "name": f"record {i}", "tags": ["a", "b"]} for i in range(40_000)]
    data = json.dumps(records, separators=(",", ":")).encode()
    x.body(data)
    x.end()
    v.refresh()  # one tick: the worker was started in it and cannot have answered yet
    text_view = v.viewer.text_view()
    assert text_view is not None
    assert text_view.line_count() > 100
    assert text_view.line_text(1) == "  {"
    assert text_view.line_text(2) == '    "id": 0,'
    settle(qtbot, v)
    assert json.loads(v.body_text()) == records
    assert v.body_text().startswith('[\n  {\n    "id": 0,\n    "name": "record 0"')
