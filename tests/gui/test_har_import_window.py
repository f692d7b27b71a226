"""File ▸ Import ▸ Import a HAR file… in the real window: a browser's capture becomes a
new collection folder that opens in the sidebar; a broken file says where and writes
nothing."""

from __future__ import annotations

from pathlib import Path

import qasync

from app.core.importers import collection_format, parse_har
from app.ui.main_window import MainWindow

FIXTURES = Path(__file__).parent.parent / "core" / "importers" / "fixtures" / "har"
CHROME = FIXTURES / "chrome-shop.har"


def test_import_a_har_file_opens_the_new_collection_with_every_request(
    window: MainWindow, qasync_loop: qasync.QEventLoop, tmp_path: Path
) -> None:
    expected = parse_har(CHROME.read_bytes())
    parent = tmp_path / "collections"
    parent.mkdir()
    asked: list[tuple[str, str]] = []

    def answer(title: str, file_filter: str) -> str:
        asked.append((title, file_filter))
        return str(CHROME)

    window.ask_import_file = answer  # type: ignore[method-assign]
    window.ask_collection_parent = lambda: str(parent)  # type: ignore[method-assign]
    future = window.collection_import.import_format("har")
    assert future is not None
    target = qasync_loop.run_until_complete(future)
    assert asked == [("Import a HAR file", "HAR file (*.har *.json);;All files (*)")]
    assert collection_format("har").import_title == "Import a HAR file"
    assert target is not None
    assert target.parent == parent
    opened = window.workspace.find_open(target)
    assert opened is not None, "the new collection is open"
    names = sorted(r.name for _chain, r in opened.iter_requests())
    assert names == sorted(r.name for _chain, r in expected.collection.iter_requests())
    assert len(names) == 15
    assert [f.name for f in opened.folders[0].folders] == ["Static assets"]
    assert window.tree_model.index_of(opened).isValid(), "and in the sidebar"
    assert "Imported 15 request(s)" in window.statusBar().currentMessage()


def test_a_broken_har_file_says_where_and_writes_nothing(
    window: MainWindow, qasync_loop: qasync.QEventLoop, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.har"
    broken.write_text('{"log": {"version": "1.2",\n  "entries": [{"request": }]}}\n')
    parent = tmp_path / "collections"
    parent.mkdir()
    errors: list[str] = []
    window.ask_import_file = lambda title, file_filter: str(broken)  # type: ignore[method-assign]
    window.ask_collection_parent = lambda: str(parent)  # type: ignore[method-assign]
    window.show_error = lambda title, message: errors.append(message)  # type: ignore[method-assign]
    future = window.collection_import.import_format("har")
    assert future is not None
    assert qasync_loop.run_until_complete(future) is None
    assert len(errors) == 1
    assert "broken.har" in errors[0]
    assert "line 2" in errors[0]
    assert list(parent.iterdir()) == [], "nothing half-way"
