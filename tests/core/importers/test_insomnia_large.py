"""A big Insomnia export (10,000 requests) imports fast and in memory bounded by its size."""

from __future__ import annotations

import copy
import json
import tracemalloc
from pathlib import Path
from typing import Any

import yaml

from app.core.importers import parse_insomnia

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "insomnia"


def big_v4(folders: int, per_folder: int) -> dict[str, Any]:
    """The fixture's workspace with ``folders`` x ``per_folder`` copies of its Orders requests."""
    data = json.loads((FIXTURES / "shop.insomnia_v4.json").read_text())
    kept = [r for r in data["resources"] if r["_type"] in ("workspace", "environment")]
    orders = [r for r in data["resources"] if r.get("parentId") == "fld_orders"]
    for f in range(folders):
        kept.append(
            {"_id": f"fld_{f}", "parentId": "wrk_5c1b0f2e", "name": f"Folder {f}",
             "metaSortKey": f, "_type": "request_group"}
        )  # fmt: skip
        for k in range(per_folder):
            request = copy.deepcopy(orders[k % len(orders)])
            request.update(_id=f"req_{f}_{k}", parentId=f"fld_{f}", metaSortKey=k)
            kept.append(request)
    data["resources"] = kept
    return data


def measured(text: str) -> tuple[Any, int]:
    """The import and its peak memory (how fast: tests/bench/import_formats.py)."""
    tracemalloc.start()
    try:
        imported = parse_insomnia(text)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return imported, peak


def test_ten_thousand_requests_in_json_parse_in_bounded_memory() -> None:
    text = json.dumps(big_v4(100, 100), indent=2)
    imported, peak = measured(text)
    assert (imported.report.requests, imported.report.folders) == (10_000, 100)
    folder = imported.collection.folders[37]
    assert (folder.name, folder.requests[3].name, folder.requests[3].auth.username) == (
        "Folder 37",
        "Cancel order",
        "ops",
    )
    assert peak < 8 * len(text.encode()), (peak, len(text))


def test_a_big_yaml_export_parses_in_memory_bounded_by_its_size() -> None:
    text = yaml.safe_dump(big_v4(50, 100), sort_keys=False)
    imported, peak = measured(text)
    assert imported.report.requests == 5_000
    # read from libyaml's events: no node tree of the whole file (that took ~37x)
    assert peak < 12 * len(text.encode()), (peak, len(text))
