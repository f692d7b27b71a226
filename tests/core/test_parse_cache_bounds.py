"""The parse cache holds only what JSON holds exactly, and stays within its cap."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from app.core import parse_cache, storage
from app.core.model import Request
from app.core.parse_cache import cache_file_for


def cached_keys(root: Path) -> set[str]:
    data = orjson.loads(cache_file_for(root).read_bytes())
    assert data["format"] == parse_cache.FORMAT
    return set(data["entries"])


def test_a_file_json_cannot_hold_is_not_cached_and_the_rest_is(tmp_path: Path) -> None:
    root = tmp_path / "c"
    collection = storage.create_collection(root, "C")
    storage.add_request(collection, None, Request(name="Good"))
    (root / "codes.request.yaml").write_text("name: Codes\nx-status: {404: gone}\n")
    (root / "big-int.request.yaml").write_text("name: Big\nx-n: 123456789012345678901234567890\n")
    for _ in range(2):
        loaded = storage.load_collection(root)
        assert loaded.problems == []
        assert sorted(r.name for r in loaded.requests) == ["Big", "Codes", "Good"]
        assert cached_keys(root) == {"good.request.yaml"}


def test_an_oversized_cache_file_is_ignored_and_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "c"
    collection = storage.create_collection(root, "C")
    storage.add_request(collection, None, Request(name="Good", url="/v1"))
    storage.load_collection(root)
    cache = cache_file_for(root)
    monkeypatch.setattr(parse_cache, "MAX_CACHE_BYTES", 4096)
    cache.write_bytes(b'{"format": 2, "entries": {}, "padding": "' + b"x" * 8192 + b'"}')
    assert storage.load_collection(root).requests[0].url == "/v1"
    assert cache.stat().st_size < 4096
    assert cached_keys(root) == {"good.request.yaml"}


def test_entries_beyond_the_cap_are_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "c"
    collection = storage.create_collection(root, "C")
    for i in range(20):
        storage.add_request(collection, None, Request(name=f"R{i}", notes="n" * 200))
    monkeypatch.setattr(parse_cache, "MAX_CACHE_BYTES", 2048)
    loaded = storage.load_collection(root)
    assert len(loaded.requests) == 20
    assert 0 < len(cached_keys(root)) < 20
    assert cache_file_for(root).stat().st_size <= 2048


def test_a_cache_of_an_older_format_is_not_trusted(tmp_path: Path) -> None:
    root = tmp_path / "c"
    collection = storage.create_collection(root, "C")
    request = storage.add_request(collection, None, Request(name="R"))
    assert request.path is not None
    request.path.write_text("name: R\nsettings: {timeout_s: .nan}\n")
    st = request.path.stat()
    # what format 1 stored for this file: orjson wrote nan as null ("inherit")
    entry = [st.st_mtime_ns, st.st_size, {"name": "R", "settings": {"timeout_s": None}}]
    old = {"format": 1, "entries": {"r.request.yaml": entry}}
    cache_file_for(root).parent.mkdir(parents=True, exist_ok=True)
    cache_file_for(root).write_bytes(orjson.dumps(old))
    loaded = storage.load_collection(root)
    assert loaded.requests == []
    assert "timeout_s" in loaded.problems[0].reason
