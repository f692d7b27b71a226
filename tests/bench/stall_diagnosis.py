"""Why the GUI thread stalled: the ``--diagnose`` part of responsiveness.py.

A watchdog thread samples every thread's Python stack while the GUI thread has
not ticked for ``STALL_S``; ``gc.callbacks`` time garbage collections; a
``QApplication.notify`` override times each Qt event (under qasync every asyncio
callback is a Qt timer event, labelled here with its task's coroutine); the GUI
thread's scheduler statistics split a stall into running, waiting for a CPU and
blocked.  ``analyse`` turns that into the stacks that stalled it the longest.
"""

from __future__ import annotations

import bisect
import gc
import os
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
#: every thread's stack is sampled (every POLL_S) once the GUI thread has not ticked
#: for STALL_S; a sampler that wakes GIL_WAIT_S late waited for the GIL
STALL_S = 0.040
POLL_S = 0.002
GIL_WAIT_S = 0.005
#: Qt events kept: those that took this long or more
QT_EVENT_MIN_S = 0.002
#: a gap longer than this misses the responsiveness target
TARGET_MS = 50.0


def merge_stacks(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The stacks of several diagnosed runs of a scenario, merged by their frames."""
    merged: dict[tuple[str, ...], dict[str, Any]] = {}
    for result in results:
        for stack in result.get("stacks", []):
            key = tuple(stack["frames"])
            entry = merged.setdefault(
                key,
                {
                    "frames": stack["frames"],
                    "samples": 0,
                    "sampled_ms": 0.0,
                    "gil_wait_ms": 0.0,
                    "stall_ms": [],
                    "others": Counter(),
                    "gc": Counter(),
                    "qt": Counter(),
                    "gui": Counter(),
                },
            )
            for field in ("samples", "sampled_ms", "gil_wait_ms"):
                entry[field] += stack[field]
            entry["stall_ms"] += stack["stall_ms"]
            entry["others"].update(dict(stack["others"]))
            entry["gc"].update(stack["gc_in_these_stalls"])
            entry["qt"].update(stack["qt_events_in_these_stalls"])
            entry["gui"].update(stack["gui_thread_ms"])
    return sorted(merged.values(), key=lambda e: -e["sampled_ms"])


def print_diagnosis(name: str, results: list[dict[str, Any]]) -> None:
    for number, result in enumerate(results, 1):
        if result.get("error"):
            print(f"  diagnose {name}, run {number}: FAILED: {result['error']}")
            continue
        stalls = result.get("stalls", [])
        print(
            f"  diagnose {name}, run {number}: max gap {result['max_gap_ms']:.0f} ms, "
            f"{len(stalls)} gaps > {TARGET_MS:.0f} ms"
            + (": " if stalls else "")
            + ", ".join(f"{s['gap_ms']:.0f} ms at +{s['at_ms']:.0f}" for s in stalls[:10])
            + (" …" if len(stalls) > 10 else "")
        )
    stacks = merge_stacks(results)
    if not stacks:
        print(f"    (no stall over {TARGET_MS:.0f} ms caught in {len(results)} diagnosed runs)")
    for rank, stack in enumerate(stacks[:3], 1):
        stall_ms = sorted(stack["stall_ms"], reverse=True)
        print(
            f"    #{rank}: {stack['samples']} samples, ~{stack['sampled_ms']:.0f} ms "
            f"(the watchdog itself waited {stack['gil_wait_ms']:.0f} ms of it for the GIL), "
            f"in {len(stall_ms)} stall(s) of "
            + ", ".join(f"{g} ms" for g in stall_ms[:8])
            + (" …" if len(stall_ms) > 8 else "")
            + "; the GUI thread, innermost first:"
        )
        for frame in stack["frames"]:
            print(f"        {frame}")
        gui = stack["gui"]
        print(
            f"      in these stalls the GUI thread ran {gui['running']:.0f} ms, waited for a "
            f"CPU {gui['runnable']:.0f} ms, was blocked (GIL, lock, I/O) {gui['blocked']:.0f} ms"
        )
        for other, count in stack["others"].most_common(3):
            print(f"      meanwhile ({count}/{stack['samples']} samples) {other}")
        for where, ms in stack["gc"].most_common(2):
            if ms >= 1:
                print(f"      garbage collection during these stalls: {ms:.0f} ms, {where}")
        slow = [(what, ms) for what, ms in stack["qt"].most_common(6) if ms >= 2]
        if slow:
            print("      Qt events (>= 2 ms) during these stalls, overlap in ms:")
        for what, ms in slow:
            print(f"        {ms:5.0f} ms {what}")


class StallSampler(threading.Thread):
    """A watchdog thread: samples every thread's stack while the GUI thread does not tick.

    Every ``POLL_S`` it looks at the last tick; once the GUI thread has not ticked
    for ``STALL_S`` it records ``sys._current_frames()`` (the GUI thread's stack
    and the others').  It needs the GIL to do so: when some thread holds the GIL
    in C code (a long Qt call, a C extension, a garbage collection) the watchdog
    wakes late, and that lateness is recorded too (``gil_wait``), with the stacks
    as they were the moment the GIL came free.  Garbage collections are timed
    with ``gc.callbacks``.  (faulthandler's GIL-free dumps were tried: reading
    running threads' frames without the GIL crashed the process now and then.)
    """

    def __init__(self, ticks: list[float], gui: int) -> None:
        super().__init__(name="stall-sampler", daemon=True)
        self.ticks = ticks
        self.gui = gui
        #: (last tick, sampled at, the sampler's wait for the GIL, {thread: frames})
        self.samples: list[tuple[float, float, float, dict[int, list[tuple[str, int, str]]]]] = []
        self.collections: list[tuple[float, float, int, int, int]] = []
        self.names: dict[int, str] = {}
        #: the GUI thread's /proc schedstat at each tick: CPU time, run-queue wait (ns)
        self.sched_fd = os.open(
            f"/proc/self/task/{threading.get_native_id()}/schedstat", os.O_RDONLY
        )
        self.sched: list[bytes] = []
        self._gc_started = 0.0
        self._stopped = threading.Event()
        gc.callbacks.append(self._on_gc)

    def run(self) -> None:
        while True:
            asleep = time.perf_counter()
            if self._stopped.wait(POLL_S):
                return
            now = time.perf_counter()
            if not self.ticks or now - self.ticks[-1] < STALL_S:
                continue
            last = self.ticks[-1]
            frames = sys._current_frames()
            threads = {
                ident: frame_list(frame) for ident, frame in frames.items() if ident != self.ident
            }
            del frames
            self.samples.append((last, now, max(now - asleep - POLL_S, 0.0), threads))

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        now = time.perf_counter()
        if phase == "start":
            self._gc_started = now
        else:
            ident = threading.get_ident()
            self.collections.append(
                (self._gc_started, now, info["generation"], ident, info["collected"])
            )

    def stop(self) -> None:
        self._stopped.set()
        self.join(5)
        gc.callbacks.remove(self._on_gc)
        os.close(self.sched_fd)
        self.names = thread_names()


def frame_list(frame: Any) -> list[tuple[str, int, str]]:
    """(file, line, function) from the innermost frame outwards."""
    out = []
    while frame is not None:
        out.append((frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name))
        frame = frame.f_back
    return out


def thread_names() -> dict[int, str]:
    return {t.ident: t.name for t in threading.enumerate() if t.ident is not None}


def short_path(filename: str) -> str:
    path = Path(filename)
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        parts = path.parts
        if "site-packages" in parts:
            return "/".join(parts[parts.index("site-packages") + 1 :])
        if "lib" in parts:
            return "/".join(parts[len(parts) - 1 - parts[::-1].index("lib") + 1 :])
        return filename


def is_app(filename: str) -> bool:
    return short_path(filename).startswith("app/")


IDLE_FUNCTIONS = {"wait", "_worker", "get", "select", "_bootstrap_inner", "run_forever"}


def describe(frames: list[tuple[str, int, str]]) -> tuple[tuple[str, ...], list[str]]:
    """A stack's signature (for grouping) and its lines to print: the innermost frame
    first, then every app/ frame innermost first, then the first bench frame."""
    if not frames:
        return ("<no Python frame>",), ["<no Python frame>"]
    shown: list[tuple[str, int, str]] = [frames[0]]
    for frame in frames[1:]:
        if is_app(frame[0]):
            shown.append(frame)
        elif short_path(frame[0]).startswith("tests/bench/") and frame[2] != "notify":
            shown.append(frame)  # the scenario step (TimedApplication.notify: see through)
            break
    if not any(is_app(f[0]) for f in shown):
        # nothing of Courier's: say where (in the event loop, a library...) it sat
        shown = [f for f in frames if not short_path(f[0]).startswith("tests/bench/")][:4]
        shown = shown or frames[:1]
    signature = tuple(f"{short_path(f)}:{name}" for f, _line, name in shown)
    lines = [f"{short_path(f)}:{line} {name}" for f, line, name in shown]
    return signature, lines


def busy_threads(
    threads: dict[int, list[tuple[str, int, str]]], gui: int, names: dict[int, str]
) -> list[str]:
    """The other threads that were not idle, by their innermost and app/ frames."""
    out = []
    for ident, frames in threads.items():
        if ident == gui or not frames or frames[0][2] in IDLE_FUNCTIONS:
            continue
        inner = frames[0]
        app_frames = [f for f in frames if is_app(f[0])][:3]
        text = (
            f"thread {names.get(ident, hex(ident))}: {short_path(inner[0])}:{inner[1]} {inner[2]}"
        )
        if app_frames and app_frames[0] is not inner:
            text += " <- " + " <- ".join(f"{short_path(f)}:{n} {fn}" for f, n, fn in app_frames)
        out.append(text)
    return out


def sched_split(sched: list[bytes], after: int, gap_ms: float) -> dict[str, float]:
    """How the GUI thread spent the gap before tick ``after`` (ms): running on a CPU,
    runnable but waiting for one (other processes or threads had the cores), or
    blocked (waiting for the GIL, a lock, or I/O)."""
    if after < 1 or after >= len(sched):
        return {"running": 0.0, "runnable": 0.0, "blocked": 0.0}
    before, now = (list(map(int, sched[i].split()[:2])) for i in (after - 1, after))
    running = (now[0] - before[0]) / 1e6
    runnable = (now[1] - before[1]) / 1e6
    return {
        "running": running,
        "runnable": runnable,
        "blocked": max(gap_ms - running - runnable, 0.0),
    }


def analyse(
    sampler: StallSampler,
    gui: int,
    ticks: list[float],
    start: float,
    end: float,
    qt_events: list[tuple[float, float, int, str]],
) -> list[dict[str, Any]]:
    """Group the samples taken during gaps > TARGET_MS by the GUI thread's stack, with
    the garbage collections and the (slow) Qt events that overlapped those gaps."""
    by_sig: dict[tuple[str, ...], dict[str, Any]] = {}
    previous: dict[float, float] = {}
    for tick, now, gil_wait, threads in sampler.samples:
        after = bisect.bisect_right(ticks, tick)
        if after >= len(ticks):
            continue
        gap_ms = (ticks[after] - tick) * 1000
        if gap_ms <= TARGET_MS or ticks[after] <= start or tick >= end:
            continue
        # a sample stands for the time since the previous one in the same stall
        since = previous.get(tick, tick + STALL_S)
        previous[tick] = now
        signature, lines = describe(threads.get(gui, []))
        entry = by_sig.setdefault(
            signature,
            {
                "samples": 0,
                "sampled_s": 0.0,
                "gil_wait_s": 0.0,
                "stalls": {},
                "sched": {},
                "lines": Counter(),
                "others": Counter(),
            },
        )
        entry["samples"] += 1
        entry["sampled_s"] += max(now - since, 0.0)
        if gil_wait > GIL_WAIT_S:
            entry["gil_wait_s"] += gil_wait
        entry["stalls"][tick] = gap_ms
        entry["sched"][tick] = sched_split(sampler.sched, after, gap_ms)
        entry["lines"][tuple(lines)] += 1
        for other in busy_threads(threads, gui, sampler.names):
            entry["others"][other] += 1
    stacks = []
    for entry in by_sig.values():
        gc_ms: Counter[str] = Counter()
        qt_ms: Counter[str] = Counter()
        for tick, gap_ms in entry["stalls"].items():
            for began, ended, generation, ident, _collected in sampler.collections:
                overlap = min(ended, tick + gap_ms / 1000) - max(began, tick)
                if overlap > 0:
                    who = "the GUI thread" if ident == gui else ""
                    who = who or sampler.names.get(ident, f"worker {hex(ident)}")
                    gc_ms[f"gen {generation} in {who}"] += overlap * 1000
            for began, took, depth, what in qt_events:
                overlap = min(began + took, tick + gap_ms / 1000) - max(began, tick)
                if overlap > 0:
                    qt_ms[f"[depth {depth}] {what}"] += overlap * 1000
        stacks.append(
            {
                "sampled_ms": round(entry["sampled_s"] * 1000, 1),
                "gil_wait_ms": round(entry["gil_wait_s"] * 1000, 1),
                "samples": entry["samples"],
                "stall_count": len(entry["stalls"]),
                "stall_ms": sorted((round(g) for g in entry["stalls"].values()), reverse=True),
                "longest_stall_ms": round(max(entry["stalls"].values()), 1),
                "frames": list(entry["lines"].most_common(1)[0][0]),
                "others": entry["others"].most_common(5),
                "gc_in_these_stalls": {k: round(v, 1) for k, v in gc_ms.most_common()},
                "gui_thread_ms": {
                    key: round(sum(split[key] for split in entry["sched"].values()), 1)
                    for key in ("running", "runnable", "blocked")
                },
                "qt_events_in_these_stalls": {k: round(v, 1) for k, v in qt_ms.most_common(8)},
            }
        )
    stacks.sort(key=lambda s: -s["sampled_ms"])
    return stacks


def asyncio_callback(handle: Any) -> str:
    """What an asyncio handle runs: a task's coroutine, or the callback's name."""
    callback = getattr(handle, "_callback", None)
    owner = getattr(callback, "__self__", None)
    if owner is not None and hasattr(owner, "get_coro"):
        coro = owner.get_coro()
        return f"task {getattr(coro, '__qualname__', coro)}"
    return getattr(callback, "__qualname__", None) or repr(callback)[:60]


def object_label(receiver: Any) -> str:
    """``#objectName``, or for an unnamed object ``(in Parent#name)``: which QTimer,
    which anonymous widget."""
    name = receiver.objectName() if hasattr(receiver, "objectName") else ""
    if name:
        return f"#{name}"
    parent = receiver.parent() if hasattr(receiver, "parent") else None
    if parent is None or not hasattr(parent, "objectName"):
        return ""
    parent_name = parent.objectName()
    return f" (in {type(parent).__name__}{'#' + parent_name if parent_name else ''})"


def timed_application(base: Any, events: list[tuple[float, float, int, str]]) -> Any:
    """A QApplication whose ``notify`` times every event it delivers (--diagnose only:
    it costs a Python call per event).  Those that take ``QT_EVENT_MIN_S`` or more
    are kept as (started, seconds, nesting depth, "Type -> Class#objectName"): what
    the GUI thread did in Qt (paints, layouts, timers) when no Python frame shows it."""
    from PySide6.QtCore import QEvent

    def event_name(value: int) -> str:
        try:
            return QEvent.Type(value).name
        except ValueError:
            return str(value)

    class TimedApplication(base):  # type: ignore[misc, valid-type]
        depth = 0

        def notify(self, receiver: Any, event: Any) -> bool:
            # the receiver may be gone afterwards (DeferredDelete): name it first
            what = f"{event_name(int(event.type()))} -> {type(receiver).__name__}"
            callbacks = getattr(receiver, "_SimpleTimer__callbacks", None)
            if callbacks is not None:  # qasync runs each asyncio callback as a Qt timer
                what += f" ({asyncio_callback(callbacks.get(event.timerId()))})"
            name = object_label(receiver)
            started = time.perf_counter()
            TimedApplication.depth += 1
            try:
                return bool(super().notify(receiver, event))
            finally:
                TimedApplication.depth -= 1
                took = time.perf_counter() - started
                if took >= QT_EVENT_MIN_S:
                    label = f"{what}{name}"
                    events.append((started, took, TimedApplication.depth + 1, label))

    return TimedApplication
