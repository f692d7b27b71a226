"""Workspace moves: files, secrets and the order move together; a failed order write
is reported after the rest is done."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from app.core import storage
from app.core.model import Auth, AuthKind, Collection, Folder, Request
from app.secrets import MemoryStore
from app.services.workspace import Workspace


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("COURIER_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def opened_with_a_secret(tmp_path: Path) -> tuple[Workspace, MemoryStore, Collection, Request]:
    made = storage.create_collection(tmp_path / "api", "API")
    storage.add_folder(made, None, "Users")
    storage.add_folder(made, None, "Admins")
    store = MemoryStore()
    ws = Workspace(state_path=tmp_path / "state.json", secrets=store)
    collection = ws.open_collection(tmp_path / "api")
    users = next(f for f in collection.folders if f.name == "Users")
    added = ws.add_request(collection, users, Request(name="Me", url="/me"))
    edited = copy.deepcopy(added)
    edited.auth = Auth(kind=AuthKind.BEARER, token="tok-123")
    ws.save_request(collection, added, edited)
    return ws, store, collection, added


def folder(collection: Collection, name: str) -> Folder:
    return next(f for f in collection.folders if f.name == name)


def test_a_moved_request_takes_its_secret_along(qapp: QApplication, tmp_path: Path) -> None:
    ws, store, collection, me = opened_with_a_secret(tmp_path)
    assert "tok-123" in store._values.values()
    old_keys = set(store._values)
    ws.move(collection, me, folder(collection, "Admins"), 0)
    assert me.path is not None
    assert me.path.parent.name == "admins"
    assert set(store._values) != old_keys, "the secret is under the new file's key"
    assert list(store._values.values()) == ["tok-123"]
    again = Workspace(state_path=tmp_path / "state2.json", secrets=store)
    reopened = again.open_collection(tmp_path / "api")
    moved = folder(reopened, "Admins").requests[0]
    assert moved.auth.token == "tok-123"


def test_an_order_that_cannot_be_written_is_reported_after_the_move(
    qapp: QApplication, tmp_path: Path
) -> None:
    ws, store, collection, me = opened_with_a_secret(tmp_path)
    admins = folder(collection, "Admins")
    assert admins.path is not None
    (admins.path / "folder.yaml").write_text("name: [Admins\n")  # not YAML any more
    changed: list[object] = []
    ws.folderTreeChanged.connect(changed.append)
    with pytest.raises(storage.OrderNotKept, match="until the collection closes"):
        ws.move(collection, me, admins, 0)
    assert me.path is not None
    assert me.path.parent == admins.path, "the file moved"
    assert list(store._values.values()) == ["tok-123"]
    again = Workspace(state_path=tmp_path / "state2.json", secrets=store)
    reopened = again.open_collection(tmp_path / "api")
    assert reopened.problems, "the broken folder.yaml is reported on reopening"
    moved = next(r for _chain, r in reopened.iter_requests() if r.name == "Me")
    assert moved.auth.token == "tok-123", "the secret followed the file"
    assert any(node is admins for node in changed), "the sidebar was told"
