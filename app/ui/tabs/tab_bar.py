"""The bar of request tabs: movable, closable by middle-click, the preview tab in italics.

Titles are elided to a steady width (the whole name in the tooltip), so a long
request name never widens the window; the bar scrolls when the tabs do not fit.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QMouseEvent, QPaintEvent
from PySide6.QtWidgets import QStyle, QStyleOptionTab, QStylePainter, QTabBar, QWidget

#: the widest a tab gets (its title is elided past it)
MAX_TAB_WIDTH = 220


def _never(_index: int) -> bool:
    return False


class RequestTabBar(QTabBar):
    #: a tab was middle-clicked (close it)
    middleClicked = Signal(int)
    #: a tab was double-clicked (pin it)
    doubleClicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("requestTabBar")
        self.setMovable(True)
        self.setTabsClosable(True)
        self.setElideMode(Qt.TextElideMode.ElideRight)
        self.setExpanding(False)
        self.setUsesScrollButtons(True)
        self.setDocumentMode(True)
        #: is the tab at this index a preview (drawn in italics)?
        self.is_preview: Callable[[int], bool] = _never

    def tabSizeHint(self, index: int) -> QSize:
        hint = super().tabSizeHint(index)
        return QSize(min(hint.width(), MAX_TAB_WIDTH), hint.height())

    def minimumTabSizeHint(self, index: int) -> QSize:
        hint = super().minimumTabSizeHint(index)
        return QSize(min(hint.width(), MAX_TAB_WIDTH), hint.height())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.MiddleButton:
            index = self.tabAt(event.position().toPoint())
            if index >= 0:
                self.middleClicked.emit(index)
                event.accept()
                return
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        index = self.tabAt(event.position().toPoint())
        if index >= 0 and event.button() == Qt.MouseButton.LeftButton:
            self.doubleClicked.emit(index)
        super().mouseDoubleClickEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        preview = next((i for i in range(self.count()) if self.is_preview(i)), -1)
        if preview < 0:
            return
        # drawn again over itself in italics (a preview tab is never being dragged:
        # moving a tab pins it)
        painter = QStylePainter(self)
        option = QStyleOptionTab()
        self.initStyleOption(option, preview)
        font = painter.font()
        font.setItalic(True)
        painter.setFont(font)
        painter.drawControl(QStyle.ControlElement.CE_TabBarTab, option)
