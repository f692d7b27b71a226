"""Text viewer benchmark: line index, paint and find over a large body on disk.

Writes two bodies of ``--mb`` MB (default 1024) into a temporary directory:
``lines`` (short log lines, ~20M at 1 GB) and ``one-line`` (a JSON object on
one line), both with "NEEDLE-Zebra" only near the end.  For each, through a
real ``TextView`` + ``FindBar`` offscreen, with a 10 ms ``QTimer`` recording
the GUI thread's gaps and the owner's 30 Hz ``refresh()``:

* ``first_screen_ms``: ``set_source`` to the first screen painted;
* ``index_s`` / ``index_gap_ms``: until the line index has caught up;
* ``paint_ms`` (median / max of 30 frames at random positions);
* ``expand_end_ms`` (one-line body): expand the line, scroll to its end, paint;
* ``find_s`` / ``find_gap_ms``: the find bar's search for the needle (case-insensitive).

Also the core alone: ``LineIndex`` over the file without Qt, and ``TextSearch``
case-sensitive / case-insensitive / regex.  The last line is one JSON object.
Not part of the test suite (timings vary with the machine's load).

    PYTHONPATH=. python tests/bench/text_viewer.py [--mb 1024]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

NEEDLE = b"NEEDLE-Zebra"


def write_bodies(folder: Path, size: int) -> dict[str, Path]:
    lines = folder / "lines.txt"
    with lines.open("wb") as f:
        written, n = 0, 0
        pattern = b"2026-11-24T22:00:00 INFO request handled ok id=%08d\n"
        while written < size:
            chunk = b"".join(pattern % (n + i) for i in range(100_000))
            n += 100_000
            f.write(chunk)
            written += len(chunk)
        f.write(b"the " + NEEDLE + b" near the end\n")
    one = folder / "one-line.json"
    with one.open("wb") as f:
        block = b'{"k":"' + b"v" * (1 << 20) + b'",'
        for _ in range(max(1, size // len(block))):
            f.write(block)
        f.write(b'"' + NEEDLE + b'":1}')
    return {"lines": lines, "one-line": one}


def core(path: Path) -> dict[str, float]:
    from app.core.viewing.line_index import LineIndex
    from app.core.viewing.search import TextSearch
    from app.core.viewing.source import FileSource

    fd = os.open(path, os.O_RDONLY)
    source = FileSource(fd, os.fstat(fd).st_size, complete=True)
    try:
        index = LineIndex(source)
        t0 = time.perf_counter()
        while not index.extend(1.0):
            pass
        result = {
            "core_index_s": time.perf_counter() - t0,
            "lines": index.line_count(),
            "index_mb": index.memory_bytes() / 1e6,
        }
        for label, kwargs in (
            ("find_case_s", {"case_sensitive": True}),
            ("find_nocase_s", {}),
            ("find_regex_s", {"regex": True, "case_sensitive": True}),
        ):
            pattern = r"NEEDLE-\w+" if "regex" in kwargs else NEEDLE.decode()
            search = TextSearch(source, pattern, **kwargs)  # type: ignore[arg-type]
            t0 = time.perf_counter()
            while not search.step(1.0):
                pass
            assert search.count == 1, search.count
            result[label] = time.perf_counter() - t0
        return result
    finally:
        source.close()


def gui(path: Path) -> dict[str, float]:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget

    from app.core.viewing.source import FileSource
    from app.ui import theme
    from app.ui.viewer.find_bar import FindBar
    from app.ui.viewer.text_view import TextView

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    theme.apply_theme(app)
    fd = os.open(path, os.O_RDONLY)
    source = FileSource(fd, os.fstat(fd).st_size, complete=True)
    window = QWidget()
    layout = QVBoxLayout(window)
    view = TextView()
    bar = FindBar(view)
    layout.addWidget(view)
    layout.addWidget(bar)
    window.resize(1000, 700)
    window.show()
    app.processEvents()
    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    ticker = QTimer()
    ticker.setInterval(10)
    ticker.timeout.connect(tick)
    ticker.start()

    def settle(done: object) -> float:
        gaps.clear()
        last[0] = time.perf_counter()
        while not done():  # type: ignore[operator]
            app.processEvents()
            time.sleep(0.001)
        app.processEvents()
        return max(gaps, default=0.0) * 1000

    result: dict[str, float] = {}
    try:
        t0 = time.perf_counter()
        view.set_source(source, language="json" if path.suffix == ".json" else None)
        view.viewport().repaint()
        result["first_screen_ms"] = (time.perf_counter() - t0) * 1000
        owner = QTimer()
        owner.setInterval(33)
        owner.timeout.connect(view.refresh)
        owner.start()
        result["index_gap_ms"] = settle(view.index.caught_up)
        result["index_s"] = time.perf_counter() - t0
        owner.stop()
        scroll = view.verticalScrollBar()
        frames = []
        for _ in range(30):
            scroll.setValue(random.randrange(scroll.maximum() + 1))
            t1 = time.perf_counter()
            view.viewport().repaint()
            frames.append((time.perf_counter() - t1) * 1000)
        result["paint_ms_median"] = statistics.median(frames)
        result["paint_ms_max"] = max(frames)
        if view.line_count() == 1:
            t1 = time.perf_counter()
            view.expand_line(0)
            scroll.setValue(scroll.maximum())
            view.viewport().repaint()
            result["expand_end_ms"] = (time.perf_counter() - t1) * 1000
        t1 = time.perf_counter()
        bar.open()
        bar.field.setText(NEEDLE.decode().lower())
        bar.restart()
        result["find_gap_ms"] = settle(lambda: bar.search is None or bar.search.done)
        result["find_s"] = time.perf_counter() - t1
        assert bar.search is not None
        assert bar.search.count == 1
    finally:
        ticker.stop()
        bar.close_bar()
        window.close()
        source.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=1024)
    args = parser.parse_args()
    from app.net import tuning

    tuning.apply()  # the app's malloc settings (big reads stay off mmap)
    rows = []
    with tempfile.TemporaryDirectory(prefix="courier-text-bench-") as tmp:
        bodies = write_bodies(Path(tmp), args.mb * 1024 * 1024)
        for name, path in bodies.items():
            row: dict[str, object] = {"name": name, "size_mb": path.stat().st_size / 1e6}
            row.update(core(path))
            row.update(gui(path))
            print(name, {k: round(v, 3) if isinstance(v, float) else v for k, v in row.items()})
            sys.stdout.flush()
            rows.append(row)
    print(json.dumps({"bodies": rows}))


if __name__ == "__main__":
    main()
