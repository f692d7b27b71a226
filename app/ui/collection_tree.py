"""The sidebar's item model: open collections, their folders and requests.

Nodes are created lazily (a folder's children exist only once the view asks
for them), so a 10,000-request collection opens as fast as its top level.
Structural edits go through ``sync(node)``, which diffs a node's children
against the model objects by identity: rows are inserted and removed
individually, so expansion and selection elsewhere in the tree survive.
"""

from __future__ import annotations

import enum
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from app.core.model import Collection, Folder, LoadProblem, Request
from app.ui import theme

Index = QModelIndex | QPersistentModelIndex
#: what a row of the tree stands for (the invisible root holds None)
TreeObject = Collection | Folder | Request | LoadProblem | None

#: custom data roles
NODE_ROLE = Qt.ItemDataRole.UserRole + 1
METHOD_ROLE = Qt.ItemDataRole.UserRole + 2


class NodeKind(enum.Enum):
    COLLECTION = "collection"
    FOLDER = "folder"
    REQUEST = "request"
    PROBLEM = "problem"


class Node:
    """One row of the tree, wrapping a model object."""

    __slots__ = ("_children", "kind", "obj", "parent")

    def __init__(self, kind: NodeKind, obj: TreeObject, parent: Node | None) -> None:
        self.kind = kind
        self.obj = obj
        self.parent = parent
        self._children: list[Node] | None = None

    def child_objects(self) -> list[tuple[NodeKind, TreeObject]]:
        obj = self.obj
        if self.kind is NodeKind.COLLECTION:
            assert isinstance(obj, Collection)
            return [
                *((NodeKind.FOLDER, f) for f in obj.folders),
                *((NodeKind.REQUEST, r) for r in obj.requests),
                *((NodeKind.PROBLEM, p) for p in obj.problems),
            ]
        if self.kind is NodeKind.FOLDER:
            assert isinstance(obj, Folder)
            return [
                *((NodeKind.FOLDER, f) for f in obj.folders),
                *((NodeKind.REQUEST, r) for r in obj.requests),
            ]
        return []

    @property
    def children(self) -> list[Node]:
        if self._children is None:
            self._children = [Node(kind, obj, self) for kind, obj in self.child_objects()]
        return self._children

    def has_children(self) -> bool:
        if self._children is not None:
            return bool(self._children)
        obj = self.obj
        if isinstance(obj, Collection):
            return bool(obj.folders or obj.requests or obj.problems)
        if isinstance(obj, Folder):
            return bool(obj.folders or obj.requests)
        return False

    def row(self) -> int:
        siblings = self.parent.children if self.parent is not None else []
        for i, node in enumerate(siblings):
            if node is self:
                return i
        return 0

    def collection(self) -> Collection:
        """The collection this node belongs to (top-level nodes sit under the root)."""
        node: Node = self
        while node.parent is not None and node.parent.parent is not None:
            node = node.parent
        assert isinstance(node.obj, Collection)
        return node.obj


