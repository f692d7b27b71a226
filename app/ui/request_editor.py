"""The request editor: method, URL, and the Params / Headers / Body / Notes tabs.

It edits a copy: ``load_model`` shows a ``Request``, ``to_model`` returns what
is on screen as a new ``Request``, and ``is_modified`` compares the two.  The
URL's query and the Params table are one thing shown twice: editing either
rewrites the other.  The model keeps the URL without its query and the query
as ``params`` rows (so rows can be switched off and survive in the file).
"""

from __future__ import annotations

import copy
from urllib.parse import unquote

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.model import COMMON_METHODS, Body, BodyKind, KeyValue, Request
from app.ui import theme
from app.ui.auth_editor import AuthEditor
from app.ui.elided import ElidedLabel
from app.ui.inherited_headers import InheritedHeaders
from app.ui.key_value_table import KeyValueTable
from app.ui.settings_dialog import OptionsEditor
from app.ui.upload_bodies import FileBodyEditor, MultipartTable
from app.ui.variable_marks import Lookup, TemplateHighlighter, VariableTooltips, mark_line_edit

#: body kinds in the order the selector offers them, with their labels
BODY_KINDS: tuple[tuple[BodyKind, str], ...] = (
    (BodyKind.NONE, "No body"),
    (BodyKind.JSON, "JSON"),
    (BodyKind.RAW, "Text"),
    (BodyKind.FORM, "Form URL-encoded"),
    (BodyKind.MULTIPART, "Multipart form"),
    (BodyKind.FILE, "File"),
)
#: the body stack's page for each kind
_BODY_PAGES = {
    BodyKind.NONE: 0,
    BodyKind.JSON: 1,
    BodyKind.RAW: 1,
    BodyKind.FORM: 2,
    BodyKind.FILE: 3,
    BodyKind.MULTIPART: 4,
}
PARAMS_TAB, HEADERS_TAB, BODY_TAB, AUTH_TAB, OPTIONS_TAB, NOTES_TAB = range(6)


def split_url(text: str) -> tuple[str, list[KeyValue]]:
    """'https://h/p?a=1&b' -> ('https://h/p', [a=1, b=''])  (values percent-decoded)."""
    base, sep, query = text.partition("?")
    if not sep:
        return text.strip(), []
    query = query.split("#", 1)[0]  # a fragment is never sent
    rows = []
    for part in query.split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        rows.append(KeyValue(unquote(name), unquote(value)))
    return base.strip(), rows


def _escape(text: str, extra: str = "") -> str:
    for ch in "%&#" + extra:
        text = text.replace(ch, f"%{ord(ch):02X}")
    return text


def join_url(base: str, params: list[KeyValue]) -> str:
    """The URL bar's text: base plus the enabled params, readable (not fully encoded)."""
    enabled = [p for p in params if p.enabled and (p.name or p.value)]
    if not enabled:
        return base
    query = "&".join(
        f"{_escape(p.name, '=')}={_escape(p.value)}" if p.value else _escape(p.name, "=")
        for p in enabled
    )
    return f"{base}?{query}"


def _with_query_as_params(request: Request) -> Request:
    """A copy of ``request`` whose url has no query: its query parameters come first in
    ``params`` (what the editor shows and sends back; the same request when resolved)."""
    loaded = copy.deepcopy(request)
    base, rows = split_url(loaded.url)
    if rows:
        loaded.url = base
        loaded.params = rows + loaded.params
    return loaded


def _nothing_defined(name: str) -> tuple[str | None, bool]:
    return None, False


