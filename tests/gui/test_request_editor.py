"""The request editor: what the user types becomes the model, and back."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStyleOptionViewItem, QWidget
from pytestqt.qtbot import QtBot

from app.core.model import Auth, AuthKind, Body, BodyKind, KeyValue, Request
from app.ui.request_editor import RequestEditor, join_url, split_url


def editor(qtbot: QtBot) -> RequestEditor:
    widget = RequestEditor()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def full_request() -> Request:
    return Request(
        name="Create",
        method="POST",
        url="https://api.example.com/items",
        params=[KeyValue("page", "2"), KeyValue("debug", "1", enabled=False)],
        headers=[KeyValue("X-Trace", "abc")],
        body=Body(BodyKind.JSON, text='{"a": 1}'),
        notes="Some notes",
    )


def test_query_typed_in_the_url_fills_params_and_model_splits_it(qtbot: QtBot) -> None:
    w = editor(qtbot)
    qtbot.keyClicks(w.url, "https://h/p?a=1&b=two%20words")
    assert w.params.rows() == [KeyValue("a", "1"), KeyValue("b", "two words")]
    model = w.to_model()
    assert model.url == "https://h/p"
    assert model.params == [KeyValue("a", "1"), KeyValue("b", "two words")]
    assert w.tabs.tabText(0) == "Params (2)"


def test_editing_params_rewrites_the_url(qtbot: QtBot) -> None:
    w = editor(qtbot)
    w.load_model(Request(name="r", url="{{base}}/search"))
    w.params.set_cell(0, "q", "a&b")
    assert w.url.text() == "{{base}}/search?q=a%26b"
    assert w.to_model().params == [KeyValue("q", "a&b")]
    w.params.set_cell(1, "lang", "en")
    assert w.url.text() == "{{base}}/search?q=a%26b&lang=en"


def test_disabled_params_stay_out_of_the_url_but_in_the_model(qtbot: QtBot) -> None:
    w = editor(qtbot)
    w.load_model(full_request())
    assert w.url.text() == "https://api.example.com/items?page=2"
    qtbot.keyClick(w.url, Qt.Key.Key_End)
    qtbot.keyClicks(w.url, "&size=10")
    assert w.to_model().params == [
        KeyValue("page", "2"),
        KeyValue("size", "10"),
        KeyValue("debug", "1", enabled=False),
    ]


def test_load_and_to_model_round_trip_every_field(qtbot: QtBot) -> None:
    w = editor(qtbot)
    for request in (
        full_request(),
        Request(name="f", method="PUT", body=Body(BodyKind.FORM, form=[KeyValue("k", "v")])),
        Request(name="t", method="PATCH", body=Body(BodyKind.RAW, "x", "text/csv")),
        Request(name="n"),
        Request(
            name="o",
            auth=Auth(
                kind=AuthKind.OAUTH2,
                grant="authorization_code",
                token_url="https://a/token",
                auth_url="https://a/authorize",
                client_id="id",
                client_secret="{{secret}}",
                scope="read write",
            ),
        ),
        Request(
            name="aws",
            auth=Auth(
                kind=AuthKind.AWS_SIGV4,
                access_key="AKID",
                secret_key="s",
                session_token="t",
                region="eu-west-1",
                service="s3",
            ),
        ),
        Request(name="b", auth=Auth(kind=AuthKind.BASIC, username="u", password="p")),
    ):
        w.load_model(request)
        assert w.to_model() == request
        assert not w.is_modified()


def test_modified_flag_flips_and_signals_once(qtbot: QtBot) -> None:
    w = editor(qtbot)
    w.load_model(full_request())
    seen: list[bool] = []
    w.modifiedChanged.connect(seen.append)
    qtbot.keyClicks(w.notes, "!!")
    assert w.is_modified()
    assert seen == [True]
    w.notes.setPlainText("Some notes")
    assert seen == [True, False]
    qtbot.keyClicks(w.body_text, " ")
    w.mark_saved()
    assert not w.is_modified()
    assert seen == [True, False, True, False]


def test_ctrl_enter_sends_and_send_button_turns_into_stop(qtbot: QtBot) -> None:
    w = editor(qtbot)
    with qtbot.waitSignal(w.sendRequested, timeout=1000):
        qtbot.keyClick(w.url, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    w.set_running(True)
    assert w.send_button.text() == "Stop"
    with qtbot.waitSignal(w.stopRequested, timeout=1000):
        qtbot.mouseClick(w.send_button, Qt.MouseButton.LeftButton)
    w.set_running(False)
    assert w.send_button.text() == "Send"


def test_enter_in_the_url_bar_sends(qtbot: QtBot) -> None:
    w = editor(qtbot)
    qtbot.keyClicks(w.url, "http://127.0.0.1:9/")
    with qtbot.waitSignal(w.sendRequested, timeout=1000):
        qtbot.keyClick(w.url, Qt.Key.Key_Return)
    with qtbot.waitSignal(w.sendRequested, timeout=1000):
        qtbot.keyClick(w.url, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)


def test_tab_titles_count_enabled_rows(qtbot: QtBot) -> None:
    w = editor(qtbot)
    w.load_model(full_request())
    assert [w.tabs.tabText(i) for i in range(w.tabs.count())] == [
        "Params (1)",
        "Headers (1)",
        "Body •",
        "Auth",
        "Options",
        "Notes •",
    ]
    w.headers.set_cell(1, "Accept", "application/json")
    assert w.tabs.tabText(1) == "Headers (2)"


def test_custom_methods_are_upper_cased(qtbot: QtBot) -> None:
    w = editor(qtbot)
    w.method.setEditText("")
    qtbot.keyClicks(w.method, "purge")
    assert w.to_model().method == "PURGE"


def test_body_kind_switches_pages_and_format_json(qtbot: QtBot) -> None:
    w = editor(qtbot)
    w.load_model(Request(name="j", body=Body(BodyKind.JSON, text='{"a":[1,2]}')))
    w.tabs.setCurrentIndex(2)
    assert w.format_button.isVisible()
    qtbot.mouseClick(w.format_button, Qt.MouseButton.LeftButton)
    assert w.body_text.toPlainText() == '{\n  "a": [\n    1,\n    2\n  ]\n}\n'
    w.body_kind.setCurrentIndex(3)
    assert w.to_model().body == Body(BodyKind.FORM)
    assert not w.format_button.isVisible()


def test_url_helpers() -> None:
    assert split_url("h/p?x=1#frag") == ("h/p", [KeyValue("x", "1")])
    assert split_url("h/p") == ("h/p", [])
    assert join_url("h", [KeyValue("a", "100%"), KeyValue("flag", "")]) == "h?a=100%25&flag"
    _base, rows = split_url(join_url("h", [KeyValue("a=b", "c&d#e")]))
    assert rows == [KeyValue("a=b", "c&d#e")]


def test_url_set_by_code_syncs_params_too(qtbot: QtBot) -> None:
    """A URL pasted or set programmatically (not typed) must not lose its query."""
    w = editor(qtbot)
    w.url.setText("/search?q=1")
    assert w.to_model().params == [KeyValue("q", "1")]


def test_table_cells_explain_their_variables_on_hover(qtbot: QtBot) -> None:
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QToolTip

    w = editor(qtbot)
    w.load_model(Request(name="r", headers=[KeyValue("Authorization", "Bearer {{token}}")]))
    values = {"token": ("abc", True)}
    w.set_variable_lookup(lambda name: values.get(name, (None, False)))
    table = w.headers.table
    index = table.model().index(0, 2)
    rect = table.visualRect(index)
    event = QHelpEvent(
        QEvent.Type.ToolTip, rect.center(), table.viewport().mapToGlobal(rect.center())
    )
    option = QStyleOptionViewItem()
    assert table.itemDelegate().helpEvent(event, table, option, index)
    assert QToolTip.text() == "{{token}} = ••••••••  (secret)"


def test_options_tab_has_no_stray_widgets(qtbot: QtBot) -> None:
    """Every visible widget of the Options tab sits in its form (a bug: the redirect
    limit's spin box, not in the form for requests, was drawn over the Timeout row)."""
    w = editor(qtbot)
    w.tabs.setCurrentWidget(w.options)
    layout = w.options.layout()
    assert layout is not None
    in_layout = {layout.itemAt(i).widget() for i in range(layout.count())} - {None}
    shown = [
        child
        for child in w.options.findChildren(QWidget)
        if child.parent() is w.options and child.isVisibleTo(w.options)
    ]
    assert len(shown) >= len(in_layout) > 0, "the check saw the form's own widgets"
    for child in shown:
        assert child in in_layout, f"{type(child).__name__} is shown outside the form"


def test_options_tab_deadline_and_body_limit(qtbot: QtBot) -> None:
    from app.core.model import Settings

    w = editor(qtbot)
    w.load_model(Request(name="r", settings=Settings(deadline_s=2.5, max_body_mb=16)))
    assert w.options.deadline.value() == 2.5
    assert w.options.max_body.value() == 16
    assert not w.is_modified()
    w.options.max_body.setValue(0)  # the lowest value: inherit
    assert w.options.max_body.text() == "inherit"
    assert w.is_modified()
    assert w.to_model().settings == Settings(deadline_s=2.5)
    labels = {
        w.options.layout().labelForField(field).text()  # type: ignore[union-attr]
        for field in (w.options.timeout, w.options.deadline)
    }
    assert labels == {"Timeout (per step)", "Deadline (whole request)"}


def test_names_with_spaces_or_any_letters_are_marked(qtbot: QtBot) -> None:
    from app.ui.variable_marks import qt_spans, resolved_colour, unresolved_colour

    w = editor(qtbot)
    values = {"my var": ("1", False), "ünï": ("2", False)}
    w.set_variable_lookup(lambda name: values.get(name, (None, False)))
    w.body_kind.setCurrentIndex(w.body_kind.findData(BodyKind.JSON))
    text = "😀 {{my var}} {{ ünï }} {{not here}} {{}}"
    w.body_text.setPlainText(text)
    formats = w.body_text.document().firstBlock().layout().formats()
    marks = [(f.start, f.length, f.format.foreground().color().name()) for f in formats]
    # positions in UTF-16 code units, as Qt counts them: the emoji takes two
    assert marks == [
        (3, 10, resolved_colour().name()),
        (14, 9, resolved_colour().name()),
        (24, 12, unresolved_colour().name()),
    ]
    assert [s.name for s in qt_spans(text)] == ["my var", "ünï", "not here"]


def test_a_query_kept_in_the_files_url_is_sent_not_dropped(qtbot: QtBot) -> None:
    """A request file written by hand (or imported) with ``url: /x?a=1``: the editor
    shows it as a parameter and sends it, and opening it is not an edit."""
    from app.core.model import KeyValue

    editor = RequestEditor()
    qtbot.addWidget(editor)
    editor.load_model(Request(name="r", url="/gzip-bomb?gb=0.01", params=[KeyValue("b", "2")]))
    assert editor.url.text() == "/gzip-bomb?gb=0.01&b=2"
    model = editor.to_model()
    assert model.url == "/gzip-bomb"
    assert model.params == [KeyValue("gb", "0.01"), KeyValue("b", "2")]
    assert not editor.is_modified()


def test_a_loaded_long_url_shows_its_start(qtbot: QtBot) -> None:
    """Loading put the cursor at the end: the field showed "…L}}/digest-auth/…", the
    host scrolled out of sight."""
    w = editor(qtbot)
    w.resize(400, 300)
    w.load_model(Request(name="Long", url="{{BASE_URL}}/digest-auth/auth/" + "segment/" * 20))
    assert w.url.cursorPosition() == 0
