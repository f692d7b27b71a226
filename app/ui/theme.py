"""Courier's look: Fusion with a calm dark palette, one stylesheet, line icons.

Colours say what things are: each HTTP method has its own, statuses are
green / blue / amber / red by class.
"""

from __future__ import annotations

import math
from functools import cache

from PySide6.QtGui import QColor, QFont, QFontDatabase, QFontMetricsF, QIcon, QPalette
from PySide6.QtWidgets import QApplication

from app.resources import resource_path

BACKGROUND = "#1e2127"
SURFACE = "#252932"
RAISED = "#2c313c"
BORDER = "#3a404c"
TEXT = "#d7dae0"
MUTED = "#8b92a0"
ACCENT = "#7c5cff"

METHOD_COLORS: dict[str, str] = {
    "GET": "#4fc38a",
    "POST": "#f2b84b",
    "PUT": "#5aa9f8",
    "PATCH": "#b58cf2",
    "DELETE": "#f07178",
    "HEAD": "#9aa3b2",
    "OPTIONS": "#9aa3b2",
}
OTHER_METHOD = "#56c5d0"

STATUS_COLORS = {2: "#4fc38a", 3: "#5aa9f8", 4: "#f2b84b", 5: "#f07178"}
ERROR_COLOR = "#f07178"


def method_color(method: str) -> QColor:
    return QColor(METHOD_COLORS.get(method.upper(), OTHER_METHOD))


def status_color(code: int) -> QColor:
    return QColor(STATUS_COLORS.get(code // 100, MUTED))


@cache
def icon(name: str) -> QIcon:
    path = resource_path("icons", f"{name}.svg")
    return QIcon(str(path)) if path.is_file() else QIcon()


def cell_font(point_size: int = 10) -> QFont:
    """The monospace font with a whole-pixel advance per character.

    Views that paint text in a grid (the body's text and hex views) place each
    coloured run at ``column × advance``; with a fractional advance (7.8 px) a run
    drawn natively ends short of where the next one starts, and gaps appear
    between tokens.  Letter spacing rounds the advance up to whole pixels.
    """
    font = monospace_font(point_size)
    advance = QFontMetricsF(font).horizontalAdvance("M")
    extra = math.ceil(advance) - advance
    if extra > 1e-3:
        font.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, extra)
    return font


def monospace_font(point_size: int = 10) -> QFont:
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    for family in ("JetBrains Mono", "DejaVu Sans Mono", "Menlo", "Consolas"):
        if family in QFontDatabase.families():
            font = QFont(family)
            break
    font.setPointSize(point_size)
    font.setStyleHint(QFont.StyleHint.Monospace)
    return font


def _palette() -> QPalette:
    p = QPalette()
    role = QPalette.ColorRole
    for r, c in (
        (role.Window, BACKGROUND),
        (role.WindowText, TEXT),
        (role.Base, SURFACE),
        (role.AlternateBase, RAISED),
        (role.ToolTipBase, RAISED),
        (role.ToolTipText, TEXT),
        (role.Text, TEXT),
        (role.Button, RAISED),
        (role.ButtonText, TEXT),
        (role.BrightText, "#ffffff"),
        (role.Highlight, "#3d3570"),
        (role.HighlightedText, "#ffffff"),
        (role.Link, "#8fb5ff"),
        (role.PlaceholderText, "#6b7280"),
        (role.Mid, BORDER),
        (role.Dark, "#16181d"),
    ):
        p.setColor(r, QColor(c))
    disabled = QPalette.ColorGroup.Disabled
    p.setColor(disabled, role.Text, QColor("#5c6370"))
    p.setColor(disabled, role.ButtonText, QColor("#5c6370"))
    p.setColor(disabled, role.WindowText, QColor("#5c6370"))
    return p


def stylesheet() -> str:
    """The stylesheet with ``@ICONS@`` replaced by the icons directory.

    Qt resolves ``url()`` in a stylesheet against the working directory, not the
    file, so image paths (combo arrows, check marks) are made absolute here.
    """
    qss = resource_path("style", "courier.qss")
    if not qss.is_file():
        return ""
    icons = resource_path("icons").as_posix()
    return qss.read_text(encoding="utf-8").replace("@ICONS@", icons)


def apply_theme(app: QApplication) -> None:
    app.setStyle("Fusion")
    app.setPalette(_palette())
    font = app.font()
    font.setPointSize(10)
    app.setFont(font)
    app.setStyleSheet(stylesheet())
