"""Request tabs, end to end against the demo server: each tab keeps its own response
while several send at once, the preview tab, closing with a draft, the sidebar
selection following the active tab, the registry's shortcuts, and the tabs (drafts
included, secrets never) coming back after a restart."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QMessageBox
from pytestqt.qtbot import QtBot

from app.core import storage
from app.core.model import AuthKind, Collection
from app.services.sends import SendService
from app.services.workspace import Workspace
from app.ui.main_window import MainWindow
from app.ui.tabs import RequestTab
from tests.gui.conftest import run_until, wait_for_signal
from tests.gui.test_main_window import find_request, make_collection, open_collection, type_url


def selected_request(window: MainWindow) -> object:
    node = window.sidebar.current_node()
    return (
        node.obj
        if node is not None and window.sidebar.tree.selectionModel().hasSelection()
        else None
    )


def opened_collection(window: MainWindow, tmp_path: Path, demo_server: str) -> Collection:
    return open_collection(window, make_collection(tmp_path, demo_server).path)


def test_two_tabs_keep_their_own_responses_while_both_send_at_once(
    qtbot: QtBot, window: MainWindow, qasync_loop: qasync.QEventLoop, demo_server: str
) -> None:
    first = window.current_tab()
    type_url(qtbot, window, f"{demo_server}/delay/1")
    window.send()
    window.new_scratch_request()
    second = window.current_tab()
    assert second is not first
    type_url(qtbot, window, f"{demo_server}/posts/2")
    window.send()
    assert window.sends.is_running(first.exchange), "the first is still sending"
    assert window.sends.is_running(second.exchange)
    assert first.exchange is not second.exchange
    run_until(
        qasync_loop,
        lambda: (
            not window.sends.is_running(first.exchange)
            and not window.sends.is_running(second.exchange)
        ),
        15,
    )
    run_until(qasync_loop, lambda: second.response.body_settled() and first.response.body_settled())
    assert json.loads(second.response.body_text())["id"] == 2
    assert "/delay/1" in first.response.body_text()
    assert first.response.status_text().startswith("200")
    assert second.editor.send_button.text() == "Send"
    assert first.editor.send_button.text() == "Send"
    # switching tabs shows each tab's own response
    window.tabs.setCurrentWidget(first)
    assert window.response is first.response
    assert window.current_exchange() is first.exchange


def test_closing_a_tab_with_a_draft_asks_and_cancel_keeps_it(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, demo_server: str
) -> None:
    collection = opened_collection(window, tmp_path, demo_server)
    request = find_request(collection, "Get post 1")
    window.open_request(collection, request)
    type_url(qtbot, window, "/posts/9")
    tab = window.current_tab()
    assert tab.title().startswith("•"), "the tab shows its unsaved marker"
    asked: list[str] = []

    def cancel(name: str) -> str:
        asked.append(name)
        return "cancel"

    window.ask_unsaved = cancel  # type: ignore[method-assign]
    qtbot.keyClick(window.editor.url, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert asked == ["Get post 1"]
    assert window.tabs.indexOf(tab) >= 0, "Cancel keeps the tab"
    assert window.editor.url.text() == "/posts/9", "and its draft"

    window.ask_unsaved = lambda name: "discard"  # type: ignore[method-assign]
    assert window.close_tab()
    assert window.tabs.indexOf(tab) < 0
    assert window.tabs.count() == 1
    assert window.current_tab().untitled, "an untitled tab is left"
    on_disk = storage.load_collection(collection.path)  # type: ignore[arg-type]
    assert find_request(on_disk, "Get post 1").url == "/posts/1"


def test_an_untitled_tab_never_asks_at_a_switch(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, demo_server: str
) -> None:
    collection = opened_collection(window, tmp_path, demo_server)
    type_url(qtbot, window, f"{demo_server}/anything")
    untitled = window.current_tab()
    window.ask_unsaved = lambda name: pytest.fail(f"asked about {name}")  # type: ignore[method-assign]
    window.open_request(collection, find_request(collection, "List posts"))
    assert window.current_tab() is not untitled
    window.tabs.setCurrentWidget(untitled)
    assert window.editor.url.text() == f"{demo_server}/anything"
    window.ask_unsaved = lambda name: "discard"  # type: ignore[method-assign]


def test_preview_tab_is_replaced_by_the_next_click_and_pinned_by_an_edit(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, demo_server: str
) -> None:
    collection = opened_collection(window, tmp_path, demo_server)
    first = find_request(collection, "Get post 1")
    second = find_request(collection, "List posts")
    window.sidebar.requestOpened.emit(collection, first, False)  # a click
    preview = window.current_tab()
    assert preview.preview
    assert window.tab_bar.is_preview(window.tabs.indexOf(preview))
    window.sidebar.requestOpened.emit(collection, second, False)
    assert window.tabs.count() == 1, "the next click replaced the preview"
    assert window.current_tab() is preview
    assert preview.request is second
    assert preview.preview

    type_url(qtbot, window, "/posts?userId=3")  # an edit pins it
    assert not preview.preview
    window.sidebar.requestOpened.emit(collection, first, False)
    assert window.tabs.count() == 2
    assert window.current_request is first
    # opening a request already open selects its tab
    window.sidebar.requestOpened.emit(collection, second, False)
    assert window.current_tab() is preview
    assert window.tabs.count() == 2
    # a double-click pins a preview
    window.sidebar.requestOpened.emit(collection, first, False)
    first_tab = window.current_tab()
    assert first_tab.preview
    window.sidebar.requestOpened.emit(collection, first, True)  # a double-click
    assert not first_tab.preview
    assert window.current_tab() is first_tab


def test_tabs_come_back_after_a_restart_drafts_included_secrets_never_on_disk(
    qtbot: QtBot,
    window: MainWindow,
    qasync_loop: qasync.QEventLoop,
    tmp_path: Path,
    demo_server: str,
) -> None:
    secret = "tok-3f9a1c-never-on-disk"
    collection = opened_collection(window, tmp_path, demo_server)
    window.open_request(collection, find_request(collection, "List posts"), preview=False)
    window.open_request(collection, find_request(collection, "Get post 1"))
    type_url(qtbot, window, "/posts/7")
    editor = window.editor
    editor.auth_editor.set_auth(
        type(find_request(collection, "Get post 1").auth)(kind=AuthKind.BEARER, token=secret)
    )
    editor._on_changed()
    assert editor.auth_editor.auth().token == secret
    window.new_scratch_request()
    type_url(qtbot, window, f"{demo_server}/anything/untitled-draft")
    window.tabs.setCurrentIndex(1)  # "Get post 1", edited
    window.workspace.save_state()
    window.save_session()

    home = Path(os.environ["COURIER_HOME"])
    for path in home.rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), f"the secret is in {path}"
    assert list((home / "data" / "tabs" / "drafts").iterdir()), "drafts are kept in the data folder"
    assert not any(p.name.startswith(".") for p in (tmp_path / "api").rglob("*")), (
        "nothing is written into the collection"
    )

    workspace2 = Workspace(state_path=tmp_path / "state.json")
    win2 = MainWindow(workspace2, SendService(workspace2.session))
    win2.ask_unsaved = lambda name: "discard"  # type: ignore[method-assign]
    qtbot.addWidget(win2)
    qasync_loop.run_until_complete(win2.restore())
    tabs = win2.request_tabs()
    assert [t.name() for t in tabs] == ["List posts", "Get post 1", "Untitled request"]
    assert win2.current_tab() is tabs[1], "the selected tab is selected again"
    assert tabs[1].is_modified()
    assert tabs[1].editor.url.text() == "/posts/7"
    assert tabs[1].editor.auth_editor.auth().kind is AuthKind.BEARER
    assert tabs[1].editor.auth_editor.auth().token == "", "the secret is typed again"
    assert not tabs[0].is_modified()
    assert tabs[2].untitled
    assert tabs[2].editor.url.text().endswith("/anything/untitled-draft")
    qasync_loop.run_until_complete(win2.sends.aclose())


def test_sidebar_selection_follows_the_active_tab_after_new_delete_duplicate_cancel(
    qtbot: QtBot,
    window: MainWindow,
    tmp_path: Path,
    demo_server: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    collection = opened_collection(window, tmp_path, demo_server)
    first = find_request(collection, "Get post 1")
    second = find_request(collection, "List posts")
    model = window.tree_model
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Made here", True))

    def act(action: str, obj: object) -> None:
        node = model.node(model.index_of(obj))
        assert node is not None
        window.sidebar.nodeAction.emit(action, node)

    window.open_request(collection, first, preview=False)
    assert selected_request(window) is first
    # New (File ▸ New request): an untitled tab, nothing selected
    window.commands.run("tab.new")
    assert selected_request(window) is None
    # New request in a folder: its tab, and its row
    act("new-request", collection.folders[0])
    made = window.current_request
    assert made.name == "Made here"
    assert selected_request(window) is made
    # Duplicate: the copy opens in its tab and is selected
    act("duplicate", first)
    copy = window.current_request
    assert copy is not first
    assert copy.name == "Get post 1 copy"
    assert selected_request(window) is copy
    # Delete the active tab's request: its tab closes, the next active tab is selected
    act("delete", copy)
    assert window.tab_of(copy) is None
    active = window.current_tab()
    assert selected_request(window) is (active.request if not active.untitled else None)
    # Cancel in the unsaved prompt: the selection stays on the tab that asked
    window.open_request(collection, second, preview=False)
    type_url(qtbot, window, "/posts?userId=5")
    window.sidebar.select(first)  # the user clicked elsewhere meanwhile
    window.ask_unsaved = lambda name: "cancel"  # type: ignore[method-assign]
    assert not window.close_tab()
    assert selected_request(window) is second
    # switching tabs moves the selection
    window.tabs.setCurrentWidget(window.tab_of(first))
    assert selected_request(window) is first
    # closing a tab selects the next active tab's request
    window.ask_unsaved = lambda name: "discard"  # type: ignore[method-assign]
    window.close_tab()
    active = window.current_tab()
    assert selected_request(window) is (active.request if not active.untitled else None)


def test_tab_shortcuts_run_through_the_registry(qtbot: QtBot, window: MainWindow) -> None:
    ran: list[str] = []
    window.commands.ran.connect(ran.append)
    for command_id in (
        "tab.new",
        "tab.close",
        "tab.next",
        "tab.previous",
        "request.send",
        "request.stop",
        "request.save",
        "collection.open",
        "collection.new",
        "view.downloads",
        "app.quit",
        "palette.commands",
        "palette.requests",
        "help.shortcuts",
    ):
        assert command_id in window.commands
        assert window.commands.get(command_id).category
    first = window.current_tab()
    qtbot.keyClick(window.editor.url, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.count() == 2
    second = window.current_tab()
    assert second is not first
    assert second.untitled
    qtbot.keyClick(window.editor.url, Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    assert window.current_tab() is first
    qtbot.keyClick(window.editor.url, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert window.current_tab() is second
    qtbot.keyClick(window.editor.url, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.count() == 1
    assert window.current_tab() is first
    assert ran == ["tab.new", "tab.previous", "tab.next", "tab.close"]
    # the palette and the shortcuts page are asked for by signal
    with qtbot.waitSignal(window.paletteRequested) as blocker:
        qtbot.keyClick(window.editor.url, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert blocker.args == ["commands"]
    with qtbot.waitSignal(window.paletteRequested) as blocker:
        qtbot.keyClick(window.editor.url, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert blocker.args == ["requests"]
    with qtbot.waitSignal(window.shortcutsRequested):
        window.commands.run("help.shortcuts")
    # the File menu's items are the registry's actions
    file_menu = window.menuBar().actions()[0].menu()
    names = [a.objectName() for a in file_menu.actions()]
    assert "action:tab.close" in names
    assert "action:request.save" in names


def test_middle_click_closes_a_tab(qtbot: QtBot, window: MainWindow) -> None:
    window.new_scratch_request()
    second = window.current_tab()
    rect = window.tab_bar.tabRect(window.tabs.indexOf(second))
    qtbot.mouseClick(window.tab_bar, Qt.MouseButton.MiddleButton, pos=rect.center())
    assert window.tabs.indexOf(second) < 0
    assert window.tabs.count() == 1


def test_a_tab_follows_a_rename_and_closes_when_its_request_is_deleted(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, demo_server: str
) -> None:
    collection = opened_collection(window, tmp_path, demo_server)
    request = find_request(collection, "List posts")
    tab: RequestTab = window.open_request(collection, request, preview=False)
    window.workspace.rename(collection, request, "All the posts")
    assert window.tabs.tabText(window.tabs.indexOf(tab)) == "All the posts"
    assert "All the posts" in window.windowTitle()
    window.workspace.delete(collection, request)
    qtbot.waitUntil(lambda: window.tabs.indexOf(tab) < 0)
    assert "deleted" in window.statusBar().currentMessage()


def test_save_in_proposes_the_sidebar_collection_not_the_demo(
    qtbot: QtBot,
    window: MainWindow,
    qasync_loop: qasync.QEventLoop,
    tmp_path: Path,
    demo_server: str,
) -> None:
    from app.ui import dialogs

    qasync_loop.run_until_complete(window.open_demo_collection(start_server=False))
    collection = opened_collection(window, tmp_path, demo_server)
    folder = collection.folders[0]
    window.new_scratch_request()
    assert window.preferred_destination() is None, "an untitled tab selects nothing"
    window.sidebar.select(folder)
    dialog = dialogs.SaveRequestDialog(
        window.workspace.collections, "x", window, preferred=window.preferred_destination()
    )
    assert dialog.choice()[:2] == (collection, folder)
    window.sidebar.tree.clearSelection()
    window.sidebar.tree.setCurrentIndex(window.tree_model.index(-1, -1))
    window.workspace.state.last_save_collection = str(collection.path)
    assert window.preferred_destination() == (collection, None)
    dialog.deleteLater()


def test_save_body_proposes_the_downloads_folder_and_a_name(
    qtbot: QtBot,
    window: MainWindow,
    qasync_loop: qasync.QEventLoop,
    demo_server: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    from tests.gui.conftest import wait_for_signal

    monkeypatch.setenv("XDG_DOWNLOAD_DIR", str(tmp_path / "dl"))
    type_url(qtbot, window, f"{demo_server}/posts/1")
    window.send()
    wait_for_signal(qasync_loop, window.responseShown, 15)
    suggested = window.suggested_body_path()
    assert Path(suggested).name == "1.json"
    from app.core.download_names import downloads_folder

    assert Path(suggested).parent == downloads_folder()


def test_new_collection_picker_starts_in_home(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QFileDialog

    seen: list[str] = []
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a: seen.append(a[2]) or "")
    window.ask_collection_parent()
    assert seen == [str(Path.home())]
    assert seen[0] != os.getcwd() or Path.home() == Path.cwd()


def test_ctrl_tab_switches_and_ctrl_f_opens_the_active_tabs_find_bar(
    qtbot: QtBot, window: MainWindow, qasync_loop: qasync.QEventLoop, demo_server: str
) -> None:
    from app.ui.viewer.body_viewer import TextPage

    first = window.current_tab()
    type_url(qtbot, window, f"{demo_server}/posts/1")
    window.send()
    wait_for_signal(qasync_loop, window.responseShown, 15)
    window.new_scratch_request()
    second = window.current_tab()
    qtbot.keyClick(window.editor.url, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert window.current_tab() is first, "Ctrl+Tab goes round to the first tab"
    qtbot.keyClick(window.editor.url, Qt.Key.Key_Backtab, _ctrl_shift())
    assert window.current_tab() is second
    window.tabs.setCurrentWidget(first)
    viewer = first.response.viewer
    view = viewer.current_view()
    assert view is not None
    page = viewer.page(view)
    assert isinstance(page, TextPage)
    assert not page.find_bar.isVisible()
    qtbot.keyClick(window.editor.url, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert page.find_bar.isVisible(), "Ctrl+F opens the find bar of the active tab's body"


def _ctrl_shift() -> Qt.KeyboardModifier:
    return Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def test_closing_a_collection_keeps_a_draft_as_untitled_and_reload_keeps_tabs(
    qtbot: QtBot,
    window: MainWindow,
    qasync_loop: qasync.QEventLoop,
    tmp_path: Path,
    demo_server: str,
) -> None:
    collection = opened_collection(window, tmp_path, demo_server)
    plain = window.open_request(collection, find_request(collection, "List posts"), preview=False)
    edited = window.open_request(collection, find_request(collection, "Get post 1"))
    type_url(qtbot, window, "/posts/42")
    # a reload gives new objects: the tabs follow them, the draft kept
    node = window.tree_model.node(window.tree_model.index_of(collection))
    assert node is not None
    window.sidebar.nodeAction.emit("reload", node)
    run_until(qasync_loop, lambda: window.workspace.collections[0] is not collection, 10)
    fresh = window.workspace.collections[0]
    assert plain.collection is fresh
    assert plain.request is find_request(fresh, "List posts")
    assert edited.collection is fresh
    assert edited.editor.url.text() == "/posts/42"
    assert edited.is_modified()
    # closing the collection: the clean tab closes, the draft stays as an untitled request
    window.workspace.close_collection(fresh)
    assert window.tabs.indexOf(plain) < 0
    assert window.tabs.indexOf(edited) >= 0
    assert edited.untitled
    assert edited.editor.url.text() == "/posts/42"


def test_a_tab_dragged_to_a_new_place_keeps_it_after_a_restart(
    window: MainWindow, tmp_path: Path, demo_server: str
) -> None:
    from app.core import drafts

    collection = opened_collection(window, tmp_path, demo_server)
    first = window.open_request(collection, find_request(collection, "Get post 1"), preview=True)
    second = window.new_tab()
    second.editor.url.setText(f"{demo_server}/posts/2")  # a draft: kept
    assert [window.tabs.widget(i) for i in range(window.tabs.count())] == [first, second]
    assert first.preview
    window.tab_bar.moveTab(0, 1)  # what dragging the preview tab to the end does
    assert not first.preview, "a dragged preview tab is kept"
    window.save_session()
    kept = drafts.load_open_tabs()
    assert [record.key for record in kept.tabs] == [second.key, first.key]
