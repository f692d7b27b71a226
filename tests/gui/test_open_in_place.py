"""A Posting folder opened with File ▸ Open collection… in the real window: read and sent
as it is, marked in the sidebar, nothing written into it; Ctrl+S asks to convert, Convert
writes a Courier collection next to it and opens it with the edit saved; Cancel keeps the
edit unsaved.  The original folder stays byte for byte what it was."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QMessageBox
from pytestqt.qtbot import QtBot

from app.core import storage
from app.core.model import Collection, KeyValue, Request
from app.ui.main_window import MainWindow
from tests.gui.conftest import run_until, wait_for_signal

SHOP = Path(__file__).parent.parent / "core" / "importers" / "fixtures" / "posting" / "shop"
PROBE = """\
name: Probe
description: Echoes what was sent.
url: $BASE_URL/headers
headers:
- name: X-Team
  value: ${TEAM}
- name: User-Agent
  value: $USER_AGENT
auth:
  type: bearer_token
  bearer_token:
    token: ${API_TOKEN}
"""


def tree_hash(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    } | {str(p.relative_to(root)) + "/": "dir" for p in root.rglob("*") if p.is_dir()}


@pytest.fixture
def posting_folder(tmp_path: Path, demo_server: str) -> Path:
    root = tmp_path / "shop"
    shutil.copytree(SHOP, root)
    (root / "dev.env").write_text(
        f"BASE_URL={demo_server}\nAPI_TOKEN=dev-token-7f3a\nTEAM=couriers\n", encoding="utf-8"
    )
    (root / "probe.posting.yaml").write_text(PROBE, encoding="utf-8")
    return root


def open_folder(window: MainWindow, loop: qasync.QEventLoop, path: Path) -> Collection:
    collection = loop.run_until_complete(window.open_collection(path))
    assert collection is not None
    return collection


def request_named(collection: Collection, name: str) -> Request:
    return next(r for _chain, r in collection.iter_requests() if r.name == name)


def sent_headers(window: MainWindow, loop: qasync.QEventLoop) -> dict[str, str]:
    window.send()
    wait_for_signal(loop, window.responseShown, 15)
    assert window.response.status_text().startswith("200"), window.response.body_text()
    return json.loads(window.response.body_text())["headers"]  # type: ignore[no-any-return]


def test_a_posting_folder_opens_as_it_is_and_sends(
    window: MainWindow, qasync_loop: qasync.QEventLoop, posting_folder: Path
) -> None:
    before = tree_hash(posting_folder)
    collection = open_folder(window, qasync_loop, posting_folder)
    assert collection.foreign == "posting"
    assert sum(1 for _ in collection.iter_requests()) == 10
    assert [e.name for e in collection.environments] == ["dev", "prod"]
    index = window.tree_model.index_of(collection)
    assert index.isValid()
    assert window.tree_model.data(index) == "shop  (Posting)"
    tooltip = window.tree_model.data(index, Qt.ItemDataRole.ToolTipRole)
    assert "A Posting collection, opened as it is" in tooltip
    probe_index = window.tree_model.index_of(request_named(collection, "Probe"))
    assert window.tree_model.data(probe_index, Qt.ItemDataRole.ToolTipRole) == (
        f"{posting_folder / 'probe.posting.yaml'}\nPosting's file, opened as it is"
    )
    assert str(posting_folder) in window.workspace.state.recent_collections

    window.open_request(collection, request_named(collection, "Probe"))
    headers = sent_headers(window, qasync_loop)
    assert headers["authorization"] == "Bearer dev-token-7f3a"
    assert headers["x-team"] == "couriers"
    assert headers["user-agent"] == "courier-fixture/1.0", "from .env, the shared variables"
    assert tree_hash(posting_folder) == before, "nothing written into the folder"
    assert not (posting_folder / storage.COLLECTION_FILE).exists()


def test_ctrl_s_converts_and_saves_the_edit_the_original_untouched(
    window: MainWindow, qasync_loop: qasync.QEventLoop, posting_folder: Path, demo_server: str
) -> None:
    before = tree_hash(posting_folder)
    collection = open_folder(window, qasync_loop, posting_folder)
    tab = window.open_request(collection, request_named(collection, "Probe"), preview=False)
    window.editor.url.setText("{{BASE_URL}}/headers?converted=1")
    assert tab.is_modified()
    asked: list[Collection] = []
    target = posting_folder.parent / "shop (Courier)"

    def ask(foreign: Collection) -> Path:
        asked.append(foreign)
        return target

    window.foreign.ask_convert = ask  # type: ignore[method-assign]
    assert window.save_current() is False, "not saved yet: converting"
    assert window.foreign.converting is not None
    converted = qasync_loop.run_until_complete(window.foreign.converting)
    assert asked == [collection]
    assert converted is not None
    assert converted.path == target
    assert (target / storage.COLLECTION_FILE).is_file()
    assert window.workspace.find_open(target) is converted
    assert window.workspace.find_open(posting_folder) is None, "the converted one took its place"
    assert not converted.foreign
    assert window.tree_model.index_of(converted).isValid()
    assert not window.tree_model.index_of(collection).isValid()
    assert tab.collection is converted
    assert not tab.is_modified(), "the tab's edit was saved"
    saved = storage.load_collection(target)
    probe = request_named(saved, "Probe")
    assert (probe.url, probe.params) == ("{{BASE_URL}}/headers", [KeyValue("converted", "1")])
    assert sum(1 for _ in saved.iter_requests()) == 10
    assert "dev-token-7f3a" not in "".join(p.read_text() for p in target.rglob("*.yaml"))
    assert tree_hash(posting_folder) == before, "the original folder is byte-identical"
    assert str(target) in window.workspace.state.recent_collections
    # the converted collection sends as the foreign one did, secrets from the keychain
    headers = sent_headers(window, qasync_loop)
    assert headers["authorization"] == "Bearer dev-token-7f3a"
    assert headers["x-team"] == "couriers"
    assert demo_server.split("//")[1] in headers["host"]


def test_cancel_keeps_the_original_and_the_edit(
    window: MainWindow, qasync_loop: qasync.QEventLoop, posting_folder: Path
) -> None:
    before = tree_hash(posting_folder)
    siblings = sorted(p.name for p in posting_folder.parent.iterdir())
    collection = open_folder(window, qasync_loop, posting_folder)
    tab = window.open_request(collection, request_named(collection, "Probe"), preview=False)
    window.editor.url.setText("https://example.test/edited")
    window.foreign.ask_convert = lambda foreign: None  # type: ignore[method-assign]
    assert window.save_current() is False
    assert window.foreign.converting is None
    assert tab.is_modified()
    assert tab.collection is collection
    assert window.editor.url.text() == "https://example.test/edited"
    assert "Not saved" in window.statusBar().currentMessage()
    assert tree_hash(posting_folder) == before
    assert sorted(p.name for p in posting_folder.parent.iterdir()) == siblings


def test_sidebar_writes_ask_to_convert_and_write_nothing(
    window: MainWindow, qasync_loop: qasync.QEventLoop, posting_folder: Path
) -> None:
    before = tree_hash(posting_folder)
    collection = open_folder(window, qasync_loop, posting_folder)
    asked: list[str] = []
    window.foreign.ask_convert = lambda c: asked.append(c.name) or None  # type: ignore[method-assign]
    node = window.tree_model.node(window.tree_model.index_of(collection))
    assert node is not None
    request = request_named(collection, "Health")
    request_node = window.tree_model.node(window.tree_model.index_of(request))
    assert request_node is not None
    for action, target in (
        ("new-request", node),
        ("new-folder", node),
        ("rename", request_node),
        ("delete", request_node),
        ("duplicate", request_node),
    ):
        window.collection_actions.on_node_action(action, target)
    window.collection_actions.move(collection, request, collection.folders[0], 0)
    window.sidebar.nodeAction.emit("duplicate", request_node)  # the context menu's way
    shown: list[str] = []

    def save_settings(dialog: object) -> bool:
        shown.append(type(dialog).__name__)
        return True

    window.run_settings_dialog = save_settings  # type: ignore[method-assign]
    window.collection_actions.on_node_action("settings", node)
    assert shown == ["SettingsDialog"], "the settings are shown"
    assert asked == ["shop"] * 8, "saving them asks to convert"
    assert sum(1 for _ in collection.iter_requests()) == 10
    assert tree_hash(posting_folder) == before


def test_the_workspace_refuses_every_write(
    window: MainWindow, qasync_loop: qasync.QEventLoop, posting_folder: Path
) -> None:
    from app.session.foreign import ForeignReadOnly

    before = tree_hash(posting_folder)
    collection = open_folder(window, qasync_loop, posting_folder)
    request = request_named(collection, "Health")
    workspace = window.workspace
    with pytest.raises(ForeignReadOnly, match=r"This is a Posting collection\. Convert it"):
        workspace.save_request(collection, request, Request(name="Health", url="x"))
    with pytest.raises(ForeignReadOnly):
        workspace.add_folder(collection, None, "new")
    with pytest.raises(ForeignReadOnly):
        workspace.rename_collection(collection, "renamed")
    assert collection.name == "shop"
    with pytest.raises(ForeignReadOnly):
        workspace.save_collection_settings(collection)
    assert tree_hash(posting_folder) == before


def test_a_broken_file_is_a_problem_and_the_rest_opens(
    window: MainWindow, qasync_loop: qasync.QEventLoop, posting_folder: Path
) -> None:
    broken = posting_folder / "users" / "list-users.posting.yaml"
    broken.write_text("name: [unclosed\n", encoding="utf-8")
    collection = open_folder(window, qasync_loop, posting_folder)
    assert [p.path for p in collection.problems] == [broken]
    assert sum(1 for _ in collection.iter_requests()) == 9
    problem = window.tree_model.index_of(collection.problems[0])
    assert window.tree_model.data(problem) == "users/list-users.posting.yaml (cannot be read)"
    assert "could not be read" in window.statusBar().currentMessage()


def test_changes_made_outside_are_read_again(
    window: MainWindow, qasync_loop: qasync.QEventLoop, posting_folder: Path
) -> None:
    collection = open_folder(window, qasync_loop, posting_folder)
    watcher = window.outside.watcher
    assert watcher.wait_ready(collection)
    tab = window.open_request(collection, request_named(collection, "Probe"), preview=False)
    probe = posting_folder / "probe.posting.yaml"
    probe.write_text(PROBE.replace("/headers", "/anything"), encoding="utf-8")
    run_until(
        qasync_loop,
        lambda: (
            (found := window.workspace.find_open(posting_folder)) is not None
            and request_named(found, "Probe").url == "{{BASE_URL}}/anything"
        ),
    )
    fresh = window.workspace.find_open(posting_folder)
    assert fresh is not None
    assert fresh is not collection
    assert fresh.foreign == "posting"
    assert tab.collection is fresh, "the tab follows the request's file"
    assert window.editor.url.text() == "{{BASE_URL}}/anything"
    (posting_folder / "orders" / "export-orders.posting.yaml").write_text("url: [\n")
    run_until(
        qasync_loop,
        lambda: (
            (found := window.workspace.find_open(posting_folder)) is not None
            and len(found.problems) == 1
        ),
    )


def test_a_bruno_folder_opens_in_place_the_same_way(
    window: MainWindow,
    qasync_loop: qasync.QEventLoop,
    tmp_path: Path,
    demo_server: str,
) -> None:
    root = tmp_path / "bru"
    root.mkdir()
    (root / "bruno.json").write_text('{"version": "1", "name": "bru", "type": "collection"}')
    (root / "anything.bru").write_text(
        "meta {\n  name: anything\n  type: http\n  seq: 1\n}\n\n"
        f"get {{\n  url: {demo_server}/anything\n  body: none\n  auth: none\n}}\n"
    )
    before = tree_hash(root)
    collection = open_folder(window, qasync_loop, root)
    assert collection.foreign == "bruno"
    assert window.tree_model.data(window.tree_model.index_of(collection)) == "bru  (Bruno)"
    request = request_named(collection, "anything")
    assert request.path == root / "anything.bru", "a tab finds it again by its file"
    tab = window.open_request(collection, request, preview=False)
    window.send()
    wait_for_signal(qasync_loop, window.responseShown, 15)
    assert window.response.status_text().startswith("200")
    window.editor.url.setText(f"{demo_server}/headers")
    window.foreign.ask_convert = lambda foreign: None  # type: ignore[method-assign]
    assert window.save_current() is False
    assert tab.is_modified()
    assert tree_hash(root) == before


def test_a_broken_bruno_folder_opens_with_the_problem_listed(
    window: MainWindow,
    qasync_loop: qasync.QEventLoop,
    tmp_path: Path,
) -> None:
    root = tmp_path / "bru"
    root.mkdir()
    (root / "bruno.json").write_text("{}")
    (root / "broken.bru").write_text("nonsense\n")
    collection = open_folder(window, qasync_loop, root)
    assert collection.foreign == "bruno"
    assert [(p.path, p.reason) for p in collection.problems] == [
        (root, "broken.bru: expected '{' after 'nonsense' (line 1, column 9)")
    ]


def test_a_posting_folder_and_its_tabs_come_back_after_a_restart(
    qtbot: QtBot, window: MainWindow, qasync_loop: qasync.QEventLoop, posting_folder: Path
) -> None:
    from app.services.sends import SendService
    from app.services.workspace import Workspace

    before = tree_hash(posting_folder)
    collection = open_folder(window, qasync_loop, posting_folder)
    window.open_request(collection, request_named(collection, "Health"), preview=False)
    window.open_request(collection, request_named(collection, "Probe"), preview=False)
    window.editor.url.setText("{{BASE_URL}}/anything/draft")
    window.workspace.save_state()
    window.save_session()

    workspace2 = Workspace(state_path=posting_folder.parent / "state.json")
    win2 = MainWindow(workspace2, SendService(workspace2.session))
    win2.ask_unsaved = lambda name: "discard"  # type: ignore[method-assign]
    qtbot.addWidget(win2)
    qasync_loop.run_until_complete(win2.restore())
    reopened = workspace2.find_open(posting_folder)
    assert reopened is not None
    assert reopened.foreign == "posting"
    tabs = win2.request_tabs()
    assert [t.name() for t in tabs] == ["Health", "Probe"]
    assert tabs[1].is_modified(), "the unsaved edit came back as a draft"
    assert tabs[1].editor.url.text() == "{{BASE_URL}}/anything/draft"
    assert tree_hash(posting_folder) == before
    qasync_loop.run_until_complete(win2.sends.aclose())
    win2.workbench.close()


def test_the_convert_question_and_the_default_folder(
    window: MainWindow,
    qasync_loop: qasync.QEventLoop,
    posting_folder: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    collection = open_folder(window, qasync_loop, posting_folder)
    asked: list[str] = []
    proposed: list[str] = []

    def answer(box: QMessageBox, button: str) -> int:
        asked.append(box.text())
        (chosen,) = [b for b in box.buttons() if b.text() == button]
        chosen.click()
        return 0

    def name_it(*args: object, text: str = "", **kwargs: object) -> tuple[str, bool]:
        proposed.append(text)
        return text, True

    monkeypatch.setattr(QInputDialog, "getText", name_it)
    monkeypatch.setattr(QMessageBox, "exec", lambda box: answer(box, "Convert…"))
    assert window.foreign.ask_convert(collection) == posting_folder.parent / "shop (Courier)"
    assert asked == [
        "This is a Posting collection. Convert it to a Courier collection to save changes?"
    ]
    assert proposed == ["shop (Courier)"]
    monkeypatch.setattr(QMessageBox, "exec", lambda box: answer(box, "Cancel"))
    assert window.foreign.ask_convert(collection) is None
    assert proposed == ["shop (Courier)"], "Cancel asks no more"
