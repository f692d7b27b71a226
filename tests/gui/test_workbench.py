"""The workbench in the real window, against the demo server: a send is recorded in the
history with where it came from, an entry opens read-only in a tab of its own, Send
again sends it in a new tab, the palette (Ctrl+K, Ctrl+P) runs commands and opens
requests, and the chosen theme is kept."""

from __future__ import annotations

import json
from pathlib import Path

import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.core import drafts
from app.ui import theme
from app.ui.main_window import MainWindow
from app.ui.tabs.history_tab import HistoryTab
from tests.gui.conftest import run_until, wait_for_signal
from tests.gui.test_main_window import find_request, make_collection, open_collection


def test_history_records_a_window_send_and_opens_it_read_only_in_a_tab(
    qtbot: QtBot,
    window: MainWindow,
    qasync_loop: qasync.QEventLoop,
    tmp_path: Path,
    demo_server: str,
) -> None:
    collection = open_collection(window, make_collection(tmp_path, demo_server).path)
    request = find_request(collection, "Get post 1")
    window.open_request(collection, request, preview=False)
    history = window.workbench.history
    window.send()
    entry = wait_for_signal(qasync_loop, history.entryAdded, 15)
    assert entry.status == 200
    assert entry.name == "Get post 1"  # the window said where the exchange came from
    assert entry.collection_name == collection.name

    panel = window.workbench.history_panel
    window.commands.run("history.show")
    assert window.workbench.history_dock.isVisible()
    run_until(qasync_loop, lambda: [e.id for e in panel.model.entries()] == [entry.id])
    tabs_before = window.tabs.count()
    window.workbench.open_entry(entry.id)
    run_until(qasync_loop, lambda: isinstance(window.tabs.currentWidget(), HistoryTab))
    tab = window.current_tab()
    assert isinstance(tab, HistoryTab)
    assert window.tabs.count() == tabs_before + 1
    assert not tab.editor.isEnabled(), "an entry is read-only"
    run_until(qasync_loop, tab.response.body_settled)
    assert json.loads(tab.response.body_text())["id"] == 1
    assert tab.response.status_text().startswith("200")
    # opening it again selects its tab
    window.tabs.setCurrentIndex(0)
    window.workbench.open_entry(entry.id)
    assert window.current_tab() is tab
    assert window.tabs.count() == tabs_before + 1

    # Send (the window's, on the history tab) sends it again in a new tab
    window.send()
    again = window.current_tab()
    assert again is not tab
    assert not isinstance(again, HistoryTab)
    assert again.editor.url.text().endswith("/posts/1")
    second = wait_for_signal(qasync_loop, history.entryAdded, 15)
    assert second.id > entry.id
    run_until(qasync_loop, again.response.body_settled)
    assert json.loads(again.response.body_text())["id"] == 1

    # a history tab is never kept with the open tabs
    window.save_session()
    kept = drafts.load_open_tabs()
    assert tab.key not in [record.key for record in kept.tabs]


def test_palette_opens_on_ctrl_k_and_ctrl_p_and_opens_the_chosen_request(
    qtbot: QtBot,
    window: MainWindow,
    qasync_loop: qasync.QEventLoop,
    tmp_path: Path,
    demo_server: str,
) -> None:
    collection = open_collection(window, make_collection(tmp_path, demo_server).path)
    palette = window.workbench.palette
    window.activateWindow()
    window.editor.url.setFocus()
    qtbot.keyClick(window.editor.url, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert palette.isVisible()
    assert palette.line_edit.text().startswith(">")
    qtbot.keyClick(palette.line_edit, Qt.Key.Key_Escape)
    assert not palette.isVisible()

    qtbot.keyClick(window.editor.url, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert palette.isVisible()
    qtbot.keyClicks(palette.line_edit, "post 1")
    with qtbot.waitSignal(palette.requestChosen):
        qtbot.keyClick(palette.line_edit, Qt.Key.Key_Return)
    wanted = find_request(collection, "Get post 1")
    assert window.current_request is wanted
    assert not window.current_tab().preview, "a request chosen in the palette stays open"


def test_theme_choice_is_kept_in_the_app_state(window: MainWindow) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    try:
        assert window.commands.run("view.theme.light")
        assert window.workspace.state.theme == "light"
        assert theme.current_choice() is theme.ThemeChoice.LIGHT
        assert window.commands.run("view.theme.system")
        assert window.workspace.state.theme == "system"
    finally:
        theme.apply_theme(app, theme.ThemeChoice.DARK)
