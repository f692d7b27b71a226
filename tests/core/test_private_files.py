"""Courier's own files (app state, parse cache, cookie jars) are the user's alone:
0600 files in 0700 folders, and what an older Courier left laxer is tightened on start.
Collection files keep the user's modes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from app.core import app_state, parse_cache, paths, storage
from app.core.model import Request
from app.core.yamlio import atomic_write
from app.net import cookie_jar
from app.session import Session


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_atomic_write_gives_the_mode_asked_for_else_keeps_the_old_one(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"old")
    path.chmod(0o640)
    atomic_write(path, b"new")
    assert mode(path) == 0o640
    atomic_write(path, b"newer", mode=0o600)
    assert (mode(path), path.read_bytes()) == (0o600, b"newer")


def test_app_state_and_parse_cache_are_owner_only(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        app_state.save_app_state(app_state.AppState())
        cache = parse_cache.ParseCache(tmp_path)
        file = tmp_path / "x.request.yaml"
        file.write_text("name: x\n")
        cache.put(str(file), file.stat(), {"name": "x"})
        cache.save()
    finally:
        os.umask(old)
    state = app_state.default_path()
    cached = parse_cache.cache_file_for(tmp_path)
    assert (mode(state), mode(state.parent)) == (0o600, 0o700)
    assert mode(cached) == 0o600
    data = paths.data_dir()
    for folder in (cached.parent, cached.parent.parent, data):
        assert mode(folder) == 0o700, folder


def test_collection_files_keep_the_users_modes(tmp_path: Path) -> None:
    umask = os.umask(0)
    os.umask(umask)
    collection = storage.create_collection(tmp_path / "c", "c")
    storage.add_request(collection, None, Request(name="r", url="/x"))
    files = [p for p in (tmp_path / "c").rglob("*") if p.is_file()]
    assert len(files) == 2
    assert {mode(p) for p in files} == {0o666 & ~umask}, "as the umask says, not 0600"


def test_laxer_folders_and_files_of_an_older_courier_are_tightened_on_start() -> None:
    jar = cookie_jar.jar_file("old")
    jar.parent.mkdir(parents=True, mode=0o755)
    jar.write_text('{"format": 1, "cookies": []}')
    jar.chmod(0o644)
    paths.data_dir().chmod(0o755)
    state = app_state.default_path()
    state.parent.mkdir(parents=True, mode=0o755)
    state.write_text("{}")
    state.chmod(0o644)
    collections = paths.data_dir() / "collections" / "mine"
    collections.mkdir(parents=True, mode=0o755)
    (collections / "collection.yaml").write_text("name: mine\n")
    (collections / "collection.yaml").chmod(0o644)

    Session(secrets=None)

    assert (mode(jar), mode(jar.parent), mode(paths.data_dir())) == (0o600, 0o700, 0o700)
    assert (mode(state), mode(state.parent)) == (0o600, 0o700)
    assert mode(collections / "collection.yaml") == 0o644, "the user's collection is left alone"


def test_a_write_tightens_a_laxer_folder() -> None:
    folder = cookie_jar.jar_file("w").parent
    folder.mkdir(parents=True, mode=0o755)
    folder.chmod(0o755)
    cookie_jar.write("w", b"{}")
    assert mode(folder) == 0o700
