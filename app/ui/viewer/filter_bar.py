"""The JSON filter bar: a JSONPath or jq expression, its result shown live.

Typing is debounced; a body under ``IN_PROCESS_LIMIT`` is filtered right here
(milliseconds), a larger one in the format worker process (kind ``filter``)
so the window never stalls; a newer expression cancels the running job.  The
result is always offered as a ByteSource (``resultReady``, ``result_source``)
so the owner can show a big one in the text view; a small one is also shown in
the bar's own read-only text area.  Errors and the match count are shown
inline.
"""

from __future__ import annotations

import os
import tempfile

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from app.core.units import human_size
from app.core.viewing.json_filter import FilterError, check_size, language_of, run_filter
from app.core.viewing.source import ByteSource, FileSource, MemorySource
from app.services.format_jobs import IN_PROCESS_LIMIT, FormatJob

DEBOUNCE_MS = 300
POLL_MS = 30
#: results up to this size are also shown in the bar's own text area
SHOWN_RESULT_LIMIT = 256 << 10
PLACEHOLDER = "Filter: $.items[*].id  or  .items[] | .id"


class FilterBar(QWidget):
    #: the result as a ByteSource (MemorySource or a growing FileSource)
    resultReady = Signal(object)
    #: the expression was cleared: show the body again
    cleared = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._source: ByteSource | None = None
        self._fd: int | None = None
        self._spilled: int | None = None  # our own temp copy of a big in-memory body
        self._job: FormatJob | None = None
        self.result_source: ByteSource | None = None
        self.count: int | None = None
        self.error: str | None = None
        self.waiting = False  # an expression waits for the body to complete
        self._language = "jq"

        self.field = QLineEdit(self)
        self.field.setPlaceholderText(PLACEHOLDER)
        self.field.setClearButtonEnabled(True)
        self.status = QLabel(self)
        self.result = QPlainTextEdit(self)
        self.result.setReadOnly(True)
        self.result.hide()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.field, 1)
        row.addWidget(self.status)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.result, 1)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.run_now)
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._poll_job)
        self.field.textChanged.connect(lambda _text: self._debounce.start())
        self.field.returnPressed.connect(self.run_now)

    # -- the ByteSource contract -----------------------------------------------

    def set_source(self, source: ByteSource, fd: int | None = None) -> None:
        """Filter ``source``; ``fd`` (optional) is a file holding the same bytes,
        which a worker process reads for big bodies (a ``FileSource``'s own fd is
        used when none is given)."""
        self._stop_job()
        self._drop_spill()
        self._source = source
        self._fd = fd if fd is not None else source.fd if isinstance(source, FileSource) else None
        if self.field.text().strip():
            self.run_now()

    def refresh(self) -> None:
        """Run a waiting expression once the body is complete."""
        if self._source is not None and self._source.complete() and self.waiting:
            self.run_now()

    def set_expression(self, expression: str) -> None:
        self.field.setText(expression)
        self.run_now()

    # -- running ---------------------------------------------------------------

    def run_now(self) -> None:
        self._debounce.stop()
        self._stop_job()
        self.waiting = False
        expression = self.field.text().strip()
        source = self._source
        if not expression:
            self._show_result(None, None, None)
            self.status.setText("")
            self.cleared.emit()
            return
        language = "JSONPath" if language_of(expression) == "jsonpath" else "jq"
        if source is None:
            return
        if not source.complete():
            self.waiting = True
            self.status.setText("Filtering once the body has arrived…")
            return
        size = source.size()
        try:
            check_size(size)
        except FilterError as exc:
            self._show_error(str(exc))
            return
        if size <= IN_PROCESS_LIMIT:
            try:
                result = run_filter(source.read(0, size), expression)
            except FilterError as exc:
                self._show_error(str(exc))
                return
            self._show_result(MemorySource(result.text.encode("utf-8")), result.count, None)
            self.status.setText(self._count_text(result.count, language))
            return
        fd = self._fd if self._fd is not None else self._spill(source)
        self._job = FormatJob.start(
            "filter", fd, readable=size, complete=True, expression=expression
        )
        self._language = language
        self.status.setText(f"Filtering {human_size(size)}…")
        self._poll.start()

    def _spill(self, source: ByteSource) -> int:
        """Copy a big body that has no file into an unlinked temp file for the worker."""
        if self._spilled is None:
            fd, path = tempfile.mkstemp(prefix="courier-filter-")
            os.unlink(path)
            offset = 0
            while chunk := source.read(offset, 4 << 20):
                os.write(fd, chunk)
                offset += len(chunk)
            self._spilled = fd
        return self._spilled

    def _poll_job(self) -> None:
        job = self._job
        if job is None:
            self._poll.stop()
            return
        job.poll()
        if not job.done:
            return
        self._poll.stop()
        if job.error:
            self._show_error(job.error)
            job.close()
            self._job = None
            return
        self._show_result(job.output, job.count, job)
        self.status.setText(self._count_text(job.count or 0, self._language))

    @staticmethod
    def _count_text(count: int, language: str) -> str:
        return f"{count:,} result{'' if count == 1 else 's'} ({language})"

    def _show_error(self, message: str) -> None:
        self._show_result(None, None, None)
        self.error = message
        self.status.setText(message)
        self.status.setStyleSheet("color: palette(link-visited);")

    def _show_result(
        self, source: ByteSource | None, count: int | None, job: FormatJob | None
    ) -> None:
        self.status.setStyleSheet("")
        self.error = None
        self.count = count
        self.result_source = source
        if source is None:
            self.result.clear()
            self.result.hide()
            return
        size = source.size()
        if size <= SHOWN_RESULT_LIMIT:
            self.result.setPlainText(source.read(0, size).decode("utf-8", "replace"))
            self.result.show()
        else:
            self.result.clear()
            self.result.hide()
        self.resultReady.emit(source)

    def _stop_job(self) -> None:
        self._poll.stop()
        if self._job is not None:
            self._job.close()
            self._job = None

    def _drop_spill(self) -> None:
        if self._spilled is not None:
            os.close(self._spilled)
            self._spilled = None

    def close_jobs(self) -> None:
        """Stop any worker and free temp files (the owner calls this when done)."""
        self._stop_job()
        self._drop_spill()
