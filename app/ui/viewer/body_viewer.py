"""The Body tab: one response body in the view that suits it, switchable.

The kind of body (JSON, XML, HTML, an event stream, an image, binary...) is
decided from the declared type and the first bytes; it picks the views offered
and the default one.  Every view reads the exchange's body store through a
``ByteSource``, live: ``refresh()`` (called ~30 times a second while bytes
arrive, and until the view has settled) lets the view on show read what is new
within a few milliseconds, so the window stays fluid whatever the size.  Views
are made when first shown; a hidden view catches up when it is shown again.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.viewing.charset import detect_charset
from app.core.viewing.sniff import BodyKind, View, classify, media_type, views_for
from app.core.viewing.source import ByteSource
from app.ui.viewer.event_table import EventTable
from app.ui.viewer.filter_bar import FilterBar
from app.ui.viewer.find_bar import FindBar
from app.ui.viewer.hex_view import HexView
from app.ui.viewer.html_preview import HtmlPreview
from app.ui.viewer.image_view import ImageView
from app.ui.viewer.json_tree_view import JsonTreeView
from app.ui.viewer.pretty import PrettyText
from app.ui.viewer.sources import ExchangeBody
from app.ui.viewer.text_view import TextView

#: formatting work per refresh on the GUI thread (the text view indexes on its own budget)
TICK_BUDGET_S = 0.004
#: bytes looked at to decide what the body is
SNIFF_BYTES = 4096
#: declared types that say too little: the first bytes decide
UNDECIDED_TYPES = frozenset({"", "text/plain", "application/octet-stream"})
#: the Pygments lexer of the Pretty view of each kind
LANGUAGES: dict[BodyKind, str] = {
    BodyKind.JSON: "json",
    BodyKind.XML: "xml",
    BodyKind.HTML: "html",
    BodyKind.JAVASCRIPT: "javascript",
    BodyKind.CSS: "css",
}


class TextPage(QWidget):
    """A text view with its find bar (Ctrl+F)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = TextView(self)
        self.find_bar = FindBar(self.view, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.find_bar)


