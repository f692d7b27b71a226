"""The workbench around the tabs: history dock and history tabs, the command palette,
the keyboard shortcuts page and the theme menu, wired to the main window.

Kept out of ``main_window`` so the window stays about its tabs and sends; each piece
here is built by its own module (``app.ui.history``, ``app.ui.palette``,
``app.ui.theme``) and only connected here.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDockWidget, QMenu

from app.core.model import Collection, Request
from app.net.exchange import Exchange
from app.services.history import HistoryService
from app.session.history_record import HistoryDetail
from app.ui import theme
from app.ui.history import HistoryPanel
from app.ui.history.commands import history_commands
from app.ui.palette import CommandPalette
from app.ui.palette.commands import SHOW_COMMANDS, SHOW_REQUESTS, ShortcutsOverTextFields
from app.ui.shortcuts_page import show_shortcuts
from app.ui.tabs.history_tab import HistoryTab

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow


class Workbench:
    """What the window has besides its tabs, sidebar and downloads."""

    def __init__(self, window: MainWindow, history: HistoryService | None = None) -> None:
        self.window = window
        self.history = history or HistoryService(window.workspace.session, parent=window)
        self.history.watch(window.sends)
        self.history.notice.connect(lambda text: window.statusBar().showMessage(text, 10000))
        self.history_panel = HistoryPanel(self.history)
        self.history_dock = QDockWidget("History", window)
        self.history_dock.setObjectName("historyDock")
        self.history_dock.setWidget(self.history_panel)
        self.history_dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
        )
        window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.history_dock)
        self.history_dock.hide()
        self.history_panel.entryOpened.connect(self.open_entry)
        self.history_panel.openAsNewRequested.connect(self.open_as_new)
        self.history_panel.sendAgainRequested.connect(self.send_again)
        for command in history_commands(self.history_panel, self.show_history):
            window.commands.add(command)

        self.palette = CommandPalette(window, window.commands, self._requests)
        self.palette.requestChosen.connect(self._open_chosen)
        window.paletteRequested.connect(self.palette.open)
        window.shortcutsRequested.connect(lambda: show_shortcuts(window.commands, window))
        keys = [*window.commands.get(SHOW_COMMANDS).shortcuts]
        keys += window.commands.get(SHOW_REQUESTS).shortcuts
        # a line edit takes Ctrl+K (delete to the end of the line) before the window
        ShortcutsOverTextFields(window, keys)

        app = QApplication.instance()
        assert isinstance(app, QApplication)
        theme.theme_commands(window.commands, app, chosen=self._keep_theme)

    def add_menus(self, view_menu: QMenu) -> None:
        view_menu.addSeparator()
        self.window.commands.add_to_menu(view_menu, "history.show")
        theme.add_theme_menu(self.window.commands, view_menu)

    # ------------------------------------------------------------ history

    def show_history(self) -> None:
        self.history_dock.show()
        self.history_dock.raise_()

    def track(
        self, exchange: Exchange, request: Request, collection: Collection | None, stored: Request
    ) -> None:
        """Say where an exchange the window just started comes from (masked secrets,
        the entry's request and collection)."""
        self.history.track(exchange, request, collection, stored)

    def open_entry(self, entry_id: int) -> None:
        """Show a history entry in a tab of its own (its tab if one is open)."""
        for tab in self.window.request_tabs():
            if isinstance(tab, HistoryTab) and tab.entry_id == entry_id:
                self.window.tabs.setCurrentWidget(tab)
                return
        self.history.load_detail(entry_id, self._show_entry)

    def _show_entry(self, detail: HistoryDetail | None) -> None:
        if detail is None:
            self.window.statusBar().showMessage("That entry is no longer in the history.", 5000)
            return
        origin = self._collection_at(detail.origin.collection_path)
        tab = HistoryTab(detail, origin, self.window.tabs)
        tab.openAsNewRequested.connect(self.open_as_new)
        tab.sendAgainRequested.connect(self.send_again)
        self.window.add_tab(tab)

    def open_as_new(self, request: Request, folder: str = "") -> None:
        """A new untitled tab with the entry's request (Save asks where)."""
        self.window.new_tab(None, request)
        self.window.editor.focus_url()

    def send_again(self, request: Request, folder: str = "") -> None:
        tab = self.window.new_tab(None, request)
        self.window.send_tab(tab)

    def _collection_at(self, folder: str) -> Collection | None:
        if not folder:
            return None
        return self.window.workspace.find_open(Path(folder))

    # ------------------------------------------------------------ palette, theme

    def _requests(self) -> Iterator[tuple[Collection, Request]]:
        for collection in self.window.workspace.collections:
            for _chain, request in collection.iter_requests():
                yield collection, request

    def _open_chosen(self, collection: Collection, request: Request) -> None:
        self.window.open_request(collection, request, preview=False)

    def _keep_theme(self, choice: theme.ThemeChoice) -> None:
        state = self.window.workspace.state
        state.theme = choice.value
        self.window.workspace.save_state()

    def close(self) -> None:
        """Finish the history's writes (on quit, after the sends stopped)."""
        self.history.close()
