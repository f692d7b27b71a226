"""FilterBar: JSONPath and jq results live, errors inline, big bodies in the worker."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from app.core.viewing.source import ByteSource, FileSource, MemorySource
from app.ui.viewer.filter_bar import PLACEHOLDER, FilterBar

pytestmark = pytest.mark.gui

BODY = json.dumps({"items": [{"id": i, "tags": ["t"] * (i % 3)} for i in range(5)]}).encode()


@pytest.fixture
def bar(qtbot: QtBot) -> Iterator[FilterBar]:
    widget = FilterBar()
    qtbot.addWidget(widget)
    widget.show()
    yield widget
    widget.close_jobs()


def test_jsonpath_typed_is_debounced_and_shown(bar: FilterBar, qtbot: QtBot) -> None:
    assert bar.field.placeholderText() == PLACEHOLDER
    bar.set_source(MemorySource(BODY))
    with qtbot.waitSignal(bar.resultReady) as signal:
        qtbot.keyClicks(bar.field, "$.items[*].id")
        assert bar.count is None  # not on every key: after the pause
    source: ByteSource = signal.args[0]
    assert json.loads(source.read(0, source.size())) == [0, 1, 2, 3, 4]
    assert bar.result.toPlainText() == "[\n  0,\n  1,\n  2,\n  3,\n  4\n]"
    assert bar.status.text() == "5 results (JSONPath)"


def test_jq_result(bar: FilterBar) -> None:
    bar.set_source(MemorySource(BODY))
    bar.set_expression(".items[] | select(.tags | length > 0) | .id")
    assert (bar.count, bar.status.text()) == (3, "3 results (jq)")
    assert json.loads(bar.result.toPlainText()) == [1, 2, 4]


def test_errors_inline_and_clearing(bar: FilterBar, qtbot: QtBot) -> None:
    bar.set_source(MemorySource(BODY))
    bar.set_expression(".items[")
    assert bar.error is not None
    assert bar.status.text().startswith("syntax error")
    assert bar.result.isHidden()
    assert bar.result_source is None
    bar.set_expression("$.items[?@.id > 3].id")
    assert (bar.error, bar.status.text(), bar.result.toPlainText()) == (
        None,
        "1 result (JSONPath)",
        "[\n  4\n]",
    )
    with qtbot.waitSignal(bar.cleared):
        bar.set_expression("")
    assert (bar.result_source, bar.status.text()) == (None, "")


def test_waits_for_the_body(bar: FilterBar) -> None:
    source = MemorySource(b'{"a": [1', complete=False)
    bar.set_source(source)
    bar.set_expression("$.a[0]")
    assert bar.status.text() == "Filtering once the body has arrived…"
    source.append(b"]}")
    source.finish()
    bar.refresh()
    assert bar.status.text() == "1 result (JSONPath)"


def test_a_big_body_is_filtered_in_the_worker(
    bar: FilterBar, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("app.ui.viewer.filter_bar.IN_PROCESS_LIMIT", 100)
    monkeypatch.setattr("app.ui.viewer.filter_bar.SHOWN_RESULT_LIMIT", 50)
    fd, path = tempfile.mkstemp()
    os.unlink(path)
    body = json.dumps([{"n": i} for i in range(3000)]).encode()
    os.write(fd, body)
    source = FileSource(fd, len(body), complete=True)
    try:
        bar.set_source(source)
        with qtbot.waitSignal(bar.resultReady, timeout=20000) as signal:
            bar.set_expression("$[*].n")
        assert bar.status.text() == "3,000 results (JSONPath)"
        result: ByteSource = signal.args[0]
        assert result.complete()
        assert json.loads(result.read(0, result.size())) == list(range(3000))
        assert bar.result.isHidden()  # too big for the bar: the owner shows the ByteSource
        with qtbot.waitSignal(bar.resultReady, timeout=20000):  # no fd: spilled to a temp file
            bar.set_source(MemorySource(body))
        assert bar.count == 3000
        bar.set_expression(".[")
        qtbot.waitUntil(lambda: bar.error is not None, timeout=20000)
        assert "syntax error" in bar.status.text()
    finally:
        source.close()
