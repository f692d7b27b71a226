"""File ▸ Import ▸ Posting collection… in the real window: the folder becomes a new
Courier collection that opens in the sidebar; a broken file says where, writes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import qasync

from app.ui.main_window import MainWindow
from tests.gui.conftest import run_until

SHOP = Path(__file__).parent.parent / "core" / "importers" / "fixtures" / "posting" / "shop"


def test_import_posting_opens_the_new_collection_with_every_request(
    window: MainWindow, qasync_loop: qasync.QEventLoop, tmp_path: Path
) -> None:
    parent = tmp_path / "collections"
    parent.mkdir()
    asked: list[str] = []
    window.ask_import_folder = lambda title: asked.append(title) or str(SHOP)  # type: ignore[method-assign]
    window.ask_collection_parent = lambda: str(parent)  # type: ignore[method-assign]
    file_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&File")
    import_menu = next(a.menu() for a in file_menu.actions() if a.text() == "Import")
    (action,) = [a for a in import_menu.actions() if a.text() == "Import a Posting collection…"]
    action.trigger()
    assert asked == ["Import a Posting collection"]
    target = parent / "shop"
    run_until(qasync_loop, lambda: "Imported" in window.statusBar().currentMessage())
    opened = window.workspace.find_open(target)
    assert opened is not None, "the new collection is open"
    assert sum(1 for _ in opened.iter_requests()) == 9
    assert [e.name for e in opened.environments] == ["dev", "prod"]
    assert window.tree_model.index_of(opened).isValid(), "and in the sidebar"
    assert "Imported 9 request(s)" in window.statusBar().currentMessage()


def test_a_broken_posting_file_says_where_and_writes_nothing(
    window: MainWindow, qasync_loop: qasync.QEventLoop, tmp_path: Path
) -> None:
    source = tmp_path / "shop"
    shutil.copytree(SHOP, source)
    (source / "health.posting.yaml").write_text("name: Health\nurl: {oops\n")
    parent = tmp_path / "collections"
    parent.mkdir()
    errors: list[str] = []
    window.ask_import_folder = lambda title: str(source)  # type: ignore[method-assign]
    window.ask_collection_parent = lambda: str(parent)  # type: ignore[method-assign]
    window.show_error = lambda title, message: errors.append(message)  # type: ignore[method-assign]
    future = window.collection_import.import_format("posting")
    assert future is not None
    assert qasync_loop.run_until_complete(future) is None
    assert len(errors) == 1
    assert "health.posting.yaml: not valid YAML" in errors[0]
    assert "line 3" in errors[0]
    assert list(parent.iterdir()) == [], "nothing half-way"
