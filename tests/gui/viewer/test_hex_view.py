"""Hex view: lazy reads of a 1 GB file, live growth, selection and copy as hex."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from app.core.viewing.source import FileSource, MemorySource
from app.ui.viewer.hex_view import BYTES_PER_ROW, HexView

pytestmark = pytest.mark.gui

GB = 1024**3


class CountingSource(FileSource):
    """A FileSource that records every read."""

    def __init__(self, fd: int, size: int) -> None:
        super().__init__(fd, size, complete=True)
        self.reads: list[tuple[int, int]] = []

    def read(self, offset: int, size: int) -> bytes:
        self.reads.append((offset, size))
        return super().read(offset, size)


@pytest.fixture
def sparse_gb(tmp_path: Path) -> Iterator[CountingSource]:
    path = tmp_path / "big.bin"
    with path.open("wb") as f:
        f.write(b"HEAD\x00\x01\x02")
        f.truncate(GB)
        f.seek(GB - 16)
        f.write(b"the last row!\xff\xfe\n")
    source = CountingSource(os.open(path, os.O_RDONLY), GB)
    yield source
    source.close()


def make_view(qtbot: QtBot) -> HexView:
    view = HexView()
    qtbot.addWidget(view)
    view.resize(700, 400)
    view.show()
    return view


def test_gigabyte_file_is_read_only_where_visible(qtbot: QtBot, sparse_gb: CountingSource) -> None:
    view = make_view(qtbot)
    view.set_source(sparse_gb)
    assert view.row_count() == GB // BYTES_PER_ROW
    sparse_gb.reads.clear()
    view.grab()  # paints
    assert sparse_gb.reads, "a paint reads the visible rows"
    visible_bytes = (view.viewport().height() // view.fontMetrics().height() + 2) * BYTES_PER_ROW
    assert sum(size for _, size in sparse_gb.reads) <= visible_bytes
    assert all(offset < visible_bytes for offset, _ in sparse_gb.reads)
    assert view.row_text(0).startswith("00000000  48 45 41 44 00 01 02 00")
    assert view.row_text(0).endswith("HEAD............")

    sparse_gb.reads.clear()
    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum())
    view.grab()
    assert sum(size for _, size in sparse_gb.reads) <= visible_bytes
    assert max(offset + size for offset, size in sparse_gb.reads) >= GB - 16
    last = view.row_text(view.row_count() - 1)
    assert last.startswith("3ffffff0  74 68 65 20 6c 61 73 74  20 72 6f 77 21 ff fe 0a")
    assert last.endswith("the last row!...")


def test_grows_live(qtbot: QtBot) -> None:
    source = MemorySource(b"abc", complete=False)
    view = make_view(qtbot)
    view.set_source(source)
    assert view.row_count() == 1
    source.append(bytes(range(256)) * 100)
    assert view.row_count() == 1  # until refresh
    view.refresh()
    assert view.row_count() == -(-(3 + 25600) // 16)
    assert view.verticalScrollBar().maximum() > 0
    assert view.row_text(1).startswith("00000010  0d 0e 0f 10")


def test_select_with_the_mouse_and_copy_as_hex(qtbot: QtBot) -> None:
    source = MemorySource(b"0123456789abcdefHello, world! \x00\xff")
    view = make_view(qtbot)
    view.set_source(source)
    line = view.fontMetrics().height()
    # drag on row 1 from its first byte to its fifth, in the hex column
    y = line + line // 2
    start_x = view._hex_x(0) + 2
    end_x = view._hex_x(4) + 2
    QTest.mousePress(
        view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier(0), QPoint(start_x, y)
    )
    QTest.mouseMove(view.viewport(), QPoint(end_x, y))
    QTest.mouseRelease(
        view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier(0), QPoint(end_x, y)
    )
    assert view.selection() == (16, 21)
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "48 65 6c 6c 6f"

    view.select_range(29, 32)
    assert view.copy_selection() == "20 00 ff"
    QTest.keyClick(view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert view.selection() == (0, 32)


def test_go_to_offset_scrolls_there(qtbot: QtBot) -> None:
    source = MemorySource(bytes(1_000_000))
    view = make_view(qtbot)
    view.set_source(source)
    view.go_to_offset(0x80000)
    first = view.first_visible_row()
    assert first <= 0x8000 < first + view.viewport().height() // view.fontMetrics().height()
    assert view.selection() == (0x80000, 0x80001)
