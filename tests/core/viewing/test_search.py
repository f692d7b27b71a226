"""TextSearch: counts, offsets, options and errors on real bodies (memory, file, growing)."""

from __future__ import annotations

import os
import re
import tempfile

import pytest

from app.core.viewing.search import TextSearch
from app.core.viewing.source import FileSource, MemorySource


def _run(search: TextSearch) -> TextSearch:
    for _ in range(100_000):
        if search.step(0.01) and search.done:
            break
    assert search.done
    return search


def _expected(data: bytes, needle: bytes, *, fold: bool = False) -> list[tuple[int, int]]:
    hay = data.lower() if fold else data
    needle = needle.lower() if fold else needle
    found, pos = [], 0
    while (p := hay.find(needle, pos)) >= 0:
        found.append((p, p + len(needle)))
        pos = p + len(needle)
    return found


BODY = b"".join(b"line %d: Alpha beta GAMMA alpha\n" % i for i in range(5000))


@pytest.mark.parametrize("block", [7, 64, 4096, 1 << 22])
def test_literal_case_sensitive_across_block_boundaries(block: int) -> None:
    search = _run(TextSearch(MemorySource(BODY), "alpha", case_sensitive=True, block=block))
    assert search.matches == _expected(BODY, b"alpha")
    assert search.count == 5000
    assert search.error is None


@pytest.mark.parametrize("block", [7, 1 << 22])
def test_literal_ignoring_case(block: int) -> None:
    search = _run(TextSearch(MemorySource(BODY), "ALPHA", block=block))
    assert search.matches == _expected(BODY, b"alpha", fold=True)
    assert search.count == 10_000


def test_non_ascii_needle_ignoring_case() -> None:
    data = "Éclair, éclair, ÉCLAIR and eclair\n".encode() * 3
    search = _run(TextSearch(MemorySource(data), "éclair", block=10))
    assert search.count == 9
    texts = {data[s:e].decode() for s, e in search.matches}
    assert texts == {"Éclair", "éclair", "ÉCLAIR"}


def test_latin1_body_needle_in_its_encoding() -> None:
    data = "café CAFÉ\n".encode("latin-1")
    search = _run(TextSearch(MemorySource(data), "café", encoding="latin-1"))
    assert search.matches == [(0, 4), (5, 9)]


def test_cap_stores_some_but_counts_all() -> None:
    data = b"ab" * 10_000
    search = _run(TextSearch(MemorySource(data), "ab", case_sensitive=True, cap=100, block=999))
    assert search.count == 10_000
    assert search.stored == 100
    assert search.matches[:2] == [(0, 2), (2, 4)]


def test_regex_with_options_and_lines() -> None:
    search = _run(TextSearch(MemorySource(BODY), r"line \d*5: alpha", regex=True, block=1000))
    assert search.count == 500
    start, end = search.matches[0]
    assert BODY[start:end] == b"line 5: Alpha"
    sensitive = _run(
        TextSearch(MemorySource(BODY), r"^line \d*5: alpha", regex=True, case_sensitive=True)
    )
    assert sensitive.count == 0
    expected = [m.span() for m in re.finditer(rb"gamma", BODY, re.IGNORECASE)]
    assert _run(TextSearch(MemorySource(BODY), "gamma", regex=True, block=999)).matches == expected


def test_bad_regex_is_a_readable_error() -> None:
    search = TextSearch(MemorySource(BODY), "(unclosed", regex=True)
    assert search.done
    assert search.error is not None
    assert "missing )" in search.error
    assert "position 0" in search.error
    assert search.count == 0


def test_empty_pattern_finds_nothing() -> None:
    search = TextSearch(MemorySource(BODY), "")
    assert search.done
    assert search.count == 0


def test_growing_body_match_split_across_arrivals() -> None:
    source = MemorySource(complete=False)
    search = TextSearch(source, "needle", case_sensitive=True, block=16)
    pieces = [b"hay hay nee", b"dle hay ne", b"e", b"dle\nneedle", b" end"]
    for piece in pieces:
        source.append(piece)
        search.step(0.01)
        assert not search.done
    source.finish()
    _run(search)
    data = b"".join(pieces)
    assert search.matches == _expected(data, b"needle")
    assert search.count == 3


def test_growing_body_regex_waits_for_line_ends() -> None:
    source = MemorySource(b"id=1", complete=False)
    search = TextSearch(source, r"id=\d+", regex=True)
    search.step(0.01)
    source.append(b"23\nid=4")
    search.step(0.01)
    source.append(b"5\n")
    source.finish()
    _run(search)
    assert [source.read(s, e - s) for s, e in search.matches] == [b"id=123", b"id=45"]


def test_threaded_search_in_a_file_source() -> None:
    data = b"x" * 3_000_000 + b"the Needle\n" + b"y" * 3_000_000 + b"NEEDLE"
    with tempfile.TemporaryFile() as f:
        f.write(data)
        f.flush()
        source = FileSource(os.dup(f.fileno()), len(data), complete=True)
        try:
            search = TextSearch(source, "needle", block=1 << 20)
            search.start_thread()
            search.join(10)
            assert search.done
            assert search.matches == [(3_000_004, 3_000_010), (len(data) - 6, len(data))]
        finally:
            source.close()


def test_cancel_stops_the_thread() -> None:
    source = MemorySource(b"abc", complete=False)
    search = TextSearch(source, "zzz")
    search.start_thread()
    search.cancel()
    search.join(5)
    assert not search.done