class BodyViewer(QWidget):
    #: the view on show changed (tests and the window's menu follow it)
    viewChanged = Signal(str)
    #: a selection too big for a text copy (bytes copied, bytes selected): the window
    #: offers to copy the whole body instead
    copyWholeRequested = Signal(int, int)
    #: a tree value too big to copy on the GUI thread: its byte range in the body
    copyRangeRequested = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("bodyViewer")
        self._body: ExchangeBody | None = None
        self._wire: ExchangeBody | None = None
        self._content_type = ""
        self._arrival_time: Callable[[int], float | None] | None = None
        self._kind: BodyKind | None = None
        self._views: list[View] = []
        self._current: View | None = None
        self._pages: dict[View, QWidget] = {}
        self._pretty: PrettyText | None = None
        self._filter_result: ByteSource | None = None
        self._filter_fed = False
        self._encoding = "utf-8"
        self._wrap = False

        bar = QWidget(self)
        bar.setObjectName("viewBar")
        bar_layout = QHBoxLayout(bar)
        bar_layout.setContentsMargins(8, 4, 8, 4)
        bar_layout.setSpacing(2)
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        self._buttons: dict[View, QToolButton] = {}
        for view in View:
            button = QToolButton(bar)
            button.setObjectName("viewButton")
            button.setText(view.display_name)
            button.setCheckable(True)
            button.setAutoRaise(True)
            button.hide()
            button.clicked.connect(lambda _checked=False, v=view: self.set_view(v))
            self._group.addButton(button)
            self._buttons[view] = button
            bar_layout.addWidget(button)
        bar_layout.addSpacing(12)
        self.status_label = QLabel("", bar)
        self.status_label.setObjectName("viewStatus")
        bar_layout.addWidget(self.status_label, 1)
        self.wire_button = QToolButton(bar)
        self.wire_button.setText("As received")
        self.wire_button.setToolTip(
            "Show the bytes as they came over the wire, before the Content-Encoding was undone"
        )
        self.wire_button.setObjectName("viewToggle")
        self.wire_button.setCheckable(True)
        self.wire_button.setAutoRaise(True)
        self.wire_button.hide()
        self.wire_button.toggled.connect(self._on_wire_toggled)
        bar_layout.addWidget(self.wire_button)
        self.wrap_button = QToolButton(bar)
        self.wrap_button.setText("Wrap")
        self.wrap_button.setToolTip("Wrap long lines at the pane's edge (Alt+Z)")
        self.wrap_button.setObjectName("viewToggle")
        self.wrap_button.setCheckable(True)
        self.wrap_button.setAutoRaise(True)
        self.wrap_button.toggled.connect(self.set_word_wrap)
        bar_layout.addWidget(self.wrap_button)
        QShortcut(QKeySequence("Alt+Z"), self, self.wrap_button.toggle)

        self.filter_bar = FilterBar(self)
        self.filter_bar.hide()
        self.filter_bar.resultReady.connect(self._on_filter_result)
        self.filter_bar.cleared.connect(self._on_filter_cleared)
        self.stack = QStackedWidget(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(bar)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.stack, 1)

    # ------------------------------------------------------------------ API

    def show_body(
        self,
        body: ExchangeBody,
        *,
        content_type: str,
        wire: ExchangeBody | None = None,
        arrival_time: Callable[[int], float | None] | None = None,
    ) -> None:
        """Start showing ``body`` (it may still be arriving)."""
        self.clear()
        self._body = body
        self._wire = wire
        self._content_type = content_type
        self._arrival_time = arrival_time
        self.refresh()

    def clear(self) -> None:
        if self._pretty is not None:
            self._pretty.close()
        self._pretty = None
        self._filter_result = None
        self._filter_fed = False
        self.filter_bar.close_jobs()
        self._body = None
        self._wire = None
        self._kind = None
        self._views = []
        self._current = None
        for page in self._pages.values():
            if isinstance(page, TextPage):
                page.find_bar.close_bar()
                page.view.close_source()
            self.stack.removeWidget(page)
            page.deleteLater()
        self._pages.clear()
        for button in self._buttons.values():
            button.hide()
        self.wire_button.hide()
        self.wire_button.setChecked(False)
        self.filter_bar.hide()
        self.status_label.setText("")

    def kind(self) -> BodyKind | None:
        return self._kind

    def views(self) -> list[View]:
        return list(self._views)

    def current_view(self) -> View | None:
        return self._current

    def page(self, view: View) -> QWidget | None:
        """The widget of ``view`` (None until it was first shown)."""
        return self._pages.get(view)

    def text_page(self, view: View | None = None) -> TextPage | None:
        wanted = view if view is not None else self._current
        page = self._pages.get(wanted) if wanted is not None else None
        return page if isinstance(page, TextPage) else None

    def text_view(self, view: View | None = None) -> TextView | None:
        page = self.text_page(view)
        return page.view if page is not None else None

    def set_view(self, view: View) -> None:
        if view not in self._views:
            return
        self._current = view
        self._buttons[view].setChecked(True)
        page = self._pages.get(view) or self._make_page(view)
        self.stack.setCurrentWidget(page)
        self.filter_bar.setVisible(self._kind is BodyKind.JSON and view is View.PRETTY)
        self.wire_button.setVisible(self._has_wire() and view in (View.RAW, View.HEX))
        self.wrap_button.setVisible(view in (View.PRETTY, View.RAW))
        self.refresh()
        self.viewChanged.emit(view.value)

    def _has_wire(self) -> bool:
        return self._wire is not None and self._wire.exists()

    def set_word_wrap(self, wrap: bool) -> None:
        self._wrap = wrap
        if self.wrap_button.isChecked() != wrap:
            self.wrap_button.setChecked(wrap)
        for page in self._pages.values():
            if isinstance(page, TextPage):
                page.view.set_word_wrap(wrap)

    def refresh(self) -> None:
        """Show what is new in the body (cheap: call it on every update)."""
        body = self._body
        if body is None:
            return
        if self._kind is None and not self._classify(body):
            return
        view = self._current
        if view is None:
            return
        deadline = time.perf_counter() + TICK_BUDGET_S
        if view is View.PRETTY:
            self._refresh_pretty(deadline)
        elif view is View.RAW:
            self._refresh_raw()
        else:
            page = self._pages.get(view)
            refresh = getattr(page, "refresh", None)
            if refresh is not None:
                refresh()
        if self._pretty is not None and view is View.PRETTY:
            self.status_label.setText(self._pretty.status())
        if self._kind is BodyKind.JSON:
            self._feed_filter()
            self.filter_bar.refresh()

    def settled(self) -> bool:
        """The body is complete and the view on show has caught up with all of it."""
        body = self._body
        if body is None:
            return True
        if not body.complete() or self._kind is None:
            return False
        if (
            self._current is View.PRETTY
            and self._pretty is not None
            and self._filter_result is None
            and not self._pretty.settled()
        ):
            return False
        view = self.text_view()
        return view is None or view.caught_up()

    def text(self) -> str:
        """The text of the text view on show, all of it (tests; small bodies)."""
        view = self.text_view()
        return "" if view is None else view.all_text()

    # ------------------------------------------------------------ internals

    def _classify(self, body: ExchangeBody) -> bool:
        """Decide the kind once enough of the body is here; False: not yet."""
        size = body.size()
        declared_type, declared_charset = media_type(self._content_type)
        decisive = declared_type not in UNDECIDED_TYPES
        if not body.complete() and size < SNIFF_BYTES and not (decisive and size > 0):
            return False
        head = body.read(0, SNIFF_BYTES)
        self._kind = classify(self._content_type, head)
        self._encoding = detect_charset(head, declared_charset or None).name
        self._views = views_for(self._kind)
        for view in self._views:
            self._buttons[view].show()
        self.set_view(self._views[0])
        return True

    def _make_page(self, view: View) -> QWidget:
        body = self._body
        assert body is not None
        page: QWidget
        if view in (View.PRETTY, View.RAW):
            text_page = TextPage(self)
            text_page.view.set_word_wrap(self._wrap)
            text_page.view.copyLimited.connect(self.copyWholeRequested)
            page = text_page
        elif view is View.TREE:
            tree = JsonTreeView(self)
            tree.copyRangeRequested.connect(self.copyRangeRequested)
            tree.set_source(body)
            page = tree
        elif view is View.HEX:
            hex_view = HexView(self)
            hex_view.set_source(body)
            page = hex_view
        elif view is View.IMAGE:
            image = ImageView(self)
            image.set_source(body)
            page = image
        elif view is View.PREVIEW:
            preview = HtmlPreview(self)
            preview.set_source(body, content_type=self._content_type)
            page = preview
        else:  # EVENTS (SSE) or ROWS (NDJSON)
            table = EventTable(self)
            table.set_source(body, "sse" if view is View.EVENTS else "ndjson", self._arrival_time)
            page = table
        self._pages[view] = page
        self.stack.addWidget(page)
        return page

    def _refresh_pretty(self, deadline: float) -> None:
        page = self.text_page(View.PRETTY)
        body = self._body
        assert page is not None
        assert body is not None
        assert self._kind is not None
        language = LANGUAGES.get(self._kind)
        if self._filter_result is not None:
            pass  # a filter's result is on show; the pretty text waits behind it
        elif self._kind in (BodyKind.JSON, BodyKind.XML):
            if self._pretty is None:
                self._pretty = PrettyText(body, "json" if self._kind is BodyKind.JSON else "xml")
                page.view.set_source(self._pretty.source, encoding="utf-8", language=language)
            if self._pretty.pump(max(deadline - time.perf_counter(), 0.0)):
                encoding = "utf-8" if self._pretty.formatted else self._encoding
                self._show_keeping_place(page.view, self._pretty.source, encoding, language)
        elif page.view.source is not body:
            page.view.set_source(body, encoding=self._encoding, language=language)
        page.view.refresh()

    def _show_keeping_place(
        self, view: TextView, source: ByteSource, encoding: str, language: str | None
    ) -> None:
        """Swap the view's source for one with the same text further on (the pretty text
        formatted here -> the worker's), keeping the reader where they were."""
        top = view.top_offset()
        view.set_source(source, encoding=encoding, language=language)
        if top:
            view.refresh()
            view.scroll_to_offset(top)

    def _refresh_raw(self) -> None:
        page = self.text_page(View.RAW)
        body = self._body
        assert page is not None
        assert body is not None
        if page.view.source is not body:
            page.view.set_source(body, encoding=self._encoding)
        page.view.refresh()

    def _feed_filter(self) -> None:
        """The filter runs on the whole body: hand it over once every byte is in the file."""
        body = self._body
        if self._filter_fed or body is None or not body.complete():
            return
        fd = body.file_descriptor()
        if fd >= 0 and body.written() < body.size():
            return  # the writer thread is still putting the last blocks into the file
        self._filter_fed = True
        self.filter_bar.set_source(body, fd if fd >= 0 else None)

    def _on_filter_result(self, source: ByteSource) -> None:
        self._filter_result = source
        page = self.text_page(View.PRETTY)
        if page is not None:
            page.view.set_source(source, encoding="utf-8", language="json")

    def _on_filter_cleared(self) -> None:
        if self._filter_result is None:
            return
        self._filter_result = None
        page = self.text_page(View.PRETTY)
        if page is not None and self._pretty is not None:
            page.view.set_source(self._pretty.source, encoding="utf-8", language="json")
        self.refresh()

    def _on_wire_toggled(self, on: bool) -> None:
        """Hex shows the bytes as received, or decoded; compressed bytes are binary, so
        "As received" from Raw goes to Hex (never text garbage)."""
        body = self._body
        if body is None:
            return
        if on and self._current is View.RAW:
            self.set_view(View.HEX)
        page = self._pages.get(View.HEX)
        if isinstance(page, HexView):
            page.set_source(self._wire if on and self._wire is not None else body)
            page.refresh()
