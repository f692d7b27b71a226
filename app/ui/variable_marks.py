"""``{{variables}}`` made visible in editors.

Resolved variables are tinted green and show their value on hover (a secret's
value masked); unresolved ones are red and say so.  Line edits (the URL bar)
get their colours through input-method text formats, the usual way to format
part of a QLineEdit; text editors (the body) through a syntax highlighter.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtGui import (
    QColor,
    QHelpEvent,
    QInputMethodEvent,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextDocument,
)
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QToolTip, QWidget

from app.core.templating import VariableSpan, find_variables
from app.ui import theme

#: name -> (value or None when unresolved, is the value secret)
Lookup = Callable[[str], tuple[str | None, bool]]

#: past this size the body is not highlighted (a Python highlighter is slow on big text)
HIGHLIGHT_LIMIT = 200_000
SECRET_MASK = "••••••••"


def resolved_colour() -> QColor:
    """A defined variable's colour: the theme's 2xx green (read each time: themes switch)."""
    return QColor(theme.STATUS_COLORS[2])


def unresolved_colour() -> QColor:
    return QColor(theme.ERROR_COLOR)


def qt_spans(text: str) -> list[VariableSpan]:
    """``find_variables`` with positions counted as Qt counts them (UTF-16 code units).

    Python counts an emoji as one character, Qt as two: without this, every
    mark after one (or inside a ``{{name}}`` that holds one) would be shifted.
    """
    spans = find_variables(text)
    if not spans or text.isascii() or max(text) <= "\uffff":
        return spans

    def at(index: int) -> int:
        return len(text[:index].encode("utf-16-le")) // 2

    return [VariableSpan(at(s.start), at(s.end), s.name) for s in spans]


def _format(resolved: bool) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(resolved_colour() if resolved else unresolved_colour())
    if not resolved:
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        fmt.setUnderlineColor(unresolved_colour())
    return fmt


def describe(name: str, lookup: Lookup) -> str:
    value, secret = lookup(name)
    if value is None:
        return f"{{{{{name}}}}} is not defined in this collection, folder or environment"
    if name.startswith("$") and value == "":
        return f"{{{{{name}}}}}: computed when the request is sent"
    shown = SECRET_MASK if secret else value
    return f"{{{{{name}}}}} = {shown}" + ("  (secret)" if secret else "")


class TemplateHighlighter(QSyntaxHighlighter):
    def __init__(self, document: QTextDocument, lookup: Lookup) -> None:
        super().__init__(document)
        self.lookup = lookup

    def highlightBlock(self, text: str) -> None:
        if "{{" not in text:
            return
        doc = self.document()
        if doc is not None and doc.characterCount() > HIGHLIGHT_LIMIT:
            return
        for span in qt_spans(text):
            value, _secret = self.lookup(span.name)
            self.setFormat(span.start, span.end - span.start, _format(value is not None))


def mark_line_edit(edit: QLineEdit, lookup: Lookup) -> None:
    """Colour the ``{{variables}}`` of a line edit's text."""
    cursor = edit.cursorPosition()
    attributes = [
        QInputMethodEvent.Attribute(
            QInputMethodEvent.AttributeType.TextFormat,
            span.start - cursor,
            span.end - span.start,
            _format(lookup(span.name)[0] is not None),
        )
        for span in qt_spans(edit.text())
    ]
    QCoreApplication.sendEvent(edit, QInputMethodEvent("", attributes))


class VariableTooltips(QObject):
    """Shows what a ``{{variable}}`` under the mouse resolves to."""

    def __init__(self, lookup: Lookup, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.lookup = lookup

    def watch(self, widget: QWidget) -> None:
        target = widget.viewport() if isinstance(widget, QPlainTextEdit) else widget
        target.setMouseTracking(True)
        target.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.ToolTip or not isinstance(event, QHelpEvent):
            return False
        text, index = _text_at(watched, event)
        if text is None:
            return False
        for span in qt_spans(text):
            if span.start <= index < span.end:
                QToolTip.showText(event.globalPos(), describe(span.name, self.lookup))
                return True
        QToolTip.hideText()
        return False


def _text_at(watched: QObject, event: QHelpEvent) -> tuple[str | None, int]:
    if isinstance(watched, QLineEdit):
        return watched.text(), watched.cursorPositionAt(event.pos())
    parent = watched.parent()
    if isinstance(parent, QPlainTextEdit):
        cursor = parent.cursorForPosition(event.pos())
        return cursor.block().text(), cursor.positionInBlock()
    return None, 0
