"""Collections configure the client, through the window: settings dialog, Auth tab,
inherited headers, environment switcher; checked against the demo echo server."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.core import storage
from app.core.model import AuthKind, Collection, Request, Variable
from app.secrets import MemoryStore
from app.services.sends import SendService
from app.services.workspace import Workspace
from app.ui.main_window import MainWindow
from app.ui.settings_dialog import SettingsDialog
from tests.gui.conftest import wait_for_signal


def open_collection(win: MainWindow, path: Path | None) -> Collection:
    """Open a collection through the window (it opens in the background) and wait."""
    assert path is not None
    opened = asyncio.get_event_loop().run_until_complete(win.open_collection(path))
    assert opened is not None
    return opened


def run(future: Awaitable[object]) -> object:
    return asyncio.get_event_loop().run_until_complete(future)


@pytest.fixture
def window(qtbot: QtBot, qasync_loop: qasync.QEventLoop, tmp_path: Path) -> Iterator[MainWindow]:
    workspace = Workspace(state_path=tmp_path / "state.json", secrets=MemoryStore())
    win = MainWindow(workspace, SendService(workspace.session))
    win.ask_unsaved = lambda name: "discard"  # type: ignore[method-assign]
    qtbot.addWidget(win)
    win.show()
    yield win
    qasync_loop.run_until_complete(win.sends.aclose())
    workspace.demo.stop()


def sent_headers(win: MainWindow, loop: qasync.QEventLoop) -> dict[str, str]:
    win.send()
    wait_for_signal(loop, win.responseShown, 15)
    assert win.response.status_text().startswith("200"), win.response.body_text()
    body = json.loads(win.response.body_text())
    return body["headers"]  # type: ignore[no-any-return]


def setup(win: MainWindow, tmp_path: Path) -> tuple[Collection, Request, Request]:
    collection = storage.create_collection(tmp_path / "api", "API")
    folder = storage.add_folder(collection, None, "Admin")
    storage.add_request(collection, folder, Request(name="Folder echo", url="/headers"))
    storage.add_request(collection, None, Request(name="Echo", url="/headers"))
    opened = open_collection(win, tmp_path / "api")
    assert opened is not None
    echo = opened.requests[0]
    in_folder = opened.folders[0].requests[0]
    return opened, echo, in_folder


def test_settings_dialog_configures_the_client_and_environments_switch_base_url(
    window: MainWindow, qasync_loop: qasync.QEventLoop, tmp_path: Path, demo_server: str
) -> None:
    collection, echo, in_folder = setup(window, tmp_path)

    def fill(dialog: SettingsDialog) -> bool:
        dialog.base_url.setText("{{base}}")
        dialog.headers.set_cell(0, "X-Team", "courier")
        dialog.auth.kind.setCurrentIndex(dialog.auth.kind.findData("bearer"))
        dialog.auth.token.setText("{{token}}")
        dialog.variables.set_variables([])
        dialog.variables._append(Variable("token", "tok-1", secret=True))
        assert dialog.environments is not None
        dialog.environments.add_environment("local")
        dialog.environments.variables._append(Variable("base", demo_server))
        dialog.environments.add_environment("broken")
        dialog.environments.variables._append(Variable("base", "http://127.0.0.1:9"))
        return True

    window.run_settings_dialog = fill  # type: ignore[method-assign]
    window.edit_settings(collection, collection)
    assert collection.auth.kind is AuthKind.BEARER
    text = (tmp_path / "api" / "collection.yaml").read_text()
    assert "tok-1" not in text, "a secret variable's value never reaches the file"
    assert sorted(p.name for p in (tmp_path / "api" / "environments").iterdir()) == [
        "broken.yaml",
        "local.yaml",
    ]

    window.open_request(collection, echo)
    assert window.environment_box.currentText() == "local"
    headers = sent_headers(window, qasync_loop)
    assert headers["authorization"] == "Bearer tok-1"
    assert headers["x-team"] == "courier"

    # the folder overrides auth with Basic; its requests send that instead
    folder = collection.folders[0]

    def basic(dialog: SettingsDialog) -> bool:
        dialog.auth.kind.setCurrentIndex(dialog.auth.kind.findData("basic"))
        dialog.auth.username.setText("ada")
        dialog.auth.password.setText("pw")
        return True

    window.run_settings_dialog = basic  # type: ignore[method-assign]
    window.edit_settings(collection, folder)
    assert "pw" not in (folder.path / "folder.yaml").read_text()  # type: ignore[operator]
    window.open_request(collection, in_folder)
    assert "Basic" in window.editor.auth_editor.inherited.text()
    assert "Admin" in window.editor.auth_editor.inherited.text()
    assert sent_headers(window, qasync_loop)["authorization"] == "Basic YWRhOnB3"

    # switching the environment changes the base URL
    window.environment_box.setCurrentIndex(window.environment_box.findText("broken"))
    window.environment_box.activated.emit(window.environment_box.currentIndex())
    window.send()
    wait_for_signal(qasync_loop, window.responseShown, 15)
    assert "127.0.0.1:9" in window.response.body_text()


def test_auth_tab_and_switching_off_an_inherited_header(
    qtbot: QtBot,
    window: MainWindow,
    qasync_loop: qasync.QEventLoop,
    tmp_path: Path,
    demo_server: str,
) -> None:
    collection, echo, _in_folder = setup(window, tmp_path)
    collection.base_url = demo_server
    from app.core.model import KeyValue

    collection.headers = [KeyValue("X-Team", "courier"), KeyValue("X-Keep", "1")]
    window.workspace.save_collection_settings(collection)
    window.open_request(collection, echo)
    table = window.editor.inherited_headers.table
    assert table.rowCount() == 2
    assert table.item(0, 2).text() == "collection"  # type: ignore[union-attr]
    table.item(0, 0).setCheckState(Qt.CheckState.Unchecked)  # type: ignore[union-attr]

    editor = window.editor.auth_editor
    editor.kind.setCurrentIndex(editor.kind.findData("apikey"))
    qtbot.keyClicks(editor.key_name, "X-API-Key")
    qtbot.keyClicks(editor.key_value, "demo-key")
    assert editor.key_value.echoMode() == editor.key_value.EchoMode.Password
    headers = sent_headers(window, qasync_loop)
    assert "x-team" not in headers
    assert headers["x-keep"] == "1"
    assert headers["x-api-key"] == "demo-key"

    assert window.save_current()
    file_text = echo.path.read_text()  # type: ignore[union-attr]
    assert "demo-key" not in file_text
    assert "disabled_inherited_headers:\n- X-Team" in file_text
    assert window.workspace.secrets.get(f"{collection.id}/auth:echo.request.yaml/key_value") == (
        "demo-key"
    )


def test_request_options_tab_sets_its_own_timeout(
    window: MainWindow, qasync_loop: qasync.QEventLoop, tmp_path: Path, demo_server: str
) -> None:
    collection, echo, _in_folder = setup(window, tmp_path)
    collection.base_url = demo_server
    window.workspace.save_collection_settings(collection)
    window.open_request(collection, echo)
    assert window.editor.to_model().settings.timeout_s is None, "inherits by default"
    window.editor.options.timeout.setValue(0.3)
    window.editor.url.setText("/delay/3")
    assert window.editor.to_model().settings.timeout_s == pytest.approx(0.3)
    assert window.editor.is_modified()
    window.send()
    wait_for_signal(qasync_loop, window.responseShown, 15)
    assert "Timed out" in window.response.body_text()
    assert window.save_current()
    saved = storage.load_collection(collection.path)  # type: ignore[arg-type]
    assert saved.requests[0].settings.timeout_s == pytest.approx(0.3)


def test_variables_are_marked_resolved_or_not_and_send_warns_first(
    window: MainWindow, qasync_loop: qasync.QEventLoop, tmp_path: Path, demo_server: str
) -> None:
    from app.ui.variable_marks import describe, resolved_colour, unresolved_colour

    collection, echo, _in_folder = setup(window, tmp_path)
    collection.base_url = demo_server
    collection.variables = [Variable("who", "ada"), Variable("token", "t0p", secret=True)]
    window.workspace.save_collection_settings(collection)
    window.open_request(collection, echo)

    assert window.lookup_variable("who") == ("ada", False)
    assert window.lookup_variable("nope") == (None, False)
    assert describe("token", window.lookup_variable) == "{{token}} = ••••••••  (secret)"
    assert "not defined" in describe("nope", window.lookup_variable)

    body = window.editor.body_text
    window.editor.body_kind.setCurrentIndex(1)
    body.setPlainText('{"a": "{{who}}", "b": "{{nope}}"}')
    formats = body.document().firstBlock().layout().formats()
    colours = {f.format.foreground().color().name() for f in formats}
    assert colours == {resolved_colour().name(), unresolved_colour().name()}

    asked: list[list[str]] = []

    def refuse(names: list[str]) -> bool:
        asked.append(names)
        return False

    window.confirm_unresolved = refuse  # type: ignore[method-assign]
    window.editor.url.setText("/anything?x={{nope}}")
    window.send()
    assert asked == [["nope"]]
    assert not window.sends.is_running(window.current_exchange()), (
        "nothing is sent when the user says no"
    )

    window.confirm_unresolved = lambda names: True  # type: ignore[method-assign]
    window.send()
    wait_for_signal(qasync_loop, window.responseShown, 15)
    assert json.loads(window.response.body_text())["args"] == {"x": "{{nope}}"}


def test_the_sample_collection_shows_the_whole_story(
    window: MainWindow, qasync_loop: qasync.QEventLoop, tmp_path: Path
) -> None:
    """Shared header + Bearer from a secret variable; a folder with Basic; a request with
    auth off; two environments with different base URLs."""
    run(window.open_demo_collection())
    demo = next(c for c in window.workspace.collections if c.name == "Courier demo")
    assert not demo.problems
    token_var = next(v for v in demo.variables if v.name == "api_token")
    assert token_var.secret
    assert token_var.value == "demo-token"
    assert window.workspace.secrets.get(f"{demo.id}/collection/api_token") == "demo-token"

    def send(name: str) -> tuple[int, dict[str, object]]:
        request = next(r for _c, r in demo.iter_requests() if r.name == name)
        window.open_request(demo, request)
        window.send()
        wait_for_signal(qasync_loop, window.responseShown, 15)
        status = int(window.response.status_text().split()[0])
        return status, json.loads(window.response.body_text())

    status, body = send("Show my headers")
    headers = body["headers"]
    assert status == 200
    assert headers["authorization"] == "Bearer demo-token"  # type: ignore[index]
    assert headers["x-client"] == "courier-demo"  # type: ignore[index]
    assert send("Basic auth (from the folder)") == (200, {"authenticated": True, "user": "courier"})
    assert send("Digest auth (its own)")[0] == 200
    assert send("API key in the query")[0] == 200
    assert send("AWS Signature v4")[0] == 200
    assert send("OAuth 2.0 (client credentials)") == (200, {"client": "courier-demo", "user": ""})
    status, body = send("No auth (turned off)")
    assert "authorization" not in body["headers"]  # type: ignore[operator]

    window.workspace.set_active_environment(demo, "staging")
    status, body = send("Get post 1")
    assert status == 200
    assert str(body["url"]).endswith("/anything/staging/posts/1")


def test_cookies_tab_and_cookie_manager(
    window: MainWindow, qasync_loop: qasync.QEventLoop, tmp_path: Path, demo_server: str
) -> None:
    from app.ui.cookie_manager import CookieManager
    from app.ui.response_view import COOKIES_TAB

    collection, echo, _in_folder = setup(window, tmp_path)
    collection.base_url = demo_server
    window.workspace.save_collection_settings(collection)
    window.open_request(collection, echo)
    window.editor.url.setText("/cookies/set?flavour=oat&size=big")
    window.send()
    wait_for_signal(qasync_loop, window.responseShown, 15)
    assert window.response.tabs.tabText(COOKIES_TAB) == "Cookies (2)"
    rows = window.response.cookies_pane.table.rows()
    assert {row[0] for row in rows} == {"flavour", "size"}

    manager = CookieManager(window.sends, collection.id, collection.name, window)
    assert manager.table.rowCount() == 2
    value = manager.table.item(0, 3)
    assert value is not None
    value.setText("rye")  # edit flavour (rows sorted by name)
    manager.table.selectRow(1)
    manager.delete_selected()
    assert [(r.name, r.value) for r in window.sends.cookie_rows(collection.id)] == [
        ("flavour", "rye")
    ]
    window.editor.url.setText("/cookies")
    window.send()
    wait_for_signal(qasync_loop, window.responseShown, 15)
    assert json.loads(window.response.body_text()) == {"cookies": {"flavour": "rye"}}
    manager.clear_all()
    assert manager.table.rowCount() == 0
    session = window.workspace.session
    assert not manager.keep_session.isChecked(), "session cookies end with the app by default"
    manager.keep_session.setChecked(True)
    assert session.state.keep_session_cookies
    assert session.pool.keep_session_cookies
    assert not list((tmp_path / "api").rglob("*cookie*")), "never inside the collection"


def test_oauth2_in_the_auth_tab_get_new_token_and_send(
    qtbot: QtBot,
    window: MainWindow,
    qasync_loop: qasync.QEventLoop,
    tmp_path: Path,
    demo_server: str,
) -> None:
    collection, echo, _in_folder = setup(window, tmp_path)
    collection.base_url = demo_server
    window.workspace.save_collection_settings(collection)
    window.open_request(collection, echo)
    editor = window.editor.auth_editor
    editor.kind.setCurrentIndex(editor.kind.findData("oauth2"))
    assert editor.get_token.isVisibleTo(editor)
    editor.token_url.setText(f"{demo_server}/oauth/token")
    editor.client_id.setText("courier-demo")
    editor.client_secret.setText("demo-secret")
    assert editor.client_secret.echoMode() == editor.client_secret.EchoMode.Password
    window.editor.url.setText("/oauth/me")

    qtbot.mouseClick(editor.get_token, Qt.MouseButton.LeftButton)
    shown = wait_for_signal(qasync_loop, window.sends.tokenReady, 15)
    assert "expires in" in shown
    assert editor.token_state.text() == shown
    window.send()
    wait_for_signal(qasync_loop, window.responseShown, 15)
    assert json.loads(window.response.body_text()) == {"client": "courier-demo", "user": ""}

    editor.client_secret.setText("wrong")
    qtbot.mouseClick(editor.get_token, Qt.MouseButton.LeftButton)
    message = wait_for_signal(qasync_loop, window.sends.tokenFailed, 15)
    assert "refused" in message
    assert editor.token_state.text().startswith("⚠")

    editor.client_secret.setText("demo-secret")
    assert window.save_current()
    assert "demo-secret" not in echo.path.read_text()  # type: ignore[union-attr]
    assert "- client_secret" in echo.path.read_text()  # type: ignore[union-attr]


def test_without_a_keychain_the_window_says_secrets_are_session_only(
    qtbot: QtBot, qasync_loop: qasync.QEventLoop, tmp_path: Path
) -> None:
    store = MemoryStore("No working keychain was found (test). Secrets are kept in memory.")
    workspace = Workspace(state_path=tmp_path / "s.json", secrets=store)
    win = MainWindow(workspace, SendService(workspace.session))
    qtbot.addWidget(win)
    assert "this session only" in win.secrets_label.text()
    assert "No working keychain" in win.secrets_label.toolTip()
    assert "No working keychain" in win.statusBar().currentMessage()
    qasync_loop.run_until_complete(win.sends.aclose())


def test_double_click_on_a_folder_opens_its_settings(window: MainWindow, tmp_path: Path) -> None:
    collection, _echo, _in_folder = setup(window, tmp_path)
    opened: list[object] = []

    def record(dialog: SettingsDialog) -> bool:
        opened.append(dialog.target)
        return False

    window.run_settings_dialog = record  # type: ignore[method-assign]
    index = window.tree_model.index_of(collection.folders[0])
    window.sidebar.tree.activated.emit(index)
    assert opened == [collection.folders[0]]


def test_secret_values_never_show_in_a_repr() -> None:
    from app.core.model import Auth

    assert "tok" not in repr(Variable("t", "tok", secret=True))
    assert "pw" not in repr(Auth(kind=AuthKind.BASIC, username="u", password="pw"))


def test_collection_form_deadline_body_limit_and_defaults_left_unsaid(qtbot: QtBot) -> None:
    from app.core.model import DEFAULT_SETTINGS, Settings
    from app.core.resolved import DEFAULT_BODY_CAP_MB

    collection = Collection(name="c", settings=Settings(deadline_s=90.0, max_redirects=5))
    dialog = SettingsDialog(collection)
    qtbot.addWidget(dialog)
    options = dialog.options
    assert options.deadline.value() == 90.0
    assert options.max_body.value() == DEFAULT_BODY_CAP_MB, "the default shows"
    assert options.max_redirects.value() == 5
    assert dialog.options.settings() == Settings(deadline_s=90.0, max_redirects=5)

    options.deadline.setValue(0.0)
    assert options.deadline.text() == "no deadline"
    options.max_body.setValue(64)
    options.timeout.setValue(DEFAULT_SETTINGS.timeout_s or 0.0)
    dialog.apply_to(collection)
    assert collection.settings == Settings(max_redirects=5, max_body_mb=64)
    assert collection.settings.deadline_s is None, "no deadline is the default: unsaid"


def test_folder_form_inherits_by_default_and_can_override(qtbot: QtBot) -> None:
    from app.core.model import Folder, Settings

    folder = Folder(name="f")
    dialog = SettingsDialog(folder)
    qtbot.addWidget(dialog)
    options = dialog.options
    for spin in (options.timeout, options.deadline, options.max_redirects, options.max_body):
        assert spin.text() == "inherit", spin
    assert options.settings() == Settings()

    options.deadline.setValue(0.0)  # "no deadline", overriding the collection's
    options.max_body.setValue(8)
    options.max_redirects.setValue(0)
    dialog.apply_to(folder)
    assert folder.settings == Settings(deadline_s=0.0, max_redirects=0, max_body_mb=8)

    again = SettingsDialog(folder)
    qtbot.addWidget(again)
    assert again.options.settings() == folder.settings
    again.options.deadline.setValue(again.options.deadline.minimum())
    again.options.max_body.setValue(again.options.max_body.minimum())
    assert again.options.settings() == Settings(max_redirects=0)
