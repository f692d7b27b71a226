"""Help ▸ Keyboard shortcuts: every command that has a shortcut, by category, searchable.

Built from the command registry each time it opens, so it lists exactly the
shortcuts the window answers to.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.fuzzy import Pattern
from app.ui.commands import CommandRegistry

OTHER = "Other"


def _key_text(text: str) -> str:
    """Key names without separators, to compare ``ctrl k`` with ``Ctrl+K``."""
    return "".join(text.lower().replace("+", " ").split())


class ShortcutsDialog(QDialog):
    def __init__(self, registry: CommandRegistry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard Shortcuts")
        self.resize(560, 520)
        self._registry = registry

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search commands or keys (ctrl+k)")
        self.search.setClearButtonEnabled(True)
        self.tree = QTreeWidget()
        self.tree.setObjectName("shortcutList")
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(["Command", "Shortcut"])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QTreeWidget.SelectionMode.NoSelection)
        self.tree.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self.empty = QLabel("No shortcut matches.")
        self.empty.setObjectName("placeholder")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.empty, 1)
        layout.addWidget(buttons)

        #: each category's row and its commands' rows
        self._groups: list[tuple[QTreeWidgetItem, list[QTreeWidgetItem]]] = []
        self._fill()
        self.search.textChanged.connect(self._filter)
        self.search.setFocus()

    def _fill(self) -> None:
        groups: dict[str, tuple[QTreeWidgetItem, list[QTreeWidgetItem]]] = {}
        for command in self._registry:
            if not command.shortcuts:
                continue
            category = command.category or OTHER
            if category not in groups:
                header = QTreeWidgetItem(self.tree, [category])
                font = QFont(self.font())
                font.setBold(True)
                header.setFont(0, font)
                header.setFirstColumnSpanned(True)
                header.setFlags(Qt.ItemFlag.ItemIsEnabled)
                groups[category] = (header, [])
                self._groups.append(groups[category])
            header, items = groups[category]
            title = command.title.replace("&", "")
            item = QTreeWidgetItem(header, [title, self._registry.shortcut_text(command.id)])
            items.append(item)
            item.setData(0, Qt.ItemDataRole.UserRole, command.id)
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.tree.expandAll()

    def _filter(self, query: str) -> None:
        query = query.strip()
        pattern = Pattern(query)
        keys = _key_text(query)
        any_shown = False
        for header, items in self._groups:
            shown = 0
            for item in items:
                label = f"{header.text(0)}: {item.text(0)}"
                visible = (
                    not query
                    or pattern.match(label) is not None
                    or (bool(keys) and keys in _key_text(item.text(1)))
                )
                item.setHidden(not visible)
                shown += visible
            header.setHidden(shown == 0)
            any_shown = any_shown or shown > 0
        self.tree.setVisible(any_shown)
        self.empty.setVisible(not any_shown)

    def entries(self) -> list[tuple[str, str, str]]:
        """(category, title, shortcut) of every row on show, in order."""
        shown: list[tuple[str, str, str]] = []
        for header, items in self._groups:
            if header.isHidden():
                continue
            shown.extend(
                (header.text(0), item.text(0), item.text(1))
                for item in items
                if not item.isHidden()
            )
        return shown


def show_shortcuts(registry: CommandRegistry, parent: QWidget) -> ShortcutsDialog:
    """Open the page over ``parent`` (not modal: it can stay open while you work)."""
    dialog = ShortcutsDialog(registry, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog
