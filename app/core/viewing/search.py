"""Find a string or regex in a body of any size, block by block, in the background.

``TextSearch.step(budget_s)`` scans more of the source; ``start_thread()`` runs
the steps in a daemon thread instead (what the find bar does: measured on a
1 GB body, the scan needs the full CPU to finish in under a second, and the C
calls it makes hold the GIL ~1 ms per block, so the GUI thread's timers keep
running).  Results are read from any thread: ``count`` (all matches),
``matches`` (the first ``cap`` as byte ranges), ``done``, ``error``.

Literal patterns use ``bytes.find``/``bytes.count`` over blocks that overlap
by ``len(needle) - 1`` bytes, so a match across a block boundary is found
once.  Blocks are read into one reused buffer (``read_into``: no fresh 1 MiB
of pages per block), or scanned in place in a map of the file when the source
offers one (``FileSource.mapping``: a format worker's output, e.g. the Pretty
view's text), ``WINDOW`` bytes mapped at a time.  Case-insensitive ASCII literals go through
``FoldedNeedle`` (app/core/viewing/folded.py: an anchor of caseless bytes,
else the block lowered); a non-ASCII needle becomes a bytes regex alternating
the encodings of each character's cases over lowered blocks.

Regex patterns are compiled for bytes (the pattern encoded in the body's
encoding; case-insensitivity and ``\\w`` are ASCII-only there).  Blocks end at a
line end, so a regex match never crosses a block; a match inside a line longer
than the block (1 MiB) that crosses the block boundary is not found.
Zero-length matches are not counted.

A big complete body searched in a thread for a literal that cannot overlap
itself is split when a ``helper`` is given (the find bar's starts a format
worker process, ``find`` kind) and the scan is slow enough to pay for a
process start (measured over the first ``SPLIT_PROBE`` bytes: a needle with a
rare anchor scans 1 GB in ~0.15 s, alone): the child searches the second half
of what is left over the body's file descriptor while this thread searches
the first, so both cores work (the scan holds the GIL: a second thread would
not help).  The child's matches come after this half's, in order; if it
fails, this thread searches its half too.
"""

from __future__ import annotations

import contextlib
import json
import mmap
import re
import threading
import time
from array import array
from collections.abc import Callable
from typing import Protocol

from app.core.viewing.folded import FoldedNeedle, overlaps_itself
from app.core.viewing.source import ByteSource, FileSource, read_into, shared_fd

BLOCK = 1024 * 1024
"""Bytes per step: 1 MiB blocks stay in cache (measured faster than 4 MiB by half)."""
WINDOW = 16 * 1024 * 1024
"""Bytes of a mappable source mapped at a time (as fast as 64 MiB, measured; its pages
count in the process's RSS while mapped)."""
MATCH_CAP = 100_000
SPLIT_MIN = 64 * 1024 * 1024
"""What is left to search is split with a helper process only from this size on."""
SPLIT_PROBE = 16 * 1024 * 1024
"""Bytes searched alone first, to measure the rate."""
SPLIT_AFTER_S = 0.6
"""Split when the rest would take more CPU than this alone: a helper takes 0.12-0.3 s to
start on a busy 2-core machine (measured), so a shorter rest gains little or loses.  A
rare anchor needs ~0.12 s of CPU per GB, lowering or a dense anchor ~0.8."""
HELPER_START_S = 0.2
"""About how long a helper takes to start scanning: its half is that much smaller."""
HELPER_POLL_S = 0.005


class RangeHelper(Protocol):
    """A search of the body's ``[start, end)`` in another process (a ``FormatJob``):
    its output is the matches as int64 (start, end) pairs, ``count`` all of them."""

    done: bool
    error: str | None
    count: int | None
    output: FileSource

    def poll(self) -> bool: ...

    def cancel(self) -> None: ...


#: starts a helper: (body file descriptor, end of the body, search spec as JSON)
HelperStarter = Callable[[int, int, str], RangeHelper]


