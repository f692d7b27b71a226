"""Open a collection twice under a memory limit and report what happened, as JSON.

Run as ``python -m tests.helpers.bounded_open COLLECTION MEMORY_MB`` by tests
that feed the loader hostile files (alias bombs, FIFOs, ``/dev/zero``): the
limit (``RLIMIT_AS``) turns a runaway allocation into a failure of this process,
not of the machine, and the caller's timeout does the same for time.  The
second open is the one a restart does, with the parse cache written by the
first.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


def main() -> None:
    collection_dir = Path(sys.argv[1])
    limit = int(sys.argv[2]) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    from app.core import storage
    from app.core.parse_cache import cache_file_for

    report: dict[str, object] = {}
    for run in ("first", "second"):
        started = time.perf_counter()
        collection = storage.load_collection(collection_dir)
        cache = cache_file_for(collection_dir)
        report[run] = {
            "seconds": time.perf_counter() - started,
            "requests": sorted(r.name for _chain, r in collection.iter_requests()),
            "folders": sorted(f.name for f in collection.folders),
            "environments": sorted(e.name for e in collection.environments),
            "problems": {str(p.path): p.reason for p in collection.problems},
            "cache_bytes": cache.stat().st_size if cache.exists() else 0,
        }
    report["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(report))


if __name__ == "__main__":
    main()
