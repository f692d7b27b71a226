"""A find over a mappable file (a format worker's output, such as the Pretty view's
text) scans the file mapped in place: the same matches as a search of the bytes in
memory, across block and window boundaries, while the file grows, past the cap."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.viewing import search as search_module
from app.core.viewing.search import TextSearch
from app.core.viewing.source import FileSource, MemorySource


class _MappedOnly(FileSource):
    """A mappable file whose bytes cannot be read by copying: a search that finds
    anything in it scanned the map."""

    def read(self, offset: int, size: int) -> bytes:
        raise AssertionError("read instead of mapped")

    def read_into(self, offset: int, buffer: memoryview) -> int:
        raise AssertionError("copied instead of mapped")


def _run(search: TextSearch) -> TextSearch:
    for _ in range(100_000):
        if search.step(0.01) and search.done:
            break
    assert search.done
    assert search.error is None
    return search


def _reference(data: bytes, pattern: str, *, case_sensitive: bool, cap: int) -> TextSearch:
    return _run(TextSearch(MemorySource(data), pattern, case_sensitive=case_sensitive, cap=cap))


@pytest.fixture
def small_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    """A map of two pages at a time: blocks cross windows all the time."""
    monkeypatch.setattr(search_module, "WINDOW", 8192)


def _file(data: bytes) -> Iterator[int]:
    with tempfile.TemporaryFile() as f:
        f.write(data)
        f.flush()
        yield os.dup(f.fileno())


BODY = b"".join(b'  "id": "%08d-0001", "name": "Needle-at the end"\n' % i for i in range(3000))


@pytest.mark.usefixtures("small_windows")
@pytest.mark.parametrize("case_sensitive", [False, True])
@pytest.mark.parametrize("block", [100, 4096, 20_000])
def test_a_mapped_file_is_searched_in_place(case_sensitive: bool, block: int) -> None:
    for fd in _file(BODY):
        source = _MappedOnly(fd, len(BODY), complete=True, mappable=True)
        try:
            found = _run(
                TextSearch(
                    source, "needle-AT", case_sensitive=case_sensitive, block=block, mapped=True
                )
            )
        finally:
            source.close()
        expected = _reference(BODY, "needle-AT", case_sensitive=case_sensitive, cap=100_000)
        assert found.count == expected.count == (0 if case_sensitive else 3000)
        assert found.matches == expected.matches


@pytest.mark.usefixtures("small_windows")
def test_past_the_cap_a_mapped_file_still_counts_every_match() -> None:
    for fd in _file(BODY):
        source = _MappedOnly(fd, len(BODY), complete=True, mappable=True)
        try:
            for pattern, case_sensitive in (("NEEDLE-at", False), ("Needle-at", True)):
                found = _run(
                    TextSearch(
                        source,
                        pattern,
                        case_sensitive=case_sensitive,
                        cap=7,
                        block=999,
                        mapped=True,
                    )
                )
                assert found.count == 3000
                assert found.stored == 7
                assert (
                    found.matches
                    == _reference(BODY, pattern, case_sensitive=case_sensitive, cap=7).matches
                )
        finally:
            source.close()


@pytest.mark.usefixtures("small_windows")
def test_a_growing_mapped_file_is_searched_as_it_grows() -> None:
    with tempfile.TemporaryFile() as f:
        source = FileSource(os.dup(f.fileno()), 0, mappable=True)
        search = TextSearch(source, "needle-at", block=1000, mapped=True)
        try:
            for start in range(0, len(BODY), 777):  # a match split across two writes
                piece = BODY[start : start + 777]
                f.write(piece)
                f.flush()
                source.grow_to(start + len(piece))
                search.step(0.01)
            source.finish()
            _run(search)
        finally:
            source.close()
    assert search.count == 3000
    assert (
        search.matches == _reference(BODY, "needle-at", case_sensitive=False, cap=100_000).matches
    )


def test_a_file_that_may_shrink_is_never_mapped() -> None:
    for fd in _file(BODY):
        source = FileSource(fd, len(BODY), complete=True)
        try:
            assert source.mapping(0, 100) is None
            mappable = FileSource(os.dup(fd), len(BODY), complete=True, mappable=True)
            try:
                got = mappable.mapping(5000, 100)
                assert got is not None
                window, at = got
                assert window[at : at + 100] == BODY[5000:5100]
                window.close()
                assert mappable.mapping(len(BODY), 10) is None, "nothing past the size"
            finally:
                mappable.close()
            assert mappable.mapping(0, 10) is None, "closed"
        finally:
            source.close()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.binary(max_size=20_000).map(lambda b: bytes(b"aAbB-_ \n"[x % 8] for x in b)),
    needle=st.text(alphabet="aAbB-_ ", min_size=1, max_size=6),
    case_sensitive=st.booleans(),
    block=st.integers(min_value=1, max_value=5000),
    cap=st.integers(min_value=1, max_value=50),
)
def test_same_matches_mapped_as_in_memory(
    data: bytes, needle: str, case_sensitive: bool, block: int, cap: int
) -> None:
    original = search_module.WINDOW
    search_module.WINDOW = 4096  # windows smaller than some blocks
    try:
        for fd in _file(data):
            source = FileSource(fd, len(data), complete=True, mappable=True)
            try:
                found = _run(
                    TextSearch(
                        source,
                        needle,
                        case_sensitive=case_sensitive,
                        block=block,
                        cap=cap,
                        mapped=True,
                    )
                )
            finally:
                source.close()
    finally:
        search_module.WINDOW = original
    expected = _reference(data, needle, case_sensitive=case_sensitive, cap=cap)
    assert found.count == expected.count
    assert found.matches == expected.matches


def test_ignoring_case_an_ascii_needle_is_found_in_the_lowered_copy() -> None:
    """A source with a lowered copy (a JSON Pretty text) is searched there for an ASCII
    needle ignoring case; a case-sensitive needle or a regex search the text itself.
    (The copy here differs at its first match, to tell which one was searched.)"""
    first = BODY.find(b"Needle-at")
    lowered_text = BODY.lower()
    lowered_text = lowered_text[:first] + b"xxxxxx" + lowered_text[first + 6 :]
    for fd in _file(BODY):
        for lowered_fd in _file(lowered_text):
            source = FileSource(fd, len(BODY), complete=True, mappable=True)
            source.lowered = FileSource(lowered_fd, len(BODY), complete=True, mappable=True)
            try:
                folded = _run(TextSearch(source, "NEEDLE-at", mapped=True))
                assert folded.count == 2999, "searched in the lowered copy"
                assert folded.matches[0][0] > first
                assert '"case_sensitive": true' in folded.spec()
                assert '"pattern": "needle-at"' in folded.spec()
                exact = _run(TextSearch(source, "Needle-at", case_sensitive=True, mapped=True))
                assert exact.count == 3000, "a case-sensitive needle: the text itself"
                regex = _run(TextSearch(source, "needle.at", regex=True))
                assert regex.count == 3000, "a regex: the text itself"
            finally:
                source.lowered.close()
                source.close()