class CollectionTreeModel(QAbstractItemModel):
    """Open collections as top-level rows."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._root = Node(NodeKind.COLLECTION, None, None)
        self._root._children = []
        self._modified: set[int] = set()

    # ----------------------------------------------------------- public API

    def collections(self) -> list[Collection]:
        return [node.obj for node in self._root.children if isinstance(node.obj, Collection)]

    def add_collection(self, collection: Collection) -> QModelIndex:
        row = len(self._root.children)
        self.beginInsertRows(QModelIndex(), row, row)
        self._root.children.append(Node(NodeKind.COLLECTION, collection, self._root))
        self.endInsertRows()
        return self.index(row, 0)

    def replace_collection(self, old: Collection, new: Collection) -> QModelIndex:
        """Swap a reloaded collection in place (its subtree is rebuilt)."""
        for row, node in enumerate(self._root.children):
            if node.obj is old:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._root.children[row]
                self.endRemoveRows()
                self.beginInsertRows(QModelIndex(), row, row)
                self._root.children.insert(row, Node(NodeKind.COLLECTION, new, self._root))
                self.endInsertRows()
                return self.index(row, 0)
        return self.add_collection(new)

    def remove_collection(self, collection: Collection) -> None:
        for row, node in enumerate(self._root.children):
            if node.obj is collection:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._root.children[row]
                self.endRemoveRows()
                return

    def node(self, index: Index) -> Node | None:
        if not index.isValid():
            return None
        node = index.internalPointer()
        return node if isinstance(node, Node) else None

    def index_of(self, obj: TreeObject) -> QModelIndex:
        """The index of a model object, creating nodes on the way (for selecting it)."""
        for collection_node in self._root.children:
            found = self._find(collection_node, obj)
            if found is not None:
                return self.createIndex(found.row(), 0, found)
        return QModelIndex()

    def _find(self, node: Node, obj: TreeObject) -> Node | None:
        if node.obj is obj:
            return node
        if node.kind is NodeKind.REQUEST or node.kind is NodeKind.PROBLEM:
            return None
        if isinstance(node.obj, Folder) and not _folder_contains(node.obj, obj):
            return None
        for child in node.children:
            found = self._find(child, obj)
            if found is not None:
                return found
        return None

    def sync(self, obj: Collection | Folder) -> None:
        """Bring the rows under ``obj`` in line with its folders/requests/problems."""
        index = self.index_of(obj)
        node = self.node(index)
        if node is None or node._children is None:
            # never expanded: nothing to diff, just tell the view whether it has children
            if index.isValid():
                self.dataChanged.emit(index, index)
            return
        wanted = node.child_objects()
        wanted_ids = {id(o) for _, o in wanted}
        for row in range(len(node._children) - 1, -1, -1):
            if id(node._children[row].obj) not in wanted_ids:
                self.beginRemoveRows(index, row, row)
                del node._children[row]
                self.endRemoveRows()
        have = {id(child.obj) for child in node._children}
        for row, (kind, o) in enumerate(wanted):
            if id(o) not in have:
                self.beginInsertRows(index, row, row)
                node._children.insert(row, Node(kind, o, node))
                self.endInsertRows()
        order = [id(o) for _, o in wanted]
        if [id(child.obj) for child in node._children] != order:
            self.layoutAboutToBeChanged.emit()
            old_indexes = self.persistentIndexList()
            old_nodes = [self.node(i) for i in old_indexes]
            by_id = {id(child.obj): child for child in node._children}
            node._children = [by_id[i] for i in order]
            new_indexes = [
                self.createIndex(n.row(), 0, n) if n is not None else QModelIndex()
                for n in old_nodes
            ]
            self.changePersistentIndexList(old_indexes, new_indexes)
            self.layoutChanged.emit()
        if node._children:
            first = self.index(0, 0, index)
            last = self.index(len(node._children) - 1, 0, index)
            self.dataChanged.emit(first, last)
        self.dataChanged.emit(index, index)

    def refresh(self, obj: Collection | Folder | Request) -> None:
        """Repaint one row (after a rename or a method change)."""
        index = self.index_of(obj)
        if index.isValid():
            self.dataChanged.emit(index, index)

    def set_modified(self, request: Request | None, modified: bool) -> None:
        """Mark the request being edited as unsaved (a dot after its name)."""
        if request is None:
            return
        key = id(request)
        if modified == (key in self._modified):
            return
        if modified:
            self._modified.add(key)
        else:
            self._modified.discard(key)
        self.refresh(request)

    # ------------------------------------------------------- model interface

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if column != 0 or row < 0:
            return QModelIndex()
        parent_node = self.node(parent) if parent.isValid() else self._root
        if parent_node is None:
            return QModelIndex()
        children = parent_node.children
        if row >= len(children):
            return QModelIndex()
        return self.createIndex(row, 0, children[row])

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        node = self.node(index)
        if node is None or node.parent is None or node.parent is self._root:
            return QModelIndex()
        return self.createIndex(node.parent.row(), 0, node.parent)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.column() > 0:
            return 0
        node = self.node(parent) if parent.isValid() else self._root
        return len(node.children) if node is not None else 0

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        node = self.node(parent) if parent.isValid() else self._root
        if node is None:
            return False
        return node is self._root or node.has_children()

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 1

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        node = self.node(index)
        if node is None:
            return None
        obj = node.obj
        if role == NODE_ROLE:
            return node
        if isinstance(obj, LoadProblem):
            return self._problem_data(node, obj, role)
        if obj is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            name = obj.name
            if isinstance(obj, Request) and id(obj) in self._modified:
                return f"{name}  •"
            return name
        if role == METHOD_ROLE and isinstance(obj, Request):
            return obj.method
        if role == Qt.ItemDataRole.DecorationRole:
            if node.kind is NodeKind.COLLECTION:
                return theme.icon("collection")
            if node.kind is NodeKind.FOLDER:
                return theme.icon("folder")
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            path = getattr(obj, "path", None)
            return str(path) if path is not None else None
        return None

    def _problem_data(self, node: Node, problem: LoadProblem, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            root = node.collection().path
            try:
                shown = problem.path.relative_to(root) if root else problem.path
            except ValueError:
                shown = problem.path
            return f"{shown} (cannot be read)"
        if role == Qt.ItemDataRole.DecorationRole:
            return theme.icon("warning")
        if role == Qt.ItemDataRole.ForegroundRole:
            return QColor("#f07178")
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{problem.path}\n{problem.reason}"
        return None


def _folder_contains(folder: Folder, obj: TreeObject) -> bool:
    if obj is folder:
        return True
    if isinstance(obj, Request):
        if any(r is obj for r in folder.requests):
            return True
    elif isinstance(obj, Folder) and any(f is obj for f in folder.folders):
        return True
    return any(_folder_contains(sub, obj) for sub in folder.folders)
