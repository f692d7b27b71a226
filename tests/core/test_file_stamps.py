"""The loader stamps every file it reads (``disk``): what the write side checks
before overwriting, so a file changed outside Courier is never clobbered."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from app.core import storage
from app.core.filestamp import stamp_of
from app.core.model import FileStamp, Request


def expected(path: Path, *, read: bool = True) -> FileStamp:
    st = os.stat(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest() if read else None
    return FileStamp(st.st_mtime_ns, st.st_size, digest)


def test_stamp_of_uses_the_stat_and_the_bytes(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"name: x\n")
    assert stamp_of(os.stat(path), path.read_bytes()) == expected(path)
    assert stamp_of(os.stat(path), None) == expected(path, read=False)


def test_every_file_read_is_stamped_fresh_and_from_the_cache(tmp_path: Path) -> None:
    root = tmp_path / "c"
    collection = storage.create_collection(root, "C")
    top = storage.add_request(collection, None, Request(name="Top", url="/t"))
    folder = storage.add_folder(collection, None, "F")
    inner = storage.add_request(collection, folder, Request(name="Inner"))
    bare = root / "bare"
    bare.mkdir()  # a folder without folder.yaml
    environment = storage.add_environment(collection, "Dev")
    assert top.path is not None
    assert inner.path is not None
    assert folder.path is not None
    assert environment.path is not None

    for use_cache, request_read in ((True, True), (True, False), (False, True)):
        # fresh (no cache yet), then from the cache (bytes not read), then without one
        loaded = storage.load_collection(root, use_cache=use_cache)
        assert loaded.disk == expected(root / "collection.yaml")
        by_name = {r.name: r for _chain, r in loaded.iter_requests()}
        assert by_name["Top"].disk == expected(top.path, read=request_read)
        assert by_name["Inner"].disk == expected(inner.path, read=request_read)
        folders = {f.name: f for f in loaded.folders}
        assert folders["F"].disk == expected(folder.path / "folder.yaml")
        assert folders["bare"].disk is None
        assert loaded.environments[0].disk == expected(environment.path)

    top.path.write_text("name: Top\nurl: /changed\n")  # the cache no longer applies
    loaded = storage.load_collection(root)
    changed = next(r for r in loaded.requests if r.name == "Top")
    assert changed.url == "/changed"
    assert changed.disk == expected(top.path)
