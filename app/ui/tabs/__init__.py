"""Request tabs: each open request in a tab of its own (draft, editor, response, exchange)."""

from app.ui.tabs.request_tab import UNTITLED, RequestTab
from app.ui.tabs.tab_bar import RequestTabBar

__all__ = ["UNTITLED", "RequestTab", "RequestTabBar"]
