"""Courier's main window: sidebar | request editor | response pane.

The window wires widgets to the services it is given (``Workspace`` for files,
``SendService`` for sending); it does no I/O itself, and nothing that blocks:
collections open, the keychain is read, the demo server starts and bodies are
saved in workers while the window stays responsive.  Each request keeps its
last exchange, so the response pane shows the response of the request in the
editor.  Every failure ends up as a message in the response pane or a dialog,
never as a traceback.
"""

from __future__ import annotations

import asyncio
import functools
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QByteArray, QMimeData, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
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
    QToolBar,
    QWidget,
)

from app import __version__
from app.core.download_names import downloads_folder, name_from_url, safe_name, suggested_name
from app.core.errors import CourierError, FileChangedOnDisk
from app.core.inherit import effective_auth, inherited_headers, lookup_variable
from app.core.model import Collection, Folder, LoadProblem, Request
from app.core.units import human_size
from app.net.exchange import Exchange
from app.services.downloads import Download, DownloadService
from app.services.sends import SendService
from app.services.workspace import Workspace
from app.ui import dialogs, file_conflict
from app.ui.auth_editor import KIND_LABELS
from app.ui.collection_actions import CollectionActions
from app.ui.collection_tree import CollectionTreeModel
from app.ui.downloads import DownloadsPanel, prompts
from app.ui.downloads.prompts import ExistingFile
from app.ui.file_conflict import ConflictChoice
from app.ui.outside_changes import OutsideChanges
from app.ui.request_editor import RequestEditor
from app.ui.response_view import ResponseView
from app.ui.settings_dialog import SettingsDialog
from app.ui.sidebar import Sidebar

#: how much of a body "Copy" puts on the clipboard (the whole body stays in the store)
#: "Copy" shows its progress for bodies larger than this
COPY_PROGRESS_FROM = 16 * 1024 * 1024
SCRATCH_NAME = "Untitled request"
#: the last exchange of this many requests is kept (a body lives as long as it is held)
KEPT_EXCHANGES = 30
#: the Downloads panel's height when it opens by itself (about three rows)
DOCK_HEIGHT = 300

_T = TypeVar("_T")


