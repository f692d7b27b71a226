"""SteadyLabel: a label whose text changes never change the window's layout.

A QLabel reports a new size hint with every new text, so a status line that
counts received bytes relayouts its whole window (splitters included) many
times a second, and a long URL in it pushes the window wider than the screen.
A SteadyLabel has a fixed size, from a template text chosen once (Qt stops
an ``updateGeometry`` at a widget whose minimum and maximum sizes are equal);
the text it shows is elided to that width, and the full text is its tooltip.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class SteadyLabel(QLabel):
    def __init__(self, template: str, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self._template = template
        self._full = ""
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self._fix_size()

    def full_text(self) -> str:
        return self._full

    def set_full_text(self, text: str) -> None:
        if text == self._full:
            return
        self._full = text
        self.setToolTip(text if text != self._shown(text) else "")
        self.setText(self._shown(text))

    def _shown(self, text: str) -> str:
        width = self.contentsRect().width()
        if width <= 0:
            return text
        return QFontMetrics(self.font()).elidedText(text, Qt.TextElideMode.ElideMiddle, width)

    def sizeHint(self) -> QSize:
        metrics = QFontMetrics(self.font())
        margins = self.contentsMargins()
        width = metrics.horizontalAdvance(self._template) + margins.left() + margins.right()
        height = metrics.height() + margins.top() + margins.bottom() + 2 * self.margin()
        return QSize(width + 2 * self.margin() + 8, height)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def _fix_size(self) -> None:
        size = self.sizeHint()
        if self.minimumSize() != size or self.maximumSize() != size:
            self.setFixedSize(size)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fix_size()  # the stylesheet's font arrives when the label is polished

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.setText(self._shown(self._full))
