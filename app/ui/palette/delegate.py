"""Paints palette rows: matched characters highlighted, long texts elided."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from app.ui import theme
from app.ui.palette.requests import METHOD, NAME, PATH, URL
from app.ui.palette.rows import ROW_ROLE, CommandRow, RequestRow

ELLIPSIS = "…"
PAD = 10


def draw_highlighted(
    painter: QPainter,
    rect: QRect,
    text: str,
    positions: tuple[int, ...],
    colour: QColor,
    match_colour: QColor,
) -> int:
    """Draw ``text`` left-aligned in ``rect`` with the matched characters in
    ``match_colour`` and bold, elided on the right; returns the width used."""
    if rect.width() <= 0 or not text:
        return 0
    font = painter.font()
    bold = QFont(font)
    bold.setBold(True)
    plain_metrics, bold_metrics = QFontMetrics(font), QFontMetrics(bold)
    matched = set(positions)
    runs: list[tuple[str, bool]] = []
    for i, ch in enumerate(text):
        hit = i in matched
        if runs and runs[-1][1] == hit:
            runs[-1] = (runs[-1][0] + ch, hit)
        else:
            runs.append((ch, hit))
    room = rect.width()
    ellipsis_width = plain_metrics.horizontalAdvance(ELLIPSIS)
    x = rect.left()
    baseline = rect.top() + (rect.height() + plain_metrics.ascent() - plain_metrics.descent()) // 2
    total = sum((bold_metrics if hit else plain_metrics).horizontalAdvance(s) for s, hit in runs)
    elide = total > room
    limit = rect.left() + room - (ellipsis_width if elide else 0)
    for run, hit in runs:
        metrics = bold_metrics if hit else plain_metrics
        width = metrics.horizontalAdvance(run)
        if x + width > limit:
            # the part of this run that fits
            kept = run
            while kept and x + metrics.horizontalAdvance(kept) > limit:
                kept = kept[:-1]
            run, width = kept, metrics.horizontalAdvance(kept)
        if run:
            painter.setFont(bold if hit else font)
            painter.setPen(match_colour if hit else colour)
            painter.drawText(x, baseline, run)
            x += width
        if x + 1 >= limit and elide:
            break
    painter.setFont(font)
    if elide:
        painter.setPen(colour)
        painter.drawText(x, baseline, ELLIPSIS)
        x += ellipsis_width
    return x - rect.left()


class PaletteDelegate(QStyledItemDelegate):
    """A command: its label and shortcut.  A request: method tag, name and folder
    path on the first line, its URL on the second."""

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        height = QFontMetrics(option.font).height()
        row = index.data(ROW_ROLE)
        lines = 2 if isinstance(row, RequestRow) else 1
        return QSize(200, lines * height + (lines - 1) * 2 + 12)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        row = index.data(ROW_ROLE)
        painter.save()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette = option.palette
        if selected:
            painter.fillRect(option.rect, palette.highlight())
        text = palette.highlightedText().color() if selected else palette.text().color()
        muted = QColor(theme.MUTED) if not selected else text
        match = QColor(theme.MATCH_TEXT) if not selected else text
        painter.setFont(option.font)
        rect = option.rect.adjusted(PAD, 6, -PAD, -6)
        if isinstance(row, CommandRow):
            self._paint_command(painter, rect, row, text, muted, match)
        elif isinstance(row, RequestRow):
            self._paint_request(painter, rect, row, text, muted, match)
        painter.restore()

    def _paint_command(
        self,
        painter: QPainter,
        rect: QRect,
        row: CommandRow,
        text: QColor,
        muted: QColor,
        match: QColor,
    ) -> None:
        if not row.enabled:
            text = muted = match = QColor(theme.colours().qss["disabled"])
        shortcut_width = 0
        if row.shortcut:
            metrics = QFontMetrics(painter.font())
            shortcut_width = metrics.horizontalAdvance(row.shortcut) + 16
            painter.setPen(muted)
            painter.drawText(
                rect,
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                row.shortcut,
            )
        label_rect = rect.adjusted(0, 0, -shortcut_width, 0)
        draw_highlighted(painter, label_rect, row.command.label, row.positions, text, match)

    def _paint_request(
        self,
        painter: QPainter,
        rect: QRect,
        row: RequestRow,
        text: QColor,
        muted: QColor,
        match: QColor,
    ) -> None:
        font = painter.font()
        line_height = QFontMetrics(font).height()
        first = QRect(rect.left(), rect.top(), rect.width(), line_height)
        second = QRect(rect.left(), rect.top() + line_height + 2, rect.width(), line_height)
        tag_font = QFont(font)
        tag_font.setPointSizeF(max(6.0, font.pointSizeF() * 0.8))
        tag_font.setBold(True)
        tag_width = QFontMetrics(tag_font).horizontalAdvance("M" * 4) + 10
        method = row.request.method.upper()
        painter.setFont(tag_font)
        tag = method if len(method) <= 6 else method[:5] + ELLIPSIS
        method_match = match if row.positions[METHOD] else theme.method_color(method)
        painter.setPen(method_match)
        painter.drawText(
            QRect(first.left(), first.top(), tag_width, first.height()),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            tag,
        )
        painter.setFont(font)
        name_rect = first.adjusted(tag_width, 0, 0, 0)
        used = draw_highlighted(
            painter,
            name_rect.adjusted(0, 0, -min(160, name_rect.width() // 3), 0),
            row.request.name,
            row.positions[NAME],
            text,
            match,
        )
        path_rect = name_rect.adjusted(used + 14, 0, 0, 0)
        draw_highlighted(painter, path_rect, row.path, row.positions[PATH], muted, match)
        url_rect = second.adjusted(tag_width, 0, 0, 0)
        draw_highlighted(
            painter, url_rect, row.request.url or "(no URL)", row.positions[URL], muted, match
        )
