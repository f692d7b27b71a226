"""The downloads panel: one row per download, with its progress and its actions.

``DownloadsPanel`` lists the ``DownloadService``'s downloads (``DownloadRow`` each);
``prompts`` asks where a download goes and what to do with a partial file;
``texts`` turns a snapshot into the words and numbers a row shows.
"""

from __future__ import annotations

from app.ui.downloads.panel import DownloadsPanel
from app.ui.downloads.row import DownloadRow

__all__ = ["DownloadRow", "DownloadsPanel"]
