"""Small, valid images for the demo server's ``/image/{format}`` routes.

Every format shows the same 64 x 48 picture (blue ground, an orange rectangle, a
green square, a light band), so a test can decode any of them and check the size
and a few pixels.  PNG and GIF are encoded here from :func:`pixel` (zlib, and a
plain LZW coder), SVG is text; JPEG and WebP are constants: Qt's encoders wrote
them from the PNG (``QImage.fromData(png()).save(buffer, "JPEG", 90)`` and
``"WEBP", 100``, which Qt writes lossless): JPEG's pixels are only close to the PNG's,
the other formats' are exact.
"""

from __future__ import annotations

import base64
import functools
import struct
import zlib
from collections.abc import Callable

WIDTH = 64
HEIGHT = 48

BLUE = (0x2B, 0x6C, 0xB0)
ORANGE = (0xF0, 0x8C, 0x28)
GREEN = (0x3C, 0xB4, 0x4B)
LIGHT = (0xF5, 0xF5, 0xF5)
PALETTE = (BLUE, ORANGE, GREEN, LIGHT)


def color_index(x: int, y: int) -> int:
    """Palette index of pixel (x, y): the picture every format shows."""
    if 8 <= x < 32 and 8 <= y < 28:
        return 1  # orange rectangle 24 x 20 at (8, 8)
    if 40 <= x < 56 and 8 <= y < 24:
        return 2  # green square 16 x 16 at (40, 8)
    if 36 <= y < 44:
        return 3  # light band across, rows 36-43
    return 0


def pixel(x: int, y: int) -> tuple[int, int, int]:
    return PALETTE[color_index(x, y)]


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


@functools.cache
def png() -> bytes:
    """An 8-bit RGB PNG (filter 0 on every row)."""
    rows = b"".join(
        b"\0" + b"".join(bytes(pixel(x, y)) for x in range(WIDTH)) for y in range(HEIGHT)
    )
    header = struct.pack(">IIBBBBB", WIDTH, HEIGHT, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(rows, 9))
        + _png_chunk(b"IEND", b"")
    )


def _lzw(indices: bytes, min_code_size: int) -> bytes:
    """GIF's variable-width LZW (codes packed least significant bit first)."""
    clear, end = 1 << min_code_size, (1 << min_code_size) + 1
    width = min_code_size + 1
    table: dict[bytes, int] = {bytes([i]): i for i in range(clear)}
    next_code = end + 1
    bits, nbits = 0, 0
    out = bytearray()

    def emit(code: int) -> None:
        nonlocal bits, nbits
        bits |= code << nbits
        nbits += width
        while nbits >= 8:
            out.append(bits & 0xFF)
            bits >>= 8
            nbits -= 8

    emit(clear)
    current = b""
    for value in indices:
        candidate = current + bytes([value])
        if candidate in table:
            current = candidate
            continue
        emit(table[current])
        if next_code < 4096:
            table[candidate] = next_code
            next_code += 1
            if next_code > (1 << width) and width < 12:
                width += 1
        else:  # table full: start over
            emit(clear)
            table = {bytes([i]): i for i in range(clear)}
            next_code, width = end + 1, min_code_size + 1
        current = bytes([value])
    if current:
        emit(table[current])
    emit(end)
    if nbits:
        out.append(bits & 0xFF)
    return bytes(out)


@functools.cache
def gif() -> bytes:
    """A GIF89a with a 4-colour global palette."""
    indices = bytes(color_index(x, y) for y in range(HEIGHT) for x in range(WIDTH))
    data = _lzw(indices, 2)
    blocks = b"".join(
        bytes([len(data[i : i + 255])]) + data[i : i + 255] for i in range(0, len(data), 255)
    )
    palette = b"".join(bytes(c) for c in PALETTE)
    return (
        b"GIF89a"
        + struct.pack("<HHBBB", WIDTH, HEIGHT, 0x81, 0, 0)  # global table of 2**(1+1) colours
        + palette
        + b"\x2c"
        + struct.pack("<HHHHB", 0, 0, WIDTH, HEIGHT, 0)
        + b"\x02"  # LZW minimum code size
        + blocks
        + b"\x00\x3b"
    )


def _hex(color: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*color)


