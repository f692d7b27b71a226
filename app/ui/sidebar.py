"""The collection sidebar: a tree of collections, folders and requests.

It only shows and asks: activating a row emits ``requestActivated`` /
``problemActivated`` (and ``requestOpened`` with whether the tab is pinned),
the context menu and the keys (F2 rename, Delete delete) emit
``nodeAction(action, node)``, and a drag and drop emits ``moveRequested``, for
the main window (``app.ui.collection_actions``) to carry out through the
workspace service.
"""

from __future__ import annotations

import functools

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QKeyEvent, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QMenu,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.core.model import Collection, Folder, LoadProblem, Request
from app.ui import theme
from app.ui.collection_tree import METHOD_ROLE, NODE_ROLE, CollectionTreeModel, Node, NodeKind

#: context-menu actions, by node kind
ACTIONS: dict[NodeKind, tuple[tuple[str, str], ...]] = {
    NodeKind.COLLECTION: (
        ("settings", "Settings, auth, variables, environments…"),
        ("", ""),
        ("new-request", "New request"),
        ("new-folder", "New folder"),
        ("rename", "Rename collection"),
        ("", ""),
        ("reload", "Reload from disk"),
        ("close", "Close collection"),
    ),
    NodeKind.FOLDER: (
        ("settings", "Settings, auth, variables…"),
        ("", ""),
        ("new-request", "New request"),
        ("new-folder", "New folder"),
        ("", ""),
        ("rename", "Rename"),
        ("duplicate", "Duplicate"),
        ("delete", "Delete"),
    ),
    NodeKind.REQUEST: (
        ("rename", "Rename"),
        ("duplicate", "Duplicate"),
        ("delete", "Delete"),
    ),
    NodeKind.PROBLEM: (("reload", "Reload from disk"),),
}


class MethodTagDelegate(QStyledItemDelegate):
    """Paints a request row as a coloured method tag followed by its name."""

    TAG_WIDTH_CHARS = 7

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        method = index.data(METHOD_ROLE)
        if not method:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text = opt.text
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        painter.save()
        tag_font = QFont(opt.font)
        tag_font.setPointSizeF(max(6.0, opt.font.pointSizeF() * 0.78))
        tag_font.setBold(True)
        metrics = QFontMetrics(tag_font)
        tag_width = metrics.horizontalAdvance("M" * 4) + 6
        rect = opt.rect.adjusted(4, 0, -4, 0)
        tag_rect = QRect(rect.left(), rect.top(), tag_width, rect.height())
        painter.setFont(tag_font)
        painter.setPen(theme.method_color(method))
        label = method if len(method) <= 6 else method[:5] + "…"
        align = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft
        painter.drawText(tag_rect, align, label)
        painter.setFont(opt.font)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        painter.setPen(
            opt.palette.highlightedText().color() if selected else opt.palette.text().color()
        )
        name_rect = rect.adjusted(tag_width + 4, 0, 0, 0)
        elided = QFontMetrics(opt.font).elidedText(
            text, Qt.TextElideMode.ElideRight, name_rect.width()
        )
        painter.drawText(name_rect, align, elided)
        painter.restore()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        size = super().sizeHint(option, index)
        return QSize(size.width() + 40, max(size.height(), 24))


class CollectionTreeView(QTreeView):
    """The tree, with the keys a file tree has: F2 renames, Delete deletes, Enter opens."""

    #: (action, node): "rename" or "delete" asked from the keyboard
    keyAction = Signal(str, Node)
    #: Enter or Return on a row
    openPressed = Signal(QModelIndex)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        node = self.currentIndex().data(NODE_ROLE)
        key = event.key()
        if isinstance(node, Node) and event.modifiers() in (
            Qt.KeyboardModifier.NoModifier,
            Qt.KeyboardModifier.KeypadModifier,
        ):
            if key == Qt.Key.Key_F2 and _offers(node, "rename"):
                self.keyAction.emit("rename", node)
                event.accept()
                return
            if key == Qt.Key.Key_Delete and _offers(node, "delete"):
                self.keyAction.emit("delete", node)
                event.accept()
                return
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.openPressed.emit(self.currentIndex())
                event.accept()
                return
        super().keyPressEvent(event)


def _offers(node: Node, action: str) -> bool:
    return any(name == action for name, _label in ACTIONS[node.kind])


