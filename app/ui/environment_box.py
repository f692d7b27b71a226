"""The toolbar's environment picker: a combo box whose popup shows every name whole.

Qt sizes a combo box popup from its own reckoning of the rows; under Courier's style
sheet (a framed popup with scroll margins) that came out a few pixels short, so
three environments showed two and a half behind a scroll arrow, and a name longer
than the box was cut.  This box sizes its popup from the rows' own size hints: as
wide as the longest name, as tall as all rows up to ``MAX_VISIBLE_ROWS`` (then it
scrolls), kept inside the screen.  The box itself keeps its width (a long name is
elided there, whole in the tooltip), so it never widens the window.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRect
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QComboBox, QToolTip, QWidget

#: rows the popup shows before it scrolls
MAX_VISIBLE_ROWS = 20
#: characters the box itself is sized for (longer names elide in the box)
BOX_CHARACTERS = 16
#: room kept between the popup and the screen's edges
SCREEN_MARGIN = 8


class EnvironmentBox(QComboBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMaxVisibleItems(MAX_VISIBLE_ROWS)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(BOX_CHARACTERS)

    def tooltip_text(self) -> str:
        """The current environment's whole name (the box may elide it), then the
        box's own tooltip.  Built when shown: the window fills the box silently."""
        name, about = self.currentText(), self.toolTip()
        return f"{name}\n{about}" if name and about else name or about

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            QToolTip.showText(event.globalPos(), self.tooltip_text(), self)
            return True
        return super().event(event)

    def popup_size_needed(self) -> tuple[int, int]:
        """(width, height) that show every row whole, up to ``maxVisibleItems`` rows."""
        view = self.view()
        rows = min(self.count(), self.maxVisibleItems())
        frame = 2 * view.frameWidth()
        height = sum(view.sizeHintForRow(row) for row in range(rows)) + frame
        scroll_bar = view.verticalScrollBar().sizeHint().width() if self.count() > rows else 0
        width = view.sizeHintForColumn(0) + frame + scroll_bar
        return max(width, self.width()), height

    def showPopup(self) -> None:
        if self.count() == 0:
            super().showPopup()
            return
        screen = self._screen_area()
        width, height = self.popup_size_needed()
        view = self.view()
        view.setMinimumSize(min(width, screen.width()), min(height, screen.height()))
        super().showPopup()
        popup = view.window()  # the popup's own top-level frame around the list
        if popup.isVisible():
            popup.setGeometry(_inside(popup.geometry(), screen))

    def _screen_area(self) -> QRect:
        screen = self.screen()
        area = screen.availableGeometry() if screen is not None else QRect(0, 0, 1024, 768)
        return area.adjusted(SCREEN_MARGIN, SCREEN_MARGIN, -SCREEN_MARGIN, -SCREEN_MARGIN)


def _inside(rect: QRect, area: QRect) -> QRect:
    """``rect`` moved (then cut, if it is larger) to lie inside ``area``."""
    moved = QRect(rect)
    moved.setWidth(min(rect.width(), area.width()))
    moved.setHeight(min(rect.height(), area.height()))
    if moved.right() > area.right():
        moved.moveRight(area.right())
    if moved.bottom() > area.bottom():
        moved.moveBottom(area.bottom())
    if moved.left() < area.left():
        moved.moveLeft(area.left())
    if moved.top() < area.top():
        moved.moveTop(area.top())
    return moved
