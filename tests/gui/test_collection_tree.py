"""The sidebar model: a correct Qt model, lazy, and kept in step by ``sync``."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex, QPersistentModelIndex
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app.core import storage
from app.core.model import Collection, LoadProblem, Request
from app.ui.collection_tree import METHOD_ROLE, CollectionTreeModel, NodeKind
from app.ui.sidebar import Sidebar


def build(tmp_path: Path) -> Collection:
    collection = storage.create_collection(tmp_path / "c", "Shop")
    users = storage.add_folder(collection, None, "Users")
    storage.add_folder(collection, users, "Admins")
    storage.add_request(collection, users, Request(name="List users", url="/users"))
    storage.add_request(collection, None, Request(name="Health", method="HEAD", url="/"))
    return storage.load_collection(tmp_path / "c")


def test_model_passes_qt_model_tester(qtmodeltester: ModelTester, tmp_path: Path) -> None:
    model = CollectionTreeModel()
    model.add_collection(build(tmp_path))
    qtmodeltester.check(model, force_py=True)


def test_rows_show_folders_first_then_requests_and_methods(tmp_path: Path) -> None:
    model = CollectionTreeModel()
    top = model.add_collection(build(tmp_path))
    assert top.data() == "Shop"
    rows = [model.index(r, 0, top) for r in range(model.rowCount(top))]
    assert [r.data() for r in rows] == ["Users", "Health"]
    assert rows[1].data(METHOD_ROLE) == "HEAD"
    users = rows[0]
    assert [model.index(r, 0, users).data() for r in range(model.rowCount(users))] == [
        "Admins",
        "List users",
    ]


def test_children_are_created_only_when_asked(tmp_path: Path) -> None:
    collection = build(tmp_path)
    model = CollectionTreeModel()
    top = model.add_collection(collection)
    node = model.node(top)
    assert node is not None
    assert node._children is None
    assert model.hasChildren(top)
    assert node._children is None, "hasChildren must not build the subtree"
    model.rowCount(top)
    assert node._children is not None


def test_sync_inserts_and_removes_rows_and_keeps_persistent_indexes(
    tmp_path: Path, qtbot: QtBot
) -> None:
    collection = build(tmp_path)
    model = CollectionTreeModel()
    sidebar = Sidebar(model)
    qtbot.addWidget(sidebar)
    top = model.add_collection(collection)
    users = model.index(0, 0, top)
    sidebar.tree.expand(top)
    sidebar.tree.expand(users)
    health = QPersistentModelIndex(model.index(1, 0, top))

    folder = storage.add_folder(collection, None, "Admin")
    model.sync(collection)
    assert model.rowCount(top) == 3
    assert health.isValid()
    assert health.data() == "Health"
    assert sidebar.tree.isExpanded(model.index_of(collection.folders[0]))

    storage.delete_folder(collection, folder)
    model.sync(collection)
    assert model.rowCount(top) == 2
    assert health.data() == "Health"


def test_problem_rows_and_modified_marker(tmp_path: Path) -> None:
    collection = build(tmp_path)
    assert collection.path is not None
    collection.problems.append(LoadProblem(collection.path / "bad.request.yaml", "boom"))
    model = CollectionTreeModel()
    top = model.add_collection(collection)
    last = model.index(model.rowCount(top) - 1, 0, top)
    node = model.node(last)
    assert node is not None
    assert node.kind is NodeKind.PROBLEM
    assert "bad.request.yaml" in last.data()
    health = collection.requests[0]
    model.set_modified(health, True)
    assert model.index_of(health).data().endswith("•")
    model.set_modified(health, False)
    assert model.index_of(health).data() == "Health"
    assert model.index_of(object()) == QModelIndex()
