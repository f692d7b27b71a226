"""SteadyLabel: a label whose text changes never change the window's layout.

A QLabel reports a new size hint with every new text, so a status line that
counts received bytes relayouts its whole window (splitters included) many
times a second.  A SteadyLabel has a fixed size, that of a template text
measured once its stylesheet applies (Qt stops an ``updateGeometry`` at a
widget whose minimum and maximum sizes are equal); a longer text is elided to
that width, the full text then being its tooltip.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

_SIZE_EVENTS = (QEvent.Type.Polish, QEvent.Type.FontChange, QEvent.Type.StyleChange)


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
        shown = self._shown(text)
        self.setToolTip(text if shown != text else "")
        self.setText(shown)

    def _shown(self, text: str) -> str:
        width = self.contentsRect().width() - 2 * self.margin()
        if width <= 0:
            return text
        return QFontMetrics(self.font()).elidedText(text, Qt.TextElideMode.ElideMiddle, width)

    def _fix_size(self) -> None:
        """Fixed at the template's size, as the label's style (font, padding) measures it."""
        shown = self.text()
        QLabel.setText(self, self._template)
        size = QLabel.sizeHint(self)
        QLabel.setText(self, shown)
        if self.minimumSize() != size or self.maximumSize() != size:
            self.setFixedSize(size)

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() in _SIZE_EVENTS:
            self._fix_size()
        return handled

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.setText(self._shown(self._full))
