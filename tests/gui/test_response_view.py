"""The response pane: status, streamed body, cap, JSON, errors, stop."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.ui import theme
from app.ui.response_view import (
    DISPLAY_CAP,
    DISPLAY_LINE_LIMIT,
    ResponseView,
    break_long_lines,
    human_size,
    human_time,
    timeline_spans,
)


def view(qtbot: QtBot) -> ResponseView:
    widget = ResponseView()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_head_then_chunks_then_pretty_json(qtbot: QtBot) -> None:
    v = view(qtbot)
    v.show_sending("GET", "http://x/posts/1")
    assert v.status_text() == "Sending…"
    v.show_head(200, "OK", "HTTP/2", [("content-type", "application/json")], [("a", "b")], "u")
    assert v.status_text() == "200 OK"
    body = json.dumps({"id": 1, "title": "hé"}).encode()
    for i in range(0, len(body), 3):
        v.append_body(body[i : i + 3])
    qtbot.waitUntil(lambda: v.body_text() == body.decode(), timeout=2000)
    v.show_finished(
        len(body),
        0.123,
        {"total_s": 0.123, "reused_connection": True},
        body,
        "application/json",
        True,
    )
    assert v.body_text() == '{\n  "id": 1,\n  "title": "hé"\n}'
    assert v.time_label.text() == "123 ms"
    assert v.size_label.text() == f"{len(body)} B"
    assert "reused" in v.timing_labels["connection"].text()
    assert v.headers_table.rowCount() == 4
    assert v.save_button.isEnabled()


def test_multibyte_characters_split_across_chunks(qtbot: QtBot) -> None:
    v = view(qtbot)
    v.show_head(200, "OK", "HTTP/1.1", [], [], "u")
    data = "ünïcödé ✓".encode()
    for byte in data:
        v.append_body(bytes([byte]))
    v.show_finished(len(data), 0.01, {}, data, "text/plain", True)
    assert v.body_text() == "ünïcödé ✓"


def test_display_is_capped_and_says_so(qtbot: QtBot) -> None:
    v = view(qtbot)
    v.show_head(200, "OK", "HTTP/1.1", [], [], "u")
    piece = b"x" * 65536
    total = DISPLAY_CAP + 10 * len(piece)
    for _ in range(total // len(piece)):
        v.append_body(piece)
    v.show_finished(total, 1.0, {}, b"x" * DISPLAY_CAP, "application/octet-stream", False)
    shown = v.body_text()
    assert len(shown.replace("\n", "")) == DISPLAY_CAP
    assert max(len(line) for line in shown.split("\n")) == DISPLAY_LINE_LIMIT
    assert v.cap_notice.isVisible()
    assert "Save body" in v.cap_notice.text()


def test_streaming_shows_progress_then_the_final_notice(qtbot: QtBot) -> None:
    v = view(qtbot)
    v.show_sending("GET", "http://x/big")
    assert v.busy_bar.isVisible()
    v.show_head(200, "OK", "HTTP/1.1", [], [], "u")
    piece = b"y" * 65536
    for _ in range(DISPLAY_CAP // len(piece) + 8):
        v.append_body(piece)
    received = (DISPLAY_CAP // len(piece) + 8) * len(piece)
    qtbot.waitUntil(lambda: v.size_label.text() == f"{human_size(received)} received", timeout=2000)
    qtbot.waitUntil(v.cap_notice.isVisible, timeout=2000)
    assert "so far" in v.cap_notice.text()
    assert not v.save_button.isEnabled()
    v.show_finished(received, 1.0, {}, piece, "text/plain", False)
    assert not v.busy_bar.isVisible()
    assert v.cap_notice.text() == (
        f"Showing the first 2 MB of {human_size(received)} — use “Save body…” to get all of it."
    )
    assert v.save_button.isEnabled()


def test_a_small_body_has_no_cap_notice(qtbot: QtBot) -> None:
    v = view(qtbot)
    v.show_sending("GET", "u")
    v.show_head(200, "OK", "HTTP/1.1", [], [], "u")
    v.append_body(b"hello")
    v.show_finished(5, 0.01, {}, b"hello", "text/plain", True)
    assert v.body_text() == "hello"
    assert not v.cap_notice.isVisible()


def test_body_that_is_not_json_is_shown_as_is(qtbot: QtBot) -> None:
    v = view(qtbot)
    v.show_head(200, "OK", "HTTP/1.1", [], [], "u")
    broken = b'{"a": 1,'
    v.append_body(broken)
    v.show_finished(len(broken), 0.01, {}, broken, "application/json", True)
    assert v.body_text() == '{"a": 1,'


def test_timing_tab_draws_each_phase_on_the_timeline(qtbot: QtBot) -> None:
    v = view(qtbot)
    v.show_head(200, "OK", "HTTP/2", [], [], "u")
    timings: dict[str, float | bool | None] = {
        "connect_s": 0.1,
        "tls_s": 0.1,
        "ttfb_s": 0.5,
        "total_s": 1.0,
        "reused_connection": False,
    }
    v.show_finished(0, 1.0, timings, b"", "", True)
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


def test_failure_offers_nothing_to_save_or_copy(qtbot: QtBot) -> None:
    v = view(qtbot)
    v.show_sending("GET", "u")
    v.show_head(200, "OK", "HTTP/1.1", [], [], "u")
    v.append_body(b"half")
    v.show_failed("Connection reset", "The server closed the connection mid-body", "")
    assert not v.save_button.isEnabled()
    assert not v.copy_button.isEnabled()
    assert not v.busy_bar.isVisible()
    assert v.body_text() == "Connection reset\nThe server closed the connection mid-body\n"
    assert not v.error_detail.isVisible()


def test_failure_and_stop(qtbot: QtBot) -> None:
    v = view(qtbot)
    v.show_failed("Connection refused", "Nothing is listening on 127.0.0.1:9", "OSError")
    assert v.status_text() == "Error"
    assert "Nothing is listening" in v.body_text()
    v.show_sending("GET", "u")
    v.show_head(200, "OK", "HTTP/1.1", [], [], "u")
    v.append_body(b"partial")
    v.show_stopped()
    assert v.status_text() == "200 OK · Stopped"
    assert v.body_text() == "partial"
    assert not v.busy_bar.isVisible()
    v.clear()
    assert v.body_text() == ""
    assert v.status_text() == ""
    assert v.stack.currentIndex() == 0  # the "send a request" placeholder


def test_human_units() -> None:
    assert human_size(512) == "512 B"
    assert human_size(1536) == "1.5 KB"
    assert human_size(5 * 1024 * 1024) == "5.0 MB"
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
