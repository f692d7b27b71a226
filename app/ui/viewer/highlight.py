"""Syntax colours for the rows a text view shows, from Pygments' lexers.

Only visible rows are lexed, each on its own (a line of pretty-printed JSON or
XML is self-contained enough), and the result is cached per row: a 1 GB body
costs what its visible screen costs.  A Python ``QSyntaxHighlighter`` over a
10 MB document took 23 s (PERFORMANCE-NOTES.md); this takes a few ms a screen.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from pygments.lexers import get_lexer_by_name
from pygments.token import Token, string_to_tokentype
from pygments.util import ClassNotFound
from PySide6.QtGui import QColor

from app.ui import theme

LANGUAGES = ("json", "xml", "html", "javascript", "css")
CACHE_ROWS = 4096
MAX_LEX_CHARS = 20_000
"""Longer rows are not lexed (their colours would not be worth the time)."""


def _colour_of(token: Any, palette: tuple[tuple[str, str], ...]) -> QColor | None:
    """The theme's colour for ``token`` (the first of ``palette`` it falls under)."""
    for name, colour in palette:
        if token in string_to_tokentype(name):
            return QColor(colour)
    return None


class Highlighter:
    """Colour spans ``(start, length, colour)`` for row texts, cached by key."""

    def __init__(self, language: str | None) -> None:
        self.language = language
        self._lexer: Any = None
        if language:
            try:
                self._lexer = get_lexer_by_name(
                    language, stripnl=False, stripall=False, ensurenl=False
                )
            except ClassNotFound:
                self._lexer = None
        self._cache: OrderedDict[object, list[tuple[int, int, QColor]]] = OrderedDict()
        self._colours: dict[Any, QColor | None] = {}
        self._palette = theme.syntax_palette()

    @property
    def active(self) -> bool:
        return self._lexer is not None

    def spans(self, key: object, text: str) -> list[tuple[int, int, QColor]]:
        if self._lexer is None or not text or len(text) > MAX_LEX_CHARS:
            return []
        palette = theme.syntax_palette()
        if palette is not self._palette:  # the theme changed: its colours, not the old
            self._palette = palette
            self._cache.clear()
            self._colours.clear()
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        spans: list[tuple[int, int, QColor]] = []
        for start, token, value in self._lexer.get_tokens_unprocessed(text):
            if token not in self._colours:
                self._colours[token] = (
                    _colour_of(token, self._palette) if token is not Token.Text else None
                )
            colour = self._colours[token]
            if colour is not None and value:
                spans.append((start, len(value), colour))
        self._cache[key] = spans
        if len(self._cache) > CACHE_ROWS:
            self._cache.popitem(last=False)
        return spans

    def clear(self) -> None:
        self._cache.clear()
