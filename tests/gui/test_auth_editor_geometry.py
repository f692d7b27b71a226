"""The Auth tab fits a narrow request editor (a 1,024 px window): no choice or note
sets its width, every label shows whole, nothing is drawn over anything else, and a
choice elided in its box is whole in its tooltip."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QFormLayout, QLabel
from pytestqt.qtbot import QtBot

from app.core.model import Auth, AuthKind
from app.ui import theme
from app.ui.auth_editor import GRANT_LABELS, AuthEditor
from tests.gui.geometry import overlapping_widgets

#: the request editor's width in a 1,024 px window, sidebar and response pane open
NARROW = 340

CASES = [(kind, "client_credentials") for kind in AuthKind if kind is not AuthKind.OAUTH2] + [
    (AuthKind.OAUTH2, grant) for grant, _label in GRANT_LABELS
]


def editor_for(qtbot: QtBot, kind: AuthKind, grant: str) -> AuthEditor:
    editor = AuthEditor(allow_inherit=True)
    editor.setStyleSheet(theme.stylesheet())
    editor.set_auth(Auth(kind=kind, grant=grant))
    qtbot.addWidget(editor)
    return editor


@pytest.mark.parametrize(("kind", "grant"), CASES)
def test_the_auth_tab_fits_a_narrow_editor(qtbot: QtBot, kind: AuthKind, grant: str) -> None:
    editor = editor_for(qtbot, kind, grant)
    assert editor.minimumSizeHint().width() <= NARROW
    editor.resize(NARROW, 520)
    editor.show()
    qtbot.waitExposed(editor)
    assert editor.width() == NARROW
    assert overlapping_widgets(editor) == []
    form: QFormLayout = editor.form
    for row in range(form.rowCount()):
        item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
        label = item.widget() if item is not None else None
        if isinstance(label, QLabel) and label.isVisible():
            assert label.width() >= label.sizeHint().width(), label.text()


def test_a_long_grant_is_whole_in_the_tooltip(qtbot: QtBot) -> None:
    editor = editor_for(qtbot, AuthKind.OAUTH2, "authorization_code")
    assert editor.grant.toolTip() == "Authorization code (PKCE, in your browser)"
    editor.grant.setCurrentIndex(editor.grant.findData("password"))
    assert editor.grant.toolTip() == "Password"
