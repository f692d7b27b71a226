"""Image view: real PNG, JPEG, GIF, WebP and SVG bodies decoded with their dimensions
shown; bodies that do not decode, too large ones and growing ones say so."""

from __future__ import annotations

import struct
from collections.abc import Callable

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from app.core.viewing.source import MemorySource
from app.ui.viewer import image_view
from app.ui.viewer.image_view import ImageView

pytestmark = pytest.mark.gui


def encoded(fmt: str, width: int, height: int) -> bytes:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#3366cc"))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert image.save(buffer, fmt), f"Qt cannot write {fmt}"
    buffer.close()
    return bytes(data.data())


def gif(width: int, height: int) -> bytes:
    """A GIF89a written by hand (Qt has no GIF writer): 9-bit LZW codes, a clear code
    every 250 pixels so the code width never grows."""
    pixels = [(x // 4 + y // 4) % 2 for y in range(height) for x in range(width)]
    clear, end = 128, 129
    codes: list[int] = []
    for i in range(0, len(pixels), 250):
        codes.append(clear)
        codes.extend(pixels[i : i + 250])
    codes.append(end)
    bits = 0
    nbits = 0
    packed = bytearray()
    for code in codes:
        bits |= code << nbits
        nbits += 9
        while nbits >= 8:
            packed.append(bits & 0xFF)
            bits >>= 8
            nbits -= 8
    if nbits:
        packed.append(bits & 0xFF)
    blocks = b"".join(
        bytes([len(packed[i : i + 255])]) + packed[i : i + 255] for i in range(0, len(packed), 255)
    )
    palette = bytes([255, 255, 255, 0, 0, 0]) + bytes(3 * 126)
    return (
        b"GIF89a"
        + struct.pack("<HHBBB", width, height, 0xF6, 0, 0)  # global table of 128 colours
        + palette
        + b"\x2c"
        + struct.pack("<HHHHB", 0, 0, width, height, 0)
        + bytes([7])  # LZW minimum code size
        + blocks
        + b"\x00\x3b"
    )


SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="120" height="45">'
    b'<rect width="120" height="45" fill="#c33"/></svg>'
)


def make_view(qtbot: QtBot) -> ImageView:
    view = ImageView()
    qtbot.addWidget(view)
    view.resize(640, 480)
    view.show()
    return view


@pytest.mark.parametrize(
    ("name", "make", "size"),
    [
        ("PNG", lambda: encoded("PNG", 64, 48), QSize(64, 48)),
        ("JPEG", lambda: encoded("JPEG", 33, 17), QSize(33, 17)),
        ("WEBP", lambda: encoded("WEBP", 20, 30), QSize(20, 30)),
        ("GIF", lambda: gif(37, 23), QSize(37, 23)),
        ("SVG", lambda: SVG, QSize(120, 45)),
    ],
)
def test_formats_decode_with_dimensions(
    qtbot: QtBot, name: str, make: Callable[[], bytes], size: QSize
) -> None:
    body = make()
    view = make_view(qtbot)
    view.set_source(MemorySource(body))
    assert view.error() == ""
    assert view.image_size() == size
    assert view.image_format_name() == name
    caption = view.caption.text()
    assert caption.startswith(f"{name} · {size.width()} × {size.height()} · ")
    assert caption.endswith(f"{len(body)} B") or "KiB" in caption
    assert view.displayed_size() == size  # small images are shown at 100% even when fitting


def test_fit_shrinks_a_large_image_and_100_percent_does_not(qtbot: QtBot) -> None:
    view = make_view(qtbot)
    view.set_source(MemorySource(encoded("PNG", 3000, 1500)))
    assert view.image_size() == QSize(3000, 1500)
    fitted = view.displayed_size()
    assert fitted.width() <= view.scroll_area.viewport().width()
    assert fitted.width() == pytest.approx(2 * fitted.height(), abs=2)
    view.fit_button.click()
    assert view.displayed_size() == QSize(3000, 1500)


def test_growing_body_waits_until_complete(qtbot: QtBot) -> None:
    png = encoded("PNG", 10, 10)
    source = MemorySource(png[:20], complete=False)
    view = make_view(qtbot)
    view.set_source(source)
    assert view.caption.text().startswith("Receiving image")
    assert not view.image_size().isValid()
    source.append(png[20:])
    source.finish()
    view.refresh()
    assert view.image_size() == QSize(10, 10)


@pytest.mark.parametrize(
    "body",
    [
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,  # a PNG signature and nonsense
        b"this is not an image at all",
        b'<svg xmlns="http://www.w3.org/2000/svg"><rect',  # cut off
        encoded("JPEG", 50, 50)[:5],
    ],
)
@pytest.mark.qt_log_ignore("JPEG datastream")  # libjpeg's own complaint about the cut body
def test_bodies_that_do_not_decode_say_so(qtbot: QtBot, body: bytes) -> None:
    view = make_view(qtbot)
    view.set_source(MemorySource(body))
    assert view.error()
    assert view.caption.text() == view.error()
    assert not view.image_size().isValid()
    assert view.displayed_size() == QSize()
    assert not view.fit_button.isEnabled()


def test_too_large_body_is_not_decoded(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(image_view, "SIZE_LIMIT", 100)
    png = encoded("PNG", 40, 40)
    assert len(png) > 100
    view = make_view(qtbot)
    view.set_source(MemorySource(png))
    assert view.error().startswith("Image too large to show")
    assert not view.image_size().isValid()


def test_decompression_bomb_is_refused(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(image_view, "PIXEL_LIMIT", 100 * 100)
    view = make_view(qtbot)
    view.set_source(MemorySource(encoded("PNG", 101, 100)))
    assert "too large to show" in view.error()
    view.set_source(MemorySource(encoded("PNG", 100, 100)))
    assert view.image_size() == QSize(100, 100)
