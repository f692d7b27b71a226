"""The live event table: SSE and NDJSON rows appearing as the body grows, Stop, the
detail pane (JSON pretty), following the end unless the user scrolled up."""

from __future__ import annotations

import time
from datetime import datetime

import orjson
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.core.viewing.source import MemorySource
from app.ui.viewer.event_table import EventTable

pytestmark = pytest.mark.gui


def make_table(qtbot: QtBot) -> EventTable:
    table = EventTable()
    qtbot.addWidget(table)
    table.resize(700, 500)
    table.show()
    return table


def refresh_all(table: EventTable) -> None:
    for _ in range(10_000):
        table.refresh()
        if table.caught_up():
            table.refresh()  # the end-of-body step (NDJSON's last line)
            return
    raise AssertionError("refresh never caught up")


def cells(table: EventTable, row: int) -> list[str]:
    model = table.model
    return [model.data(model.index(row, c)) for c in range(model.columnCount())]


def test_sse_events_appear_live_and_stop_keeps_them(qtbot: QtBot) -> None:
    base = datetime(2025, 3, 1, 12, 0, 0).timestamp()
    arrivals: dict[int, float] = {}
    body = MemorySource(b"", complete=False)

    def arrival(offset: int) -> float | None:
        # the integrator's answer: the time of the piece that held this byte
        return max((t for start, t in arrivals.items() if start <= offset), default=None)

    def arrive(data: bytes, at: float) -> None:
        arrivals[body.size()] = at
        body.append(data)

    table = make_table(qtbot)
    table.set_source(body, "sse", arrival)
    assert table.row_count() == 0
    assert table.count_label.text() == "0 events"

    arrive(b": connected\n\nevent: greeting\nid: 1\ndata: hel", base + 1.25)
    table.refresh()
    assert table.row_count() == 0  # the event is not finished
    arrive(b'lo\n\ndata: {"n": 2, "items": [1, 2]}\n', base + 2.5)
    table.refresh()
    assert table.row_count() == 1
    assert cells(table, 0) == ["12:00:02.500", "greeting", "1", "hello"]
    arrive(b"\r\nid: 3\r\ndata: line one\r\ndata: line two\r\n\r\ndata: never fin", base + 3)
    table.refresh()
    assert table.row_count() == 3
    assert cells(table, 1) == ["12:00:03.000", "message", "1", '{"n": 2, "items": [1, 2]}']
    assert cells(table, 2) == ["12:00:03.000", "message", "3", "line one ⏎ line two"]
    assert table.count_label.text() == "3 events"

    body.finish()  # Stop: the body stops growing with an unfinished event
    table.refresh()
    table.refresh()
    assert table.row_count() == 3
    assert cells(table, 2)[3] == "line one ⏎ line two"


def test_selected_json_data_is_pretty_and_text_stays_text(qtbot: QtBot) -> None:
    payload = {"user": {"id": 7, "tags": ["a", "b"]}, "ok": True}
    body = MemorySource(
        b"data: " + orjson.dumps(payload) + b"\n\ndata: plain {text}\ndata: second\n\n"
    )
    table = make_table(qtbot)
    table.set_source(body, "sse")
    refresh_all(table)
    table.select_row(0)
    assert table.detail_text() == orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode()
    assert "\n  " in table.detail_text()
    table.select_row(1)
    assert table.detail_text() == "plain {text}\nsecond"


def test_time_falls_back_to_when_the_view_saw_it(qtbot: QtBot) -> None:
    table = make_table(qtbot)
    before = time.time()
    table.set_source(MemorySource(b"data: x\n\n"), "sse", lambda _offset: None)
    table.refresh()
    after = time.time()
    assert before <= table.model.arrival(0) <= after


def test_follows_the_end_unless_scrolled_up(qtbot: QtBot) -> None:
    body = MemorySource(b"", complete=False)
    table = make_table(qtbot)
    table.set_source(body, "sse")
    bar = table.table.verticalScrollBar()

    def add(n: int, start: int) -> None:
        body.append(
            b"".join(b"id: %d\ndata: event %d\n\n" % (i, i) for i in range(start, start + n))
        )
        refresh_all(table)
        qtbot.wait(1)

    add(300, 0)
    assert table.row_count() == 300
    assert bar.maximum() > 0
    assert bar.value() == bar.maximum()
    assert table.follows_end()

    bar.setValue(10)  # the user scrolls up
    assert not table.follows_end()
    assert not table.follow_button.isChecked()
    add(100, 300)
    assert table.row_count() == 400
    assert bar.value() == 10

    bar.setValue(bar.maximum())  # back to the end: following again
    assert table.follows_end()
    add(100, 400)
    assert bar.value() == bar.maximum()
    assert cells(table, 499)[2:] == ["499", "event 499"]

    bar.setValue(0)
    table.follow_button.click()  # the Follow button jumps to the end
    assert table.follows_end()
    assert bar.value() == bar.maximum()


def test_ndjson_rows_numbers_errors_and_last_line(qtbot: QtBot) -> None:
    body = MemorySource(b'{"a": 1}\n\n[1, 2]\nnot json\n{"b": ', complete=False)
    table = make_table(qtbot)
    table.set_source(body, "ndjson")
    assert table.model.headerData(1, Qt.Orientation.Horizontal) == "#"
    refresh_all(table)
    assert table.row_count() == 3
    assert [cells(table, r)[1:] for r in range(3)] == [
        ["1", '{"a": 1}'],
        ["3", "[1, 2]"],
        ["4", "not json"],
    ]
    assert table.count_label.text() == "3 lines"
    table.select_row(0)
    assert table.detail_text() == '{\n  "a": 1\n}'
    table.select_row(2)
    assert table.detail_text().startswith("(not JSON:")
    assert table.detail_text().endswith("\nnot json")
    body.append(b"2}")
    refresh_all(table)
    assert table.row_count() == 3  # no newline yet, the body goes on
    body.finish()
    refresh_all(table)
    assert table.row_count() == 4
    assert cells(table, 3)[1:] == ["5", '{"b": 2}']


def test_a_refresh_does_a_bounded_amount_of_work(qtbot: QtBot) -> None:
    events = b"".join(
        b'id: %d\ndata: {"n": %d, "pad": "%s"}\n\n' % (i, i, b"x" * 40) for i in range(200_000)
    )
    body = MemorySource(events)
    table = make_table(qtbot)
    table.set_source(body, "sse")
    table.refresh()
    first = table.row_count()
    assert 0 < first < 200_000
    refresh_all(table)
    assert table.row_count() == 200_000
    assert cells(table, 199_999)[2] == "199999"
    assert len(table.model._cache) <= 1024
