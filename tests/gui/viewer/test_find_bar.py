"""FindBar: Ctrl+F, counts, next/previous, options, errors and growing bodies."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from app.core.viewing import search as search_module
from app.core.viewing.search import BLOCK
from app.core.viewing.source import FileSource, MemorySource
from app.services.format_jobs import FormatJob
from app.ui.viewer import find_bar as find_bar_module
from app.ui.viewer.find_bar import FindBar
from app.ui.viewer.text_view import TextView

BODY = b"".join(
    b"%05d %s\n" % (i, b"Alpha hit" if i % 100 == 7 else b"filler text") for i in range(5000)
)


class Pane:
    def __init__(self, qtbot: QtBot) -> None:
        self.window = QWidget()
        qtbot.addWidget(self.window)
        layout = QVBoxLayout(self.window)
        self.view = TextView()
        self.bar = FindBar(self.view)
        layout.addWidget(self.view)
        layout.addWidget(self.bar)
        self.window.resize(700, 400)
        self.window.show()
        qtbot.waitExposed(self.window)
        self.qtbot = qtbot

    def find(self, text: str) -> None:
        self.bar.open()
        self.bar.field.setText(text)

    def wait_status(self, predicate: Callable[[str], object], timeout: int = 5000) -> str:
        self.qtbot.waitUntil(lambda: bool(predicate(self.bar.status_text())), timeout=timeout)
        return self.bar.status_text()


@pytest.fixture
def pane(qtbot: QtBot) -> Iterator[Pane]:
    p = Pane(qtbot)
    yield p
    p.bar.close_bar()


def test_ctrl_f_opens_the_bar_and_escape_closes_it(pane: Pane, qtbot: QtBot) -> None:
    pane.view.set_source(MemorySource(BODY))
    assert not pane.bar.isVisible()
    pane.view.setFocus()
    qtbot.keyClick(pane.view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert pane.bar.isVisible()
    assert pane.bar.field.hasFocus()
    qtbot.keyClicks(pane.bar.field, "alpha")
    pane.wait_status(lambda s: s == "1 of 50")
    qtbot.keyClick(pane.bar.field, Qt.Key.Key_Escape)
    assert not pane.bar.isVisible()
    assert pane.bar.search is None


def test_count_and_navigation_scroll_to_matches(pane: Pane, qtbot: QtBot) -> None:
    pane.view.set_source(MemorySource(BODY))
    pane.find("alpha")
    pane.wait_status(lambda s: s == "1 of 50")
    assert "00007 Alpha hit" in pane.view.visible_text()
    assert pane.view._current_match == (BODY.index(b"Alpha"), BODY.index(b"Alpha") + 5)
    qtbot.keyClick(pane.bar.field, Qt.Key.Key_Return)
    assert pane.bar.status_text() == "2 of 50"
    assert "00107 Alpha hit" in pane.view.visible_text()
    for _ in range(10):
        qtbot.keyClick(pane.bar.field, Qt.Key.Key_F3)
    assert pane.bar.status_text() == "12 of 50"
    assert "01107 Alpha hit" in pane.view.visible_text()
    assert pane.view.verticalScrollBar().value() > 1000
    qtbot.keyClick(pane.bar.field, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert pane.bar.status_text() == "11 of 50"
    # previous from the first wraps to the last
    for _ in range(11):
        pane.bar.previous()
    assert pane.bar.status_text() == "50 of 50"
    assert "04907 Alpha hit" in pane.view.visible_text()


def test_case_and_regex_options(pane: Pane) -> None:
    pane.view.set_source(MemorySource(BODY))
    pane.find("alpha")
    pane.wait_status(lambda s: s == "1 of 50")
    pane.bar.case_button.setChecked(True)
    assert pane.wait_status(lambda s: not s.startswith("searching")) == "no matches"
    pane.bar.field.setText("Alpha")
    pane.wait_status(lambda s: s == "1 of 50")
    pane.bar.case_button.setChecked(False)
    pane.bar.regex_button.setChecked(True)
    pane.bar.field.setText(r"^\d+0 filler")
    pane.wait_status(lambda s: s == "1 of 500")
    assert pane.view.visible_text().splitlines()[0].startswith("00000 filler")


def test_bad_regex_shows_the_error(pane: Pane) -> None:
    pane.view.set_source(MemorySource(BODY))
    pane.bar.regex_button.setChecked(True)
    pane.find("alpha(")
    status = pane.wait_status(lambda s: s.startswith("Invalid"))
    assert status == "Invalid regex: missing ), unterminated subpattern at position 5"


def test_growing_body_shows_results_as_found(pane: Pane) -> None:
    source = MemorySource(b"one needle\n", complete=False)
    pane.view.set_source(source)
    pane.find("needle")
    pane.wait_status(lambda s: s == "1 of 1, searching…")
    source.append(b"two nee")
    pane.view.refresh()
    source.append(b"dle\nthree needle\n")
    pane.view.refresh()
    assert pane.bar.search is not None
    pane.bar.search.wake()
    pane.wait_status(lambda s: s == "1 of 3, searching…")
    source.finish()
    pane.view.refresh()
    pane.bar.search.wake()
    assert pane.wait_status(lambda s: "searching" not in s) == "1 of 3"


def test_no_match_and_summary_before_navigation(pane: Pane) -> None:
    pane.view.set_source(MemorySource(BODY))
    pane.find("zebra")
    assert pane.wait_status(lambda s: s and "searching" not in s) == "no matches"
    # a new body restarts the search
    pane.view.set_source(MemorySource(b"zebra\nZEBRA\n"))
    assert pane.wait_status(lambda s: s == "1 of 2") == "1 of 2"


def test_big_file_body_is_searched_in_two_processes(
    pane: Pane, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Over the split size a format worker searches the second half: same count, and
    the matches of both halves in order (the last one is reached by Shift+Enter)."""
    monkeypatch.setattr(search_module, "SPLIT_MIN", 1000)
    monkeypatch.setattr(search_module, "SPLIT_PROBE", 1)
    monkeypatch.setattr(search_module, "SPLIT_AFTER_S", 0.0)
    monkeypatch.setattr(search_module, "HELPER_START_S", 0.0)  # halves, exactly
    jobs: list[FormatJob] = []
    start = find_bar_module._find_helper

    def recorded(fd: int, size: int, spec: str) -> FormatJob:
        job = start(fd, size, spec)
        jobs.append(job)
        return job

    monkeypatch.setattr(find_bar_module, "_find_helper", recorded)
    path = tmp_path / "body.txt"
    data = b"".join(
        b"%05d %s\n" % (i, b"Alpha hit" if i % 100 == 7 else b"filler text") for i in range(60_000)
    )
    assert len(data) > BLOCK  # the first block alone, then the rest halved
    path.write_bytes(data)
    fd = os.open(path, os.O_RDONLY)
    source = FileSource(fd, len(data), complete=True)
    try:
        pane.view.set_source(source)
        pane.find("alpha HIT")
        pane.wait_status(lambda s: s == "1 of 600", timeout=20_000)
        assert len(jobs) == 1
        qtbot.keyClick(pane.bar.field, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
        assert pane.bar.status_text() == "600 of 600"
        assert "59907 Alpha hit" in pane.view.visible_text()
        last = data.rindex(b"Alpha hit")
        assert pane.view._current_match == (last, last + 9)
    finally:
        pane.bar.close_bar()
        pane.view.set_source(MemorySource(b""))
        source.close()
