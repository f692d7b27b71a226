"""The sidebar's item model: open collections, their folders and requests.

Nodes are created lazily (a folder's children exist only once the view asks
for them), so a 10,000-request collection opens as fast as its top level.
Structural edits go through ``sync(node)``, which diffs a node's children
against the model objects by identity: rows are inserted and removed
individually, so expansion and selection elsewhere in the tree survive.

Requests and folders can be dragged within their collection: a drop is not
carried out here but asked for (``moveRequested``), and the rows follow when
the workspace has moved the files (``sync``).
"""

from __future__ import annotations

import enum
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor

from app.core.model import Collection, Folder, LoadProblem, Request
from app.session import foreign
from app.ui import theme

Index = QModelIndex | QPersistentModelIndex
#: what a row of the tree stands for (the invisible root holds None)
TreeObject = Collection | Folder | Request | LoadProblem | None

#: custom data roles
NODE_ROLE = Qt.ItemDataRole.UserRole + 1
METHOD_ROLE = Qt.ItemDataRole.UserRole + 2

#: what a dragged row carries (its node's key, valid within this model only)
NODE_MIME = "application/x-courier-tree-node"


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

    #: a row was dropped: (the dragged node, the collection or folder it goes into, its
    #: index among the target's folders or requests, as ``storage.move`` takes it)
    moveRequested = Signal(Node, object, int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._root = Node(NodeKind.COLLECTION, None, None)
        self._root._children = []
        self._modified: set[int] = set()
        self._dragged: dict[str, Node] = {}

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
        """The index of a model object, creating nodes on the way (for selecting it).

        Rows not yet in step with the model objects on the way to it (a caller
        asking before the workspace's change signal reached ``sync``) are
        synced first, so the index found is one the view knows."""
        self._sync_path_to(obj)
        for collection_node in self._root.children:
            found = self._find(collection_node, obj)
            if found is not None:
                return self.createIndex(found.row(), 0, found)
        return QModelIndex()

    def _index_of_node(self, obj: TreeObject) -> QModelIndex:
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

    def _sync_path_to(self, obj: TreeObject) -> None:
        if not isinstance(obj, Folder | Request | LoadProblem):
            return
        for collection_node in self._root.children:
            collection = collection_node.obj
            if not isinstance(collection, Collection):
                continue
            chain = _containers_of(collection, obj)
            if chain is None:
                continue
            node: Node | None = collection_node
            for depth, container in enumerate(chain):
                if node is None or node._children is None:
                    return  # never shown below here: its rows are built when asked
                if [id(child.obj) for child in node._children] != [
                    id(o) for _, o in node.child_objects()
                ]:
                    self.sync(container)
                if depth + 1 < len(chain):
                    below = chain[depth + 1]
                    node = next((c for c in node.children if c.obj is below), None)
            return

    def sync(self, obj: Collection | Folder) -> None:
        """Bring the rows under ``obj`` in line with its folders/requests/problems."""
        index = self._index_of_node(obj)
        node = self.node(index)
        if node is None:
            return
        if node._children is None:
            # never asked for: the view may have been told it has no children (an empty
            # collection, expanded): insert its rows, or they appear only after a collapse
            wanted = node.child_objects()
            if wanted:
                node._children = []  # what the view knows until the rows are in
                self.beginInsertRows(index, 0, len(wanted) - 1)
                node._children.extend(Node(kind, o, node) for kind, o in wanted)
                self.endInsertRows()
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
        index = self._index_of_node(obj)
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
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        node = self.node(index)
        if node is not None and node.kind in (NodeKind.FOLDER, NodeKind.REQUEST):
            flags |= Qt.ItemFlag.ItemIsDragEnabled
        if node is not None and node.kind in (NodeKind.COLLECTION, NodeKind.FOLDER):
            flags |= Qt.ItemFlag.ItemIsDropEnabled
        return flags

    # ------------------------------------------------------- drag and drop

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [NODE_MIME]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:  # type: ignore[override]
        data = QMimeData()
        nodes = [n for n in (self.node(i) for i in indexes) if n is not None]
        if nodes and nodes[0].kind in (NodeKind.FOLDER, NodeKind.REQUEST):
            key = str(id(nodes[0]))
            self._dragged = {key: nodes[0]}
            data.setData(NODE_MIME, key.encode())
        return data

    def dragged_node(self, data: QMimeData) -> Node | None:
        """The node a drag carries (None: not one of this model's rows)."""
        if not data.hasFormat(NODE_MIME):
            return None
        return self._dragged.get(bytes(data.data(NODE_MIME).data()).decode())

    def drop_target(
        self, data: QMimeData, row: int, parent: Index
    ) -> tuple[Node, Collection | Folder, int] | None:
        """Where a drop at ``row`` under ``parent`` puts the dragged item, as ``storage.move``
        takes it; None when it cannot go there (another collection, a folder into itself)."""
        dragged = self.dragged_node(data)
        target_node = self.node(parent)
        if dragged is None or target_node is None:
            return None
        target = target_node.obj
        item = dragged.obj
        if not isinstance(target, Collection | Folder) or not isinstance(item, Folder | Request):
            return None
        if target_node.collection() is not dragged.collection():
            return None
        if isinstance(item, Folder) and (target is item or _folder_contains(item, target)):
            return None
        siblings: list[Folder] | list[Request] = (
            target.folders if isinstance(item, Folder) else target.requests
        )
        if row < 0:
            index = len(siblings)
        else:
            before = row if isinstance(item, Folder) else row - len(target.folders)
            index = max(0, min(before, len(siblings)))
        current = next((i for i, s in enumerate(siblings) if s is item), None)
        if current is not None and current < index:
            index -= 1  # it leaves its place before it takes the new one
        return dragged, target, index

    def canDropMimeData(
        self,
        data: QMimeData,
        action: Qt.DropAction,
        row: int,
        column: int,
        parent: Index,
    ) -> bool:
        return (
            action == Qt.DropAction.MoveAction and self.drop_target(data, row, parent) is not None
        )

    def dropMimeData(
        self,
        data: QMimeData,
        action: Qt.DropAction,
        row: int,
        column: int,
        parent: Index,
    ) -> bool:
        """Ask for the move (the files change first); the view removes no rows itself."""
        if action != Qt.DropAction.MoveAction:
            return False
        found = self.drop_target(data, row, parent)
        if found is None:
            return False
        node, target, index = found
        self.moveRequested.emit(node, target, index)
        return False

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
            if isinstance(obj, Collection) and obj.foreign:
                return f"{name}  ({foreign.tool_of(obj)})"
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
            shown = str(path) if path is not None else None
            if isinstance(obj, Collection) and obj.foreign:
                return (
                    f"{shown}\nA {foreign.label_of(obj)}, opened as it is: Courier reads and "
                    "sends it and writes nothing into it; saving a change converts it to a "
                    "Courier collection."
                )
            owner = node.collection()
            if owner.foreign and shown is not None:
                return f"{shown}\n{foreign.tool_of(owner)}'s file, opened as it is"
            return shown
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
            return QColor(theme.ERROR_COLOR)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{problem.path}\n{problem.reason}"
        return None


def _containers_of(
    collection: Collection, obj: Folder | Request | LoadProblem
) -> list[Collection | Folder] | None:
    """The collection and folders above ``obj`` (outermost first), or None if absent."""
    if isinstance(obj, LoadProblem):
        return [collection] if any(p is obj for p in collection.problems) else None

    def walk(
        container: Collection | Folder, chain: list[Collection | Folder]
    ) -> list[Collection | Folder] | None:
        here = [*chain, container]
        if any(r is obj for r in container.requests) or any(f is obj for f in container.folders):
            return here
        for sub in container.folders:
            found = walk(sub, here)
            if found is not None:
                return found
        return None

    return walk(collection, [])


def _folder_contains(folder: Folder, obj: TreeObject) -> bool:
    if obj is folder:
        return True
    if isinstance(obj, Request):
        if any(r is obj for r in folder.requests):
            return True
    elif isinstance(obj, Folder) and any(f is obj for f in folder.folders):
        return True
    return any(_folder_contains(sub, obj) for sub in folder.folders)
