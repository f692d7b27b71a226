"""LineIndex: line spans match str.splitlines on real bodies, growing or not."""

from __future__ import annotations

import os
import tempfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.viewing.line_index import LineIndex, nth_newline
from app.core.viewing.source import FileSource, MemorySource

# text without any character str.splitlines treats as a line break
_LINE_TEXT = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs",),
        blacklist_characters="\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029",
    ),
    max_size=40,
)


def _body(lines: list[str], crlf: list[bool], trailing: bool) -> str:
    out = []
    for i, line in enumerate(lines):
        out.append(line)
        if i < len(lines) - 1 or trailing:
            out.append("\r\n" if crlf[i % len(crlf)] else "\n")
    return "".join(out)


def _lines_of(index: LineIndex, data: bytes) -> list[str]:
    result = []
    for n in range(index.line_count()):
        start, end = index.line_span(n)
        result.append(data[start:end].decode("utf-8"))
    return result


@settings(derandomize=True, max_examples=200, deadline=None)
@given(
    lines=st.lists(_LINE_TEXT, max_size=60),
    crlf=st.lists(st.booleans(), min_size=1, max_size=5),
    trailing=st.booleans(),
    granule=st.sampled_from([1, 4, 16, 64]),
    pieces=st.integers(min_value=1, max_value=7),
)
def test_spans_match_splitlines(
    lines: list[str], crlf: list[bool], trailing: bool, granule: int, pieces: int
) -> None:
    text = _body(lines, crlf, trailing)
    data = text.encode("utf-8")
    source = MemorySource(complete=False)
    index = LineIndex(source, granule=granule, block=granule * 2)
    # the body arrives in pieces; the index is extended between them
    step = max(1, len(data) // pieces)
    for i in range(0, len(data), step):
        source.append(data[i : i + step])
        index.extend(0.0)
    source.finish()
    while not index.extend(0.0):
        pass
    expected = text.splitlines()
    assert index.line_count() == len(expected)
    assert _lines_of(index, data) == expected
    # the batch form a paint uses agrees with line_span
    for first in range(0, index.line_count() + 1, 3):
        batch = index.line_spans(first, 7)
        assert batch == [index.line_span(n) for n in range(first, min(first + 7, len(expected)))]
    # line_of maps every byte of a line (and its terminator) back to it
    for n in range(index.line_count()):
        start, end = index.line_span(n)
        assert index.line_of(start) == n
        assert index.line_of(end) == n  # the \r or \n after it belongs to it too
        if end > start:
            assert index.line_of(end - 1) == n


def test_empty_body_has_no_lines() -> None:
    index = LineIndex(MemorySource(b""))
    assert index.extend(0.01)
    assert index.line_count() == 0
    with pytest.raises(IndexError):
        index.line_span(0)


def test_unterminated_last_line_grows() -> None:
    source = MemorySource(b"first\nsec", complete=False)
    index = LineIndex(source)
    index.extend(0.01)
    assert index.line_count() == 2
    assert index.line_span(1) == (6, 9)
    source.append(b"ond line")
    index.extend(0.01)
    assert index.line_count() == 2
    assert index.line_span(1) == (6, 17)
    source.append(b"\r\nthird")
    index.extend(0.01)
    assert index.line_count() == 3
    assert index.line_span(1) == (6, 17)  # the \r is not part of the line
    assert index.line_span(2) == (19, 24)


def test_many_lines_in_a_file_source_with_sparse_checkpoints() -> None:
    lines = [f"line {i} " + "x" * (i % 37) for i in range(50_000)]
    data = ("\n".join(lines) + "\n").encode()
    with tempfile.TemporaryFile() as f:
        f.write(data)
        f.flush()
        source = FileSource(os.dup(f.fileno()), len(data), complete=True)
        try:
            index = LineIndex(source, granule=4096, block=64 * 1024)
            while not index.extend(0.01):
                pass
            assert index.line_count() == 50_000
            # far fewer checkpoints than lines: one per granule
            assert index.checkpoint_count() <= len(data) // 4096 + 2
            assert index.line_spans(49_990, 20) == [
                index.line_span(n) for n in range(49_990, 50_000)
            ]
            for n in (0, 1, 4095, 4096, 12_345, 49_999):
                start, end = index.line_span(n)
                assert data[start:end].decode() == lines[n]
                assert index.line_of(start + 3) == n
        finally:
            source.close()


def test_one_huge_line_is_one_line() -> None:
    data = b"a" * (5 * 1024 * 1024 + 7)
    index = LineIndex(MemorySource(data), block=1024 * 1024)
    while not index.extend(0.0):
        pass
    assert index.line_count() == 1
    assert index.line_span(0) == (0, len(data))
    assert index.line_of(len(data) - 1) == 0
    assert index.checkpoint_count() == 1


def test_line_spans_over_lines_longer_than_its_window() -> None:
    data = b"a\n" + b"x" * 100_000 + b"\r\nb\n\n" + b"y" * 70_000
    index = LineIndex(MemorySource(data), granule=4096)
    index.extend(1.0)
    expected = [index.line_span(n) for n in range(5)]
    assert [data[s:e].decode() for s, e in expected] == data.decode().splitlines()
    for first in range(5):
        assert index.line_spans(first, 10) == expected[first:]


def test_dense_empty_lines_use_the_count_bisection() -> None:
    data = b"\n" * 20_000 + b"end"
    index = LineIndex(MemorySource(data), granule=16 * 1024)
    index.extend(1.0)
    assert index.line_count() == 20_001
    assert index.line_span(19_999) == (19_999, 19_999)
    assert index.line_span(20_000) == (20_000, 20_003)
    assert index.line_of(15_000) == 15_000


@pytest.mark.parametrize("k", [1, 5, 33, 100, 999])
def test_nth_newline(k: int) -> None:
    buf = b"ab\n" * 500 + b"\n" * 600
    expected = -1
    seen = 0
    for i, c in enumerate(buf):
        if c == 10:
            seen += 1
            if seen == k:
                expected = i
                break
    assert nth_newline(buf, k) == expected
    assert nth_newline(buf, 5000) == -1