class Sidebar(QWidget):
    requestActivated = Signal(Collection, Request)
    #: a request to show in a tab: (collection, request, pinned) — a single click opens a
    #: preview (pinned False), a double-click or Enter pins it
    requestOpened = Signal(Collection, Request, bool)
    problemActivated = Signal(Collection, LoadProblem)
    nodeAction = Signal(str, Node)  # (action, the node it applies to)
    #: a row was dropped: (collection, the request or folder, the collection or folder it
    #: goes into, its index among the target's folders or requests: ``storage.move``)
    moveRequested = Signal(Collection, object, object, int)
    newCollectionRequested = Signal()
    openCollectionRequested = Signal()

    def __init__(self, model: CollectionTreeModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidebar")
        self.model = model
        header = QWidget(self)
        header.setObjectName("sidebarHeader")
        title = QLabel("Collections", header)
        title.setObjectName("sidebarTitle")
        new_button = QToolButton(header)
        new_button.setIcon(theme.icon("plus"))
        new_button.setToolTip("New collection")
        new_button.setAutoRaise(True)
        new_button.clicked.connect(self.newCollectionRequested)
        open_button = QToolButton(header)
        open_button.setIcon(theme.icon("folder-open"))
        open_button.setToolTip("Open a collection folder (Ctrl+O)")
        open_button.setAutoRaise(True)
        open_button.clicked.connect(self.openCollectionRequested)
        header_layout = QHBoxLayout(header)
        header_layout.setContentsMargins(10, 6, 4, 6)
        header_layout.addWidget(title)
        header_layout.addStretch(1)
        header_layout.addWidget(new_button)
        header_layout.addWidget(open_button)

        self.tree = CollectionTreeView(self)
        self.tree.setObjectName("collectionTree")
        self.tree.setModel(model)
        self.tree.setHeaderHidden(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setItemDelegate(MethodTagDelegate(self.tree))
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._show_menu)
        self.tree.setExpandsOnDoubleClick(False)
        # DragDrop, not InternalMove (which only takes drops whose source is the view):
        # the model accepts only its own rows, of the same collection
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.tree.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.tree.setDropIndicatorShown(True)
        self.tree.activated.connect(self._on_activated)  # a double-click (per the style)
        self.tree.openPressed.connect(self._on_activated)
        self.tree.clicked.connect(self._preview)
        self.tree.keyAction.connect(self.nodeAction)
        # after the drag has ended: moving files must not run inside the drop event
        model.moveRequested.connect(self._on_move_requested, Qt.ConnectionType.QueuedConnection)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addWidget(self.tree, 1)

    def select(self, obj: Collection | Folder | Request | LoadProblem | None) -> None:
        """Select (and reveal) the row of a model object without activating it.

        Works right after the model objects changed, before or after the
        workspace's signal reached the tree model (``index_of`` syncs the rows
        on the way); None or an object not in the tree clears the selection."""
        if obj is None:
            self.tree.clearSelection()
            self.tree.setCurrentIndex(QModelIndex())
            return
        index = self.model.index_of(obj)
        if not index.isValid():
            self.tree.clearSelection()
            self.tree.setCurrentIndex(QModelIndex())
            return
        parent = index.parent()
        while parent.isValid():
            self.tree.expand(parent)
            parent = parent.parent()
        self.tree.setCurrentIndex(index)
        self.tree.scrollTo(index)

    def current_node(self) -> Node | None:
        return self.model.node(self.tree.currentIndex())

    def _activate(self, index: QModelIndex, *, pinned: bool) -> None:
        node = self.model.node(index)
        if node is None:
            return
        if node.kind is NodeKind.REQUEST:
            self.requestActivated.emit(node.collection(), node.obj)
            self.requestOpened.emit(node.collection(), node.obj, pinned)
        elif node.kind is NodeKind.PROBLEM:
            self.problemActivated.emit(node.collection(), node.obj)

    def _preview(self, index: QModelIndex) -> None:
        """A single click: show a request (in a preview tab)."""
        self._activate(index, pinned=False)

    def _on_activated(self, index: QModelIndex) -> None:
        """Double-click or Enter: open a request (pinned), or a collection's / folder's
        settings."""
        node = self.model.node(index)
        if node is not None and node.kind in (NodeKind.COLLECTION, NodeKind.FOLDER):
            self.nodeAction.emit("settings", node)
        else:
            self._activate(index, pinned=True)

    def _on_move_requested(self, node: Node, target: object, index: int) -> None:
        if isinstance(node.obj, Folder | Request) and isinstance(target, Collection | Folder):
            self.moveRequested.emit(node.collection(), node.obj, target, index)

    def _show_menu(self, pos: QPoint) -> None:
        index = self.tree.indexAt(pos)
        node = self.model.node(index)
        menu = QMenu(self)
        if node is None:
            menu.addAction("New collection…", self.newCollectionRequested.emit)
            menu.addAction("Open collection…", self.openCollectionRequested.emit)
        else:
            for action, label in ACTIONS[node.kind]:
                if not action:
                    menu.addSeparator()
                    continue
                menu.addAction(label, functools.partial(self.nodeAction.emit, action, node))
        menu.popup(self.tree.viewport().mapToGlobal(pos))

    def node_of(self, index: QModelIndex) -> Node | None:
        node = index.data(NODE_ROLE)
        return node if isinstance(node, Node) else None
