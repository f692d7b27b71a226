"""History ▸ Export as HAR…: real exchanges with the demo server, recorded by the real
history service, written as a HAR 1.2 file (the selected entries, or every entry the
filter shows) in a worker; the file is checked against the spec, secrets stay masked."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from pytestqt.qtbot import QtBot

from app.core.importers import parse_har
from app.core.model import Auth, AuthKind, Body, BodyKind, Collection, Request, Variable
from app.secrets import MemoryStore
from app.services.history import HistoryService
from app.services.sends import SendService
from app.session import Session
from app.session.history_record import HistoryEntry
from app.session.history_store import HistoryStore
from app.ui.history import HistoryPanel
from app.ui.main_window import MainWindow
from tests.core.exporters.har_spec import problems
from tests.gui.conftest import let_time_pass, run_until, wait_for_signal

TOKEN = "tok-9d8c7b6a5f"


@pytest.fixture
def sends(qasync_loop: qasync.QEventLoop, tmp_path: Path) -> Iterator[SendService]:
    service = SendService(Session(secrets=MemoryStore(), state_path=tmp_path / "state.json"))
    yield service
    qasync_loop.run_until_complete(service.aclose())


@pytest.fixture
def history(sends: SendService, tmp_path: Path) -> Iterator[HistoryService]:
    service = HistoryService(sends.session, HistoryStore(tmp_path / "history.sqlite3"))
    yield service
    service.close()


@pytest.fixture
def panel(qtbot: QtBot, history: HistoryService) -> HistoryPanel:
    widget = HistoryPanel(history)
    qtbot.addWidget(widget)
    widget.resize(700, 500)
    widget.show()
    return widget


def send_and_record(
    loop: qasync.QEventLoop,
    sends: SendService,
    history: HistoryService,
    request: Request,
    collection: Collection | None = None,
) -> HistoryEntry:
    """Send for real, then record the finished exchange as the window does."""
    exchange = sends.send(request, collection, request if collection else None)
    assert wait_for_signal(loop, sends.exchangeFinished, 15) is exchange
    history.record(exchange, request, collection, request if collection else None)
    entry: HistoryEntry = wait_for_signal(loop, history.entryAdded)
    return entry


def three_sends(
    loop: qasync.QEventLoop, sends: SendService, history: HistoryService, demo_server: str
) -> list[HistoryEntry]:
    made = Request(
        name="Make a post",
        method="POST",
        url=f"{demo_server}/posts",
        body=Body(BodyKind.JSON, text='{"title": "Hi"}'),
        auth=Auth(kind=AuthKind.BEARER, token="{{token}}"),
    )
    collection = Collection(
        name="Demo", requests=[made], variables=[Variable("token", TOKEN, secret=True)]
    )
    return [
        send_and_record(loop, sends, history, Request(name="One", url=f"{demo_server}/posts/1")),
        send_and_record(loop, sends, history, made, collection),
        send_and_record(
            loop,
            sends,
            history,
            Request(name="Gone", method="DELETE", url=f"{demo_server}/status/404"),
        ),
    ]


def export(
    loop: qasync.QEventLoop, panel: HistoryPanel, history: HistoryService, path: Path
) -> str:
    asked: list[str] = []

    def answer(title: str, file_filter: str) -> str:
        asked.append(title)
        assert "*.har" in file_filter
        return str(path)

    panel.ask_export_file = answer
    panel.export_har()
    message: str = wait_for_signal(loop, history.notice, 15)
    assert len(asked) == 1
    return message


def test_export_writes_the_entries_the_filter_shows_oldest_first(
    qasync_loop: qasync.QEventLoop,
    sends: SendService,
    history: HistoryService,
    panel: HistoryPanel,
    demo_server: str,
    tmp_path: Path,
) -> None:
    three_sends(qasync_loop, sends, history, demo_server)
    run_until(qasync_loop, lambda: len(panel.model.entries()) == 3)
    panel.filter_box.setText("posts")
    panel.apply_filter()
    run_until(qasync_loop, lambda: len(panel.model.entries()) == 2)
    assert panel.selected_entries() == []

    target = tmp_path / "out" / "posts.har"
    target.parent.mkdir()
    message = export(qasync_loop, panel, history, target)
    assert message == f"Exported 2 history entries as HAR to {target}"
    text = target.read_text(encoding="utf-8")
    document = json.loads(text)
    assert problems(document) == []
    entries = document["log"]["entries"]
    assert [(e["request"]["method"], e["request"]["url"]) for e in entries] == [
        ("GET", f"{demo_server}/posts/1"),
        ("POST", f"{demo_server}/posts"),
    ]
    assert [e["response"]["status"] for e in entries] == [200, 201]
    assert json.loads(entries[1]["request"]["postData"]["text"]) == {"title": "Hi"}
    assert json.loads(entries[0]["response"]["content"]["text"])["id"] == 1
    assert TOKEN not in text, "secrets stay masked"
    assert [p.name for p in target.parent.iterdir()] == ["posts.har"], "no temporary file left"
    imported = parse_har(text)
    assert [r.name for r in imported.collection.folders[0].requests] == [
        "GET /posts/1",
        "POST /posts",
    ]


def test_export_writes_the_selected_entries_and_a_cancelled_prompt_writes_nothing(
    qasync_loop: qasync.QEventLoop,
    sends: SendService,
    history: HistoryService,
    panel: HistoryPanel,
    demo_server: str,
    tmp_path: Path,
) -> None:
    _one, _made, gone = three_sends(qasync_loop, sends, history, demo_server)
    run_until(qasync_loop, lambda: len(panel.model.entries()) == 3)
    panel.select_entry(gone.id)
    assert [e.id for e in panel.selected_entries()] == [gone.id]

    panel.ask_export_file = lambda title, file_filter: ""
    panel.export_har()
    let_time_pass(qasync_loop, 0.3)
    assert list(tmp_path.glob("*.har")) == []

    target = tmp_path / "gone"  # no suffix given: .har is added
    message = export(qasync_loop, panel, history, target)
    written = target.with_suffix(".har")
    assert message == f"Exported 1 history entry as HAR to {written}"
    (entry,) = json.loads(written.read_text(encoding="utf-8"))["log"]["entries"]
    assert (entry["request"]["method"], entry["response"]["status"]) == ("DELETE", 404)


def test_a_folder_that_cannot_be_written_says_so(
    qasync_loop: qasync.QEventLoop,
    sends: SendService,
    history: HistoryService,
    panel: HistoryPanel,
    demo_server: str,
    tmp_path: Path,
) -> None:
    send_and_record(qasync_loop, sends, history, Request(name="One", url=f"{demo_server}/get"))
    run_until(qasync_loop, lambda: len(panel.model.entries()) == 1)
    missing = tmp_path / "no-such-folder" / "h.har"
    message = export(qasync_loop, panel, history, missing)
    assert message.startswith(f"Could not export the history to {missing}: ")
    assert not missing.parent.exists()


def test_the_window_command_exports_and_the_status_bar_says_so(
    window: MainWindow, qasync_loop: qasync.QEventLoop, demo_server: str, tmp_path: Path
) -> None:
    history = window.workbench.history
    panel = window.workbench.history_panel
    assert not window.commands.is_enabled("history.exportHar"), "nothing to export yet"
    send_and_record(
        qasync_loop, window.sends, history, Request(name="One", url=f"{demo_server}/posts/2")
    )
    run_until(qasync_loop, lambda: len(panel.model.entries()) == 1)
    target = tmp_path / "window.har"
    panel.ask_export_file = lambda title, file_filter: str(target)
    assert window.commands.run("history.exportHar")
    run_until(
        qasync_loop, lambda: "Exported 1 history entry" in window.statusBar().currentMessage()
    )
    (entry,) = json.loads(target.read_text(encoding="utf-8"))["log"]["entries"]
    assert entry["request"]["url"] == f"{demo_server}/posts/2"
