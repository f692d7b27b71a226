"""Workspace: first run, remembered collections, and the demo started on demand."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from app.core import storage
from app.core.errors import CollectionNotFound
from app.core.model import Request
from app.services.workspace import Workspace


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("COURIER_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def test_first_run_opens_the_sample_and_later_runs_restore(
    qapp: QApplication, tmp_path: Path
) -> None:
    state = tmp_path / "state.json"
    first = Workspace(state_path=state)
    assert first.restore() == []
    assert [c.name for c in first.collections] == ["Courier demo"]
    other = storage.create_collection(tmp_path / "other", "Other")
    assert other.path is not None
    first.open_collection(other.path)
    first.save_state()

    second = Workspace(state_path=state)
    assert second.restore() == []
    assert [c.name for c in second.collections] == ["Courier demo", "Other"]
    assert second.state.recent_collections[0] == str(other.path)


def test_a_vanished_collection_is_reported_and_the_rest_restores(
    qapp: QApplication, tmp_path: Path
) -> None:
    state = tmp_path / "state.json"
    ws = Workspace(state_path=state)
    ws.restore()
    gone = storage.create_collection(tmp_path / "gone", "Gone")
    assert gone.path is not None
    ws.open_collection(gone.path)
    ws.save_state()
    shutil.rmtree(gone.path)

    again = Workspace(state_path=state)
    errors = again.restore()
    assert len(errors) == 1
    assert isinstance(errors[0], CollectionNotFound)
    assert [c.name for c in again.collections] == ["Courier demo"]


def test_opening_the_same_folder_twice_gives_the_same_collection(
    qapp: QApplication, tmp_path: Path
) -> None:
    ws = Workspace(state_path=tmp_path / "state.json")
    c = storage.create_collection(tmp_path / "c", "C")
    assert c.path is not None
    assert ws.open_collection(c.path) is ws.open_collection(c.path / ".." / "c")


def test_demo_variable_starts_the_demo_server(qapp: QApplication, tmp_path: Path) -> None:
    ws = Workspace(state_path=tmp_path / "state.json")
    sample = ws.open_sample()
    request = next(r for _c, r in sample.iter_requests() if r.name == "Get post 1")
    try:
        assert not ws.demo.is_running()
        resolution = ws.resolve(request, sample)
        assert ws.demo.is_running()
        assert resolution.unresolved == ()
        assert resolution.profile.base_url == ws.demo.base_url
        scratch = ws.resolve(Request(name="x", url="{{nothing}}/a"), None)
        assert scratch.unresolved == ("nothing",)
    finally:
        ws.demo.stop()
