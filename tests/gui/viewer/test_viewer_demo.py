"""The body viewers end to end: the real window, the real demo server, real bodies.

One test per item of issue 9's list: JSON pretty and tree, XML, a safe HTML
preview, images, binary in hex, live SSE and Stop, charsets, content encodings,
find, JSONPath and jq filters, Copy and "Save body…" of bodies past the body
store's memory budget, and the memory of a 100 MB body.  Every expectation is
what the demo server sends (its modules give the bytes), never just "something".
"""

from __future__ import annotations

import http.server
import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import qasync
from PySide6.QtCore import QSize
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from app.core.viewing.sniff import BodyKind, View
from app.demo import big, viewers
from app.demo.app import POSTS, seeded_bytes
from app.net.body_store import MEMORY_BUDGET
from app.ui.main_window import MainWindow
from app.ui.viewer.event_table import EventTable
from app.ui.viewer.hex_view import HexView
from app.ui.viewer.html_preview import HtmlPreview
from app.ui.viewer.image_view import ImageView
from app.ui.viewer.json_tree_view import COPY_LIMIT as TREE_COPY_LIMIT
from app.ui.viewer.json_tree_view import JsonTreeView
from tests.gui.conftest import let_time_pass, run_until, wait_for_signal
from tests.gui.test_main_window import type_url

pytestmark = pytest.mark.gui

MIB = 1024 * 1024


@pytest.fixture
def window(window: MainWindow) -> MainWindow:
    """The conftest's window, large enough for the viewer's panes."""
    window.resize(1200, 800)
    return window


def show(
    qtbot: QtBot,
    win: MainWindow,
    loop: qasync.QEventLoop,
    url: str,
    timeout: float = 30.0,
) -> None:
    """Send ``url`` and wait until the body is complete and its view has settled."""
    type_url(qtbot, win, url)
    win.send()
    wait_for_signal(loop, win.responseShown, timeout)
    run_until(loop, win.response.body_settled, timeout)
    assert win.response.status_text().startswith("200"), win.response.status_text()


def settle(win: MainWindow, loop: qasync.QEventLoop, timeout: float = 30.0) -> None:
    run_until(loop, win.response.body_settled, timeout)


def open_streams(base: str) -> dict[str, int]:
    return dict(httpx.get(f"{base}/streams/open", timeout=10).json())


# --------------------------------------------------------------------- JSON, XML


def test_json_is_pretty_and_parses_equal(
    qtbot: QtBot, window: MainWindow, qasync_loop: qasync.QEventLoop, demo_server: str
) -> None:
    show(qtbot, window, qasync_loop, f"{demo_server}/posts")
    viewer = window.response.viewer
    assert viewer.kind() is BodyKind.JSON
    assert viewer.current_view() is View.PRETTY
    pretty = viewer.text()
    assert json.loads(pretty) == POSTS
    assert pretty.startswith('[\n  {\n    "')
    assert pretty.count("\n") > 5 * len(POSTS)
    viewer.set_view(View.RAW)
    settle(window, qasync_loop)
    raw = viewer.text()
    assert "\n" not in raw.strip(), "Raw shows the body as it came (one line)"
    assert json.loads(raw) == POSTS


def test_json_tree_expands_and_copies_a_value_and_its_path(
    qtbot: QtBot, window: MainWindow, qasync_loop: qasync.QEventLoop, demo_server: str
) -> None:
    show(qtbot, window, qasync_loop, f"{demo_server}/posts")
    viewer = window.response.viewer
    assert View.TREE in viewer.views()
    viewer.set_view(View.TREE)
    tree = viewer.page(View.TREE)
    assert isinstance(tree, JsonTreeView)
    model = tree.model
    root = model.index(0, 0)
    run_until(qasync_loop, lambda: model.rowCount(root) > 0, 10)
    assert root.data() == "$"
    post = model.index(4, 0, root)
    assert post.data() == "[4]"
    tree.tree.expand(post)
    run_until(qasync_loop, lambda: model.rowCount(post) == len(POSTS[4]), 10)
    labels = [model.index(r, 0, post).data() for r in range(model.rowCount(post))]
    assert labels == list(POSTS[4])
    title = model.index(labels.index("title"), 0, post)
    tree.tree.setCurrentIndex(title)
    clipboard = QGuiApplication.clipboard()
    tree.copy_value()
    assert clipboard.text() == POSTS[4]["title"]
    tree.copy_path()
    assert clipboard.text() == "$[4].title"
    tree.tree.setCurrentIndex(post)
    tree.copy_value()
    assert json.loads(clipboard.text()) == POSTS[4]


