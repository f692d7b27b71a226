"""The whole window, end to end, against the real demo server (offscreen Qt).

These are the issue's user stories: type a URL and Send; Stop a slow stream;
save a request and see it again after reopening; a broken file is reported
while the rest of the collection opens; errors land in the response pane.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import subprocess
import sys
from collections.abc import Awaitable
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from app.core import storage
from app.core.model import Collection, KeyValue, Request
from app.core.viewing.sniff import View
from app.services.sends import SendService
from app.services.workspace import Workspace
from app.ui.collection_tree import NodeKind
from app.ui.main_window import MainWindow
from app.ui.viewer.event_table import EventTable
from tests.gui.conftest import let_time_pass, run_until, wait_for_signal

ROOT = Path(__file__).resolve().parents[2]


def open_collection(win: MainWindow, path: Path | None) -> Collection:
    """Open a collection through the window (it opens in the background) and wait."""
    assert path is not None
    opened = asyncio.get_event_loop().run_until_complete(win.open_collection(path))
    assert opened is not None
    return opened


def run(future: Awaitable[object]) -> object:
    return asyncio.get_event_loop().run_until_complete(future)


def url_bar(win: MainWindow) -> QLineEdit:
    for edit in win.editor.findChildren(QLineEdit):
        if "URL" in edit.placeholderText():
            return edit
    raise AssertionError("no URL bar in the request editor")


def type_url(qtbot: QtBot, win: MainWindow, url: str) -> None:
    bar = url_bar(win)
    bar.clear()
    qtbot.keyClicks(bar, url)


def send_and_wait(win: MainWindow, loop: qasync.QEventLoop, timeout: float = 15.0) -> None:
    win.send()
    wait_for_signal(loop, win.responseShown, timeout)


def make_collection(tmp_path: Path, base_url: str) -> Collection:
    collection = storage.create_collection(tmp_path / "api", "My API")
    collection.base_url = base_url
    storage.save_collection_settings(collection)
    folder = storage.add_folder(collection, None, "Posts")
    storage.add_request(collection, folder, Request(name="Get post 1", url="/posts/1"))
    storage.add_request(collection, folder, Request(name="List posts", url="/posts"))
    return storage.load_collection(collection.path)  # type: ignore[arg-type]


def find_request(collection: Collection, name: str) -> Request:
    for _chain, request in collection.iter_requests():
        if request.name == name:
            return request
    raise AssertionError(f"no request {name!r}")


def test_type_url_and_send_shows_status_and_json(
    qtbot: QtBot, window: MainWindow, qasync_loop: qasync.QEventLoop, demo_server: str
) -> None:
    type_url(qtbot, window, f"{demo_server}/posts/1")
    qtbot.keyClick(url_bar(window), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    wait_for_signal(qasync_loop, window.responseShown, 15)

    assert window.response.status_text().startswith("200")
    body = window.response.body_text()
    assert json.loads(body)["id"] == 1
    assert "\n  " in body, "JSON is pretty-printed once complete"


def test_stop_a_slow_stream_mid_body(
    window: MainWindow, qtbot: QtBot, qasync_loop: qasync.QEventLoop, demo_server: str
) -> None:
    """An NDJSON stream fills its live rows; Stop keeps the rows that arrived."""
    type_url(qtbot, window, f"{demo_server}/stream/200")
    window.send()
    assert window.sends.is_running(window.current_exchange())
    viewer = window.response.viewer
    run_until(qasync_loop, lambda: viewer.current_view() is View.ROWS, 15)
    table = viewer.page(View.ROWS)
    assert isinstance(table, EventTable)
    run_until(qasync_loop, lambda: table.row_count() >= 3, 15)

    window.stop()
    run_until(qasync_loop, lambda: not window.sends.is_running(window.current_exchange()), 5)
    assert "Stopped" in window.response.status_text()
    run_until(qasync_loop, window.response.body_settled, 5)
    rows = table.row_count()
    assert 3 <= rows < 200, "the stream was cut before its end"
    # nothing more arrives after Stop, and what arrived stays
    let_time_pass(qasync_loop, 1)
    window.response.viewer.refresh()
    assert table.row_count() == rows
    viewer.set_view(View.RAW)
    raw = viewer.text()
    assert raw.count("\n") == rows
    assert json.loads(raw.splitlines()[0])["id"] == 0


def test_send_turns_into_stop_while_running(
    window: MainWindow, qtbot: QtBot, qasync_loop: qasync.QEventLoop, demo_server: str
) -> None:
    from PySide6.QtWidgets import QPushButton

    button = window.editor.findChild(QPushButton, "sendButton")
    assert button is not None
    type_url(qtbot, window, f"{demo_server}/delay/3")
    assert "Send" in button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    run_until(qasync_loop, lambda: "Stop" in button.text(), 5)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    run_until(qasync_loop, lambda: "Send" in button.text(), 5)
    assert not window.sends.is_running(window.current_exchange())


def test_connection_refused_is_shown_in_the_pane(
    qtbot: QtBot, window: MainWindow, qasync_loop: qasync.QEventLoop, refused_port: int
) -> None:
    type_url(qtbot, window, f"http://127.0.0.1:{refused_port}/")
    send_and_wait(window, qasync_loop)
    assert "Error" in window.response.status_text()
    assert "refused" in window.response.body_text().lower()


def test_invalid_url_is_shown_in_the_pane(
    qtbot: QtBot, window: MainWindow, qasync_loop: qasync.QEventLoop
) -> None:
    type_url(qtbot, window, "http://exa mple.com:99999/")
    send_and_wait(window, qasync_loop)
    assert "Error" in window.response.status_text()


def test_sample_collection_get_post_1(window: MainWindow, qasync_loop: qasync.QEventLoop) -> None:
    run(window.open_demo_collection())
    demo = next(c for c in window.workspace.collections if c.name == "Courier demo")
    assert not demo.problems
    request = find_request(demo, "Get post 1")
    window.sidebar.select(request)
    window.open_request(demo, request)
    send_and_wait(window, qasync_loop)
    assert window.response.status_text().startswith("200")
    assert json.loads(window.response.body_text())["id"] == 1


def test_save_request_then_reopen_collection_shows_it(
    qtbot: QtBot,
    window: MainWindow,
    qasync_loop: qasync.QEventLoop,
    tmp_path: Path,
    demo_server: str,
) -> None:
    collection = make_collection(tmp_path, demo_server)
    opened = open_collection(window, collection.path)
    assert opened is not None
    request = find_request(opened, "List posts")
    window.open_request(opened, request)
    type_url(qtbot, window, "/posts?userId=2")
    assert window.editor.is_modified()
    assert window.isWindowModified()
    qtbot.keyClick(url_bar(window), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not window.editor.is_modified()

    on_disk = storage.load_collection(collection.path)  # type: ignore[arg-type]
    saved = find_request(on_disk, "List posts")
    assert saved.url == "/posts"
    assert saved.params == [KeyValue("userId", "2")]

    # a fresh window (a restart) opens the collection and shows the saved request
    window.workspace.save_state()
    workspace2 = Workspace(state_path=tmp_path / "state.json")
    win2 = MainWindow(workspace2, SendService(workspace2.session))
    qtbot.addWidget(win2)
    errors = workspace2.restore()
    assert errors == []
    reopened = workspace2.find_open(collection.path)  # type: ignore[arg-type]
    assert reopened is not None
    win2.open_request(reopened, find_request(reopened, "List posts"))
    assert "userId=2" in url_bar(win2).text()
    send_and_wait(win2, qasync_loop)
    assert all(post["userId"] == 2 for post in json.loads(win2.response.body_text()))
    qasync_loop.run_until_complete(win2.sends.aclose())


def test_a_broken_request_file_is_reported_and_the_rest_opens(
    window: MainWindow, tmp_path: Path, demo_server: str
) -> None:
    collection = make_collection(tmp_path, demo_server)
    broken = find_request(collection, "List posts").path
    assert broken is not None
    broken.write_text("name: [unclosed\nmethod: GET\n", encoding="utf-8")
    before = broken.read_bytes()

    opened = open_collection(window, collection.path)
    assert opened is not None
    assert [p.path for p in opened.problems] == [broken]
    model = window.tree_model
    top = model.index_of(opened)
    kinds = [model.node(model.index(r, 0, top)).kind for r in range(model.rowCount(top))]  # type: ignore[union-attr]
    assert NodeKind.PROBLEM in kinds
    problem_row = kinds.index(NodeKind.PROBLEM)
    label = model.index(problem_row, 0, top).data()
    assert "list-posts" in label

    # clicking it explains the problem in the response pane
    window.sidebar.problemActivated.emit(opened, opened.problems[0])
    assert "could not be read" in window.response.body_text()
    # the healthy request still opens, the broken file is untouched
    window.open_request(opened, find_request(opened, "Get post 1"))
    assert url_bar(window).text().endswith("/posts/1")
    assert broken.read_bytes() == before


def test_opening_another_request_keeps_unsaved_edits_in_their_tab(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, demo_server: str
) -> None:
    """With tabs, a switch never asks: the edited request stays open in its own tab."""
    collection = open_collection(window, make_collection(tmp_path, demo_server).path)
    assert collection is not None
    first = find_request(collection, "Get post 1")
    second = find_request(collection, "List posts")
    window.open_request(collection, first)
    type_url(qtbot, window, "/posts/2")
    answers: list[str] = []

    def ask(name: str) -> str:
        answers.append(name)
        return "cancel"

    window.ask_unsaved = ask  # type: ignore[method-assign]
    window.open_request(collection, second)
    assert answers == []
    assert window.current_request is second
    assert window.tabs.count() == 2, "the edit pinned the first tab: the second has its own"
    window.open_request(collection, first)
    assert window.current_request is first
    assert url_bar(window).text() == "/posts/2"
    assert window.editor.is_modified()
    on_disk = storage.load_collection(collection.path)  # type: ignore[arg-type]
    assert find_request(on_disk, "Get post 1").url == "/posts/1", "nothing saved unasked"
    window.ask_unsaved = lambda name: "discard"  # type: ignore[method-assign]


def test_scratch_request_saved_into_a_collection(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, demo_server: str
) -> None:
    collection = open_collection(window, make_collection(tmp_path, demo_server).path)
    assert collection is not None
    window.new_scratch_request()
    type_url(qtbot, window, f"{demo_server}/headers")
    folder = collection.folders[0]
    window.ask_save_destination = lambda name: (collection, folder, "My headers")  # type: ignore[method-assign]
    assert window.save_current()
    assert window.current_collection is collection
    on_disk = storage.load_collection(collection.path)  # type: ignore[arg-type]
    assert find_request(on_disk, "My headers").url == f"{demo_server}/headers"


def test_sidebar_operations_update_tree_and_disk(
    window: MainWindow, tmp_path: Path, demo_server: str
) -> None:
    collection = open_collection(window, make_collection(tmp_path, demo_server).path)
    assert collection is not None
    ws, model = window.workspace, window.tree_model
    top = model.index_of(collection)
    assert model.rowCount(top) == 1

    folder = ws.add_folder(collection, None, "Users")
    assert model.rowCount(model.index_of(collection)) == 2
    request = ws.add_request(collection, folder, Request(name="List users", url="/users"))
    assert model.index_of(request).isValid()
    ws.rename(collection, request, "All users")
    assert model.index_of(request).data() == "All users"
    copy = ws.duplicate(collection, request)
    assert copy.name == "All users copy"
    assert model.rowCount(model.index_of(folder)) == 2
    ws.delete(collection, request)
    assert model.rowCount(model.index_of(folder)) == 1
    ws.delete(collection, folder)
    assert model.rowCount(model.index_of(collection)) == 1

    names = sorted(r.name for _c, r in storage.load_collection(collection.path).iter_requests())  # type: ignore[arg-type]
    assert names == ["Get post 1", "List posts"]


def test_run_without_a_display_says_how(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DISPLAY", "WAYLAND_DISPLAY"}}
    env.pop("QT_QPA_PLATFORM", None)
    env["COURIER_HOME"] = str(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "app"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2
    assert "xvfb-run" in proc.stderr
    assert "QT_QPA_PLATFORM" in proc.stderr


def test_screenshot_mode_sends_the_demo_request(tmp_path: Path) -> None:
    """The whole app, as a user starts it: demo server, sample collection, Send."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", COURIER_HOME=str(tmp_path / "home"))
    png = tmp_path / "shot.png"
    proc = subprocess.run(
        [sys.executable, "-m", "app", "--demo", "--screenshot", str(png)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert proc.returncode == 0, proc.stderr
    assert png.read_bytes().startswith(b"\x89PNG")
    assert "screenshot saved" in proc.stdout


def test_closing_with_unsaved_changes_asks(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, demo_server: str
) -> None:
    collection = open_collection(window, make_collection(tmp_path, demo_server).path)
    assert collection is not None
    window.open_request(collection, find_request(collection, "Get post 1"))
    type_url(qtbot, window, "/posts/3")
    window.ask_unsaved = lambda name: "cancel"  # type: ignore[method-assign]
    assert not window.close()
    assert window.isVisible()
    window.ask_unsaved = lambda name: "save"  # type: ignore[method-assign]
    assert window.close()
    reloaded = storage.load_collection(collection.path)  # type: ignore[arg-type]
    assert find_request(reloaded, "Get post 1").url == "/posts/3"
    state = json.loads((tmp_path / "state.json").read_text())
    assert state["open_collections"] == [str(collection.path)]


def test_context_menu_actions_through_the_window(
    window: MainWindow, tmp_path: Path, demo_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """New folder / new request / rename / duplicate / delete as the menu triggers them
    (the modal name and confirmation dialogs answered by the test)."""
    from PySide6.QtWidgets import QInputDialog, QMessageBox

    collection = open_collection(window, make_collection(tmp_path, demo_server).path)
    assert collection is not None
    answers = iter(["Users", "List users", "All users"])
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (next(answers), True))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    model = window.tree_model

    def act(action: str, obj: object) -> None:
        node = model.node(model.index_of(obj))
        assert node is not None
        window.sidebar.nodeAction.emit(action, node)

    act("new-folder", collection)
    users = next(f for f in collection.folders if f.name == "Users")
    act("new-request", users)
    assert window.current_request.name == "List users"
    assert window.current_collection is collection
    act("rename", window.current_request)
    assert window.current_request.name == "All users"
    assert "All users" in window.windowTitle()
    act("duplicate", window.current_request)
    assert [r.name for r in users.requests] == ["All users", "All users copy"]
    act("delete", users)
    assert window.current_collection is None, "the editor left the deleted folder"
    assert not (tmp_path / "api" / "users").exists()


def test_a_body_over_the_limit_stops_and_can_be_downloaded_to_a_file_instead(
    qtbot: QtBot,
    window: MainWindow,
    qasync_loop: qasync.QEventLoop,
    tmp_path: Path,
    demo_server: str,
) -> None:
    from app.core.errors import BodyTooLarge
    from app.core.model import Settings

    collection = storage.create_collection(tmp_path / "big", "Big")
    collection.base_url = demo_server
    collection.settings = Settings(max_body_mb=1)
    storage.save_collection_settings(collection)
    storage.add_request(collection, None, Request(name="Bomb", url="/gzip-bomb?gb=0.01"))
    opened = open_collection(window, collection.path)
    window.open_request(opened, find_request(opened, "Bomb"))
    send_and_wait(window, qasync_loop)
    refused = window.current_exchange()
    assert refused is not None
    assert isinstance(refused.error, BodyTooLarge)
    assert refused.received == 1024 * 1024, "what arrived up to the limit is kept"
    assert "1.0 MiB limit" in window.response.body_text()
    assert window.response.download_button.isVisible()

    target = tmp_path / "downloads" / "zeros.bin"
    target.parent.mkdir()
    window.ask_download_path = lambda suggested: target  # type: ignore[method-assign]
    qtbot.mouseClick(window.response.download_button, Qt.MouseButton.LeftButton)
    (download,) = window.downloads.downloads
    assert window.downloads_dock.isVisible(), "its progress shows in the Downloads panel"
    run_until(qasync_loop, lambda: str(download.state) == "done", 30)
    # the file is the body as sent (gzip), never decoded: no cap on a download
    assert gzip.decompress(target.read_bytes()) == bytes(int(0.01 * 1024**3))
    assert any("encoded as “gzip”" in n for n in download.snapshot.notices)
    assert not target.with_name("zeros.bin.part").exists()
    assert window.current_exchange() is refused, "the refused response stays on show"
    assert refused.body.read(0, 4) == b"\0" * 4, "the refused exchange's body is still there"


def test_reload_reads_the_collection_again_in_the_background(
    window: MainWindow, qasync_loop: qasync.QEventLoop, tmp_path: Path, demo_server: str
) -> None:
    collection = open_collection(window, make_collection(tmp_path, demo_server).path)
    outside = storage.load_collection(collection.path)  # type: ignore[arg-type]
    storage.add_request(outside, None, Request(name="Added outside", url="/get"))
    node = window.tree_model.node(window.tree_model.index_of(collection))
    assert node is not None
    window.sidebar.nodeAction.emit("reload", node)
    assert window.workspace.collections[0] is collection, "nothing was read on the GUI thread"
    run_until(qasync_loop, lambda: window.workspace.collections[0] is not collection, 10)
    (fresh,) = window.workspace.collections
    assert "Added outside" in {r.name for _c, r in fresh.iter_requests()}
    top = window.tree_model.index_of(fresh)
    names = {
        window.tree_model.index(r, 0, top).data() for r in range(window.tree_model.rowCount(top))
    }
    assert "Added outside" in names
    assert not window.busy_indicator.isVisible()


def test_a_full_disk_is_explained_in_the_pane_and_the_next_send_works(
    qtbot: QtBot,
    window: MainWindow,
    qasync_loop: qasync.QEventLoop,
    demo_server: str,
    small_tmpfs: Path,
) -> None:
    window.workspace.session.body_directory = small_tmpfs  # bodies past 1 MiB go here
    type_url(qtbot, window, f"{demo_server}/gzip-bomb?gb=0.01")
    send_and_wait(window, qasync_loop)
    assert "Error" in window.response.status_text()
    text = window.response.body_text()
    assert text.startswith("Could not store the response")
    assert "disk" in text
    assert "Network" not in text
    assert list(small_tmpfs.iterdir()) == [], "nothing is left on the full disk"
    type_url(qtbot, window, f"{demo_server}/posts/1")
    send_and_wait(window, qasync_loop)
    assert window.response.status_text().startswith("200")
