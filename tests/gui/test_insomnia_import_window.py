"""File ▸ Import ▸ Insomnia export… in the real window: the export becomes a new
collection folder that opens in the sidebar; a broken file says where and writes nothing."""

from __future__ import annotations

from pathlib import Path

import qasync

from app.core.importers import parse_insomnia
from app.ui.main_window import MainWindow

FIXTURES = Path(__file__).parent.parent / "core" / "importers" / "fixtures" / "insomnia"
FIXTURE = FIXTURES / "shop.insomnia_v5.yaml"


def test_import_insomnia_opens_the_new_collection_with_every_request(
    window: MainWindow, qasync_loop: qasync.QEventLoop, tmp_path: Path
) -> None:
    action = window.commands.action("import.insomnia")
    assert action.text() == "Import an Insomnia export…"
    expected = parse_insomnia(FIXTURE.read_bytes())
    parent = tmp_path / "collections"
    parent.mkdir()
    asked: list[tuple[str, str]] = []

    def ask_import_file(title: str, file_filter: str) -> str:
        asked.append((title, file_filter))
        return str(FIXTURE)

    window.ask_import_file = ask_import_file  # type: ignore[method-assign]
    window.ask_collection_parent = lambda: str(parent)  # type: ignore[method-assign]
    future = window.collection_import.import_format("insomnia")
    assert future is not None
    target = qasync_loop.run_until_complete(future)
    ((title, file_filter),) = asked
    assert title == "Import an Insomnia export"
    assert file_filter == "Insomnia export (*.json *.yaml *.yml);;All files (*)"
    assert target == parent / "shop-api"
    opened = window.workspace.find_open(target)
    assert opened is not None, "the new collection is open"
    names = sorted(r.name for _chain, r in opened.iter_requests())
    assert names == sorted(r.name for _chain, r in expected.collection.iter_requests())
    assert len(names) == expected.report.requests == 19
    assert sorted(e.name for e in opened.environments) == ["Local", "Production"]
    assert window.tree_model.index_of(opened).isValid(), "and in the sidebar"
    assert "Imported 19 request(s)" in window.statusBar().currentMessage()


def test_a_broken_insomnia_file_says_where_and_writes_nothing(
    window: MainWindow, qasync_loop: qasync.QEventLoop, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("type: collection.insomnia.rest/5.0\ncollection:\n  - name: [x\n")
    parent = tmp_path / "collections"
    parent.mkdir()
    errors: list[str] = []
    window.ask_import_file = lambda title, file_filter: str(broken)  # type: ignore[method-assign]
    window.ask_collection_parent = lambda: str(parent)  # type: ignore[method-assign]
    window.show_error = lambda title, message: errors.append(message)  # type: ignore[method-assign]
    future = window.collection_import.import_format("insomnia")
    assert future is not None
    assert qasync_loop.run_until_complete(future) is None
    assert len(errors) == 1
    assert errors[0].startswith("broken.yaml: not valid YAML")
    assert "line 4" in errors[0]
    assert list(parent.iterdir()) == [], "nothing half-way"