def test_xml_is_pretty(
    qtbot: QtBot, window: MainWindow, qasync_loop: qasync.QEventLoop, demo_server: str
) -> None:
    show(qtbot, window, qasync_loop, f"{demo_server}/xml")
    viewer = window.response.viewer
    assert viewer.kind() is BodyKind.XML
    assert viewer.current_view() is View.PRETTY
    pretty = viewer.text()
    lines = pretty.splitlines()
    # the one-line <author> and <x:tags> are laid out, one element a line, indented
    author = next(i for i, line in enumerate(lines) if line.strip() == "<author>")
    indent = len(lines[author]) - len(lines[author].lstrip())
    assert lines[author + 1] == " " * (indent + 2) + "<first>Ada</first>"
    assert lines[author + 2] == " " * (indent + 2) + "<last>Lovelace</last>"
    assert "<x:tag>water</x:tag>" in pretty
    assert "Grüße aus Köln" in pretty
    assert '<![CDATA[Raw <b>markup</b> & "quotes" stay as they are]]>' in pretty
    viewer.set_view(View.RAW)
    settle(window, qasync_loop)
    assert viewer.text() == viewers.XML


# ---------------------------------------------------------------------------- HTML


class _Probe(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []  # noqa: RUF012 (one probe per test, reset there)

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    do_HEAD = do_POST = do_GET

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def probe() -> Iterator[str]:
    """A local server that records every request: a safe preview sends it none."""
    _Probe.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Probe)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_html_preview_loads_no_remote_content(
    qtbot: QtBot,
    window: MainWindow,
    qasync_loop: qasync.QEventLoop,
    demo_server: str,
    probe: str,
) -> None:
    # the probe answers: a client that fetches from it would be seen
    assert httpx.get(f"{probe}/check").status_code == 200
    assert _Probe.hits == ["/check"]
    _Probe.hits.clear()

    show(qtbot, window, qasync_loop, f"{demo_server}/html?probe={probe}/")
    viewer = window.response.viewer
    assert viewer.kind() is BodyKind.HTML
    assert View.PREVIEW in viewer.views()
    viewer.set_view(View.PREVIEW)
    preview = viewer.page(View.PREVIEW)
    assert isinstance(preview, HtmlPreview)
    run_until(qasync_loop, lambda: preview.blocked_count() > 0, 10)
    let_time_pass(qasync_loop, 1.0)  # room for anything that would still go out
    assert _Probe.hits == []
    blocked = preview.blocked_urls()
    assert all(url.startswith(probe) for url in blocked), blocked
    assert f"{probe}/image.png" in blocked
    shown = preview.browser.toPlainText()
    assert "Courier demo page" in shown
    assert "café" in shown


# --------------------------------------------------------------------- images


@pytest.mark.parametrize("kind", ["png", "jpeg", "gif", "webp", "svg"])
def test_image_with_its_dimensions(
    kind: str,
    qtbot: QtBot,
    window: MainWindow,
    qasync_loop: qasync.QEventLoop,
    demo_server: str,
) -> None:
    show(qtbot, window, qasync_loop, f"{demo_server}/image/{kind}")
    viewer = window.response.viewer
    assert viewer.kind() is BodyKind.IMAGE
    assert viewer.current_view() is View.IMAGE
    image = viewer.page(View.IMAGE)
    assert isinstance(image, ImageView)
    run_until(qasync_loop, lambda: not image.image_size().isEmpty() or bool(image.error()), 10)
    assert image.error() == ""
    assert image.image_size() == QSize(64, 48)
    assert kind in image.image_format_name().lower()
    caption = image.caption.text()
    assert "64" in caption, caption
    assert "48" in caption, caption


