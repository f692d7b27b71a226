"""curl in the real window, against the demo server: a command pasted into the URL bar
becomes that request (and sends what curl would), a broken one says where and leaves the
bar alone, File ▸ Import ▸ curl opens each command in a tab, Copy as curl imports back
to the same request, and Copy as httpx code never writes a secret inline."""

from __future__ import annotations

import json
import shlex

import qasync
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from app.core.importers import parse_curl, to_request
from app.core.model import AuthKind, BodyKind
from app.ui.main_window import MainWindow
from tests.gui.conftest import run_until
from tests.gui.test_main_window import send_and_wait


def paste_into_url_bar(qtbot: QtBot, window: MainWindow, text: str) -> None:
    QGuiApplication.clipboard().setText(text)
    bar = window.editor.url
    bar.setFocus()
    qtbot.keyClick(bar, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)


def test_curl_pasted_into_the_url_bar_becomes_the_request_and_sends_what_curl_would(
    qtbot: QtBot, window: MainWindow, qasync_loop: qasync.QEventLoop, demo_server: str
) -> None:
    command = (
        f"curl -X PUT '{demo_server}/anything/items?page=2' \\\n"
        "  -H 'X-Trace: from-curl' \\\n"
        "  -H 'Content-Type: application/json' \\\n"
        "  -u alice:wonderland \\\n"
        '  --data-raw \'{"name": "widget"}\''
    )
    tab = window.current_tab()
    paste_into_url_bar(qtbot, window, command)
    run_until(qasync_loop, tab.is_modified)  # parsed in a worker (-d @file reads files)
    edited = tab.editor.to_model()
    assert edited.method == "PUT"
    assert window.editor.url.text() == f"{demo_server}/anything/items?page=2"
    assert edited.auth.kind is AuthKind.BASIC
    assert tab.is_modified(), "an imported command is an unsaved request"

    send_and_wait(window, qasync_loop)
    qasync_loop.run_until_complete(_settled(window))
    echo = json.loads(window.response.body_text())
    assert echo["method"] == "PUT"
    assert echo["args"] == {"page": "2"}
    headers = {k.lower(): v for k, v in echo["headers"].items()}
    assert headers["x-trace"] == "from-curl"
    assert headers["authorization"].startswith("Basic ")
    assert echo["json"] == {"name": "widget"}


async def _settled(window: MainWindow) -> None:
    import asyncio

    for _ in range(200):
        if window.response.body_settled():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the body view did not settle")


def test_a_malformed_curl_command_says_where_and_leaves_the_bar_alone(
    qtbot: QtBot, window: MainWindow, qasync_loop: qasync.QEventLoop, demo_server: str
) -> None:
    window.editor.url.setText(f"{demo_server}/posts/1")
    paste_into_url_bar(qtbot, window, "curl -H 'X: 1 http://example.com")
    run_until(qasync_loop, lambda: "curl" in window.statusBar().currentMessage())
    assert window.editor.url.text() == f"{demo_server}/posts/1"
    message = window.statusBar().currentMessage()
    assert "curl" in message
    assert "line 1, column 9" in message


def test_import_curl_opens_each_command_in_a_tab_of_its_own(
    window: MainWindow, qasync_loop: qasync.QEventLoop, demo_server: str
) -> None:
    window.ask_curl_text = lambda: (  # type: ignore[method-assign]
        f"curl {demo_server}/posts/1\ncurl -d 'a=1' -d 'b=2' {demo_server}/anything\n"
    )
    before = window.tabs.count()
    window.commands.run("import.curl")
    run_until(qasync_loop, lambda: window.tabs.count() == before + 2)
    assert window.tabs.count() == before + 2
    last = window.current_tab().editor.to_model()
    assert last.method == "POST"
    assert last.body.kind in (BodyKind.FORM, BodyKind.RAW)
    assert window.editor.url.text() == f"{demo_server}/anything"


def test_copy_as_curl_imports_back_to_the_same_request_and_httpx_code_keeps_secrets_out(
    window: MainWindow, demo_server: str
) -> None:
    window.editor.url.setText(f"{demo_server}/anything?q=1")
    window.editor.method.setEditText("POST")
    window.commands.run("request.copy_curl")
    text = QGuiApplication.clipboard().text()
    assert shlex.split(text)[0] == "curl"
    back = to_request(parse_curl(text).requests[0])
    assert back.method == "POST"
    assert back.url == f"{demo_server}/anything?q=1"

    window.commands.run("request.copy_httpx")
    code = QGuiApplication.clipboard().text()
    assert "httpx.Client(" in code
    assert "await httpx." not in code
    compile(code, "<copied>", "exec")
