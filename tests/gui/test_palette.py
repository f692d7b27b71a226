"""The command palette, driven from the keyboard over a real window: real commands
in a registry, the real sample collection as the open collection."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QEvent, QKeyCombination, Qt
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QMainWindow, QPlainTextEdit
from pytestqt.qtbot import QtBot

from app.core import storage
from app.core.fuzzy import EXACT_LIMIT
from app.core.model import Collection, Folder, Request
from app.resources import resource_path
from app.ui import theme
from app.ui.commands import Command, CommandRegistry
from app.ui.palette import CommandPalette, PaletteMode, palette_commands
from app.ui.palette.rows import CommandRow, RequestRow
from app.ui.shortcuts_page import ShortcutsDialog


class Editor(QMainWindow):
    """A window with a text editor and the commands that edit it."""

    def __init__(self, collections: list[Collection]) -> None:
        super().__init__()
        self.editor = QPlainTextEdit()
        self.setCentralWidget(self.editor)
        self.resize(900, 600)
        self.registry = CommandRegistry(self)
        document = self.editor.document()
        self.registry.add(
            Command("edit.select_all", "Select &All", self.editor.selectAll, "Edit", ("Ctrl+A",))
        )
        self.registry.add(
            Command(
                "edit.undo",
                "&Undo",
                self.editor.undo,
                "Edit",
                ("Ctrl+Z",),
                enabled=document.isUndoAvailable,
            )
        )
        self.registry.add(
            Command(
                "edit.insert_greeting",
                "Insert Greeting",
                lambda: self.editor.insertPlainText("hello"),
                "Edit",
            )
        )
        self.registry.add(
            Command("edit.clear", "Clear Text", self.editor.clear, "Edit", ("Ctrl+Shift+L",))
        )
        self.registry.add(
            Command("hidden.debug", "Dump State", lambda: None, "Debug", in_palette=False)
        )
        self.collections = collections
        self.palette = CommandPalette(self, self.registry, self.requests)

    def requests(self) -> list[tuple[Collection, Request]]:
        return [(c, r) for c in self.collections for _chain, r in c.iter_requests()]


@pytest.fixture
def sample() -> Collection:
    return storage.load_collection(Path(resource_path("sample-collection")), use_cache=False)


@pytest.fixture
def window(qtbot: QtBot, sample: Collection) -> Iterator[Editor]:
    win = Editor([sample])
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.editor.setFocus()
    return win


def type_query(qtbot: QtBot, win: Editor, text: str) -> None:
    qtbot.keyClicks(win.palette.line_edit, text)


def shown_labels(win: Editor) -> list[str]:
    return [
        row.command.label if isinstance(row, CommandRow) else row.request.name
        for row in win.palette.model.rows()
    ]


def test_palette_finds_a_command_by_fuzzy_query_and_runs_it_on_enter(
    qtbot: QtBot, window: Editor
) -> None:
    window.palette.open("commands")
    assert window.palette.line_edit.text() == ">"
    assert window.palette.line_edit.hasFocus()
    type_query(qtbot, window, "insgr")
    current = window.palette.current_row()
    assert isinstance(current, CommandRow)
    assert current.command.id == "edit.insert_greeting"
    # the matched characters are the ones highlighted
    label = current.command.label
    assert "".join(label[p] for p in current.positions).lower() == "insgr"
    qtbot.keyClick(window.palette.line_edit, Qt.Key.Key_Return)
    assert window.editor.toPlainText() == "hello"
    assert not window.palette.isVisible()
    # the focus went back where it was
    assert window.editor.hasFocus()


def test_palette_lists_palette_commands_with_their_shortcuts(window: Editor) -> None:
    window.palette.open("commands")
    labels = shown_labels(window)
    assert "Edit: Select All" in labels
    assert "Debug: Dump State" not in labels
    rows = {r.command.id: r for r in window.palette.model.rows() if isinstance(r, CommandRow)}
    assert rows["edit.clear"].shortcut == "Ctrl+Shift+L"
    assert rows["edit.insert_greeting"].shortcut == ""


def test_palette_skips_disabled_commands_and_never_runs_them(qtbot: QtBot, window: Editor) -> None:
    window.palette.open("commands")
    type_query(qtbot, window, "undo")
    rows = window.palette.model.rows()
    assert [r.command.id for r in rows if isinstance(r, CommandRow)] == ["edit.undo"]
    undo = rows[0]
    assert isinstance(undo, CommandRow)
    assert not undo.enabled
    assert window.palette.current_row() is None
    qtbot.keyClick(window.palette.line_edit, Qt.Key.Key_Down)
    qtbot.keyClick(window.palette.line_edit, Qt.Key.Key_Return)
    assert window.palette.isVisible()  # Enter on nothing runnable does nothing

    # with undo available, the same query runs it
    window.palette.close_palette()
    window.editor.insertPlainText("typed")
    window.palette.open("commands")
    type_query(qtbot, window, "undo")
    qtbot.keyClick(window.palette.line_edit, Qt.Key.Key_Return)
    assert window.editor.toPlainText() == ""


def test_palette_arrow_keys_step_over_disabled_commands(qtbot: QtBot, window: Editor) -> None:
    window.palette.open("commands")
    type_query(qtbot, window, "edit")
    ids = [r.command.id for r in window.palette.model.rows() if isinstance(r, CommandRow)]
    assert "edit.undo" in ids
    visited = []
    for _ in range(len(ids) + 2):
        row = window.palette.current_row()
        assert isinstance(row, CommandRow)
        visited.append(row.command.id)
        qtbot.keyClick(window.palette.line_edit, Qt.Key.Key_Down)
    assert "edit.undo" not in visited
    assert set(visited) == set(ids) - {"edit.undo"}
    qtbot.keyClick(window.palette.line_edit, Qt.Key.Key_PageUp)
    first = window.palette.current_row()
    assert isinstance(first, CommandRow)
    assert first.command.id == visited[0]


def test_palette_lists_recently_run_commands_first_when_the_query_is_empty(
    qtbot: QtBot, window: Editor
) -> None:
    window.palette.open("commands")
    assert shown_labels(window)[0] == "Edit: Select All"  # registry order
    type_query(qtbot, window, "clear")
    qtbot.keyClick(window.palette.line_edit, Qt.Key.Key_Return)
    window.palette.open("commands")
    type_query(qtbot, window, "greet")
    qtbot.keyClick(window.palette.line_edit, Qt.Key.Key_Return)
    window.palette.open("commands")
    assert shown_labels(window)[:2] == ["Edit: Insert Greeting", "Edit: Clear Text"]


def test_palette_finds_a_request_by_name_and_emits_request_chosen(
    qtbot: QtBot, window: Editor, sample: Collection
) -> None:
    window.palette.open(PaletteMode.REQUESTS)
    assert window.palette.mode() is PaletteMode.REQUESTS
    assert len(window.palette.model.rows()) == len(window.requests())
    type_query(qtbot, window, "updpst")
    current = window.palette.current_row()
    assert isinstance(current, RequestRow)
    assert current.request.name == "Update post 1 title"
    assert current.path == "Courier demo / Posts"
    with qtbot.waitSignal(window.palette.requestChosen) as chosen:
        qtbot.keyClick(window.palette.line_edit, Qt.Key.Key_Enter)
    collection, request = chosen.args
    assert collection is sample
    assert request is current.request
    assert not window.palette.isVisible()


def test_palette_finds_a_request_by_a_fragment_of_its_url(
    qtbot: QtBot, window: Editor, sample: Collection
) -> None:
    # "Slow response (2 s)" is sent to /delay/2: its name says nothing of "delay"
    target = next(r for _c, r in window.requests() if r.url == "/delay/2")
    assert "delay" not in target.name.lower()
    window.palette.open("requests")
    type_query(qtbot, window, "delay")
    current = window.palette.current_row()
    assert isinstance(current, RequestRow)
    assert current.request is target
    url = current.request.url
    assert "".join(url[p] for p in current.positions[2]) == "delay"  # highlighted in the URL
    with qtbot.waitSignal(window.palette.requestChosen) as chosen:
        qtbot.keyClick(window.palette.line_edit, Qt.Key.Key_Return)
    assert chosen.args == [sample, target]


def test_palette_says_when_nothing_matches_or_no_collection_is_open(
    qtbot: QtBot, window: Editor
) -> None:
    window.palette.open("requests")
    type_query(qtbot, window, "qqqzzz")
    assert window.palette.model.rows() == []
    assert window.palette.hint.text() == "No matching requests"
    window.collections.clear()
    window.palette.open("requests")
    assert window.palette.hint.text() == "No open collection"


def test_palette_escape_closes_it_and_returns_the_focus(qtbot: QtBot, window: Editor) -> None:
    window.palette.open("requests")
    assert window.palette.isVisible()
    with qtbot.waitSignal(window.palette.closed):
        qtbot.keyClick(window.palette.line_edit, Qt.Key.Key_Escape)
    assert not window.palette.isVisible()
    assert window.editor.hasFocus()


def test_palette_closes_when_the_focus_moves_elsewhere(qtbot: QtBot, window: Editor) -> None:
    window.palette.open("commands")
    window.editor.setFocus()
    qtbot.waitUntil(lambda: not window.palette.isVisible())


def test_palette_greater_than_switches_to_commands_and_back(qtbot: QtBot, window: Editor) -> None:
    window.palette.open("requests")
    assert isinstance(window.palette.model.rows()[0], RequestRow)
    type_query(qtbot, window, ">")
    assert window.palette.mode() is PaletteMode.COMMANDS
    assert all(isinstance(r, CommandRow) for r in window.palette.model.rows())
    type_query(qtbot, window, "sel")
    current = window.palette.current_row()
    assert isinstance(current, CommandRow)
    assert current.command.id == "edit.select_all"
    # deleting the ">" goes back to the requests, the query kept
    window.palette.line_edit.setCursorPosition(1)
    qtbot.keyClick(window.palette.line_edit, Qt.Key.Key_Backspace)
    assert window.palette.line_edit.text() == "sel"
    assert window.palette.mode() is PaletteMode.REQUESTS
    assert all(isinstance(r, RequestRow) for r in window.palette.model.rows())


def test_palette_sits_centred_at_the_top_of_the_window_and_follows_its_size(
    qtbot: QtBot, window: Editor
) -> None:
    window.palette.open("requests")
    geometry = window.palette.geometry()
    assert abs(geometry.center().x() - window.width() // 2) <= 1
    assert geometry.top() < window.height() // 5
    assert geometry.bottom() < window.height()
    window.resize(500, 300)
    qtbot.waitUntil(lambda: window.width() == 500)
    assert window.palette.width() <= 500 - 40
    assert window.palette.geometry().right() < window.width()
    assert window.palette.geometry().bottom() < window.height()


def match_coloured_pixels(win: Editor) -> int:
    """Pixels of the palette drawn in the colour of matched characters."""
    image = win.palette.grab().toImage()
    target = QColor(theme.MATCH_TEXT)
    count = 0
    for x in range(0, image.width(), 1):
        for y in range(0, image.height(), 2):
            c = image.pixelColor(x, y)
            if (
                abs(c.red() - target.red())
                + abs(c.green() - target.green())
                + abs(c.blue() - target.blue())
                < 24
            ):
                count += 1
    return count


def test_palette_paints_matched_characters_in_the_match_colour(
    qtbot: QtBot, window: Editor
) -> None:
    window.palette.open("commands")
    assert match_coloured_pixels(window) == 0  # nothing typed, nothing highlighted
    type_query(qtbot, window, "e")  # rows past the first (selected) one show it
    assert match_coloured_pixels(window) > 20
    window.palette.open("requests")
    type_query(qtbot, window, "post")
    assert match_coloured_pixels(window) > 20


class LinuxLineEdit(QLineEdit):
    """A text field that claims Ctrl+K as Qt's fields do on Linux and macOS
    ("delete to the end of the line"); the offscreen platform binds no such key."""

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride:
            assert isinstance(event, QKeyEvent)
            if event.keyCombination() == QKeyCombination(
                Qt.KeyboardModifier.ControlModifier, Qt.Key.Key_K
            ):
                event.accept()
                return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.keyCombination() == QKeyCombination(
            Qt.KeyboardModifier.ControlModifier, Qt.Key.Key_K
        ):
            self.setText(self.text()[: self.cursorPosition()])
            return
        super().keyPressEvent(event)


def test_palette_opens_from_its_shortcuts_even_in_a_text_field(
    qtbot: QtBot, window: Editor
) -> None:
    palette_commands(window.registry, window.palette, window)
    url = LinuxLineEdit("https://example.com/users")
    window.setMenuWidget(url)
    qtbot.waitUntil(url.isVisible)
    url.setFocus()
    url.setCursorPosition(5)
    assert url.hasFocus(), QApplication.focusWidget()
    qtbot.keyClick(url, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert window.palette.isVisible()
    assert window.palette.mode() is PaletteMode.COMMANDS
    assert url.text() == "https://example.com/users"  # the field did not take the key
    qtbot.keyClick(window.palette.line_edit, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert window.palette.mode() is PaletteMode.REQUESTS
    qtbot.keyClick(window.palette.line_edit, Qt.Key.Key_Escape)
    assert url.hasFocus()
    modifiers = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(url, Qt.Key.Key_P, modifiers)
    assert window.palette.mode() is PaletteMode.COMMANDS
    # its own commands are not listed in it, the shortcuts page is
    labels = shown_labels(window)
    assert "View: Command Palette…" not in labels
    assert "Help: Keyboard Shortcuts" in labels


def test_palette_runs_the_shortcuts_page_from_help(qtbot: QtBot, window: Editor) -> None:
    palette_commands(window.registry, window.palette, window)
    window.palette.open("commands")
    qtbot.keyClicks(window.palette.line_edit, "keyboard")
    qtbot.keyClick(window.palette.line_edit, Qt.Key.Key_Return)
    pages = [w for w in window.findChildren(ShortcutsDialog) if w.isVisible()]
    assert len(pages) == 1
    entries = pages[0].entries()
    assert ("View", "Command Palette…", "Ctrl+K, Ctrl+Shift+P") in entries
    assert ("Edit", "Clear Text", "Ctrl+Shift+L") in entries
    pages[0].close()


def test_palette_on_ten_thousand_requests_shows_the_best_and_says_there_are_more(
    qtbot: QtBot, window: Editor
) -> None:
    big = Collection(name="Big")
    for f in range(100):
        folder = Folder(name=f"Folder {f}")
        big.folders.append(folder)
        folder.requests.extend(
            Request(name=f"Request {f}-{r}", url=f"/items/{f}/{r}") for r in range(100)
        )
    big.requests.append(Request(name="Zebra crossing", method="PATCH", url="/zebra"))
    window.collections.append(big)
    window.palette.open("requests")
    more = f"The best {EXACT_LIMIT} requests shown: type more to narrow"
    assert window.palette.hint.text() == more
    type_query(qtbot, window, "e")
    assert window.palette.hint.text() == more
    type_query(qtbot, window, "bra")
    current = window.palette.current_row()
    assert isinstance(current, RequestRow)
    assert current.request.name == "Zebra crossing"
    assert current.path == "Big"
    assert window.palette.hint.isHidden()


def test_palette_closes_cleanly_when_the_widget_it_came_from_is_gone(
    qtbot: QtBot, window: Editor
) -> None:
    field = QLineEdit()
    window.setMenuWidget(field)
    qtbot.waitUntil(field.isVisible)
    field.setFocus()
    window.palette.open("commands")
    window.setMenuWidget(QLineEdit())  # deletes the field that had the focus
    qtbot.waitUntil(lambda: not shiboken6.isValid(field))
    window.palette.line_edit.setFocus()
    qtbot.keyClick(window.palette.line_edit, Qt.Key.Key_Escape)
    assert not window.palette.isVisible()