class MainWindow(QMainWindow):
    #: emitted when a request finished or failed (tests and --screenshot wait on it)
    responseShown = Signal()

    def __init__(
        self,
        workspace: Workspace,
        sends: SendService,
        downloads: DownloadService | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.sends = sends
        self.downloads = downloads or DownloadService(workspace.session, parent=self)
        #: the last exchange of each request, by the request object (newest last)
        self._exchanges: OrderedDict[int, Exchange] = OrderedDict()
        self._background: set[asyncio.Future[Any]] = set()
        self.setObjectName("mainWindow")
        self.resize(1380, 860)

        self.tree_model = CollectionTreeModel(self)
        self.sidebar = Sidebar(self.tree_model, self)
        self.editor = RequestEditor(self)
        self.response = ResponseView(self)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(self.editor)
        self.splitter.addWidget(self.response)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 1)
        self.splitter.setSizes([280, 560, 540])
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)
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

        #: what the editor shows: (collection, stored request) or (None, scratch request)
        self.current_collection: Collection | None = None
        self.current_request: Request = Request(name=SCRATCH_NAME)
        self._content_type = ""

        self.collection_actions = CollectionActions(self)
        #: open collections watched for changes made outside Courier
        self.outside = OutsideChanges(self)
        self._build_menus()
        self._build_toolbar()
        self._connect()
        self.editor.load_model(self.current_request)
        self.show_inherited()
        self.fill_environments()
        self.editor.set_variable_lookup(self.lookup_variable)
        self.update_title()
        self.response.clear()
        self._restore_geometry()

    # ---------------------------------------------------------------- setup

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self._add_action(
            file_menu, "New request", self.new_scratch_request, QKeySequence.StandardKey.New
        )
        self._add_action(file_menu, "New collection…", self.new_collection)
        self._add_action(
            file_menu,
            "Open collection…",
            self.open_collection_dialog,
            QKeySequence.StandardKey.Open,
        )
        self.recent_menu = file_menu.addMenu("Open recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addSeparator()
        self._add_action(
            file_menu, "Save request", self.save_current, QKeySequence.StandardKey.Save
        )
        file_menu.addSeparator()
        self._add_action(file_menu, "Quit", self.close, QKeySequence.StandardKey.Quit)

        tools_menu = self.menuBar().addMenu("&Tools")
        self._add_action(
            tools_menu, "Cookies of this collection…", self.collection_actions.show_cookies
        )
        self._add_action(
            tools_menu, "Collection settings…", self.collection_actions.settings_of_current
        )

        request_menu = self.menuBar().addMenu("&Request")
        self._add_action(request_menu, "Send", self.send, "Ctrl+Return")
        self._add_action(
            request_menu, "Send and Download…", self.send_and_download, "Ctrl+Shift+Return"
        )
        self._add_action(request_menu, "Stop", self.stop, "Esc")
        self._add_action(request_menu, "Focus URL", self.editor.focus_url, "Ctrl+L")

        view_menu = self.menuBar().addMenu("&View")
        toggle = self.downloads_dock.toggleViewAction()
        toggle.setText("Downloads")
        toggle.setShortcut(QKeySequence("Ctrl+J"))
        view_menu.addAction(toggle)

        help_menu = self.menuBar().addMenu("&Help")
        self._add_action(help_menu, "Start demo server", self.start_demo)
        self._add_action(help_menu, "Open demo collection", self.open_demo_collection)
        help_menu.addSeparator()
        self._add_action(help_menu, "About Courier", self._about)

    def _build_toolbar(self) -> None:
        bar = QToolBar("Environment", self)
        bar.setObjectName("mainToolbar")
        bar.setMovable(False)
        label = QLabel("  Environment ", bar)
        label.setObjectName("hint")
        self.environment_box = QComboBox(bar)
        self.environment_box.setObjectName("environmentBox")
        self.environment_box.setMinimumWidth(180)
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
        self.editor.set_variable_lookup(self.lookup_variable)

    def _on_environment_chosen(self, index: int) -> None:
        if self.current_collection is not None:
            name = self.environment_box.itemData(index)
            self.workspace.set_active_environment(self.current_collection, name or None)
            self.statusBar().showMessage(f"Environment: {name}" if name else "No environment", 3000)

    def lookup_variable(self, name: str) -> tuple[str | None, bool]:
        """What ``{{name}}`` resolves to for the current request (value, is it secret)."""
        collection = self.current_collection
        chain = (collection.folder_chain(self.current_request) or ()) if collection else ()
        builtins = dict(self.workspace.builtins())
        builtins.setdefault("$demo", "the built-in demo server (starts when needed)")
        environment = self.workspace.active_environment(collection)
        return lookup_variable(name, collection, chain, environment, builtins)

    def show_inherited(self) -> None:
        """Tell the editor what the current request inherits (headers, auth)."""
        collection = self.current_collection
        if collection is None:
            self.editor.set_inherited([], "A scratch request has nothing to inherit.")
            return
        chain = collection.folder_chain(self.current_request) or ()
        auth, source = effective_auth(Request(name=""), chain, collection)
        label = dict((k.value, text) for k, text in KIND_LABELS)[auth.kind.value]
        where = "the collection" if source == "collection" else f"the folder “{source}”"
        self.editor.set_inherited(
            inherited_headers(collection, chain), f"Inherits: {label}, from {where}."
        )

    def _add_action(
        self,
        menu: QMenu,
        text: str,
        slot: Callable[[], object],
        shortcut: QKeySequence.StandardKey | str | None = None,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        return action

    def _connect(self) -> None:
        ws = self.workspace
        ws.collectionOpened.connect(self._on_collection_opened)
        ws.collectionClosed.connect(self.tree_model.remove_collection)
        ws.collectionReloaded.connect(self._on_collection_reloaded)
        ws.collectionTreeChanged.connect(self.tree_model.sync)
        ws.folderTreeChanged.connect(self.tree_model.sync)
        ws.collectionChanged.connect(self.tree_model.refresh)
        ws.folderChanged.connect(self.tree_model.refresh)
        ws.requestChanged.connect(self.tree_model.refresh)
        ws.collectionChanged.connect(self.outside.on_settings_changed)
        ws.folderChanged.connect(self.outside.on_settings_changed)
        ws.requestChanged.connect(self.outside.on_request_changed)
        ws.environmentChanged.connect(self._on_environment_changed)
        ws.collectionOpening.connect(self._on_collection_opening)
        ws.collectionOpenFailed.connect(self._on_collection_open_failed)
        ws.secretsReady.connect(self._on_secrets_ready)
        ws.notice.connect(self._on_notice)
        ws.busy.connect(self._on_busy)
        ws.demo.startedAt.connect(self._on_demo_started)
        ws.demo.starting.connect(lambda: self._set_busy("demo", "Starting the demo server…"))
        ws.demo.failed.connect(self._on_demo_failed)

        self.sidebar.requestActivated.connect(self.open_request)
        self.sidebar.problemActivated.connect(self._show_problem)
        self.sidebar.nodeAction.connect(self.collection_actions.on_node_action)
        self.sidebar.newCollectionRequested.connect(self.new_collection)
        self.sidebar.openCollectionRequested.connect(self.open_collection_dialog)

        self.editor.sendRequested.connect(self.send)
        self.editor.stopRequested.connect(self.stop)
        self.editor.modifiedChanged.connect(self._on_modified_changed)

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
        self.response.saveBodyRequested.connect(self.save_body)
        self.response.copyBodyRequested.connect(self.copy_body)
        self.response.viewer.copyRangeRequested.connect(self.copy_body_range)
        self.response.viewer.copyWholeRequested.connect(self._offer_whole_copy)
        self.response.downloadRequested.connect(self.send_and_download)
        self.downloads.downloadAdded.connect(self._on_download_added)
        self.downloads.downloadFinished.connect(self._on_download_finished)
        self.editor.auth_editor.tokenRequested.connect(self.get_new_token)
        sends.tokenReady.connect(self.editor.auth_editor.show_token)
        sends.tokenFailed.connect(self._on_token_failed)

    def _restore_geometry(self) -> None:
        state = self.workspace.state
        if state.window_geometry:
            self.restoreGeometry(QByteArray.fromBase64(state.window_geometry.encode()))
        if state.splitter_state:
            self.splitter.restoreState(QByteArray.fromBase64(state.splitter_state.encode()))

    # ------------------------------------------------------- collections

    def _on_collection_opened(self, collection: Collection) -> None:
        if collection.path is not None:
            self._set_busy(f"open:{collection.path}", None)
        self._add_to_sidebar(collection)

    def _on_collection_reloaded(self, old: Collection, fresh: Collection) -> None:
        if fresh.path is not None:
            self._set_busy(f"open:{fresh.path}", None)
        self.tree_model.replace_collection(old, fresh)

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
        directory = QFileDialog.getExistingDirectory(self, "Open a collection folder")
        if directory:
            self.open_collection(Path(directory))

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
        parent = QFileDialog.getExistingDirectory(self, "Create the collection folder in…")
        if not parent:
            return
        from app.core.storage import slugify

        try:
            collection = self.workspace.create_collection(
                Path(parent) / slugify(name), name.strip()
            )
        except CourierError as exc:
            self.show_error(exc.title, exc.message)
            return
        self.sidebar.select(collection)

    def _fill_recent_menu(self) -> None:
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

    def new_scratch_request(self) -> None:
        if self.may_leave_current():
            self.show_scratch()
            self.editor.focus_url()

    def show_scratch(self) -> None:
        self.show_request(None, Request(name=SCRATCH_NAME))

    def open_request(self, collection: Collection, request: Request) -> None:
        if request is self.current_request:
            return
        if not self.may_leave_current():
            self.sidebar.select(self.current_request)
            return
        self.show_request(collection, request)

    def show_request(self, collection: Collection | None, request: Request) -> None:
        self.tree_model.set_modified(self.current_request, False)
        if request is not self.current_request:
            self.outside.left(self.current_collection, self.current_request)
        self.current_collection = collection
        self.current_request = request
        exchange = self._exchanges.get(id(request))
        self.response.show_exchange(exchange)
        self.editor.set_running(self.sends.is_running(exchange))
        self.editor.load_model(request)
        self.show_inherited()
        self.fill_environments()
        self.editor.set_variable_lookup(self.lookup_variable)
        self.update_title()

    def may_leave_current(self) -> bool:
        """Ask about unsaved changes; False means the user cancelled."""
        if not self.editor.is_modified():
            return True
        answer = self.ask_unsaved(self.current_request.name)
        if answer == "cancel":
            return False
        if answer == "save":
            return self.save_current()
        return True

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
        dialog = dialogs.SaveRequestDialog(self.workspace.collections, name, self)
        if dialog.exec() != dialogs.SaveRequestDialog.DialogCode.Accepted:
            return None
        return dialog.choice()

    def save_current(self, force: bool = False) -> bool:
        """Ctrl+S: write the request to its file (a scratch request asks where).

        A file changed outside Courier is never overwritten silently: the user is
        asked (keep mine saves with ``force``).  A file removed outside while the
        request was edited is created again (the user was told).
        """
        edited = self.editor.to_model()
        collection, request = self.current_collection, self.current_request
        try:
            if collection is None:
                return self._save_scratch(edited)
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
        self.editor.mark_saved()
        self.statusBar().showMessage(f"Saved {self.current_request.name}", 4000)
        return True

    def _save_scratch(self, edited: Request) -> bool:
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
        self.show_request(collection, stored)
        self.sidebar.select(stored)
        self.statusBar().showMessage(f"Saved {stored.name} in {collection.name}", 4000)
        return True

    def _on_modified_changed(self, modified: bool) -> None:
        self.setWindowModified(modified)
        if self.current_collection is not None:
            self.tree_model.set_modified(self.current_request, modified)

    def update_title(self) -> None:
        request = self.current_request
        if self.current_collection is None:
            crumbs = "Scratch"
        else:
            chain = self.current_collection.folder_chain(request) or ()
            crumbs = " / ".join([self.current_collection.name, *(f.name for f in chain)])
        self.editor.set_title(f"{crumbs} / {request.name}")
        self.setWindowTitle(f"{request.name}[*] — Courier")
        self.setWindowModified(self.editor.is_modified())

    # ------------------------------------------------------------- sending

    def current_exchange(self) -> Exchange | None:
        """The last exchange of the request in the editor."""
        return self._exchanges.get(id(self.current_request))

    def send(self) -> None:
        """Send the request in the editor (Send while it runs stops it)."""
        if self.sends.is_running(self.current_exchange()):
            self.stop()
            return
        request = self.editor.to_model()
        stored = self.current_request
        collection = self.current_collection
        try:
            resolution = self.workspace.resolve(request, collection, stored)
        except CourierError as exc:
            self.response.show_failed(exc.title, exc.message, exc.detail)
            self.responseShown.emit()
            return
        if resolution.unresolved and not self.confirm_unresolved(list(resolution.unresolved)):
            return
        try:
            exchange = self.sends.send(request, collection, stored)
        except CourierError as exc:
            self.response.show_failed(exc.title, exc.message, exc.detail)
            self.responseShown.emit()
            return
        self._keep(stored, exchange)
        self.response.show_exchange(exchange)
        self.editor.set_running(True)

    def send_and_download(self) -> Download | None:
        """Send the request in the editor with its whole body written into a file
        the user picks (no size limit; progress, pause and resume in the Downloads
        panel).  Never replaces a file without asking."""
        request = self.editor.to_model()
        collection, stored = self.current_collection, self.current_request
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
        """The file name to offer: what the last response of this request suggested
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
        """Stop the exchange of the request in the editor; what arrived stays."""
        self.sends.stop(self.current_exchange())

    def _keep(self, request: Request, exchange: Exchange) -> None:
        key = id(request)
        self._exchanges.pop(key, None)
        self._exchanges[key] = exchange
        while len(self._exchanges) > KEPT_EXCHANGES:
            self._exchanges.popitem(last=False)  # the oldest body is released with it

    def _on_exchange_changed(self, exchange: Exchange) -> None:
        if exchange is self.response.exchange():
            self.response.refresh()

    def _on_exchange_finished(self, exchange: Exchange) -> None:
        if exchange is self.current_exchange():
            self.editor.set_running(False)
        if exchange is self.response.exchange():
            self.response.refresh()
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

    def get_new_token(self) -> None:
        self.editor.auth_editor.show_token("Getting a token…")
        request = self.editor.to_model()
        self.sends.fetch_token(request, self.current_collection, self.current_request)

    def _on_token_failed(self, message: str) -> None:
        self.editor.auth_editor.show_token(f"⚠ {message}")

    def copy_body(self) -> None:
        """Copy the whole body to the clipboard: read in a worker, with progress."""
        exchange = self.response.exchange()
        if exchange is None or exchange.body.released:
            return
        self._set_busy("copy", "Copying the body…")
        self.sends.copy_body(exchange)

    def copy_body_range(self, start: int, end: int) -> None:
        """Copy bytes ``start`` to ``end`` of the body (a big JSON tree value), in a worker."""
        exchange = self.response.exchange()
        if exchange is None or exchange.body.released:
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
        """Save the whole body (or what arrived) to a file, copied in a worker."""
        exchange = self.response.exchange()
        if exchange is None or exchange.body.released:
            return
        path = self.ask_save_body_path()
        if not path:
            return
        self._set_busy("save", f"Saving the body to {path}…")
        self.sends.save_body(exchange, Path(path))

    def ask_save_body_path(self) -> str:
        path, _filter = QFileDialog.getSaveFileName(self, "Save response body")
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

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.may_leave_current():
            event.ignore()
            return
        state = self.workspace.state
        state.window_geometry = bytes(self.saveGeometry().toBase64().data()).decode()
        state.splitter_state = bytes(self.splitter.saveState().toBase64().data()).decode()
        running = self.downloads.active_count()
        if running and not self.ask_quit_with_downloads(running):
            event.ignore()
            return
        if self.downloads.pause_all():
            self.statusBar().showMessage("Downloads paused; they resume from the panel next time.")
        self.workspace.save_state()
        self.sends.stop_all()
        self.outside.stop()
        event.accept()


def _name_from_url(request: Request) -> str:
    """A default name for a scratch request being saved: "GET users" for .../users."""
    url = request.url.split("?")[0].rstrip("/")
    tail = url.rsplit("/", 1)[-1] if "/" in url else url
    if tail and "." not in tail and ":" not in tail:
        return f"{request.method} {tail}"
    return f"{request.method} {url}" if url else SCRATCH_NAME