# --------------------------------------------------------------------- binary


def test_random_bytes_are_shown_in_hex_never_as_text(
    qtbot: QtBot, window: MainWindow, qasync_loop: qasync.QEventLoop, demo_server: str
) -> None:
    size = 5000
    expected = b"".join(seeded_bytes("7", size))
    show(qtbot, window, qasync_loop, f"{demo_server}/bytes/{size}?seed=7")
    viewer = window.response.viewer
    assert viewer.kind() is BodyKind.BINARY
    assert viewer.current_view() is View.HEX
    assert viewer.views() == [View.HEX]
    assert viewer.text_page() is None
    assert viewer.text() == ""
    hex_view = viewer.page(View.HEX)
    assert isinstance(hex_view, HexView)
    assert hex_view.row_count() == (size + 15) // 16
    for row in (0, 1, hex_view.row_count() - 1):
        chunk = expected[row * 16 : row * 16 + 16]
        line = hex_view.row_text(row)
        assert line.split()[0] == f"{row * 16:x}".rjust(len(line.split()[0]), "0")
        assert chunk[:8].hex(" ") in line
        assert chunk[8:].hex(" ") in line


# ------------------------------------------------------------------- live SSE


def test_sse_events_arrive_live(
    qtbot: QtBot, window: MainWindow, qasync_loop: qasync.QEventLoop, demo_server: str
) -> None:
    count = 12
    type_url(qtbot, window, f"{demo_server}/sse?count={count}&interval=0.25")
    window.send()
    viewer = window.response.viewer
    run_until(qasync_loop, lambda: viewer.current_view() is View.EVENTS, 15)
    table = viewer.page(View.EVENTS)
    assert isinstance(table, EventTable)
    seen: list[int] = []

    def watch() -> bool:
        if window.sends.is_running(window.current_exchange()):
            rows = table.row_count()
            if not seen or rows != seen[-1]:
                seen.append(rows)
        return not window.sends.is_running(window.current_exchange())

    run_until(qasync_loop, watch, 30)
    assert len([n for n in seen if 0 < n < count]) >= 3, f"rows did not grow live: {seen}"
    assert seen == sorted(seen)
    settle(window, qasync_loop)
    assert table.row_count() == count
    model = table.model
    for row in range(count):
        n = row + 1
        event, event_id, data = model.cells(row)
        assert event_id == str(n)
        assert event == ("update" if n % 3 == 0 else "message")
        if n % 4:
            assert json.loads(data) == viewers.sse_data(n)
        else:
            assert data.startswith(f"multi-line event {n}")


def test_stop_keeps_the_events_and_ends_the_stream(
    qtbot: QtBot, window: MainWindow, qasync_loop: qasync.QEventLoop, demo_server: str
) -> None:
    assert open_streams(demo_server)["sse"] == 0
    type_url(qtbot, window, f"{demo_server}/sse?forever=1&interval=0.1")
    window.send()
    viewer = window.response.viewer
    run_until(qasync_loop, lambda: viewer.current_view() is View.EVENTS, 15)
    table = viewer.page(View.EVENTS)
    assert isinstance(table, EventTable)
    run_until(qasync_loop, lambda: table.row_count() >= 4, 15)
    assert open_streams(demo_server)["sse"] == 1

    window.stop()
    run_until(qasync_loop, lambda: not window.sends.is_running(window.current_exchange()), 10)
    assert "Stopped" in window.response.status_text()
    settle(window, qasync_loop)
    rows = table.row_count()
    assert rows >= 4
    let_time_pass(qasync_loop, 0.5)
    viewer.refresh()
    assert table.row_count() == rows, "nothing arrives after Stop, nothing is lost"
    assert [table.model.cells(r)[1] for r in range(rows)] == [str(n) for n in range(1, rows + 1)]

    deadline = time.monotonic() + 10
    while open_streams(demo_server)["sse"] and time.monotonic() < deadline:
        let_time_pass(qasync_loop, 0.1)
    assert open_streams(demo_server)["sse"] == 0, "Stop ended the server's stream"