class TextSearch:
    """One search of ``pattern`` in ``source``; make a new one to change anything."""

    def __init__(
        self,
        source: ByteSource,
        pattern: str,
        *,
        case_sensitive: bool = False,
        regex: bool = False,
        encoding: str = "utf-8",
        cap: int = MATCH_CAP,
        block: int = BLOCK,
        start: int = 0,
        stop: int | None = None,
        helper: HelperStarter | None = None,
        mapped: bool = False,
    ) -> None:
        """``start``/``stop``: only matches starting in that range (a helper's part);
        ``helper``: what splits a big body with other processes (thread mode only);
        ``mapped``: scan a mappable source in place (see ``_mapped``)."""
        self._source = source
        lowered = getattr(source, "lowered", None)
        #: a literal ASCII needle ignoring case is looked for, lowered, in the source's
        #: lowered copy when it has one (a plain ``find``: measured 0.24 s/GB, against
        #: 0.53 s/GB for the anchored regex over the text itself)
        self._in_lowered = (
            lowered is not None and not case_sensitive and not regex and pattern.isascii()
        )
        if lowered is not None and self._in_lowered:
            self._source = lowered
        self._encoding = encoding
        self._stop = stop
        self._helper_starter = helper
        self._map = mapped
        self.pattern = pattern
        self.case_sensitive = case_sensitive
        self.regex = regex
        self._cap = cap
        self._block = block
        self._starts = array("q")
        self._ends = array("q")
        self._count = 0
        self._pos = start  # bytes before this are searched (literal: minus the overlap)
        self._last_end = start  # matches do not overlap: the next starts here or later
        self._done = False
        self._cancelled = False
        self._error: str | None = None
        self._needle = b""
        self._lower = False
        self._max_len = 1  # longest match of a literal (the block overlap is this - 1)
        self._compiled: re.Pattern[bytes] | None = None
        self._folded: FoldedNeedle | None = None
        self._buffer = bytearray()
        self._window: mmap.mmap | None = None  # the mapped part of a mappable source
        self._window_start = 0  # its offset in the source
        self._split_size = 0  # the body's size while a helper searches its second half
        self._half_done = False
        self._probe_end: int | None = None  # step pauses here (the split's probe)
        self._thread: threading.Thread | None = None
        self._wake = threading.Event()
        try:
            self._prepare(pattern, encoding)
        except (re.error, UnicodeError, LookupError) as exc:
            self._error = _message(exc)
            self._done = True
        if not pattern:
            self._done = True

    def _prepare(self, pattern: str, encoding: str) -> None:
        if self._in_lowered:
            self._needle = pattern.lower().encode(encoding)
            self._max_len = max(1, len(self._needle))
            return
        if self.regex:
            flags = 0 if self.case_sensitive else re.IGNORECASE
            self._compiled = re.compile(pattern.encode(encoding), flags | re.MULTILINE)
            return
        needle = pattern.encode(encoding)
        self._max_len = max(1, len(needle))
        if self.case_sensitive or not any(c.lower() != c.upper() for c in pattern):
            self._needle = needle
        elif pattern.isascii():
            self._needle = needle.lower()
            self._folded = FoldedNeedle(needle)
        else:
            parts = []
            longest = 0
            # blocks are lowered (ASCII only) first, so ASCII letters are plain
            # literals: sre then scans for a literal prefix quickly
            self._lower = True
            for char in pattern:
                if char.isascii():
                    lowered = char.lower().encode(encoding)
                    longest += len(lowered)
                    parts.append(re.escape(lowered))
                    continue
                cases = {char, char.lower(), char.upper(), char.casefold(), char.title()}
                encoded = sorted({c.encode(encoding).lower() for c in cases if _fits(c, encoding)})
                longest += max(len(e) for e in encoded)
                escaped = [re.escape(e) for e in encoded]
                alternation = b"(?:" + b"|".join(escaped) + b")"
                parts.append(escaped[0] if len(escaped) == 1 else alternation)
            self._compiled = re.compile(b"".join(parts))
            self._max_len = max(1, longest)
            self._needle = needle

    # results (safe to read from another thread: array appends and ints under the GIL)

    @property
    def count(self) -> int:
        return self._count

    @property
    def starts(self) -> array[int]:
        """Start offsets of the stored matches, ascending (grows while the search runs)."""
        return self._starts

    @property
    def ends(self) -> array[int]:
        return self._ends

    @property
    def matches(self) -> list[tuple[int, int]]:
        n = min(len(self._starts), len(self._ends))
        return list(zip(self._starts[:n], self._ends[:n], strict=True))

    def match(self, i: int) -> tuple[int, int]:
        return self._starts[i], self._ends[i]

    @property
    def stored(self) -> int:
        """How many matches are stored (``count`` can be larger: the cap)."""
        return min(len(self._starts), len(self._ends))

    @property
    def done(self) -> bool:
        """The whole body is searched and no more bytes will come (or the pattern is bad)."""
        return self._done

    @property
    def error(self) -> str | None:
        return self._error

    @property
    def searched(self) -> int:
        """Bytes searched so far (for progress)."""
        return self._pos

    # work

    def step(self, budget_s: float) -> bool:
        """Search more for about ``budget_s``; True when caught up with the source.

        At least one block is searched per call.  Not to be called while the
        search runs in its own thread.
        """
        if self._done or self._cancelled:
            return True
        deadline = time.perf_counter() + budget_s
        while True:
            size = self._source.size()
            complete = self._source.complete()
            span = size if self._stop is None else min(size, self._stop)
            if self._pos >= span or not self._step_block(size, complete):
                if complete and self._source.size() == size:
                    if self._split_size:  # the rest is the helper's
                        self._half_done = True
                    else:
                        self._done = True
                    self._drop_window()
                return True
            if time.perf_counter() >= deadline or self._cancelled:
                return False
            if self._probe_end is not None and self._pos >= self._probe_end:
                return False  # the thread decides whether to split

    def _step_block(self, size: int, complete: bool) -> bool:
        """Search one block; False when nothing could be searched (waiting for bytes)."""
        pos = self._pos
        if self.regex:
            return self._regex_block(pos, size, complete)
        overlap = self._max_len - 1
        end = min(size, pos + self._block)
        if self._stop is not None:
            end = min(end, self._stop)
        if not complete:  # a match may start here and end in bytes still to come
            end = min(end, size - overlap)
        if end <= pos:
            if complete:
                self._pos = size if self._stop is None else min(size, self._stop)
                return True
            return False
        want = min(size, end + overlap) - pos
        lo = max(0, self._last_end - pos)
        mapped = self._mapped(pos, want, size) if self._map and not self._lower else None
        if mapped is not None:  # scanned in place: ``at`` is ``pos`` in the map
            window, at = mapped
            self._scan(window, at + want, pos - at, at + lo, at + end - pos)
            self._pos = end
            return True
        if len(self._buffer) < want:
            self._buffer = bytearray(max(want, min(self._block + overlap, size - pos)))
        with memoryview(self._buffer) as view:
            got = read_into(self._source, pos, view[:want])
        buf: bytes | bytearray = self._buffer
        if self._lower:
            buf = self._buffer[:got].lower()
        self._scan(buf, got, pos, lo, min(end - pos, got))
        self._pos = end
        return True

    def _mapped(self, pos: int, want: int, size: int) -> tuple[mmap.mmap, int] | None:
        """The source's bytes ``[pos, pos + want)`` mapped, and where ``pos`` is in the
        map; None when the source cannot be mapped.

        Only for a process with no GUI thread (a helper): a scan of mapped pages never
        releases the GIL, where ``pread`` does for each block, so a thread of the
        window's process scanning a map made the window wait up to the switch
        interval at every call into Python (measured: 90-260 ms gaps during a 1 GB
        find, 33-58 ms with ``pread``)."""
        window = self._window
        start = self._window_start
        if window is None or pos < start or pos + want > start + len(window):
            self._drop_window()
            mapping = getattr(self._source, "mapping", None)
            got = None if mapping is None else mapping(pos, min(size - pos, max(want, WINDOW)))
            if got is None:
                return None
            window, at = got
            start = pos - at
            if pos + want > start + len(window):  # the file is shorter than it said
                with contextlib.suppress(BufferError):
                    window.close()
                return None
            self._window, self._window_start = window, start
        return window, pos - start

    def _drop_window(self) -> None:
        window, self._window = self._window, None
        if window is not None:
            # an abandoned regex scanner may still hold it: then it unmaps when freed
            with contextlib.suppress(BufferError):
                window.close()

    def _scan(
        self, buf: bytes | bytearray | mmap.mmap, size: int, base: int, lo: int, limit: int
    ) -> None:
        """Record matches starting in ``buf[lo:limit]`` (they may end past ``limit``, not
        past ``size``: the buffer's bytes after it are stale); ``base`` is the source
        offset of ``buf[0]``."""
        if self._compiled is not None:  # non-ASCII case-insensitive literal
            for m in self._compiled.finditer(buf, lo, size):
                if m.start() >= limit:
                    break
                self._add(base + m.start(), base + m.end())
            return
        needle = self._needle
        n = len(needle)
        if not n:
            return
        if self._folded is not None:
            if len(self._starts) < self._cap:
                for p in self._folded.starts(buf, lo, limit, size):
                    self._add(base + p, base + p + n)
                    lo = p + n
                    if len(self._starts) >= self._cap:
                        break
                else:
                    return
            # past the cap: counted below, in the rest lowered
            buf, base, size, limit, lo = buf[lo:size].lower(), base + lo, size - lo, limit - lo, 0
        while len(self._starts) < self._cap:
            p = buf.find(needle, lo, size)
            if p < 0 or p >= limit:
                return
            self._add(base + p, base + p + n)
            lo = p + n
        # past the cap: count only (matches starting before limit end before limit + n - 1)
        if lo < limit:
            stop = min(size, limit + n - 1)
            if isinstance(buf, mmap.mmap):  # no ``count``: a copy of the rest of the block
                self._count += buf[lo:stop].count(needle)
            else:
                self._count += buf.count(needle, lo, stop)
            last = buf.rfind(needle, lo, stop)
            if last >= 0:
                self._last_end = base + last + n

    def _regex_block(self, pos: int, size: int, complete: bool) -> bool:
        assert self._compiled is not None
        end = min(size, pos + self._block)
        buf = self._source.read(pos, end - pos)
        if end < size or not complete:
            cut = buf.rfind(b"\n")
            if cut >= 0:
                buf = buf[: cut + 1]
            elif end - pos < self._block:
                return False  # an unfinished short line: wait for the rest
        for m in self._compiled.finditer(buf):
            if m.end() > m.start():
                self._add(pos + m.start(), pos + m.end())
        self._pos = pos + len(buf)
        return True

    def _add(self, start: int, end: int) -> None:
        self._count += 1
        self._last_end = end
        if len(self._starts) < self._cap:
            self._starts.append(start)
            self._ends.append(end)

    # threading

    def start_thread(self) -> None:
        """Run the search in a daemon thread until done or ``cancel()``.

        While the body still grows, the thread waits for ``wake()`` (or polls
        every 50 ms) when it has caught up.
        """
        if self._thread is not None or self._done:
            return
        self._thread = threading.Thread(target=self._run, name="courier-find", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        helpers: list[tuple[RangeHelper, int]] = []
        try:
            began = time.thread_time()
            if self._may_split():
                self._probe_end = self._pos + SPLIT_PROBE
            while not self._done and not self._cancelled:
                caught_up = self.step(0.05)
                if self._probe_end is not None and self._pos >= self._probe_end:
                    self._probe_end = None
                    helpers = self._start_helpers(time.thread_time() - began)
                if helpers and self._half_done:
                    try:
                        self._join_helpers(helpers)
                    finally:
                        for helper, _end in helpers:
                            helper.cancel()  # ended: frees its output file
                        helpers = []
                elif caught_up and not self._done:
                    self._wake.wait(0.05)
                    self._wake.clear()
        except Exception as exc:  # a source that fails (closed file): say so, stop
            self._error = f"search failed: {exc}"
            self._done = True
        finally:
            self._drop_window()
            for helper, _end in helpers:
                helper.cancel()

    def spec(self) -> str:
        """This search's options as the JSON a helper process is started with."""
        return json.dumps(
            {
                # in a lowered copy: the lowered needle, exactly
                "pattern": self.pattern.lower() if self._in_lowered else self.pattern,
                "case_sensitive": self.case_sensitive or self._in_lowered,
                "encoding": self._encoding,
                "cap": self._cap,
                "mappable": bool(getattr(self._source, "mappable", False)),
            }
        )

    def _may_split(self) -> bool:
        return not (
            self._helper_starter is None
            or self.regex
            or self._compiled is not None  # non-ASCII, ignoring case
            or self._stop is not None
            or not self._source.complete()
            or self._source.size() - self._pos < SPLIT_MIN
            or overlaps_itself(self._needle)  # a match across the halves would count twice
            or shared_fd(self._source) < 0
        )

    def _start_helpers(self, elapsed: float) -> list[tuple[RangeHelper, int]]:
        """Split what is left of a big complete body, if slow, with helper processes:
        its second part to one (this thread searches the first), or, when the source
        can be mapped, all of it to two that scan it mapped (faster than copying, and
        no scan holds this process's GIL) while this thread waits.  Each helper comes
        with the end of its part.  ``elapsed``: the CPU time this search took so far
        (not the wall time: on a busy machine that grows for every scan, and a helper
        does not help without an idle core)."""
        size = self._source.size()
        pos = self._pos
        searched = max(1, pos)
        alone = elapsed / searched * (size - pos)  # the rest's CPU time, alone
        if self._done or size - pos < SPLIT_MIN or alone < SPLIT_AFTER_S:
            return []
        fd = shared_fd(self._source)
        if fd < 0 or self._helper_starter is None:
            return []
        if getattr(self._source, "mappable", False):
            middle = pos + (size - pos) // 2
            parts = [(pos, middle), (middle, size)]
        else:
            # both parts end together when this one is longer by the helper's start-up
            share = min(0.75, 0.5 + HELPER_START_S / (2 * alone)) if alone > 0 else 0.5
            middle = pos + int((size - pos) * share)
            parts = [(middle, size)]
        helpers: list[tuple[RangeHelper, int]] = []
        for start, end in parts:
            spec = json.loads(self.spec())
            spec["start"], spec["stop"] = start, end
            try:
                helpers.append((self._helper_starter(fd, size, json.dumps(spec)), end))
            except OSError:
                for started, _end in helpers:
                    started.cancel()
                return []
        self._stop = parts[0][0]
        self._split_size = size
        return helpers

    def _join_helpers(self, helpers: list[tuple[RangeHelper, int]]) -> None:
        """This thread's part is done: wait for the helpers', then add their matches
        after ours, in order.  From the first that failed on, this thread searches."""
        for helper, _end in helpers:
            while not helper.done and not self._cancelled:
                if not helper.poll():
                    time.sleep(HELPER_POLL_S)
        self._half_done = False
        self._split_size = 0
        self._stop = None
        if self._cancelled:
            return
        for helper, end in helpers:
            if helper.error is not None or helper.count is None:
                return  # search the rest here, from the end of the last part added
            pairs = array("q")
            raw = helper.output.read(0, helper.output.size())
            pairs.frombytes(raw[: len(raw) // 16 * 16])
            room = max(0, self._cap - len(self._starts))
            self._starts.extend(pairs[0 : 2 * room : 2])
            self._ends.extend(pairs[1 : 2 * room : 2])
            self._count += helper.count
            self._pos = self._last_end = end
        self._done = True

    def wake(self) -> None:
        """More bytes arrived (or the body completed): search on."""
        self._wake.set()

    def cancel(self) -> None:
        self._cancelled = True
        self._wake.set()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)


def _fits(char: str, encoding: str) -> bool:
    try:
        char.encode(encoding)
    except UnicodeError:
        return False
    return True


def _message(exc: Exception) -> str:
    if isinstance(exc, re.error):
        where = f" at position {exc.pos}" if exc.pos is not None else ""
        return f"Invalid regex: {exc.msg}{where}"
    if isinstance(exc, UnicodeError):
        return "The text cannot be written in this body's charset"
    return str(exc)
