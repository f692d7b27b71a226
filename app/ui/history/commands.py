"""The history's commands, for the window's command registry (menus, palette, shortcuts).

The window adds them (``registry.add``) with how it shows the history panel; each
runs what the panel's context menu runs, on the panel's selected entry.
"""

from __future__ import annotations

from collections.abc import Callable

from app.ui.commands import Command
from app.ui.history.panel import HistoryPanel

CATEGORY = "History"
#: like a browser's history
SHOW_SHORTCUT = "Ctrl+H"


def history_commands(panel: HistoryPanel, show_panel: Callable[[], object]) -> list[Command]:
    def selected() -> bool:
        return panel.current_entry() is not None

    def has_entries() -> bool:
        return panel.model.rowCount() > 0

    def show_and_filter() -> None:
        show_panel()
        panel.filter_box.setFocus()
        panel.filter_box.selectAll()

    return [
        Command("history.show", "Show history", show_and_filter, CATEGORY, (SHOW_SHORTCUT,)),
        Command("history.open", "Open entry", panel.open_selected, CATEGORY, enabled=selected),
        Command(
            "history.openAsNew",
            "Open entry as new request",
            panel.open_selected_as_new,
            CATEGORY,
            enabled=selected,
        ),
        Command(
            "history.sendAgain",
            "Send entry again",
            panel.send_selected_again,
            CATEGORY,
            enabled=selected,
        ),
        Command(
            "history.delete",
            "Delete entry",
            panel.delete_selected,
            CATEGORY,
            enabled=lambda: bool(panel.selected_entries()),
        ),
        Command("history.clear", "Clear history…", panel.clear_all, CATEGORY, enabled=has_entries),
        Command(
            "history.exportHar",
            "Export history as HAR…",
            panel.export_har,
            CATEGORY,
            enabled=has_entries,
        ),
    ]
