"""File ▸ Import ▸ Import a Bruno collection… in the real window: the folder it asks
for becomes a new Courier collection that opens in the sidebar; a broken ``.bru``
file says which file and line, and nothing is written."""

from __future__ import annotations

import shutil
from pathlib import Path

import qasync

from app.core.model import AuthKind
from app.ui.main_window import MainWindow
from tests.gui.conftest import run_until

FIXTURES = Path(__file__).parent.parent / "core" / "importers" / "fixtures" / "bruno"
BRU = FIXTURES / "shop-bru"


def test_import_bruno_opens_the_new_collection_with_every_request(
    window: MainWindow, qasync_loop: qasync.QEventLoop, tmp_path: Path
) -> None:
    parent = tmp_path / "collections"
    parent.mkdir()
    asked: list[str] = []
    window.ask_import_folder = lambda title: asked.append(title) or str(BRU)  # type: ignore[method-assign]
    window.ask_collection_parent = lambda: str(parent)  # type: ignore[method-assign]
    file_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&File")
    import_menu = next(a.menu() for a in file_menu.actions() if a.text() == "Import")
    (action,) = [a for a in import_menu.actions() if a.text() == "Import a Bruno collection…"]
    action.trigger()
    assert asked == ["Import a Bruno collection"]
    run_until(qasync_loop, lambda: "Imported" in window.statusBar().currentMessage())
    target = parent / "shop-api"
    opened = window.workspace.find_open(target)
    assert opened is not None, "the new collection is open"
    assert opened.name == "Shop API"
    assert sum(1 for _ in opened.iter_requests()) == 11
    assert [f.name for f in opened.folders] == ["Users", "Orders", "files"]
    assert opened.auth.kind is AuthKind.BEARER
    assert [e.name for e in opened.environments] == ["Local", "Production"]
    assert window.tree_model.index_of(opened).isValid(), "and in the sidebar"
    assert "Imported 11 request(s)" in window.statusBar().currentMessage()


def test_a_broken_bru_file_says_where_and_writes_nothing(
    window: MainWindow, qasync_loop: qasync.QEventLoop, tmp_path: Path
) -> None:
    source = tmp_path / "shop"
    shutil.copytree(BRU, source)
    (source / "users" / "list-users.bru").write_text("meta {\n  name: List\n}\n\nget {\n  url: x\n")
    parent = tmp_path / "collections"
    parent.mkdir()
    errors: list[str] = []
    window.ask_import_folder = lambda title: str(source)  # type: ignore[method-assign]
    window.ask_collection_parent = lambda: str(parent)  # type: ignore[method-assign]
    window.show_error = lambda title, message: errors.append(message)  # type: ignore[method-assign]
    future = window.collection_import.import_format("bruno")
    assert future is not None
    assert qasync_loop.run_until_complete(future) is None
    assert errors == [
        "shop: users/list-users.bru: the 'get' block is never closed: expected '}' at the "
        "start of a line (line 5, column 5) Nothing was imported."
    ]
    assert list(parent.iterdir()) == [], "nothing half-way"
