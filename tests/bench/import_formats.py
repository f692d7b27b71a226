"""Import benchmark, every collection format: 10,000 requests parsed, and written.

For each format a realistic export of 10,000 requests is built (the generators the
importers' memory tests use), then, in this process:

* ``parse_s``: the format's parser over the file (or folder, for Bruno and Posting);
* ``write_s``: ``write_new_collection`` of the result (every file, one durable step);
* ``source_mib``: the size of what was parsed.

Target (issue 11): "10,000 requests in a few seconds".  Prints a line per format and a
JSON object as its last line.  Timings live here, not in the test suite (a loaded
machine would fail a timed test that says nothing about the code).

    .venv/bin/python tests/bench/import_formats.py [--only bruno,har]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ["COURIER_HOME"] = tempfile.mkdtemp(prefix="courier-bench-")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import yaml

from app.core.importers import Imported, collection_format, write_new_collection
from tests.bench.import_collection import document as postman_document
from tests.core.importers.test_bruno_errors import big_collection as bruno_folder
from tests.core.importers.test_har_import import big_har
from tests.core.importers.test_insomnia_large import big_v4
from tests.core.importers.test_openapi_large import large_description

POSTING_REQUEST = (
    Path(__file__).resolve().parents[1]
    / "core/importers/fixtures/posting/shop/users/list-users.posting.yaml"
)


def posting_folder(root: Path) -> None:
    text = POSTING_REQUEST.read_text(encoding="utf-8")
    for folder in range(100):
        directory = root / f"f{folder:02d}"
        directory.mkdir(parents=True)
        for i in range(100):
            (directory / f"r{i:03d}.posting.yaml").write_text(text.replace("List users", f"r{i}"))


def as_file(text: str) -> Callable[[Path], Path]:
    def make(work: Path) -> Path:
        path = work / "export"
        path.write_text(text, encoding="utf-8")
        return path

    return make


def as_folder(build: Callable[[Path], Any]) -> Callable[[Path], Path]:
    def make(work: Path) -> Path:
        build(work / "export")
        return work / "export"

    return make


SOURCES: dict[str, tuple[str, Callable[[], Callable[[Path], Path]]]] = {
    "postman": ("postman", lambda: as_file(json.dumps(postman_document(100, 100)))),
    "insomnia-json": ("insomnia", lambda: as_file(json.dumps(big_v4(100, 100), indent=2))),
    "insomnia-yaml": (
        "insomnia",
        lambda: as_file(yaml.safe_dump(big_v4(100, 100), sort_keys=False)),
    ),
    "openapi": ("openapi", lambda: as_file(large_description(10_000))),
    "har": ("har", lambda: as_file(big_har(10_000))),
    "bruno": ("bruno", lambda: as_folder(lambda root: bruno_folder(root, 100))),
    "posting": ("posting", lambda: as_folder(posting_folder)),
}


def size_of(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def measure(name: str, work: Path) -> dict[str, Any]:
    format_name, builder = SOURCES[name]
    source = builder()(work)
    chosen = collection_format(format_name)
    started = time.perf_counter()
    imported: Imported = chosen.read(source)
    parsed = time.perf_counter()
    write_new_collection(imported, work / "courier")
    written = time.perf_counter()
    return {
        "name": name,
        "requests": imported.report.requests,
        "source_mib": round(size_of(source) / 2**20, 1),
        "parse_s": round(parsed - started, 2),
        "write_s": round(written - parsed, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default="", help="comma-separated names: " + ", ".join(SOURCES))
    args = parser.parse_args()
    names = [n for n in args.only.split(",") if n] or list(SOURCES)
    rows = []
    for name in names:
        work = Path(tempfile.mkdtemp(prefix=f"courier-import-{name}-"))
        try:
            row = measure(name, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        rows.append(row)
        print(
            f"{name}: {row['requests']} requests from {row['source_mib']} MiB, "
            f"parsed in {row['parse_s']} s, written in {row['write_s']} s",
            flush=True,
        )
    print(json.dumps({"formats": rows}))


if __name__ == "__main__":
    main()
