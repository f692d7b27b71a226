"""The variables table: in a narrow dialog the name column gives way so values show
whole; long names and values elided in their columns are whole in the tooltip,
except a secret's value, which no tooltip ever shows."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.core.model import Variable
from app.ui import theme
from app.ui.variables_table import MASK, NAME, SECRET, SECRET_TIP, VALUE, VariablesTable
from tests.gui.geometry import painted_whole

LONG_NAME = "a_rather_long_variable_name_for_the_reporting_service"
LONG_VALUE = "https://reporting.internal.example.com/api/v3/tenants/acme/" * 3


def table_with(qtbot: QtBot, *variables: Variable) -> VariablesTable:
    table = VariablesTable()
    qtbot.addWidget(table)
    table.set_variables(list(variables))
    table.resize(460, 240)
    table.show()
    qtbot.waitExposed(table)
    return table


def tooltip(table: VariablesTable, row: int, column: int) -> str:
    item = table.table.item(row, column)
    assert item is not None
    return item.toolTip()


def test_long_names_and_values_are_whole_in_their_tooltips(qtbot: QtBot) -> None:
    table = table_with(qtbot, Variable(LONG_NAME, LONG_VALUE))
    assert table.table.columnWidth(NAME) < table.fontMetrics().horizontalAdvance(LONG_NAME)
    assert tooltip(table, 0, NAME) == LONG_NAME
    assert tooltip(table, 0, VALUE) == LONG_VALUE
    item = table.table.item(0, NAME)
    assert item is not None
    item.setText("renamed")
    assert tooltip(table, 0, NAME) == "renamed"
    table.set_value(0, "short")
    assert tooltip(table, 0, VALUE) == "short"


def test_a_secret_value_never_shows_in_a_tooltip(qtbot: QtBot) -> None:
    table = table_with(qtbot, Variable("api_token", "s3cr3t-value", secret=True))
    value = table.table.item(0, VALUE)
    assert value is not None
    assert value.text() == MASK
    assert tooltip(table, 0, VALUE) == SECRET_TIP
    assert "s3cr3t" not in tooltip(table, 0, VALUE)
    secret = table.table.item(0, SECRET)
    assert secret is not None
    secret.setCheckState(Qt.CheckState.Unchecked)  # no longer secret: shown, and whole
    assert value.text() == "s3cr3t-value"
    assert tooltip(table, 0, VALUE) == "s3cr3t-value"
    secret.setCheckState(Qt.CheckState.Checked)
    assert "s3cr3t" not in tooltip(table, 0, VALUE)


def test_in_a_narrow_dialog_the_name_column_gives_way_to_values(qtbot: QtBot) -> None:
    table = table_with(qtbot, Variable("base_url", "{{$demo}}"), Variable("api_key", "demo-key"))
    table.setStyleSheet(theme.stylesheet())
    table.resize(340, 240)  # the environments tab of a settings dialog at its smallest
    qtbot.waitUntil(lambda: table.table.viewport().width() <= 340)
    assert painted_whole(table.table, 0, VALUE), "{{$demo}} whole, not “{{$d…”"
    assert painted_whole(table.table, 1, VALUE)
    assert painted_whole(table.table, 0, NAME)
    table.resize(900, 240)
    qtbot.waitUntil(lambda: table.table.viewport().width() > 800)
    assert table.table.columnWidth(NAME) == 180, "a wide table keeps the usual width"
