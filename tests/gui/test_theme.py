"""Light and dark themes: what the window looks like, switching, following the system."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QMainWindow, QMenu
from pytestqt.qtbot import QtBot

from app.ui import theme
from app.ui.commands import CommandRegistry
from app.ui.exchange_panes import TimelineBar
from app.ui.main_window import MainWindow
from app.ui.palette import CommandPalette
from app.ui.theme import Scheme, ThemeChoice


@pytest.fixture
def themed(qapp: QApplication) -> Iterator[QApplication]:
    """The application styled by the theme; put back as it was afterwards."""
    style, palette, sheet = qapp.style().name(), qapp.palette(), qapp.styleSheet()
    font = qapp.font()
    yield qapp
    theme.apply_theme(qapp, ThemeChoice.DARK)  # stop following the system
    qapp.setProperty("courierStyled", None)
    qapp.setStyleSheet(sheet)
    qapp.setPalette(palette)
    qapp.setFont(font)
    qapp.setStyle(style)


def lightness(colour: QColor) -> int:
    return colour.lightness()


def light_share(image: QImage) -> float:
    """The share of a grid of sampled pixels that are light (> 200 of 255)."""
    samples = [
        image.pixelColor(x, y)
        for x in range(2, image.width(), 17)
        for y in range(2, image.height(), 17)
    ]
    return sum(lightness(c) > 200 for c in samples) / len(samples)


def test_theme_dark_and_light_set_the_window_colours(themed: QApplication) -> None:
    assert theme.apply_theme(themed, ThemeChoice.DARK) is Scheme.DARK
    assert lightness(themed.palette().window().color()) < 60
    assert lightness(themed.palette().text().color()) > 180
    assert "#1e2127" in themed.styleSheet()
    assert theme.apply_theme(themed, ThemeChoice.LIGHT) is Scheme.LIGHT
    assert lightness(themed.palette().window().color()) > 220
    assert lightness(themed.palette().text().color()) < 60
    rules = re.sub(r"/\*.*?\*/", "", themed.styleSheet(), flags=re.DOTALL)
    assert "@" not in rules  # every colour filled in
    # the names views paint with follow the theme
    assert lightness(QColor(theme.SURFACE)) > 220
    assert theme.status_color(503).name() == theme.ERROR_COLOR


def test_theme_dark_main_window_has_no_white_panes(
    themed: QApplication, window: MainWindow, qtbot: QtBot
) -> None:
    window.resize(1200, 760)
    theme.apply_theme(themed, ThemeChoice.DARK)
    qtbot.waitUntil(lambda: window.isVisible())
    dark = light_share(window.grab().toImage())
    theme.apply_theme(themed, ThemeChoice.LIGHT)
    light = light_share(window.grab().toImage())
    assert dark < 0.05, f"{dark:.0%} of the dark window is light"
    assert light > 0.8, f"only {light:.0%} of the light window is light"


def test_theme_follows_a_system_change_only_when_following_the_system(
    themed: QApplication,
) -> None:
    hints = themed.styleHints()
    theme.apply_theme(themed, ThemeChoice.SYSTEM)
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert theme.colours().scheme is Scheme.LIGHT
    assert lightness(themed.palette().window().color()) > 220
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert theme.colours().scheme is Scheme.DARK
    assert lightness(themed.palette().window().color()) < 60
    # chosen explicitly: the system's change is ignored
    theme.apply_theme(themed, ThemeChoice.LIGHT)
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert theme.colours().scheme is Scheme.LIGHT


def test_theme_change_is_announced(themed: QApplication, qtbot: QtBot) -> None:
    theme.apply_theme(themed, ThemeChoice.DARK)
    with qtbot.waitSignal(theme.notifier().changed) as changed:
        theme.apply_theme(themed, ThemeChoice.LIGHT)
    assert changed.args == ["light"]


def test_theme_icons_handed_out_before_a_switch_follow_it(themed: QApplication) -> None:
    plus = theme.icon("plus")
    theme.apply_theme(themed, ThemeChoice.DARK)
    on_dark = plus.pixmap(24, 24).toImage().pixelColor(12, 12)
    theme.apply_theme(themed, ThemeChoice.LIGHT)
    on_light = plus.pixmap(24, 24).toImage().pixelColor(12, 12)
    assert on_dark.alpha() > 0
    assert on_light.alpha() > 0
    assert lightness(on_dark) > 150  # a light stroke on the dark theme
    assert lightness(on_light) < 110  # a dark stroke on the light one


def test_theme_choice_is_parsed_from_the_saved_value() -> None:
    assert ThemeChoice.parse("dark") is ThemeChoice.DARK
    assert ThemeChoice.parse("light") is ThemeChoice.LIGHT
    assert ThemeChoice.parse("") is ThemeChoice.SYSTEM
    assert ThemeChoice.parse("solarized") is ThemeChoice.SYSTEM


def test_theme_commands_switch_from_the_palette_and_report_the_choice(
    themed: QApplication, qtbot: QtBot
) -> None:
    win = QMainWindow()
    qtbot.addWidget(win)
    win.resize(800, 500)
    win.show()
    registry = CommandRegistry(win)
    chosen: list[ThemeChoice] = []
    theme.theme_commands(registry, themed, chosen.append)
    assert {"view.theme.system", "view.theme.light", "view.theme.dark"} <= {c.id for c in registry}
    theme.apply_theme(themed, ThemeChoice.DARK)
    palette = CommandPalette(win, registry, list)
    palette.open("commands")
    qtbot.keyClicks(palette.line_edit, "light theme")
    qtbot.keyClick(palette.line_edit, Qt.Key.Key_Return)
    assert chosen == [ThemeChoice.LIGHT]
    assert lightness(themed.palette().window().color()) > 220


def test_theme_menu_checks_the_current_choice(themed: QApplication, qtbot: QtBot) -> None:
    win = QMainWindow()
    qtbot.addWidget(win)
    registry = CommandRegistry(win)
    theme.theme_commands(registry, themed)
    theme.apply_theme(themed, ThemeChoice.SYSTEM)
    menu = QMenu("View", win)
    submenu = theme.add_theme_menu(registry, menu)
    checked = [a.text() for a in submenu.actions() if a.isChecked()]
    assert checked == ["Follow &System Theme"]
    registry.action("view.theme.dark").trigger()
    submenu.aboutToShow.emit()
    assert [a.text() for a in submenu.actions() if a.isChecked()] == ["&Dark Theme"]
    assert theme.current_choice() is ThemeChoice.DARK


@pytest.mark.parametrize("choice", [ThemeChoice.DARK, ThemeChoice.LIGHT])
def test_theme_menus_grey_out_disabled_commands(
    themed: QApplication, qtbot: QtBot, choice: ThemeChoice
) -> None:
    """The stylesheet gave every menu item the text colour, enabled or not."""
    theme.apply_theme(themed, choice)
    menu = QMenu()
    qtbot.addWidget(menu)
    menu.addAction("Open Collection")
    menu.addAction("Save Request").setEnabled(False)
    menu.ensurePolished()
    menu.resize(menu.sizeHint())
    image = menu.grab().toImage()
    background = lightness(themed.palette().base().color())

    def contrast(row: int) -> int:
        """How far the row's text is from the menu's background, at most."""
        rect = menu.actionGeometry(menu.actions()[row])
        return max(
            abs(lightness(image.pixelColor(x, y)) - background)
            for x in range(rect.left(), rect.right())
            for y in range(rect.top(), rect.bottom())
        )

    assert contrast(1) < contrast(0) * 0.7


@pytest.mark.parametrize("choice", [ThemeChoice.DARK, ThemeChoice.LIGHT])
def test_theme_timing_waterfall_track_matches_the_theme(
    themed: QApplication, qtbot: QtBot, choice: ThemeChoice
) -> None:
    """The waterfall's tracks were painted dark grey on the light theme too."""
    theme.apply_theme(themed, choice)
    bar = TimelineBar("#5aa9f8")
    qtbot.addWidget(bar)
    bar.resize(240, 12)
    bar.set_span((0.5, 1.0))
    image = bar.grab().toImage()
    track, window = image.pixelColor(40, 6), themed.palette().window().color()
    assert abs(lightness(track) - lightness(window)) < 40