# ------------------------------------------------------------------- charsets


@pytest.mark.parametrize("name", ["latin-1", "utf-16"])
@pytest.mark.parametrize("declare", ["1", "0"])
def test_charsets_show_the_same_text(
    name: str,
    declare: str,
    qtbot: QtBot,
    window: MainWindow,
    qasync_loop: qasync.QEventLoop,
    demo_server: str,
) -> None:
    assert viewers.charset_body(name) != viewers.CHARSET_TEXT.encode()
    show(qtbot, window, qasync_loop, f"{demo_server}/charset/{name}?declare={declare}")
    viewer = window.response.viewer
    assert viewer.kind() is BodyKind.TEXT
    assert viewer.text_page() is not None
    assert viewer.text() == viewers.CHARSET_TEXT


# ------------------------------------------------------------------ encodings


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br", "zstd"])
def test_compressed_bodies_are_shown_decoded_and_as_received(
    encoding: str,
    qtbot: QtBot,
    window: MainWindow,
    qasync_loop: qasync.QEventLoop,
    demo_server: str,
) -> None:
    show(qtbot, window, qasync_loop, f"{demo_server}/encoding/identity")
    viewer = window.response.viewer
    viewer.set_view(View.RAW)
    settle(window, qasync_loop)
    identity = viewer.text()
    assert identity.encode() == viewers.encoding_json()

    show(qtbot, window, qasync_loop, f"{demo_server}/encoding/{encoding}")
    assert viewer.kind() is BodyKind.JSON
    assert json.loads(viewer.text()) == json.loads(identity)  # Pretty, decoded
    viewer.set_view(View.RAW)
    settle(window, qasync_loop)
    assert viewer.text() == identity

    wire = viewers.encoded(encoding)
    assert viewer.wire_button.isVisible()
    viewer.wire_button.setChecked(True)
    assert viewer.current_view() is View.HEX
    hex_view = viewer.page(View.HEX)
    assert isinstance(hex_view, HexView)
    settle(window, qasync_loop)
    assert hex_view.row_count() == (len(wire) + 15) // 16
    assert wire[:8].hex(" ") in hex_view.row_text(0)
    last = hex_view.row_count() - 1
    assert wire[last * 16 :].hex(" ")[:23] in hex_view.row_text(last)
    viewer.wire_button.setChecked(False)
    assert hex_view.row_count() == (len(viewers.encoding_json()) + 15) // 16
    assert viewers.encoding_json()[:8].hex(" ") in hex_view.row_text(0)


# ---------------------------------------------------------------------- find


def test_find_counts_and_moves_between_matches(
    qtbot: QtBot, window: MainWindow, qasync_loop: qasync.QEventLoop, demo_server: str
) -> None:
    show(qtbot, window, qasync_loop, f"{demo_server}/encoding/identity")
    viewer = window.response.viewer
    viewer.set_view(View.RAW)
    settle(window, qasync_loop)
    page = viewer.text_page()
    assert page is not None
    body = viewers.encoding_json()
    needle = b'"userId": 3,'
    starts = [i for i in range(len(body)) if body.startswith(needle, i)]
    assert len(starts) == 10

    page.view.setFocus()
    page.view.findRequested.emit()
    assert page.find_bar.isVisible()
    page.find_bar.field.setText(needle.decode())
    page.find_bar.restart()
    run_until(qasync_loop, lambda: page.find_bar.status_text().endswith(" of 10"), 10)
    search = page.find_bar.search
    assert search is not None
    assert search.count == 10
    assert [search.match(i)[0] for i in range(10)] == starts
    assert page.find_bar.status_text() == "1 of 10"
    page.find_bar.next()
    assert page.find_bar.status_text() == "2 of 10"
    assert page.find_bar.current_index() == 1
    page.find_bar.previous()
    page.find_bar.previous()
    assert page.find_bar.status_text() == "10 of 10", "previous wraps to the last match"
    assert search.match(page.find_bar.current_index()) == (starts[-1], starts[-1] + len(needle))
    page.find_bar.field.setText("no such text anywhere")
    page.find_bar.restart()
    run_until(qasync_loop, lambda: page.find_bar.status_text() == "no matches", 10)


