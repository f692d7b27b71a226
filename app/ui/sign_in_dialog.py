"""The OAuth 2.0 browser sign-in, shown while Courier waits for it.

A sign-in (authorization code with PKCE) waits for the browser to come back to
Courier.  Where no browser opens (a server, a container, a remote session, or a
desktop whose opener starts and fails silently) the user needs the address to open
elsewhere on this computer, and a way out: this dialog shows the address (whole,
selectable, with Copy), the time left before Courier gives up, and Cancel.  It
closes by itself when the sign-in ends, however it ends.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QObject, Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication, QResizeEvent, QShowEvent, QTextOption
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.net.sign_in import BrowserOpener, PendingSignIn
from app.services.sends import SendService

OPENED_TEXT = (
    "Sign in in the browser window Courier opened. If none opened, open this address "
    "in a browser on this computer:"
)
#: the address box grows with the address up to this many lines, then scrolls
ADDRESS_MAX_LINES = 10
NOT_OPENED_TEXT = (
    "Courier could not open a web browser. Open this address in a browser on this "
    "computer and sign in there; Courier is waiting for the answer:"
)


def open_in_desktop_browser(url: str) -> bool:
    """The desktop's browser; False when none could be started."""
    return QDesktopServices.openUrl(QUrl(url))


class SignInDialog(QDialog):
    """One pending sign-in: what to do, the address to copy, time left, Cancel."""

    def __init__(self, pending: PendingSignIn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pending = pending
        self.setWindowTitle("Sign in — OAuth 2.0")
        self.setModal(False)
        self.message = QLabel(OPENED_TEXT if pending.browser_opened else NOT_OPENED_TEXT, self)
        self.message.setWordWrap(True)
        self.address = QTextEdit(self)
        self.address.setObjectName("signInAddress")
        self.address.setPlainText(pending.url)
        self.address.setReadOnly(True)
        self.address.setWordWrapMode(QTextOption.WrapMode.WrapAnywhere)  # a URL has no spaces
        self.address.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.copy_button = QPushButton("Copy address", self)
        self.copy_button.clicked.connect(self.copy_address)
        self.open_button = QPushButton("Open in browser", self)
        self.open_button.clicked.connect(lambda: open_in_desktop_browser(pending.url))
        self.copied = QLabel("", self)
        self.copied.setObjectName("hint")
        self.time_left = QLabel("", self)
        self.time_left.setObjectName("hint")
        row = QHBoxLayout()
        row.addWidget(self.copy_button)
        row.addWidget(self.open_button)
        row.addWidget(self.copied, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.address)
        layout.addLayout(row)
        layout.addWidget(self.time_left)
        layout.addWidget(self.buttons)
        self.resize(560, self.sizeHint().height())
        self._ticks = QTimer(self)
        self._ticks.setInterval(1000)
        self._ticks.timeout.connect(self._show_time_left)
        self._ticks.start()
        self._show_time_left()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit_address()
        self.resize(self.width(), self.sizeHint().height())  # no gaps around a short address

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._fit_address()

    def _fit_address(self) -> None:
        """The address box as tall as the wrapped address (up to ``ADDRESS_MAX_LINES``),
        so the whole address shows without scrolling."""
        box = self.address
        document = box.document()
        document.setTextWidth(box.viewport().width())
        chrome = box.height() - box.viewport().height()
        most = box.fontMetrics().lineSpacing() * ADDRESS_MAX_LINES
        box.setFixedHeight(min(math.ceil(document.size().height()), most) + chrome)

    def copy_address(self) -> None:
        QGuiApplication.clipboard().setText(self.pending.url)
        self.copied.setText("Copied.")

    def _show_time_left(self) -> None:
        left = int(self.pending.seconds_left() + 0.5)
        self.time_left.setText(
            f"Waiting for the sign-in… {left // 60}:{left % 60:02d} left (then Courier gives up)"
        )

    def reject(self) -> None:
        """Cancel (or closing the dialog) cancels the sign-in; the send says so."""
        self.pending.cancel()
        self.finish()

    def finish(self) -> None:
        """The sign-in ended: close without cancelling anything."""
        self._ticks.stop()
        super().reject()


class SignInPrompter(QObject):
    """Shows a ``SignInDialog`` over ``window`` for each sign-in ``sends`` waits for,
    and gives ``sends`` the desktop's browser (or ``open_browser``, for tests)."""

    def __init__(
        self,
        sends: SendService,
        window: QWidget,
        open_browser: BrowserOpener = open_in_desktop_browser,
    ) -> None:
        super().__init__(window)
        self._window = window
        self.dialogs: dict[PendingSignIn, SignInDialog] = {}
        sends.browser_opener = open_browser
        sends.signInStarted.connect(self._show)
        sends.signInEnded.connect(self._close)

    def _show(self, pending: PendingSignIn) -> None:
        dialog = SignInDialog(pending, self._window)
        self.dialogs[pending] = dialog
        dialog.show()
        dialog.raise_()

    def _close(self, pending: PendingSignIn) -> None:
        dialog = self.dialogs.pop(pending, None)
        if dialog is not None:
            dialog.finish()
            dialog.deleteLater()
