"""One request tab: its draft, its editor and response, its own exchange.

A tab holds what it shows (the collection and stored request, or an untitled
request), the edited copy in its editor, and the last exchange it sent, so two
tabs keep their own responses, and several can send at once.  A *preview* tab
(a single click in the sidebar) is replaced by the next click until an edit, a
send, a move or a double-click pins it.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import QByteArray, QSize, Qt, Signal
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from app.core.model import Collection, Request
from app.net.exchange import Exchange
from app.ui.request_editor import RequestEditor
from app.ui.response_view import ResponseView

UNTITLED = "Untitled request"
MODIFIED_MARK = "• "
#: with the sidebar's 140 px these fit a 800-px-wide screen (and leave room at 1,024 px)
EDITOR_MIN_WIDTH = 300
RESPONSE_MIN_WIDTH = 260
#: stacked (a narrow tab), the editor and the response keep at least these heights
EDITOR_MIN_HEIGHT = 220
RESPONSE_MIN_HEIGHT = 180
#: a tab narrower than this shows the response below the editor, not beside it
SIDE_BY_SIDE_FROM = 760


def new_key() -> str:
    """A tab's stable name (its draft file's), unique enough for one data folder."""
    return uuid.uuid4().hex[:16]


class RequestTab(QWidget):
    #: the title, tooltip or preview state changed (the bar repaints)
    titleChanged = Signal()

    def __init__(
        self,
        collection: Collection | None,
        request: Request | None,
        parent: QWidget | None = None,
        *,
        key: str | None = None,
        preview: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("requestTab")
        self.key = key or new_key()
        self.collection = collection
        #: the stored request (or this tab's own untitled one)
        self.request = request if request is not None else Request(name=UNTITLED)
        self.preview = preview
        self.exchange: Exchange | None = None
        self._pending_split: QByteArray | None = None
        self.editor = RequestEditor(self)
        self.response = ResponseView(self)
        # explicit minimums: what the panes' contents ask for (a long URL, a wide form)
        # never widens the window; below their own hint the contents are clipped
        self.editor.setMinimumSize(EDITOR_MIN_WIDTH, EDITOR_MIN_HEIGHT)
        self.response.setMinimumSize(RESPONSE_MIN_WIDTH, RESPONSE_MIN_HEIGHT)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("tabSplitter")
        self.splitter.addWidget(self.editor)
        self.splitter.addWidget(self.response)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self.editor.load_model(self.request)
        self.editor.modifiedChanged.connect(self._on_modified)
        self.response.clear()

    # ------------------------------------------------------------ state

    @property
    def untitled(self) -> bool:
        return self.collection is None

    def is_modified(self) -> bool:
        return self.editor.is_modified()

    def is_blank(self) -> bool:
        """An untitled tab nobody has used yet (opening a request may take its place)."""
        return self.untitled and not self.is_modified() and self.exchange is None

    def pin(self) -> None:
        if self.preview:
            self.preview = False
            self.titleChanged.emit()

    def show_stored(self, collection: Collection, request: Request) -> None:
        """This tab now shows ``request`` (a preview replaced, an untitled one saved)."""
        self.collection = collection
        self.request = request
        self.editor.load_model(request)
        self.titleChanged.emit()

    def load_draft(self, draft: Request) -> None:
        """Show ``draft`` (restored after a restart) as unsaved edits of this tab's request."""
        self.editor.load_edited(self.request, draft)
        if self.editor.is_modified():
            self.preview = False
        self.titleChanged.emit()

    # ------------------------------------------------------------ layout

    def restore_split(self, state: QByteArray) -> None:
        """Take the split the user dragged (in another tab, or the last run); a tab not
        laid out yet takes it when it gets its size (sizes are in pixels)."""
        if self.isVisible():
            self.splitter.restoreState(state)
            self._fit_orientation()
        else:
            self._pending_split = state

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._take_pending_split()
        self._fit_orientation()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._take_pending_split()
        self._fit_orientation()

    def _take_pending_split(self) -> None:
        if self._pending_split is not None and self.isVisible():
            self.splitter.restoreState(self._pending_split)
            self._pending_split = None

    def minimumSizeHint(self) -> QSize:
        """What the tab needs stacked (the response below the editor), whatever its
        orientation now: a tab in the background still laid out side by side would
        otherwise hold the tab widget, and the window, at both panes' widths."""
        stacked = max(EDITOR_MIN_WIDTH, RESPONSE_MIN_WIDTH)
        return QSize(stacked, EDITOR_MIN_HEIGHT + RESPONSE_MIN_HEIGHT)

    def _fit_orientation(self) -> None:
        """Beside when there is room, else the response below the editor."""
        wanted = (
            Qt.Orientation.Horizontal
            if self.width() >= SIDE_BY_SIDE_FROM
            else Qt.Orientation.Vertical
        )
        if self.splitter.orientation() != wanted:
            self.splitter.setOrientation(wanted)
            self.splitter.setSizes([1, 1])

    # ------------------------------------------------------------ titles

    def name(self) -> str:
        return self.request.name

    def title(self) -> str:
        return (MODIFIED_MARK if self.is_modified() else "") + self.name()

    def tooltip(self) -> str:
        """Where the request lives and what it sends, in full."""
        edited = self.editor.to_model()
        if self.collection is None:
            where = "Untitled (not saved)"
        else:
            chain = self.collection.folder_chain(self.request) or ()
            where = " / ".join([self.collection.name, *(f.name for f in chain), self.name()])
        lines = [where, f"{edited.method} {self.editor.url.text()}".strip()]
        if self.is_modified():
            lines.append("Unsaved changes")
        if self.preview:
            lines.append("Preview: the next request you open replaces it")
        return "\n".join(lines)

    def _on_modified(self, modified: bool) -> None:
        if modified:
            self.preview = False
        self.titleChanged.emit()
