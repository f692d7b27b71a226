"""History: real exchanges sent to the demo server through the real SendService are
recorded, listed by day in the panel, filtered, reopened read-only, turned into new
requests; no secret value ever reaches the database file; bodies past the budget are
not kept; entries are deleted and cleared."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.core.model import (
    Auth,
    AuthKind,
    Body,
    BodyKind,
    Collection,
    Folder,
    KeyValue,
    Request,
    Variable,
)
from app.net.exchange import Exchange
from app.secrets import MemoryStore
from app.services.history import HistoryService
from app.services.sends import SendService
from app.session import Session
from app.session.history_record import BodyState, HistoryEntry, HistoryRecord
from app.session.history_store import HistoryStore
from app.ui.history import HistoryEntryView, HistoryPanel
from app.ui.history.entry_view import REDIRECTS_TAB
from tests.gui.conftest import let_time_pass, run_until, wait_for_signal


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
    stored: Request | None = None,
) -> tuple[Exchange, HistoryEntry]:
    """Send for real, then record the finished exchange as the window does."""
    exchange = sends.send(request, collection, stored)
    finished = wait_for_signal(loop, sends.exchangeFinished, 15)
    assert finished is exchange
    history.record(exchange, request, collection, stored)
    entry = wait_for_signal(loop, history.entryAdded)
    return exchange, entry


def shown_urls(panel: HistoryPanel) -> list[str]:
    return [entry.url for entry in panel.model.entries()]


def test_finished_exchanges_are_recorded_and_listed_newest_first_under_today(
    qasync_loop: qasync.QEventLoop,
    sends: SendService,
    history: HistoryService,
    panel: HistoryPanel,
    demo_server: str,
) -> None:
    stored = Request(name="Get post 1", url="/posts/1")
    collection = Collection(name="Demo API", base_url=demo_server, requests=[stored])
    collection.path = Path("/tmp/demo-api")
    stored.path = collection.path / "get-post-1.request.yaml"
    exchange, entry = send_and_record(qasync_loop, sends, history, stored, collection, stored)
    _, missing = send_and_record(
        qasync_loop, sends, history, Request(name="x", method="DELETE", url=f"{demo_server}/nope")
    )

    assert entry.method == "GET"
    assert entry.url == f"{demo_server}/posts/1"
    assert entry.status == 200
    assert entry.name == "Get post 1"
    assert entry.collection_name == "Demo API"
    assert entry.size == exchange.received > 0
    assert entry.duration_s is not None
    assert entry.duration_s > 0
    assert missing.status == 404
    assert missing.id > entry.id

    run_until(qasync_loop, lambda: len(panel.model.entries()) == 2)
    assert shown_urls(panel) == [f"{demo_server}/nope", f"{demo_server}/posts/1"]
    assert panel.model.headers() == ["Today"]
    run_until(qasync_loop, lambda: panel.count_label.text() == "2 entries")  # counted after

    detail = history.store.get(entry.id)
    assert detail is not None
    assert detail.origin.request_file == "get-post-1.request.yaml"
    assert detail.origin.collection_path == "/tmp/demo-api"
    assert json.loads(detail.body or b"")["id"] == 1
    assert detail.detail["response"]["http_version"] == "HTTP/1.1"


def test_the_panel_filters_by_text_method_and_status_class(
    qasync_loop: qasync.QEventLoop,
    sends: SendService,
    history: HistoryService,
    panel: HistoryPanel,
    qtbot: QtBot,
    demo_server: str,
) -> None:
    for method, path in (
        ("GET", "/posts/1"),
        ("POST", "/posts"),
        ("GET", "/status/404"),
        ("DELETE", "/status/503"),
    ):
        request = Request(name=path, method=method, url=f"{demo_server}{path}")
        if method == "POST":
            request.body = Body(kind=BodyKind.JSON, text='{"title": "t"}')
        send_and_record(qasync_loop, sends, history, request)
    run_until(qasync_loop, lambda: len(panel.model.entries()) == 4)

    qtbot.keyClicks(panel.filter_box, "status")
    run_until(qasync_loop, lambda: len(panel.model.entries()) == 2)
    assert shown_urls(panel) == [f"{demo_server}/status/503", f"{demo_server}/status/404"]
    run_until(qasync_loop, lambda: panel.count_label.text() == "2 entries match")

    panel.status_box.setCurrentText("4xx client error")
    run_until(qasync_loop, lambda: shown_urls(panel) == [f"{demo_server}/status/404"])

    panel.filter_box.clear()
    panel.status_box.setCurrentIndex(0)
    panel.method_box.setCurrentText("POST")
    run_until(qasync_loop, lambda: shown_urls(panel) == [f"{demo_server}/posts"])

    panel.method_box.setCurrentIndex(0)
    panel.status_box.setCurrentText("2xx success")
    run_until(
        qasync_loop,
        lambda: shown_urls(panel) == [f"{demo_server}/posts", f"{demo_server}/posts/1"],
    )

    # a new entry shows up only when it matches the filter on show
    send_and_record(qasync_loop, sends, history, Request(name="t", url=f"{demo_server}/status/418"))
    _, ok = send_and_record(
        qasync_loop, sends, history, Request(name="g", url=f"{demo_server}/posts/2")
    )
    assert panel.model.entries()[0].id == ok.id
    assert len(panel.model.entries()) == 3


def test_an_entry_reopens_read_only_with_its_status_body_and_request(
    qasync_loop: qasync.QEventLoop,
    sends: SendService,
    history: HistoryService,
    panel: HistoryPanel,
    qtbot: QtBot,
    demo_server: str,
) -> None:
    _, entry = send_and_record(
        qasync_loop, sends, history, Request(name="p", url=f"{demo_server}/posts/1")
    )
    run_until(qasync_loop, lambda: len(panel.model.entries()) == 1)
    opened: list[int] = []
    panel.entryOpened.connect(opened.append)
    panel.select_entry(entry.id)
    panel.list.setFocus()
    qtbot.keyClick(panel.list, Qt.Key.Key_Return)
    assert opened == [entry.id], "Enter opens"
    panel.open_action.trigger()
    assert opened == [entry.id, entry.id], "so does Open in the context menu"

    view = HistoryEntryView()
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    view.load(history, entry.id)
    run_until(qasync_loop, lambda: view.detail is not None and view.body_settled())
    assert view.status_label.full_text() == "200 OK"
    assert view.url_label.full_text() == f"{demo_server}/posts/1"
    assert '"userId": 1' in view.body_text()
    assert view.request_pane.text().startswith(f"GET {demo_server}/posts/1")
    assert view.headers_pane.table.rows()
    assert view.open_new_button.isEnabled()


def test_open_as_new_request_gives_the_same_method_url_headers_and_body(
    qasync_loop: qasync.QEventLoop,
    sends: SendService,
    history: HistoryService,
    panel: HistoryPanel,
    qtbot: QtBot,
    demo_server: str,
    tmp_path: Path,
) -> None:
    original = Request(
        name="Update post",
        method="PUT",
        url="{{base}}/posts/1",
        params=[KeyValue("draft", "yes")],
        headers=[KeyValue("X-Trace", "demo"), KeyValue("X-Off", "1", enabled=False)],
        body=Body(kind=BodyKind.JSON, text='{"title": "new"}'),
    )
    collection = Collection(
        name="c", variables=[Variable("base", demo_server)], requests=[original]
    )
    collection.path = tmp_path / "c"
    _, entry = send_and_record(qasync_loop, sends, history, original, collection, original)

    view = HistoryEntryView()
    qtbot.addWidget(view)
    view.load(history, entry.id)
    run_until(qasync_loop, lambda: view.detail is not None)
    with qtbot.waitSignal(view.openAsNewRequested) as blocker:
        view.open_new_button.click()
    rebuilt, folder = blocker.args
    assert isinstance(rebuilt, Request)
    # a new untitled request has no collection to resolve {{base}}: the URL it was
    # sent to, its query included
    assert (rebuilt.method, rebuilt.url) == ("PUT", f"{demo_server}/posts/1?draft=yes")
    assert rebuilt.headers == original.headers
    assert rebuilt.params == []
    assert rebuilt.body == original.body
    assert rebuilt.path is None, "a new request: no file yet"
    assert folder == str(tmp_path / "c")

    with qtbot.waitSignal(view.sendAgainRequested) as again:
        view.send_again_button.click()
    assert again.args[0].url == f"{demo_server}/posts/1?draft=yes"

    # from the panel too (the entry is read in the background first)
    run_until(qasync_loop, lambda: len(panel.model.entries()) == 1)
    panel.select_entry(entry.id)
    got: list[Request] = []
    panel.openAsNewRequested.connect(lambda request: got.append(request))
    panel.open_new_action.trigger()
    run_until(qasync_loop, lambda: bool(got))
    assert got[0].headers == original.headers
    assert got[0].method == "PUT"


def test_no_secret_value_ever_reaches_the_database_file(
    qasync_loop: qasync.QEventLoop,
    sends: SendService,
    history: HistoryService,
    demo_server: str,
    tmp_path: Path,
) -> None:
    token, key, password = "tok-SECRET-4242", "key-SECRET-9999", "pw-SECRET-7777"
    cookie = "cookie-SECRET-5555"
    echo_headers = Request(
        name="Echo headers", url="/headers", headers=[KeyValue("X-Api-Key", "{{api_key}}")]
    )
    echo_query = Request(name="Echo query", url="/get?token={{api_token}}")
    echo_basic = Request(name="Basic echo", url="/headers")
    set_cookie = Request(name="Set cookie", url=f"/cookies/set?sid={cookie}")
    echo_cookies = Request(name="Echo cookies", url="/cookies")
    collection = Collection(
        name="Secrets",
        base_url=demo_server,
        variables=[
            Variable("api_token", token, secret=True),
            Variable("api_key", key, secret=True),
        ],
        auth=Auth(kind=AuthKind.BEARER, token="{{api_token}}"),
        requests=[echo_headers, echo_query, set_cookie, echo_cookies],
        folders=[
            Folder(
                name="Basic",
                auth=Auth(kind=AuthKind.BASIC, username="ada", password=password),
                requests=[echo_basic],
            )
        ],
    )
    collection.path = tmp_path / "secrets"
    bodies: dict[str, bytes] = {}
    for request in (echo_headers, echo_query, echo_basic, set_cookie, echo_cookies):
        exchange, entry = send_and_record(qasync_loop, sends, history, request, collection, request)
        bodies[request.name] = exchange.body.read()
        detail = history.store.get(entry.id)
        assert detail is not None
        assert detail.body_state is BodyState.KEPT
        assert detail.entry.status == 200

    # the server did echo every secret back: the history had them all to hide
    basic = base64.b64encode(f"ada:{password}".encode()).decode()
    assert token.encode() in bodies["Echo headers"]
    assert key.encode() in bodies["Echo headers"]
    assert token.encode() in bodies["Echo query"]
    assert basic.encode() in bodies["Basic echo"]
    assert cookie.encode() in bodies["Echo cookies"]

    files = [history.store.path, *(Path(f"{history.store.path}{s}") for s in ("-wal", "-shm"))]
    data = b"".join(f.read_bytes() for f in files if f.exists())
    assert b"Echo cookies" in data, "the scan reads what was written"
    for secret in (token, key, password, cookie, basic, f"ada:{password}"):
        assert secret.encode() not in data, secret
        assert secret.encode("utf-16-le") not in data, secret

    echoed = history.store.get(1)
    assert echoed is not None
    assert b"Bearer \xe2\x80\xa2\xe2\x80\xa2" in (echoed.body or b""), "masked, not dropped"


def test_a_body_over_the_entry_budget_says_so(
    qasync_loop: qasync.QEventLoop,
    sends: SendService,
    qtbot: QtBot,
    demo_server: str,
    tmp_path: Path,
) -> None:
    history = HistoryService(
        sends.session, HistoryStore(tmp_path / "small.sqlite3", entry_body_budget=1000)
    )
    try:
        _, entry = send_and_record(
            qasync_loop, sends, history, Request(name="b", url=f"{demo_server}/bytes/5000")
        )
        assert entry.size == 5000
        view = HistoryEntryView()
        qtbot.addWidget(view)
        view.load(history, entry.id)
        run_until(qasync_loop, lambda: view.detail is not None)
        assert view.body_text().startswith("Body not kept (over budget)")
        assert view.status_label.full_text() == "200 OK"
    finally:
        history.close()


def test_delete_one_and_clear_all_asking_first(
    qtbot: QtBot,
    qasync_loop: qasync.QEventLoop,
    sends: SendService,
    history: HistoryService,
    panel: HistoryPanel,
    demo_server: str,
) -> None:
    entries = [
        send_and_record(
            qasync_loop, sends, history, Request(name=str(n), url=f"{demo_server}/posts/{n}")
        )[1]
        for n in (1, 2, 3)
    ]
    run_until(qasync_loop, lambda: len(panel.model.entries()) == 3)
    panel.select_entry(entries[1].id)
    panel.list.setFocus()
    qtbot.keyClick(panel.list, Qt.Key.Key_Delete)
    wait_for_signal(qasync_loop, history.entryDeleted)
    assert [e.id for e in panel.model.entries()] == [entries[2].id, entries[0].id]
    assert history.store.get(entries[1].id) is None

    panel.confirm_clear = lambda: False
    panel.clear_all()
    history.wait_idle()
    assert history.store.count() == 2, "Cancel keeps everything"
    assert len(panel.model.entries()) == 2

    panel.confirm_clear = lambda: True
    panel.clear_all()
    wait_for_signal(qasync_loop, history.cleared)
    assert history.store.count() == 0
    assert panel.model.rowCount() == 0
    assert panel.empty_label.isVisible()


def test_a_long_history_opens_a_page_at_a_time_grouped_by_day(
    qasync_loop: qasync.QEventLoop, history: HistoryService, qtbot: QtBot
) -> None:
    day = 24 * 3600
    now = time.time()
    for number in range(1000):  # oldest first, as they were sent: one per ~2 days
        history.store.add(_record(number, now - (1000 - number) * 170_000))
    history.store.add(_record(1000, now - day))
    panel = HistoryPanel(history)
    qtbot.addWidget(panel)
    panel.resize(600, 400)
    panel.show()
    run_until(qasync_loop, lambda: panel.model.entries() and not panel.model.loading())
    assert len(panel.model.entries()) == 200, "one page, not the whole history"
    assert panel.model.headers()[:1] == ["Yesterday"]
    assert panel.model.canFetchMore()
    panel.list.scrollToBottom()
    run_until(qasync_loop, lambda: len(panel.model.entries()) >= 400)
    ids = [e.id for e in panel.model.entries()]
    assert ids == sorted(ids, reverse=True), "newest first, no repeats"
    assert len(set(ids)) == len(ids)
    run_until(qasync_loop, lambda: panel.count_label.text() == "1,001 entries")
    shot = panel.list.viewport().grab().toImage()  # rows and day headers paint cleanly
    assert not shot.isNull()
    colours = {shot.pixelColor(x, y).name() for x in range(0, shot.width(), 3) for y in (12, 40)}
    assert len(colours) > 3, "text painted, not a blank list"


def _record(number: int, at: float) -> HistoryRecord:
    return HistoryRecord(
        at=at,
        method="GET",
        url=f"http://127.0.0.1:9/{number}",
        name="",
        collection_name="",
        status=200,
        reason="OK",
        state="done",
        size=0,
        duration_s=0.01,
        error="",
    )


def test_watched_sends_are_recorded_once_with_where_they_came_from(
    qasync_loop: qasync.QEventLoop,
    sends: SendService,
    history: HistoryService,
    demo_server: str,
) -> None:
    history.watch(sends)
    stored = Request(name="Tracked", url="/posts/1")
    collection = Collection(name="Watched", base_url=demo_server, requests=[stored])
    exchange = sends.send(stored, collection, stored)
    history.track(exchange, stored, collection, stored)
    stored.name = "Renamed while it ran"
    entry = wait_for_signal(qasync_loop, history.entryAdded)
    assert entry.name == "Tracked", "as it was when sent"
    assert entry.collection_name == "Watched"

    # untracked: recorded with what the exchange says; recorded by hand too: still once
    seen: list[HistoryEntry] = []
    history.entryAdded.connect(seen.append)
    other = sends.send(Request(name="ad hoc", url=f"{demo_server}/posts/2"), None)
    finished = wait_for_signal(qasync_loop, sends.exchangeFinished)
    history.record(finished)
    run_until(qasync_loop, lambda: bool(seen))
    let_time_pass(qasync_loop, 0.3)
    assert finished is other
    assert len(seen) == 1
    assert seen[0].url == f"{demo_server}/posts/2"
    assert seen[0].name == ""
    assert history.store.count() == 2


def test_a_failed_exchange_is_recorded_with_why(
    qasync_loop: qasync.QEventLoop,
    sends: SendService,
    history: HistoryService,
    panel: HistoryPanel,
    qtbot: QtBot,
    refused_port: int,
) -> None:
    url = f"http://127.0.0.1:{refused_port}/nothing"
    _, entry = send_and_record(qasync_loop, sends, history, Request(name="r", url=url))
    assert entry.status == 0
    assert entry.state == "failed"
    assert entry.error
    panel.status_box.setCurrentText("No response")
    run_until(qasync_loop, lambda: [e.id for e in panel.model.entries()] == [entry.id])

    view = HistoryEntryView()
    qtbot.addWidget(view)
    view.load(history, entry.id)
    run_until(qasync_loop, lambda: view.detail is not None)
    assert view.status_label.full_text() == entry.error
    assert view.body_text().startswith(entry.error)
    assert "refused" in view.body_text().lower()


def test_redirect_hops_are_kept_with_the_entry(
    qasync_loop: qasync.QEventLoop,
    sends: SendService,
    history: HistoryService,
    qtbot: QtBot,
    demo_server: str,
) -> None:
    _, entry = send_and_record(
        qasync_loop, sends, history, Request(name="r", url=f"{demo_server}/redirect/2")
    )
    view = HistoryEntryView()
    qtbot.addWidget(view)
    view.load(history, entry.id)
    run_until(qasync_loop, lambda: view.detail is not None)
    assert view.tabs.isTabEnabled(REDIRECTS_TAB)
    assert view.redirects_pane.count() == 2
    assert entry.status == 200


def test_a_damaged_database_is_moved_aside_and_the_user_told(
    qasync_loop: qasync.QEventLoop,
    sends: SendService,
    demo_server: str,
    tmp_path: Path,
) -> None:
    path = tmp_path / "damaged" / "history.sqlite3"
    path.parent.mkdir()
    path.write_bytes(b"\x00garbage, not SQLite\n" * 500)
    history = HistoryService(sends.session, HistoryStore(path))
    try:
        notices: list[str] = []
        history.notice.connect(notices.append)
        _, entry = send_and_record(
            qasync_loop, sends, history, Request(name="p", url=f"{demo_server}/posts/1")
        )
        assert entry.status == 200
        assert history.store.count() == 1
        aside = [p for p in path.parent.iterdir() if ".corrupt-" in p.name]
        assert len(aside) == 1
        assert len(notices) == 1
        assert str(aside[0]) in notices[0]
    finally:
        history.close()


def test_a_long_url_never_widens_the_entry_view_or_the_panel(
    qasync_loop: qasync.QEventLoop,
    sends: SendService,
    history: HistoryService,
    panel: HistoryPanel,
    qtbot: QtBot,
    demo_server: str,
) -> None:
    url = f"{demo_server}/get?q={'x' * 2000}"
    _, entry = send_and_record(qasync_loop, sends, history, Request(name="", url=url))
    view = HistoryEntryView()
    qtbot.addWidget(view)
    view.resize(700, 500)
    view.show()
    view.load(history, entry.id)
    run_until(qasync_loop, lambda: view.detail is not None)
    assert view.url_label.full_text() == url, "the whole URL is kept"
    assert view.url_label.toolTip() == url
    assert "…" in view.url_label.text(), "and shown elided"
    assert view.minimumSizeHint().width() < 700
    assert view.sizeHint().width() < 1024
    run_until(qasync_loop, lambda: len(panel.model.entries()) == 1)
    assert panel.minimumSizeHint().width() < 700


def test_an_entry_recorded_while_a_page_loads_is_listed_once(qtbot: QtBot) -> None:
    from app.ui.history.model import HistoryListModel

    pending: list[Callable[[list[HistoryEntry]], None]] = []
    model = HistoryListModel(lambda query, before, done: pending.append(done), page_size=200)
    model.reload()
    now = time.time()
    older, newer = _entry(1, now - 5), _entry(2, now)
    model.add_entry(newer)  # recorded after the page's query ran... or before it
    pending.pop()([newer, older])  # the page read after it was written has it too
    assert [e.id for e in model.entries()] == [2, 1]
    assert model.headers() == ["Today"]
    model.add_entry(newer)
    assert [e.id for e in model.entries()] == [2, 1], "never twice"
    model.remove_entry(2)
    model.remove_entry(1)
    assert model.rowCount() == 0, "the day's header goes with its last entry"


def _entry(number: int, at: float) -> HistoryEntry:
    return HistoryEntry(
        id=number,
        at=at,
        method="GET",
        url=f"http://127.0.0.1:9/{number}",
        name="",
        collection_name="",
        status=200,
        reason="OK",
        state="done",
        size=0,
        duration_s=0.01,
        error="",
    )


def test_an_exchange_nobody_tracked_still_has_every_open_secret_masked(
    qasync_loop: qasync.QEventLoop,
    sends: SendService,
    history: HistoryService,
    demo_server: str,
) -> None:
    token, password = "tok-UNTRACKED-3131", "pw-UNTRACKED-8686"
    bearer = Request(name="Echo", url="/headers")
    basic = Request(name="Basic", url="/headers")
    collection = Collection(
        name="Open",
        base_url=demo_server,
        variables=[Variable("api_token", token, secret=True)],
        auth=Auth(kind=AuthKind.BEARER, token="{{api_token}}"),
        requests=[bearer],
        folders=[
            Folder(
                name="F",
                auth=Auth(kind=AuthKind.BASIC, username="bo", password=password),
                requests=[basic],
            )
        ],
    )
    sends.session.adopt(collection)
    history.watch(sends)  # no track(): the service knows only the exchange
    for request in (bearer, basic):
        exchange = sends.send(request, collection, request)
        wait_for_signal(qasync_loop, history.entryAdded, 15)
        assert exchange.finished
    encoded = base64.b64encode(f"bo:{password}".encode()).decode()
    first, second = history.store.get(1), history.store.get(2)
    assert first is not None
    assert second is not None
    assert b"Bearer \xe2\x80\xa2" in (first.body or b"")
    assert b"Basic \xe2\x80\xa2" in (second.body or b"")
    files = [history.store.path, Path(f"{history.store.path}-wal")]
    data = b"".join(f.read_bytes() for f in files if f.exists())
    for secret in (token, password, encoded):
        assert secret.encode() not in data, secret


def test_a_history_that_cannot_be_written_says_so_once_and_sending_goes_on(
    qasync_loop: qasync.QEventLoop,
    sends: SendService,
    demo_server: str,
    tmp_path: Path,
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the history's folder should be")
    history = HistoryService(sends.session, HistoryStore(blocked / "history.sqlite3"))
    try:
        notices: list[str] = []
        history.notice.connect(notices.append)
        for number in (1, 2):
            exchange = sends.send(Request(name="p", url=f"{demo_server}/posts/{number}"), None)
            wait_for_signal(qasync_loop, sends.exchangeFinished, 15)
            history.record(exchange)
            run_until(qasync_loop, lambda: bool(notices))
            history.wait_idle()
            let_time_pass(qasync_loop, 0.1)
            assert exchange.response is not None
            assert exchange.response.status_code == 200
        assert len(notices) == 1, notices
        assert "history" in notices[0].lower()
    finally:
        history.close()


def test_an_exchange_stopped_at_quit_is_recorded_before_the_history_closes(
    qasync_loop: qasync.QEventLoop, demo_server: str, tmp_path: Path
) -> None:
    path = tmp_path / "quit.sqlite3"
    quitting = SendService(Session(secrets=MemoryStore(), state_path=tmp_path / "q.json"))
    history = HistoryService(quitting.session, HistoryStore(path))
    history.watch(quitting)
    url = f"{demo_server}/drip?numbytes=40&duration=4"
    exchange = quitting.send(Request(name="slow", url=url), None)
    run_until(qasync_loop, lambda: exchange.received >= 2, 10)
    qasync_loop.run_until_complete(quitting.aclose())  # what the window does at quit
    history.close()
    reopened = HistoryStore(path)
    entries = reopened.entries()
    reopened.close()
    assert [e.state for e in entries] == ["stopped"]
    assert 0 < entries[0].size < 40


def test_the_history_commands_run_what_the_panel_does(
    qasync_loop: qasync.QEventLoop,
    sends: SendService,
    history: HistoryService,
    panel: HistoryPanel,
    qtbot: QtBot,
    demo_server: str,
) -> None:
    from PySide6.QtWidgets import QWidget

    from app.ui.commands import CommandRegistry
    from app.ui.history.commands import history_commands

    window = QWidget()
    qtbot.addWidget(window)
    registry = CommandRegistry(window)
    shown: list[bool] = []
    for command in history_commands(panel, lambda: shown.append(True)):
        registry.add(command)
    assert not registry.is_enabled("history.open"), "nothing selected yet"
    assert not registry.is_enabled("history.clear"), "nothing to clear"
    assert registry.run("history.show")
    assert shown == [True]

    _, entry = send_and_record(
        qasync_loop, sends, history, Request(name="p", url=f"{demo_server}/posts/1")
    )
    run_until(qasync_loop, lambda: len(panel.model.entries()) == 1)
    panel.select_entry(entry.id)
    opened: list[int] = []
    panel.entryOpened.connect(opened.append)
    assert registry.run("history.open")
    assert opened == [entry.id]
    again: list[Request] = []
    panel.sendAgainRequested.connect(lambda request: again.append(request))
    assert registry.run("history.sendAgain")
    run_until(qasync_loop, lambda: bool(again))
    assert again[0].url == f"{demo_server}/posts/1"
    panel.confirm_clear = lambda: True
    assert registry.run("history.clear")
    wait_for_signal(qasync_loop, history.cleared)
    assert history.store.count() == 0
