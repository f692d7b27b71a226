"""Courier's look: Fusion with a light and a dark palette, one stylesheet, line icons.

Colours say what things are: each HTTP method has its own, statuses are
green / blue / amber / red by class.  The theme follows the system's colour
scheme by default (``ThemeChoice.SYSTEM``, Qt's ``QStyleHints.colorScheme``) or
is chosen (View ▸ Theme).  ``apply_theme`` swaps the palette, the stylesheet and
this module's colour names (``SURFACE``, ``MUTED``, ``method_color`` ...), which
views read when they paint: read them as ``theme.NAME`` at paint time, not copied
at import, and listen to ``notifier().changed`` to drop colours you cached.
Icons come from ``icon()`` and repaint in the theme's colours by themselves.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from PySide6.QtCore import QObject, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QColor,
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QIcon,
    QIconEngine,
    QPainter,
    QPalette,
    QPixmap,
)
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication, QMenu

from app.resources import resource_path
from app.ui.commands import Command, CommandRegistry


class ThemeChoice(enum.StrEnum):
    """What the user chose (kept in the app state as its value)."""

    SYSTEM = "system"
    LIGHT = "light"
    DARK = "dark"

    @classmethod
    def parse(cls, text: str) -> ThemeChoice:
        """The choice a saved value names; an unknown value follows the system."""
        try:
            return cls(text)
        except ValueError:
            return cls.SYSTEM


class Scheme(enum.StrEnum):
    """The colours in use."""

    LIGHT = "light"
    DARK = "dark"


#: what following the system means when the system does not say (Qt: Unknown)
FALLBACK_SCHEME = Scheme.DARK


@dataclass(frozen=True)
class Colours:
    """One theme's colours: the stylesheet's ``@name@`` values and the painted ones."""

    scheme: Scheme
    #: every ``@name@`` of resources/style/courier.qss
    qss: dict[str, str]
    methods: dict[str, str]
    other_method: str
    statuses: dict[int, str]
    error: str
    #: the body views' find matches, current match and selection
    match_bg: str
    current_match_bg: str
    selection_bg: str
    #: matched characters in the palette
    match_text: str
    #: (Pygments token type, colour): first match wins, as app/ui/viewer/highlight.py reads it
    syntax: tuple[tuple[str, str], ...]
    #: the icons' stroke colours (drawn for the dark theme) -> this theme's
    icon_colours: dict[str, str]


DARK = Colours(
    scheme=Scheme.DARK,
    qss={
        "window": "#1e2127",
        "chrome": "#1a1d22",
        "chromeLine": "#16181d",
        "surface": "#252932",
        "raised": "#2c313c",
        "raisedHover": "#343a46",
        "border": "#3a404c",
        "text": "#d7dae0",
        "chromeText": "#c8ccd4",
        "muted": "#8b92a0",
        "muted2": "#9aa3b2",
        "faint": "#6b7280",
        "hint": "#565d6a",
        "disabled": "#5c6370",
        "disabledBg": "#23262d",
        "accent": "#7c5cff",
        "accentHover": "#8f74ff",
        "onAccent": "#ffffff",
        "selection": "#3d3570",
        "selectionText": "#ffffff",
        "treeSelection": "#332c5c",
        "treeHover": "#242830",
        "textSelection": "#4b3fa0",
        "bright": "#ffffff",
        "altRow": "#22252c",
        "sunken": "#1b1e23",
        "indicatorBorder": "#5c6370",
        "indeterminate": "#4b5263",
        "noticeBg": "#3b3320",
        "noticeText": "#f2d49b",
        "errorBg": "#2a1f24",
        "errorBorder": "#5a2f36",
        "errorTitle": "#f07178",
        "errorText": "#e6c4c7",
        "running": "#d9534f",
        "link": "#8fb5ff",
        "placeholder": "#6b7280",
        "dark": "#16181d",
    },
    methods={
        "GET": "#4fc38a",
        "POST": "#f2b84b",
        "PUT": "#5aa9f8",
        "PATCH": "#b58cf2",
        "DELETE": "#f07178",
        "HEAD": "#9aa3b2",
        "OPTIONS": "#9aa3b2",
    },
    other_method="#56c5d0",
    statuses={2: "#4fc38a", 3: "#5aa9f8", 4: "#f2b84b", 5: "#f07178"},
    error="#f07178",
    match_bg="#5c4d1a",
    current_match_bg="#b8860b",
    selection_bg="#3d3570",
    match_text="#a58bff",
    # One Dark
    syntax=(
        ("Comment", "#7f848e"),
        ("Keyword.Constant", "#56b6c2"),
        ("Keyword", "#c678dd"),
        ("Name.Tag", "#e06c75"),
        ("Name.Attribute", "#d19a66"),
        ("Name.Function", "#61afef"),
        ("Name.Builtin", "#e5c07b"),
        ("Name.Class", "#e5c07b"),
        ("Name.Entity", "#d19a66"),
        ("Literal.String", "#98c379"),
        ("Literal.Number", "#d19a66"),
        ("Operator", "#56b6c2"),
    ),
    icon_colours={},
)

LIGHT = Colours(
    scheme=Scheme.LIGHT,
    qss={
        "window": "#f5f6f8",
        "chrome": "#eceef1",
        "chromeLine": "#d5d9df",
        "surface": "#ffffff",
        "raised": "#e8eaee",
        "raisedHover": "#dde0e6",
        "border": "#c9ced6",
        "text": "#1f2328",
        "chromeText": "#3b4250",
        "muted": "#5f6773",
        "muted2": "#555d6a",
        "faint": "#858c97",
        "hint": "#8d949e",
        "disabled": "#a3a9b3",
        "disabledBg": "#eef0f3",
        "accent": "#6a4cf0",
        "accentHover": "#7b61f5",
        "onAccent": "#ffffff",
        "selection": "#ddd5ff",
        "selectionText": "#1f2328",
        "treeSelection": "#e1daff",
        "treeHover": "#e3e6ea",
        "textSelection": "#c9bcff",
        "bright": "#111418",
        "altRow": "#f0f2f5",
        "sunken": "#ffffff",
        "indicatorBorder": "#9aa1ab",
        "indeterminate": "#9aa1ab",
        "noticeBg": "#fff3d1",
        "noticeText": "#6f5200",
        "errorBg": "#fdeff0",
        "errorBorder": "#efb9be",
        "errorTitle": "#c9303c",
        "errorText": "#6e2a30",
        "running": "#d9534f",
        "link": "#2f5fd0",
        "placeholder": "#8d949e",
        "dark": "#b9bec7",
    },
    methods={
        "GET": "#0f7040",
        "POST": "#8f5a00",
        "PUT": "#1a62b3",
        "PATCH": "#7d45cc",
        "DELETE": "#c42a36",
        "HEAD": "#5f6773",
        "OPTIONS": "#5f6773",
    },
    other_method="#0b727b",
    statuses={2: "#0f7040", 3: "#1a62b3", 4: "#8f5a00", 5: "#c42a36"},
    error="#c42a36",
    match_bg="#fff0a8",
    current_match_bg="#ffc94d",
    selection_bg="#c9bcff",
    match_text="#5b3fe0",
    # One Light
    syntax=(
        ("Comment", "#757b86"),
        ("Keyword.Constant", "#0b727b"),
        ("Keyword", "#a626a4"),
        ("Name.Tag", "#c8323f"),
        ("Name.Attribute", "#8a5d00"),
        ("Name.Function", "#2f62d6"),
        ("Name.Builtin", "#8a5d00"),
        ("Name.Class", "#8a5d00"),
        ("Name.Entity", "#8a5d00"),
        ("Literal.String", "#2f7a1f"),
        ("Literal.Number", "#a35400"),
        ("Operator", "#0b727b"),
    ),
    icon_colours={
        "#c8ccd4": "#4a5261",
        "#9aa3b2": "#5f6773",
        "#8b92a0": "#6b7280",
        "#a78bfa": "#6a4cf0",
        "#f2b84b": "#b97c00",
    },
)

THEMES = {Scheme.DARK: DARK, Scheme.LIGHT: LIGHT}

# The colours in use, by name: views read these when they paint (``theme.SURFACE``).
# ``apply_theme`` rebinds them; the dicts are updated in place.
BACKGROUND = DARK.qss["window"]
SURFACE = DARK.qss["surface"]
RAISED = DARK.qss["raised"]
BORDER = DARK.qss["border"]
TEXT = DARK.qss["text"]
MUTED = DARK.qss["muted"]
ACCENT = DARK.qss["accent"]
METHOD_COLORS: dict[str, str] = dict(DARK.methods)
OTHER_METHOD = DARK.other_method
STATUS_COLORS: dict[int, str] = dict(DARK.statuses)
ERROR_COLOR = DARK.error
MATCH_BG = DARK.match_bg
CURRENT_MATCH_BG = DARK.current_match_bg
SELECTION_BG = DARK.selection_bg
MATCH_TEXT = DARK.match_text

_current: Colours = DARK


def colours() -> Colours:
    """The theme in use."""
    return _current


def method_color(method: str) -> QColor:
    return QColor(METHOD_COLORS.get(method.upper(), OTHER_METHOD))


def status_color(code: int) -> QColor:
    return QColor(STATUS_COLORS.get(code // 100, MUTED))


def syntax_palette() -> tuple[tuple[str, str], ...]:
    """(Pygments token type name, colour) for the theme in use, most specific first."""
    return _current.syntax


# ------------------------------------------------------------------ icons


class _ThemedIconEngine(QIconEngine):
    """Draws an SVG icon with the theme's colours at paint time, so icons handed out
    before a theme switch follow it."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self._name = name

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        renderer = _renderer(self._name, _current.scheme)
        if renderer is None:
            return
        painter.save()
        if mode == QIcon.Mode.Disabled:
            painter.setOpacity(0.4)
        renderer.render(painter, QRectF(rect))
        painter.restore()

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        pixmap = QPixmap(size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        self.paint(painter, QRect(0, 0, size.width(), size.height()), mode, state)
        painter.end()
        return pixmap

    def scaledPixmap(
        self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float
    ) -> QPixmap:
        pixmap = self.pixmap(
            QSize(round(size.width() * scale), round(size.height() * scale)), mode, state
        )
        pixmap.setDevicePixelRatio(scale)
        return pixmap

    def clone(self) -> QIconEngine:
        return _ThemedIconEngine(self._name)

    def key(self) -> str:
        return "courier-themed"


@cache
def _renderer(name: str, scheme: Scheme) -> QSvgRenderer | None:
    path = resource_path("icons", f"{name}.svg")
    if not path.is_file():
        return None
    svg = path.read_text(encoding="utf-8")
    for dark, light in THEMES[scheme].icon_colours.items():
        svg = svg.replace(dark, light)
    return QSvgRenderer(svg.encode("utf-8"))


@cache
def icon(name: str) -> QIcon:
    path = resource_path("icons", f"{name}.svg")
    return QIcon(_ThemedIconEngine(name)) if path.is_file() else QIcon()


# ------------------------------------------------------------------ fonts


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


# ------------------------------------------------------------------ palette and stylesheet


def _palette(c: Colours) -> QPalette:
    q = c.qss
    p = QPalette()
    role = QPalette.ColorRole
    for r, colour in (
        (role.Window, q["window"]),
        (role.WindowText, q["text"]),
        (role.Base, q["surface"]),
        (role.AlternateBase, q["raised"]),
        (role.ToolTipBase, q["raised"]),
        (role.ToolTipText, q["text"]),
        (role.Text, q["text"]),
        (role.Button, q["raised"]),
        (role.ButtonText, q["text"]),
        (role.BrightText, q["bright"]),
        (role.Highlight, q["selection"]),
        (role.HighlightedText, q["selectionText"]),
        (role.Link, q["link"]),
        (role.PlaceholderText, q["placeholder"]),
        (role.Mid, q["border"]),
        (role.Dark, q["dark"]),
        (role.Light, q["surface"]),
        (role.Midlight, q["raisedHover"]),
        (role.Shadow, q["chromeLine"]),
    ):
        p.setColor(r, QColor(colour))
    disabled = QPalette.ColorGroup.Disabled
    for r in (role.Text, role.ButtonText, role.WindowText):
        p.setColor(disabled, r, QColor(q["disabled"]))
    return p


def stylesheet(c: Colours | None = None) -> str:
    """The stylesheet with its ``@name@`` colours and ``@ICONS@`` filled in.

    Qt resolves ``url()`` in a stylesheet against the working directory, not the
    file, so image paths (combo arrows, check marks) are made absolute here.
    """
    qss = resource_path("style", "courier.qss")
    if not qss.is_file():
        return ""
    text = qss.read_text(encoding="utf-8").replace("@ICONS@", resource_path("icons").as_posix())
    for name, colour in (c or _current).qss.items():
        text = text.replace(f"@{name}@", colour)
    return text


def _use(c: Colours) -> None:
    global _current, BACKGROUND, SURFACE, RAISED, BORDER, TEXT, MUTED, ACCENT
    global OTHER_METHOD, ERROR_COLOR, MATCH_BG, CURRENT_MATCH_BG, SELECTION_BG, MATCH_TEXT
    _current = c
    q = c.qss
    BACKGROUND, SURFACE, RAISED, BORDER = q["window"], q["surface"], q["raised"], q["border"]
    TEXT, MUTED, ACCENT = q["text"], q["muted"], q["accent"]
    METHOD_COLORS.clear()
    METHOD_COLORS.update(c.methods)
    STATUS_COLORS.clear()
    STATUS_COLORS.update(c.statuses)
    OTHER_METHOD, ERROR_COLOR = c.other_method, c.error
    MATCH_BG, CURRENT_MATCH_BG, SELECTION_BG = c.match_bg, c.current_match_bg, c.selection_bg
    MATCH_TEXT = c.match_text


class ThemeNotifier(QObject):
    """Says when the theme in use changed (its scheme's value: "light" / "dark")."""

    changed = Signal(str)


_notifier: ThemeNotifier | None = None


def notifier() -> ThemeNotifier:
    global _notifier
    if _notifier is None:
        _notifier = ThemeNotifier()
    return _notifier


class _SystemFollower(QObject):
    """Holds the user's choice and re-applies the theme when the system's scheme changes."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.app = app
        self.choice = ThemeChoice.SYSTEM
        app.styleHints().colorSchemeChanged.connect(self._on_system_change)

    def _on_system_change(self, scheme: Qt.ColorScheme) -> None:
        if self.choice is ThemeChoice.SYSTEM:
            _show(self.app, _scheme_of(scheme))


_follower: _SystemFollower | None = None


def _scheme_of(system: Qt.ColorScheme) -> Scheme:
    if system == Qt.ColorScheme.Dark:
        return Scheme.DARK
    if system == Qt.ColorScheme.Light:
        return Scheme.LIGHT
    return FALLBACK_SCHEME


def system_scheme(app: QApplication) -> Scheme:
    """What the system asks for (``FALLBACK_SCHEME`` when it does not say)."""
    return _scheme_of(app.styleHints().colorScheme())


def current_choice() -> ThemeChoice:
    return _follower.choice if _follower is not None else ThemeChoice.SYSTEM


def apply_theme(app: QApplication, choice: ThemeChoice = ThemeChoice.SYSTEM) -> Scheme:
    """Style the application as chosen; with SYSTEM, follow the system's changes too."""
    global _follower
    if _follower is None or _follower.app is not app:
        _follower = _SystemFollower(app)
    _follower.choice = choice
    scheme = system_scheme(app) if choice is ThemeChoice.SYSTEM else Scheme(choice.value)
    _show(app, scheme)
    return scheme


def _show(app: QApplication, scheme: Scheme) -> None:
    c = THEMES[scheme]
    first = app.property("courierStyled") is None
    if not first and c is _current:
        return
    _use(c)
    if first:
        app.setProperty("courierStyled", True)
        app.setStyle("Fusion")
        font = app.font()
        font.setPointSize(10)
        app.setFont(font)
    app.setPalette(_palette(c))
    app.setStyleSheet(stylesheet(c))
    notifier().changed.emit(scheme.value)


# ------------------------------------------------------------------ View ▸ Theme

THEME_COMMANDS: tuple[tuple[str, ThemeChoice, str], ...] = (
    ("view.theme.system", ThemeChoice.SYSTEM, "Follow &System Theme"),
    ("view.theme.light", ThemeChoice.LIGHT, "&Light Theme"),
    ("view.theme.dark", ThemeChoice.DARK, "&Dark Theme"),
)


def theme_commands(
    registry: CommandRegistry,
    app: QApplication,
    chosen: Callable[[ThemeChoice], object] | None = None,
) -> list[Command]:
    """Register View ▸ Theme's commands; ``chosen`` is told the new choice (to keep it)."""

    def choose(choice: ThemeChoice) -> Callable[[], None]:
        def handler() -> None:
            apply_theme(app, choice)
            if chosen is not None:
                chosen(choice)

        return handler

    return [
        registry.add(Command(id=command_id, title=title, category="View", handler=choose(choice)))
        for command_id, choice, title in THEME_COMMANDS
    ]


def add_theme_menu(registry: CommandRegistry, menu: QMenu) -> QMenu:
    """A "Theme" submenu of ``menu`` with the three choices, the current one checked."""
    submenu = menu.addMenu("&Theme")
    group = QActionGroup(submenu)
    group.setExclusive(True)
    actions: dict[ThemeChoice, QAction] = {}
    for command_id, choice, _title in THEME_COMMANDS:
        action = registry.action(command_id)
        action.setCheckable(True)
        group.addAction(action)
        submenu.addAction(action)
        actions[choice] = action

    def check_current() -> None:
        actions[current_choice()].setChecked(True)

    submenu.aboutToShow.connect(check_current)
    check_current()
    return submenu
