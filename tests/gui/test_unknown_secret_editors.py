"""Editors show a secret the keychain could not give as locked, never as empty, and
hand it back unchanged unless the user types over it; proxy passwords are masked."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.core.model import Auth, AuthKind, Settings, Variable
from app.core.unknown_secret import is_unknown, unknown
from app.ui.auth_editor import UNKNOWN_PLACEHOLDER, AuthEditor
from app.ui.settings_dialog import PROXY_LOCKED, OptionsEditor
from app.ui.variables_table import LOCKED, VALUE, VariablesTable


def test_the_auth_editor_shows_an_unknown_password_as_locked(qtbot: QtBot) -> None:
    editor = AuthEditor()
    qtbot.addWidget(editor)
    marker = unknown("password of the basic auth in me.request.yaml")
    editor.set_auth(Auth(kind=AuthKind.BASIC, username="ada", password=marker))
    assert editor.password.text() == ""
    assert editor.password.placeholderText() == UNKNOWN_PLACEHOLDER
    assert editor.auth().password == marker, "untouched: still unknown, not empty"
    qtbot.keyClicks(editor.password, "new")
    assert editor.auth().password == "new"
    editor.password.clear()
    qtbot.keyClicks(editor.password, "x")
    qtbot.keyClick(editor.password, "\b")
    assert editor.auth().password == "", "typed over, then cleared: the user cleared it"


def test_the_variables_table_shows_an_unknown_value_as_locked(qtbot: QtBot) -> None:
    table = VariablesTable()
    qtbot.addWidget(table)
    marker = unknown("{{token}} (a secret variable of the collection)")
    table.set_variables([Variable("token", marker, secret=True), Variable("k", "v", secret=True)])
    item = table.table.item(0, VALUE)
    assert item is not None
    assert item.text() == LOCKED
    assert table.variables()[0].value == marker
    table.set_value(0, "typed")
    assert table.variables()[0].value == "typed"
    assert not is_unknown(table.variables()[1].value)


def test_the_proxy_password_is_masked_and_kept(qtbot: QtBot) -> None:
    options = OptionsEditor(inheritable=True)
    qtbot.addWidget(options)
    options.set_settings(Settings(proxy="http://alice:s3cret@proxy:3128"), Settings())
    assert "s3cret" not in options.proxy.text()
    assert options.settings().proxy == "http://alice:s3cret@proxy:3128"
    options.proxy.setText(options.proxy.text().replace("proxy:3128", "other:3128"))
    assert options.settings().proxy == "http://alice:s3cret@other:3128", "the mask stands for it"
    options.proxy.setText("http://alice:typed@proxy:3128")
    assert options.settings().proxy == "http://alice:typed@proxy:3128"

    marker = unknown("proxy password in collection.yaml")
    options.set_settings(Settings(proxy=f"http://alice:{marker}@proxy:3128"), Settings())
    assert options.proxy.text() == f"http://alice:{PROXY_LOCKED}@proxy:3128"
    assert options.settings().proxy == f"http://alice:{marker}@proxy:3128"
