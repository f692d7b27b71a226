"""Collection benchmark: open a 10,000-request collection and save one request.

Writes a collection of 100 folders x 100 requests with Courier's own storage,
then measures, in this process (offscreen Qt):

* ``open_s``: ``load_collection`` plus the sidebar populated (model filled,
  view laid out and painted once), median of several runs;
* ``save_one_s``: saving one edited request (one atomic file write), median.
* ``cold_open_s``: the very first open, before Courier's parse cache
  (``app.core.parse_cache``) knows the files; later opens reuse it.

Prints a JSON object as its last line.  Targets: < 1 s and < 0.05 s.  For
reference, Bruno needs about 8 s to open 1,000 requests and Posting 3.8 s for
10,000.

    .venv/bin/python tests/bench/collection.py [--folders 100 --per-folder 100]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Courier's own files (the parse cache) go to a throw-away home, not the user's
os.environ["COURIER_HOME"] = tempfile.mkdtemp(prefix="courier-bench-")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtWidgets import QApplication

from app.core import storage
from app.core.model import Body, BodyKind, KeyValue, Request
from app.ui.collection_tree import CollectionTreeModel
from app.ui.sidebar import Sidebar


def write_collection(root: Path, folders: int, per_folder: int) -> None:
    collection = storage.create_collection(root, "Big collection")
    for f in range(folders):
        folder = storage.add_folder(collection, None, f"Folder {f:03d}")
        for r in range(per_folder):
            storage.add_request(
                collection,
                folder,
                Request(
                    name=f"Request {r:03d}",
                    method="POST" if r % 3 == 0 else "GET",
                    url=f"{{{{base}}}}/items/{f}/{r}",
                    params=[KeyValue("page", str(r))],
                    headers=[KeyValue("X-Trace", f"{f}-{r}")],
                    body=Body(BodyKind.JSON, text=f'{{\n  "n": {r}\n}}') if r % 3 == 0 else Body(),
                ),
            )


def open_once(app: QApplication, root: Path) -> float:
    gc.collect()
    started = time.perf_counter()
    collection = storage.load_collection(root)
    model = CollectionTreeModel()
    sidebar = Sidebar(model)
    sidebar.resize(300, 800)
    index = model.add_collection(collection)
    sidebar.tree.expand(index)
    sidebar.show()
    app.processEvents()
    elapsed = time.perf_counter() - started
    count = sum(1 for _ in collection.iter_requests())
    assert count >= 1, "the collection did not load"
    sidebar.close()
    sidebar.deleteLater()
    app.processEvents()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folders", type=int, default=100)
    parser.add_argument("--per-folder", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "big"
        started = time.perf_counter()
        write_collection(root, args.folders, args.per_folder)
        total = args.folders * args.per_folder
        print(f"wrote {total} requests in {time.perf_counter() - started:.1f} s")
        cold = open_once(app, root)
        print(f"cold open (no parse cache yet): {cold:.3f} s")
        open_times = []
        for i in range(args.runs):
            t = open_once(app, root)
            open_times.append(t)
            print(f"run {i + 1}: opened in {t:.3f} s")
        collection = storage.load_collection(root)
        _chain, request = next(iter(collection.iter_requests()))
        save_times = []
        for i in range(20):
            request.notes = f"edit {i}"
            started = time.perf_counter()
            storage.save_request(collection, request)
            save_times.append(time.perf_counter() - started)
    print(
        json.dumps(
            {
                "requests": total,
                "open_s": round(statistics.median(open_times), 3),
                "cold_open_s": round(cold, 3),
                "save_one_s": round(statistics.median(save_times), 4),
                "targets": {"open_s": 1.0, "save_one_s": 0.05},
            }
        )
    )


if __name__ == "__main__":
    main()
