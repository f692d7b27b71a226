"""ArrivalLog: when each byte of a body had arrived, kept small for any body size.

The live tables of a stream (SSE events, NDJSON rows) show when each record
arrived; the body store only knows bytes.  The engine notes ``(time, body size)``
after every stored piece; pieces less than ``resolution`` apart share one
mark (the later one), and when the log passes ``MAX_MARKS`` every other mark
is dropped and the resolution at least doubles (to the spacing of the marks
kept).  So a 1 GB download (about a thousand 1 MiB pieces) keeps a thousand
marks, and a chatty stream running for hours stays under ``MAX_MARKS`` (16
bytes each), its times a little coarser.

One writer (the engine, on the loop or in its decoding worker, one at a time);
readers on any thread.  Marks are stored interleaved in one ``array('d')`` that
is only appended to or replaced whole, so a reader never sees a half-made
list: at worst the last pair is incomplete, and it is ignored.
"""

from __future__ import annotations

import bisect
from array import array

#: the most marks kept (16 bytes each) before the log thins itself
MAX_MARKS = 64 * 1024
#: pieces closer together than this share a mark (to start with)
RESOLUTION_S = 0.005


class ArrivalLog:
    def __init__(self, max_marks: int = MAX_MARKS, resolution: float = RESOLUTION_S) -> None:
        self.max_marks = max(max_marks, 2)
        #: marks closer together than this (seconds) are merged
        self.resolution = resolution
        #: time.time(), body size after the piece, time, size...
        self._marks = array("d")
        #: the time the newest mark's group started (merging is measured from it)
        self._group_start = 0.0

    def __len__(self) -> int:
        return len(self._marks) // 2

    def note(self, when: float, size: int) -> None:
        """The body had ``size`` bytes at ``when`` (time.time()); sizes never shrink."""
        marks = self._marks
        if marks and size <= marks[-1]:
            return
        if marks and when - self._group_start < self.resolution:
            marks[-2] = when  # the time first: a reader may pair the new time with the old size
            marks[-1] = float(size)
            return
        self._group_start = when
        marks.extend((when, float(size)))
        if len(marks) > 2 * self.max_marks:
            self._thin()

    def _thin(self) -> None:
        """Keep every other mark (each kept mark covers the dropped one before it)."""
        marks = self._marks
        kept = array("d")
        pairs = len(marks) // 2
        for index in range(1, pairs, 2):
            kept.extend((marks[2 * index], marks[2 * index + 1]))
        if pairs % 2:  # the newest mark always stays
            kept.extend((marks[-2], marks[-1]))
        # new marks come no denser than the kept ones: old and new times stay alike coarse
        spacing = (kept[-2] - kept[0]) / max(len(kept) // 2 - 1, 1)
        self.resolution = max(self.resolution * 2, spacing)
        self._marks = kept  # replaced whole: readers see the old or the new log

    def time_at(self, offset: int) -> float | None:
        """When the byte at ``offset`` had arrived (None: not yet, or a negative offset)."""
        marks = self._marks
        pairs = len(marks) // 2
        if offset < 0 or not pairs or offset >= marks[2 * pairs - 1]:
            return None
        # the first mark whose size covers ``offset``
        index = bisect.bisect_right(range(pairs), float(offset), key=lambda i: marks[2 * i + 1])
        return marks[2 * index] if index < pairs else None

    @property
    def nbytes(self) -> int:
        """The log's own size in memory (its marks)."""
        return self._marks.buffer_info()[1] * self._marks.itemsize
