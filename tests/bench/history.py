"""History benchmark: 100,000 entries, then the queries the panel makes.

Fills a throw-away history database with ``--entries`` records through
``HistoryStore.add`` (each its own transaction, with pruning, as the app writes
them; details as a real exchange's, every fourth with a 2 KiB body), then times
(median of ``--runs``):

* ``open_s``: opening the filled database (a new store, first query);
* ``first_page_s``: the newest 200 entries, no filter;
* ``deep_page_s``: 200 entries below the middle one (paging by key);
* ``count_all_s``, ``count_text_s`` and ``count_text_common_s``: the count under
  the list (no filter, a text 1% of entries match, one they all match);
* ``text_common_s`` / ``text_rare_s`` / ``text_none_s``: the first page filtered by
  text that most, one, and no entries match, through the trigram index;
  ``*_scan_s``: the same reading every entry (as where SQLite lacks FTS5's trigram
  tokenizer, and for texts under 3 characters);
* ``method_rare_s``, ``status_5xx_s``, ``combined_s``: method, status class, and
  a common text + method + status together; ``combined_rare_text_s``: a rare text
  and the 2xx class (through the trigram index);
* ``detail_s``: one entry with its detail and body;
* ``add_s``: recording one more entry (insert and prune);
* ``panel_first_page_s``: a ``HistoryPanel`` on the filled history, from its
  creation to its first page shown (offscreen Qt, reader thread included).

Prints a JSON object as its last line.  Target: every query < 0.05 s.

    .venv/bin/python tests/bench/history.py [--entries 100000 --runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["COURIER_HOME"] = tempfile.mkdtemp(prefix="courier-bench-")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.session.history_record import BodyState, HistoryRecord
from app.session.history_store import HistoryQuery, HistoryStore

METHODS = ("GET",) * 12 + ("POST",) * 5 + ("PUT", "PATCH", "DELETE")
STATUSES = (200,) * 14 + (201, 204, 301, 404, 404, 500)


def record(number: int, at: float) -> HistoryRecord:
    method = METHODS[number % len(METHODS)]
    status = STATUSES[(number * 7) % len(STATUSES)]
    url = f"https://api.example.com/v1/items/{number}?page={number % 50}&sort=name"
    headers = [
        ["Host", "api.example.com"],
        ["Accept", "application/json"],
        ["User-Agent", "courier/0.1"],
        ["Authorization", "Bearer ••••••••"],
        ["X-Trace", f"trace-{number:08d}"],
    ]
    detail: dict[str, Any] = {
        "origin": {"request_name": f"Item {number}", "collection_name": "Bench API"},
        "request": {"method": method, "url": url, "headers": headers, "body_size": 0},
        "response": {
            "status_code": status,
            "reason": "OK",
            "http_version": "HTTP/1.1",
            "headers": [["content-type", "application/json"], ["content-length", "2048"]] * 4,
            "url": url,
        },
        "timings": {"total_s": 0.05, "ttfb_s": 0.03, "http_version": "HTTP/1.1"},
        "hops": [],
        "error": None,
        "notes": [],
    }
    body = (b'{"id": %d, "name": "item"}' % number).ljust(2048) if number % 4 == 0 else None
    return HistoryRecord(
        at=at,
        method=method,
        url=url,
        name=f"Item {number}" if number % 3 else "",
        collection_name="Bench API" if number % 3 else "",
        status=status,
        reason="OK",
        state="done",
        size=2048,
        duration_s=0.05,
        error="",
        detail=detail,
        body=body,
        body_state=BodyState.KEPT if body is not None else BodyState.NONE,
    )


def median_time(job: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        job()
        times.append(time.perf_counter() - started)
    return round(statistics.median(times), 4)


def panel_first_page(path: Path) -> float:
    from PySide6.QtWidgets import QApplication

    from app.services.history import HistoryService
    from app.session import Session
    from app.ui.history import HistoryPanel

    app = QApplication.instance() or QApplication([])
    service = HistoryService(Session(state_path=path.with_name("state.json")), HistoryStore(path))
    started = time.perf_counter()
    panel = HistoryPanel(service)
    panel.show()
    while not panel.model.entries():
        app.processEvents()
        time.sleep(0.001)
    app.processEvents()
    elapsed = time.perf_counter() - started
    panel.close()
    service.close()
    return round(elapsed, 4)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    path = Path(tempfile.mkdtemp(prefix="courier-history-")) / "history.sqlite3"
    store = HistoryStore(path)
    started = time.perf_counter()
    now = time.time()
    for number in range(args.entries):
        store.add(record(number, now - (args.entries - number) * 30))
    fill_s = time.perf_counter() - started
    middle = store.entries(limit=1, before=args.entries // 2)[0].id
    store.close()

    results: dict[str, Any] = {
        "entries": args.entries,
        "fill_s": round(fill_s, 1),
        "adds_per_s": round(args.entries / fill_s),
        "file_mb": round(sum(p.stat().st_size for p in path.parent.iterdir()) / 1e6, 1),
    }
    opened = time.perf_counter()
    store = HistoryStore(path)
    store.entries(limit=200)
    results["open_s"] = round(time.perf_counter() - opened, 4)
    results["text_index"] = store.has_text_index()
    scan = HistoryStore(path, use_text_index=False)
    runs = args.runs
    queries: dict[str, Callable[[], object]] = {
        "first_page_s": lambda: store.entries(limit=200),
        "deep_page_s": lambda: store.entries(before=middle, limit=200),
        "count_all_s": lambda: store.count(),
        "count_text_s": lambda: store.count(HistoryQuery(text="items/12")),
        "count_text_common_s": lambda: store.count(HistoryQuery(text="example")),
        "text_common_s": lambda: store.entries(HistoryQuery(text="example"), limit=200),
        "text_rare_s": lambda: store.entries(HistoryQuery(text="items/77777?"), limit=200),
        "text_none_s": lambda: store.entries(HistoryQuery(text="no-such-thing"), limit=200),
        "method_rare_s": lambda: store.entries(
            HistoryQuery(methods=frozenset({"DELETE"})), limit=200
        ),
        "status_5xx_s": lambda: store.entries(
            HistoryQuery(status_classes=frozenset({5})), limit=200
        ),
        "combined_s": lambda: store.entries(
            HistoryQuery(text="item", methods=frozenset({"PATCH"}), status_classes=frozenset({4})),
            limit=200,
        ),
        "combined_rare_text_s": lambda: store.entries(
            HistoryQuery(text="items/7777", status_classes=frozenset({2})), limit=200
        ),
        "detail_s": lambda: store.get(middle),
        "text_rare_scan_s": lambda: scan.entries(HistoryQuery(text="items/77777?"), limit=200),
        "text_none_scan_s": lambda: scan.entries(HistoryQuery(text="no-such-thing"), limit=200),
        "count_text_scan_s": lambda: scan.count(HistoryQuery(text="items/12")),
    }
    for name, job in queries.items():
        results[name] = median_time(job, runs)
    number = iter(range(args.entries, args.entries + runs))
    results["add_s"] = median_time(lambda: store.add(record(next(number), time.time())), runs)
    store.close()
    scan.close()
    results["panel_first_page_s"] = panel_first_page(path)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
