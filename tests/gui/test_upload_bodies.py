"""The body editor's File and Multipart kinds produce the model they show."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.core.model import Body, BodyKind, FormPart, PartKind, Request
from app.ui.request_editor import RequestEditor


def editor(qtbot: QtBot) -> RequestEditor:
    widget = RequestEditor()
    qtbot.addWidget(widget)
    widget.show()
    widget.load_model(Request("Upload", "POST", "https://h/upload"))
    return widget


def choose(kind: BodyKind, w: RequestEditor) -> None:
    w.body_kind.setCurrentIndex(w.body_kind.findData(kind))


def test_choosing_file_gives_a_file_body(qtbot: QtBot, tmp_path: Path) -> None:
    w = editor(qtbot)
    picked = str(tmp_path / "report.pdf")
    asked: list[str] = []

    def fake_dialog(_parent: QWidget, current: str) -> str:
        asked.append(current)
        return picked

    w.file_body.choose_file = fake_dialog
    choose(BodyKind.FILE, w)
    assert w.body_stack.currentWidget() is w.file_body
    assert not w.content_type.isVisible()  # the raw body's field: the file has its own
    qtbot.mouseClick(w.file_body.browse, Qt.MouseButton.LeftButton)
    assert asked == [""]
    qtbot.keyClicks(w.file_body.content_type, "application/pdf")
    assert w.to_model().body == Body(BodyKind.FILE, path=picked, content_type="application/pdf")
    assert w.is_modified()
    assert w.tabs.tabText(2) == "Body •"


def test_a_file_body_loads_back(qtbot: QtBot) -> None:
    w = editor(qtbot)
    request = Request("R", "PUT", "https://h/x", body=Body(BodyKind.FILE, path="fixtures/a.bin"))
    w.load_model(request)
    assert w.file_body.path.text() == "fixtures/a.bin"
    assert w.to_model().body == request.body
    assert not w.is_modified()


def test_choosing_multipart_gives_text_and_file_parts(qtbot: QtBot, tmp_path: Path) -> None:
    w = editor(qtbot)
    picked = str(tmp_path / "photo.png")
    w.multipart.choose_file = lambda _parent, _current: picked
    choose(BodyKind.MULTIPART, w)
    assert w.body_stack.currentWidget() is w.multipart
    table = w.multipart
    qtbot.mouseClick(table.add_button, Qt.MouseButton.LeftButton)
    table.table.item(0, 1).setText("caption")
    table.table.item(0, 3).setText("hello {{name}}")
    assert not table.browse_button(0).isEnabled()  # a text part has no file to browse
    qtbot.mouseClick(table.add_button, Qt.MouseButton.LeftButton)
    table.table.item(1, 1).setText("photo")
    table.set_kind(1, PartKind.FILE)
    assert table.browse_button(1).isEnabled()
    qtbot.mouseClick(table.browse_button(1), Qt.MouseButton.LeftButton)
    table.table.item(1, 5).setText("image/png")
    table.table.item(1, 6).setText("me.png")
    table.table.item(0, 0).setCheckState(Qt.CheckState.Unchecked)
    assert w.to_model().body == Body(
        BodyKind.MULTIPART,
        parts=[
            FormPart("caption", "hello {{name}}", enabled=False),
            FormPart("photo", picked, PartKind.FILE, "image/png", "me.png"),
        ],
    )
    assert w.is_modified()


def test_multipart_loads_back_and_rows_can_be_removed(qtbot: QtBot) -> None:
    w = editor(qtbot)
    parts = [
        FormPart("a", "text"),
        FormPart("b", "~/f.bin", PartKind.FILE, file_name="x.bin"),
        FormPart("c", "more", enabled=False),
    ]
    request = Request("R", "POST", "https://h/x", body=Body(BodyKind.MULTIPART, parts=parts))
    w.load_model(request)
    assert w.body_stack.currentWidget() is w.multipart
    assert w.to_model().body == request.body
    assert not w.is_modified()
    remove = w.multipart.table.cellWidget(0, 7)
    assert remove is not None
    qtbot.mouseClick(remove, Qt.MouseButton.LeftButton)
    assert [p.name for p in w.to_model().body.parts] == ["b", "c"]
    assert w.is_modified()


def test_the_strip_says_how_far_an_upload_got() -> None:
    from app.net.exchange import Exchange
    from app.ui.response_view import sending_text

    exchange = Exchange("POST", "http://h/")
    assert sending_text(exchange) == "Sending…"
    exchange.upload_size, exchange.uploaded = 512 << 20, 120 << 20
    assert sending_text(exchange) == "Uploading 120.0 MiB of 512.0 MiB"
    exchange.uploaded = exchange.upload_size
    assert sending_text(exchange) == "Sent 512.0 MiB, waiting for the answer…"


def test_a_narrow_editor_keeps_the_part_values_readable(qtbot: QtBot) -> None:
    # the value column was squeezed to "…" in a 480-px editor (the other columns took it all)
    from app.ui.upload_bodies import MIN_VALUE_WIDTH, VALUE, MultipartTable

    table = MultipartTable()
    qtbot.addWidget(table)
    table.set_parts([FormPart(name="report", kind=PartKind.FILE, value="fixtures/report.pdf")])
    table.resize(480, 300)
    table.show()
    qtbot.waitExposed(table)
    assert table.table.horizontalHeader().sectionSize(VALUE) >= MIN_VALUE_WIDTH
    table.resize(1200, 300)
    qtbot.waitUntil(lambda: table.table.horizontalHeader().sectionSize(VALUE) > 500)