@functools.cache
def svg() -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}"'
        f' viewBox="0 0 {WIDTH} {HEIGHT}">\n'
        "  <title>Courier demo image</title>\n"
        f'  <rect width="{WIDTH}" height="{HEIGHT}" fill="{_hex(BLUE)}"/>\n'
        f'  <rect x="8" y="8" width="24" height="20" fill="{_hex(ORANGE)}"/>\n'
        f'  <rect x="40" y="8" width="16" height="16" fill="{_hex(GREEN)}"/>\n'
        f'  <rect x="0" y="36" width="{WIDTH}" height="8" fill="{_hex(LIGHT)}"/>\n'
        "</svg>\n"
    ).encode()


_JPEG = (
    "/9j/4AAQSkZJRgABAQEAYABgAAD/2wBDAAMCAgMCAgMDAwMEAwMEBQgFBQQEBQoHBwYIDAoMDAsKCwsNDhIQDQ4R"
    "DgsLEBYQERMUFRUVDA8XGBYUGBIUFRT/2wBDAQMEBAUEBQkFBQkUDQsNFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQU"
    "FBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBT/wAARCAAwAEADASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAA"
    "AAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAk"
    "M2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKT"
    "lJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QA"
    "HwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdh"
    "cRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hp"
    "anN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk"
    "5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwDyqiivqWvreM+M/wDVH6v/ALP7X2vN9rlty8v92V783lax81wn"
    "wn/rP7f9/wCz9ny/Z5r83N/eja3L57ny1RX1LRX5r/xGb/qX/wDlX/7mfoH/ABCj/qO/8p//AG58tUUV7BX7FxHx"
    "H/q/7L91z8/N9q1rW8ne9z+dq1b2VtL3PH6K9grx+jhziP8A1g9r+65OTl+1e97+StawUa3tb6WsFfUtfLVepf8A"
    "C8P+oL/5N/8A2FfBeJnDea8Q/U/7Mo+09n7Tm96Mbc3Jb4mr3s9j9p8Ps/y3I/rX9oVeTn5LaSd7c9/hT7rc9Tor"
    "yz/heH/UF/8AJv8A+wo/4Xh/1Bf/ACb/APsK/D/+Ib8U/wDQJ/5PT/8Akz9g/wBfuHP+gr/ySp/8ieW17BXj9Ff1"
    "bxHw5/rB7L97ycnN9m97281a1j+Nq1H2ttbWPYK8fooo4c4c/wBX/a/vefn5fs2ta/m73uFGj7K+t7n2N/w7x/6n"
    "/wD8o3/3RR/w7x/6n/8A8o3/AN0Uf8PDv+pA/wDKz/8Ac9H/AA8O/wCpA/8AKz/9z1zf8ZD/AFyH3f8Awh/1zh/w"
    "7x/6n/8A8o3/AN0Uf8O8f+p//wDKN/8AdFH/AA8O/wCpA/8AKz/9z0f8PDv+pA/8rP8A9z0f8ZD/AFyB/wAIf9c4"
    "f8O8f+p//wDKN/8AdFH/AA7x/wCp/wD/ACjf/dFH/Dw7/qQP/Kz/APc9H/Dw7/qQP/Kz/wDc9H/GQ/1yB/wh/wBc"
    "4f8ADvH/AKn/AP8AKN/90Uf8O8f+p/8A/KN/90Uf8PDv+pA/8rP/ANz0f8PDv+pA/wDKz/8Ac9H/ABkP9cgf8If9"
    "c5//2Q=="
)

_WEBP = (
    "UklGRlIAAABXRUJQVlA4TEUAAAAvP8ALAB8gECB2HFsx5kVIQBz0/4YkKUICYowJNvmf9PmPuwuQgaJGkpQ1uSbH"
    "5PIxfCP6PwHygJyKAMDf1evdnq4v2wMA"
)


def jpeg() -> bytes:
    return base64.b64decode(_JPEG)


def webp() -> bytes:
    return base64.b64decode(_WEBP)


#: format name -> (content type, bytes)
IMAGES: dict[str, tuple[str, Callable[[], bytes]]] = {
    "png": ("image/png", png),
    "jpeg": ("image/jpeg", jpeg),
    "gif": ("image/gif", gif),
    "webp": ("image/webp", webp),
    "svg": ("image/svg+xml", svg),
}
