"""Text that never sizes the window: labels and status messages elided to their room.

A plain QLabel asks for the width of its whole text, so a status carrying a long
URL ("Sending… GET https://…") widens its pane, moves the splitters and can push
the window past the screen.  These show what fits, end with "…", and keep the
whole text in the tooltip.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QFontMetrics, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QStatusBar, QWidget

#: the widest an elided label asks to be (it takes more when its layout gives it)
PREFERRED_WIDTH = 240
#: room kept in the status bar for its permanent widgets
STATUS_RESERVE = 24


class ElidedLabel(QLabel):
    """A one-line label that elides its text to its width; the whole text is its tooltip."""

    def __init__(
        self,
        text: str = "",
        parent: QWidget | None = None,
        mode: Qt.TextElideMode = Qt.TextElideMode.ElideRight,
    ) -> None:
        super().__init__("", parent)
        self._full = ""
        self._mode = mode
        self.setTextFormat(Qt.TextFormat.PlainText)
        # as wide as its text (up to PREFERRED_WIDTH) when there is room, down to 8 px
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(8)
        self.set_full_text(text)

    def full_text(self) -> str:
        return self._full

    def set_full_text(self, text: str) -> None:
        self._full = text
        self._elide()
        self.updateGeometry()  # its hint changed; its minimum (8 px) never does

    def sizeHint(self) -> QSize:
        """The whole text's width as styled (padding, font), at most PREFERRED_WIDTH."""
        hint = super().sizeHint()
        metrics = QFontMetrics(self.font())
        missing = metrics.horizontalAdvance(self._full) - metrics.horizontalAdvance(self.text())
        return QSize(min(hint.width() + max(0, missing), PREFERRED_WIDTH), hint.height())

    def minimumSizeHint(self) -> QSize:
        return QSize(8, super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = self.contentsRect().width() - 2 * self.margin()
        metrics = QFontMetrics(self.font())
        shown = metrics.elidedText(self._full, self._mode, width) if width > 0 else self._full
        QLabel.setText(self, shown)
        self.setToolTip(self._full if shown != self._full else "")


class ElidedStatusBar(QStatusBar):
    """A status bar that paints its message elided to the room left by its permanent
    widgets, the whole message in the tooltip (``currentMessage()`` stays whole)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.messageChanged.connect(self._update_tooltip)

    def _message_rect(self) -> QRect:
        right = self.width()
        for child in self.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if child.isVisible() and child.x() > 0:
                right = min(right, child.x())
        return QRect(6, 0, max(0, right - 6 - STATUS_RESERVE // 2), self.height())

    def shown_message(self) -> str:
        """The message as painted (elided when it does not fit)."""
        rect = self._message_rect()
        return QFontMetrics(self.font()).elidedText(
            self.currentMessage(), Qt.TextElideMode.ElideRight, rect.width()
        )

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self.currentMessage():
            super().paintEvent(event)
            return
        painter = QPainter(self)
        painter.setPen(self.palette().windowText().color())
        painter.drawText(
            self._message_rect(),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            self.shown_message(),
        )

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_tooltip()

    def _update_tooltip(self, *_args: object) -> None:
        message = self.currentMessage()
        self.setToolTip(message if message and self.shown_message() != message else "")