class RequestEditor(QWidget):
    sendRequested = Signal()
    stopRequested = Signal()
    modifiedChanged = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("editorPane")
        self._baseline = Request(name="Untitled request")
        self._loaded = self._baseline
        self._modified = False
        self._running = False
        self._syncing = False

        # collection / folders / name: long ones elided, the whole path in the tooltip
        self.title = ElidedLabel("", self, Qt.TextElideMode.ElideMiddle)
        self.title.setObjectName("requestTitle")

        self.method = QComboBox(self)
        self.method.setObjectName("methodBox")
        self.method.setEditable(True)
        self.method.addItems(list(COMMON_METHODS))
        self.method.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.method.setToolTip("HTTP method: pick one or type any token")
        self._color_method_items()
        theme.notifier().changed.connect(self._on_theme_changed)
        self.method.currentTextChanged.connect(self._on_method_changed)

        self.url = QLineEdit(self)
        self.url.setObjectName("urlBar")
        self.url.setPlaceholderText(
            "Enter a URL, e.g. https://api.example.com/users or {{base}}/users"
        )
        self.url.setClearButtonEnabled(True)
        self.url.textChanged.connect(self._on_url_edited)
        self.url.returnPressed.connect(self._send_or_stop)

        self.send_button = QPushButton("Send", self)
        self.send_button.setObjectName("sendButton")
        self.send_button.setIcon(theme.icon("send"))
        self.send_button.setToolTip("Send (Ctrl+Enter)")
        self.send_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.send_button.clicked.connect(self._send_or_stop)

        bar = QHBoxLayout()
        bar.setSpacing(0)
        bar.addWidget(self.method)
        bar.addWidget(self.url, 1)
        bar.addSpacing(8)
        bar.addWidget(self.send_button)

        self.params = KeyValueTable("Parameter", "Value", self)
        self.params.changed.connect(self._on_params_changed)
        self.headers = KeyValueTable("Header", "Value", self)
        self.headers.changed.connect(self._on_changed)
        self.inherited_headers = InheritedHeaders(self)
        self.inherited_headers.changed.connect(self._on_changed)
        headers_tab = QWidget(self)
        headers_layout = QVBoxLayout(headers_tab)
        headers_layout.setContentsMargins(0, 0, 0, 0)
        headers_layout.addWidget(self.headers, 3)
        headers_layout.addWidget(self.inherited_headers, 2)
        self.auth_editor = AuthEditor(allow_inherit=True, parent=self)
        self.auth_editor.changed.connect(self._on_changed)
        self.options = OptionsEditor(inheritable=True, parent=self)
        self.options.changed.connect(self._on_changed)
        self.body_kind = QComboBox(self)
        for kind, label in BODY_KINDS:
            self.body_kind.addItem(label, kind)
        self.body_kind.currentIndexChanged.connect(self._on_body_kind_changed)
        self.content_type = QLineEdit(self)
        self.content_type.setPlaceholderText("Content-Type, e.g. text/plain or application/xml")
        self.content_type.textEdited.connect(self._on_changed)
        self.format_button = QPushButton("Format JSON", self)
        self.format_button.clicked.connect(self._format_json)
        self.body_text = QPlainTextEdit(self)
        self.body_text.setObjectName("bodyText")
        self.body_text.setFont(theme.monospace_font())
        self.body_text.setPlaceholderText("Request body")
        self.body_text.textChanged.connect(self._on_changed)
        self.form = KeyValueTable("Field", "Value", self)
        self.form.changed.connect(self._on_changed)
        self.file_body = FileBodyEditor(self)
        self.file_body.changed.connect(self._on_changed)
        self.multipart = MultipartTable(self)
        self.multipart.changed.connect(self._on_changed)
        no_body = QLabel("This request has no body.", self)
        no_body.setObjectName("placeholder")
        no_body.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body_stack = QStackedWidget(self)
        self.body_stack.addWidget(no_body)
        self.body_stack.addWidget(self.body_text)
        self.body_stack.addWidget(self.form)
        self.body_stack.addWidget(self.file_body)
        self.body_stack.addWidget(self.multipart)
        body_tab = QWidget(self)
        body_top = QHBoxLayout()
        body_top.addWidget(self.body_kind)
        body_top.addWidget(self.content_type, 1)
        body_top.addStretch(0)
        body_top.addWidget(self.format_button)
        body_layout = QVBoxLayout(body_tab)
        body_layout.setContentsMargins(0, 8, 0, 0)
        body_layout.addLayout(body_top)
        body_layout.addWidget(self.body_stack, 1)

        self.notes = QPlainTextEdit(self)
        self.notes.setPlaceholderText("Notes about this request (saved with it)")
        self.notes.textChanged.connect(self._on_changed)

        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.params, "Params")
        self.tabs.addTab(headers_tab, "Headers")
        self.tabs.addTab(body_tab, "Body")
        self.tabs.addTab(self.auth_editor, "Auth")
        self.tabs.addTab(self.options, "Options")
        self.tabs.addTab(self.notes, "Notes")

        self._lookup: Lookup = _nothing_defined
        self._highlighter = TemplateHighlighter(self.body_text.document(), self._lookup_proxy)
        self._tooltips = VariableTooltips(self._lookup_proxy, self)
        self._tooltips.watch(self.url)
        self._tooltips.watch(self.body_text)
        self.url.textChanged.connect(self._mark_url)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 0)
        layout.setSpacing(8)
        layout.addWidget(self.title)
        layout.addLayout(bar)
        layout.addWidget(self.tabs, 1)
        self._on_body_kind_changed()

    # --------------------------------------------------------------- API

    def load_model(self, request: Request) -> None:
        self._loaded = request
        self._baseline = _with_query_as_params(request)
        self._syncing = True
        try:
            with QSignalBlocker(self.method):
                self.method.setEditText(request.method)
            self._color_method(request.method)
            # a query kept in the file's url (hand-written, imported) becomes params rows
            self.params.set_rows(copy.deepcopy(self._baseline.params))
            self.url.setText(join_url(self._baseline.url, self._baseline.params))
            self.url.setCursorPosition(0)  # a long URL shows its start (scheme, host)
            self.headers.set_rows(copy.deepcopy(request.headers))
            body = request.body
            with QSignalBlocker(self.body_kind):
                self.body_kind.setCurrentIndex(
                    next(i for i, (k, _) in enumerate(BODY_KINDS) if k is body.kind)
                )
            with QSignalBlocker(self.body_text):
                self.body_text.setPlainText(body.text)
            self.content_type.setText(body.content_type if body.kind is BodyKind.RAW else "")
            self.form.set_rows(copy.deepcopy(body.form))
            self.file_body.set_file(
                body.path, body.content_type if body.kind is BodyKind.FILE else ""
            )
            self.multipart.set_parts(copy.deepcopy(body.parts))
            with QSignalBlocker(self.notes):
                self.notes.setPlainText(request.notes)
            self.auth_editor.set_auth(copy.deepcopy(request.auth))
            self.options.set_settings(request.settings, request.settings)
            self.inherited_headers.set_disabled(request.disabled_inherited_headers)
        finally:
            self._syncing = False
        self._on_body_kind_changed(update=False)
        self._update_tab_titles()
        self._set_modified(False)

    def load_edited(self, stored: Request, edited: Request) -> None:
        """Show ``edited`` as unsaved edits of ``stored`` (a draft restored after a restart)."""
        self.load_model(edited)
        self._loaded = stored
        self._baseline = _with_query_as_params(stored)
        self._set_modified(self.is_modified())

    def to_model(self) -> Request:
        base, _query = split_url(self.url.text())
        kind = self._body_kind()
        file_path, file_type = self.file_body.file()
        content_type = self.content_type.text().strip() if kind is BodyKind.RAW else ""
        return Request(
            name=self._loaded.name,
            method=self._method_text(),
            url=base,
            params=self.params.rows(),
            headers=self.headers.rows(),
            body=Body(
                kind=kind,
                text=self.body_text.toPlainText() if kind in (BodyKind.JSON, BodyKind.RAW) else "",
                content_type=file_type if kind is BodyKind.FILE else content_type,
                form=self.form.rows() if kind is BodyKind.FORM else [],
                path=file_path if kind is BodyKind.FILE else "",
                parts=self.multipart.parts() if kind is BodyKind.MULTIPART else [],
            ),
            notes=self.notes.toPlainText(),
            auth=self.auth_editor.auth(),
            settings=self.options.settings(),
            disabled_inherited_headers=self.inherited_headers.disabled(),
            path=self._loaded.path,
        )

    def is_modified(self) -> bool:
        shown = self.to_model()
        # the name is not edited here: a rename (in the sidebar, or of the file outside
        # Courier) changes the loaded request in place and is no unsaved edit
        shown.name = self._baseline.name
        return shown != self._baseline

    def mark_saved(self) -> None:
        self._baseline = self.to_model()
        self._set_modified(False)

    def set_running(self, running: bool) -> None:
        self._running = running
        self.send_button.setText("Stop" if running else "Send")
        self.send_button.setIcon(theme.icon("stop" if running else "send"))
        self.send_button.setToolTip("Stop (Esc)" if running else "Send (Ctrl+Enter)")
        self.send_button.setProperty("running", running)
        style = self.send_button.style()
        style.unpolish(self.send_button)
        style.polish(self.send_button)

    def focus_url(self) -> None:
        self.url.setFocus()
        self.url.selectAll()

    def set_title(self, text: str) -> None:
        self.title.set_full_text(text)

    def set_variable_lookup(self, lookup: Lookup) -> None:
        """How to resolve ``{{names}}`` for highlighting and hover (from the window)."""
        self._lookup = lookup
        self._mark_url()
        self._highlighter.rehighlight()
        for table in (self.params, self.headers, self.form):
            table.set_variable_lookup(self._lookup_proxy)

    def _lookup_proxy(self, name: str) -> tuple[str | None, bool]:
        return self._lookup(name)

    def _mark_url(self, *_args: object) -> None:
        mark_line_edit(self.url, self._lookup_proxy)

    def set_inherited(self, headers: list[tuple[str, str, str]], auth_note: str) -> None:
        """Show what this request inherits: headers (name, value, source) and its auth."""
        self.inherited_headers.set_rows(headers)
        self.auth_editor.set_inherited_note(auth_note)
        self._update_tab_titles()

    # ---------------------------------------------------------- internals

    def _body_kind(self) -> BodyKind:
        # Qt hands enum data back as plain str: turn it into the enum again
        return BodyKind(self.body_kind.currentData())

    def _send_or_stop(self) -> None:
        if self._running:
            self.stopRequested.emit()
        else:
            self.sendRequested.emit()

    def _method_text(self) -> str:
        return self.method.currentText().strip().upper() or "GET"

    def _on_method_changed(self, text: str) -> None:
        upper = text.upper()
        if upper != text:
            line = self.method.lineEdit()
            pos = line.cursorPosition() if line is not None else 0
            with QSignalBlocker(self.method):
                self.method.setEditText(upper)
            if line is not None:
                line.setCursorPosition(pos)
        self._color_method(upper)
        self._on_changed()

    def _color_method_items(self) -> None:
        for i, name in enumerate(COMMON_METHODS):
            self.method.setItemData(i, theme.method_color(name), Qt.ItemDataRole.ForegroundRole)

    def _on_theme_changed(self) -> None:
        """Method colours are the theme's: set again when it changes."""
        self._color_method_items()
        self._color_method(self.method.currentText())

    def _color_method(self, method: str) -> None:
        color = theme.method_color(method or "GET").name()
        self.method.setStyleSheet(f"QComboBox#methodBox {{ color: {color}; }}")

    def _on_url_edited(self, text: str) -> None:
        if self._syncing:
            return
        _base, rows = split_url(text)
        disabled = [p for p in self.params.rows() if not p.enabled]
        self._syncing = True
        try:
            self.params.set_rows(rows + disabled)
        finally:
            self._syncing = False
        self._on_changed()

    def _on_params_changed(self) -> None:
        if self._syncing:
            return
        base, _ = split_url(self.url.text())
        self._syncing = True
        try:
            self.url.setText(join_url(base, self.params.rows()))
        finally:
            self._syncing = False
        self._on_changed()

    def _on_body_kind_changed(self, _index: int = 0, *, update: bool = True) -> None:
        kind = self._body_kind()
        self.body_stack.setCurrentIndex(_BODY_PAGES[kind])
        self.content_type.setVisible(kind is BodyKind.RAW)
        self.format_button.setVisible(kind is BodyKind.JSON)
        if update:
            self._on_changed()

    def _format_json(self) -> None:
        import orjson

        try:
            data = orjson.loads(self.body_text.toPlainText() or "null")
        except orjson.JSONDecodeError as exc:
            self.body_text.setToolTip(f"Not valid JSON: {exc}")
            return
        self.body_text.setToolTip("")
        self.body_text.setPlainText(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n")

    def _on_changed(self, *_args: object) -> None:
        if self._syncing:
            return
        self._update_tab_titles()
        self._set_modified(self.is_modified())

    def _set_modified(self, modified: bool) -> None:
        if modified != self._modified:
            self._modified = modified
            self.modifiedChanged.emit(modified)

    def _update_tab_titles(self) -> None:
        def counted(label: str, n: int) -> str:
            return f"{label} ({n})" if n else label

        self.tabs.setTabText(
            PARAMS_TAB, counted("Params", sum(p.enabled for p in self.params.rows()))
        )
        self.tabs.setTabText(
            HEADERS_TAB, counted("Headers", sum(h.enabled for h in self.headers.rows()))
        )
        kind = self._body_kind()
        self.tabs.setTabText(BODY_TAB, "Body" if kind is BodyKind.NONE else "Body •")
        self.tabs.setTabText(NOTES_TAB, "Notes •" if self.notes.toPlainText() else "Notes")
        auth_kind = self.auth_editor.current_kind()
        self.tabs.setTabText(AUTH_TAB, "Auth" if auth_kind.value == "inherit" else "Auth •")
