"""FindBar: Ctrl+F in a TextView — count, next/previous, case and regex options.

The search (``TextSearch``) runs in its own thread over the view's source and
the bar polls it every 50 ms, so matches show as they are found and the GUI
thread never scans the body.  On a growing body the search waits for more
bytes and goes on; it is restarted (debounced) when the text or an option
changes, and when the view shows another body.  A big complete body is split
with a format worker process searching its second half (``_find_helper``).

The owner places the bar (usually under the view); it starts hidden and shows
itself on Ctrl+F in the view.
"""

from __future__ import annotations

import bisect

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

from app.core.viewing.search import TextSearch
from app.services.format_jobs import FormatJob
from app.ui import theme
from app.ui.viewer.text_view import TextView

DEBOUNCE_MS = 150
POLL_MS = 50


def _find_helper(fd: int, size: int, spec: str) -> FormatJob:
    """The second half of a big body's find, in a format worker (started from the
    search's thread: ``FormatJob`` is polled there, never on the GUI thread)."""
    return FormatJob.start("find", fd, readable=size, complete=True, expression=spec)


class FindBar(QWidget):
    """Find in a TextView; see the module docstring."""

    statusChanged = Signal(str)

    def __init__(self, view: TextView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._view = view
        self._search: TextSearch | None = None
        self._current = -1  # index into the stored matches
        self._want_first = False  # jump to the first match once one is found
        self._shown_count = -1
        self._status = ""

        self.field = QLineEdit(self)
        self.field.setPlaceholderText("Find")
        self.field.setClearButtonEnabled(True)
        self.field.setMinimumWidth(200)
        self.case_button = self._toggle("Aa", "Match case")
        self.regex_button = self._toggle(".*", "Regular expression")
        self.status_label = QLabel(self)
        self.status_label.setMinimumWidth(140)
        self.prev_button = self._button("↑", "Previous match (Shift+Enter, Shift+F3)")
        self.next_button = self._button("↓", "Next match (Enter, F3)")
        self.close_button = self._button("✕", "Close (Esc)")

        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(4)
        layout.addWidget(self.field, 1)
        layout.addWidget(self.case_button)
        layout.addWidget(self.regex_button)
        layout.addWidget(self.status_label)
        layout.addWidget(self.prev_button)
        layout.addWidget(self.next_button)
        layout.addWidget(self.close_button)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.restart)
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._update)

        self.field.textChanged.connect(self._debounce.start)
        self.case_button.toggled.connect(self.restart)
        self.regex_button.toggled.connect(self.restart)
        self.prev_button.clicked.connect(self.previous)
        self.next_button.clicked.connect(self.next)
        self.close_button.clicked.connect(self.close_bar)
        self.field.installEventFilter(self)
        view.installEventFilter(self)
        view.findRequested.connect(self.open)
        view.sourceChanged.connect(self._source_changed)
        self.hide()

    def _toggle(self, text: str, tip: str) -> QToolButton:
        button = self._button(text, tip)
        button.setCheckable(True)
        return button

    def _button(self, text: str, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        return button

    # --- public API -----------------------------------------------------------------

    @property
    def search(self) -> TextSearch | None:
        return self._search

    def status_text(self) -> str:
        return self._status

    def current_index(self) -> int:
        """Index of the current match among the stored ones (-1: none)."""
        return self._current

    def open(self) -> None:
        """Show the bar and focus the field (text selected, ready to type over)."""
        self.show()
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.field.selectAll()
        if self.field.text() and self._search is None:
            self.restart()

    def close_bar(self) -> None:
        self._cancel()
        self._view.set_matches((), ())
        self._set_status("")
        self.hide()
        self._view.setFocus(Qt.FocusReason.OtherFocusReason)

    def restart(self) -> None:
        """Search again from the start (text, options or body changed)."""
        self._debounce.stop()
        self._cancel()
        self._current = -1
        self._shown_count = -1
        pattern = self.field.text()
        if not pattern:
            self._view.set_matches((), ())
            self._set_status("")
            return
        search = TextSearch(
            self._view.source,
            pattern,
            case_sensitive=self.case_button.isChecked(),
            regex=self.regex_button.isChecked(),
            encoding=self._view.encoding,
            helper=_find_helper,
        )
        self._search = search
        self._want_first = True
        self._view.set_matches(search.starts, search.ends)
        search.start_thread()
        self._poll.start()
        self._update()

    def next(self) -> None:
        self._step(1)

    def previous(self) -> None:
        self._step(-1)

    # --- internals ----------------------------------------------------------------------

    def _cancel(self) -> None:
        self._poll.stop()
        if self._search is not None:
            self._search.cancel()
            self._search = None

    def _source_changed(self) -> None:
        if self._search is not None or (self.isVisible() and self.field.text()):
            self.restart()

    def _step(self, direction: int) -> None:
        search = self._search
        if search is None:
            if self.field.text():
                self.restart()
            return
        self._debounce.stop()
        self._want_first = False
        stored = search.stored
        if stored == 0:
            return
        if self._current < 0:
            self._current = self._first_from_top(search, stored, direction)
        else:
            self._current = (self._current + direction) % stored
        self._show_current()

    def _first_from_top(self, search: TextSearch, stored: int, direction: int) -> int:
        """The first match at or after the top of the view (the last before it, going back)."""
        top = self._view.top_offset()
        i = bisect.bisect_left(search.starts, top, 0, stored)
        if direction < 0:
            return (i - 1) % stored
        return i % stored

    def _show_current(self) -> None:
        search = self._search
        if search is None or self._current < 0:
            return
        start, end = search.match(self._current)
        self._view.set_current_match((start, end))
        self._view.scroll_to_offset(start, end)
        self._update()

    def _update(self) -> None:
        search = self._search
        if search is None:
            return
        if search.error:
            self._set_status(search.error, error=True)
            self._poll.stop()
            return
        if self._want_first and search.stored:
            top = self._view.top_offset()
            stored = search.stored
            i = self._first_from_top(search, stored, 1)
            # take a match on screen or after it; wrap to the first only when done
            if search.starts[i] >= top or search.done:
                self._want_first = False
                self._current = i
                self._show_current()
                return
        count = search.count
        if count != self._shown_count:
            self._shown_count = count
            self._view.viewport().update()
        if not search.done:
            if self._current >= 0:
                self._set_status(f"{self._current + 1:,} of {count:,}, searching…")
            else:
                self._set_status(f"searching… {count:,} so far")
            return
        self._poll.stop()
        if count == 0:
            self._set_status("no matches")
        elif self._current >= 0:
            self._set_status(f"{self._current + 1:,} of {count:,}")
        else:
            self._set_status(f"{count:,} match" + ("" if count == 1 else "es"))

    def _set_status(self, text: str, *, error: bool = False) -> None:
        colour = theme.ERROR_COLOR if error else theme.MUTED
        self.status_label.setStyleSheet(f"color: {colour};")
        if text != self._status:
            self._status = text
            self.status_label.setText(text)
            self.statusChanged.emit(text)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return super().eventFilter(watched, event)
        key = event.key()
        shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        if key == Qt.Key.Key_F3:
            if not self.isVisible():
                self.open()
            self._step(-1 if shift else 1)
            return True
        if key == Qt.Key.Key_Escape and self.isVisible():
            self.close_bar()
            return True
        if watched is self.field and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self._debounce.isActive():  # typed, then Enter at once: search now
                self.restart()
            self._step(-1 if shift else 1)
            return True
        return super().eventFilter(watched, event)

    def closeEvent(self, event: object) -> None:
        self._cancel()
        super().closeEvent(event)  # type: ignore[arg-type]
