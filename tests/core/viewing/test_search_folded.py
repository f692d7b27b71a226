"""Case-insensitive find through an anchor of caseless bytes: the same matches as
lowering everything, whatever the anchors' density and wherever blocks end."""

from __future__ import annotations

import os
import random
import re
import tempfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.viewing.folded import FoldedNeedle, anchor_of, overlaps_itself
from app.core.viewing.search import TextSearch
from app.core.viewing.source import FileSource, MemorySource


def _run(search: TextSearch) -> TextSearch:
    for _ in range(1_000_000):
        if search.step(0.01) and search.done:
            break
    assert search.done
    return search


def _reference(data: bytes, needle: bytes) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(re.escape(needle), data, re.IGNORECASE)]


def test_anchor_is_the_longest_run_of_caseless_bytes() -> None:
    assert anchor_of(b"needle-at-the-end") == (6, b"-")
    assert anchor_of(b"id: 42, name") == (2, b": 42, ")
    assert anchor_of(b"x--y-z") == (1, b"--")
    assert anchor_of(b"plain") == (0, b"")
    assert anchor_of(b"2024-") == (0, b"2024-")


def test_overlapping_needles_are_recognised() -> None:
    assert overlaps_itself(b"a-a")
    assert overlaps_itself(b"--")
    assert not overlaps_itself(b"needle-at-the-end")


def _spelled(rng: random.Random, needle: str) -> bytes:
    return "".join(c.upper() if rng.random() < 0.5 else c for c in needle).encode()


@pytest.mark.parametrize("block", [5, 16, 17, 18, 100, 4096])
def test_sparse_anchors_across_block_boundaries(block: int) -> None:
    rng = random.Random(block)
    parts = []
    for i in range(300):
        parts.append(b"filler text %d " % i + _spelled(rng, "needle-at-the-end"))
    data = b" ".join(parts) + b" needle at the end-"
    search = _run(TextSearch(MemorySource(data), "Needle-At-The-End", block=block))
    assert search.matches == _reference(data, b"needle-at-the-end")
    assert search.count == 300


def test_dense_anchors_in_json_like_records() -> None:
    """Every record has dashes (ids, negative numbers): the regex path; the needle once."""
    records = b"".join(
        b'{"id": "%08d-%04d", "x": -%d, "name": "alpha delta", "score": 12.5, '
        b'"tags": ["alpha", "bravo", "charlie"], "active": true},\n' % (i, i, i % 500)
        for i in range(40_000)
    )
    data = records + b'{"marker": "NEEDLE-at-THE-end"}\n'
    search = _run(TextSearch(MemorySource(data), "needle-at-the-end"))
    assert search.matches == _reference(data, b"needle-at-the-end")
    assert search.count == 1


def test_anchor_denser_than_the_regex_pays_for() -> None:
    """Dashes every other byte: the block is lowered instead; same matches."""
    data = b"-a" * 200_000 + b"A-B" + b"-a" * 1000 + b"a-b"
    search = _run(TextSearch(MemorySource(data), "A-b", block=65536))
    assert search.matches == _reference(data, b"a-b")
    assert search.count == 2


def test_needle_that_overlaps_itself_counts_like_find() -> None:
    data = (b"a-a-a-A-a " * 50 + b"-" * 200) * 40
    for needle in ("a-a", "A-A-a", "-a-"):
        for block in (7, 64, 1 << 20):
            search = _run(TextSearch(MemorySource(data), needle, block=block))
            assert search.matches == _reference(data, needle.encode()), (needle, block)


def test_past_the_cap_still_counts_every_match() -> None:
    data = b"x-Y " * 5000
    search = _run(TextSearch(MemorySource(data), "X-y", cap=100, block=999))
    assert search.count == 5000
    assert search.stored == 100
    assert search.matches[:2] == [(0, 3), (4, 7)]


def test_folded_needle_starts_bounded_by_size_and_limit() -> None:
    """The search reuses its buffer: bytes past ``size`` are left from an earlier block."""
    folded = FoldedNeedle(b"ab-cd")
    buf = bytearray(b"xx AB-CD yy ab-")
    stale = b"cd"  # would complete a match, but lies past size
    buf += stale
    assert list(folded.starts(buf, 0, len(buf), len(buf) - len(stale))) == [3]
    assert list(folded.starts(buf, 0, 3, len(buf))) == []  # starts at limit: not this block's
    assert list(folded.starts(buf, 0, 4, len(buf))) == [3]
    assert list(folded.starts(buf, 0, len(buf), len(buf))) == [3, 12]


def test_file_source_read_into_a_reused_buffer() -> None:
    rng = random.Random(7)
    data = bytes(rng.choice(b"ab-AB\n ") for _ in range(3_000_000)) + b"THE-end"
    with tempfile.TemporaryFile() as f:
        f.write(data)
        f.flush()
        source = FileSource(os.dup(f.fileno()), len(data), complete=True)
        try:
            search = _run(TextSearch(source, "a-B", block=1 << 18))
            assert search.count == len(_reference(data, b"a-b"))
            assert search.matches[:1000] == _reference(data, b"a-b")[:1000]
            tail = _run(TextSearch(source, "the-END"))
            assert tail.matches == [(len(data) - 7, len(data))]
        finally:
            source.close()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.binary(max_size=3000).map(lambda b: bytes(b"aAbB-_ \n"[x % 8] for x in b)),
    needle=st.text(alphabet="aAbB-_ ", min_size=1, max_size=6),
    block=st.integers(min_value=1, max_value=200),
    cap=st.integers(min_value=1, max_value=50),
)
def test_same_matches_as_re_ignoring_case(data: bytes, needle: str, block: int, cap: int) -> None:
    expected = _reference(data, needle.encode())
    search = _run(TextSearch(MemorySource(data), needle, block=block, cap=cap))
    assert search.count == len(expected)
    assert search.matches == expected[:cap]


@settings(max_examples=100, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=2**32),
    dashes=st.sampled_from([0.001, 0.02, 0.3]),
)
def test_same_matches_as_re_at_every_anchor_density(seed: int, dashes: float) -> None:
    rng = random.Random(seed)
    data = bytes(
        ord("-") if rng.random() < dashes else rng.choice(b"abAB -") for _ in range(20_000)
    )
    needle = rng.choice(["ab-ba", "a-b", "-b", "B-", "ab--", "a-a"])
    search = _run(TextSearch(MemorySource(data), needle, block=rng.choice([64, 1000, 8192])))
    expected = _reference(data, needle.encode())
    assert search.count == len(expected)
    assert search.matches == expected
