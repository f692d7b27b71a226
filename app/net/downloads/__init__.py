"""Downloads straight to disk: resume, retries with backoff, SHA-256, no Qt.

``DownloadTask`` is the face (see its module); ``Session.download`` /
``Session.download_url`` / ``Session.restore_download`` make them.  File names
come from ``app.core.download_names``.
"""

from __future__ import annotations

from app.net.downloads.resume_record import ResumeRecord, read_record, record_path
from app.net.downloads.task import (
    DownloadOptions,
    DownloadSnapshot,
    DownloadSource,
    DownloadState,
    DownloadTask,
)

__all__ = [
    "DownloadOptions",
    "DownloadSnapshot",
    "DownloadSource",
    "DownloadState",
    "DownloadTask",
    "ResumeRecord",
    "read_record",
    "record_path",
]
