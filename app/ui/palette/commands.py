"""The palette's own commands: open it on commands or requests, show the shortcuts page.

Ctrl+K is also "delete to the end of the line" in Qt's text fields on Linux and
macOS (``QKeySequence.DeleteEndOfLine``): a field with the focus claims the key
(``ShortcutOverride``) and the palette would never open from the URL bar.
``ShortcutsOverTextFields`` gives the window's shortcuts for these keys priority.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QWidget

from app.ui.commands import Command, CommandRegistry
from app.ui.palette.widget import CommandPalette, PaletteMode
from app.ui.shortcuts_page import show_shortcuts

SHOW_COMMANDS = "palette.commands"
SHOW_REQUESTS = "palette.requests"
SHOW_SHORTCUTS = "help.shortcuts"


def palette_commands(
    registry: CommandRegistry, palette: CommandPalette, window: QWidget
) -> list[Command]:
    """Register Ctrl+K / Ctrl+Shift+P (commands), Ctrl+P (requests) and Help ▸ Keyboard
    Shortcuts, their keys winning over text fields' own bindings."""
    commands = [
        registry.add(
            Command(
                SHOW_COMMANDS,
                "Command Palette…",
                lambda: palette.open(PaletteMode.COMMANDS),
                "View",
                ("Ctrl+K", "Ctrl+Shift+P"),
                in_palette=False,
            )
        ),
        registry.add(
            Command(
                SHOW_REQUESTS,
                "Go to Request…",
                lambda: palette.open(PaletteMode.REQUESTS),
                "View",
                ("Ctrl+P",),
            )
        ),
        registry.add(
            Command(
                SHOW_SHORTCUTS,
                "&Keyboard Shortcuts",
                lambda: show_shortcuts(registry, window),
                "Help",
            )
        ),
    ]
    for command in commands:
        registry.action(command.id)  # the action (and its shortcut) exists from now on
    ShortcutsOverTextFields(window, (s for c in commands for s in c.shortcuts))
    return commands


class ShortcutsOverTextFields(QObject):
    """Lets the window's shortcuts for ``keys`` run even when a text field inside it
    has the focus and would take the key for itself."""

    def __init__(self, window: QWidget, keys: Iterable[str]) -> None:
        super().__init__(window)
        self._window = window
        self._keys = {QKeySequence(k).toString() for k in keys}
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.ShortcutOverride or not isinstance(event, QKeyEvent):
            return False
        if QKeySequence(event.keyCombination()).toString() not in self._keys:
            return False
        if not isinstance(watched, QWidget) or watched.window() is not self._window:
            return False
        event.ignore()  # not overridden: the shortcut runs
        return True
