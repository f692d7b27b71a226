"""Structured-view benchmark: JSON pretty-printing, the format worker, the lazy
tree and filters on a realistic body (records with strings, numbers, nested
objects) written indented and as one minified line.

Prints one line per measurement (MB/s, first output latency, the worker's peak
RSS).  Not part of the test suite.

    PYTHONPATH=$PWD .venv/bin/python tests/bench/structured.py [--mb 100]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from typing import Any

from app.core.viewing.json_pretty import JsonPrettyPrinter
from app.core.viewing.json_tree import JsonTree
from app.core.viewing.source import FileSource
from app.services.format_jobs import FormatJob


def record(i: int) -> dict[str, Any]:
    return {
        "id": i,
        "name": f"User {random.randint(1, 10**6)}",
        "email": f"u{i}@example.com",
        "active": random.random() < 0.5,
        "score": round(random.random() * 100, 2),
        "tags": random.sample(["a", "bb", "ccc", "dddd", "e"], 3),
        "address": {
            "city": random.choice(["Paris", "Berlin", "Tokyo"]),
            "zip": str(random.randint(10000, 99999)),
            "geo": {"lat": random.uniform(-90, 90), "lon": random.uniform(-180, 180)},
        },
        "bio": "lorem ipsum " * random.randint(0, 10),
        "note": None,
    }


def body_file(data: bytes) -> int:
    fd, path = tempfile.mkstemp()
    os.unlink(path)
    os.write(fd, data)
    return fd


def peak_rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM"):
                    return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


def run_job(
    kind: str, fd: int, size: int, expression: str | None = None
) -> tuple[FormatJob, float, float, float]:
    start = time.perf_counter()
    job = FormatJob.start(kind, fd, readable=size, complete=True, expression=expression)
    first, peak = 0.0, 0.0
    while not job.done:
        job.poll()
        peak = max(peak, peak_rss_mb(job.pid))
        if not first and job.output.size():
            first = time.perf_counter() - start
        time.sleep(0.005)
    return job, time.perf_counter() - start, first, peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=100)
    args = parser.parse_args()
    random.seed(1)
    records = [record(i) for i in range(20000)]
    units = {
        "records-indented": (json.dumps(records, indent=2)[1:-1].encode(), b",\n"),
        "one-line-minified": (json.dumps(records, separators=(",", ":"))[1:-1].encode(), b","),
    }
    for name, (unit, sep) in units.items():
        n = max(1, (args.mb << 20) // len(unit))
        body = b'{"data": [' + sep.join([unit] * n) + b'], "meta": {"count": %d}}' % (n * 20000)
        mb = len(body) / 1e6
        printer = JsonPrettyPrinter()
        start = time.perf_counter()
        for i in range(0, len(body), 1 << 20):
            printer.feed(body[i : i + (1 << 20)])
        printer.finish()
        elapsed = time.perf_counter() - start
        print(f"{name} {mb:.0f} MB: pretty in-process {mb / elapsed:.1f} MB/s")
        fd = body_file(body)
        job, elapsed, first, peak = run_job("json", fd, len(body))
        print(
            f"  pretty in the worker: first output {first * 1000:.0f} ms, {mb / elapsed:.1f} MB/s, "
            f"peak RSS {peak:.0f} MB"
        )
        job.close()
        source = FileSource(fd, len(body), complete=True)
        tree = JsonTree(source)
        start = time.perf_counter()
        data = tree.children(tree.root, 0, 1)[0]
        tree.children(data, 0, 200)
        listed = time.perf_counter() - start
        start = time.perf_counter()
        tree.children(tree.root, 0, 2)  # skips "data" to reach "meta"
        skipped = time.perf_counter() - start
        print(
            f"  tree: first 200 records {listed * 1000:.1f} ms; "
            f"skip to the next key {mb / skipped:.0f} MB/s"
        )
        for expression in ("$.meta.count", ".meta.count"):
            job, elapsed, _, peak = run_job("filter", fd, len(body), expression)
            print(f"  filter {expression!r} in the worker: {elapsed:.1f} s, peak RSS {peak:.0f} MB")
            job.close()
        os.close(fd)


if __name__ == "__main__":
    main()
