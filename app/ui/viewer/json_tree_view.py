"""The collapsible JSON tree: a lazy model over ``JsonTree``, paged, with copy.

Nothing is parsed up front: a container lists its children when it is
expanded, ``PAGE`` at a time, and a "N more…" row fetches the next page.
Listing is done in steps of at most ``STEP_BUDGET`` seconds on a zero-delay
timer, so skipping a huge sibling never freezes the window (the pager row says
"loading…" meanwhile).

The tree is built once the body is complete: while it arrives the view shows
how much is there and waits (``refresh()`` builds it as soon as ``complete()``
is true); a body that is not JSON shows the parser's message instead.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QHeaderView, QLabel, QMenu, QTreeView, QVBoxLayout, QWidget

from app.core.viewing.json_tree import JsonNode, JsonTree, JsonTreeError
from app.core.viewing.source import ByteSource

PAGE = 200
STEP_BUDGET = 0.008
#: values larger than this are not copied on the GUI thread: ``copyRangeRequested``
COPY_LIMIT = 16 << 20

_Index = QModelIndex | QPersistentModelIndex


class _Pager:
    """The "N more…" row at the end of a container's shown children."""

    def __init__(self, node: JsonNode) -> None:
        self.node = node


class JsonTreeModel(QAbstractItemModel):
    """Rows are ``JsonNode``s (and one ``_Pager`` per partly shown container)."""

    errorOccurred = Signal(str)

    COLUMNS = ("Key", "Value", "Type")

    def __init__(self, tree: JsonTree | None = None) -> None:
        super().__init__()
        self.tree = tree
        self._shown: dict[int, int] = {}
        self._fetched: set[int] = set()
        self._pagers: dict[int, _Pager] = {}
        self._with_pager: set[int] = set()
        self._wanted: dict[int, tuple[JsonNode, int]] = {}  # nodes still being scanned
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._step)

    # -- structure ---------------------------------------------------------

    def _obj(self, index: _Index) -> JsonNode | _Pager | None:
        return index.internalPointer() if index.isValid() else None

    def node_at(self, index: _Index) -> JsonNode | None:
        obj = self._obj(index)
        return obj if isinstance(obj, JsonNode) else None

    def _pager_needed(self, node: JsonNode) -> bool:
        """Whether the row *should* be there (``_with_pager``: whether Qt was told it is)."""
        if id(node) not in self._fetched:
            return False
        shown = self._shown.get(id(node), 0)
        return node.count is None or shown < node.count

    def _pager(self, node: JsonNode) -> _Pager:
        pager = self._pagers.get(id(node))
        if pager is None:
            pager = self._pagers[id(node)] = _Pager(node)
        return pager

    def index(self, row: int, column: int, parent: _Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if self.tree is None or column < 0 or column >= len(self.COLUMNS):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, self.tree.root) if row == 0 else QModelIndex()
        node = self.node_at(parent)
        if node is None:
            return QModelIndex()
        shown = self._shown.get(id(node), 0)
        if 0 <= row < shown:
            return self.createIndex(row, column, node._children[row])
        if row == shown and id(node) in self._with_pager:
            return self.createIndex(row, column, self._pager(node))
        return QModelIndex()

    def parent(self, index: _Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        obj = self._obj(index)
        if obj is None:
            return QModelIndex()
        parent = obj.node if isinstance(obj, _Pager) else obj.parent
        if parent is None:
            return QModelIndex()
        return self.createIndex(parent.row if parent.parent else 0, 0, parent)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        if self.tree is None:
            return 0
        if not parent.isValid():
            return 1
        node = self.node_at(parent)
        if node is None or parent.column() != 0:
            return 0
        return self._shown.get(id(node), 0) + (1 if id(node) in self._with_pager else 0)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return len(self.COLUMNS)

    def hasChildren(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008
        if not parent.isValid():
            return self.tree is not None
        node = self.node_at(parent)
        return node is not None and node.is_container and node.count != 0 and parent.column() == 0

    def canFetchMore(self, parent: _Index) -> bool:
        node = self.node_at(parent)
        return node is not None and node.is_container and id(node) not in self._fetched

    def fetchMore(self, parent: _Index) -> None:
        node = self.node_at(parent)
        if node is not None and id(node) not in self._fetched:
            self._fetched.add(id(node))
            self.load_more(node)

    # -- loading -------------------------------------------------------------

    def index_of(self, node: JsonNode, column: int = 0) -> QModelIndex:
        return self.createIndex(node.row if node.parent else 0, column, node)

    def load_more(self, node: JsonNode) -> None:
        """Show the next ``PAGE`` children of ``node`` (scanning in budgeted steps)."""
        self._fetched.add(id(node))
        want = self._shown.get(id(node), 0) + PAGE
        self._wanted[id(node)] = (node, want)
        self._step()

    def _step(self) -> None:
        assert self.tree is not None
        for key, (node, want) in list(self._wanted.items()):
            try:
                done = self.tree.scan(node, want, budget=STEP_BUDGET)
            except JsonTreeError as exc:
                done = True
                node.count = node.loaded  # show what was found; stop asking
                self.errorOccurred.emit(str(exc))
            self._show(node, min(want, node.loaded))
            if done:
                del self._wanted[key]
        if self._wanted:
            self._timer.start()

    def _show(self, node: JsonNode, upto: int) -> None:
        parent = self.index_of(node)
        shown = self._shown.get(id(node), 0)
        if upto > shown:
            self.beginInsertRows(parent, shown, upto - 1)
            self._shown[id(node)] = upto
            self.endInsertRows()
        need_pager = self._pager_needed(node)
        has_pager = id(node) in self._with_pager
        row = self._shown.get(id(node), 0)
        if need_pager and not has_pager:
            self.beginInsertRows(parent, row, row)
            self._with_pager.add(id(node))
            self.endInsertRows()
        elif has_pager and not need_pager:
            self.beginRemoveRows(parent, row, row)
            self._with_pager.discard(id(node))
            self.endRemoveRows()
        elif need_pager:
            pager = self.index(row, 0, parent)
            self.dataChanged.emit(pager, pager.siblingAtColumn(len(self.COLUMNS) - 1))
        top = self.index_of(node, 1)
        self.dataChanged.emit(top, top.siblingAtColumn(2))

    def loading(self, node: JsonNode) -> bool:
        return id(node) in self._wanted

    # -- data ---------------------------------------------------------------

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        obj = self._obj(index)
        if obj is None or self.tree is None:
            return None
        column = index.column()
        if isinstance(obj, _Pager):
            if role == Qt.ItemDataRole.DisplayRole and column == 0:
                node = obj.node
                if id(node) in self._wanted:
                    return "loading…"
                if node.count is not None:
                    return f"{node.count - self._shown.get(id(node), 0):,} more…"
                return "more…"
            if role == Qt.ItemDataRole.ForegroundRole:
                return QGuiApplication.palette().placeholderText()
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                if obj.parent is None:
                    return "$"
                return f"[{obj.key}]" if isinstance(obj.key, int) else str(obj.key)
            if column == 1:
                return self.tree.preview(obj)
            if obj.is_container and obj.count is not None:
                return f"{obj.kind} ({obj.count:,})"
            return obj.kind
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tree.path(obj)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None


class JsonTreeView(QWidget):
    """A collapsible tree of a JSON body, with Copy value / Copy path."""

    #: a value too big to copy here: (start, end) byte range for the owner to copy off-thread
    copyRangeRequested = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._source: ByteSource | None = None
        self.model: JsonTreeModel = JsonTreeModel()
        self.tree = QTreeView(self)
        self.tree.setUniformRowHeights(True)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        self.tree.clicked.connect(self._clicked)
        self.tree.activated.connect(self._clicked)
        self.tree.setModel(self.model)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.status)
        layout.addWidget(self.tree)

        self.copy_value_action = QAction("Copy value", self)
        self.copy_value_action.setShortcut(QKeySequence.StandardKey.Copy)
        self.copy_value_action.triggered.connect(self.copy_value)
        self.copy_path_action = QAction("Copy path", self)
        self.copy_path_action.setShortcut(QKeySequence("Ctrl+Shift+C"))
        self.copy_path_action.triggered.connect(self.copy_path)
        for action in (self.copy_value_action, self.copy_path_action):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.tree.addAction(action)

    # -- the ByteSource contract -----------------------------------------------

    def set_source(self, source: ByteSource) -> None:
        """Show ``source`` as a tree (once it is complete)."""
        self._source = source
        self._set_model(None)
        self.refresh()

    def refresh(self) -> None:
        source = self._source
        if source is None or self.model.tree is not None:
            return
        if not source.complete():
            self._say(
                f"The tree is shown once the body has arrived ({source.size():,} bytes so far)."
            )
            return
        try:
            tree = JsonTree(source)
        except JsonTreeError as exc:
            self._say(f"Not JSON: {exc}")
            return
        self.status.hide()
        self._set_model(tree)
        self.tree.expand(self.model.index(0, 0))

    def _set_model(self, tree: JsonTree | None) -> None:
        old = self.model
        self.model = JsonTreeModel(tree)
        self.model.errorOccurred.connect(lambda message: self._say(f"Not JSON: {message}"))
        self.tree.setModel(self.model)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, 200)
        header.resizeSection(1, 360)
        old.deleteLater()

    def _say(self, message: str) -> None:
        self.status.setText(message)
        self.status.show()

    # -- actions ---------------------------------------------------------------

    def current_node(self) -> JsonNode | None:
        return self.model.node_at(self.tree.currentIndex())

    def _clicked(self, index: QModelIndex) -> None:
        obj = index.internalPointer() if index.isValid() else None
        if isinstance(obj, _Pager) and not self.model.loading(obj.node):
            self.model.load_more(obj.node)

    def copy_value(self) -> None:
        node = self.current_node()
        tree = self.model.tree
        if node is None or tree is None:
            return
        end = node.end if node.end is not None else (self._source.size() if self._source else 0)
        if node.end is None or end - node.start > COPY_LIMIT:
            self.copyRangeRequested.emit(node.start, end)
            return
        QGuiApplication.clipboard().setText(tree.text(node))

    def copy_path(self) -> None:
        node = self.current_node()
        if node is not None and self.model.tree is not None:
            QGuiApplication.clipboard().setText(self.model.tree.path(node))

    def context_menu(self, point: QPoint) -> QMenu | None:
        """The menu for the row at ``point`` (viewport coordinates), made current."""
        index = self.tree.indexAt(point)
        if self.model.node_at(index) is None:
            return None
        self.tree.setCurrentIndex(index)
        menu = QMenu(self)
        menu.addAction(self.copy_value_action)
        menu.addAction(self.copy_path_action)
        menu.aboutToHide.connect(menu.deleteLater)
        return menu

    def _context_menu(self, point: QPoint) -> None:
        menu = self.context_menu(point)
        if menu is not None:
            menu.popup(self.tree.viewport().mapToGlobal(point))
