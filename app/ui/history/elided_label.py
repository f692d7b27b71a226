"""ElidedLabel: a one-line label that never widens its window.

A QLabel asks for the width of its whole text, so a 2,000-character URL would
push the window past the screen.  This one asks for little, shows what fits
with "…" in the middle, and keeps the whole text in ``text()`` and its tooltip.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

#: the most a label asks for (it takes more when the layout has room)
PREFERRED_WIDTH = 240
MINIMUM_WIDTH = 40


class ElidedLabel(QLabel):
    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def set_full_text(self, text: str) -> None:
        self.setText(text)
        self.setToolTip(text)

    def shown_text(self) -> str:
        """What fits in the label now."""
        width = self.contentsRect().width()
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideMiddle, width)

    def sizeHint(self) -> QSize:
        natural = super().sizeHint()
        return QSize(min(natural.width(), PREFERRED_WIDTH), natural.height())

    def minimumSizeHint(self) -> QSize:
        return QSize(MINIMUM_WIDTH, super().minimumSizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(self.contentsRect(), int(self.alignment()), self.shown_text())
