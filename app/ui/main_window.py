"""Courier's main window: the sidebar beside request tabs, each with its editor and response.

The window wires widgets to the services it is given (``Workspace`` for files,
``SendService`` for sending); it does no I/O itself, and nothing that blocks:
collections open, the keychain is read, the demo server starts and bodies are
saved in workers while the window stays responsive.  Each open request lives in
a tab (``RequestTab``) with its own draft and its own exchange, so several tabs
send at once and each keeps its response.  Menus and shortcuts come from one
``CommandRegistry`` (``window.commands``).  The open tabs and their unsaved
drafts are kept in Courier's data folder (``app.core.drafts``) and come back
after a restart.  Every failure ends up as a message in a response pane or a
dialog, never as a traceback.
"""

from __future__ import annotations

import asyncio
import functools
import mimetypes
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QByteArray, QMimeData, QModelIndex, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QTabWidget,
    QToolBar,
    QWidget,
)

from app import __version__
from app.core import drafts
from app.core.download_names import downloads_folder, name_from_url, safe_name, suggested_name
from app.core.errors import CourierError, FileChangedOnDisk
from app.core.importers import CurlImport, MalformedImport, parse_curl
from app.core.inherit import effective_auth, inherited_headers, lookup_variable
from app.core.model import Collection, Folder, LoadProblem, Request
from app.core.units import human_size
from app.net.exchange import Exchange
from app.services.downloads import Download, DownloadService
from app.services.history import HistoryService
from app.services.sends import SendService
from app.services.workspace import Workspace
from app.ui import dialogs, file_conflict, window_commands
from app.ui.auth_editor import KIND_LABELS
from app.ui.collection_actions import CollectionActions
from app.ui.collection_import import CollectionImport
from app.ui.collection_tree import CollectionTreeModel, Node
from app.ui.commands import CommandRegistry
from app.ui.curl_paste import CurlPaste, curl_command, httpx_code, requests_of
from app.ui.downloads import DownloadsPanel, prompts
from app.ui.downloads.prompts import ExistingFile
from app.ui.elided import ElidedStatusBar
from app.ui.environment_box import EnvironmentBox
from app.ui.file_conflict import ConflictChoice
from app.ui.foreign_collection import ForeignCollections
from app.ui.outside_changes import OutsideChanges
from app.ui.request_editor import RequestEditor
from app.ui.response_view import ResponseView
from app.ui.settings_dialog import SettingsDialog
from app.ui.sidebar import Sidebar
from app.ui.tabs import UNTITLED, RequestTab, RequestTabBar
from app.ui.tabs.history_tab import HistoryTab
from app.ui.tabs.session import find_stored, session_state, write_session
from app.ui.viewer.body_viewer import TextPage
from app.ui.workbench import Workbench

#: "Copy" shows its progress for bodies larger than this
COPY_PROGRESS_FROM = 16 * 1024 * 1024
SCRATCH_NAME = UNTITLED
#: the Downloads panel's height when it opens by itself (about three rows)
DOCK_HEIGHT = 300
#: the window's size on a first start (never more than the screen's available room)
START_SIZE = (1380, 860)
#: the sidebar's and the tabs' share of the window on a first start
START_SPLIT = (260, 1120)
#: drafts are written this long after the last keystroke
DRAFT_DELAY_MS = 800

_T = TypeVar("_T")


