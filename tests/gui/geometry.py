"""What a user sees of a widget: whether a table paints a cell's text whole (measured
on its pixels) and which visible widgets are drawn over each other."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QHeaderView, QTableView, QWidget


def painted_whole(view: QTableView, row: int, column: int) -> bool:
    """Does ``view`` paint the cell's text whole (not elided)?

    Measured on the pixels, so whatever the style does (a style sheet's check box
    is wider than the size Qt's "resize to contents" reckons with): the cell as
    shown is compared with the same cell in a column 400 px wider.  Text painted
    whole looks the same in both; elided text ends in "…" in the narrow one.
    """
    header = view.horizontalHeader()
    rect = view.visualRect(view.model().index(row, column))
    mode, width = header.sectionResizeMode(column), header.sectionSize(column)
    shown = view.viewport().grab(rect).toImage()
    header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
    header.resizeSection(column, width + 400)
    QApplication.processEvents()
    wide = view.viewport().grab(rect).toImage()
    header.setSectionResizeMode(column, mode)
    header.resizeSection(column, width)
    QApplication.processEvents()
    return bool(shown == wide)


def overlapping_widgets(page: QWidget) -> list[tuple[str, str]]:
    """Pairs of visible widgets laid out on ``page`` (its direct children) drawn over
    each other, named by class and text; an empty list means a clean layout."""
    shown = [
        w
        for w in page.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)
        if w.isVisibleTo(page) and not w.isWindow() and not w.geometry().isEmpty()
    ]

    def name(w: QWidget) -> str:
        text = getattr(w, "text", None)
        label = text() if callable(text) else ""
        return f"{type(w).__name__}({label!r})" if isinstance(label, str) else type(w).__name__

    return [
        (name(a), name(b))
        for i, a in enumerate(shown)
        for b in shown[i + 1 :]
        if a.geometry().intersects(b.geometry())
    ]