# --------------------------------------------------------------------- filters


def test_jsonpath_filter_result_in_the_pretty_view(
    qtbot: QtBot, window: MainWindow, qasync_loop: qasync.QEventLoop, demo_server: str
) -> None:
    show(qtbot, window, qasync_loop, f"{demo_server}/posts")
    viewer = window.response.viewer
    assert viewer.filter_bar.isVisible()
    viewer.filter_bar.set_expression("$[?@.userId == 3].id")
    expected = [p["id"] for p in POSTS if p["userId"] == 3]
    run_until(qasync_loop, lambda: viewer.filter_bar.count is not None, 10)
    settle(window, qasync_loop)
    assert json.loads(viewer.text()) == expected
    assert viewer.filter_bar.status.text() == f"{len(expected)} results (JSONPath)"
    viewer.filter_bar.set_expression("")
    settle(window, qasync_loop)
    assert json.loads(viewer.text()) == POSTS, "clearing the filter shows the body again"


def test_jq_filter_result_in_the_pretty_view(
    qtbot: QtBot, window: MainWindow, qasync_loop: qasync.QEventLoop, demo_server: str
) -> None:
    show(qtbot, window, qasync_loop, f"{demo_server}/posts")
    viewer = window.response.viewer
    viewer.filter_bar.set_expression("[.[] | select(.id % 25 == 0) | {id, userId}]")
    run_until(qasync_loop, lambda: viewer.filter_bar.count is not None, 10)
    settle(window, qasync_loop)
    expected = [{"id": p["id"], "userId": p["userId"]} for p in POSTS if p["id"] % 25 == 0]
    assert json.loads(viewer.text()) == [expected]
    assert viewer.filter_bar.status.text() == "1 result (jq)"


# ------------------------------------------------------------ copy and save


@pytest.mark.parametrize(
    ("path", "media", "expected"),
    [
        (
            "/bytes/3000000?seed=1",
            "application/octet-stream",
            lambda: b"".join(seeded_bytes("1", 3_000_000)),
        ),
        ("/big/json?mb=3", "application/json", lambda: b"".join(big.body("json", 3))),
    ],
    ids=["bytes", "json"],
)
def test_copy_and_save_write_the_exact_original_bytes(
    path: str,
    media: str,
    expected: object,
    qtbot: QtBot,
    window: MainWindow,
    qasync_loop: qasync.QEventLoop,
    demo_server: str,
    tmp_path: Path,
) -> None:
    assert callable(expected)
    original: bytes = expected()
    assert len(original) > 2 * MEMORY_BUDGET
    show(qtbot, window, qasync_loop, f"{demo_server}{path}", timeout=60)
    exchange = window.current_exchange()
    assert exchange is not None
    assert exchange.body.file_descriptor() >= 0, "past the budget, the body is on disk"

    clipboard = QGuiApplication.clipboard()
    clipboard.clear()
    window.copy_body()
    wait_for_signal(qasync_loop, window.sends.copyReady, 30)
    let_time_pass(qasync_loop, 0.05)
    mime = clipboard.mimeData()
    assert mime is not None
    assert bytes(mime.data(media).data()) == original
    if media == "application/json":
        assert bytes(mime.data("text/plain").data()) == original

    target = tmp_path / "saved.body"
    window.ask_save_body_path = lambda: str(target)  # type: ignore[method-assign]
    window.save_body()
    saved = wait_for_signal(qasync_loop, window.sends.saveFinished, 30)
    assert saved == str(target)
    assert target.read_bytes() == original


def test_copy_of_a_latin1_body_pastes_as_text_and_keeps_its_bytes(
    qtbot: QtBot, window: MainWindow, qasync_loop: qasync.QEventLoop, demo_server: str
) -> None:
    """The text for pasting is decoded from the body's charset (in the copy's worker);
    a text/plain body has no other format to keep."""
    show(qtbot, window, qasync_loop, f"{demo_server}/charset/latin-1")
    clipboard = QGuiApplication.clipboard()
    clipboard.clear()
    window.copy_body()
    wait_for_signal(qasync_loop, window.sends.copyReady, 30)
    mime = clipboard.mimeData()
    assert mime is not None
    assert mime.text() == viewers.CHARSET_TEXT
    assert bytes(mime.data("text/plain").data()) == viewers.CHARSET_TEXT.encode("utf-8")


