"""What Courier remembers between runs, and a corrupt state file never blocks start-up."""

from __future__ import annotations

from pathlib import Path

from app.core import app_state, paths
from app.core.sample import install_sample_collection


def test_round_trip_and_recent_list(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    state = app_state.AppState()
    for i in range(12):
        app_state.add_recent(state, f"/c/{i}")
    app_state.add_recent(state, "/c/5")
    assert state.recent_collections[:2] == ["/c/5", "/c/11"]
    assert len(state.recent_collections) == app_state.MAX_RECENT
    state.first_run_done = True
    app_state.save_app_state(state, path)
    assert app_state.load_app_state(path) == state


def test_corrupt_state_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text('{"recent_collections": 7}')
    assert app_state.load_app_state(path) == app_state.AppState()
    assert not path.exists()
    assert (tmp_path / "state.json.bad").read_text() == '{"recent_collections": 7}'


def test_courier_home_and_sample_install(courier_home: Path) -> None:
    assert paths.data_dir() == courier_home / "data"
    assert app_state.default_path() == courier_home / "config" / "state.json"
    target = install_sample_collection()
    assert (target / "collection.yaml").is_file()
    edited = target / "posts" / "get-post-1.request.yaml"
    edited.write_text("name: Mine\nmethod: GET\n")
    assert install_sample_collection() == target
    assert edited.read_text() == "name: Mine\nmethod: GET\n", "user edits are never overwritten"
