"""Import benchmark: a Postman v2.1 collection of 10,000 requests into a new collection.

Builds a realistic export (100 folders x 100 requests: headers, query, JSON and
form bodies, auth on folders and some requests, scripts), then measures, in this
process:

* ``parse_s``: ``parse_postman`` of the file's text;
* ``write_s``: ``write_new_collection`` (every file, one ``syncfs``, one rename);
* ``load_s``: ``storage.load_collection`` of the result (cold: no parse cache);
* ``peak_mib``: the parse's peak memory (tracemalloc, a separate run) against
  the file's size, ``file_mib``: the bound is a small multiple of the file.

Prints a JSON object as its last line.  Target: parse + write in a few seconds.

    .venv/bin/python tests/bench/import_collection.py [--folders 100 --per-folder 100]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

os.environ["COURIER_HOME"] = tempfile.mkdtemp(prefix="courier-bench-")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.core import storage
from app.core.importers import parse_postman, write_new_collection
from app.core.importers.postman import SCHEMA_V21


def request_item(f: int, r: int) -> dict[str, Any]:
    body: dict[str, Any]
    if r % 3 == 0:
        body = {"mode": "raw", "raw": json.dumps({"folder": f, "n": r, "tags": ["a", "b"]}),
                "options": {"raw": {"language": "json"}}}  # fmt: skip
    elif r % 3 == 1:
        body = {"mode": "urlencoded", "urlencoded": [{"key": "q", "value": f"v{r}"}]}
    else:
        body = {"mode": "none"}
    item: dict[str, Any] = {
        "name": f"Request {f}-{r}",
        "request": {
            "method": ("GET", "POST", "PUT")[r % 3],
            "header": [
                {"key": "Accept", "value": "application/json"},
                {"key": "X-Trace", "value": "{{trace}}", "disabled": True},
            ],
            "body": body,
            "url": {
                "raw": f"{{{{baseUrl}}}}/folders/{f}/items/{r}?page=1&size=20",
                "host": ["{{baseUrl}}"],
                "path": ["folders", str(f), "items", str(r)],
                "query": [{"key": "page", "value": "1"}, {"key": "size", "value": "20"}],
            },
            "description": f"Item {r} of folder {f}.",
        },
        "response": [],
    }
    if r % 10 == 0:
        item["request"]["auth"] = {
            "type": "bearer",
            "bearer": [{"key": "token", "value": f"tok-{f}-{r}"}],
        }
        item["event"] = [{"listen": "test", "script": {"exec": ["pm.test('ok', () => {});"]}}]
    return item


def document(folders: int, per_folder: int) -> dict[str, Any]:
    return {
        "info": {"name": "Bench", "schema": SCHEMA_V21},
        "variable": [{"key": "baseUrl", "value": "https://api.example.com"}],
        "item": [
            {
                "name": f"Folder {f}",
                "auth": {
                    "type": "basic",
                    "basic": [
                        {"key": "username", "value": "u"},
                        {"key": "password", "value": f"pw{f}"},
                    ],
                },
                "item": [request_item(f, r) for r in range(per_folder)],
            }
            for f in range(folders)
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folders", type=int, default=100)
    parser.add_argument("--per-folder", type=int, default=100)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="courier-import-bench-"))
    try:
        text = json.dumps(document(args.folders, args.per_folder), indent="\t")
        started = time.perf_counter()
        imported = parse_postman(text)
        parsed = time.perf_counter()
        write_new_collection(imported, work / "bench")
        written = time.perf_counter()
        loaded = storage.load_collection(work / "bench", use_cache=False)
        load_s = time.perf_counter() - written
        count = sum(1 for _ in loaded.iter_requests())
        tracemalloc.start()
        parse_postman(text)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        result = {
            "requests": count,
            "file_mib": round(len(text.encode()) / 2**20, 1),
            "parse_s": round(parsed - started, 2),
            "write_s": round(written - parsed, 2),
            "import_s": round(written - started, 2),
            "load_s": round(load_s, 2),
            "peak_mib": round(peak / 2**20, 1),
        }
        print(json.dumps(result))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
