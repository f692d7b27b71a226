"""The environment picker's popup shows every environment whole: all rows up to a
limit (then it scrolls), as wide as the longest name, inside the screen; the box
itself keeps its width.  Under Courier's style sheet, where Qt's own popup came out
a few pixels short (three environments showed two and a half behind an arrow)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QEvent, QPoint
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QComboBox, QMainWindow, QToolBar, QToolTip
from pytestqt.qtbot import QtBot

from app.ui import theme
from app.ui.environment_box import MAX_VISIBLE_ROWS, EnvironmentBox

#: a popup grabs the keyboard; Qt's offscreen platform says it cannot (harmless)
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support grabbing the keyboard")

LONG_NAME = "staging-eu-west-1 (read-only replica for the reporting team)"


@pytest.fixture
def window(qtbot: QtBot) -> Iterator[QMainWindow]:
    """A window with a menu bar and the box in a toolbar at the top of the screen,
    filled after it is shown (as the main window fills it once a collection opens)."""
    win = QMainWindow()
    win.setStyleSheet(theme.stylesheet())
    win.menuBar().addMenu("&File")
    bar = QToolBar("Environment", win)
    box = EnvironmentBox(bar)
    box.setObjectName("environmentBox")
    box.setMinimumWidth(180)
    box.addItem("No collection")
    bar.addWidget(box)
    win.addToolBar(bar)
    qtbot.addWidget(win)
    win.resize(700, 400)
    win.move(0, 0)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()


def box_of(win: QMainWindow) -> EnvironmentBox:
    box = win.findChild(EnvironmentBox)
    assert isinstance(box, EnvironmentBox)
    return box


def fill(box: QComboBox, names: list[str], current: int = 1) -> None:
    box.clear()
    box.addItem("No environment")
    for name in names:
        box.addItem(name)
    box.setCurrentIndex(current)


def open_popup(qtbot: QtBot, box: QComboBox) -> None:
    box.showPopup()
    qtbot.waitUntil(lambda: box.view().isVisible())


def test_all_environments_show_without_scrolling(qtbot: QtBot, window: QMainWindow) -> None:
    box = box_of(window)
    fill(box, ["local", "staging"])
    open_popup(qtbot, box)
    view = box.view()
    assert view.verticalScrollBar().maximum() == 0, "every row shows, no scroll arrow"
    bottom = view.visualRect(box.model().index(box.count() - 1, 0)).bottom()
    assert bottom <= view.viewport().rect().bottom(), "the last row shows whole"
    box.hidePopup()


def test_the_popup_is_as_wide_as_the_longest_name_and_the_box_keeps_its_width(
    qtbot: QtBot, window: QMainWindow
) -> None:
    box = box_of(window)
    width_before = box.width()
    fill(box, ["local", LONG_NAME])
    qtbot.wait(50)  # a layout pass: a growing box would have grown by now
    assert box.width() == width_before, "the toolbar (and the window) keep their width"
    box.blockSignals(True)  # as the main window fills and sets it
    box.setCurrentIndex(2)
    box.blockSignals(False)
    box.setToolTip("Variables of the active environment override the collection's")
    QApplication.sendEvent(
        box, QHelpEvent(QEvent.Type.ToolTip, QPoint(5, 5), box.mapToGlobal(QPoint(5, 5)))
    )
    assert QToolTip.text().startswith(LONG_NAME + "\n"), "the whole name, where the box elides it"
    assert "override" in QToolTip.text()
    QToolTip.hideText()
    open_popup(qtbot, box)
    view = box.view()
    assert view.viewport().width() >= view.sizeHintForColumn(0)
    assert view.horizontalScrollBar().maximum() == 0
    box.hidePopup()


def test_many_environments_scroll_past_the_limit_inside_the_screen(
    qtbot: QtBot, window: QMainWindow
) -> None:
    box = box_of(window)
    fill(box, [f"env-{n:02}" for n in range(60)], current=30)
    open_popup(qtbot, box)
    view = box.view()
    popup = view.window()
    screen = box.screen().availableGeometry()
    assert screen.contains(popup.geometry()), (popup.geometry(), screen)
    row = view.sizeHintForRow(0)
    rows_shown = view.viewport().height() // row
    assert rows_shown >= min(MAX_VISIBLE_ROWS, (screen.height() - 40) // row), rows_shown
    assert view.verticalScrollBar().maximum() > 0
    box.hidePopup()


def test_a_name_wider_than_the_screen_stays_inside_it(qtbot: QtBot, window: QMainWindow) -> None:
    box = box_of(window)
    screen = box.screen().availableGeometry()
    fill(box, ["x" * (screen.width() // 3)])
    open_popup(qtbot, box)
    popup = box.view().window()
    assert screen.contains(popup.geometry()), (popup.geometry(), screen)
    box.hidePopup()
