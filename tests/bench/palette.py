"""Palette benchmark: rank 10,000 requests per keystroke.

Builds 10,000 requests with realistic names, methods, URLs and folder paths
(``app.ui.palette.request_candidates`` is what the palette ranks), then types
queries one character at a time and times each keystroke:

* ``typed_ms``: as in the palette, each keystroke extends the previous query, so
  the ranker only looks at what the previous keystroke kept;
* ``typed_cpu_ms``: the same in CPU time (what the keystroke costs on a machine
  other jobs are not sharing);
* ``fresh_ms``: every prefix ranked from scratch (a paste, a deleted character);
* ``build_candidates_ms``: listing the requests when the palette opens;
* ``widget_first_open_ms`` / ``widget_open_ms``: showing the palette on the
  requests, the first time and again (unchanged requests are not listed anew);
* ``widget_ms``: the whole palette (its line edit, ranking and the list's model
  reset) per keystroke, offscreen.

Prints a JSON object as its last line (max and median per measure, in ms).  Target:
every keystroke well under 50 ms.

    .venv/bin/python tests/bench/palette.py [--requests 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.core.fuzzy import Ranker
from app.core.model import Collection, Folder, Request

QUERIES = (
    "get user",
    "gusr",
    "invoices",
    "ord 42",
    "/v2/payments",
    "delete webhook",
    "crtinv",
    "zzzz",
    "a",
)

_NOUNS = (
    "user", "order", "invoice", "payment", "webhook", "product", "cart", "session",
    "token", "report", "subscription", "address", "refund", "shipment", "coupon",
)  # fmt: skip
_VERBS = {
    "GET": ("Get", "List", "Search", "Export"),
    "POST": ("Create", "Import", "Send", "Verify"),
    "PUT": ("Replace", "Update"),
    "PATCH": ("Rename", "Patch"),
    "DELETE": ("Delete", "Archive"),
}


def build_collections(count: int, seed: int = 7) -> list[Collection]:
    """``count`` requests in 4 collections of nested folders, names like a real API's."""
    rng = random.Random(seed)
    collections = [Collection(name=n) for n in ("Billing API", "Shop", "Admin", "Partners")]
    per_collection = count // len(collections)
    for collection in collections:
        for f in range(per_collection // 50):
            noun = _NOUNS[f % len(_NOUNS)]
            folder = Folder(name=f"{noun.title()}s {f}")
            sub = Folder(name=f"v{1 + f % 3} endpoints")
            folder.folders.append(sub)
            collection.folders.append(folder)
            for r in range(50):
                method = rng.choice(tuple(_VERBS))
                verb = rng.choice(_VERBS[method])
                what = rng.choice(_NOUNS)
                request = Request(
                    name=f"{verb} {what} {r}",
                    method=method,
                    url=f"{{{{base}}}}/v{1 + r % 3}/{noun}s/{{{{id}}}}/{what}s/{r}?page={r % 7}",
                )
                (sub if r % 2 else folder).requests.append(request)
    return collections


def _time_ms(action: object) -> float:
    start = time.perf_counter()
    action()  # type: ignore[operator]
    return (time.perf_counter() - start) * 1000


def _cpu_ms(action: object) -> float:
    """CPU time: on a machine other jobs share, closer to what an idle one takes."""
    start = time.process_time()
    action()  # type: ignore[operator]
    return (time.process_time() - start) * 1000


def bench_ranking(collections: list[Collection]) -> dict[str, float]:
    from app.ui.palette.requests import request_candidates, request_weights

    pairs = [(c, r) for c in collections for _chain, r in c.iter_requests()]
    built = _time_ms(lambda: request_candidates(pairs))
    candidates = request_candidates(pairs)
    typed: list[float] = []
    typed_cpu: list[float] = []
    fresh: list[float] = []
    for query in QUERIES:
        ranker = Ranker(candidates, request_weights())
        for n in range(1, len(query) + 1):
            typed.append(_time_ms(lambda r=ranker, q=query[:n]: r.rank(q)))
        ranker = Ranker(candidates, request_weights())
        for n in range(1, len(query) + 1):
            typed_cpu.append(_cpu_ms(lambda r=ranker, q=query[:n]: r.rank(q)))
        for n in range(1, len(query) + 1):
            ranker = Ranker(candidates, request_weights())
            fresh.append(_time_ms(lambda r=ranker, q=query[:n]: r.rank(q)))
    return {
        "candidates": float(len(candidates)),
        "build_candidates_ms": built,
        "typed_max_ms": max(typed),
        "typed_median_ms": statistics.median(typed),
        "typed_cpu_max_ms": max(typed_cpu),
        "typed_cpu_median_ms": statistics.median(typed_cpu),
        "fresh_max_ms": max(fresh),
        "fresh_median_ms": statistics.median(fresh),
    }


def bench_widget(collections: list[Collection]) -> dict[str, float]:
    from PySide6.QtWidgets import QApplication, QMainWindow

    from app.ui.commands import CommandRegistry
    from app.ui.palette import CommandPalette

    app = QApplication.instance() or QApplication([])
    window = QMainWindow()
    window.resize(1200, 800)
    window.show()
    pairs = [(c, r) for c in collections for _chain, r in c.iter_requests()]
    palette = CommandPalette(window, CommandRegistry(window), lambda: pairs)
    first_open = _time_ms(lambda: palette.open("requests"))
    palette.close_palette()
    app.processEvents()
    opened = _time_ms(lambda: palette.open("requests"))
    app.processEvents()
    times: list[float] = []
    for query in QUERIES:
        palette.open("requests")
        for n in range(1, len(query) + 1):

            def keystroke(q: str = query[:n]) -> None:
                palette.line_edit.setText(q)
                palette.list_view.repaint()

            times.append(_time_ms(keystroke))
    palette.close()
    window.close()
    return {
        "widget_first_open_ms": first_open,
        "widget_open_ms": opened,
        "widget_max_ms": max(times),
        "widget_median_ms": statistics.median(times),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    args = parser.parse_args()
    collections = build_collections(args.requests)
    result = {k: round(v, 2) for k, v in bench_ranking(collections).items()}
    result.update({k: round(v, 2) for k, v in bench_widget(collections).items()})
    print(json.dumps(result))


if __name__ == "__main__":
    main()
