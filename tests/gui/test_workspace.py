"""Workspace: first run, remembered collections, and the demo started on demand."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
import qasync
from PySide6.QtWidgets import QApplication

from app.core import storage
from app.core.errors import CollectionNotFound
from app.core.model import Collection, Request
from app.secrets import MemoryStore
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


def test_resolving_never_starts_the_demo_server_preparing_does_in_a_worker(
    qasync_loop: qasync.QEventLoop, tmp_path: Path
) -> None:
    ws = Workspace(state_path=tmp_path / "state.json")
    sample = ws.open_sample()
    request = next(r for _c, r in sample.iter_requests() if r.name == "Get post 1")
    try:
        resolution = ws.resolve(request, sample)
        assert not ws.demo.is_running(), "resolving is pure: it starts nothing"
        assert resolution.needs_demo
        assert resolution.unresolved == ()
        started: list[str] = []
        ws.demo.startedAt.connect(started.append)
        prepared = qasync_loop.run_until_complete(ws.session.prepare(request, sample))
        assert ws.demo.is_running()
        assert started == [ws.demo.base_url]
        assert not prepared.needs_demo
        assert prepared.profile.base_url == ws.demo.base_url
        scratch = ws.resolve(Request(name="x", url="{{nothing}}/a"), None)
        assert scratch.unresolved == ("nothing",)
    finally:
        ws.demo.stop()


def test_opening_in_the_background_reads_files_and_keychain_in_a_worker(
    qasync_loop: qasync.QEventLoop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = Workspace(state_path=tmp_path / "state.json", secrets=MemoryStore())
    c = storage.create_collection(tmp_path / "c", "C")
    assert c.path is not None
    threads: list[str] = []
    load = ws.session.load_collection

    def recording(path: Path) -> Collection:
        threads.append(threading.current_thread().name)
        return load(path)

    monkeypatch.setattr(ws.session, "load_collection", recording)
    events: list[str] = []
    ws.collectionOpening.connect(lambda path: events.append(f"opening {Path(path).name}"))
    ws.collectionOpened.connect(lambda col: events.append(f"opened {col.name}"))
    first = ws.open_collection_async(c.path)
    again = ws.open_collection_async(c.path)  # while it opens: the same result
    opened = qasync_loop.run_until_complete(first)
    assert qasync_loop.run_until_complete(again) is opened
    assert opened.name == "C"
    assert ws.collections == [opened]
    assert events == ["opening c", "opened C"]
    assert threads == [threads[0]]
    assert threads[0] != threading.main_thread().name
    assert qasync_loop.run_until_complete(ws.open_collection_async(c.path)) is opened


def test_a_collection_that_fails_to_open_in_the_background_says_why(
    qasync_loop: qasync.QEventLoop, tmp_path: Path
) -> None:
    ws = Workspace(state_path=tmp_path / "state.json", secrets=MemoryStore())
    failures: list[tuple[str, str]] = []
    ws.collectionOpenFailed.connect(lambda path, why: failures.append((path, why)))
    with pytest.raises(CollectionNotFound):
        qasync_loop.run_until_complete(ws.open_collection_async(tmp_path / "nothing"))
    assert failures
    assert failures[0][0] == str(tmp_path / "nothing")
    assert ws.collections == []


def test_restore_in_the_background_opens_the_keychain_first(
    qasync_loop: qasync.QEventLoop, tmp_path: Path
) -> None:
    ws = Workspace(state_path=tmp_path / "state.json")
    ready: list[tuple[bool, str]] = []
    ws.secretsReady.connect(lambda persistent, why: ready.append((persistent, why)))
    assert not ws.session.secrets_opened, "nothing opened the keychain on the GUI thread"
    errors = qasync_loop.run_until_complete(ws.restore_async())
    assert errors == []
    assert len(ready) == 1
    assert [c.name for c in ws.collections] == ["Courier demo"]
