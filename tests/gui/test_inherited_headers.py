"""The inherited-headers table shows whole header names (the name column fits common
names, measured with the style that paints the check box), the value stretches, and
every cell's whole text is in its tooltip."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from app.ui import theme
from app.ui.inherited_headers import InheritedHeaders
from app.ui.key_value_table import KeyValueTable
from tests.gui.geometry import painted_whole

ROWS = [
    ("X-Client", "courier-demo", "collection"),
    ("Accept", "application/json", "collection"),
    ("Authorization", "Bearer {{api_token}}", "collection"),
    ("Content-Type", "application/json; charset=utf-8", "Auth demos"),
    ("X-Request-Id", "{{$uuid}}", "Auth demos"),
]


@pytest.fixture
def headers_tab(qtbot: QtBot) -> Iterator[InheritedHeaders]:
    """The request editor's Headers tab, as narrow as it is in a 1,024 px window, in
    Courier's style sheet (set on the tab only: other tests keep Qt's plain style)."""
    tab = QWidget()
    tab.setStyleSheet(theme.stylesheet())
    layout = QVBoxLayout(tab)
    layout.addWidget(KeyValueTable("Header", "Value", tab), 3)
    inherited = InheritedHeaders(tab)
    layout.addWidget(inherited, 2)
    qtbot.addWidget(tab)
    tab.resize(420, 420)
    tab.show()
    qtbot.waitExposed(tab)
    inherited.set_rows(ROWS)
    qtbot.waitUntil(inherited.isVisible)
    yield inherited
    tab.close()


def test_header_names_are_painted_whole_in_a_narrow_editor(headers_tab: InheritedHeaders) -> None:
    table = headers_tab.table
    for row, (name, _value, source) in enumerate(ROWS):
        assert painted_whole(table, row, 0), name
        assert painted_whole(table, row, 2), source


def test_the_value_column_takes_the_rest(headers_tab: InheritedHeaders) -> None:
    table = headers_tab.table
    header = table.horizontalHeader()
    widths = [header.sectionSize(c) for c in range(3)]
    assert sum(widths) == table.viewport().width()
    assert widths[1] >= 100, widths


def test_a_very_long_name_elides_within_half_the_table_with_a_tooltip(
    qtbot: QtBot, headers_tab: InheritedHeaders
) -> None:
    long_name = "X-Amzn-Trace-Context-Propagation-Header-Of-Some-Length"
    headers_tab.set_rows([(long_name, "v" * 300, "a folder")])
    table = headers_tab.table
    assert table.horizontalHeader().sectionSize(0) <= table.viewport().width() // 2
    assert not painted_whole(table, 0, 0), "elided, not pushing the value off"
    item = table.item(0, 0)
    assert item is not None
    assert long_name in item.toolTip()
    value = table.item(0, 1)
    assert value is not None
    assert value.toolTip() == "v" * 300


def test_columns_follow_the_width(qtbot: QtBot, headers_tab: InheritedHeaders) -> None:
    tab = headers_tab.parentWidget()
    assert tab is not None
    tab.resize(900, 420)
    table = headers_tab.table
    qtbot.waitUntil(lambda: table.viewport().width() > 800)
    header = table.horizontalHeader()
    assert sum(header.sectionSize(c) for c in range(3)) == table.viewport().width()
    for row, (name, _value, _source) in enumerate(ROWS):
        assert painted_whole(table, row, 0), name
