"""LineIndex: where lines start in a body of any size, kept sparse (klogg-style).

A 1 GB body of 20M short lines cannot afford an offset per line (160 MB), and a
1 GB body of one line must not be read whole to show its start.  So the index
keeps one checkpoint (line number, offset) per granule of ``GRANULE`` bytes: the
first line that starts inside that granule.  Every line start between two
checkpoints then lies inside one granule, so locating line ``n`` reads at most
one granule from the source and counts newlines in it.  Memory: two
``array('q')`` entries per granule with a line start, 1 MB per GB at 16 KiB.

Lines end at ``\\n``; a ``\\r`` before it is not part of the line (CRLF bodies).
A lone ``\\r`` does not end a line.  The last line counts even when it has no
``\\n`` yet (it grows while the body arrives); a body that ends with ``\\n``
has no empty line after it, and an empty body has 0 lines (as
``str.splitlines``).

Only ASCII-compatible encodings (where ``\\n`` is the byte 0x0A) can be indexed
directly; UTF-16/32 bodies go through ``charset.TranscodedSource`` first.
"""

from __future__ import annotations

import time
from array import array
from bisect import bisect_right

from app.core.viewing.source import ByteSource

GRANULE = 16 * 1024
"""Bytes per checkpoint granule: locating a line reads at most this much."""

SPAN_WINDOW = 16 * 1024
"""Bytes read at once by ``line_spans`` (a screen of ordinary lines)."""

BLOCK = 2 * 1024 * 1024
"""Bytes read per indexing step (a multiple of ``GRANULE``)."""


def nth_newline(buf: bytes, k: int, start: int = 0) -> int:
    """Index of the ``k``-th (1-based) ``\\n`` in ``buf[start:]``, or -1.

    Few newlines: repeated ``find``; many: bisect on ``count`` (each a C scan),
    so a granule of 16K empty lines costs 15 counts, not 16K Python steps.
    """
    if k <= 0:
        return start - 1
    if k > 32:
        if buf.count(b"\n", start) < k:
            return -1
        lo, hi = start, len(buf)  # the k-th newline is in [lo, hi)
        while hi - lo > 64:
            mid = (lo + hi) // 2
            if buf.count(b"\n", start, mid) >= k:
                hi = mid
            else:
                lo = mid
        k -= buf.count(b"\n", start, lo)
        start = lo
    pos = start - 1
    for _ in range(k):
        pos = buf.find(b"\n", pos + 1)
        if pos < 0:
            return -1
    return pos


