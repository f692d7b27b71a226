"""The command registry: one action per command, shortcuts and menus share it, disabled
commands do not run."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow, QMenu
from pytestqt.qtbot import QtBot

from app.ui.commands import Command, CommandRegistry


@pytest.fixture
def window(qtbot: QtBot) -> QMainWindow:
    main = QMainWindow()
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    main.activateWindow()
    return main


def test_commands_shortcut_runs_the_handler(qtbot: QtBot, window: QMainWindow) -> None:
    registry = CommandRegistry(window)
    ran: list[str] = []
    registry.add(Command("tab.new", "New tab", lambda: ran.append("new"), "Tab", ("Ctrl+T",)))
    registry.action("tab.new")
    with qtbot.waitSignal(registry.ran) as blocker:
        qtbot.keyClick(window, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert blocker.args == ["tab.new"]
    assert ran == ["new"]


def test_commands_disabled_command_does_not_run(window: QMainWindow) -> None:
    registry = CommandRegistry(window)
    ran: list[str] = []
    allowed = False
    registry.add(
        Command("request.stop", "Stop", lambda: ran.append("stop"), enabled=lambda: allowed)
    )
    assert registry.run("request.stop") is False
    registry.action("request.stop").trigger()
    assert ran == []
    allowed = True
    assert registry.run("request.stop") is True
    assert ran == ["stop"]


def test_commands_menu_shares_the_action_and_refreshes_enabled(window: QMainWindow) -> None:
    registry = CommandRegistry(window)
    state = {"enabled": True}
    registry.add(Command("a.one", "One", lambda: None, enabled=lambda: state["enabled"]))
    registry.add(Command("a.two", "Two", lambda: None, "Cat"))
    menu = QMenu(window)
    registry.add_to_menu(menu, "a.one", "-", "a.two")
    actions = menu.actions()
    assert actions[0] is registry.action("a.one")
    assert actions[1].isSeparator()
    state["enabled"] = False
    registry.refresh_menu(menu)
    assert not actions[0].isEnabled()
    assert actions[2].isEnabled()
    assert registry.get("a.two").label == "Cat: Two"


def test_commands_ids_are_unique_and_a_broken_predicate_disables(window: QMainWindow) -> None:
    registry = CommandRegistry(window)
    registry.add(Command("x", "X", lambda: None, enabled=lambda: 1 / 0 > 0))
    with pytest.raises(ValueError, match="already registered"):
        registry.add(Command("x", "X again", lambda: None))
    assert registry.is_enabled("x") is False
    assert [c.id for c in registry] == ["x"]