def contrast(foreground: str, background: str) -> float:
    """WCAG's contrast ratio (4.5 is the minimum for body text)."""

    def luminance(colour: str) -> float:
        c = QColor(colour)
        channels = [
            v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
            for v in (c.redF(), c.greenF(), c.blueF())
        ]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("colours", [theme.DARK, theme.LIGHT], ids=["dark", "light"])
def test_theme_colours_are_readable_on_their_backgrounds(colours: theme.Colours) -> None:
    q = colours.qss
    for name, colour in colours.syntax:  # the body views' highlighting
        assert contrast(colour, q["surface"]) >= (3.5 if name == "Comment" else 4.5), name
    for method, colour in colours.methods.items():  # sidebar tags, the palette's
        assert contrast(colour, q["chrome"]) >= 4.5, method
        assert contrast(colour, q["surface"]) >= 4.5, method
    for status, colour in colours.statuses.items():
        assert contrast(colour, q["window"]) >= 4.5, status
    for name in ("text", "muted", "chromeText"):
        assert contrast(q[name], q["window"]) >= 4.5, name
    assert contrast(colours.match_text, q["surface"]) >= 4.5


@pytest.mark.parametrize("choice", [ThemeChoice.DARK, ThemeChoice.LIGHT], ids=["dark", "light"])
def test_theme_variable_marks_are_readable_in_each_theme(
    themed: QApplication, choice: ThemeChoice
) -> None:
    """``{{name}}`` marks in the URL bar and tables take the theme's colours (they were
    dark-theme constants: the green was 2.3:1 on the light theme's white)."""
    from app.ui.variable_marks import resolved_colour, unresolved_colour

    theme.apply_theme(themed, choice)
    surface = theme.colours().qss["surface"]
    assert contrast(resolved_colour().name(), surface) >= 3.0
    assert contrast(unresolved_colour().name(), surface) >= 3.0


def test_theme_switch_recolours_body_highlighting_and_the_status_line(
    themed: QApplication, qtbot: QtBot
) -> None:
    """Body highlighting was One Dark in both themes (faint green strings on white) and
    the status line kept the old theme's colour after a switch."""
    from app.ui.response_view import ResponseView
    from app.ui.viewer.highlight import Highlighter

    def string_colour(highlighter: Highlighter, key: str) -> str:
        spans = highlighter.spans(key, '  "name": "value",')
        return spans[-1][2].name()  # the last token coloured: the string "value"

    def wanted(colours: theme.Colours) -> str:
        return dict(colours.syntax)["Literal.String"].lower()

    view = ResponseView()
    qtbot.addWidget(view)
    highlighter = Highlighter("json")
    theme.apply_theme(themed, ThemeChoice.DARK)
    assert string_colour(highlighter, "row") == wanted(theme.DARK)
    view._set_status("200 OK", lambda: theme.status_color(200).name())
    assert theme.DARK.statuses[2].lower() in view.status_label.styleSheet().lower()

    theme.apply_theme(themed, ThemeChoice.LIGHT)
    assert string_colour(highlighter, "row") == wanted(theme.LIGHT), "cached rows recoloured"
    assert theme.LIGHT.statuses[2].lower() in view.status_label.styleSheet().lower()