class LineIndex:
    """Sparse index of line starts over a (possibly growing) ``ByteSource``.

    ``extend`` indexes more of the source within a time budget; the queries
    answer for what is indexed so far (``indexed_size``).
    """

    def __init__(self, source: ByteSource, *, granule: int = GRANULE, block: int = BLOCK) -> None:
        self._source = source
        self._granule = granule
        self._block = max(block, granule)
        self._indexed = 0  # bytes scanned
        self._newlines = 0  # newlines in [0, indexed)
        self._last_start = 0  # start of the line after the last newline seen
        self._ck_lines = array("q", [0])
        self._ck_offsets = array("q", [0])
        self._want = granule  # the next checkpoint is the first line start >= this
        self._window: tuple[int, int, bytes] = (-1, -1, b"")  # (start, end, bytes) cache

    @property
    def source(self) -> ByteSource:
        return self._source

    @property
    def indexed_size(self) -> int:
        return self._indexed

    def caught_up(self) -> bool:
        return self._indexed >= self._source.size()

    def checkpoint_count(self) -> int:
        return len(self._ck_lines)

    def memory_bytes(self) -> int:
        """Approximate bytes the index holds (its checkpoint arrays)."""
        return (
            self._ck_lines.buffer_info()[1] * self._ck_lines.itemsize
            + self._ck_offsets.buffer_info()[1] * self._ck_offsets.itemsize
        )

    def extend(self, budget_s: float) -> bool:
        """Index more of the source for about ``budget_s``; True when caught up.

        At least one block is indexed per call (a zero budget still progresses).
        """
        deadline = time.perf_counter() + budget_s
        while True:
            size = self._source.size()
            if self._indexed >= size:
                return True
            base = self._indexed
            buf = self._source.read(base, min(self._block, size - base))
            if not buf:
                return True
            self._scan(base, buf)
            if time.perf_counter() >= deadline:
                return self._indexed >= self._source.size()

    def _scan(self, base: int, buf: bytes) -> None:
        pos = 0  # newlines in buf[:pos] are counted
        newlines = self._newlines
        want = self._want
        while True:
            p = buf.find(b"\n", max(want - 1 - base, pos))
            if p < 0:
                break
            newlines += buf.count(b"\n", pos, p) + 1
            pos = p + 1
            start = base + pos
            self._ck_lines.append(newlines)
            self._ck_offsets.append(start)
            want = (start // self._granule + 1) * self._granule
        newlines += buf.count(b"\n", pos)
        last = buf.rfind(b"\n")
        if last >= 0:
            self._last_start = base + last + 1
        self._newlines = newlines
        self._want = want
        self._indexed = base + len(buf)

    def line_count(self) -> int:
        """Lines in the indexed part; an unterminated last line counts, an empty body has 0."""
        return self._newlines + (1 if self._last_start < self._indexed else 0)

    def _read_window(self, start: int, end: int) -> bytes:
        w_start, w_end, data = self._window
        if w_start == start and w_end == end:
            return data
        data = self._source.read(start, end - start)
        self._window = (start, end, data)
        return data

    def _line_start(self, n: int) -> int:
        """Offset where line ``n`` starts, for 0 <= n <= newlines."""
        if n <= 0:
            return 0
        if n >= self._newlines:
            return self._last_start
        i = bisect_right(self._ck_lines, n) - 1
        ck_line, ck_offset = self._ck_lines[i], self._ck_offsets[i]
        if ck_line == n:
            return ck_offset
        # every start between this checkpoint and the next lies in its granule
        granule_end = min((ck_offset // self._granule + 1) * self._granule, self._indexed)
        window = self._read_window(ck_offset, granule_end)
        p = nth_newline(window, n - ck_line)
        if p < 0:  # cannot happen for an index built over this source
            raise RuntimeError(f"line {n} not found in its granule")
        return ck_offset + p + 1

    def line_span(self, n: int) -> tuple[int, int]:
        """Byte range of line ``n`` without its ``\\n`` (and a ``\\r`` before it)."""
        if not 0 <= n < self.line_count():
            raise IndexError(n)
        start = self._line_start(n)
        if n < self._newlines:
            end = self._line_start(n + 1) - 1
            if end > start and self._source.read(end - 1, 1) == b"\r":
                end -= 1
        else:  # the unterminated last line: it may still grow
            end = self._indexed
            if end > start and self._source.read(end - 1, 1) == b"\r":
                end -= 1
        return start, end

    def line_spans(self, first: int, count: int) -> list[tuple[int, int]]:
        """``line_span`` of ``count`` consecutive lines from ``first`` (fewer at the end).

        What a paint needs: locate the first line once, then one ``find`` per
        line in a window read after it (a screen of short lines: one read).
        """
        last = min(self.line_count(), first + count)
        if first >= last or first < 0:
            return []
        spans: list[tuple[int, int]] = []
        pos = self._line_start(first)
        buf_start, buf = pos, self._source.read(pos, min(SPAN_WINDOW, self._indexed - pos))
        n = first
        while n < last:
            if n >= self._newlines:  # the unterminated last line
                spans.append(self.line_span(n))
                break
            rel = buf.find(b"\n", pos - buf_start)
            if rel < 0:  # a line longer than the window: ask the index
                span = self.line_span(n)
                pos = self._line_start(n + 1)
                buf_start = pos
                buf = self._source.read(pos, min(SPAN_WINDOW, self._indexed - pos))
            else:
                end = buf_start + rel
                if end > pos and buf[rel - 1] == 0x0D:
                    end -= 1
                span = (pos, end)
                pos = buf_start + rel + 1
            spans.append(span)
            n += 1
        return spans

    def line_of(self, offset: int) -> int:
        """The line containing byte ``offset`` (its ``\\n`` belongs to it); clamped."""
        count = self.line_count()
        if count == 0 or offset <= 0:
            return 0
        if offset >= self._indexed:
            return count - 1
        i = bisect_right(self._ck_offsets, offset) - 1
        ck_line, ck_offset = self._ck_lines[i], self._ck_offsets[i]
        granule_end = min((ck_offset // self._granule + 1) * self._granule, self._indexed)
        window = self._read_window(ck_offset, granule_end)
        line = ck_line + window.count(b"\n", 0, offset - ck_offset)
        return min(line, count - 1)
