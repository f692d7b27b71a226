"""The history: every exchange sent, listed by day, and one entry shown read-only.

``HistoryPanel`` lists the ``HistoryService``'s entries (``HistoryListModel``, a
page at a time); ``HistoryEntryView`` shows one entry with the exchange panes
and the body viewer.
"""

from __future__ import annotations

from app.ui.history.entry_view import HistoryEntryView
from app.ui.history.model import HistoryListModel
from app.ui.history.panel import HistoryPanel

__all__ = ["HistoryEntryView", "HistoryListModel", "HistoryPanel"]
