"""JsonTreeView: lazy rows over real bytes, paging, copy value / path."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from app.core.viewing.source import MemorySource
from app.ui.viewer.json_tree_view import PAGE, JsonTreeView

pytestmark = pytest.mark.gui

BODY = json.dumps(
    {"data": [{"id": i, "name": f"n{i}", "price": 1.5} for i in range(450)], "a b": "x\ny"}
).encode()


def texts(view: JsonTreeView, parent: QModelIndex, column: int = 0) -> list[str]:
    model = view.model
    return [model.index(r, column, parent).data() for r in range(model.rowCount(parent))]


def child(view: JsonTreeView, parent: QModelIndex, label: str) -> QModelIndex:
    model = view.model
    for row in range(model.rowCount(parent)):
        index = model.index(row, 0, parent)
        if index.data() == label:
            return index
    raise AssertionError(f"{label!r} not among {texts(view, parent)}")


@pytest.fixture
def view(qtbot: QtBot) -> JsonTreeView:
    widget = JsonTreeView()
    qtbot.addWidget(widget)
    widget.resize(700, 400)
    widget.show()
    return widget


def test_rows_columns_and_paging(view: JsonTreeView, qtbot: QtBot) -> None:
    view.set_source(MemorySource(BODY))
    root = view.model.index(0, 0)
    assert root.data() == "$"
    qtbot.waitUntil(lambda: texts(view, root) == ["data", "a b"])
    assert view.model.index(1, 1, root).data() == '"x⏎y"'
    assert view.model.index(1, 2, root).data() == "string"
    data = child(view, root, "data")
    view.tree.expand(data)
    qtbot.waitUntil(lambda: view.model.rowCount(data) == PAGE + 1)
    assert texts(view, data)[:2] == ["[0]", "[1]"]
    assert texts(view, data)[-1] == "more…"  # the rest is not scanned yet
    pager = view.model.index(PAGE, 0, data)
    view.tree.clicked.emit(pager)
    qtbot.waitUntil(lambda: view.model.rowCount(data) == 2 * PAGE + 1)
    view.tree.clicked.emit(view.model.index(2 * PAGE, 0, data))
    qtbot.waitUntil(lambda: view.model.rowCount(data) == 450)  # all shown: no pager
    assert texts(view, data)[-1] == "[449]"
    assert view.model.index(0, 2, data).data() == "object"
    assert data.siblingAtColumn(2).data() == "array (450)"
    item = view.model.index(449, 0, data)
    view.tree.expand(item)
    qtbot.waitUntil(lambda: texts(view, item, 1) == ["449", '"n449"', "1.5"])


def test_copy_value_and_path_through_the_clipboard(view: JsonTreeView, qtbot: QtBot) -> None:
    view.set_source(MemorySource(BODY))
    root = view.model.index(0, 0)
    qtbot.waitUntil(lambda: view.model.rowCount(root) == 2)
    data = child(view, root, "data")
    view.tree.expand(data)
    qtbot.waitUntil(lambda: view.model.rowCount(data) > 3)
    item = view.model.index(3, 0, data)
    view.tree.expand(item)
    qtbot.waitUntil(lambda: view.model.rowCount(item) == 3)
    view.tree.setCurrentIndex(view.model.index(1, 0, item))
    view.tree.setFocus()
    clipboard = QGuiApplication.clipboard()
    qtbot.keyClick(view.tree, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert clipboard.text() == "n3"
    qtbot.keyClick(
        view.tree,
        Qt.Key.Key_C,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert clipboard.text() == "$.data[3].name"
    view.tree.setCurrentIndex(item)
    view.copy_value_action.trigger()
    assert clipboard.text() == '{"id": 3, "name": "n3", "price": 1.5}'
    view.tree.setCurrentIndex(child(view, root, "a b"))
    view.copy_path_action.trigger()
    assert clipboard.text() == "$['a b']"
    view.copy_value_action.trigger()
    assert clipboard.text() == "x\ny"


def test_context_menu_offers_both_copies(view: JsonTreeView, qtbot: QtBot) -> None:
    view.set_source(MemorySource(BODY))
    root = view.model.index(0, 0)
    qtbot.waitUntil(lambda: view.model.rowCount(root) == 2)
    index = child(view, root, "a b")
    menu = view.context_menu(view.tree.visualRect(index).center())
    assert menu is not None
    assert [a.text() for a in menu.actions()] == ["Copy value", "Copy path"]
    assert view.tree.currentIndex() == index
    menu.actions()[1].trigger()
    assert QGuiApplication.clipboard().text() == "$['a b']"
    assert view.context_menu(view.tree.viewport().rect().bottomRight()) is None


def test_waits_for_the_complete_body_and_reports_non_json(view: JsonTreeView, qtbot: QtBot) -> None:
    source = MemorySource(b'{"a": [1, ', complete=False)
    view.set_source(source)
    assert view.model.rowCount() == 0
    assert view.status.text() == "The tree is shown once the body has arrived (10 bytes so far)."
    source.append(b"2]}")
    source.finish()
    view.refresh()
    assert view.status.isHidden()
    root = view.model.index(0, 0)
    qtbot.waitUntil(lambda: texts(view, root) == ["a"])
    view.set_source(MemorySource(b"<html>"))
    assert view.status.text() == "Not JSON: unexpected '<' at byte 0"


def test_an_error_deep_in_the_body_shows_what_was_found(view: JsonTreeView, qtbot: QtBot) -> None:
    view.set_source(MemorySource(b'{"ok": 1, "bad": [1 2]}'))
    root = view.model.index(0, 0)
    qtbot.waitUntil(lambda: view.model.rowCount(root) == 2)
    bad = child(view, root, "bad")
    view.tree.expand(bad)
    qtbot.waitUntil(lambda: view.status.isVisible())
    assert view.status.text() == "Not JSON: unexpected '2': expected ',' or ']' at byte 20"
    assert texts(view, bad) == ["[0]"]


def test_a_big_value_is_handed_to_the_owner(
    view: JsonTreeView, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("app.ui.viewer.json_tree_view.COPY_LIMIT", 1000)
    view.set_source(MemorySource(BODY))
    root = view.model.index(0, 0)
    qtbot.waitUntil(lambda: view.model.rowCount(root) == 2)
    QGuiApplication.clipboard().setText("before")
    view.tree.setCurrentIndex(child(view, root, "data"))
    with qtbot.waitSignal(view.copyRangeRequested) as signal:
        view.copy_value_action.trigger()
    start, end = signal.args
    assert json.loads(BODY[start:end]) == json.loads(BODY)["data"]
    assert QGuiApplication.clipboard().text() == "before"
