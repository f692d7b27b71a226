"""The main window's commands and menus, built from its ``CommandRegistry``.

Ids are stable (``tab.close``, ``request.send``…): the palette, the shortcuts page
and tests refer to them.  Each command says when it is enabled, so a menu greys
it out and a shortcut does nothing when it does not apply.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from app.ui.collection_import import new_collection_formats
from app.ui.commands import Command

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow


def register_commands(window: MainWindow) -> None:
    """Every command of the window, by id (menus, shortcuts and the palette use them)."""
    add = window.commands.add
    in_collection = lambda: window.current_collection is not None  # noqa: E731
    running = lambda: window.sends.is_running(window.current_exchange())  # noqa: E731
    has_body = lambda: window.shown_body() is not None  # noqa: E731
    several = lambda: window.tabs.count() > 1  # noqa: E731
    add(Command("tab.new", "New tab", window.new_scratch_request, "Tab", ("Ctrl+T", "Ctrl+N")))
    add(Command("tab.close", "Close tab", window.close_tab, "Tab", ("Ctrl+W",)))
    add(
        Command(
            "tab.next", "Next tab", window.next_tab, "Tab", ("Ctrl+Tab", "Ctrl+PgDown"), several
        )
    )
    add(
        Command(
            "tab.previous",
            "Previous tab",
            window.previous_tab,
            "Tab",
            ("Ctrl+Shift+Tab", "Ctrl+PgUp"),
            several,
        )
    )
    add(Command("collection.new", "New collection…", window.new_collection, "Collection"))
    add(Command("import.curl", "Import curl commands…", window.import_curl, "File"))
    for chosen in new_collection_formats():
        importing = functools.partial(window.collection_import.import_format, chosen.name)
        add(Command(f"import.{chosen.name}", f"{chosen.import_title}…", importing, "File"))
    add(Command("request.copy_curl", "Copy as curl", window.copy_as_curl, "Request"))
    add(Command("request.copy_httpx", "Copy as Python httpx code", window.copy_as_httpx, "Request"))
    add(
        Command(
            "collection.open",
            "Open collection…",
            window.open_collection_dialog,
            "Collection",
            ("Ctrl+O",),
        )
    )
    add(
        Command(
            "collection.settings",
            "Collection settings…",
            window.collection_actions.settings_of_current,
            "Collection",
            enabled=in_collection,
        )
    )
    add(
        Command(
            "collection.cookies",
            "Cookies of this collection…",
            window.collection_actions.show_cookies,
            "Collection",
            enabled=in_collection,
        )
    )
    add(Command("request.save", "Save request", window.save_current, "Request", ("Ctrl+S",)))
    add(Command("request.send", "Send", window.send, "Request", ("Ctrl+Return",)))
    add(
        Command(
            "request.send_and_download",
            "Send and Download…",
            window.send_and_download,
            "Request",
            ("Ctrl+Shift+Return",),
        )
    )
    add(Command("request.stop", "Stop", window.stop, "Request", ("Esc",), running))
    add(
        Command(
            "request.focus_url",
            "Focus URL",
            lambda: window.editor.focus_url(),
            "Request",
            ("Ctrl+L",),
        )
    )
    add(
        Command(
            "response.find",
            "Find in the response",
            window.find_in_response,
            "Response",
            ("Ctrl+F",),
            has_body,
        )
    )
    add(Command("response.copy_body", "Copy the body", window.copy_body, "Response", (), has_body))
    add(Command("response.save_body", "Save body…", window.save_body, "Response", (), has_body))
    add(Command("view.downloads", "Downloads", window.toggle_downloads, "View", ("Ctrl+J",)))
    add(
        Command(
            "palette.commands",
            "Command palette…",
            lambda: window.show_palette("commands"),
            "Go",
            ("Ctrl+K", "Ctrl+Shift+P"),
            in_palette=False,
        )
    )
    add(
        Command(
            "palette.requests",
            "Go to request…",
            lambda: window.show_palette("requests"),
            "Go",
            ("Ctrl+P",),
            in_palette=False,
        )
    )
    add(Command("demo.start", "Start demo server", window.start_demo, "Demo"))
    add(Command("demo.open", "Open demo collection", window.open_demo_collection, "Demo"))
    add(Command("help.shortcuts", "Keyboard shortcuts", window.show_shortcuts, "Help"))
    add(Command("app.about", "About Courier", window._about, "Help"))
    add(Command("app.quit", "Quit", window.close, "App", ("Ctrl+Q",)))


def build_menus(window: MainWindow) -> None:
    """The menu bar, from the registry (``registry.add_to_menu``)."""
    registry = window.commands
    file_menu = window.menuBar().addMenu("&File")
    registry.add_to_menu(file_menu, "tab.new", "collection.new", "collection.open")
    import_menu = file_menu.addMenu("Import")
    formats = [f"import.{chosen.name}" for chosen in new_collection_formats()]
    registry.add_to_menu(import_menu, "import.curl", *formats)
    file_menu.addMenu(window.recent_menu)
    registry.add_to_menu(file_menu, "-", "request.save", "tab.close", "-", "app.quit")

    request_menu = window.menuBar().addMenu("&Request")
    registry.add_to_menu(
        request_menu,
        "request.send",
        "request.send_and_download",
        "request.stop",
        "request.focus_url",
        "-",
        "request.copy_curl",
        "request.copy_httpx",
        "-",
        "request.copy_curl",
        "request.copy_httpx",
        "-",
        "response.find",
        "response.copy_body",
        "response.save_body",
    )
    view_menu = window.menuBar().addMenu("&View")
    window.view_menu = view_menu
    registry.add_to_menu(
        view_menu,
        "palette.commands",
        "palette.requests",
        "-",
        "tab.next",
        "tab.previous",
        "-",
        "view.downloads",
    )
    tools_menu = window.menuBar().addMenu("&Tools")
    registry.add_to_menu(tools_menu, "collection.cookies", "collection.settings")
    help_menu = window.menuBar().addMenu("&Help")
    registry.add_to_menu(
        help_menu, "help.shortcuts", "-", "demo.start", "demo.open", "-", "app.about"
    )
