"""Params, headers and form rows: in a narrow editor the name column gives way so
values show whole; what is still elided is whole in the cell's tooltip, kept up to
date as the user types."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.core.model import KeyValue
from app.ui import theme
from app.ui.key_value_table import NAME, VALUE, KeyValueTable
from tests.gui.geometry import painted_whole

LONG_VALUE = "Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9." + "x" * 200


def tooltip(table: KeyValueTable, row: int, column: int) -> str:
    item = table.table.item(row, column)
    assert item is not None
    return item.toolTip()


def test_whole_texts_in_tooltips(qtbot: QtBot) -> None:
    table = KeyValueTable("Header", "Value")
    qtbot.addWidget(table)
    table.set_rows([KeyValue("X-Forwarded-For-Original-Client-Address", LONG_VALUE)])
    table.resize(420, 200)
    table.show()
    qtbot.waitExposed(table)
    assert tooltip(table, 0, NAME) == "X-Forwarded-For-Original-Client-Address"
    assert tooltip(table, 0, VALUE) == LONG_VALUE
    assert tooltip(table, 1, NAME) == "Type to add a header", "the trailing row invites"

    table.set_cell(1, "X-Trace", "abc-123")  # typed into the trailing row
    assert tooltip(table, 1, NAME) == "X-Trace"
    assert tooltip(table, 1, VALUE) == "abc-123"
    assert tooltip(table, 2, NAME) == "Type to add a header"
    table.set_cell(0, "X-Short", "v2")
    assert tooltip(table, 0, NAME) == "X-Short"
    assert tooltip(table, 0, VALUE) == "v2"


def test_in_a_narrow_editor_the_name_column_gives_way_to_values(qtbot: QtBot) -> None:
    table = KeyValueTable("Header", "Value")
    table.setStyleSheet(theme.stylesheet())
    qtbot.addWidget(table)
    table.set_rows([KeyValue("Accept", "application/json"), KeyValue("X-Client", "courier-demo")])
    table.resize(330, 200)
    table.show()
    qtbot.waitExposed(table)
    for row in range(2):
        assert painted_whole(table.table, row, VALUE), row
        assert painted_whole(table.table, row, NAME), row
    table.resize(900, 200)
    qtbot.waitUntil(lambda: table.table.viewport().width() > 800)
    assert table.table.columnWidth(NAME) == 200, "a wide table keeps the usual width"
