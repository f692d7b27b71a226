"""Params, headers and form rows elide long names and values in their columns; the
whole text is in the cell's tooltip, kept up to date as the user types."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.core.model import KeyValue
from app.ui.key_value_table import NAME, VALUE, KeyValueTable

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
