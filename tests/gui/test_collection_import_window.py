"""File ▸ Import ▸ Postman collection… in the real window: the export becomes a new
collection folder that opens in the sidebar; a broken file says where and writes nothing."""

from __future__ import annotations

from pathlib import Path

import qasync

from app.core.importers import parse_postman
from app.ui.main_window import MainWindow

FIXTURES = Path(__file__).parent.parent / "core" / "importers" / "fixtures" / "postman"
FIXTURE = FIXTURES / "shop.postman_collection.json"


def test_import_postman_opens_the_new_collection_with_every_request(
    window: MainWindow, qasync_loop: qasync.QEventLoop, tmp_path: Path
) -> None:
    expected = parse_postman(FIXTURE.read_bytes())
    expected.count()
    parent = tmp_path / "collections"
    parent.mkdir()
    window.ask_import_file = lambda title, file_filter: str(FIXTURE)  # type: ignore[method-assign]
    window.ask_collection_parent = lambda: str(parent)  # type: ignore[method-assign]
    future = window.collection_import.import_postman()
    assert future is not None
    target = qasync_loop.run_until_complete(future)
    assert target is not None
    assert target.parent == parent
    opened = window.workspace.find_open(target)
    assert opened is not None, "the new collection is open"
    names = sorted(r.name for _chain, r in opened.iter_requests())
    assert names == sorted(r.name for _chain, r in expected.collection.iter_requests())
    assert len(names) == expected.report.requests > 0
    assert window.tree_model.index_of(opened).isValid(), "and in the sidebar"
    assert "Imported" in window.statusBar().currentMessage()


def test_a_broken_postman_file_says_where_and_writes_nothing(
    window: MainWindow, qasync_loop: qasync.QEventLoop, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"info": {"name": "x",\n  "schema": }\n', encoding="utf-8")
    parent = tmp_path / "collections"
    parent.mkdir()
    errors: list[str] = []
    window.ask_import_file = lambda title, file_filter: str(broken)  # type: ignore[method-assign]
    window.ask_collection_parent = lambda: str(parent)  # type: ignore[method-assign]
    window.show_error = lambda title, message: errors.append(message)  # type: ignore[method-assign]
    future = window.collection_import.import_postman()
    assert future is not None
    assert qasync_loop.run_until_complete(future) is None
    assert len(errors) == 1
    assert "broken.json" in errors[0]
    assert "line 2" in errors[0]
    assert list(parent.iterdir()) == [], "nothing half-way"
