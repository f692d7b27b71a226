"""DownloadsPanel: the downloads list (newest on top), the concurrency limit, and
what the row buttons do.

The panel talks to the ``DownloadService`` only: it never touches a task.  Its
questions (keep the partial file? which hash?) and the desktop calls (open a
file, show a folder) are attributes, so tests hand in answers.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.services import reveal
from app.services.downloads import MAX_CONCURRENCY, Download, DownloadService
from app.ui.downloads import prompts, texts
from app.ui.downloads.prompts import PartialFile
from app.ui.downloads.row import DownloadRow

EMPTY_TEXT = "No downloads yet. Request ▸ Send and Download (Ctrl+Shift+Enter) saves a response."


class DownloadsPanel(QWidget):
    #: a file the file manager could not show (from its worker thread): open its folder
    _reveal_failed = Signal(str)

    def __init__(self, service: DownloadService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._reveal_failed.connect(self._open_folder_of)
        self.setObjectName("downloadsPanel")
        self.service = service
        self.rows: dict[Download, DownloadRow] = {}

        self.concurrency_box = QSpinBox(self)
        self.concurrency_box.setObjectName("concurrencyBox")
        self.concurrency_box.setRange(1, MAX_CONCURRENCY)
        self.concurrency_box.setValue(service.concurrency)
        self.concurrency_box.setToolTip("How many downloads run at once; the others wait, queued")
        self.concurrency_box.valueChanged.connect(service.set_concurrency)
        clear = QPushButton("Clear finished", self)
        clear.setObjectName("clearFinished")
        clear.setToolTip("Take done and cancelled downloads off the list (their files stay)")
        clear.clicked.connect(service.clear_finished)
        head = QHBoxLayout()
        head.addWidget(QLabel("At once", self))
        head.addWidget(self.concurrency_box)
        head.addStretch(1)
        head.addWidget(clear)

        self.empty_label = QLabel(EMPTY_TEXT, self)
        self.empty_label.setObjectName("hint")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        container = QWidget(self)
        self.list_layout = QVBoxLayout(container)
        self.list_layout.setContentsMargins(0, 0, 0, 0)
        self.list_layout.setSpacing(6)
        self.list_layout.addWidget(self.empty_label)
        self.list_layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(container)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self._container = container

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addLayout(head)
        layout.addWidget(scroll, 1)

        service.downloadAdded.connect(self._add_row)
        service.downloadChanged.connect(self._refresh_row)
        service.downloadRemoved.connect(self._remove_row)
        for download in service.downloads:
            self._add_row(download)

    def row(self, download: Download) -> DownloadRow:
        return self.rows[download]

    def _add_row(self, download: Download) -> None:
        row = DownloadRow(download, self._container)
        row.actionRequested.connect(self._on_action)
        self.rows[download] = row
        self.list_layout.insertWidget(0, row)  # newest on top
        self.empty_label.hide()

    def _refresh_row(self, download: Download) -> None:
        row = self.rows.get(download)
        if row is not None:
            row.refresh()

    def _remove_row(self, download: Download) -> None:
        row = self.rows.pop(download, None)
        if row is not None:
            row.deleteLater()
        self.empty_label.setVisible(not self.rows)

    # ------------------------------------------------------------ actions

    def ask_partial_file(self, name: str) -> PartialFile | None:
        return prompts.ask_partial_file(self, name)

    def ask_sha256(self, name: str) -> str | None:
        return prompts.ask_sha256(self, name)

    def open_url(self, url: QUrl) -> bool:
        """Open a file or folder with the desktop's application for it."""
        return QDesktopServices.openUrl(url)

    def show_file(self, path: Path) -> None:
        """The file manager with ``path`` selected (asked from a worker thread, as it can
        take seconds); where no file manager answers, its folder is opened instead."""

        def ask() -> None:
            if not reveal.show_in_file_manager(path):
                self._reveal_failed.emit(str(path))

        threading.Thread(target=ask, name="courier-reveal", daemon=True).start()

    def _open_folder_of(self, path: str) -> None:
        self.open_url(QUrl.fromLocalFile(str(Path(path).parent)))

    def _on_action(self, download: Download, action: str) -> None:
        service = self.service
        destination = download.snapshot.destination
        if action == "pause":
            service.pause(download)
        elif action == "resume":
            service.resume(download)
        elif action == "retry":
            service.retry(download)
        elif action == "cancel":
            answer = self.ask_partial_file(download.name)
            if answer is not None:
                service.cancel(download, keep_part=answer is PartialFile.KEEP)
        elif action == "remove":
            service.remove(download)
        elif action == "open" and destination is not None:
            self.open_url(QUrl.fromLocalFile(str(destination)))
        elif action == "show" and destination is not None:
            self.show_file(Path(destination))
        elif action == "copy_sha":
            self._copy_sha(download)
        elif action == "verify":
            self._verify(download)

    def _copy_sha(self, download: Download) -> None:
        clipboard = QGuiApplication.clipboard()
        if download.snapshot.sha256 and clipboard is not None:
            clipboard.setText(download.snapshot.sha256)

    def _verify(self, download: Download) -> None:
        """Compare the file's SHA-256 with one the user pastes; the row says which."""
        pasted = self.ask_sha256(download.name)
        if pasted is None:
            return
        row = self.rows[download]
        if texts.sha256_matches(download.snapshot.sha256, pasted):
            row.verdict = "✓ The SHA-256 matches the one you gave."
        else:
            row.verdict = (
                "✗ The SHA-256 does NOT match the one you gave: the file is not what was "
                "expected (changed, damaged, or another version)."
            )
        row.refresh()
