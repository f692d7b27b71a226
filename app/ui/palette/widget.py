"""The command palette: a popup over the window to run any command or open any request.

Ctrl+K / Ctrl+Shift+P open it on the commands (its text starts with ``>``), Ctrl+P
on the requests of every open collection; typing ``>`` at the start switches to
commands and deleting it back to requests, as in VS Code.  Keyboard only: type,
Up/Down/PgUp/PgDn, Enter runs or opens, Esc closes (so does clicking elsewhere).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from typing import Any

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFrame,
    QLabel,
    QLineEdit,
    QListView,
    QVBoxLayout,
    QWidget,
)

from app.core.fuzzy import Candidate, Ranker
from app.ui.commands import Command, CommandRegistry
from app.ui.palette.delegate import PaletteDelegate
from app.ui.palette.requests import (
    PATH,
    RequestCandidates,
    RequestRef,
    request_weights,
)
from app.ui.palette.rows import CommandRow, PaletteModel, PaletteRow, RequestRow

COMMAND_PREFIX = ">"
MAX_RECENT = 12
WIDTH = 640
MAX_VISIBLE_ROWS = 10
TOP_MARGIN = 52


#: keys the palette handles itself, before any window shortcut
PALETTE_KEYS = frozenset(
    {
        Qt.Key.Key_Escape,
        Qt.Key.Key_Return,
        Qt.Key.Key_Enter,
        Qt.Key.Key_Up,
        Qt.Key.Key_Down,
        Qt.Key.Key_PageUp,
        Qt.Key.Key_PageDown,
    }
)
KEYPAD = Qt.KeyboardModifier.KeypadModifier


class PaletteMode(enum.StrEnum):
    COMMANDS = "commands"
    REQUESTS = "requests"


class CommandPalette(QFrame):
    """The palette of one window.

    ``requests`` is asked, each time the palette shows requests, for the
    (collection, request) pairs of every open collection.
    """

    #: the user chose a request: (collection, request)
    requestChosen = Signal(object, object)
    #: the palette closed (chosen, Esc or clicked away)
    closed = Signal()

    def __init__(
        self,
        window: QWidget,
        registry: CommandRegistry,
        requests: Callable[[], Iterable[RequestRef]],
    ) -> None:
        super().__init__(window)
        self.setObjectName("commandPalette")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._window = window
        self._registry = registry
        self._requests = requests
        #: command ids, most recently run from the palette first
        self.recent_commands: list[str] = []
        self._rankers: dict[PaletteMode, Ranker[Any]] = {}
        self._enabled: dict[str, bool] = {}
        self._return_focus: QWidget | None = None
        self._request_candidates = RequestCandidates()

        self.line_edit = QLineEdit()
        self.line_edit.setObjectName("paletteInput")
        self.line_edit.setClearButtonEnabled(False)
        self.model = PaletteModel()
        self.list_view = QListView()
        self.list_view.setObjectName("paletteList")
        self.list_view.setModel(self.model)
        self.list_view.setItemDelegate(PaletteDelegate(self.list_view))
        self.list_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list_view.setUniformItemSizes(True)
        self.list_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list_view.clicked.connect(lambda index: self._activate(index.row()))
        self.hint = QLabel()
        self.hint.setObjectName("paletteHint")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 6)
        layout.setSpacing(6)
        layout.addWidget(self.line_edit)
        layout.addWidget(self.list_view)
        layout.addWidget(self.hint)

        self.line_edit.textChanged.connect(self._refresh)
        self.line_edit.installEventFilter(self)
        window.installEventFilter(self)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._on_focus_changed)
        self.hide()

    # ------------------------------------------------------------ opening and closing

    def open(self, mode: PaletteMode | str = PaletteMode.COMMANDS) -> None:
        """Show the palette on ``mode``'s list, with an empty query."""
        mode = PaletteMode(mode)
        if not self.isVisible():
            focused = QApplication.focusWidget()
            self._return_focus = (
                focused if focused is not None and focused is not self.line_edit else None
            )
        self._rankers.clear()
        self._enabled.clear()
        text = COMMAND_PREFIX if mode is PaletteMode.COMMANDS else ""
        self._place()
        self.show()
        self.raise_()
        if self.line_edit.text() == text:
            self._refresh(text)
        else:
            self.line_edit.setText(text)
        self.line_edit.setFocus(Qt.FocusReason.PopupFocusReason)
        self.line_edit.end(False)

    def close_palette(self) -> None:
        if not self.isVisible():
            return
        self.hide()
        self._rankers.clear()
        target = self._return_focus
        self._return_focus = None
        if target is not None and shiboken6.isValid(target):  # it may be gone (a closed tab)
            target.setFocus(Qt.FocusReason.PopupFocusReason)
        self.closed.emit()

    def mode(self) -> PaletteMode:
        return (
            PaletteMode.COMMANDS
            if self.line_edit.text().startswith(COMMAND_PREFIX)
            else PaletteMode.REQUESTS
        )

    def query(self) -> str:
        text = self.line_edit.text()
        return text[len(COMMAND_PREFIX) :] if self.mode() is PaletteMode.COMMANDS else text

    def current_row(self) -> PaletteRow | None:
        return self.model.row_at(self.list_view.currentIndex().row())

    # ------------------------------------------------------------ keys

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() == QEvent.Type.Resize and self.isVisible():
            self._place()
        if watched is self.line_edit and event.type() == QEvent.Type.ShortcutOverride:
            # the palette's keys are its own: the window's Esc (Stop), Enter (Send)...
            # shortcuts would take them first
            assert isinstance(event, QKeyEvent)
            if event.key() in PALETTE_KEYS and not event.modifiers() & ~KEYPAD:
                event.accept()
                return True
        if watched is self.line_edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            return self._key(event)
        return super().eventFilter(watched, event)

    def _key(self, event: QKeyEvent) -> bool:
        key = event.key()
        page = max(1, self.list_view.viewport().height() // max(1, self._row_height()) - 1)
        if key == Qt.Key.Key_Escape:
            self.close_palette()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._activate(self.list_view.currentIndex().row())
        elif key == Qt.Key.Key_Down:
            self._move(1)
        elif key == Qt.Key.Key_Up:
            self._move(-1)
        elif key == Qt.Key.Key_PageDown:
            self._move(page)
        elif key == Qt.Key.Key_PageUp:
            self._move(-page)
        else:
            return False
        return True

    def _row_height(self) -> int:
        if self.model.rowCount() == 0:
            return 1
        return self.list_view.sizeHintForRow(0)

    def _move(self, delta: int) -> None:
        """Move the current row by ``delta``, over disabled rows, stopping at the ends."""
        rows = self.model.rows()
        enabled = [i for i, row in enumerate(rows) if row.enabled]
        if not enabled:
            return
        current = self.list_view.currentIndex().row()
        if current < 0:
            target = enabled[0] if delta > 0 else enabled[-1]
        else:
            wanted = max(0, min(len(rows) - 1, current + delta))
            if delta > 0:
                after = [i for i in enabled if i >= wanted]
                target = after[0] if after else enabled[-1]
            else:
                before = [i for i in enabled if i <= wanted]
                target = before[-1] if before else enabled[0]
        self._set_current(target)

    def _set_current(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.list_view.setCurrentIndex(index)
        self.list_view.scrollTo(index)

    def _activate(self, row_number: int) -> None:
        row = self.model.row_at(row_number)
        if row is None or not row.enabled:
            return
        self.close_palette()
        if isinstance(row, CommandRow):
            command_id = row.command.id
            if self._registry.run(command_id):
                self._remember(command_id)
        else:
            self.requestChosen.emit(row.collection, row.request)

    def _remember(self, command_id: str) -> None:
        if command_id in self.recent_commands:
            self.recent_commands.remove(command_id)
        self.recent_commands.insert(0, command_id)
        del self.recent_commands[MAX_RECENT:]

    # ------------------------------------------------------------ listing

    def _refresh(self, _text: str = "") -> None:
        mode, query = self.mode(), self.query()
        if mode is PaletteMode.COMMANDS:
            rows = self._command_rows(query)
            self.line_edit.setPlaceholderText("")
        else:
            rows = self._request_rows(query)
            self.line_edit.setPlaceholderText(
                f"Search requests by name or URL  ·  type {COMMAND_PREFIX} for commands"
            )
        self.model.set_rows(rows)
        first = next((i for i, row in enumerate(rows) if row.enabled), -1)
        if first >= 0:
            self._set_current(first)
        self._update_hint(mode, len(rows))
        self._fit_height()

    def _ranker(self, mode: PaletteMode) -> Ranker[Any]:
        ranker = self._rankers.get(mode)
        if ranker is None:
            if mode is PaletteMode.COMMANDS:
                commands = [c for c in self._registry if c.in_palette]
                self._enabled = {c.id: self._registry.is_enabled(c.id) for c in commands}
                ranker = Ranker([Candidate(c, (c.label,)) for c in commands])
            else:
                ranker = Ranker(self._request_candidates.build(self._requests()), request_weights())
            self._rankers[mode] = ranker
        return ranker

    def _command_rows(self, query: str) -> list[PaletteRow]:
        ranker = self._ranker(PaletteMode.COMMANDS)
        ranked = ranker.rank(query)
        commands: list[tuple[Command, tuple[int, ...]]] = [(r.item, r.positions[0]) for r in ranked]
        if not query.strip() and self.recent_commands:
            order = {cid: n for n, cid in enumerate(self.recent_commands)}
            commands.sort(key=lambda c: order.get(c[0].id, len(order)))
        return [
            CommandRow(
                command,
                positions,
                self._enabled.get(command.id, False),
                self._registry.shortcut_text(command.id),
            )
            for command, positions in commands
        ]

    def _request_rows(self, query: str) -> list[PaletteRow]:
        ranker = self._ranker(PaletteMode.REQUESTS)
        return [
            RequestRow(r.item[0], r.item[1], r.fields[PATH], r.positions)
            for r in ranker.rank(query)
        ]

    def _update_hint(self, mode: PaletteMode, shown: int) -> None:
        ranker = self._rankers.get(mode)
        noun = "commands" if mode is PaletteMode.COMMANDS else "requests"
        if ranker is not None and not ranker.candidates:
            text = "No command" if mode is PaletteMode.COMMANDS else "No open collection"
        elif shown == 0:
            text = f"No matching {noun}"
        elif ranker is not None and ranker.truncated:
            # (matches are counted loosely, past NARROW_LIMIT not at all: no count shown)
            text = f"The best {shown:,} {noun} shown: type more to narrow"
        else:
            text = ""
        self.hint.setText(text)
        self.hint.setVisible(bool(text))

    # ------------------------------------------------------------ geometry

    def _place(self) -> None:
        parent = self._window
        width = max(320, min(WIDTH, parent.width() - 40))
        self.setFixedWidth(width)
        self.move((parent.width() - width) // 2, min(TOP_MARGIN, parent.height() // 10))
        self._fit_height()

    def _fit_height(self) -> None:
        rows = min(MAX_VISIBLE_ROWS, self.model.rowCount())
        height = rows * self._row_height() + 4 if rows else 0
        self.list_view.setFixedHeight(height)
        self.list_view.setVisible(rows > 0)
        self.adjustSize()
        room = self._window.height() - self.y() - 8
        if self.height() > room > 0:
            self.list_view.setFixedHeight(max(0, height - (self.height() - room)))
            self.adjustSize()

    def _on_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        """Clicking elsewhere closes the palette (after the click has landed)."""
        if not self.isVisible() or new is None:
            return
        if new is self or self.isAncestorOf(new):
            return
        QTimer.singleShot(0, self._close_if_focus_left)

    def _close_if_focus_left(self) -> None:
        focused = QApplication.focusWidget()
        if self.isVisible() and focused is not None and not self.isAncestorOf(focused):
            self._return_focus = None
            self.close_palette()
