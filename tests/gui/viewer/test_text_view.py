"""TextView: visible rows from real bodies, folding, wrap, growth, selection, charsets."""

from __future__ import annotations

import codecs
import os
import tempfile
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from app.core.viewing.source import ByteSource, FileSource, MemorySource
from app.ui.viewer.highlight import Highlighter
from app.ui.viewer.text_view import CHUNK_BYTES, FOLD_BYTES, TextView


class CountingSource:
    """A ByteSource that counts the bytes views read through it."""

    def __init__(self, inner: ByteSource) -> None:
        self.inner = inner
        self.bytes_read = 0
        self.reads = 0

    def size(self) -> int:
        return self.inner.size()

    def read(self, offset: int, size: int) -> bytes:
        data = self.inner.read(offset, size)
        self.bytes_read += len(data)
        self.reads += 1
        return data

    def complete(self) -> bool:
        return self.inner.complete()


@pytest.fixture
def view(qtbot: QtBot) -> Iterator[TextView]:
    widget = TextView()
    qtbot.addWidget(widget)
    widget.resize(640, 300)
    widget.show()
    yield widget
    widget.close_source()


def _index_all(view: TextView) -> None:
    for _ in range(10_000):
        view.refresh()
        if view.index.caught_up() and view.source.complete():
            return
    raise AssertionError("never caught up")


def test_shows_lines_with_numbers(view: TextView) -> None:
    body = b'{\n  "name": "caf\xc3\xa9",\n  "n": 12\n}\n'
    view.set_source(MemorySource(body), language="json")
    assert view.visible_text() == '{\n  "name": "café",\n  "n": 12\n}'
    assert view.visible_gutter() == ["1", "2", "3", "4"]
    assert view.line_count() == 4
    assert view.line_text(1) == '  "name": "café",'


def test_only_visible_rows_are_read(view: TextView) -> None:
    lines = [f"line {i:06d} " + "payload " * 5 for i in range(200_000)]
    data = ("\n".join(lines) + "\n").encode()
    source = CountingSource(MemorySource(data))
    view.set_source(source)
    _index_all(view)
    assert view.line_count() == 200_000
    source.bytes_read = 0
    view.verticalScrollBar().setValue(123_456)
    text = view.visible_text()
    view.viewport().repaint()
    assert text.splitlines()[0] == lines[123_456]
    assert view.visible_gutter()[0] == "123457"
    # a screen of rows and the index granules around them: KBs, not the 10 MB body
    assert 0 < source.bytes_read < 200_000, source.bytes_read
    assert len(data) > 10_000_000


def test_growing_body_appends_and_follows_the_end(view: TextView) -> None:
    source = MemorySource(b"", complete=False)
    view.set_source(source)
    assert view.visible_text() == ""
    source.append(b"first\nsecond li")
    view.refresh()
    assert view.visible_text() == "first\nsecond li"
    source.append(b"ne\n")
    view.refresh()
    assert view.visible_text() == "first\nsecond line"
    # many more lines: the view stays at the top ...
    source.append(b"".join(b"row %d\n" % i for i in range(100)))
    view.refresh()
    assert view.visible_text().startswith("first\n")
    # ... until it is at the end: then it follows the body, as tail -f
    bar = view.verticalScrollBar()
    bar.setValue(bar.maximum())
    source.append(b"".join(b"more %d\n" % i for i in range(100)))
    source.append(b"the end")
    source.finish()
    view.refresh()
    assert view.visible_text().splitlines()[-1] == "the end"
    assert view.line_count() == 203


def test_huge_line_is_folded_with_a_marker_and_expands_on_click(
    view: TextView, qtbot: QtBot
) -> None:
    head = b"start" + b"0123456789" * 3_000_000 + b"tail!"
    body = b"before\n" + head + b"\nafter\n"
    source = CountingSource(MemorySource(body))
    view.set_source(source)
    _index_all(view)
    assert view.line_count() == 3
    text = view.visible_text().splitlines()
    assert text[0] == "before"
    assert text[1].startswith("start0123")
    assert "… 28.6 MiB more on this line — click or Ctrl+E to show all" in text[1]
    assert text[2] == "after"
    assert view.is_folded(1)
    # click the marker
    source.bytes_read = 0
    view.horizontalScrollBar().setValue(view.horizontalScrollBar().maximum())
    view.viewport().repaint()
    rect = next(r for r, line in view._marker_rects if line == 1)
    with qtbot.waitSignal(view.foldExpanded) as blocker:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == [1]
    assert view.is_expanded(1)
    rows = -(-len(head) // CHUNK_BYTES)
    assert view.row_count() == 2 + rows
    view.horizontalScrollBar().setValue(0)
    gutter = view.visible_gutter()
    assert gutter[:3] == ["1", "2", "↪"]
    # the end of the line: rows by arithmetic, read on demand
    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum())
    last_rows = view.visible_text().splitlines()
    assert last_rows[-1] == "after"
    assert last_rows[-2].endswith("tail!")
    assert source.bytes_read < 500_000, source.bytes_read
    # every byte of the line is shown, exactly once, across its rows
    shown = b"".join(view.source.read(*_span(view, 1, sub)) for sub in range(view._expanded[1] + 1))
    assert shown == head


