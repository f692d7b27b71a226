"""Charset detection, safe cuts, and UTF-16/32 bodies transcoded for the line index."""

from __future__ import annotations

import codecs

import pytest

from app.core.viewing.charset import (
    Charset,
    TranscodedSource,
    char_boundary,
    decode_for_display,
    detect_charset,
)
from app.core.viewing.line_index import LineIndex
from app.core.viewing.source import MemorySource


def _bom(encoding: str) -> bytes:
    name = "BOM_" + encoding.upper().replace("-", "_").replace("UTF_", "UTF")
    return bytes(getattr(codecs, name)) + "hi".encode(encoding)


@pytest.mark.parametrize(
    ("head", "declared", "expected"),
    [
        (codecs.BOM_UTF8 + b"hi", None, Charset("utf-8", 3, True, "bom")),
        (_bom("utf-16-le"), None, Charset("utf-16-le", 2, False, "bom")),
        (_bom("utf-16-be"), "utf-8", Charset("utf-16-be", 2, False, "bom")),
        (_bom("utf-32-le"), None, Charset("utf-32-le", 4, False, "bom")),
        (_bom("utf-32-be"), None, Charset("utf-32-be", 4, False, "bom")),
        ("café".encode("latin-1"), "ISO-8859-1", Charset("iso8859-1", 0, True, "declared")),
        (b"plain", '"Shift_JIS"', Charset("shift_jis", 0, True, "declared")),
        ("x".encode("utf-16-le"), "utf-16le", Charset("utf-16-le", 0, False, "declared")),
        ("café ☕".encode(), None, Charset("utf-8", 0, True, "detected")),
        ("café!".encode("latin-1"), None, Charset("cp1252", 0, True, "detected")),
        ("café!".encode("latin-1"), "no-such-charset", Charset("cp1252", 0, True, "detected")),
        (b"", None, Charset("utf-8", 0, True, "default")),
    ],
)
def test_detect_charset(head: bytes, declared: str | None, expected: Charset) -> None:
    assert detect_charset(head, declared) == expected


def test_utf8_cut_inside_a_character_at_the_end_of_the_head_is_still_utf8() -> None:
    head = ("a" * 10 + "☕").encode()[:-1]
    assert detect_charset(head, None).name == "utf-8"
    # but not when the head is the whole body: "café" in Latin-1 ends in a lone é
    assert detect_charset("café".encode("latin-1"), None, whole=True).name == "cp1252"


def test_char_boundary_never_splits_a_utf8_character() -> None:
    data = "aé☕😀b".encode()
    for pos in range(len(data) + 1):
        cut = char_boundary(data, pos, "utf-8")
        assert cut <= pos
        assert pos - cut <= 3
        data[:cut].decode("utf-8")  # both halves decode cleanly
        data[cut:].decode("utf-8")


def test_char_boundary_in_other_charsets() -> None:
    latin = "café".encode("latin-1")
    assert char_boundary(latin, 3, "latin-1") == 3
    sjis = "あいう".encode("shift_jis")  # two bytes each
    assert char_boundary(sjis, 3, "shift_jis") == 2
    assert char_boundary(sjis, 4, "shift_jis") == 4


def test_display_decoding_keeps_bad_bytes_one_to_one() -> None:
    data = b"ok \xff\xfe end"
    text = decode_for_display(data, "utf-8")
    assert len(text) == len(data)
    assert text.encode("utf-8", errors="surrogateescape") == data


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le"])
def test_transcoded_source_indexes_lines_of_a_growing_utf16_body(encoding: str) -> None:
    text = "première ligne\r\nzweite Zeile ☕\n第三行 😀\nlast"
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}.get(
        encoding, codecs.BOM_UTF32_LE
    )
    body = bom + text.encode(encoding)
    charset = detect_charset(body[:64], None)
    assert not charset.ascii_compatible
    raw = MemorySource(complete=False)
    source = TranscodedSource(raw, charset.name, bom=charset.bom)
    index = LineIndex(source)
    try:
        # arrive in odd-sized pieces that cut characters in half
        for i in range(0, len(body), 7):
            raw.append(body[i : i + 7])
            source.pump(0.01)
            index.extend(0.01)
        raw.finish()
        assert source.pump(0.01)
        index.extend(0.01)
        assert source.complete()
        lines = []
        for n in range(index.line_count()):
            start, end = index.line_span(n)
            lines.append(source.read(start, end - start).decode("utf-8"))
        assert lines == text.splitlines()
    finally:
        source.close()


def test_transcoded_source_replaces_a_truncated_tail() -> None:
    raw = MemorySource("ab".encode("utf-16-le") + b"\x00", complete=True)
    source = TranscodedSource(raw, "utf-16-le")
    try:
        assert source.pump(0.01)
        assert source.read(0, 100).decode("utf-8") == "ab\ufffd"
    finally:
        source.close()
