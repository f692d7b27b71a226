"""A big body's find split with a helper process: the same matches, in order."""

from __future__ import annotations

import json
import os
import random
import tempfile
from collections.abc import Iterator

import pytest

from app.core.viewing import search as search_module
from app.core.viewing.search import HelperStarter, RangeHelper, TextSearch
from app.core.viewing.source import FileSource
from app.services.format_jobs import FormatJob


def _started(jobs: list[FormatJob]) -> HelperStarter:
    def start(fd: int, size: int, spec: str) -> FormatJob:
        job = FormatJob.start("find", fd, readable=size, complete=True, expression=spec)
        jobs.append(job)
        return job

    return start


def _split_small_bodies(monkeypatch: pytest.MonkeyPatch) -> None:
    """Split after the first block, whatever the size and speed."""
    monkeypatch.setattr(search_module, "SPLIT_MIN", 1000)
    monkeypatch.setattr(search_module, "SPLIT_PROBE", 1)
    monkeypatch.setattr(search_module, "SPLIT_AFTER_S", 0.0)
    monkeypatch.setattr(search_module, "HELPER_START_S", 0.0)  # halves, exactly


@pytest.fixture(params=[False, True], ids=["read", "mapped"])
def body(request: pytest.FixtureRequest) -> Iterator[tuple[bytes, FileSource]]:
    """The body in a file, read by copies or (a format worker's output) mapped."""
    yield from _body_file(mappable=request.param)


@pytest.fixture
def read_body() -> Iterator[tuple[bytes, FileSource]]:
    """The body in a file that cannot be mapped (this thread searches a part)."""
    yield from _body_file(mappable=False)


def _body_file(*, mappable: bool) -> Iterator[tuple[bytes, FileSource]]:
    rng = random.Random(9)
    words = [b"alpha", b"Needle-At", b"x-1", b"needle-at", b"NEEDLE-AT", b"bravo\n"]
    data = b" ".join(rng.choice(words) for _ in range(120_000))
    with tempfile.TemporaryFile() as f:
        f.write(data)
        f.flush()
        source = FileSource(os.dup(f.fileno()), len(data), complete=True, mappable=mappable)
        try:
            yield data, source
        finally:
            source.close()


def _helpers(source: FileSource) -> int:
    """Helper processes a split starts: the rest of a mappable file goes to two, which
    scan it mapped; else its second half goes to one and this thread searches the first."""
    return 2 if source.mappable else 1


def _threaded(search: TextSearch) -> TextSearch:
    search.start_thread()
    search.join(60)
    assert search.done
    assert search.error is None
    return search


def test_split_finds_what_one_thread_finds(
    body: tuple[bytes, FileSource], monkeypatch: pytest.MonkeyPatch
) -> None:
    data, source = body
    _split_small_bodies(monkeypatch)
    jobs: list[FormatJob] = []
    alone = _threaded(TextSearch(source, "needle-at", block=4096))
    split = _threaded(TextSearch(source, "needle-at", block=4096, helper=_started(jobs)))
    # the second half went to a helper process; a mappable file's both halves
    assert len(jobs) == _helpers(source)
    assert all(job.done and job.error is None for job in jobs)
    assert split.count == alone.count == data.lower().count(b"needle-at")
    assert split.matches == alone.matches
    middle = 4096 + (len(data) - 4096) // 2
    assert split.matches[0][0] < middle <= split.matches[-1][0]  # from both halves


def test_match_across_the_middle_is_found_once(monkeypatch: pytest.MonkeyPatch) -> None:
    _split_small_bodies(monkeypatch)
    data = b"x" * 10508 + b"NEEDLE-at" + b"y" * 9995
    # the first block (512) alone, then the rest halved: the needle straddles 10512
    with tempfile.TemporaryFile() as f:
        f.write(data)
        f.flush()
        source = FileSource(os.dup(f.fileno()), len(data), complete=True)
        jobs: list[FormatJob] = []
        try:
            split = _threaded(TextSearch(source, "needle-at", block=512, helper=_started(jobs)))
        finally:
            source.close()
    assert len(jobs) == 1
    assert split.matches == [(10508, 10517)]
    assert split.count == 1


def test_cap_counts_both_halves(
    body: tuple[bytes, FileSource], monkeypatch: pytest.MonkeyPatch
) -> None:
    data, source = body
    _split_small_bodies(monkeypatch)
    jobs: list[FormatJob] = []
    split = _threaded(
        TextSearch(source, "bravo", case_sensitive=True, cap=50, block=65536, helper=_started(jobs))
    )
    assert len(jobs) == _helpers(source)
    assert split.count == data.count(b"bravo")
    assert split.stored == 50


