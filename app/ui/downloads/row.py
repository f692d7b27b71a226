"""DownloadRow: one download's name, progress, numbers, message and actions.

Updated at most ``UPDATES_PER_SECOND`` times a second by the panel.  The
numbers sit in fixed-size labels (``SteadyLabel``) and the bar has a fixed
height, so progress repaints the row and never relayouts the window; which
buttons show changes only with the state.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.services.downloads import Download
from app.ui.downloads import texts
from app.ui.steady_label import SteadyLabel

#: progress bar steps (a fraction shown to 0.1 %)
STEPS = 1000

#: action -> button text; which show in which state is ``ACTIONS_BY_STATE``
ACTIONS = {
    "pause": "Pause",
    "resume": "Resume",
    "retry": "Retry",
    "cancel": "Cancel",
    "open": "Open",
    "show": "Show in folder",
    "copy_sha": "Copy SHA-256",
    "verify": "Verify…",
    "remove": "Remove",
}
ACTIONS_BY_STATE = {
    "queued": ("pause", "cancel"),
    "running": ("pause", "cancel"),
    "paused": ("resume", "cancel", "remove"),
    "failed": ("retry", "cancel", "remove"),
    "cancelled": ("retry", "remove"),
    "done": ("open", "show", "copy_sha", "verify", "remove"),
}


class DownloadRow(QFrame):
    #: (the download, an ``ACTIONS`` key): a button was clicked
    actionRequested = Signal(Download, str)

    def __init__(self, download: Download, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.download = download
        self.setObjectName("downloadRow")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._state = ""
        self._message = ""
        #: the result of "Verify…" (kept under the engine's message)
        self.verdict = ""

        self.name_label = QLabel("", self)
        self.name_label.setObjectName("downloadName")
        self.name_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.name_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.state_label = SteadyLabel("Downloading", self)
        self.state_label.setObjectName("downloadState")
        self.buttons: dict[str, QToolButton] = {}
        head = QHBoxLayout()
        head.addWidget(self.name_label, 1)
        head.addWidget(self.state_label)
        for action, text in ACTIONS.items():
            button = QToolButton(self)
            button.setText(text)
            button.setObjectName(f"download_{action}")
            button.clicked.connect(lambda _c=False, a=action: self._clicked(a))
            button.hide()
            head.addWidget(button)
            self.buttons[action] = button

        self.bar = QProgressBar(self)
        self.bar.setObjectName("downloadBar")
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(6)
        self.bar.setRange(0, STEPS)

        self.amount_label = SteadyLabel("1023.9 MiB of 1023.9 MiB (100%)", self)
        self.speed_label = SteadyLabel("1023.9 MiB/s", self)
        self.eta_label = SteadyLabel("99:59:59 left", self)
        self.elapsed_label = SteadyLabel("99:59:59", self)
        self.elapsed_label.setToolTip("Time spent downloading")
        numbers = QHBoxLayout()
        for label in (self.amount_label, self.speed_label, self.eta_label, self.elapsed_label):
            label.setObjectName("metaLabel")
            numbers.addWidget(label)
        numbers.addStretch(1)

        self.message_label = QLabel("", self)
        self.message_label.setObjectName("downloadMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.hide()
        self.sha_label = QLabel("", self)
        self.sha_label.setObjectName("downloadHash")
        self.sha_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.sha_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.sha_label.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(4)
        layout.addLayout(head)
        layout.addWidget(self.bar)
        layout.addLayout(numbers)
        layout.addWidget(self.message_label)
        layout.addWidget(self.sha_label)
        self.refresh()

    def _clicked(self, action: str) -> None:
        self.actionRequested.emit(self.download, action)

    def state(self) -> str:
        """The state shown (``DownloadState`` value)."""
        return self._state

    def refresh(self) -> None:
        """Show the download as it is now (cheap: only what changed is set)."""
        download = self.download
        snapshot = download.snapshot
        state = str(download.state)
        name = download.name or "(named by the server)"
        if self.name_label.text() != name:
            self.name_label.setText(name)
            destination = snapshot.destination
            self.name_label.setToolTip(str(destination) if destination else "")
        if state != self._state:
            self._state = state
            self.state_label.set_full_text(texts.state_text(download.state))
            shown = ACTIONS_BY_STATE.get(state, ())
            for action, button in self.buttons.items():
                button.setVisible(action in shown)
            sha = snapshot.sha256 or ""
            self.sha_label.setText(f"SHA-256 {sha}" if sha else "")
            self.sha_label.setVisible(bool(sha))
        self._show_progress(state)
        self.amount_label.set_full_text(texts.amount_text(snapshot))
        running = state == "running"
        self.speed_label.set_full_text(texts.speed_text(snapshot) if running else "")
        self.eta_label.set_full_text(texts.eta_text(snapshot) if running else "")
        self.elapsed_label.set_full_text(texts.elapsed_text(snapshot))
        message = texts.message_text(snapshot)
        self._set_message("\n".join(t for t in (message, self.verdict) if t))

    def _show_progress(self, state: str) -> None:
        snapshot = self.download.snapshot
        fraction = snapshot.fraction
        if state == "done":
            fraction = 1.0
        if fraction is None:
            busy = state == "running"
            if busy != (self.bar.maximum() == 0):  # busy: an unknown length still arriving
                self.bar.setRange(0, 0 if busy else STEPS)
            if not busy:
                self.bar.setValue(0)
            return
        if self.bar.maximum() == 0:
            self.bar.setRange(0, STEPS)
        self.bar.setValue(round(min(fraction, 1.0) * STEPS))

    def _set_message(self, text: str) -> None:
        """The error or notice line, and the verify result."""
        if text == self._message:
            return
        self._message = text
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))
        failed = self.download.snapshot.error is not None
        self.message_label.setProperty("error", failed)
        self.message_label.style().unpolish(self.message_label)
        self.message_label.style().polish(self.message_label)

    def message(self) -> str:
        return self._message
