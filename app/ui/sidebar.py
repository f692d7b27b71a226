"""The collection sidebar: a tree of collections, folders and requests.

It only shows and asks: activating a row emits ``requestActivated`` /
``problemActivated``, and the context menu emits ``nodeAction(action, node)``
for the main window to carry out (through the workspace service).
"""

from __future__ import annotations

import functools

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QPainter
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


class Sidebar(QWidget):
    requestActivated = Signal(Collection, Request)
    problemActivated = Signal(Collection, LoadProblem)
    nodeAction = Signal(str, Node)  # (action, the node it applies to)
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

        self.tree = QTreeView(self)
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
        self.tree.activated.connect(self._on_activated)
        self.tree.clicked.connect(self._activate)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addWidget(self.tree, 1)

    def select(self, obj: Collection | Folder | Request | LoadProblem) -> None:
        """Select (and reveal) the row of a model object without activating it."""
        index = self.model.index_of(obj)
        if index.isValid():
            parent = index.parent()
            while parent.isValid():
                self.tree.expand(parent)
                parent = parent.parent()
            self.tree.setCurrentIndex(index)
            self.tree.scrollTo(index)

    def current_node(self) -> Node | None:
        return self.model.node(self.tree.currentIndex())

    def _activate(self, index: QModelIndex) -> None:
        node = self.model.node(index)
        if node is None:
            return
        if node.kind is NodeKind.REQUEST:
            self.requestActivated.emit(node.collection(), node.obj)
        elif node.kind is NodeKind.PROBLEM:
            self.problemActivated.emit(node.collection(), node.obj)

    def _on_activated(self, index: QModelIndex) -> None:
        """Double-click or Enter: open a request, or a collection's / folder's settings."""
        node = self.model.node(index)
        if node is not None and node.kind in (NodeKind.COLLECTION, NodeKind.FOLDER):
            self.nodeAction.emit("settings", node)
        else:
            self._activate(index)

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
