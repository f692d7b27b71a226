"""HTML preview: a page full of remote and local references renders without a single
request to a real local server or a read of a local file; data: images render."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, QUrl
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPixmap, QTextDocument
from pytestqt.qtbot import QtBot

from app.core.viewing.source import MemorySource
from app.ui.viewer import html_preview
from app.ui.viewer.html_preview import HtmlPreview, decode_data_uri, html_text

pytestmark = pytest.mark.gui


def png(width: int, height: int) -> bytes:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("green"))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


class CountingServer:
    """A real HTTP server on 127.0.0.1 that serves a PNG for any path and counts requests."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        body = png(4, 4)
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.paths.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)


@pytest.fixture
def server() -> Iterator[CountingServer]:
    s = CountingServer()
    s.thread.start()
    yield s
    s.httpd.shutdown()
    s.httpd.server_close()
    s.thread.join(5)


def make_preview(qtbot: QtBot) -> HtmlPreview:
    preview = HtmlPreview()
    qtbot.addWidget(preview)
    preview.resize(800, 600)
    preview.show()
    return preview


def test_server_is_reachable_so_zero_requests_means_something(server: CountingServer) -> None:
    import urllib.request

    with urllib.request.urlopen(f"{server.base}/probe.png", timeout=5) as reply:
        assert reply.read().startswith(b"\x89PNG")
    assert server.paths == ["/probe.png"]


def test_preview_loads_nothing_remote_or_local(
    qtbot: QtBot, server: CountingServer, tmp_path: Path
) -> None:
    local = tmp_path / "local.png"
    local.write_bytes(png(7, 7))
    data_png = png(13, 9)
    data_uri = "data:image/png;base64," + base64.b64encode(data_png).decode()
    base = server.base
    page = f"""<!doctype html>
<html><head>
<base href="{base}/">
<link rel="stylesheet" href="{base}/style.css">
<link rel="stylesheet" type="text/css" href="{base}/typed.css">
<script src="{base}/app.js"></script>
<script>document.write('<img src="{base}/scripted.png">')</script>
<style>body {{ background-image: url({base}/body-bg.png) }}</style>
</head><body>
<h1>Hello</h1>
<img src="{base}/remote.png" width="10" height="10">
<img src="relative.png">
<img src="{local.as_uri()}">
<img src="{data_uri}" alt="inline">
<div style="background-image: url('{base}/div-bg.png')">styled</div>
<table background="{base}/table-bg.png"><tr><td>cell</td></tr></table>
<iframe src="{base}/frame.html"></iframe>
<a href="{base}/next">next page</a>
</body></html>""".encode()

    preview = make_preview(qtbot)
    preview.set_source(MemorySource(page), "text/html; charset=utf-8")
    preview.browser.grab()  # lay out and paint: every resource is asked for
    qtbot.wait(300)  # time for any request to reach the server

    assert server.paths == []
    blocked = preview.blocked_urls()
    assert f"{base}/remote.png" in blocked
    assert f"{base}/typed.css" in blocked
    assert local.as_uri() in blocked
    assert preview.blocked_count() == len(blocked) >= 3
    assert preview.note.text() == f"Preview: remote content blocked ({len(blocked)} resources)"
    assert "Hello" in preview.browser.toPlainText()
    assert "scripted" not in preview.browser.toPlainText()

    document = preview.browser.document()
    local_image = document.resource(QTextDocument.ResourceType.ImageResource, QUrl(local.as_uri()))
    assert not isinstance(local_image, QImage | QPixmap) or local_image.size() != QSize(7, 7)
    inline = document.resource(QTextDocument.ResourceType.ImageResource, QUrl(data_uri))
    assert isinstance(inline, QImage)
    assert (inline.width(), inline.height()) == (13, 9)
    assert preview.browser.loaded_data_uris >= 1


def test_links_are_not_followed_but_can_be_copied(qtbot: QtBot, server: CountingServer) -> None:
    preview = make_preview(qtbot)
    preview.set_source(MemorySource(f'<a href="{server.base}/go">go</a>'.encode()))
    assert not preview.browser.openLinks()
    assert not preview.browser.openExternalLinks()
    preview.browser.anchorClicked.emit(QUrl(f"{server.base}/go"))
    assert preview.clicked_link() == f"{server.base}/go"
    assert preview.link_label.isVisible()
    assert preview.browser.source() == QUrl()
    preview.copy_link_button.click()
    assert QGuiApplication.clipboard().text() == f"{server.base}/go"
    qtbot.wait(100)
    assert server.paths == []


def test_waits_for_the_whole_page_and_has_a_size_limit(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = MemorySource(b"<p>first half", complete=False)
    preview = make_preview(qtbot)
    preview.set_source(source)
    assert preview.note.text().startswith("Preview: waiting for the whole page")
    source.append(b" and the rest</p>")
    source.finish()
    preview.refresh()
    assert preview.browser.toPlainText() == "first half and the rest"
    assert preview.note.text() == "Preview: remote content blocked (0 resources)"

    monkeypatch.setattr(html_preview, "SIZE_LIMIT", 100)
    preview.set_source(MemorySource(b"<p>" + b"x" * 200 + b"</p>"))
    assert preview.note.text().startswith("Preview: page too large to preview")
    assert preview.browser.toPlainText() == ""


def test_charsets_and_data_uris() -> None:
    assert html_text("<p>é</p>".encode("latin-1"), "text/html; charset=iso-8859-1") == "<p>é</p>"
    meta = '<meta charset="windows-1252"><p>€</p>'.encode("cp1252")
    assert html_text(meta) == '<meta charset="windows-1252"><p>€</p>'
    assert html_text("<p>ü</p>".encode("utf-16")) == "<p>ü</p>"
    assert html_text("<p>ü</p>".encode()) == "<p>ü</p>"
    assert html_text(b"<p>\xfc</p>") == "<p>ü</p>"  # not UTF-8: windows-1252
    assert decode_data_uri(b"data:text/css,body%20%7B%7D") == ("text/css", b"body {}")
    assert decode_data_uri(b"data:;base64,aGk") == ("text/plain", b"hi")
    assert decode_data_uri(b"http://x/y") is None
