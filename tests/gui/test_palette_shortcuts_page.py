"""Help ▸ Keyboard shortcuts: built from the command registry, grouped, searchable."""

from __future__ import annotations

from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot

from app.ui.commands import Command, CommandRegistry
from app.ui.shortcuts_page import ShortcutsDialog, show_shortcuts


def registry_of(window: QMainWindow) -> CommandRegistry:
    registry = CommandRegistry(window)
    for command in (
        Command("request.send", "&Send", lambda: None, "Request", ("Ctrl+Return",)),
        Command("tab.new", "New Tab", lambda: None, "Tab", ("Ctrl+T",)),
        Command("request.copy_curl", "Copy as cURL", lambda: None, "Request"),
        Command("tab.close", "Close Tab", lambda: None, "Tab", ("Ctrl+W",)),
        Command(
            "palette.commands", "Command Palette…", lambda: None, "View", ("Ctrl+K", "Ctrl+Shift+P")
        ),
        Command("quit", "Quit", lambda: None, shortcuts=("Ctrl+Q",)),
    ):
        registry.add(command)
    return registry


def test_palette_shortcuts_page_lists_every_command_with_a_shortcut_by_category(
    qtbot: QtBot,
) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    page = ShortcutsDialog(registry_of(window), window)
    qtbot.addWidget(page)
    assert page.entries() == [
        ("Request", "Send", "Ctrl+Return"),
        ("Tab", "New Tab", "Ctrl+T"),
        ("Tab", "Close Tab", "Ctrl+W"),
        ("View", "Command Palette…", "Ctrl+K, Ctrl+Shift+P"),
        ("Other", "Quit", "Ctrl+Q"),
    ]


def test_palette_shortcuts_page_searches_titles_and_keys(qtbot: QtBot) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    page = show_shortcuts(registry_of(window), window)
    qtbot.addWidget(page)
    assert page.isVisible()
    qtbot.keyClicks(page.search, "tab")
    assert [e[1] for e in page.entries()] == ["New Tab", "Close Tab"]
    page.search.clear()
    qtbot.keyClicks(page.search, "ctrl+shift")
    assert [e[1] for e in page.entries()] == ["Command Palette…"]
    page.search.setText("ctrl k")
    assert [e[1] for e in page.entries()] == ["Command Palette…"]
    page.search.setText("xyzzy")
    assert page.entries() == []
    assert page.empty.isVisible()
    assert not page.tree.isVisible()
    page.search.clear()
    assert len(page.entries()) == 5
    assert page.tree.isVisible()
