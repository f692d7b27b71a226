"""File ▸ Import ▸ OpenAPI or Swagger description… in the real window: the description
becomes a new collection folder, open in the sidebar with a folder per tag and one
environment per server; a broken file says where (line and column) and writes nothing."""

from __future__ import annotations

from pathlib import Path

import qasync

from app.ui.main_window import MainWindow

FIXTURES = Path(__file__).parent.parent / "core" / "importers" / "fixtures" / "openapi"
FIXTURE = FIXTURES / "library.openapi31.yaml"


def test_import_openapi_opens_the_new_collection_by_tag(
    window: MainWindow, qasync_loop: qasync.QEventLoop, tmp_path: Path
) -> None:
    action = window.commands.action("import.openapi")
    assert action.text() == "Import an OpenAPI or Swagger description…"
    parent = tmp_path / "collections"
    parent.mkdir()
    asked: list[str] = []

    def ask_import_file(title: str, file_filter: str) -> str:
        asked.append(file_filter)
        return str(FIXTURE)

    window.ask_import_file = ask_import_file  # type: ignore[method-assign]
    window.ask_collection_parent = lambda: str(parent)  # type: ignore[method-assign]
    future = window.collection_import.import_format("openapi")
    assert future is not None
    target = qasync_loop.run_until_complete(future)
    assert asked == ["OpenAPI / Swagger description (*.json *.yaml *.yml);;All files (*)"]
    assert target == parent / "library-api"
    opened = window.workspace.find_open(target)
    assert opened is not None, "the new collection is open"
    assert [(f.name, len(f.requests)) for f in opened.folders] == [
        ("books", 5),
        ("loans", 2),
        ("members", 2),
    ]
    assert [r.name for r in opened.requests] == ["health"]
    assert sorted(e.name for e in opened.environments) == ["Local", "Production", "Staging"]
    assert window.tree_model.index_of(opened).isValid(), "and in the sidebar"
    message = window.statusBar().currentMessage()
    assert message.startswith(f"Imported 10 request(s) into {target}")
    assert "webhook" in message


def test_a_broken_description_says_where_and_writes_nothing(
    window: MainWindow, qasync_loop: qasync.QEventLoop, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("openapi: 3.0.0\npaths:\n  /a: {get: [\n", encoding="utf-8")
    parent = tmp_path / "collections"
    parent.mkdir()
    errors: list[str] = []
    window.ask_import_file = lambda title, file_filter: str(broken)  # type: ignore[method-assign]
    window.ask_collection_parent = lambda: str(parent)  # type: ignore[method-assign]
    window.show_error = lambda title, message: errors.append(message)  # type: ignore[method-assign]
    future = window.collection_import.import_format("openapi")
    assert future is not None
    assert qasync_loop.run_until_complete(future) is None
    assert len(errors) == 1
    assert errors[0].startswith("broken.yaml: not valid YAML")
    assert "(line 4, column 1)" in errors[0]
    assert list(parent.iterdir()) == [], "nothing half-way"