def _span(view: TextView, line: int, sub: int) -> tuple[int, int]:
    start, end = view.index.line_span(line)
    lo, hi = view._row_bounds(line, sub, start, end)
    return lo, hi - lo


def test_expanded_utf8_rows_never_split_a_character(view: TextView) -> None:
    line = "é☕" * (FOLD_BYTES // 2)
    view.set_source(MemorySource(line.encode()))
    view.expand_line(0)
    texts = []
    for sub in range(view._expanded[0] + 1):
        lo, size = _span(view, 0, sub)
        texts.append(view.source.read(lo, size).decode("utf-8"))  # strict: no split char
    assert "".join(texts) == line


def test_ctrl_e_toggles_the_fold(view: TextView, qtbot: QtBot) -> None:
    view.set_source(MemorySource(b"x" * (FOLD_BYTES * 3)))
    assert view.is_folded(0)
    qtbot.keyClick(view, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert view.is_expanded(0)
    assert view.visible_gutter()[:4] == ["1", "↪", "↪", "↪"]
    qtbot.keyClick(view, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert view.is_folded(0)


def test_gutter_glyph_shows_and_toggles_the_fold(view: TextView, qtbot: QtBot) -> None:
    view.set_source(MemorySource(b"short\n" + b"y" * (FOLD_BYTES + 1) + b"\nend\n"))
    assert view.visible_folds() == ["", "▸", ""]
    view.viewport().repaint()
    rect = next(r for r, line in view._fold_rects if line == 1)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert view.is_expanded(1)
    assert view.visible_folds()[:3] == ["", "▾", ""]
    assert view.visible_gutter()[:4] == ["1", "2", "↪", "↪"]
    view.viewport().repaint()
    rect = next(r for r, line in view._fold_rects if line == 1)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert view.is_folded(1)


def test_word_wrap_changes_rows(view: TextView) -> None:
    long_line = " ".join(f"w{i:03d}" for i in range(100))
    view.set_source(MemorySource(f"short\n{long_line}\nend\n".encode()))
    assert view.visible_text().splitlines() == ["short", long_line, "end"]
    assert view.horizontalScrollBar().maximum() > 0
    view.set_word_wrap(True)
    rows = view.visible_text().splitlines()
    assert rows[0] == "short"
    assert len(rows) > 4
    assert "".join(rows[1:-1]) == long_line
    assert all(len(r) <= view._text_columns() for r in rows)
    assert view.visible_gutter()[:3] == ["1", "2", ""]
    view.set_word_wrap(False)
    assert view.visible_text().splitlines() == ["short", long_line, "end"]


def test_with_wrap_a_folded_line_fits_the_screen(view: TextView) -> None:
    line = "".join(f"{i:04d} " for i in range(900))  # 4,500 bytes: not folded without wrap
    view.set_source(MemorySource(f"{line}\nnext\n".encode()))
    assert not view.is_folded(0)
    view.set_word_wrap(True)
    assert view.is_folded(0)
    rows = view.visible_text().splitlines()
    assert rows[-2].startswith("… ")
    assert rows[-2].endswith("click or Ctrl+E to show all")
    assert rows[-1] == "next"
    assert len(rows) <= view._visible_rows() + 1
    view.expand_line(0)
    assert view.visible_gutter()[:3] == ["1", "↪", "↪"]
    # every row of the expanded line fits the width: the line is reachable by scrolling
    bar = view.verticalScrollBar()
    bar.setValue(bar.maximum())
    assert view.visible_text().splitlines()[-1] == "next"
    assert view.visible_text().splitlines()[-2].endswith("0899 ")


def test_scroll_to_offset_in_the_folded_part_expands_the_line(view: TextView) -> None:
    body = b"top\n" + b"a" * 100_000 + b"NEEDLE" + b"a" * 100_000 + b"\n"
    view.set_source(MemorySource(body))
    offset = body.index(b"NEEDLE")
    view.set_matches([offset], [offset + 6], (offset, offset + 6))
    view.scroll_to_offset(offset, offset + 6)
    assert view.is_expanded(1)
    assert "NEEDLE" in view.visible_text()


def test_mouse_selection_and_copy(view: TextView, qtbot: QtBot) -> None:
    view.set_source(MemorySource(b"alpha beta\ngamma delta\n"))
    view.viewport().repaint()
    x0 = view.gutter_width_px() + 6
    cw, lh = view._cw, view._lh
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x0 + 6 * cw, lh // 2))
    qtbot.mouseMove(view.viewport(), QPoint(x0 + 5 * cw, lh + lh // 2))
    qtbot.mouseRelease(
        view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x0 + 5 * cw, lh + lh // 2)
    )
    assert view.selection() == (6, 16)
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "beta\ngamma"
    qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert view.selection() == (6, 17)


def test_select_all_copies_and_a_huge_selection_is_limited(view: TextView, qtbot: QtBot) -> None:
    body = "héllo wörld\n".encode() * 1000
    view.set_source(MemorySource(body))
    qtbot.keyClick(view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    view.copy()
    assert QGuiApplication.clipboard().text() == body.decode()
    view.copy_limit = 996  # 71 lines and "h", then half an "é": the copy stops before it
    with qtbot.waitSignal(view.copyLimited) as blocker:
        view.copy()
    copied, total = blocker.args
    assert total == len(body)
    assert copied == 995
    assert QGuiApplication.clipboard().text() == body[:995].decode()


def test_latin1_body(view: TextView) -> None:
    view.set_source(MemorySource("café\nnaïve\n".encode("latin-1")), encoding="iso-8859-1")
    assert view.visible_text() == "café\nnaïve"


def test_invalid_utf8_bytes_show_replacement_characters(view: TextView) -> None:
    view.set_source(MemorySource(b"ok \xff\xfe end\ntab\there\x1b\n"))
    assert view.visible_text() == "ok \ufffd\ufffd end\ntab    here\u241b"


@pytest.mark.parametrize(
    ("bom", "encoding"),
    [(codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")],
)
def test_utf16_body_with_bom_growing_from_a_file(view: TextView, bom: bytes, encoding: str) -> None:
    text = "première ligne\r\nzweite Zeile ☕\n第三行"
    body = bom + text.encode(encoding)
    with tempfile.TemporaryFile() as f:
        f.write(body)
        f.flush()
        source = FileSource(os.dup(f.fileno()), 0, complete=False)
        try:
            view.set_source(source, encoding="utf-16")
            source.grow_to(len(body) // 2 + 1)  # half of a character has arrived
            view.refresh()
            source.grow_to(len(body))
            source.finish()
            _index_all(view)
            assert view.visible_text() == text.replace("\r\n", "\n")
            assert view.line_count() == 3
        finally:
            source.close()


def test_utf8_bom_is_not_shown(view: TextView) -> None:
    view.set_source(MemorySource(codecs.BOM_UTF8 + b"hello\n"))
    assert view.visible_text() == "hello"


def test_highlighter_colours_json_tokens() -> None:
    highlighter = Highlighter("json")
    spans = highlighter.spans(("k", 0), '  "key": "value", "n": 12, "t": true')
    coloured = {'  "key": "value", "n": 12, "t": true'[s : s + n] for s, n, _ in spans}
    assert {'"key"', '"value"', "12", "true"} <= coloured
    assert highlighter.spans(("k", 0), "anything") is spans  # cached per key
    assert Highlighter(None).spans(1, '"x"') == []
    assert not Highlighter("no-such-language").active


def test_coloured_runs_line_up_with_the_character_grid(view: TextView) -> None:
    """Runs of one colour are drawn separately at column × cell width: the font's
    advance must be that whole-pixel width, or gaps open between tokens (seen as
    '"Courier demo" ,' in the highlighted JSON)."""
    from PySide6.QtGui import QFontMetricsF

    metrics = QFontMetricsF(view.font())
    cell = metrics.horizontalAdvance("M")
    assert cell == int(cell)
    assert metrics.horizontalAdvance('"Courier demo",' * 8) == pytest.approx(15 * 8 * cell)
