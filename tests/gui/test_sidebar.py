"""The sidebar in the real window: keys, new rows, drag and drop, selection, on real files."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.qtbot import QtBot

from app.core import storage
from app.core.model import Collection, Folder, Request
from app.ui.collection_tree import CollectionTreeModel
from app.ui.main_window import MainWindow
from app.ui.sidebar import Sidebar
from tests.gui.conftest import let_time_pass, run_until


def open_collection(win: MainWindow, path: Path | None) -> Collection:
    assert path is not None
    opened = asyncio.get_event_loop().run_until_complete(win.open_collection(path))
    assert opened is not None
    return opened


def make(tmp_path: Path) -> Path:
    collection = storage.create_collection(tmp_path / "api", "Shop")
    users = storage.add_folder(collection, None, "Users")
    storage.add_folder(collection, None, "Orders")
    for name in ["List users", "Get user", "Delete user"]:
        storage.add_request(collection, users, Request(name=name, url=f"/{name}"))
    storage.add_request(collection, None, Request(name="Health", url="/health"))
    assert collection.path is not None
    return collection.path


def folder_named(container: Collection | Folder, name: str) -> Folder:
    return next(f for f in container.folders if f.name == name)


def names(items: list[Request] | list[Folder]) -> list[str]:
    return [item.name for item in items]


def shown_rows(model: CollectionTreeModel, parent: QModelIndex) -> list[str]:
    return [model.index(r, 0, parent).data() for r in range(model.rowCount(parent))]


def focus_row(qtbot: QtBot, win: MainWindow, obj: Folder | Request) -> None:
    win.sidebar.select(obj)
    win.sidebar.tree.setFocus()
    assert win.sidebar.current_node() is not None
    assert win.sidebar.current_node().obj is obj  # type: ignore[union-attr]


def drop(win: MainWindow, item: Folder | Request, onto: Collection | Folder, row: int) -> bool:
    """What the view does on a drop: the model's mime data of the dragged row, dropped
    at ``row`` under ``onto`` (-1: on the row itself)."""
    model = win.tree_model
    data = model.mimeData([model.index_of(item)])
    parent = model.index_of(onto)
    if not model.canDropMimeData(data, Qt.DropAction.MoveAction, row, 0, parent):
        return False
    model.dropMimeData(data, Qt.DropAction.MoveAction, row, 0, parent)
    return True


def test_f2_renames_the_selected_request(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    collection = open_collection(window, make(tmp_path))
    users = folder_named(collection, "Users")
    get_user = next(r for r in users.requests if r.name == "Get user")
    asked: list[str] = []

    def answer(title: str, label: str, text: str) -> str:
        asked.append(text)
        return "Fetch user"

    window.collection_actions.ask_name = answer  # type: ignore[method-assign]
    focus_row(qtbot, window, get_user)
    qtbot.keyClick(window.sidebar.tree, Qt.Key.Key_F2)
    assert asked == ["Get user"]
    assert get_user.name == "Fetch user"
    assert get_user.path is not None
    assert get_user.path.name == "fetch-user.request.yaml"
    assert window.tree_model.index_of(get_user).data() == "Fetch user"
    reopened = storage.load_collection(collection.path)  # type: ignore[arg-type]
    assert names(folder_named(reopened, "Users").requests) == [
        "List users",
        "Fetch user",
        "Delete user",
    ], "a renamed request keeps its place"


def test_delete_asks_and_cancel_keeps_the_request(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    collection = open_collection(window, make(tmp_path))
    users = folder_named(collection, "Users")
    doomed = next(r for r in users.requests if r.name == "Delete user")
    assert doomed.path is not None
    questions: list[str] = []
    window.collection_actions.ask_delete = lambda text: questions.append(text) or False  # type: ignore[method-assign,func-returns-value]
    focus_row(qtbot, window, doomed)
    qtbot.keyClick(window.sidebar.tree, Qt.Key.Key_Delete)
    assert len(questions) == 1
    assert "Delete user" in questions[0]
    assert doomed.path.exists()
    assert any(r is doomed for r in users.requests)

    window.collection_actions.ask_delete = lambda text: True  # type: ignore[method-assign]
    qtbot.keyClick(window.sidebar.tree, Qt.Key.Key_Delete)
    assert not doomed.path.exists()
    assert names(users.requests) == ["List users", "Get user"]
    assert shown_rows(window.tree_model, window.tree_model.index_of(users)) == [
        "List users",
        "Get user",
    ]


def test_delete_of_a_folder_asks_too(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    collection = open_collection(window, make(tmp_path))
    orders = folder_named(collection, "Orders")
    window.collection_actions.ask_delete = lambda text: True  # type: ignore[method-assign]
    focus_row(qtbot, window, orders)
    qtbot.keyClick(window.sidebar.tree, Qt.Key.Key_Delete)
    assert orders.path is not None
    assert not orders.path.exists()
    assert names(collection.folders) == ["Users"]


def test_enter_opens_the_selected_request_pinned(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    collection = open_collection(window, make(tmp_path))
    health = next(r for r in collection.requests if r.name == "Health")
    opened: list[tuple[Request, bool]] = []
    window.sidebar.requestOpened.connect(lambda c, r, pinned: opened.append((r, pinned)))
    focus_row(qtbot, window, health)
    assert window.current_request is not health, "selecting alone opens nothing"
    qtbot.keyClick(window.sidebar.tree, Qt.Key.Key_Return)
    assert window.current_request is health
    assert opened == [(health, True)]


def test_a_single_click_opens_a_preview(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    collection = open_collection(window, make(tmp_path))
    health = next(r for r in collection.requests if r.name == "Health")
    opened: list[tuple[Request, bool]] = []
    window.sidebar.requestOpened.connect(lambda c, r, pinned: opened.append((r, pinned)))
    tree = window.sidebar.tree
    index = window.tree_model.index_of(health)
    tree.scrollTo(index)
    qtbot.mouseClick(
        tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualRect(index).center()
    )
    assert opened == [(health, False)]
    assert window.current_request is health


def test_a_new_folder_in_an_empty_collection_appears_at_once(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    empty = storage.create_collection(tmp_path / "empty", "Empty")
    collection = open_collection(window, empty.path)
    tree = window.sidebar.tree
    top = window.tree_model.index_of(collection)
    qtbot.waitUntil(lambda: tree.visualRect(top).isValid())
    qtbot.wait(20)  # the view lays out the (empty) collection before the folder comes
    window.collection_actions.ask_name = lambda title, label, text: "Users"  # type: ignore[method-assign]
    window.collection_actions.new_folder_in(collection, None)
    folder = folder_named(collection, "Users")
    index = window.tree_model.index_of(folder)
    qtbot.waitUntil(lambda: tree.visualRect(index).isValid())
    assert tree.isExpanded(top)
    assert tree.indexBelow(top) == index, "the folder is the row under its collection"
    assert tree.currentIndex() == index


def test_reorder_by_drag_and_drop_persists_across_reopening(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    collection = open_collection(window, make(tmp_path))
    users = folder_named(collection, "Users")
    window.sidebar.tree.expand(window.tree_model.index_of(users))
    delete_user = users.requests[2]
    assert drop(window, delete_user, users, 0)
    qtbot.waitUntil(lambda: users.requests[0] is delete_user)
    assert shown_rows(window.tree_model, window.tree_model.index_of(users)) == [
        "Delete user",
        "List users",
        "Get user",
    ]
    assert window.sidebar.current_node().obj is delete_user  # type: ignore[union-attr]
    # folders too: Orders before Users
    orders = folder_named(collection, "Orders")
    assert drop(window, orders, collection, 0)
    qtbot.waitUntil(lambda: collection.folders[0] is orders)
    assert shown_rows(window.tree_model, window.tree_model.index_of(collection)) == [
        "Orders",
        "Users",
        "Health",
    ]

    reopened = storage.load_collection(collection.path, use_cache=False)  # type: ignore[arg-type]
    assert names(reopened.folders) == ["Orders", "Users"]
    assert names(folder_named(reopened, "Users").requests) == [
        "Delete user",
        "List users",
        "Get user",
    ]


def test_dropping_a_request_below_its_own_row_keeps_its_place(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    collection = open_collection(window, make(tmp_path))
    users = folder_named(collection, "Users")
    list_users = users.requests[0]
    folders_before = len(users.folders)
    # row 1 under Users is just below List users itself: it stays first
    assert drop(window, list_users, users, folders_before + 1)
    qtbot.wait(20)
    assert names(users.requests) == ["List users", "Get user", "Delete user"]
    # row 3 (after Delete user): it goes last
    assert drop(window, list_users, users, folders_before + 3)
    qtbot.waitUntil(lambda: users.requests[-1] is list_users)
    assert names(users.requests) == ["Get user", "Delete user", "List users"]


def test_move_between_folders_moves_the_file_and_the_open_request_keeps_working(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    collection = open_collection(window, make(tmp_path))
    users, orders = folder_named(collection, "Users"), folder_named(collection, "Orders")
    get_user = users.requests[1]
    window.open_request(collection, get_user)
    old_path = get_user.path
    assert old_path is not None
    assert orders.path is not None
    assert drop(window, get_user, orders, -1)
    qtbot.waitUntil(lambda: any(r is get_user for r in orders.requests))
    assert not old_path.exists()
    assert get_user.path == orders.path / "get-user.request.yaml"
    assert get_user.path.is_file()
    assert shown_rows(window.tree_model, window.tree_model.index_of(orders)) == ["Get user"]
    assert window.sidebar.current_node().obj is get_user  # type: ignore[union-attr]
    assert window.current_request is get_user
    assert not window.editor.is_modified()
    assert window.editor.title.text() == "Shop / Orders / Get user"

    get_user.url = "/users/2"  # the editor saves into the moved file
    window.editor.load_model(get_user)
    window.editor.url.setText("/users/3")
    assert window.save_current()
    assert "url: /users/3" in get_user.path.read_text()
    reopened = storage.load_collection(collection.path, use_cache=False)  # type: ignore[arg-type]
    assert names(folder_named(reopened, "Orders").requests) == ["Get user"]
    assert names(folder_named(reopened, "Users").requests) == ["List users", "Delete user"]


def test_a_folder_moves_into_another_but_never_into_itself(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    collection = open_collection(window, make(tmp_path))
    users, orders = folder_named(collection, "Users"), folder_named(collection, "Orders")
    assert drop(window, orders, users, -1)
    qtbot.waitUntil(lambda: any(f is orders for f in users.folders))
    assert users.path is not None
    assert orders.path == users.path / "orders"
    assert not drop(window, users, orders, -1), "a folder cannot go into its own subfolder"
    reopened = storage.load_collection(collection.path, use_cache=False)  # type: ignore[arg-type]
    assert names(reopened.folders) == ["Users"]
    assert names(reopened.folders[0].folders) == ["Orders"]


def test_a_drop_into_another_collection_is_refused(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    first = open_collection(window, make(tmp_path))
    other = storage.create_collection(tmp_path / "other", "Other")
    second = open_collection(window, other.path)
    health = first.requests[0]
    assert not drop(window, health, second, -1)
    assert first.requests == [health]


def test_select_follows_a_request_added_before_the_tree_heard_of_it(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """``select`` right after the model changed, before the workspace's signal reached
    ``sync`` (the tabs call it after New / Duplicate)."""
    collection = storage.load_collection(make(tmp_path))
    model = CollectionTreeModel()
    sidebar = Sidebar(model)
    qtbot.addWidget(sidebar)
    sidebar.show()
    top = model.add_collection(collection)
    users = folder_named(collection, "Users")
    sidebar.tree.expand(top)
    sidebar.tree.expand(model.index_of(users))
    qtbot.wait(20)
    added = storage.add_request(collection, users, Request(name="Another"))
    sidebar.select(added)
    index = sidebar.tree.currentIndex()
    assert index.isValid()
    assert index.data() == "Another"
    qtbot.waitUntil(lambda: sidebar.tree.visualRect(index).isValid())
    assert model.rowCount(model.index_of(users)) == 4
    sidebar.select(None)
    assert not sidebar.tree.currentIndex().isValid()


@pytest.mark.parametrize("key", [Qt.Key.Key_F2, Qt.Key.Key_Delete])
def test_keys_on_a_collection_row_do_not_delete_it(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, key: Qt.Key
) -> None:
    collection = open_collection(window, make(tmp_path))
    asked: list[str] = []
    window.collection_actions.ask_delete = lambda text: asked.append(text) or True  # type: ignore[method-assign,func-returns-value]
    window.collection_actions.ask_name = lambda title, label, text: asked.append(text) or None  # type: ignore[method-assign,func-returns-value]
    window.sidebar.select(collection)
    window.sidebar.tree.setFocus()
    qtbot.keyClick(window.sidebar.tree, key)
    assert collection.path is not None
    assert collection.path.is_dir()
    # F2 renames a collection (asked, here cancelled); Delete never deletes one
    assert asked == (["Shop"] if key == Qt.Key.Key_F2 else [])


def test_renaming_the_open_request_leaves_it_saved(
    qtbot: QtBot, window: MainWindow, qasync_loop: qasync.QEventLoop, tmp_path: Path
) -> None:
    """Opened from the parse cache (stamps without digests), watched, renamed with F2:
    no unsaved marker, in the editor, the window or the sidebar."""
    path = make(tmp_path)
    storage.load_collection(path)  # the parse cache knows the files, as after a restart
    collection = open_collection(window, path)
    watcher = window.outside.watcher
    assert watcher.wait_ready(collection)
    users = folder_named(collection, "Users")
    get_user = users.requests[1]
    window.open_request(collection, get_user)
    marks: list[bool] = []
    window.editor.modifiedChanged.connect(marks.append)
    window.collection_actions.ask_name = lambda title, label, text: "Fetch user"  # type: ignore[method-assign]
    focus_row(qtbot, window, get_user)
    qtbot.keyClick(window.sidebar.tree, Qt.Key.Key_F2)
    assert get_user.name == "Fetch user"
    run_until(qasync_loop, lambda: watcher.scans >= 1)  # the watcher saw the file move
    let_time_pass(qasync_loop, 0.6)
    assert window.current_request is get_user
    assert marks == []
    assert not window.editor.is_modified()
    assert not window.isWindowModified()
    assert window.tree_model.index_of(get_user).data() == "Fetch user"


def test_a_double_click_opens_the_request_pinned(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    collection = open_collection(window, make(tmp_path))
    health = next(r for r in collection.requests if r.name == "Health")
    opened: list[tuple[Request, bool]] = []
    window.sidebar.requestOpened.connect(lambda c, r, pinned: opened.append((r, pinned)))
    tree = window.sidebar.tree
    index = window.tree_model.index_of(health)
    tree.scrollTo(index)
    where = tree.visualRect(index).center()
    # a double-click as the system delivers it: press, release, double-click, release
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=where)
    qtbot.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert opened == [(health, False), (health, True)]
    assert window.current_request is health


def test_a_drop_between_rows_of_the_view_reorders(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    """The drop events the view gets from a real drag: above "List users" puts
    "Delete user" first (the view turns the position into a row)."""
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
    from PySide6.QtWidgets import QApplication

    collection = open_collection(window, make(tmp_path))
    users = folder_named(collection, "Users")
    list_users, _get_user, delete_user = users.requests
    tree = window.sidebar.tree
    model = window.tree_model
    tree.expand(model.index_of(users))
    qtbot.waitUntil(lambda: tree.visualRect(model.index_of(list_users)).isValid())
    data = model.mimeData([model.index_of(delete_user)])
    target = tree.visualRect(model.index_of(list_users))
    where = QPointF(target.center().x(), target.top() + 2)
    buttons, modifiers = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    move = Qt.DropAction.MoveAction
    viewport = tree.viewport()
    QApplication.sendEvent(
        viewport, QDragEnterEvent(where.toPoint(), move, data, buttons, modifiers)
    )
    QApplication.sendEvent(
        viewport, QDragMoveEvent(where.toPoint(), move, data, buttons, modifiers)
    )
    QApplication.sendEvent(viewport, QDropEvent(where, move, data, buttons, modifiers))
    qtbot.waitUntil(lambda: users.requests[0] is delete_user)
    assert names(users.requests) == ["Delete user", "List users", "Get user"]
    assert delete_user.path is not None
    assert delete_user.path.parent == users.path
