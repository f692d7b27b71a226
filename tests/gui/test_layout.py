"""The window keeps its shape: it never grows past the screen, long URLs and statuses
are elided (whole text in the tooltip), splitters move only when the user drags
them and come back after a restart.  (A 330-character URL once made the window
3,327 px wide on a 1,440 px screen; statuses pushed the splitters on every send.)"""

from __future__ import annotations

import asyncio
from pathlib import Path

import qasync
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from app.services.sends import SendService
from app.services.workspace import Workspace
from app.ui.elided import ElidedStatusBar
from app.ui.main_window import MainWindow
from tests.gui.conftest import let_time_pass, wait_for_signal
from tests.gui.test_main_window import type_url


def screen_width() -> int:
    screen = QGuiApplication.primaryScreen()
    assert screen is not None
    return screen.availableGeometry().width()


def screen_height() -> int:
    screen = QGuiApplication.primaryScreen()
    assert screen is not None
    return screen.availableGeometry().height()


def close_to(sizes: list[int], expected: list[int]) -> bool:
    """The same split (the restored window may differ by a few pixels: compare shares)."""
    return (
        len(sizes) == len(expected) == 2
        and abs(sizes[0] / sum(sizes) - expected[0] / sum(expected)) < 0.02
    )


def settle(loop: qasync.QEventLoop) -> None:
    """Let layout requests, posted resizes and timers run."""
    let_time_pass(loop, 0.2)


def test_layout_window_stays_within_the_screen_after_a_2000_character_url(
    qtbot: QtBot, window: MainWindow, qasync_loop: qasync.QEventLoop, demo_server: str
) -> None:
    room = screen_width()
    settle(qasync_loop)
    assert window.width() <= room
    assert window.minimumSizeHint().width() <= room, "the panes fit the screen"
    url = f"{demo_server}/anything/" + "a" * 2000
    type_url(qtbot, window, url)
    window.send()
    wait_for_signal(qasync_loop, window.responseShown, 15)
    for index in range(window.editor.tabs.count()):  # every editor tab shown once
        window.editor.tabs.setCurrentIndex(index)
        settle(qasync_loop)
    window.response.tabs.setCurrentIndex(5)  # Request: the URL as sent
    settle(qasync_loop)
    assert window.response.status_text().startswith("200")
    assert window.width() <= room
    assert window.minimumSizeHint().width() <= room
    assert window.height() <= screen_height(), "nor taller than the screen"
    # the tab's title and tooltip: elided, the whole URL in the tooltip
    index = window.tabs.currentIndex()
    assert window.tab_bar.tabRect(index).width() <= 220
    assert url in window.tabs.tabToolTip(index)


def test_layout_splitters_unchanged_by_a_send_with_a_long_status(
    qtbot: QtBot, window: MainWindow, qasync_loop: qasync.QEventLoop, demo_server: str
) -> None:
    settle(qasync_loop)
    tab = window.current_tab()
    main_sizes = window.splitter.sizes()
    tab_sizes = tab.splitter.sizes()
    width = window.width()
    type_url(qtbot, window, f"{demo_server}/status/405?" + "why=" + "x" * 600)
    window.send()
    assert window.response.status_text().startswith("Sending")
    wait_for_signal(qasync_loop, window.responseShown, 15)
    settle(qasync_loop)
    assert window.response.status_text().startswith("405")
    assert window.splitter.sizes() == main_sizes
    assert tab.splitter.sizes() == tab_sizes
    assert window.width() == width
    # a long status, elided: the whole text in its tooltip
    long_status = "Error: " + "a very long reason " * 40
    window.response._set_status(long_status, None)
    settle(qasync_loop)
    label = window.response.status_label
    assert label.text() != long_status
    assert label.text().endswith("…")
    assert label.toolTip() == long_status
    assert tab.splitter.sizes() == tab_sizes
    # a long status-bar message (the keychain's reason) is elided, never cut
    reason = "The keychain could not be opened: " + "no Secret Service on the bus; " * 20
    window.statusBar().showMessage(reason, 5000)
    settle(qasync_loop)
    bar = window.statusBar()
    assert isinstance(bar, ElidedStatusBar)
    assert bar.currentMessage() == reason
    assert bar.shown_message().endswith("…")
    assert len(bar.shown_message()) < len(reason)
    assert bar.toolTip() == reason
    assert window.splitter.sizes() == main_sizes
    assert window.width() == width


def test_layout_splitter_positions_come_back_after_a_restart(
    qtbot: QtBot, window: MainWindow, qasync_loop: qasync.QEventLoop, tmp_path: Path
) -> None:
    settle(qasync_loop)
    total = sum(window.splitter.sizes())
    window.splitter.setSizes([200, total - 200])
    tab = window.current_tab()
    tab_total = sum(tab.splitter.sizes())
    tab.splitter.setSizes([tab_total // 3, tab_total - tab_total // 3])
    window._on_tab_split_moved(tab, 0, 1)  # what a drag of the handle reports
    main_sizes, tab_sizes = window.splitter.sizes(), tab.splitter.sizes()
    assert window.close()

    workspace2 = Workspace(state_path=tmp_path / "state.json")
    win2 = MainWindow(workspace2, SendService(workspace2.session))
    qtbot.addWidget(win2)
    win2.show()
    settle(qasync_loop)
    assert win2.width() <= screen_width()
    assert win2.splitter.sizes()[0] == main_sizes[0], "the sidebar keeps its width"
    assert close_to(win2.current_tab().splitter.sizes(), tab_sizes)
    # a new tab takes the same split
    win2.new_scratch_request()
    settle(qasync_loop)
    assert close_to(win2.current_tab().splitter.sizes(), tab_sizes)
    qasync_loop.run_until_complete(win2.sends.aclose())
    asyncio.set_event_loop(qasync_loop)


def test_layout_fits_1024_px_with_the_docks_open_and_tabs_in_the_background(
    window: MainWindow, qasync_loop: qasync.QEventLoop
) -> None:
    """Tabs not shown yet are laid out side by side (editor + response); they held the
    tab widget, and so the window, at both panes' widths.  With the history dock open
    the window was 1,058 px wide on a 1,024 px screen."""
    from PySide6.QtCore import Qt

    from app.ui.tabs.request_tab import EDITOR_MIN_WIDTH, RESPONSE_MIN_WIDTH

    window.new_tab()
    background = window.new_tab()
    window.tabs.setCurrentIndex(0)
    # shown side by side while the window was wide, then hidden: a hidden widget gets
    # no resize event, so it stays side by side until it is shown again
    background.splitter.setOrientation(Qt.Orientation.Horizontal)
    window.commands.run("history.show")
    window.downloads_dock.show()
    settle(qasync_loop)
    stacked = max(EDITOR_MIN_WIDTH, RESPONSE_MIN_WIDTH)
    assert window.tabs.minimumSizeHint().width() < stacked + 40
    history = window.workbench.history_panel.minimumSizeHint().width()
    assert history <= 260, "the history's filters shrink in a narrow dock"
    assert window.minimumSizeHint().width() <= 1024 - 200
