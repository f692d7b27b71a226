"""Text that never sizes the window: labels and status messages elided to their room.

A plain QLabel asks for the width of its whole text, so a status carrying a long
URL ("Sending… GET https://…") widens its pane, moves the splitters and can push
the window past the screen.  These show what fits, end with "…", and keep the
whole text in the tooltip.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFontMetrics, QResizeEvent
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
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(8)
        self.set_full_text(text)

    def full_text(self) -> str:
        return self._full

    def set_full_text(self, text: str) -> None:
        self._full = text
        self._elide()

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        width = QFontMetrics(self.font()).horizontalAdvance(self._full) + 2 * self.margin() + 8
        return QSize(min(width, PREFERRED_WIDTH), hint.height())

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
    """A status bar whose messages are elided to the room left (whole text in the tooltip)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.messageChanged.connect(self._on_message_changed)

    def full_message(self) -> str:
        """The message as it was given (``currentMessage()`` is what fits)."""
        return self._full if self.currentMessage() else ""

    def showMessage(self, text: str, timeout: int | None = 0) -> None:
        self._full = text
        super().showMessage(self._elided(text), timeout or 0)
        self.setToolTip(text if self.currentMessage() != text else "")

    def _elided(self, text: str) -> str:
        used = sum(
            child.width()
            for child in self.findChildren(
                QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly
            )
            if child.isVisible() and child.objectName() != "qt_statusbar_sizegrip"
        )
        width = max(40, self.width() - used - STATUS_RESERVE)
        return QFontMetrics(self.font()).elidedText(text, Qt.TextElideMode.ElideRight, width)

    def _on_message_changed(self, message: str) -> None:
        if not message:
            self.setToolTip("")

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.currentMessage() and self._full:
            shown = self._elided(self._full)
            if shown != self.currentMessage():
                # keep the remaining timeout simple: a resize re-shows it for 10 s at most
                super().showMessage(shown, 10000)
