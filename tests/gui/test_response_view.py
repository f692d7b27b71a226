"""The response pane: status, streamed body, cap, JSON, errors, stop."""

from __future__ import annotations

import json

from pytestqt.qtbot import QtBot

from app.ui.response_view import (
    DISPLAY_CAP,
    DISPLAY_LINE_LIMIT,
    ResponseView,
    break_long_lines,
    human_size,
    human_time,
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
    v.clear()
    assert v.body_text() == ""
    assert v.status_text() == ""


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
