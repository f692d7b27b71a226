"""One registry of the window's commands: menus, context menus, shortcuts and the palette.

A ``Command`` is data (id, title, category, shortcut, when it is enabled, what it
does); ``CommandRegistry.action(id)`` makes (once) the ``QAction`` that menus and
shortcuts share, so a command's shortcut works wherever its action lives and the
palette runs the very same handler.  ``enabled`` is asked when a menu is about to
show, when the palette lists commands and before a shortcut runs the handler.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget


def _always() -> bool:
    return True


@dataclass(frozen=True)
class Command:
    """What the user can do, by name."""

    id: str
    """Stable, dotted: ``request.send``, ``tab.close``, ``view.theme.dark``."""
    title: str
    """As shown in menus and the palette (``…`` when it asks for more)."""
    handler: Callable[[], object]
    category: str = ""
    """Shown before the title in the palette (``Request: Send``) and groups the
    shortcuts page."""
    shortcuts: tuple[str, ...] = ()
    """Portable key sequences (``Ctrl+Return``); the first is shown in menus."""
    enabled: Callable[[], bool] = field(default=_always)
    in_palette: bool = True

    @property
    def label(self) -> str:
        """``Category: Title`` (the palette's text)."""
        title = self.title.replace("&", "")
        return f"{self.category}: {title}" if self.category else title


class CommandRegistry(QObject):
    """The commands of one window, in the order they were added."""

    #: a command ran (its id): from a menu, a shortcut or the palette
    ran = Signal(str)

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._commands: dict[str, Command] = {}
        self._actions: dict[str, QAction] = {}

    def add(self, command: Command) -> Command:
        if command.id in self._commands:
            raise ValueError(f"command {command.id!r} is already registered")
        self._commands[command.id] = command
        return command

    def __contains__(self, command_id: object) -> bool:
        return command_id in self._commands

    def __iter__(self) -> Iterator[Command]:
        return iter(self._commands.values())

    def __len__(self) -> int:
        return len(self._commands)

    def get(self, command_id: str) -> Command:
        return self._commands[command_id]

    def is_enabled(self, command_id: str) -> bool:
        try:
            return bool(self._commands[command_id].enabled())
        except Exception:  # a broken predicate must not break a menu
            return False

    def run(self, command_id: str) -> bool:
        """Run the command if it is enabled; True if it ran."""
        if not self.is_enabled(command_id):
            return False
        self._commands[command_id].handler()
        self.ran.emit(command_id)
        return True

    def action(self, command_id: str) -> QAction:
        """The command's one ``QAction`` (added to the window so its shortcut works)."""
        action = self._actions.get(command_id)
        if action is not None:
            return action
        command = self._commands[command_id]
        action = QAction(command.title, self._window)
        action.setObjectName(f"action:{command.id}")
        if command.shortcuts:
            action.setShortcuts([QKeySequence(s) for s in command.shortcuts])
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _checked=False, cid=command_id: self.run(cid))
        self._window.addAction(action)
        self._actions[command_id] = action
        return action

    def add_to_menu(self, menu: QMenu, *command_ids: str) -> None:
        """Add the commands' actions; ``"-"`` adds a separator.  Enabled state is
        refreshed each time the menu is about to show."""
        for command_id in command_ids:
            if command_id == "-":
                menu.addSeparator()
            else:
                menu.addAction(self.action(command_id))
        if not menu.property("courierRefreshes"):
            menu.setProperty("courierRefreshes", True)
            menu.aboutToShow.connect(lambda m=menu: self.refresh_menu(m))

    def refresh_menu(self, menu: QMenu) -> None:
        for action in menu.actions():
            name = action.objectName()
            if name.startswith("action:"):
                action.setEnabled(self.is_enabled(name.removeprefix("action:")))

    def shortcut_text(self, command_id: str) -> str:
        """The shortcuts as the platform writes them (``Ctrl+K, Ctrl+Shift+P``)."""
        command = self._commands[command_id]
        return ", ".join(
            QKeySequence(s).toString(QKeySequence.SequenceFormat.NativeText)
            for s in command.shortcuts
        )