# -------------------------------------------------------------------- memory


def _rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def test_a_100_mb_body_keeps_memory_within_the_budget(
    qtbot: QtBot, window: MainWindow, qasync_loop: qasync.QEventLoop, demo_server: str
) -> None:
    mb = 100
    peak = [0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], _rss())
            time.sleep(0.01)

    let_time_pass(qasync_loop, 0.2)
    baseline = _rss()
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        show(qtbot, window, qasync_loop, f"{demo_server}/big/text?mb={mb}", timeout=240)
        let_time_pass(qasync_loop, 0.5)
    finally:
        stop.set()
        sampler.join()
    exchange = window.current_exchange()
    assert exchange is not None
    assert exchange.received >= mb * MIB * 0.99
    viewer = window.response.viewer
    page = viewer.text_page()
    assert page is not None
    last = page.view.line_text(page.view.line_count() - 1) or page.view.line_text(
        page.view.line_count() - 2
    )
    assert big.MARKER in last
    growth_mb = (peak[0] - baseline) / MIB
    assert growth_mb < 0.25 * mb + 64, f"RSS grew {growth_mb:.0f} MB for a {mb} MB body"


def test_a_tree_value_too_big_for_the_gui_thread_is_copied_whole(
    qtbot: QtBot, window: MainWindow, qasync_loop: qasync.QEventLoop, demo_server: str
) -> None:
    """The tree hands a value past its copy limit (16 MiB) to the window, which copies
    its exact bytes off the GUI thread (it used to be dropped: nobody listened)."""
    original = b"".join(big.body("json", 20))
    start = original.index(b"[")
    end = original.rindex(b"]") + 1
    assert end - start > TREE_COPY_LIMIT
    show(qtbot, window, qasync_loop, f"{demo_server}/big/json?mb=20", timeout=120)
    viewer = window.response.viewer
    viewer.set_view(View.TREE)
    tree = viewer.page(View.TREE)
    assert isinstance(tree, JsonTreeView)
    root = tree.model.index(0, 0)
    run_until(qasync_loop, lambda: tree.model.rowCount(root) == 3, 60)
    records = tree.model.index(2, 0, root)
    assert records.data() == "records"
    tree.tree.setCurrentIndex(records)
    clipboard = QGuiApplication.clipboard()
    clipboard.clear()
    tree.copy_value()
    wait_for_signal(qasync_loop, window.sends.copyReady, 60)
    let_time_pass(qasync_loop, 0.05)
    mime = clipboard.mimeData()
    assert mime is not None
    assert bytes(mime.data("text/plain").data()) == original[start:end]
    tree.copy_path()
    assert clipboard.text() == "$.records"


def test_a_selection_too_big_for_a_text_copy_offers_the_whole_body(
    qtbot: QtBot, window: MainWindow, qasync_loop: qasync.QEventLoop, demo_server: str
) -> None:
    original = b"".join(big.body("text", 20))
    show(qtbot, window, qasync_loop, f"{demo_server}/big/text?mb=20", timeout=120)
    page = window.response.viewer.text_page()
    assert page is not None
    offers: list[tuple[int, int]] = []

    def ask(copied: int, selected: int) -> bool:
        offers.append((copied, selected))
        return True

    window.ask_copy_whole = ask  # type: ignore[method-assign]
    page.view.select_all()
    page.view.copy()
    assert len(offers) == 1
    copied, selected = offers[0]
    assert copied < selected == len(original)
    wait_for_signal(qasync_loop, window.sends.copyReady, 60)
    let_time_pass(qasync_loop, 0.05)
    mime = QGuiApplication.clipboard().mimeData()
    assert mime is not None
    assert bytes(mime.data("text/plain").data()) == original