def test_a_failing_helper_leaves_the_search_to_this_thread(
    body: tuple[bytes, FileSource], monkeypatch: pytest.MonkeyPatch
) -> None:
    data, source = body
    _split_small_bodies(monkeypatch)
    jobs: list[FormatJob] = []

    def broken(fd: int, size: int, spec: str) -> FormatJob:  # a spec the worker rejects
        job = FormatJob.start("find", fd, readable=size, complete=True, expression="{}")
        jobs.append(job)
        return job

    split = _threaded(TextSearch(source, "NEEDLE-at", block=65536, helper=broken))
    assert len(jobs) == _helpers(source)
    assert all(job.error is not None for job in jobs)
    assert split.count == data.lower().count(b"needle-at")


def test_needles_that_overlap_themselves_are_not_split(
    body: tuple[bytes, FileSource], monkeypatch: pytest.MonkeyPatch
) -> None:
    data, source = body
    _split_small_bodies(monkeypatch)
    jobs: list[FormatJob] = []
    whole = _threaded(TextSearch(source, "a a", block=65536, helper=_started(jobs)))
    assert jobs == []
    assert whole.count == data.lower().count(b"a a")


def test_a_fast_scan_is_not_split(
    body: tuple[bytes, FileSource], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rare anchor scans 1 GB in ~0.15 s: a process start would cost more than it saves."""
    data, source = body
    _split_small_bodies(monkeypatch)
    monkeypatch.setattr(search_module, "SPLIT_AFTER_S", 3600.0)
    jobs: list[FormatJob] = []
    alone = _threaded(TextSearch(source, "needle-at", block=4096, helper=_started(jobs)))
    assert jobs == []
    assert alone.count == data.lower().count(b"needle-at")


def test_this_half_is_longer_by_the_helpers_start_up(
    read_body: tuple[bytes, FileSource], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A slow helper start: this thread takes up to three quarters; same matches."""
    data, source = read_body
    _split_small_bodies(monkeypatch)
    monkeypatch.setattr(search_module, "HELPER_START_S", 60.0)
    jobs: list[FormatJob] = []
    starts: list[int] = []
    start = _started(jobs)

    def recorded(fd: int, size: int, spec: str) -> RangeHelper:
        starts.append(json.loads(spec)["start"])
        return start(fd, size, spec)

    alone = _threaded(TextSearch(source, "Needle-at", block=4096))
    split = _threaded(TextSearch(source, "Needle-at", block=4096, helper=recorded))
    assert len(jobs) == 1
    assert starts == [4096 + int((len(data) - 4096) * 0.75)]
    assert split.matches == alone.matches
    assert split.count == alone.count == data.lower().count(b"needle-at")


def test_a_mapped_file_goes_to_two_helpers_and_the_second_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Both halves of a mappable file go to helpers (each its ``start``/``stop``);
    when the second fails, this thread searches its part: every match, in order."""
    _split_small_bodies(monkeypatch)
    data = b"".join(b"line %d Needle-At\n" % i for i in range(20_000))
    with tempfile.TemporaryFile() as f:
        f.write(data)
        f.flush()
        source = FileSource(os.dup(f.fileno()), len(data), complete=True, mappable=True)
        jobs: list[FormatJob] = []
        parts: list[tuple[int, int]] = []
        start = _started(jobs)

        def second_fails(fd: int, size: int, spec: str) -> RangeHelper:
            got = json.loads(spec)
            parts.append((got["start"], got["stop"]))
            assert got["mappable"] is True
            return start(fd, size, spec if len(parts) == 1 else "{}")

        try:
            split = _threaded(TextSearch(source, "needle-at", block=4096, helper=second_fails))
        finally:
            source.close()
    middle = 4096 + (len(data) - 4096) // 2
    assert parts == [(4096, middle), (middle, len(data))]
    assert jobs[0].error is None
    assert jobs[1].error is not None
    assert split.count == 20_000
    assert split.matches == _expected_matches(data, b"needle-at")


def _expected_matches(data: bytes, needle: bytes) -> list[tuple[int, int]]:
    hay, found, pos = data.lower(), [], 0
    while (p := hay.find(needle, pos)) >= 0:
        found.append((p, p + len(needle)))
        pos = p + len(needle)
    return found