class MainWindow(QMainWindow):
    #: emitted when a request finished or failed (tests and --screenshot wait on it)
    responseShown = Signal()
    #: the command palette was asked for: "commands" or "requests"
    paletteRequested = Signal(str)
    #: Help ▸ Keyboard shortcuts was asked for
    shortcutsRequested = Signal()
    #: the active tab changed (a tab was switched to, opened or closed)
    activeTabChanged = Signal()

    def __init__(
        self,
        workspace: Workspace,
        sends: SendService,
        downloads: DownloadService | None = None,
        parent: QWidget | None = None,
        history: HistoryService | None = None,
    ) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.sends = sends
        self.downloads = downloads or DownloadService(workspace.session, parent=self)
        self._background: set[asyncio.Future[Any]] = set()
        self.setObjectName("mainWindow")
        self.setStatusBar(ElidedStatusBar(self))
        self._fit_to_screen(*START_SIZE)

        self.tree_model = CollectionTreeModel(self)
        self.sidebar = Sidebar(self.tree_model, self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("requestTabs")
        self.tab_bar = RequestTabBar(self.tabs)
        self.tab_bar.is_preview = self._is_preview_at
        self.tabs.setTabBar(self.tab_bar)
        self.tabs.setDocumentMode(True)
        self.tabs.setMovable(True)
        self.tabs.setTabsClosable(True)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes(list(START_SPLIT))
        self.splitter.setChildrenCollapsible(False)
        self.sidebar.setMinimumWidth(140)
        self.setCentralWidget(self.splitter)
        #: the editor | response split every tab shares (as the user last dragged it)
        self._tab_split: QByteArray | None = None
        self.downloads_panel = DownloadsPanel(self.downloads, self)
        self.downloads_dock = QDockWidget("Downloads", self)
        self.downloads_dock.setObjectName("downloadsDock")
        self.downloads_dock.setWidget(self.downloads_panel)
        self.downloads_dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
        )
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.downloads_dock)
        self.downloads_dock.hide()

        self.demo_label = QLabel("", self)
        self.demo_label.setObjectName("demoLabel")
        self.statusBar().addPermanentWidget(self.demo_label)
        self.secrets_label = QLabel("", self)
        self.secrets_label.setObjectName("secretsLabel")
        self.statusBar().addPermanentWidget(self.secrets_label)
        #: shown while something runs in the background (opening a collection...)
        self.busy_indicator = QProgressBar(self)
        self.busy_indicator.setObjectName("busyIndicator")
        self.busy_indicator.setRange(0, 0)
        self.busy_indicator.setMaximumWidth(120)
        self.busy_indicator.setMaximumHeight(12)
        self.busy_indicator.setTextVisible(False)
        self.busy_indicator.hide()
        self.statusBar().addPermanentWidget(self.busy_indicator)
        self._busy: dict[str, str] = {}
        if workspace.session.secrets_opened:
            self._on_secrets_ready(workspace.secrets.persistent, workspace.secrets.reason)

        #: the tab that asked for an OAuth 2.0 token (the answer goes to its editor)
        self._token_tab: RequestTab | None = None
        #: tabs whose draft changed since it was last written
        self._dirty_drafts: set[str] = set()
        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self.save_session_soon)
        self._session_lock: asyncio.Lock | None = None
        self._closing = False
        #: the last run's tabs are back (until then nothing is written over them)
        self._tabs_restored = False

        self.collection_actions = CollectionActions(self)
        #: File ▸ Import ▸ Postman collection… (parse and write in a worker)
        self.collection_import = CollectionImport(self)
        self.foreign = ForeignCollections(self)
        #: open collections watched for changes made outside Courier
        self.outside = OutsideChanges(self)
        self.commands = CommandRegistry(self)
        self.view_menu: QMenu  # made by ``window_commands.build_menus``
        self.recent_menu = QMenu("Open recent", self)
        self.recent_menu.aboutToShow.connect(self.fill_recent_menu)
        window_commands.register_commands(self)
        #: history, palette, shortcuts page, theme (``app.ui.workbench``)
        self.workbench = Workbench(self, history)
        window_commands.build_menus(self)
        self.workbench.add_menus(self.view_menu)
        self._build_toolbar()
        self._connect()
        self._restore_geometry()
        self.new_tab()

    # ------------------------------------------------------------ the tabs

    def current_tab(self) -> RequestTab:
        """The active tab (there is always one: closing the last opens an untitled one)."""
        tab = self.tabs.currentWidget()
        assert isinstance(tab, RequestTab)
        return tab

    def request_tabs(self) -> list[RequestTab]:
        return [
            t
            for t in (self.tabs.widget(i) for i in range(self.tabs.count()))
            if isinstance(t, RequestTab)
        ]

    @property
    def editor(self) -> RequestEditor:
        """The active tab's request editor."""
        return self.current_tab().editor

    @property
    def response(self) -> ResponseView:
        """The active tab's response pane."""
        return self.current_tab().response

    @property
    def current_request(self) -> Request:
        """What the active tab shows: its stored request, or its untitled one."""
        return self.current_tab().request

    @property
    def current_collection(self) -> Collection | None:
        return self.current_tab().collection

    def tab_of(self, request: Request) -> RequestTab | None:
        """The tab showing ``request``, if one does."""
        return next((t for t in self.request_tabs() if t.request is request), None)

    def _is_preview_at(self, index: int) -> bool:
        tab = self.tabs.widget(index)
        return isinstance(tab, RequestTab) and tab.preview

    def new_tab(
        self,
        collection: Collection | None = None,
        request: Request | None = None,
        *,
        preview: bool = False,
        key: str | None = None,
        select: bool = True,
    ) -> RequestTab:
        """Open a tab (an untitled request without ``request``), after the active one."""
        tab = RequestTab(collection, request, self.tabs, key=key, preview=preview)
        return self.add_tab(tab, select=select)

    def add_tab(self, tab: RequestTab, *, select: bool = True) -> RequestTab:
        """Put ``tab`` (a request tab, or a history entry's) after the active one."""
        tab.editor.sendRequested.connect(functools.partial(self._send_tab, tab))
        tab.editor.stopRequested.connect(functools.partial(self._stop_tab, tab))
        tab.editor.modifiedChanged.connect(functools.partial(self._on_tab_modified, tab))
        tab.editor.auth_editor.tokenRequested.connect(functools.partial(self.get_new_token, tab))
        tab.titleChanged.connect(functools.partial(self._on_tab_title_changed, tab))
        tab.editor.url.editingFinished.connect(functools.partial(self._update_tab_label, tab))
        tab.response.saveBodyRequested.connect(self.save_body)
        tab.response.copyBodyRequested.connect(self.copy_body)
        tab.response.viewer.copyRangeRequested.connect(self.copy_body_range)
        tab.response.viewer.copyWholeRequested.connect(self._offer_whole_copy)
        tab.response.downloadRequested.connect(self.send_and_download)
        tab.splitter.splitterMoved.connect(functools.partial(self._on_tab_split_moved, tab))
        paste = CurlPaste(tab.editor.url, self._curl_base_dir)
        paste.imported.connect(functools.partial(self._on_curl_pasted, tab))
        paste.failed.connect(lambda message: self.statusBar().showMessage(message, 15000))
        if self._tab_split is not None:
            tab.restore_split(self._tab_split)
        tab.editor.set_variable_lookup(self._lookup_for(tab))
        self._show_inherited_in(tab)
        index = self.tabs.currentIndex() + 1 if self.tabs.count() else 0
        self.tabs.insertTab(index, tab, tab.title())
        self._update_tab_label(tab)
        if select:
            self.tabs.setCurrentIndex(index)
        self._session_changed()
        return tab

    def open_request(
        self, collection: Collection, request: Request, *, preview: bool = True
    ) -> RequestTab:
        """Show ``request`` (a click in the sidebar): its tab if one is open, else the
        preview tab replaced, else a new tab.  ``preview=False`` pins it."""
        tab = self.tab_of(request)
        if tab is None:
            current = self.current_tab()
            if current.is_blank() or (current.preview and not current.is_modified()):
                self._release(current)
                current.show_stored(collection, request)
                current.preview = preview
                self._show_inherited_in(current)
                tab = current
                self._on_tab_title_changed(tab)
            else:
                tab = self.new_tab(collection, request, preview=preview)
        elif not preview:
            tab.pin()
        self.tabs.setCurrentWidget(tab)
        self._on_current_changed()
        return tab

    def pin_request(self, collection: Collection, request: Request) -> RequestTab:
        """Double-click in the sidebar: open it in a tab of its own that stays."""
        return self.open_request(collection, request, preview=False)

    def show_request(self, collection: Collection | None, request: Request) -> None:
        """Show a request in a pinned tab (no collection: an untitled tab showing it)."""
        if collection is None:
            self.new_tab(None, request)
        else:
            self.pin_request(collection, request)

    def show_scratch(self) -> None:
        """The active request went away (deleted, its collection reloaded or closed):
        tabs follow what is still there; there is always a tab."""
        self.prune_tabs()
        if not self.tabs.count():
            self.new_tab()

    def new_scratch_request(self) -> None:
        """Ctrl+T / Ctrl+N: a new untitled tab, the URL bar focused."""
        self.new_tab()
        self.editor.focus_url()

    def may_leave_current(self) -> bool:
        """Another request never replaces unsaved edits (it opens in its own tab), so
        leaving the active one needs no question: always True."""
        return True

    def close_tab(self, index: int | None = None, *, ask: bool = True) -> bool:
        """Close a tab (the active one by default), asking Save / Discard / Cancel
        about unsaved edits.  False when the user cancelled."""
        tab = self.current_tab() if index is None else self.tabs.widget(index)
        if not isinstance(tab, RequestTab):
            return False
        if ask and tab.is_modified():
            self.tabs.setCurrentWidget(tab)
            answer = self.ask_unsaved(tab.name())
            if answer == "cancel":
                self.sync_sidebar_selection()
                return False
            if answer == "save" and not self.save_current():
                return False
        self._discard_tab(tab)
        return True

    def _discard_tab(self, tab: RequestTab) -> None:
        self._release(tab)
        self.outside.left(tab.collection, tab.request)
        if tab.collection is not None:
            self.tree_model.set_modified(tab.request, False)
        drafts.remove_draft(tab.key)
        self._dirty_drafts.discard(tab.key)
        self.tabs.removeTab(self.tabs.indexOf(tab))
        tab.deleteLater()
        if not self.tabs.count() and not self._closing:
            self.new_tab()
        self._on_current_changed()
        self._session_changed()

    def _release(self, tab: RequestTab) -> None:
        """The tab lets go of its exchange (stopped if it runs; the body is released)."""
        if tab.exchange is not None and self.sends.is_running(tab.exchange):
            self.sends.stop(tab.exchange)
        tab.exchange = None
        tab.response.clear()
        tab.editor.set_running(False)

    def next_tab(self) -> None:
        if self.tabs.count() > 1:
            self.tabs.setCurrentIndex((self.tabs.currentIndex() + 1) % self.tabs.count())

    def previous_tab(self) -> None:
        if self.tabs.count() > 1:
            self.tabs.setCurrentIndex((self.tabs.currentIndex() - 1) % self.tabs.count())

    def prune_tabs(self, how: str = "deleted") -> None:
        """Tabs whose request is gone (deleted here or outside Courier) close, with a
        notice; one with unsaved edits of a file removed outside stays (saving
        re-creates the file)."""
        gone: list[str] = []
        for tab in self.request_tabs():
            collection = tab.collection
            if collection is None or collection.folder_chain(tab.request) is not None:
                continue
            if tab.is_modified() and self.outside.file_removed(tab.request):
                continue
            gone.append(tab.name())
            self._discard_tab(tab)
        if gone:
            names = ", ".join(f"“{n}”" for n in gone)
            self.statusBar().showMessage(f"{names} {how}: its tab closed.", 10000)

    def _on_collection_closed(self, collection: Collection) -> None:
        """Tabs of a closed collection close; unsaved edits stay, as untitled drafts."""
        for tab in self.request_tabs():
            if tab.collection is not collection:
                continue
            if tab.is_modified():
                self._detach(tab)
            else:
                self._discard_tab(tab)

    def _detach(self, tab: RequestTab) -> None:
        """Keep a tab's edits as an untitled request (its collection went away)."""
        edited = tab.editor.to_model()
        edited.path = None
        tab.collection = None
        tab.request = Request(name=tab.request.name)
        tab.editor.load_edited(tab.request, edited)
        self._show_inherited_in(tab)
        self._on_tab_title_changed(tab)

    def _on_collection_reloaded_tabs(self, old: Collection, fresh: Collection) -> None:
        """Tabs of a reloaded collection follow its new objects (found by file)."""
        by_path = {r.path: r for _chain, r in fresh.iter_requests() if r.path is not None}
        self.rebind_tabs(old, fresh, lambda r: by_path.get(r.path) if r.path is not None else None)

    def rebind_tabs(
        self, old: Collection, fresh: Collection, find: Callable[[Request], Request | None]
    ) -> None:
        """Tabs of ``old`` follow ``fresh`` (``find``: a request's counterpart in it),
        unsaved edits kept; a tab whose request has none closes (an edit is detached)."""
        for tab in self.request_tabs():
            if tab.collection is not old:
                continue
            request = find(tab.request)
            if request is None:
                if tab.is_modified():
                    self._detach(tab)
                else:
                    self._discard_tab(tab)
                continue
            edited = tab.editor.to_model() if tab.is_modified() else None
            tab.collection, tab.request = fresh, request
            if edited is None:
                tab.editor.load_model(request)
            else:
                tab.editor.load_edited(request, edited)
            self._show_inherited_in(tab)
            self._on_tab_title_changed(tab)
        self._on_current_changed()

    def _on_tree_changed(self, *_args: object) -> None:
        """After the change is done (an outside change tells its own story first)."""
        QTimer.singleShot(0, self, self._after_tree_changed)

    def _after_tree_changed(self) -> None:
        self.prune_tabs()
        self._refresh_tab_titles()

    def _on_request_changed(self, request: Request) -> None:
        """A request was renamed or saved: its tab's title follows."""
        tab = self.tab_of(request)
        if tab is not None:
            self._on_tab_title_changed(tab)

    def _on_tab_modified(self, tab: RequestTab, modified: bool) -> None:
        if tab.collection is not None:
            self.tree_model.set_modified(tab.request, modified)
        if tab is self.tabs.currentWidget():
            self.setWindowModified(modified)
        self._dirty_drafts.add(tab.key)
        self._session_changed()

    def _on_tab_title_changed(self, tab: RequestTab) -> None:
        self._update_tab_label(tab)
        if tab is self.tabs.currentWidget():
            self.update_title()
        self._session_changed()

    def _update_tab_label(self, tab: RequestTab) -> None:
        index = self.tabs.indexOf(tab)
        if index < 0:
            return
        self.tabs.setTabText(index, tab.title())
        self.tabs.setTabToolTip(index, tab.tooltip())
        self.tab_bar.update()

    def _refresh_tab_titles(self) -> None:
        for tab in self.request_tabs():
            self._update_tab_label(tab)
        self.update_title()

    def _on_current_changed(self, _index: int = -1) -> None:
        if not self.tabs.count():
            return
        self.fill_environments()
        self.show_inherited()
        self.update_title()
        self.sync_sidebar_selection()
        self._session_changed()
        self.activeTabChanged.emit()

    def sync_sidebar_selection(self) -> None:
        """The sidebar selects the active tab's request (nothing for an untitled tab)."""
        if not self.tabs.count():
            return
        tab = self.current_tab()
        if tab.collection is not None and self.tree_model.index_of(tab.request).isValid():
            self.sidebar.select(tab.request)
        else:
            self.sidebar.tree.selectionModel().clearSelection()
            self.sidebar.tree.setCurrentIndex(QModelIndex())

    def _on_tab_moved(self, _from: int, to: int) -> None:
        tab = self.tabs.widget(to)
        if isinstance(tab, RequestTab):
            tab.pin()
        self._session_changed()

    def _on_tab_split_moved(self, tab: RequestTab, _pos: int, _index: int) -> None:
        """The user dragged a tab's editor | response split: every tab takes it."""
        self._tab_split = tab.splitter.saveState()
        for other in self.request_tabs():
            if other is not tab:
                other.restore_split(self._tab_split)

    def _on_request_opened(self, collection: Collection, request: Request, pinned: bool) -> None:
        self.open_request(collection, request, preview=not pinned)

    def _on_node_action(self, action: str, node: Node) -> None:
        """The sidebar's context menu; a duplicated request opens in its own tab, and the
        selection follows the active tab after the actions that change requests."""
        obj = node.obj
        if action == "duplicate" and isinstance(obj, Request) and not node.collection().foreign:
            try:
                copy = self.workspace.duplicate(node.collection(), obj)
            except CourierError as exc:
                self.show_error(exc.title, exc.message)
                return
            if isinstance(copy, Request):
                self.pin_request(node.collection(), copy)
            return
        self.collection_actions.on_node_action(action, node)
        gone = not self.tree_model.index_of(obj).isValid()
        if action in ("new-request", "close", "reload") or (action == "delete" and gone):
            # a cancelled deletion leaves the selection on the row the user chose
            self.prune_tabs()
            self.sync_sidebar_selection()

    # ---------------------------------------------------- tabs on disk

    def _session_changed(self) -> None:
        if self._tabs_restored and not self._closing:
            self._draft_timer.start()

    def session_state(self) -> drafts.OpenTabs:
        """The open tabs as they are now (drafts named by the tabs with unsaved edits)."""
        current = self.tabs.currentWidget()
        return session_state(
            self.request_tabs(), current if isinstance(current, RequestTab) else None
        )

    def _session_writes(self) -> tuple[drafts.OpenTabs, list[tuple[str, Request]]]:
        state = self.session_state()
        with_draft = {r.key for r in state.tabs if r.has_draft}
        writes = [
            (tab.key, tab.editor.to_model())
            for tab in self.request_tabs()
            if tab.key in with_draft and tab.key in self._dirty_drafts
        ]
        self._dirty_drafts.clear()
        return state, writes

    def save_session(self) -> None:
        """Write the open tabs and the changed drafts now (at quit; tests)."""
        state, writes = self._session_writes()
        write_session(state, writes)

    def save_session_soon(self) -> None:
        """Write the open tabs and changed drafts in a worker (after edits settle)."""
        state, writes = self._session_writes()
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            try:
                loop = asyncio.get_event_loop()
            except RuntimeError:
                loop = None
            if loop is None or not loop.is_running():
                write_session(state, writes)
                return
        self.run_in_background(self._write_session_async(state, writes))

    async def _write_session_async(
        self, state: drafts.OpenTabs, writes: list[tuple[str, Request]]
    ) -> None:
        if self._session_lock is None:
            self._session_lock = asyncio.Lock()
        async with self._session_lock:
            try:
                await asyncio.to_thread(write_session, state, writes)
            except OSError as exc:
                self.statusBar().showMessage(f"Could not keep the open tabs: {exc}", 10000)

    async def restore_tabs(self) -> None:
        """Open the tabs of the last run, their drafts shown as unsaved edits."""
        state = await asyncio.to_thread(drafts.load_open_tabs)
        loaded = await asyncio.to_thread(
            lambda: {r.key: drafts.load_draft(r.key) for r in state.tabs if r.has_draft}
        )
        opened: list[RequestTab] = []
        blank = (
            self.current_tab() if self.tabs.count() == 1 and self.current_tab().is_blank() else None
        )
        for record in state.tabs:
            draft = loaded.get(record.key)
            collection, request = find_stored(self.workspace, record)
            if request is None and draft is None:
                continue
            if request is not None and self.tab_of(request) is not None:
                continue
            tab = self.new_tab(collection, request, key=record.key, preview=not record.pinned)
            if draft is not None:
                tab.load_draft(draft)
                self._dirty_drafts.discard(tab.key)
            opened.append(tab)
        if opened and blank is not None:
            self._discard_tab(blank)
        if opened:
            self.tabs.setCurrentWidget(opened[min(state.selected, len(opened) - 1)])
        self._tabs_restored = True
        self._on_current_changed()

    def show_palette(self, mode: str) -> None:
        """Ask for the command palette ("commands") or the request finder ("requests");
        the palette widget listens to ``paletteRequested``."""
        self.paletteRequested.emit(mode)

    def show_shortcuts(self) -> None:
        """Ask for the keyboard shortcuts page (it listens to ``shortcutsRequested``)."""
        self.shortcutsRequested.emit()

    def toggle_downloads(self) -> None:
        dock = self.downloads_dock
        dock.setVisible(not dock.isVisible())
        if dock.isVisible():
            dock.raise_()

    def find_in_response(self) -> None:
        """Ctrl+F: the find bar of the active tab's body view (a text view)."""
        viewer = self.response.viewer
        view = viewer.current_view()
        page = viewer.page(view) if view is not None else None
        if isinstance(page, TextPage):
            self.response.tabs.setCurrentIndex(0)
            page.find_bar.open()
        else:
            self.statusBar().showMessage("Find works in the Pretty, Raw and Hex views.", 4000)

    def _build_toolbar(self) -> None:
        bar = QToolBar("Environment", self)
        bar.setObjectName("mainToolbar")
        bar.setMovable(False)
        label = QLabel("  Environment ", bar)
        label.setObjectName("hint")
        self.environment_box = EnvironmentBox(bar)
        self.environment_box.setObjectName("environmentBox")
        self.environment_box.setMinimumWidth(180)
        self.environment_box.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.environment_box.setMinimumContentsLength(16)
        self.environment_box.setToolTip(
            "Variables of the active environment override the collection's"
        )
        self.environment_box.activated.connect(self._on_environment_chosen)
        bar.addWidget(label)
        bar.addWidget(self.environment_box)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)

    def fill_environments(self) -> None:
        box = self.environment_box
        box.blockSignals(True)
        box.clear()
        collection = self.current_collection
        if collection is None:
            box.addItem("No collection", None)
            box.setEnabled(False)
        else:
            box.setEnabled(True)
            box.addItem("No environment", "")
            for environment in collection.environments:
                box.addItem(environment.name, environment.name)
            active = self.workspace.active_environment(collection)
            box.setCurrentIndex(box.findData(active.name) if active is not None else 0)
        box.blockSignals(False)

    def _on_environment_changed(self, _collection: Collection) -> None:
        self.fill_environments()
        for tab in self.request_tabs():
            tab.editor.set_variable_lookup(self._lookup_for(tab))

    def _on_environment_chosen(self, index: int) -> None:
        if self.current_collection is not None:
            name = self.environment_box.itemData(index)
            self.workspace.set_active_environment(self.current_collection, name or None)
            self.statusBar().showMessage(f"Environment: {name}" if name else "No environment", 3000)

    def lookup_variable(self, name: str, tab: RequestTab | None = None) -> tuple[str | None, bool]:
        """What ``{{name}}`` resolves to for a tab's request, the active one by default
        (value, is it secret)."""
        tab = tab or self.current_tab()
        collection = tab.collection
        chain = (collection.folder_chain(tab.request) or ()) if collection else ()
        builtins = dict(self.workspace.builtins())
        builtins.setdefault("$demo", "the built-in demo server (starts when needed)")
        environment = self.workspace.active_environment(collection)
        return lookup_variable(name, collection, chain, environment, builtins)

    def _lookup_for(self, tab: RequestTab) -> Callable[[str], tuple[str | None, bool]]:
        return lambda name: self.lookup_variable(name, tab)

    def show_inherited(self) -> None:
        """Tell the editors what their requests inherit (headers, auth)."""
        for tab in self.request_tabs():
            self._show_inherited_in(tab)

    def _show_inherited_in(self, tab: RequestTab) -> None:
        collection = tab.collection
        if collection is None:
            tab.editor.set_inherited([], "An untitled request has nothing to inherit.")
            return
        chain = collection.folder_chain(tab.request) or ()
        auth, source = effective_auth(Request(name=""), chain, collection)
        label = dict((k.value, text) for k, text in KIND_LABELS)[auth.kind.value]
        where = "the collection" if source == "collection" else f"the folder “{source}”"
        tab.editor.set_inherited(
            inherited_headers(collection, chain), f"Inherits: {label}, from {where}."
        )

    def _connect(self) -> None:
        ws = self.workspace
        ws.collectionOpened.connect(self._on_collection_opened)
        ws.collectionClosed.connect(self.tree_model.remove_collection)
        ws.collectionClosed.connect(self._on_collection_closed)
        ws.collectionReloaded.connect(self._on_collection_reloaded)
        ws.collectionTreeChanged.connect(self.tree_model.sync)
        ws.folderTreeChanged.connect(self.tree_model.sync)
        ws.collectionTreeChanged.connect(self._on_tree_changed)
        ws.folderTreeChanged.connect(self._on_tree_changed)
        ws.collectionChanged.connect(self.tree_model.refresh)
        ws.folderChanged.connect(self.tree_model.refresh)
        ws.requestChanged.connect(self.tree_model.refresh)
        ws.collectionChanged.connect(self.outside.on_settings_changed)
        ws.folderChanged.connect(self.outside.on_settings_changed)
        ws.requestChanged.connect(self.outside.on_request_changed)
        ws.requestChanged.connect(self._on_request_changed)
        ws.environmentChanged.connect(self._on_environment_changed)
        ws.collectionOpening.connect(self._on_collection_opening)
        ws.collectionOpenFailed.connect(self._on_collection_open_failed)
        ws.secretsReady.connect(self._on_secrets_ready)
        ws.notice.connect(self._on_notice)
        ws.busy.connect(self._on_busy)
        ws.demo.startedAt.connect(self._on_demo_started)
        ws.demo.starting.connect(lambda: self._set_busy("demo", "Starting the demo server…"))
        ws.demo.failed.connect(self._on_demo_failed)

        # a click previews, a double-click or Enter pins (the sidebar says which)
        self.sidebar.requestOpened.connect(self._on_request_opened)
        self.sidebar.problemActivated.connect(self._show_problem)
        self.sidebar.nodeAction.connect(self._on_node_action)
        self.sidebar.newCollectionRequested.connect(self.new_collection)
        self.sidebar.openCollectionRequested.connect(self.open_collection_dialog)

        self.tabs.currentChanged.connect(self._on_current_changed)
        self.tabs.tabCloseRequested.connect(self.close_tab)
        self.tab_bar.middleClicked.connect(self.close_tab)
        self.tab_bar.doubleClicked.connect(self._pin_at)
        self.tab_bar.tabMoved.connect(self._on_tab_moved)
        self.splitter.splitterMoved.connect(lambda *_: self._session_changed())

        sends = self.sends
        sends.exchangeStarted.connect(self._on_exchange_changed)
        sends.exchangeUpdated.connect(self._on_exchange_changed)
        sends.exchangeFinished.connect(self._on_exchange_finished)
        sends.saveProgress.connect(self._on_save_progress)
        sends.saveFinished.connect(self._on_save_finished)
        sends.saveFailed.connect(self._on_save_failed)
        sends.copyProgress.connect(self._on_copy_progress)
        sends.copyReady.connect(self._on_copy_ready)
        sends.copyFailed.connect(self._on_copy_failed)
        self.downloads.downloadAdded.connect(self._on_download_added)
        self.downloads.downloadFinished.connect(self._on_download_finished)
        sends.tokenReady.connect(self._on_token_ready)
        sends.tokenFailed.connect(self._on_token_failed)

    def _pin_at(self, index: int) -> None:
        tab = self.tabs.widget(index)
        if isinstance(tab, RequestTab):
            tab.pin()

    # --------------------------------------------------- the window's shape

    def _available(self) -> QRect:
        screen = self.screen() or QGuiApplication.primaryScreen()
        return screen.availableGeometry() if screen is not None else QRect(0, 0, 1024, 768)

    def _fit_to_screen(self, width: int, height: int) -> None:
        """Never larger than the screen's available room."""
        room = self._available()
        self.resize(min(width, room.width()), min(height, room.height()))

    def resizeEvent(self, event: QResizeEvent) -> None:
        """A window wider than the screen (a layout that asked for it) is brought back."""
        super().resizeEvent(event)
        room = self._available()
        if (
            not self.isMaximized()
            and not self.isFullScreen()
            and (self.width() > room.width() or self.height() > room.height())
        ):
            QTimer.singleShot(0, self, lambda: self._fit_to_screen(self.width(), self.height()))

    def _restore_geometry(self) -> None:
        state = self.workspace.state
        if state.window_geometry:
            self.restoreGeometry(QByteArray.fromBase64(state.window_geometry.encode()))
            self._fit_to_screen(self.width(), self.height())
        if state.splitter_state:
            self.splitter.restoreState(QByteArray.fromBase64(state.splitter_state.encode()))
        if state.tab_splitter_state:
            self._tab_split = QByteArray.fromBase64(state.tab_splitter_state.encode())

    # ------------------------------------------------------- collections

    def _on_collection_opened(self, collection: Collection) -> None:
        if collection.path is not None:
            self._set_busy(f"open:{collection.path}", None)
        self._add_to_sidebar(collection)

    def _on_collection_reloaded(self, old: Collection, fresh: Collection) -> None:
        if fresh.path is not None:
            self._set_busy(f"open:{fresh.path}", None)
        self.tree_model.replace_collection(old, fresh)
        self._on_collection_reloaded_tabs(old, fresh)

    def _add_to_sidebar(self, collection: Collection) -> None:
        index = self.tree_model.add_collection(collection)
        self.sidebar.tree.expand(index)
        if collection.problems:
            count = len(collection.problems)
            noun = "file" if count == 1 else "files"
            self.statusBar().showMessage(
                f"{collection.name}: {count} {noun} could not be read; they are marked in the "
                "sidebar and left untouched.",
                15000,
            )

    def open_collection_dialog(self) -> None:
        directory = QFileDialog.getExistingDirectory(
            self, "Open a collection folder", self._start_folder()
        )
        if directory:
            self.workspace.state.last_parent_folder = str(Path(directory).parent)
            self.open_collection(Path(directory))

    def _start_folder(self) -> str:
        """Where the folder pickers open: the last folder used, else the user's home
        (never the working directory)."""
        last = self.workspace.state.last_parent_folder
        return last if last and Path(last).is_dir() else str(Path.home())

    def open_collection(self, path: Path) -> asyncio.Future[Collection | None]:
        """Open a collection in the background (files and keychain read in a worker);
        the future gives the collection, or None when it failed (the user was told)."""
        return self.run_in_background(self._open_collection(path))

    async def _open_collection(self, path: Path) -> Collection | None:
        try:
            collection = await self.workspace.open_collection_async(path)
        except CourierError as exc:
            self.show_error(exc.title, exc.message)
            return None
        self.sidebar.select(collection)
        return collection

    def run_in_background(self, coroutine: Coroutine[Any, Any, _T]) -> asyncio.Future[_T]:
        """Run ``coroutine`` on the loop, keeping a reference until it ends."""
        task = asyncio.ensure_future(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    async def restore(self) -> None:
        """Open what was open last time, without holding up the window."""
        restoring = asyncio.ensure_future(self.downloads.restore())
        errors = await self.workspace.restore_async()
        await self.restore_tabs()
        await restoring
        for error in errors:
            self.statusBar().showMessage(f"{error.title}: {error.message}", 15000)

    def _set_busy(self, key: str, text: str | None) -> None:
        """Say that something runs in the background (None: it ended)."""
        if text is None:
            self._busy.pop(key, None)
        else:
            self._busy[key] = text
        self.busy_indicator.setVisible(bool(self._busy))
        self.busy_indicator.setToolTip("\n".join(self._busy.values()))
        if text is not None:
            self.statusBar().showMessage(text)
        elif not self._busy:
            self.statusBar().clearMessage()

    def _on_busy(self, key: str, text: str) -> None:
        """A save (keychain and file, in a worker) started, or ended ("")."""
        self._set_busy(key, text or None)

    def _on_collection_opening(self, path: str) -> None:
        self._set_busy(f"open:{path}", f"Opening {Path(path).name}…")

    def _on_collection_open_failed(self, path: str, message: str) -> None:
        self._set_busy(f"open:{path}", None)

    def _on_secrets_ready(self, persistent: bool, reason: str) -> None:
        if not persistent:
            # said once, plainly, and kept visible: secrets will not survive a restart
            self.secrets_label.setText("⚠ Secrets: this session only")
            self.secrets_label.setToolTip(reason)
            self.statusBar().showMessage(reason, 30000)
        elif reason:  # there, but locked: its secrets show as locked until it is unlocked
            self.secrets_label.setText("🔒 Keychain locked")
            self.secrets_label.setToolTip(reason)
            self.statusBar().showMessage(reason, 30000)

    def _on_notice(self, text: str) -> None:
        """Something the user should know, e.g. a copied collection got its own id."""
        self.statusBar().showMessage(text, 30000)

    def new_collection(self) -> None:
        name, ok = QInputDialog.getText(self, "New collection", "Name")
        if not ok or not name.strip():
            return
        parent = self.ask_collection_parent()
        if not parent:
            return
        self.workspace.state.last_parent_folder = parent
        from app.core.storage import slugify

        try:
            collection = self.workspace.create_collection(
                Path(parent) / slugify(name), name.strip()
            )
        except CourierError as exc:
            self.show_error(exc.title, exc.message)
            return
        self.sidebar.select(collection)

    def ask_import_file(self, title: str, file_filter: str) -> str:
        """A file to import ("" when cancelled)."""
        path, _chosen = QFileDialog.getOpenFileName(self, title, self._start_folder(), file_filter)
        return path

    def ask_import_folder(self, title: str) -> str:
        """A folder to import (a Bruno or Posting collection; "" when cancelled)."""
        return QFileDialog.getExistingDirectory(self, title, self._start_folder())

    def ask_collection_parent(self) -> str:
        """The folder a new collection is created in ("" when cancelled)."""
        return QFileDialog.getExistingDirectory(
            self, "Create the collection folder in…", self._start_folder()
        )

    def fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.workspace.state.recent_collections
        if not recent:
            self.recent_menu.addAction("No recent collections").setEnabled(False)
        for path in recent:
            self.recent_menu.addAction(path, functools.partial(self.open_collection, Path(path)))

    def open_demo_collection(self, start_server: bool = True) -> asyncio.Future[None]:
        if start_server:
            self.start_demo()
        return self.run_in_background(self._open_demo_collection())

    async def _open_demo_collection(self) -> None:
        try:
            collection = await self.workspace.open_sample_async()
        except CourierError as exc:
            self.show_error(exc.title, exc.message)
            return
        self.sidebar.select(collection)

    def start_demo(self) -> None:
        """Start the demo server in a worker (the window says when it is up)."""
        self.workspace.demo.start_in_background()

    def _on_demo_started(self, url: str) -> None:
        self._set_busy("demo", None)
        self.demo_label.setText(f"Demo server: {url}")

    def _on_demo_failed(self, message: str) -> None:
        self._set_busy("demo", None)
        self.show_error("Demo server", f"The demo server could not start: {message}")

    # ------------------------------------------------------ sidebar actions

    def run_settings_dialog(self, dialog: SettingsDialog) -> bool:
        return dialog.exec() == SettingsDialog.DialogCode.Accepted

    def edit_settings(self, collection: Collection, target: Collection | Folder) -> None:
        self.collection_actions.edit_settings(collection, target)

    def _show_problem(self, collection: Collection, problem: LoadProblem) -> None:
        self.response.show_failed(
            "This file could not be read",
            f"{problem.path}\nCourier left it untouched; fix it in an editor and reload.",
            problem.reason,
        )

    # ---------------------------------------------------------- the editor

    def ask_unsaved(self, name: str) -> str:
        return dialogs.ask_unsaved(self, name)

    def ask_file_conflict(self, name: str, path: Path | None) -> ConflictChoice:
        """Keep mine / take theirs / compare, for a request changed outside Courier."""
        return file_conflict.ask_file_conflict(self, name, path)

    def show_file_diff(self, title: str, diff: str) -> None:
        file_conflict.show_file_diff(self, title, diff)

    def tell_file_removed(self, name: str, path: Path | None) -> None:
        """Say (without blocking) that an edited request's file was deleted outside."""
        message = (
            f"“{name}” was deleted outside Courier ({path}). Your unsaved edits are kept; "
            "saving the request creates the file again."
        )
        self.statusBar().showMessage(message, 30000)
        box = QMessageBox(
            QMessageBox.Icon.Information,
            "Deleted outside Courier",
            message,
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def ask_save_destination(self, name: str) -> tuple[Collection, Folder | None, str] | None:
        dialog = dialogs.SaveRequestDialog(
            self.workspace.collections, name, self, preferred=self.preferred_destination()
        )
        if dialog.exec() != dialogs.SaveRequestDialog.DialogCode.Accepted:
            return None
        return dialog.choice()

    def preferred_destination(self) -> tuple[Collection, Folder | None] | None:
        """Where "Save in" points first: the sidebar's selection (its collection or
        folder), else the collection saved into last."""
        node = self.sidebar.current_node()
        if node is not None:
            collection = node.collection()
            if collection in self.workspace.collections:
                obj = node.obj
                if isinstance(obj, Folder):
                    return collection, obj
                if isinstance(obj, Request):
                    chain = collection.folder_chain(obj) or ()
                    return collection, (chain[-1] if chain else None)
                return collection, None
        last = self.workspace.state.last_save_collection
        if last:
            found = self.workspace.find_open(Path(last))
            if found is not None:
                return found, None
        return None

    def save_current(self, force: bool = False) -> bool:
        """Ctrl+S: write the active tab's request to its file (an untitled one asks where).

        A file changed outside Courier is never overwritten silently: the user is
        asked (keep mine saves with ``force``).  A file removed outside while the
        request was edited is created again (the user was told).  A request of
        another tool's collection opened in place asks to convert it first.
        """
        return self.save_tab(self.current_tab(), force)

    def save_tab(self, tab: RequestTab, force: bool = False) -> bool:
        """Write ``tab``'s request to its file (see ``save_current``)."""
        edited = tab.editor.to_model()
        collection, request = tab.collection, tab.request
        try:
            if collection is None:
                return self._save_scratch(tab, edited)
            if collection.foreign:
                return self.foreign.save_by_converting(tab)
            pending = self.outside.pending_question(request)
            if pending is not None and not force:
                return self.outside.resolve(collection, request, pending.text)
            force = force or self.outside.file_removed(request)
            self.workspace.save_request(collection, request, edited, force=force)
        except FileChangedOnDisk as exc:
            assert collection is not None
            return self.outside.save_refused(collection, request, exc)
        except CourierError as exc:
            self.show_error(exc.title, exc.message)
            return False
        self.outside.forget(request)
        tab.editor.mark_saved()
        tab.pin()
        self._remember_saved_into(collection)
        self.statusBar().showMessage(f"Saved {request.name}", 4000)
        return True

    def _remember_saved_into(self, collection: Collection) -> None:
        if collection.path is not None:
            self.workspace.state.last_save_collection = str(collection.path)

    def _save_scratch(self, tab: RequestTab, edited: Request) -> bool:
        if not self.workspace.collections:
            self.show_error(
                "Nowhere to save",
                "Open or create a collection first (File ▸ New collection…), then save the "
                "request into it.",
            )
            return False
        name = edited.name if edited.name != SCRATCH_NAME else _name_from_url(edited)
        choice = self.ask_save_destination(name)
        if choice is None:
            return False
        collection, folder, name = choice
        edited.name = name
        stored = self.workspace.add_request(collection, folder, edited)
        tab.show_stored(collection, stored)
        tab.pin()
        self._show_inherited_in(tab)
        self._remember_saved_into(collection)
        self._on_current_changed()
        self.statusBar().showMessage(f"Saved {stored.name} in {collection.name}", 4000)
        return True

    def update_title(self) -> None:
        tab = self.current_tab()
        request = tab.request
        if tab.collection is None:
            crumbs = "Untitled"
        else:
            chain = tab.collection.folder_chain(request) or ()
            crumbs = " / ".join([tab.collection.name, *(f.name for f in chain)])
        tab.editor.set_title(f"{crumbs} / {request.name}")
        self.setWindowTitle(f"{request.name}[*] — Courier")
        self.setWindowModified(tab.is_modified())
        self._update_tab_label(tab)

    # ------------------------------------------------------------- sending

    def current_exchange(self) -> Exchange | None:
        """The last exchange of the active tab."""
        return self.current_tab().exchange

    def _tab_of_exchange(self, exchange: Exchange) -> RequestTab | None:
        return next((t for t in self.request_tabs() if t.exchange is exchange), None)

    def send(self) -> None:
        """Send the active tab's request (Send while it runs stops it)."""
        self._send_tab(self.current_tab())

    def send_tab(self, tab: RequestTab) -> None:
        """Send ``tab``'s request (a history tab's in a new tab: the entry never changes)."""
        self._send_tab(tab)

    def _send_tab(self, tab: RequestTab) -> None:
        if isinstance(tab, HistoryTab):
            tab.send_again()
            return
        if self.sends.is_running(tab.exchange):
            self._stop_tab(tab)
            return
        request = tab.editor.to_model()
        stored = tab.request
        collection = tab.collection
        tab.pin()
        try:
            resolution = self.workspace.resolve(request, collection, stored)
        except CourierError as exc:
            tab.response.show_failed(exc.title, exc.message, exc.detail)
            self.responseShown.emit()
            return
        if resolution.unresolved and not self.confirm_unresolved(list(resolution.unresolved)):
            return
        try:
            exchange = self.sends.send(request, collection, stored)
        except CourierError as exc:
            tab.response.show_failed(exc.title, exc.message, exc.detail)
            self.responseShown.emit()
            return
        self.workbench.track(exchange, request, collection, stored)
        tab.exchange = exchange  # the previous one's body is released with it
        tab.response.show_exchange(exchange)
        tab.editor.set_running(True)
        self._update_tab_label(tab)

    # ------------------------------------------------------------ curl and code

    def _curl_base_dir(self) -> Path:
        """Where a pasted command's relative ``@file`` paths are looked up."""
        collection = self.current_collection
        if collection is not None and collection.path is not None:
            return collection.path
        return Path.home()

    def _on_curl_pasted(self, tab: RequestTab, parsed: CurlImport) -> None:
        """A curl command pasted into ``tab``'s URL bar: the tab becomes that request
        (unsaved edits), any further commands open in tabs of their own."""
        requests = requests_of(parsed)
        first, *more = requests
        tab.editor.load_edited(tab.request, first)
        tab.pin()
        for request in more:
            self.new_tab(None, request)
        self.tabs.setCurrentWidget(tab)
        notes = parsed.notes
        said = f"Imported {len(requests)} request{'s' if len(requests) != 1 else ''} from curl"
        self.statusBar().showMessage(said + (": " + "; ".join(notes) if notes else "."), 30000)

    def ask_curl_text(self) -> str:
        text, ok = QInputDialog.getMultiLineText(
            self, "Import curl", "Paste one or more curl commands (one per line, or \\-continued):"
        )
        return text if ok else ""

    def import_curl(self) -> asyncio.Future[None] | None:
        """File ▸ Import ▸ curl: every command into a tab of its own (unsaved); parsed
        in a worker (``-d @file`` reads the file)."""
        text = self.ask_curl_text()
        if not text.strip():
            return None
        return self.run_in_background(self._import_curl(text, self._curl_base_dir()))

    async def _import_curl(self, text: str, base_dir: Path) -> None:
        try:
            parsed = await asyncio.to_thread(parse_curl, text, base_dir=base_dir)
        except MalformedImport as exc:
            self.show_error("Import curl", f"Nothing was imported: {exc}")
            return
        requests = requests_of(parsed)
        for request in requests:
            tab = self.new_tab(None, Request(name=request.name or UNTITLED))
            tab.editor.load_edited(tab.request, request)
            tab.pin()
        notes = parsed.notes
        self.statusBar().showMessage(
            f"Imported {len(requests)} request(s) from curl"
            + (": " + "; ".join(notes) if notes else "."),
            30000,
        )

    def copy_as_curl(self) -> None:
        self._copy_export("curl command", curl_command)

    def copy_as_httpx(self) -> None:
        self._copy_export("Python httpx code", httpx_code)

    def _copy_export(
        self,
        what: str,
        export: Callable[[Workspace, Request, Collection | None, Request], str],
    ) -> None:
        tab = self.current_tab()
        try:
            text = export(self.workspace, tab.editor.to_model(), tab.collection, tab.request)
        except CourierError as exc:
            self.show_error(f"Copy as {what}", f"{exc.title}: {exc.message}")
            return
        QGuiApplication.clipboard().setText(text)
        self.statusBar().showMessage(f"Copied the request as a {what}.", 5000)

    def send_and_download(self) -> Download | None:
        """Send the active tab's request with its whole body written into a file
        the user picks (no size limit; progress, pause and resume in the Downloads
        panel).  Never replaces a file without asking."""
        tab = self.current_tab()
        request = tab.editor.to_model()
        collection, stored = tab.collection, tab.request
        try:
            resolution = self.workspace.resolve(request, collection, stored)
        except CourierError as exc:
            self.show_error(exc.title, exc.message)
            return None
        if resolution.unresolved and not self.confirm_unresolved(list(resolution.unresolved)):
            return None
        folder = Path(self.workspace.state.download_folder or downloads_folder())
        path = self.ask_download_path(folder / self._download_name(resolution.request.url))
        if path is None:
            return None
        overwrite = False
        if path.exists() or path.is_symlink():
            answer = self.ask_existing(path)
            if answer is None:
                return None
            overwrite = answer is ExistingFile.REPLACE
        self.workspace.state.download_folder = str(path.parent)
        download = self.downloads.start(request, collection, stored, path, overwrite=overwrite)
        self.statusBar().showMessage(f"Downloading {request.url} to {path}…", 5000)
        return download

    def _download_name(self, url: str) -> str:
        """The file name to offer: what the last response of this tab suggested
        (Content-Disposition), else the URL's last segment, made safe."""
        exchange = self.current_exchange()
        head = exchange.response if exchange is not None else None
        if head is not None:
            return suggested_name(head.header("content-disposition"), head.url)
        return safe_name(name_from_url(url))

    def ask_download_path(self, suggested: Path) -> Path | None:
        return prompts.ask_destination(self, suggested)

    def ask_existing(self, path: Path) -> ExistingFile | None:
        return prompts.ask_existing(self, path)

    def ask_quit_with_downloads(self, count: int) -> bool:
        return prompts.ask_quit_with_downloads(self, count)

    def _on_download_added(self, _download: Download) -> None:
        """A download started: the panel opens, tall enough for a few rows."""
        dock = self.downloads_dock
        if not dock.isVisible():
            dock.show()
            self.resizeDocks([dock], [DOCK_HEIGHT], Qt.Orientation.Vertical)
        dock.raise_()

    def _on_download_finished(self, download: Download) -> None:
        state = str(download.state)
        if state == "done":
            self.statusBar().showMessage(f"Downloaded {download.snapshot.destination}", 8000)
        elif state == "failed":
            error = download.snapshot.error
            reason = error.message if error is not None else "it failed"
            self.statusBar().showMessage(f"Download of {download.name} failed: {reason}", 15000)

    def stop(self) -> None:
        """Stop the active tab's exchange; what arrived stays."""
        self._stop_tab(self.current_tab())

    def _stop_tab(self, tab: RequestTab) -> None:
        self.sends.stop(tab.exchange)

    def _on_exchange_changed(self, exchange: Exchange) -> None:
        for tab in self.request_tabs():
            if exchange is tab.response.exchange():
                tab.response.refresh()

    def _on_exchange_finished(self, exchange: Exchange) -> None:
        tab = self._tab_of_exchange(exchange)
        if tab is None:
            return
        tab.editor.set_running(False)
        if exchange is tab.response.exchange():
            tab.response.refresh()
            self.responseShown.emit()

    def confirm_unresolved(self, names: list[str]) -> bool:
        """Ask before sending a request whose ``{{variables}}`` have no value."""
        listed = ", ".join("{{" + n + "}}" for n in names)
        answer = QMessageBox.warning(
            self,
            "Unresolved variables",
            f"This request uses {listed}, which no collection, folder or active "
            "environment defines. They would be sent literally.",
            QMessageBox.StandardButton.Cancel | QMessageBox.StandardButton.Ok,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Ok

    def get_new_token(self, tab: RequestTab | None = None) -> None:
        tab = tab or self.current_tab()
        self._token_tab = tab
        tab.editor.auth_editor.show_token("Getting a token…")
        request = tab.editor.to_model()
        self.sends.fetch_token(request, tab.collection, tab.request)

    def _token_editor(self) -> RequestEditor:
        tab = self._token_tab
        return tab.editor if tab is not None and tab in self.request_tabs() else self.editor

    def _on_token_ready(self, masked: str) -> None:
        self._token_editor().auth_editor.show_token(masked)

    def _on_token_failed(self, message: str) -> None:
        self._token_editor().auth_editor.show_token(f"⚠ {message}")

    def shown_body(self) -> Exchange | None:
        """The active tab's exchange on show, while its body is there."""
        exchange = self.response.exchange()
        if exchange is None or exchange.body.released:
            return None
        return exchange

    def copy_body(self) -> None:
        """Copy the active tab's whole body to the clipboard: read in a worker, with progress."""
        exchange = self.shown_body()
        if exchange is None:
            return
        self._set_busy("copy", "Copying the body…")
        self.sends.copy_body(exchange)

    def copy_body_range(self, start: int, end: int) -> None:
        """Copy bytes ``start`` to ``end`` of the body (a big JSON tree value), in a worker."""
        exchange = self.shown_body()
        if exchange is None:
            return
        self._set_busy("copy", "Copying the value…")
        self.sends.copy_body(exchange, start, end)

    def _offer_whole_copy(self, copied: int, selected: int) -> None:
        """A selection too big for a text copy: only its start was copied; offer the body."""
        if self.ask_copy_whole(copied, selected):
            self.copy_body()

    def ask_copy_whole(self, copied: int, selected: int) -> bool:
        answer = QMessageBox.question(
            self,
            "Selection too large",
            f"Only the first {human_size(copied)} of the {human_size(selected)} selected "
            "were copied. Copy the whole body instead (its original bytes)?",
        )
        return answer == QMessageBox.StandardButton.Yes

    def _on_copy_progress(self, done: int, total: int) -> None:
        if total > COPY_PROGRESS_FROM:
            self._set_busy("copy", f"Copying the body… {done * 100 // total}%")

    def _on_copy_ready(self, data: QByteArray, media_type: str, text: QByteArray) -> None:
        """The original bytes under the body's media type, and the body as text (UTF-8,
        decoded from its charset by the worker)."""
        self._set_busy("copy", None)
        mime = QMimeData()
        mime.setData("text/plain", text)
        if media_type and media_type != "text/plain":
            mime.setData(media_type, data)
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.setMimeData(mime)
            self.statusBar().showMessage(f"Copied the body ({human_size(data.size())})", 3000)

    def _on_copy_failed(self, message: str) -> None:
        self._set_busy("copy", None)
        self.show_error("Could not copy the body", message)

    def save_body(self) -> None:
        """Save the active tab's whole body (or what arrived) to a file, copied in a worker."""
        exchange = self.shown_body()
        if exchange is None:
            return
        path = self.ask_save_body_path()
        if not path:
            return
        self.workspace.state.save_body_folder = str(Path(path).parent)
        self._set_busy("save", f"Saving the body to {path}…")
        self.sends.save_body(exchange, Path(path))

    def suggested_body_path(self) -> str:
        """What "Save body…" proposes: the Downloads folder (or the one chosen last) and
        a name from Content-Disposition or the URL, with an extension from the type."""
        exchange = self.shown_body()
        folder = Path(self.workspace.state.save_body_folder or downloads_folder())
        if exchange is None:
            return str(folder)
        head = exchange.response
        url = head.url if head is not None else exchange.url
        disposition = head.header("content-disposition") if head is not None else None
        content_type = head.header("content-type") if head is not None else None
        return str(folder / body_file_name(disposition, str(url), content_type))

    def ask_save_body_path(self) -> str:
        path, _filter = QFileDialog.getSaveFileName(
            self, "Save response body", self.suggested_body_path()
        )
        return path

    def _on_save_progress(self, done: int, total: int) -> None:
        if total:
            self._set_busy("save", f"Saving the body… {done * 100 // total}%")

    def _on_save_finished(self, path: str) -> None:
        self._set_busy("save", None)
        self.statusBar().showMessage(f"Saved the body to {path}", 5000)

    def _on_save_failed(self, message: str) -> None:
        self._set_busy("save", None)
        self.show_error("Could not save the body", message)

    # ------------------------------------------------------------- helpers

    def show_error(self, title: str, message: str) -> None:
        QMessageBox.warning(self, title, message)

    def _about(self) -> None:
        QMessageBox.about(
            self,
            "About Courier",
            f"<b>Courier {__version__}</b><p>A fast, offline, keychain-safe API client.</p>",
        )

    def may_quit(self) -> bool:
        """Ask about each tab with unsaved edits (Save / Discard / Cancel)."""
        for tab in self.request_tabs():
            if not tab.is_modified():
                continue
            self.tabs.setCurrentWidget(tab)
            answer = self.ask_unsaved(tab.name())
            if answer == "cancel":
                return False
            if answer == "save" and not self.save_current():
                return False
            if answer == "discard":
                tab.editor.load_model(tab.request)
        return True

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.may_quit():
            event.ignore()
            return
        running = self.downloads.active_count()
        if running and not self.ask_quit_with_downloads(running):
            event.ignore()
            return
        state = self.workspace.state
        state.window_geometry = bytes(self.saveGeometry().toBase64().data()).decode()
        state.splitter_state = bytes(self.splitter.saveState().toBase64().data()).decode()
        split = self._tab_split or self.current_tab().splitter.saveState()
        state.tab_splitter_state = bytes(split.toBase64().data()).decode()
        if self.downloads.pause_all():
            self.statusBar().showMessage("Downloads paused; they resume from the panel next time.")
        self._draft_timer.stop()
        if self._tabs_restored:  # else the last run's tabs were never read: keep them
            try:
                self.save_session()
            except OSError as exc:
                self.statusBar().showMessage(f"Could not keep the open tabs: {exc}")
        self.workspace.save_state()
        self._closing = True
        self.sends.stop_all()
        self.outside.stop()
        event.accept()


def body_file_name(disposition: str | None, url: str, content_type: str | None) -> str:
    """The file name "Save body…" proposes (see ``app.core.download_names``)."""
    name = suggested_name(disposition, url)
    if "." not in name and content_type:
        extension = extension_for(content_type)
        if extension:
            name = f"{name}{extension}"
    return name


def extension_for(content_type: str) -> str:
    """``.json`` for ``application/json; charset=utf-8`` ("" when unknown)."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type.endswith("+json"):
        return ".json"
    if media_type.endswith("+xml"):
        return ".xml"
    return mimetypes.guess_extension(media_type, strict=False) or ""


def _name_from_url(request: Request) -> str:
    """A default name for a scratch request being saved: "GET users" for .../users."""
    url = request.url.split("?")[0].rstrip("/")
    tail = url.rsplit("/", 1)[-1] if "/" in url else url
    if tail and "." not in tail and ":" not in tail:
        return f"{request.method} {tail}"
    return f"{request.method} {url}" if url else SCRATCH_NAME
